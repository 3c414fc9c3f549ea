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

private:
    struct Watch;

    void watch(qint64 trialId, pid_t pid, bool isChild, const QString& runDirectory,
               std::optional<qint64> timeLimitSeconds, const QDateTime& startedAt);
    void stop(qint64 trialId, const QString& reason);
    void checkExited(qint64 trialId);
    void pollAll();
    void finish(qint64 trialId, std::optional<int> signalNumber);

    QHash<qint64, std::shared_ptr<Watch>> m_watches;
    QTimer* m_pollTimer = nullptr;
    int m_graceMs = 5000;
};

} // namespace sweepline::engine
