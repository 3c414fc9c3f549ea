#pragma once

#include "model/result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <utility>

namespace sweepline::remote {

// What the scheduler says about a job, reduced to what the engine acts on.
enum class SchedulerJobState {
    Queued,    // accepted, waiting (Slurm PENDING, PJM ACC/QUE/RNA/HLD, PBS Q/H/W)
    Running,   // (RUNNING, RUN/RNE/RNO, R/E)
    Finished,  // a terminal state; exitCode says how, when the scheduler knows it
    Cancelled, // a terminal state caused by a cancel (ours or an administrator's)
    Rejected,  // never ran (PJM RJT/ERR, a Slurm job failed at launch)
};

struct SchedulerJobStatus {
    QString jobId;
    QString jobName; // the trial's token where the output carries it
    SchedulerJobState state = SchedulerJobState::Queued;
    std::optional<int> exitCode; // where the scheduler reports one
    QString rawState;            // the scheduler's own word, for messages ("CD", "EXT", "F")
    QDateTime startedAt;         // where reported
};

struct JobSpec {
    QString token;        // becomes the job name
    QString jobDirectory; // absolute remote folder holding job.sh; outputs go there
    std::optional<qint64> timeLimitSeconds;
    QStringList directives; // the user's own, as written: "-L rscgrp=cx-share", "--partition=gpu"
};

// What a submit command's answer means for the trial.
struct SubmitOutcome {
    enum class Kind {
        Submitted, // jobId is the new job's id
        Refused,   // for good: the trial fails, showing message (the scheduler's own words)
        Limited,   // a per-user limit or a busy scheduler refused it: nothing queued; pause, then submit again
        Unclear,   // it may have gone through: look the token up before anything is submitted again
    };
    Kind kind = Kind::Refused;
    QString jobId;
    QString message;

    static SubmitOutcome submitted(QString jobId) { return {Kind::Submitted, std::move(jobId), {}}; }
    static SubmitOutcome refused(QString why) { return {Kind::Refused, {}, std::move(why)}; }
    static SubmitOutcome limited(QString why) { return {Kind::Limited, {}, std::move(why)}; }
    static SubmitOutcome unclear(QString why) { return {Kind::Unclear, {}, std::move(why)}; }
};

// A command to run on the login node: a program and its arguments, never a shell string.
struct RemoteCommand {
    QStringList argv;
    QString workingDirectory; // empty: the login directory
};

// One scheduler reduced to strings in, strings out (the submitit way), so each adapter is tested from
// recorded output alone. None of these run anything.
class SchedulerAdapter {
public:
    virtual ~SchedulerAdapter() = default;

    virtual QString name() const = 0;

    // Lines right after "#!/bin/bash" of the job script: "#SBATCH --job-name=...", "#PJM -L elapse=...".
    virtual QStringList directiveLines(const JobSpec& spec) const = 0;

    virtual RemoteCommand submitCommand(const JobSpec& spec) const = 0;
    // The job id from the submit command's output, or why there is none: refused for good (with the
    // scheduler's own words), limited (retry later), or unclear (look the token up first).
    virtual SubmitOutcome parseSubmit(const QString& out, const QString& err, int exitCode) const = 0;

    // One command for every job of a campaign, whatever their number. tokens are the job names.
    // It asks only about the user's own jobs: another user's job never shows up in the answer.
    virtual RemoteCommand statusCommand(const QStringList& jobIds, const QStringList& tokens) const = 0;
    // Only the jobs the output mentions; a job absent from it is unknown, never finished.
    // A failure (error text, unparseable output) means nothing may be concluded from this poll.
    virtual model::Result<QList<SchedulerJobStatus>> parseStatus(const QString& out, const QString& err,
                                                                 int exitCode) const = 0;

    virtual RemoteCommand cancelCommand(const QStringList& jobIds) const = 0;
    // Cancels the one job of a trial. A scheduler's ids are never reused while a job is known, so
    // the id alone will do; where they are (pids), the token tells this trial's job from another's.
    virtual RemoteCommand cancelJobCommand(const QString& jobId, const QString& token) const
    {
        Q_UNUSED(token);
        return cancelCommand({jobId});
    }

    // After an unclear submission: is there a job of this user named spec.token? Returns its id, or an empty string
    // when the scheduler positively knows no such job; a failure when the answer is unclear again.
    virtual RemoteCommand lookupCommand(const JobSpec& spec) const = 0;
    virtual model::Result<QString> parseLookup(const JobSpec& spec, const QString& out, const QString& err,
                                               int exitCode) const = 0;
};

// nullptr for an unknown name. Names: "slurm", "pjm", "pbs", "ssh" (background processes, no scheduler).
std::unique_ptr<SchedulerAdapter> makeSchedulerAdapter(const QString& name);

} // namespace sweepline::remote
