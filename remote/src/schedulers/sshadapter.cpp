#include "remote/schedulers/sshadapter.h"

#include "engine/jobscript.h"

using namespace Qt::StringLiterals;

namespace sweepline::remote {

using namespace schedulers;

namespace {

// The fixed scripts below are one line each (quoteForRemoteShell refuses line breaks) and hold no
// value of a job: the folder, pids and names arrive as positional arguments.

const QString noPidFile = u"no-pid-file"_s;

QString lookupScript()
{
    return u"if [ -e \"$1/%1\" ]; then cat -- \"$1/%1\"; else echo %2; fi"_s.arg(QLatin1String(engine::runfiles::pid),
                                                                                 noPidFile);
}

// Pids are reused: a pid is signalled only while it still runs one of our job scripts (its token is
// the script's argument; see submitScript). The kill goes to the process group the script leads.
const QString cancelScript =
    u"for p; do case \"$(ps -o args= -p \"$p\")\" in \"bash %1 sw\"*) "
    "kill -TERM -- \"-$p\";; esac; done; exit 0"_s.arg(QLatin1String(engine::runfiles::script));

const QString cancelTrialScript = u"case \"$(ps -o args= -p \"$1\")\" in \"bash %1 $2\") "
                                  "kill -TERM -- \"-$1\";; esac; exit 0"_s.arg(QLatin1String(engine::runfiles::script));

// One ps for every pid; a row is passed on only when its command line is the job script of the very
// trial recorded for that pid ("bash job.sh <token>"), so a reused pid never counts as our job.
// "done" closes a complete answer. ps exits 1, silently, when none of the pids exists.
const QString statusScript =
    u"declare -A t; p=; while [ \"$#\" -ge 2 ]; do t[$1]=$2; p=$p${p:+,}$1; shift 2; done; "
    "o=$(ps -o pid=,stat=,args= -p \"$p\"); c=$?; "
    "if [ \"$c\" -ne 0 ] && { [ \"$c\" -ne 1 ] || [ -n \"$o\" ]; }; then exit \"$c\"; fi; "
    "while read -r pid stat args; do [ -n \"$pid\" ] || continue; "
    "case \" $args\" in *\" %1 ${t[$pid]}\") printf '%s %s %s\\n' \"$pid\" \"$stat\" \"$args\";; esac; "
    "done <<< \"$o\"; echo done"_s.arg(QLatin1String(engine::runfiles::script));
const QString statusDone = u"done"_s;

model::Result<QList<SchedulerJobStatus>> statusFailure(const QString& message)
{
    return model::Result<QList<SchedulerJobStatus>>::failure(message);
}

} // namespace

const QString& SshAdapter::submitScript()
{
    // "&" rather than "setsid -f": a background child of a non-interactive bash is no process group
    // leader, so even a setsid without -f (util-linux before 2.31) makes it a session leader at once.
    static const QString script = u"cd -- \"$1\" || exit 1; "
                                  "setsid bash %1 \"$2\" </dev/null >/dev/null 2>&1 & "
                                  "i=0; while [ \"$i\" -lt 50 ]; do "
                                  "if [ -s %2 ]; then cat %2; exit 0; fi; sleep 0.1; i=$((i+1)); done; "
                                  "echo \"%2 did not appear in $1 within 5 seconds\" >&2; exit 1"_s.arg(
                                      QLatin1String(engine::runfiles::script), QLatin1String(engine::runfiles::pid));
    return script;
}

QString SshAdapter::name() const
{
    return u"ssh"_s;
}

const QRegularExpression& SshAdapter::jobIdPattern() const
{
    static const QRegularExpression pattern(u"^([2-9]|[1-9][0-9]{1,9})$"_s);
    return pattern;
}

model::Status SshAdapter::checkJobSpec(const JobSpec& spec) const
{
    if (!spec.directives.isEmpty())
        return model::Status::failure(
            u"A host without a scheduler takes no directives (\"%1\")"_s.arg(spec.directives.first()));
    return SchedulerAdapterBase::checkJobSpec(spec);
}

QStringList SshAdapter::directiveLines(const JobSpec& spec) const
{
    Q_UNUSED(spec);
    return {};
}

RemoteCommand SshAdapter::submitCommand(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    // The token rides along as the script's argument, only so that ps shows whose job a pid runs.
    return {{u"bash"_s, u"-c"_s, submitScript(), u"sweepline-submit"_s, spec.jobDirectory, spec.token}, {}};
}

SubmitOutcome SshAdapter::parseSubmit(const QString& out, const QString& err, int exitCode) const
{
    using R = SubmitOutcome;
    if (exitCode != 0)
        return R::refused(failureText(u"The job launch"_s, out, err, exitCode));
    const QString pid = out.trimmed();
    if (!isValidJobId(pid))
        return R::refused(u"The job launch printed no process id: "_s + failureText(u"bash"_s, out, err, exitCode));
    return R::submitted(pid);
}

RemoteCommand SshAdapter::statusCommand(const QStringList& jobIds, const QStringList& tokens) const
{
    // Without the trial's token a pid cannot be told from a reused one: such a job is left out.
    QStringList argv{u"bash"_s, u"-c"_s, statusScript, u"sweepline-status"_s};
    for (qsizetype i = 0; i < jobIds.size() && i < tokens.size(); ++i) {
        if (isValidJobId(jobIds.at(i)) && schedulers::isValidToken(tokens.at(i)))
            argv << jobIds.at(i) << tokens.at(i);
    }
    if (argv.size() == 4)
        return {};
    return {argv, {}};
}

model::Result<QList<SchedulerJobStatus>> SshAdapter::parseStatus(const QString& out, const QString& err,
                                                                 int exitCode) const
{
    QStringList rows = lines(out);
    if (exitCode != 0)
        return statusFailure(failureText(u"ps"_s, out, err, exitCode));
    if (rows.isEmpty() || rows.constLast() != statusDone)
        return statusFailure(u"The status script's answer was cut short: "_s + out.right(200));
    rows.removeLast();
    static const QRegularExpression row(u"^([0-9]+)\\s+(\\S+)\\s*(.*)$"_s);
    static const QRegularExpression ourScript(
        u"(^|[\\s/])%1(\\s|$)"_s.arg(QRegularExpression::escape(QLatin1String(engine::runfiles::script))));
    QList<SchedulerJobStatus> jobs;
    for (const QString& line : std::as_const(rows)) {
        const auto match = row.match(line);
        if (!match.hasMatch())
            return statusFailure(u"Unexpected ps output: "_s + line);
        const QString stat = match.captured(2);
        SchedulerJobStatus status;
        status.jobId = match.captured(1);
        status.rawState = stat;
        if (stat.startsWith(u'Z')) {
            status.state = SchedulerJobState::Finished; // ended; only exit_code knows how
        } else if (ourScript.match(match.captured(3)).hasMatch()) {
            status.state = SchedulerJobState::Running;
        } else {
            continue; // the pid now belongs to another program: ours is gone
        }
        if (isValidJobId(status.jobId))
            jobs.append(status);
    }
    return jobs;
}

RemoteCommand SshAdapter::cancelCommand(const QStringList& jobIds) const
{
    const QStringList pids = validJobIds(jobIds);
    if (pids.isEmpty())
        return {};
    return {QStringList{u"bash"_s, u"-c"_s, cancelScript, u"sweepline-cancel"_s} + pids, {}};
}

RemoteCommand SshAdapter::cancelJobCommand(const QString& jobId, const QString& token) const
{
    if (!isValidJobId(jobId) || !isValidToken(token))
        return {};
    return {{u"bash"_s, u"-c"_s, cancelTrialScript, u"sweepline-cancel"_s, jobId, token}, {}};
}

RemoteCommand SshAdapter::lookupCommand(const JobSpec& spec) const
{
    if (!isSafeJobDirectory(spec.jobDirectory))
        return {};
    return {{u"bash"_s, u"-c"_s, lookupScript(), u"sweepline-lookup"_s, spec.jobDirectory}, {}};
}

model::Result<QString> SshAdapter::parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                               int exitCode) const
{
    using R = model::Result<QString>;
    const QString text = out.trimmed();
    if (exitCode != 0)
        return R::failure(model::ErrorCode::UnclearSubmission, failureText(u"Reading job.pid"_s, out, err, exitCode));
    if (text == noPidFile)
        return QString();
    if (isValidJobId(text))
        return text;
    return R::failure(model::ErrorCode::UnclearSubmission,
                      u"%1/job.pid holds no process id yet (\"%2\")"_s.arg(spec.jobDirectory, text.left(100)));
}

} // namespace sweepline::remote
