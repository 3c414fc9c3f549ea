#pragma once

#include "engine/jobscript.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace sweepline::engine {

struct JobRequest {
    qint64 trialId = 0;
    QString token;          // unique job name; an unclear submission is looked up by it
    QString runDirectory;   // local folder of this trial: job script, outputs, exit code
    JobScriptInput script;  // what the job runs; the backend fills in where it runs
    QStringList inputFiles; // absolute local paths, copied beside the script
    std::optional<qint64> timeLimitSeconds;
    // With the attempt, names the trial's own remote folder: two stores, or two attempts of one
    // trial, never share one (see ClusterBackend::remoteDirectory).
    QString storeId;
    int attempt = 0;
};

// A job recorded by an earlier run of the engine, to be looked up or watched again.
struct TrackedJob {
    qint64 trialId = 0;
    QString token;
    QString runDirectory;
    QString jobId; // empty when the submission's answer never arrived
    std::optional<qint64> timeLimitSeconds;
    QDateTime startedAt; // invalid when not known to have started
    QString storeId;     // as in JobRequest: the folder of the attempt that was recorded
    int attempt = 0;
};

struct JobEnd {
    std::optional<int> exitCode; // what the job script recorded as its last act
    QString reason;              // why there is no usable exit code, or what ended the job
    QString stdoutPath;          // local copy of the job's stdout
    QDateTime startedAt;         // as the job script recorded it; invalid when unknown
    QDateTime finishedAt;
    // Set when the local copy holds only the end of a stdout larger than the download limit: the
    // size of the whole stdout on the cluster.
    std::optional<qint64> stdoutTruncatedFrom;
    bool cancelled = false; // ended by a cancel, ours or another's
};

// The job script's own clock wins over when a backend saw the end: it is right even for a job
// that started and ended between two polls, or whose end a resumed engine found later.
inline void takeScriptTimes(JobEnd& end, const ExitRecord& record)
{
    end.startedAt = record.startedAt;
    if (record.finishedAt.isValid())
        end.finishedAt = record.finishedAt;
}

// A cancel asked for by another process (sweepline-cli cancel) is recorded in the trial's local run
// folder, so the run that watches the job records it as cancelled rather than failed.
inline constexpr char kCancelMarker[] = "cancel-requested";

// One way of running jobs: this computer, or a cluster's scheduler. All calls return at once;
// results arrive as signals on the backend's thread. A backend never reports a job finished without
// positive evidence (an exit-code file or a terminal scheduler state).
class JobBackend : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~JobBackend() override = default;

    virtual QString name() const = 0;
    virtual void submit(const JobRequest& request) = 0;
    // For a job of an earlier run: emits submitted/started/finished as its state is found, or
    // notSubmitted when the job certainly never reached the scheduler.
    virtual void track(const TrackedJob& job) = 0;
    virtual void cancel(qint64 trialId) = 0;
    // From now until the job ends, delivers what its stdout gains past byte fromOffset as
    // outputArrived signals, in order and without gaps (local jobs: read from the file as it grows;
    // clusters: each poll's one command brings every followed job's new bytes). For a job that is
    // not submitted or tracked yet, it applies once it is.
    virtual void followOutput(qint64 trialId, qint64 fromOffset) = 0;
    // Stops watching every job, leaving them running; the next run's track() picks them up again.
    virtual void detachAll() = 0;

signals:
    void submitted(qint64 trialId, const QString& jobId, const QDateTime& at);
    void notSubmitted(qint64 trialId, const QString& reason); // certainly not submitted: safe to retry
    void submitFailed(qint64 trialId, const QString& reason); // refused for good: the trial fails
    void started(qint64 trialId, const QDateTime& at);
    void finished(qint64 trialId, const sweepline::engine::JobEnd& end);
    // bytes of the job's stdout from offset on (followOutput); the next one starts where this ends.
    void outputArrived(qint64 trialId, qint64 offset, const QByteArray& bytes);
    // Nothing more can be done without a person: a host key or a login was refused.
    void fatalError(const QString& message);
    void connectionChanged(const QString& description); // for a status line
    // Submissions wait, and why (a site's per-user limit, a busy scheduler, cluster.max_queued); an
    // empty reason: submitting again. For a status line; no trial changes state because of it.
    void submissionsPaused(const QString& reason);
};

} // namespace sweepline::engine

Q_DECLARE_METATYPE(sweepline::engine::JobEnd)
