#include "gui/main/runcontroller.h"

#include "gui/main/engineworker.h"
#include "model/trialstore.h"

#include <QFileInfo>
#include <QThread>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

RunController::RunController(remote::ssh::CredentialPrompter& prompter, QObject* parent)
    : QObject(parent),
      m_thread(new QThread(this))
{
    qRegisterMetaType<model::TrialRecord>();
    qRegisterMetaType<model::Campaign>();
    qRegisterMetaType<engine::RunSummary>();
    m_engine = new EngineWorker(prompter);
    m_engine->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    connect(m_engine, &EngineWorker::trialChanged, this, [this](const model::TrialRecord& t) { m_trials.upsert(t); });
    connect(m_engine, &EngineWorker::connectionChanged, this, &RunController::connectionChanged);
    connect(m_engine, &EngineWorker::submissionsPaused, this, &RunController::submissionsPaused);
    connect(m_engine, &EngineWorker::started, this,
            [this](bool submitting) { setState(submitting ? State::Running : State::Paused); });
    connect(m_engine, &EngineWorker::failedToStart, this, [this](const QString& message, bool definitionChanged) {
        setState(State::Idle);
        emit failedToStart(message, definitionChanged);
    });
    connect(m_engine, &EngineWorker::finished, this, [this](const engine::RunSummary& summary) {
        setState(State::Idle);
        emit finished(summary);
    });
    m_thread->setObjectName(u"engine"_s);
    m_thread->start();
}

RunController::~RunController()
{
    // Jobs outlive the window, as they outlive a killed CLI: the next start picks them up.
    QMetaObject::invokeMethod(m_engine, &EngineWorker::detach, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void RunController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

model::Status RunController::open(const model::Campaign& campaign, const QString& stateDirectory)
{
    m_campaign = campaign;
    m_stateDirectory = stateDirectory;
    m_trials.setCampaign(campaign);
    if (!QFileInfo::exists(stateDirectory + u"/trials.db"_s))
        return model::success();
    auto store = model::TrialStore::openExisting(stateDirectory);
    if (!store)
        return model::Status::failure(store.error());
    auto trials = store.value()->trials();
    if (!trials)
        return model::Status::failure(trials.error());
    m_trials.setTrials(trials.value());
    return model::success();
}

bool RunController::hasUnfinishedTrials() const
{
    for (const model::TrialRecord& t : m_trials.trials()) {
        if (!model::isTerminal(t.state) && t.state != model::TrialState::Planned)
            return true;
    }
    return false;
}

void RunController::launch(const model::Campaign& campaign, bool acceptChangedDefinition, bool acceptNewHostKey,
                           bool monitorOnly)
{
    if (m_state != State::Idle)
        return;
    m_campaign = campaign;
    setState(State::Starting);
    QMetaObject::invokeMethod(
        m_engine,
        [engine = m_engine, campaign, dir = m_stateDirectory, acceptChangedDefinition, acceptNewHostKey, monitorOnly] {
            engine->start(campaign, dir, acceptChangedDefinition, acceptNewHostKey, monitorOnly);
        });
}

void RunController::start(const model::Campaign& campaign, bool acceptChangedDefinition, bool acceptNewHostKey)
{
    if (m_state == State::Paused) {
        resume();
        return;
    }
    launch(campaign, acceptChangedDefinition, acceptNewHostKey, false);
}

void RunController::monitor()
{
    launch(m_campaign, false, false, true);
}

void RunController::pause()
{
    if (m_state != State::Running)
        return;
    QMetaObject::invokeMethod(m_engine, &EngineWorker::pauseSubmissions);
    setState(State::Paused);
}

void RunController::resume()
{
    if (m_state != State::Paused)
        return;
    QMetaObject::invokeMethod(m_engine, &EngineWorker::resumeSubmissions);
    setState(State::Running);
}

void RunController::cancelTrial(qint64 trialId)
{
    QMetaObject::invokeMethod(m_engine, [engine = m_engine, trialId] { engine->cancelTrial(trialId); });
}

void RunController::cancelAll()
{
    QMetaObject::invokeMethod(m_engine, &EngineWorker::cancelAll);
    setState(State::Stopping);
}

void RunController::detach()
{
    QMetaObject::invokeMethod(m_engine, &EngineWorker::detach);
    setState(State::Idle);
}

} // namespace sweepline::gui
