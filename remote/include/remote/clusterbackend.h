#pragma once

#include "engine/jobbackend.h"
#include "remote/scheduler.h"
#include "remote/ssh/sshworker.h"

#include <QHash>
#include <QList>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QThread;
class QTimer;

namespace sweepline::remote {

struct ClusterOptions {
    QString campaign; // names the campaign's folder on the cluster
    QString workdir;  // "sweepline", "~/sweepline" or an absolute path
    QStringList directives;
    int pollIntervalMs = 30000;
    int batchDelayMs = 50;        // submissions arriving within this window share one command
    int parallelSubmissions = 4;  // submit commands of one batch running at once on the login node
    std::optional<int> maxQueued; // the campaign's jobs in the queue at once (queued and running)
    bool acceptNewHostKey = false;
    // A larger stdout comes back as its tail (its last metric is there); settable for tests.
    qint64 maxDownloadBytes = ssh::kDefaultMaxDownload;
};

// Runs jobs on a cluster through one SSH session on a worker thread, with a scheduler adapter.
// Submissions are batched (one remote command for many jobs), and every poll is one remote
// command whatever the number of jobs. A job is finished only on positive evidence: its exit-code
// file, or a terminal scheduler state seen twice. An unclear submission is looked up by its token
// before it may be submitted again.
class ClusterBackend final : public engine::JobBackend {
    Q_OBJECT
public:
    ClusterBackend(ssh::Endpoint endpoint, std::unique_ptr<SchedulerAdapter> scheduler, ClusterOptions options,
                   ssh::CredentialPrompter& prompter, QObject* parent = nullptr);
    ~ClusterBackend() override;

    QString name() const override;
    void submit(const engine::JobRequest& request) override;
    void track(const engine::TrackedJob& job) override;
    void cancel(qint64 trialId) override;
    void followOutput(qint64 trialId, qint64 fromOffset) override;
    void detachAll() override;

    int logins() const { return m_logins; }
    int channelsOpened() const { return m_channels; }
    int commandsSent() const { return m_commands; }

private:
    struct Job;
    using Callback = std::function<void(const ssh::RemoteResponse&)>;

    void send(ssh::RemoteRequest request, const Callback& callback);
    void onDone(quint64 requestId, const ssh::RemoteResponse& response);
    bool handleFailure(const ssh::RemoteResponse& response);
    void scheduleRetry(QTimer* timer);

    void logIn();
    void flushSubmissions();
    bool claimFolders(); // true while a claim is under way; it calls flushSubmissions() when answered
    void refuseBeforeSubmission(const QList<std::pair<qint64, QString>>& refusals); // each trial fails, never submitted
    void onSubmitted(const QList<qint64>& ids, const ssh::RemoteResponse& response);
    int jobsInQueue() const; // submitted or maybe submitted, not yet seen to end
    void setPauseReason(const QString& reason);
    void lookUpUnclear();
    void poll();
    // One followed job's readfrom in a poll: where it asked from, so an answer to an older offset
    // (followOutput called again meanwhile) is dropped.
    struct OutputRead {
        qint64 trialId = 0;
        qint64 offset = 0;
    };
    void onPolled(const QList<qint64>& ids, const QList<OutputRead>& outputReads, bool askedScheduler,
                  const ssh::RemoteResponse& response);
    // Emits the new bytes of a followed job (started() first, if nobody had seen it start); true when
    // the answer was full, so more may wait.
    void reportStarted(Job& job, const QDateTime& schedulerStart);
    bool deliverOutput(Job& job, qint64 askedOffset, const ssh::AgentResult& read, const QDateTime& startedAt);
    // At the end, what the collected stdout holds past the followed offset, before finished().
    void deliverRestOfOutput(Job& job, const QString& localStdout, std::optional<qint64> truncatedFrom);
    // Queues a finished job; flushCollections() fetches the outputs of all queued jobs in one request.
    void collect(qint64 trialId, std::optional<int> exitCode, const QString& reason,
                 std::optional<QByteArray> exitCodeFile = std::nullopt);
    void flushCollections();
    void enforceTimeLimit(Job& job);
    void sendCancel(Job& job);

    QString remoteDirectory(const Job& job) const;
    JobSpec specFor(const Job& job) const;

    std::unique_ptr<SchedulerAdapter> m_scheduler;
    ClusterOptions m_options;
    QThread* m_thread = nullptr;
    ssh::SshWorker* m_worker = nullptr;
    QHash<quint64, Callback> m_callbacks;
    quint64 m_nextRequest = 0;
    QString m_home;

    struct Collection {
        qint64 trialId = 0;
        std::optional<int> exitCode;
        QString reason;
        std::optional<QByteArray> exitCodeFile; // as the poll read it: no need to download it again
    };

    QHash<qint64, std::shared_ptr<Job>> m_jobs;
    QHash<qint64, qint64> m_pendingFollows; // followOutput before submit/track: applied when it is
    QList<Collection> m_toCollect;
    QList<qint64> m_toSubmit;
    QTimer* m_batchTimer = nullptr;
    QTimer* m_pollTimer = nullptr;
    QTimer* m_lookupTimer = nullptr;
    QTimer* m_submitRetryTimer = nullptr;
    bool m_pollInFlight = false;
    bool m_lookupInFlight = false;
    bool m_claimInFlight = false;
    bool m_loginInFlight = false;
    int m_failures = 0;      // consecutive failed requests, for the back-off
    int m_limitedRounds = 0; // consecutive submit rounds the scheduler refused for a limit
    QString m_pauseReason;   // as last announced by submissionsPaused
    static constexpr int kAttemptsBeforeFirstLogin = 3;
    int m_attemptsWithoutLogin = 0; // failed requests before the first login
    int m_logins = 0;
    int m_channels = 0;
    int m_commands = 0;
};

} // namespace sweepline::remote
