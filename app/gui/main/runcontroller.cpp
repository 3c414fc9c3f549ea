#include "gui/main/runcontroller.h"

#include "engine/threadstop.h"
#include "gui/main/engineworker.h"
#include "model/trialstore.h"

#include <QThread>

#include <chrono>
#include <optional>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

// Well past ClusterBackend's own deadline for its SSH thread, which an engine that detaches waits on.
constexpr std::chrono::milliseconds kEngineStopDeadline(5000);

} // namespace

struct TrialsRead {
    quint64 generation = 0;
    QList<model::TrialRecord> trials;
    std::optional<model::Error> error;
};

// Reads a campaign's store on the engine thread, one read after another, in order with the engine's
// own requests; the trials come back by a queued signal, so the GUI thread never waits on the disk.
class StoreReader : public QObject {
    Q_OBJECT
public:
    void read(quint64 generation, const QString& stateDirectory)
    {
        TrialsRead result{generation, {}, {}};
        if (model::TrialStore::exists(stateDirectory)) {
            auto store = model::TrialStore::openExisting(stateDirectory);
            auto trials =
                store ? store.value()->trials() : model::Result<QList<model::TrialRecord>>(store.failureInfo());
            if (trials)
                result.trials = std::move(trials).value();
            else
                result.error = trials.failureInfo();
        }
        emit trialsRead(result);
    }

signals:
    void trialsRead(const sweepline::gui::TrialsRead& read);
};

RunController::RunController(remote::ssh::CredentialPrompter& prompter, QObject* parent)
    : QObject(parent),
      m_thread(new QThread(this))
{
    qRegisterMetaType<model::TrialRecord>();
    qRegisterMetaType<model::Campaign>();
    qRegisterMetaType<engine::RunSummary>();
    qRegisterMetaType<TrialsRead>();
    m_engine = new EngineWorker(prompter);
    m_engine->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_reader = new StoreReader;
    m_reader->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_reader, &QObject::deleteLater);
    connect(m_reader, &StoreReader::trialsRead, this, &RunController::showRead);
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
    // Jobs outlive the window, as they outlive a killed CLI: the next start picks them up. The engine
    // commits each state change as it handles it, so everything that reached it before the detach is
    // in the store; the thread ends right after, without the GUI thread blocking on its SSH requests.
    engine::stopThreadWithin(
        m_thread, m_engine, [engine = m_engine] { engine->detach(); }, kEngineStopDeadline,
        "RunController: the engine");
}

void RunController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void RunController::open(const model::Campaign& campaign, const QString& stateDirectory)
{
    m_campaign = campaign;
    m_stateDirectory = stateDirectory;
    m_trials.setCampaign(campaign);
    ++m_opened;
    m_loading = true;
    QMetaObject::invokeMethod(
        m_reader,
        [reader = m_reader, generation = m_opened, stateDirectory] { reader->read(generation, stateDirectory); },
        Qt::QueuedConnection);
}

void RunController::showRead(const TrialsRead& read)
{
    if (read.generation != m_opened)
        return; // another campaign was opened meanwhile
    m_loading = false;
    if (read.error) {
        emit loaded(*read.error);
        return;
    }
    m_trials.setTrials(read.trials);
    emit loaded(model::success());
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

#include "runcontroller.moc"
