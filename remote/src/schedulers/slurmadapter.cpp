#include "remote/schedulers/slurmadapter.h"

#include "engine/jobscript.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

using namespace schedulers;

namespace {

constexpr char stdoutFile[] = "stdout.slurm";
constexpr char stderrFile[] = "stderr.slurm";

// "%i|%j|%T|%S": id, name, long state, start time. Names are our tokens, which hold no '|'.
const QString statusFormat = u"--format=%i|%j|%T|%S"_s;
constexpr int statusFields = 4;

// Any id form squeue prints (plain, array "12_3" or "12_[1-5]", heterogeneous "12+0"). Rows of ids
// outside our strict pattern are left out, not taken as garbage.
bool looksLikeSlurmId(const QString& id)
{
    static const QRegularExpression pattern(u"^[0-9]+([_+][0-9\\[\\],-]+)?$"_s);
    return pattern.match(id).hasMatch();
}

// squeue can print the error and still exit 0 on some versions.
bool hasSlurmError(const QString& err)
{
    static const QRegularExpression pattern(u"\\berror\\b|Unable to contact slurm controller|Socket timed out"_s,
                                            QRegularExpression::CaseInsensitiveOption);
    return pattern.match(err).hasMatch();
}

// Slurm prints the cluster's local time without a zone; SLURM_TIME_FORMAT may change it, in which
// case the time is simply not reported.
QDateTime parseSlurmTime(const QString& text)
{
    const QDateTime at = QDateTime::fromString(text, Qt::ISODate);
    return at.isValid() ? at : QDateTime();
}

model::Result<QList<SchedulerJobStatus>> statusFailure(const QString& message)
{
    return model::Result<QList<SchedulerJobStatus>>::failure(message);
}

} // namespace

QString SlurmAdapter::name() const
{
    return u"slurm"_s;
}

const QRegularExpression& SlurmAdapter::jobIdPattern() const
{
    static const QRegularExpression pattern(u"^[0-9]{1,19}(_[0-9]{1,10})?$"_s);
    return pattern;
}

QStringList SlurmAdapter::reservedOptions() const
{
    return {u"-J"_s, u"--job-name"_s, u"-o"_s, u"--output"_s, u"-e"_s, u"--error"_s, u"-D"_s, u"--chdir"_s};
}

std::optional<SchedulerJobState> SlurmAdapter::stateFor(const QString& slurmState)
{
    using S = SchedulerJobState;
    static const QHash<QString, S> states{
        {u"PENDING"_s, S::Queued},         {u"CONFIGURING"_s, S::Queued},  {u"REQUEUED"_s, S::Queued},
        {u"REQUEUE_HOLD"_s, S::Queued},    {u"REQUEUE_FED"_s, S::Queued},  {u"RESV_DEL_HOLD"_s, S::Queued},
        {u"SUSPENDED"_s, S::Queued},       {u"STOPPED"_s, S::Queued},      {u"SPECIAL_EXIT"_s, S::Queued},
        {u"RUNNING"_s, S::Running},        {u"COMPLETING"_s, S::Running},  {u"STAGE_OUT"_s, S::Running},
        {u"SIGNALING"_s, S::Running},      {u"RESIZING"_s, S::Running},    {u"COMPLETED"_s, S::Finished},
        {u"FAILED"_s, S::Finished},        {u"TIMEOUT"_s, S::Finished},    {u"NODE_FAIL"_s, S::Finished},
        {u"OUT_OF_MEMORY"_s, S::Finished}, {u"BOOT_FAIL"_s, S::Finished},  {u"DEADLINE"_s, S::Finished},
        {u"PREEMPTED"_s, S::Finished},     {u"CANCELLED"_s, S::Cancelled},
    };
    // sacct writes "CANCELLED by 1234" and "CANCELLED+".
    if (slurmState.startsWith(u"CANCELLED"))
        return S::Cancelled;
    if (const auto it = states.constFind(slurmState); it != states.cend())
        return *it;
    return std::nullopt;
}

QStringList SlurmAdapter::directiveLines(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    QStringList lines{
        u"#SBATCH --job-name="_s + spec.token,
        u"#SBATCH --output="_s + joinPath(spec.jobDirectory, stdoutFile),
        u"#SBATCH --error="_s + joinPath(spec.jobDirectory, stderrFile),
    };
    if (spec.timeLimitSeconds)
        lines.append(u"#SBATCH --time="_s + slurmDuration(*spec.timeLimitSeconds));
    lines.append(u"#SBATCH --chdir="_s + spec.jobDirectory);
    for (const QString& directive : spec.directives)
        lines.append(u"#SBATCH "_s + directive);
    return lines;
}

RemoteCommand SlurmAdapter::submitCommand(const JobSpec& spec) const
{
    if (!checkJobSpec(spec))
        return {};
    return {{u"sbatch"_s, u"--parsable"_s, joinPath(spec.jobDirectory, engine::runfiles::script)}, spec.jobDirectory};
}

SubmitOutcome SlurmAdapter::parseSubmit(const QString& out, const QString& err, int exitCode) const
{
    using R = SubmitOutcome;
    if (exitCode != 0) {
        // Per-user limits (MaxSubmitJobs of a QOS or association), a full controller (MaxJobCount:
        // EAGAIN) and its own "sleeping and retrying" clear by themselves: wait, then submit again.
        // A reply that timed out may hide an accepted job (see CLUSTERS.md): look it up first.
        static const QStringList limits{u"QOSMaxSubmitJobPerUserLimit"_s, u"AssocMaxSubmitJobLimit"_s,
                                        u"Job violates accounting/QOS policy"_s, u"Resource temporarily unavailable"_s,
                                        u"temporarily unable to accept job"_s};
        static const QStringList unclear{u"Socket timed out on send/recv operation"_s};
        return classifyRefusal(failureText(u"sbatch"_s, out, err, exitCode), limits, unclear);
    }
    static const QRegularExpression idLine(u"^([0-9]+)(;[A-Za-z0-9_.-]+)?$"_s);
    QStringList ids;
    for (const QString& line : lines(out)) {
        // Anything else on stdout (a site's warning, a banner) is skipped.
        if (const auto match = idLine.match(line); match.hasMatch())
            ids.append(match.captured(1));
    }
    if (ids.size() == 1 && isValidJobId(ids.first()))
        return R::submitted(ids.first());
    // sbatch said yes but not what: the job may be queued, so it is looked up by its name, never
    // failed (which would submit the trial again beside it).
    if (ids.isEmpty())
        return R::unclear(u"sbatch printed no job id: "_s + failureText(u"sbatch"_s, out, err, exitCode));
    return R::unclear(u"sbatch printed several job ids (%1); which one is ours is unclear"_s.arg(ids.join(u", ")));
}

RemoteCommand SlurmAdapter::statusCommand(const QStringList& jobIds, const QStringList& tokens) const
{
    Q_UNUSED(jobIds);
    const QStringList names = validTokens(tokens);
    if (names.isEmpty())
        return {};
    // --me (Slurm 20.11 and later; Debian 12 has 22.05): another user's job of the same name is never
    // listed. --all only widens the partitions (hidden ones too), not the users.
    return {{u"squeue"_s, u"--noheader"_s, u"--me"_s, u"--all"_s, u"--states=all"_s, u"--name="_s + names.join(u','),
             statusFormat},
            {}};
}

model::Result<QList<SchedulerJobStatus>> SlurmAdapter::parseStatus(const QString& out, const QString& err,
                                                                   int exitCode) const
{
    if (exitCode != 0 || hasSlurmError(err))
        return statusFailure(failureText(u"squeue"_s, out, err, exitCode));
    QList<SchedulerJobStatus> jobs;
    for (const QString& line : lines(out)) {
        const QStringList fields = line.split(u'|');
        if (fields.size() != statusFields || !looksLikeSlurmId(fields.at(0)))
            return statusFailure(u"Unexpected squeue output: "_s + line);
        const auto state = stateFor(fields.at(2));
        if (!isValidJobId(fields.at(0)) || !state)
            continue; // an array or unknown state: this job is simply not reported
        SchedulerJobStatus status;
        status.jobId = fields.at(0);
        status.jobName = fields.at(1);
        status.state = *state;
        status.rawState = fields.at(2);
        // Only these states have really started: a pending job's %S is a forecast, and a job cancelled
        // while pending shows its cancel time.
        if (*state == SchedulerJobState::Running || *state == SchedulerJobState::Finished)
            status.startedAt = parseSlurmTime(fields.at(3));
        jobs.append(status);
    }
    return jobs;
}

RemoteCommand SlurmAdapter::cancelCommand(const QStringList& jobIds) const
{
    const QStringList ids = validJobIds(jobIds);
    if (ids.isEmpty())
        return {};
    return {QStringList{u"scancel"_s} + ids, {}};
}

RemoteCommand SlurmAdapter::lookupCommand(const JobSpec& spec) const
{
    if (!isValidToken(spec.token))
        return {};
    return {{u"squeue"_s, u"--noheader"_s, u"--me"_s, u"--all"_s, u"--states=all"_s, u"--name="_s + spec.token,
             u"--format=%i|%j"_s},
            {}};
}

model::Result<QString> SlurmAdapter::parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                                 int exitCode) const
{
    using R = model::Result<QString>;
    if (exitCode != 0 || hasSlurmError(err))
        return R::failure(model::ErrorCode::UnclearSubmission, failureText(u"squeue"_s, out, err, exitCode));
    QStringList ids;
    for (const QString& line : lines(out)) {
        const QStringList fields = line.split(u'|');
        // A different name would mean the filter did not do what we think: unclear, not "none".
        if (fields.size() != 2 || fields.at(1) != spec.token || !isValidJobId(fields.at(0)))
            return R::failure(model::ErrorCode::UnclearSubmission,
                              u"Unexpected squeue output while looking for job %1: %2"_s.arg(spec.token, line));
        ids.append(fields.at(0));
    }
    return firstSubmitted(ids);
}

} // namespace sweepline::remote
