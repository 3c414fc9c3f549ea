#pragma once

#include "engine/jobbackend.h"
#include "model/campaign.h"
#include "model/commandtemplate.h"
#include "model/curvereader.h"
#include "model/pointcodec.h"
#include "model/trial.h"
#include "tuning/pruner.h"
#include "tuning/strategy.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

#include <memory>
#include <unordered_map>

namespace sweepline::model {
class TrialStore;
}

namespace sweepline::engine {

struct RunSummary {
    bool ok = true; // false when the run stopped on an error (see error)
    QString error;
    bool complete = false; // the search has nothing left to do: budget spent or space exhausted
    int stillRunning = 0;  // jobs left running when the run was detached
};

// Drives one campaign: asks the strategy for points, records each trial state change in the store
// before acting on it, hands jobs to a backend and tells the strategy what they measured.
// Everything happens on the runner's thread, in response to backend signals; nothing blocks.
//
// With search.early_stopping, it follows every job's stdout while it runs: each arrival's new
// curve points are committed (recordCurve) and published, then judged by the pruner. A trial the
// pruner stops is recorded as stop-requested (markPruneRequested) before its cancel goes out, and
// ends pruned, or done when it finished before the stop reached it.
class CampaignRunner : public QObject {
    Q_OBJECT
public:
    CampaignRunner(model::Campaign campaign, model::TrialStore& store, JobBackend& backend, QString stateDirectory,
                   QObject* parent = nullptr);
    ~CampaignRunner() override;

    // Picks up the trials of earlier runs, then starts filling job slots. Errors here are fatal.
    model::Status start();
    // Before start(): only watch the jobs of earlier runs (for a cancel), submit nothing new.
    void setSubmissionsEnabled(bool enabled) { m_submissionsEnabled = enabled; }

    void stopSubmitting();  // no new jobs; finished() once the running ones end
    void pauseSubmitting(); // no new jobs, and keep watching the running ones until resumed
    void resumeSubmitting();
    void detach(); // leave running jobs running (the next run picks them up); finished() now
    void cancelTrial(qint64 trialId);
    void cancelAll();

    int activeCount() const { return int(m_active.size()); }
    bool isSubmitting() const { return m_submitting; }

signals:
    void trialChanged(const sweepline::model::TrialRecord& trial);
    void finished(const sweepline::engine::RunSummary& summary);

private:
    void fillSlots();
    bool planMore(int count);
    void submitPlanned(qint64 trialId);
    void maybeFinish();
    void fail(const QString& error);
    void publish(qint64 trialId);
    bool commit(const model::Status& status);
    void tellStrategy(qint64 trialId, const std::optional<double>& value);
    void tellStrategy(qint64 trialId, const tuning::Outcome& outcome);
    void endForPruner(qint64 trialId, tuning::Pruner::End how);
    double minimised(double value) const; // what the strategy and the pruner see: maximised metrics negated
    model::Status startEarlyStopping(const QList<model::TrialRecord>& trials);
    void follow(qint64 trialId, const model::TrialRecord& recorded);
    void onOutputArrived(qint64 trialId, qint64 offset, const QByteArray& bytes);
    void judgeCurve(qint64 trialId, const QList<model::CurvePoint>& points);
    bool userCancelled(qint64 trialId, const JobEnd& end);
    bool recordScriptStart(qint64 trialId, QDateTime startedAt);

    void onSubmitted(qint64 trialId, const QString& jobId, const QDateTime& at);
    void onNotSubmitted(qint64 trialId, const QString& reason);
    void onSubmitFailed(qint64 trialId, const QString& reason);
    void onStarted(qint64 trialId, const QDateTime& at);
    void onFinished(qint64 trialId, const JobEnd& end);

    QString runDirectory(qint64 trialId) const;
    QStringList inputFiles() const;

    model::Campaign m_campaign;
    model::TrialStore& m_store;
    JobBackend& m_backend;
    QString m_stateDirectory;
    model::PointCodec m_codec;
    std::unique_ptr<tuning::Strategy> m_strategy;
    std::optional<model::CommandTemplate> m_command;
    std::unique_ptr<tuning::Pruner> m_pruner; // null without early stopping

    // A followed job's stdout: the curve read so far, and the next byte expected.
    struct FollowedCurve {
        model::CurveReader reader;
        qint64 nextByte = 0;
        QList<model::CurvePoint> unjudged; // read before the store knew the job had started
    };
    std::unordered_map<qint64, FollowedCurve> m_curves;

    QHash<qint64, model::TrialRecord> m_trials; // the store's rows this run touches, kept current
    QHash<qint64, tuning::Point> m_points;
    QList<qint64> m_planned; // in store but not yet handed to the backend
    QSet<qint64> m_active;   // handed to the backend, not finished
    QSet<qint64> m_cancelRequested;
    int m_trialCount = 0; // every trial of the campaign: the budget's measure
    bool m_submitting = false;
    bool m_submissionsEnabled = true;
    bool m_paused = false;       // paused: no new jobs, yet not finishing either
    bool m_strategyIdle = false; // the last ask() gave nothing
    bool m_finished = false;
};

} // namespace sweepline::engine

Q_DECLARE_METATYPE(sweepline::engine::RunSummary)
