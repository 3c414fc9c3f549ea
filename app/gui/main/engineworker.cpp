#include "gui/main/engineworker.h"

#include "remote/clusterbackendmaker.h"

namespace sweepline::gui {

EngineWorker::EngineWorker(remote::ssh::CredentialPrompter& prompter, QObject* parent)
    : QObject(parent),
      m_prompter(prompter)
{}

EngineWorker::~EngineWorker()
{
    release();
}

void EngineWorker::release()
{
    if (m_session)
        m_session->runner().detach();
    m_session.reset();
}

void EngineWorker::start(const model::Campaign& campaign, const QString& stateDirectory, bool acceptChangedDefinition,
                         bool acceptNewHostKey, bool monitorOnly)
{
    release();
    engine::RunSessionOptions options;
    options.definition = acceptChangedDefinition ? model::TrialStore::DefinitionPolicy::AcceptChanged
                                                 : model::TrialStore::DefinitionPolicy::RequireSame;
    options.backend.acceptNewHostKey = acceptNewHostKey;
    auto session = engine::RunSession::open(campaign, stateDirectory, remote::clusterBackendMaker(m_prompter), options);
    if (!session) {
        emit failedToStart(session.error(), session.errorCode() == model::ErrorCode::DefinitionChanged);
        return;
    }
    m_session = std::move(session).value();
    engine::JobBackend& backend = m_session->backend();
    engine::CampaignRunner& runner = m_session->runner();
    connect(&backend, &engine::JobBackend::connectionChanged, this, &EngineWorker::connectionChanged);
    connect(&backend, &engine::JobBackend::submissionsPaused, this, &EngineWorker::submissionsPaused);
    connect(&runner, &engine::CampaignRunner::trialChanged, this, &EngineWorker::trialChanged);
    connect(&runner, &engine::CampaignRunner::finished, this, [this](const engine::RunSummary& summary) {
        emit finished(summary);
        // The session (store and lock) goes once the runner is out of its own signal.
        QMetaObject::invokeMethod(this, &EngineWorker::release, Qt::QueuedConnection);
    });
    if (monitorOnly) {
        // Before start(): start() collects jobs that ended meanwhile, and each one collected would
        // otherwise free a slot that is filled at once.
        runner.setSubmissionsEnabled(false);
        runner.pauseSubmitting();
    }
    // Announced first: start() may already finish the run (every job it collects has ended and
    // nothing is left to submit), and `finished` must come after `started`, never before.
    emit started(!monitorOnly);
    if (auto ok = runner.start(); !ok) {
        release();
        emit failedToStart(ok.error(), false);
    }
}

void EngineWorker::pauseSubmissions()
{
    if (m_session)
        m_session->runner().pauseSubmitting();
}

void EngineWorker::resumeSubmissions()
{
    if (m_session)
        m_session->runner().resumeSubmitting();
}

void EngineWorker::cancelTrial(qint64 trialId)
{
    if (m_session)
        m_session->runner().cancelTrial(trialId);
}

void EngineWorker::cancelAll()
{
    if (m_session)
        m_session->runner().cancelAll();
}

void EngineWorker::detach()
{
    release();
}

} // namespace sweepline::gui
