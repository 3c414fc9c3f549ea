#pragma once

#include "remote/schedulers/adapterbase.h"

namespace sweepline::remote {

// PBS Professional / OpenPBS: qsub / qstat / qdel / qselect. The status comes from
// "qstat -f -F json -x", which includes finished jobs for as long as the server keeps job history
// (job_history_enable; without it a finished job is simply not mentioned). Torque's qstat has no
// JSON and is not supported.
class PbsAdapter final : public SchedulerAdapterBase {
public:
    QString name() const override;

    // Scheduler output goes to stdout.pbs / stderr.pbs: PBS copies those files back when the job
    // ends, which would overwrite the stdout and stderr the job script wrote itself.
    QStringList directiveLines(const JobSpec& spec) const override;

    RemoteCommand submitCommand(const JobSpec& spec) const override;
    // "1234.pbs-server"; errors such as "qsub: Unknown queue" are the refusal's text; per-user queue
    // limits are limited; exit 0 without one id is unclear.
    SubmitOutcome parseSubmit(const QString& out, const QString& err, int exitCode) const override;

    // qstat by the ids we were given, never by name: only our own jobs can answer.
    RemoteCommand statusCommand(const QStringList& jobIds, const QStringList& tokens) const override;
    // "qstat: Unknown Job Id ..." lines (exit 153) mean "not mentioned", not a failed poll.
    // The ids are the keys qstat prints, which is the form qsub printed on the same server.
    model::Result<QList<SchedulerJobStatus>> parseStatus(const QString& out, const QString& err,
                                                         int exitCode) const override;

    RemoteCommand cancelCommand(const QStringList& jobIds) const override;

    // qselect -x includes history jobs, but only as long as the server keeps them. -u restricts it to
    // the logged-in user (id -un inside a fixed sh script; the token travels as an argument).
    RemoteCommand lookupCommand(const JobSpec& spec) const override;
    model::Result<QString> parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                       int exitCode) const override;

    // job_state; nothing for a state this adapter does not know ("M", moved to another server).
    static std::optional<SchedulerJobState> stateFor(const QString& pbsState);

protected:
    const QRegularExpression& jobIdPattern() const override;
    QStringList reservedOptions() const override;
};

} // namespace sweepline::remote
