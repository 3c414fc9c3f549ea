#pragma once

#include "remote/schedulers/adapterbase.h"

namespace sweepline::remote {

// Fujitsu Technical Computing Suite (PJM): pjsub / pjstat / pjdel, with fixed pjstat columns so site
// differences in the default table do not matter.
//
// Active jobs and finished ones live in two different pjstat queries (plain and -H). So that one poll
// stays one command, statusCommand() and lookupCommand() run both through a fixed sh script (ids and
// names passed as arguments, never pasted into the script): the active table first, then the history.
// activeStatusCommand() and historyCommand() are the two halves, for a backend that wants to run
// them itself; parseStatus() takes their outputs concatenated in that order.
class PjmAdapter final : public SchedulerAdapterBase {
public:
    QString name() const override;

    // Scheduler output goes to stdout.pjm / stderr.pjm; the job script writes stdout and stderr.
    QStringList directiveLines(const JobSpec& spec) const override;

    RemoteCommand submitCommand(const JobSpec& spec) const override;
    // "[INFO] PJM 0000 pjsub Job 12345 submitted."; "[ERR.] PJM ..." lines are the refusal's text.
    // Exit 0 without one id is unclear. No PJM text for a per-user job-count limit could be found in
    // public sources (see tests/remote/schedulers/data/pjm/README.md), so none is treated as limited:
    // an unknown refusal fails its one trial with the scheduler's words rather than waiting forever.
    SubmitOutcome parseSubmit(const QString& out, const QString& err, int exitCode) const override;

    // Both queries in one sh script; exits with the first non-zero exit code of the two. Jobs are
    // asked for by id, so only ours answer. By default pjstat lists "only jobs that can be referenced
    // by the user who executed" it (Fugaku user guide 1.49, 5.12.1.1): the user's own, and on some
    // sites the group's, so the name lookup below can still see a group member's job of the same
    // name. Not checked against a real pjstat here; no user filter is added because its syntax is
    // unverified.
    RemoteCommand statusCommand(const QStringList& jobIds, const QStringList& tokens) const override;
    RemoteCommand activeStatusCommand(const QStringList& jobIds) const;
    RemoteCommand historyCommand(const QStringList& jobIds) const;
    // Skips banners (everything that is not in a table under a "JOB_ID ST EC SN" header). A job in
    // both tables is reported as the first (active) one says: a job restarted under the same id may
    // still have an older EXT row in the history. "Invalid jobid" errors only mean "not mentioned".
    model::Result<QList<SchedulerJobStatus>> parseStatus(const QString& out, const QString& err,
                                                         int exitCode) const override;

    RemoteCommand cancelCommand(const QStringList& jobIds) const override;

    // By job name, active and history (3 days) together. The history only reaches back three days:
    // an empty answer after a longer absence does not prove the job never ran, so the backend must
    // also look for the run folder's job.pid / exit_code before it submits again.
    RemoteCommand lookupCommand(const JobSpec& spec) const override;
    model::Result<QString> parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                       int exitCode) const override;

    // pjstat's ST column; nothing for a state this adapter does not know.
    static std::optional<SchedulerJobState> stateFor(const QString& pjmState);
    static QString elapse(qint64 seconds); // "H:MM:SS", hours unbounded: PJM has no "D-" form

protected:
    const QRegularExpression& jobIdPattern() const override;
    QStringList reservedOptions() const override;
};

} // namespace sweepline::remote
