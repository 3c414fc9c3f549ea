#include "remote/schedulers/pbsadapter.h"

#include "engine/jobscript.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

using namespace schedulers;

namespace {

constexpr char stdoutFile[] = "stdout.pbs";
constexpr char stderrFile[] = "stderr.pbs";

// PBSE_UNKJOBID (15001) as an exit code is 153; the message names the id.
bool isUnknownIdLine(const QString& line)
{
    return line.startsWith(u"qstat: Unknown Job Id"_s);
}

// "Wed May  1 10:00:00 2024", the server's local time.
QDateTime parsePbsTime(const QString& text)
{
    return QLocale::c().toDateTime(text.simplified(), u"ddd MMM d HH:mm:ss yyyy"_s);
}

std::optional<int> exitStatusOf(const QJsonValue& value)
{
    if (value.isDouble())
        return value.toInt();
    bool ok = false;
    const int number = value.toString().toInt(&ok);
    return ok ? std::optional<int>(number) : std::nullopt;
}

// PBS's own codes for jobs that ended without running their script to completion (JOB_EXEC_*):
// -24 to -29 kill a job that ran past a limit (cpus, memory, cpu time, walltime); the other
// negative codes say the job never properly started.
void applyExitStatus(SchedulerJobStatus& status, int exitStatus)
{
    status.exitCode = exitStatus;
    if (exitStatus >= -29 && exitStatus <= -24) {
        status.rawState += u" (exit status %1: killed for exceeding a limit)"_s.arg(exitStatus);
    } else if (exitStatus < 0) {
        status.state = SchedulerJobState::Rejected;
        status.rawState += u" (exit status %1: the job could not start)"_s.arg(exitStatus);
    } else if (exitStatus > 256) {
        status.rawState += u" (exit status %1: killed by signal %2)"_s.arg(exitStatus).arg(exitStatus - 256);
    }
}

} // namespace

QString PbsAdapter::name() const
{
    return u"pbs"_s;
}

const QRegularExpression& PbsAdapter::jobIdPattern() const
{
    static const QRegularExpression pattern(
        u"^[0-9]{1,19}(\\[[0-9]{0,10}\\])?(\\.[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9][A-Za-z0-9_-]*)*)?$"_s);
    return pattern;
}

QStringList PbsAdapter::reservedOptions() const
{
    return {u"-N"_s, u"-o"_s, u"-e"_s};
}

std::optional<SchedulerJobState> PbsAdapter::stateFor(const QString& pbsState)
{
    using S = SchedulerJobState;
    static const QHash<QString, S> states{
        {u"Q"_s, S::Queued},  {u"H"_s, S::Queued},   {u"W"_s, S::Queued},   {u"T"_s, S::Queued},
        {u"S"_s, S::Queued},  {u"U"_s, S::Queued},   {u"R"_s, S::Running},  {u"E"_s, S::Running},
        {u"B"_s, S::Running}, {u"F"_s, S::Finished}, {u"X"_s, S::Finished},
    };
    if (const auto it = states.constFind(pbsState); it != states.cend())
        return *it;
    return std::nullopt;
}

QStringList PbsAdapter::directiveLines(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    QStringList lines{
        u"#PBS -N "_s + spec.token,
        u"#PBS -o "_s + joinPath(spec.jobDirectory, stdoutFile),
        u"#PBS -e "_s + joinPath(spec.jobDirectory, stderrFile),
    };
    if (spec.timeLimitSeconds)
        lines.append(u"#PBS -l walltime="_s + hoursDuration(*spec.timeLimitSeconds, 2));
    for (const QString& directive : spec.directives)
        lines.append(u"#PBS "_s + directive);
    return lines;
}

RemoteCommand PbsAdapter::submitCommand(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    return {{u"qsub"_s, joinPath(spec.jobDirectory, engine::runfiles::script)}, spec.jobDirectory};
}

SubmitOutcome PbsAdapter::parseSubmit(const QString& out, const QString& err, int exitCode) const
{
    using R = SubmitOutcome;
    if (exitCode != 0) {
        // PBSE_MAXQUED, PBSE_MAXUSERQUED and PBS Pro's max_queued limits ("would exceed queue
        // workq's per-user limit"): they clear as our jobs leave the queue. "Job violates queue
        // and/or server resource limits" is about the job's own request and stays a refusal.
        static const QStringList limits{u"Maximum number of jobs already in queue"_s, u"per-user limit"_s,
                                        u"per-group limit"_s};
        return classifyRefusal(failureText(u"qsub"_s, out, err, exitCode), limits);
    }
    QStringList ids;
    for (const QString& line : lines(out)) {
        if (isValidJobId(line))
            ids.append(line);
    }
    if (ids.size() == 1)
        return R::submitted(ids.first());
    if (ids.isEmpty())
        return R::unclear(u"qsub printed no job id: "_s + failureText(u"qsub"_s, out, err, exitCode));
    return R::unclear(u"qsub printed several job ids (%1); which one is ours is unclear"_s.arg(ids.join(u", ")));
}

RemoteCommand PbsAdapter::statusCommand(const QStringList& jobIds, const QStringList& tokens) const
{
    Q_UNUSED(tokens);
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {QStringList{u"qstat"_s, u"-f"_s, u"-F"_s, u"json"_s, u"-x"_s} + ids, {}};
}

model::Result<QList<SchedulerJobStatus>> PbsAdapter::parseStatus(const QString& out, const QString& err,
                                                                 int exitCode) const
{
    using R = model::Result<QList<SchedulerJobStatus>>;
    QStringList otherErrors;
    for (const QString& line : lines(err)) {
        if (!isUnknownIdLine(line))
            otherErrors.append(line);
    }
    // Unknown ids alone make qstat exit non-zero while it still prints the others.
    if (exitCode != 0 && (!otherErrors.isEmpty() || lines(err).isEmpty()))
        return R::failure(failureText(u"qstat"_s, out, otherErrors.join(u'\n'), exitCode));
    if (out.trimmed().isEmpty())
        return QList<SchedulerJobStatus>();

    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return R::failure(u"qstat printed something that is not its JSON (%1): %2"_s.arg(
            error.errorString(), lines(out).value(0).left(200)));
    const QJsonValue jobsValue = doc.object().value(u"Jobs"_s);
    if (!jobsValue.isUndefined() && !jobsValue.isObject())
        return R::failure(u"qstat's JSON has no job table"_s);

    QList<SchedulerJobStatus> jobs;
    const QJsonObject table = jobsValue.toObject();
    for (auto it = table.begin(); it != table.end(); ++it) {
        const QJsonObject job = it.value().toObject();
        const QString jobState = job.value(u"job_state"_s).toString();
        const auto state = stateFor(jobState);
        if (!isValidJobId(it.key()) || !state)
            continue;
        SchedulerJobStatus status;
        status.jobId = it.key();
        status.jobName = job.value(u"Job_Name"_s).toString();
        status.state = *state;
        status.rawState = jobState;
        if (*state == SchedulerJobState::Running || *state == SchedulerJobState::Finished)
            status.startedAt = parsePbsTime(job.value(u"stime"_s).toString());
        if (*state == SchedulerJobState::Finished) {
            if (const auto exitStatus = exitStatusOf(job.value(u"Exit_status"_s)))
                applyExitStatus(status, *exitStatus);
        }
        jobs.append(status);
    }
    return jobs;
}

RemoteCommand PbsAdapter::cancelCommand(const QStringList& jobIds) const
{
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {QStringList{u"qdel"_s} + ids, {}};
}

RemoteCommand PbsAdapter::lookupCommand(const JobSpec& spec) const
{
    if (!isValidToken(spec.token))
        return {};
    return {{u"sh"_s, u"-c"_s, u"exec qselect -x -u \"$(id -un)\" -N \"$1\""_s, u"sweepline-qselect"_s, spec.token},
            {}};
}

model::Result<QString> PbsAdapter::parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                               int exitCode) const
{
    using R = model::Result<QString>;
    if (exitCode != 0)
        return R::failure(model::ErrorCode::UnclearSubmission, failureText(u"qselect"_s, out, err, exitCode));
    QStringList ids;
    for (const QString& line : lines(out)) {
        if (!isValidJobId(line))
            return R::failure(model::ErrorCode::UnclearSubmission,
                              u"Unexpected qselect output while looking for job %1: %2"_s.arg(spec.token, line));
        ids.append(line);
    }
    return firstSubmitted(ids);
}

} // namespace sweepline::remote
