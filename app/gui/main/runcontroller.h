#pragma once

#include "engine/campaignrunner.h"
#include "model/campaign.h"
#include "model/result.h"
#include "model/trialtablemodel.h"
#include "remote/ssh/credentialprompter.h"

#include <QObject>

class QThread;

namespace sweepline::gui {

class EngineWorker;
class StoreReader;
struct TrialsRead;

// The GUI's handle on a campaign's run: it shows the trials of the store, and drives an EngineWorker
// on its own thread. Run control (start, pause, resume, cancel) only sends requests; the trial model
// follows what the engine commits.
class RunController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Starting, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit RunController(remote::ssh::CredentialPrompter& prompter, QObject* parent = nullptr);
    ~RunController() override;

    model::TrialTableModel* trials() { return &m_trials; }
    State state() const { return m_state; }
    QString stateDirectory() const { return m_stateDirectory; }

    // Shows a campaign, then whatever its store already holds: the store is read on the engine
    // thread, and loaded() follows with the outcome. A request sent after open() (start, monitor)
    // reaches the engine after the read. Runs nothing.
    void open(const model::Campaign& campaign, const QString& stateDirectory);
    bool isLoading() const { return m_loading; }
    bool hasUnfinishedTrials() const;

    void start(const model::Campaign& campaign, bool acceptChangedDefinition = false, bool acceptNewHostKey = false);
    void monitor(); // picks up the jobs of an earlier run without submitting new ones
    void pause();
    void resume();
    void cancelTrial(qint64 trialId);
    void cancelAll();
    void detach(); // stop watching; jobs keep running and the next start picks them up

signals:
    void stateChanged(sweepline::gui::RunController::State state);
    void connectionChanged(const QString& description);
    void submissionsPaused(const QString& reason); // empty: submitting again
    void failedToStart(const QString& message, bool definitionChanged);
    void finished(const sweepline::engine::RunSummary& summary);
    // The store's trials are shown (or could not be read) after open(); a superseded open() has none.
    void loaded(const sweepline::model::Status& status);

private:
    void setState(State state);
    void showRead(const TrialsRead& read);
    void launch(const model::Campaign& campaign, bool acceptChangedDefinition, bool acceptNewHostKey, bool monitorOnly);

    model::TrialTableModel m_trials;
    model::Campaign m_campaign;
    QString m_stateDirectory;
    QThread* m_thread = nullptr;
    EngineWorker* m_engine = nullptr;
    StoreReader* m_reader = nullptr; // reads stores on the engine thread
    quint64 m_opened = 0;            // the latest open(): a read for an earlier one is dropped
    bool m_loading = false;          // the latest open()'s read is out
    State m_state = State::Idle;
};

} // namespace sweepline::gui
