#pragma once

#include "engine/campaignrunner.h"
#include "engine/runsession.h"
#include "model/campaign.h"
#include "model/trial.h"
#include "remote/ssh/credentialprompter.h"

#include <QObject>

#include <memory>

namespace sweepline::gui {

// The engine of one run, living on its own thread: its own engine::RunSession (lock, store
// connection, backend, campaign runner). Every slot returns at once; results come back as queued signals, so the GUI
// thread never waits on the disk or the network.
class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker(remote::ssh::CredentialPrompter& prompter, QObject* parent = nullptr);
    ~EngineWorker() override;

public slots:
    // monitorOnly: watch the jobs of an earlier run, submit nothing until resumeSubmissions().
    void start(const sweepline::model::Campaign& campaign, const QString& stateDirectory, bool acceptChangedDefinition,
               bool acceptNewHostKey, bool monitorOnly);
    void pauseSubmissions();
    void resumeSubmissions();
    void cancelTrial(qint64 trialId);
    void cancelAll();
    void detach(); // leave the jobs running and stop, as the CLI does on SIGTERM

signals:
    void started(bool submitting);
    void trialChanged(const sweepline::model::TrialRecord& trial);
    void connectionChanged(const QString& description);
    void submissionsPaused(const QString& reason); // empty: submitting again
    // definitionChanged: the store holds another definition (ErrorCode::DefinitionChanged); starting
    // again with acceptChangedDefinition goes on with the new one.
    void failedToStart(const QString& message, bool definitionChanged);
    void finished(const sweepline::engine::RunSummary& summary);

private:
    void release();

    remote::ssh::CredentialPrompter& m_prompter;
    std::unique_ptr<engine::RunSession> m_session;
};

} // namespace sweepline::gui
