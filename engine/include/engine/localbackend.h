#pragma once

#include "engine/jobbackend.h"

#include <QHash>

#include <memory>
#include <sys/types.h>

class QTimer;

namespace sweepline::engine {

using namespace Qt::StringLiterals;

// Runs jobs on this computer. Each job script runs in its own session (so a time limit or a cancel
// reaches every process it started) and outlives the engine: a killed engine picks its jobs up again
// through track(). Exits are seen at once through a pidfd, with a slow poll as a safety net.
class LocalBackend final : public JobBackend {
    Q_OBJECT
public:
    explicit LocalBackend(QObject* parent = nullptr);
    ~LocalBackend() override;

    QString name() const override { return u"local"_s; }
    void submit(const JobRequest& request) override;
    void track(const TrackedJob& job) override;
    void cancel(qint64 trialId) override;
    void followOutput(qint64 trialId, qint64 fromOffset) override;
    void detachAll() override;

    // How long a job gets between SIGTERM and SIGKILL when it is stopped.
    void setKillGracePeriod(int milliseconds) { m_graceMs = milliseconds; }
    // How often each followed stdout is checked for growth (one stat()), and how many bytes of it one
    // check reads at most, so that a job printing a flood never holds up the event loop.
    void setOutputFollowing(int intervalMs, qint64 maxBytesPerCheck);

private:
    struct Watch;
    struct Follow {
        qint64 offset = 0;            // the next byte to deliver
        QString path;                 // empty until the job is submitted or tracked
        std::optional<JobEnd> ending; // the job ended: finished() waits for the rest of its output
    };

    void watch(qint64 trialId, pid_t pid, bool isChild, const QString& runDirectory,
               std::optional<qint64> timeLimitSeconds, const QDateTime& startedAt);
    void stop(qint64 trialId, const QString& reason);
    void checkExited(qint64 trialId);
    void pollAll();
    void finish(qint64 trialId, std::optional<int> signalNumber);

    void attachFollow(qint64 trialId, const QString& runDirectory);
    void dropFollow(qint64 trialId);
    bool readFollowed(qint64 trialId); // one bounded read; true when it reached the end of the file
    void followAll();
    void endFollowed(qint64 trialId, const JobEnd& end); // finished(), after the last followed bytes
    void drainThenFinish(qint64 trialId);

    QHash<qint64, std::shared_ptr<Watch>> m_watches;
    QTimer* m_pollTimer = nullptr;
    int m_graceMs = 5000;
    QHash<qint64, Follow> m_follows;
    QTimer* m_followTimer = nullptr;
    qint64 m_followChunkBytes = qint64(1) << 20;
};

} // namespace sweepline::engine
