#pragma once

#include "remote/schedulers/adapterbase.h"

namespace sweepline::remote {

// A plain host without a scheduler: the job script runs in the background, in a session of its own
// (setsid), so it survives the SSH connection and can be stopped as a process group. The job id is
// the pid the job script writes to job.pid as its first act. The host must have bash, setsid
// (util-linux) and procps' ps.
//
// Nothing enforces the time limit here (there are no directives): the backend must cancel a job
// that runs past it.
class SshAdapter final : public SchedulerAdapterBase {
public:
    QString name() const override;
    // Directives would be silently ignored here, so a spec with any is refused.
    model::Status checkJobSpec(const JobSpec& spec) const override;

    QStringList directiveLines(const JobSpec& spec) const override; // none: nothing reads them

    // A fixed bash script (the folder and token are its arguments): start "bash job.sh <token>"
    // detached (the token only marks the process as this trial's), then wait up to five seconds for
    // job.pid and print it. A second launch in the same folder prints the first one's
    // pid, since the job script refuses to run twice.
    RemoteCommand submitCommand(const JobSpec& spec) const override;
    SubmitOutcome parseSubmit(const QString& out, const QString& err, int exitCode) const override;

    // One ps over the pids, filtered by a fixed script: a live process whose command line is
    // "bash job.sh <this trial's token>" is Running; a pid that is gone, or reused by another program
    // or another trial's job, is not mentioned (the backend reads exit_code). Jobs without a token
    // are left out of the command.
    RemoteCommand statusCommand(const QStringList& jobIds, const QStringList& tokens) const override;
    model::Result<QList<SchedulerJobStatus>> parseStatus(const QString& out, const QString& err,
                                                         int exitCode) const override;

    // SIGTERM to each job's process group, but only while the pid still runs one of our job scripts
    // (its command line "bash job.sh sw..."): a reused pid of another program is left alone. Only
    // pids reach this call, so a pid reused by another trial's job script is not told apart here.
    RemoteCommand cancelCommand(const QStringList& jobIds) const override;
    // The same for one trial, only while the pid runs that trial's own job script ("bash job.sh TOKEN").
    RemoteCommand cancelJobCommand(const QString& jobId, const QString& token) const override;

    // Reads job.pid: the job script creates it before anything else, so no file means the job never
    // started (or was never launched); a file that exists but is still empty is unclear.
    RemoteCommand lookupCommand(const JobSpec& spec) const override;
    model::Result<QString> parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                       int exitCode) const override;

    static const QString& submitScript();

protected:
    // Pids from 2 up: "kill -- -1" would signal every process of the user.
    const QRegularExpression& jobIdPattern() const override;
};

} // namespace sweepline::remote
