#include "gui/main/engineworker.h"

#include "engine/backendfactory.h"
#include "model/trialstore.h"
#include "remote/clusterbackendmaker.h"

#include <QDir>

using namespace Qt::StringLiterals;

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
    if (m_runner)
        m_runner->detach();
    m_runner.reset();
    m_backend.reset();
    m_store.reset();
    m_lock.reset();
}

void EngineWorker::start(const model::Campaign& campaign, const QString& stateDirectory, bool acceptChangedDefinition,
                         bool acceptNewHostKey, bool monitorOnly)
{
    release();
    if (!QDir().mkpath(stateDirectory)) {
        emit failedToStart(tr("Cannot create the state folder %1.").arg(stateDirectory), false);
        return;
    }
    m_lock = std::make_unique<QLockFile>(QDir(stateDirectory).filePath(u"run.lock"_s));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock()) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        m_lock.reset();
        emit failedToStart(
            tr("Another run (%1, pid %2 on %3) is using %4.").arg(app).arg(pid).arg(host, stateDirectory), false);
        return;
    }
    auto store = model::TrialStore::open(stateDirectory, campaign,
                                         acceptChangedDefinition ? model::TrialStore::DefinitionPolicy::AcceptChanged
                                                                 : model::TrialStore::DefinitionPolicy::RequireSame);
    if (!store) {
        m_lock.reset();
        emit failedToStart(store.error(), store.error().contains(u"--accept-changed-definition"_s));
        return;
    }
    m_store = std::move(store).value();
    auto backend = engine::makeBackend(campaign, remote::clusterBackendMaker(m_prompter), {acceptNewHostKey});
    if (!backend) {
        release();
        emit failedToStart(backend.error(), false);
        return;
    }
    m_backend = std::move(backend).value();
    connect(m_backend.get(), &engine::JobBackend::connectionChanged, this, &EngineWorker::connectionChanged);
    connect(m_backend.get(), &engine::JobBackend::submissionsPaused, this, &EngineWorker::submissionsPaused);
    m_runner = std::make_unique<engine::CampaignRunner>(campaign, *m_store, *m_backend, stateDirectory);
    connect(m_runner.get(), &engine::CampaignRunner::trialChanged, this, &EngineWorker::trialChanged);
    connect(m_runner.get(), &engine::CampaignRunner::finished, this, [this](const engine::RunSummary& summary) {
        emit finished(summary);
        // The store and its lock go once the runner is out of its own signal.
        QMetaObject::invokeMethod(this, &EngineWorker::release, Qt::QueuedConnection);
    });
    if (monitorOnly) {
        // Before start(): start() collects jobs that ended meanwhile, and each one collected would
        // otherwise free a slot that is filled at once.
        m_runner->setSubmissionsEnabled(false);
        m_runner->pauseSubmitting();
    }
    // Announced first: start() may already finish the run (every job it collects has ended and
    // nothing is left to submit), and `finished` must come after `started`, never before.
    emit started(!monitorOnly);
    if (auto ok = m_runner->start(); !ok) {
        release();
        emit failedToStart(ok.error(), false);
    }
}

void EngineWorker::pauseSubmissions()
{
    if (m_runner)
        m_runner->pauseSubmitting();
}

void EngineWorker::resumeSubmissions()
{
    if (m_runner)
        m_runner->resumeSubmitting();
}

void EngineWorker::cancelTrial(qint64 trialId)
{
    if (m_runner)
        m_runner->cancelTrial(trialId);
}

void EngineWorker::cancelAll()
{
    if (m_runner)
        m_runner->cancelAll();
}

void EngineWorker::detach()
{
    release();
}

} // namespace sweepline::gui
