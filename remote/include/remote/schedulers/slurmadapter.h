#pragma once

#include "remote/schedulers/adapterbase.h"

namespace sweepline::remote {

// Slurm: sbatch / squeue / scancel. Jobs are watched by name (our token), not by id: squeue prints
// nothing for a name it does not know, whereas "--jobs" with an id that left the queue fails the
// whole query on some versions.
class SlurmAdapter final : public SchedulerAdapterBase {
public:
    QString name() const override;

    // The scheduler's own output goes to stdout.slurm / stderr.slurm, not to the job's stdout and
    // stderr: the job script truncates and writes those itself, and two writers with separate file
    // offsets on one file overwrite each other (slurmstepd's "CANCELLED DUE TO TIME LIMIT" line would
    // land on top of the first bytes the command wrote).
    QStringList directiveLines(const JobSpec& spec) const override;

    RemoteCommand submitCommand(const JobSpec& spec) const override;
    // "JOBID" or "JOBID;CLUSTER" (the cluster is dropped). Exit 0 without one readable id is unclear.
    SubmitOutcome parseSubmit(const QString& out, const QString& err, int exitCode) const override;

    // squeue by name, the user's own jobs only (--me), all states; jobIds are not needed (the backend
    // matches the answer's rows to its jobs by id). Jobs squeue no longer lists (finished
    // longer ago than MinJobAge, 300 s by default) are simply absent: the backend reads exit_code.
    RemoteCommand statusCommand(const QStringList& jobIds, const QStringList& tokens) const override;
    model::Result<QList<SchedulerJobStatus>> parseStatus(const QString& out, const QString& err,
                                                         int exitCode) const override;

    RemoteCommand cancelCommand(const QStringList& jobIds) const override;

    // squeue only remembers a job for MinJobAge after it ended, so an empty answer means "not in the
    // queue now", not "never submitted": the backend must also look for the run folder's job.pid /
    // exit_code before it submits again (the job script refuses to run twice in one folder anyway).
    RemoteCommand lookupCommand(const JobSpec& spec) const override;
    model::Result<QString> parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                       int exitCode) const override;

    // squeue's long state name (%T); nothing for a state this adapter does not know.
    static std::optional<SchedulerJobState> stateFor(const QString& slurmState);

protected:
    const QRegularExpression& jobIdPattern() const override;
    QStringList reservedOptions() const override;
};

} // namespace sweepline::remote
