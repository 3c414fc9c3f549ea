#include "cli/runcommand.h"

#include "cli/campaignloader.h"
#include "cli/console.h"
#include "cli/consoleprompter.h"
#include "cli/signalwatcher.h"
#include "engine/runsession.h"
#include "model/trialexport.h"
#include "remote/clusterbackendmaker.h"

#include <QCoreApplication>

#include <csignal>

using namespace Qt::StringLiterals;

namespace sweepline::cli {

using model::TrialState;

namespace {

// Prints a line as each trial ends, with the best so far.
class ProgressPrinter {
public:
    explicit ProgressPrinter(const model::Campaign& campaign, int alreadyFinished)
        : m_campaign(campaign),
          m_finished(alreadyFinished)
    {}

    void onTrial(const model::TrialRecord& t)
    {
        if (!model::isTerminal(t.state))
            return;
        ++m_finished;
        const bool maximize = m_campaign.objective.direction == model::Direction::Maximize;
        if (t.state == TrialState::Done && t.value
            && (!m_best || (maximize ? *t.value > m_best->second : *t.value < m_best->second)))
            m_best = std::pair{t.id, *t.value};

        const QString head = u"[%1/%2] trial %3 %4"_s.arg(m_finished, 3)
                                 .arg(m_campaign.search.maxTrials)
                                 .arg(t.id)
                                 .arg(model::toString(t.state), -9);
        QString line = head;
        if (t.state == TrialState::Done)
            line += u"%1=%2  "_s.arg(m_campaign.objective.metric, formatMetric(*t.value));
        else if (t.state == TrialState::Pruned && t.pruneAt)
            line = u"[%1/%2] trial %3 pruned at step %4 (%5 %6)  "_s.arg(m_finished, 3)
                       .arg(m_campaign.search.maxTrials)
                       .arg(t.id)
                       .arg(t.pruneAt->step)
                       .arg(m_campaign.objective.metric, formatMetric(t.pruneAt->value));
        line += describeValues(m_campaign, t.values);
        if (const auto s = t.elapsedSeconds())
            line += u"  (%1 s)"_s.arg(*s, 0, 'f', 1);
        if (!t.error.isEmpty())
            line += u"  "_s + t.error;
        if (m_best)
            line += u"  | best: trial %1 %2=%3"_s.arg(m_best->first)
                        .arg(m_campaign.objective.metric, formatMetric(m_best->second));
        printOut(line);
    }

    void seedBest(const model::TrialRecord* best)
    {
        if (best && best->value)
            m_best = std::pair{best->id, *best->value};
    }

private:
    const model::Campaign& m_campaign;
    int m_finished;
    std::optional<std::pair<qint64, double>> m_best;
};

void printFinalReport(const model::Campaign& campaign, model::TrialStore& store)
{
    auto trials = store.trials();
    if (!trials)
        return;
    const QHash<TrialState, int> counts = model::countByState(trials.value());
    QStringList parts;
    for (TrialState s : model::allTrialStates()) {
        if (counts.value(s))
            parts.append(u"%1 %2"_s.arg(counts.value(s)).arg(model::toString(s)));
    }
    printOut(u"trials: "_s + parts.join(u", "_s));
    if (const model::TrialRecord* best = model::bestTrial(campaign, trials.value())) {
        printOut(u"best: trial %1 %2=%3 %4"_s.arg(best->id).arg(campaign.objective.metric, formatMetric(*best->value),
                                                                describeValues(campaign, best->values)));
    } else {
        printOut(u"best: none yet (no trial finished with a value)"_s);
    }
}

} // namespace

int runCampaign(const RunOptions& options)
{
    const auto campaign = loadCampaign(options.campaignPath);
    if (!campaign)
        return ExitInvalidInput;
    const QString stateDir = stateDirectoryFor(options.campaignPath, options.storeDirectory);
    ConsolePrompter prompter(options.acceptNewHostKey);
    engine::RunSessionOptions sessionOptions;
    sessionOptions.definition = options.acceptChangedDefinition ? model::TrialStore::DefinitionPolicy::AcceptChanged
                                                                : model::TrialStore::DefinitionPolicy::RequireSame;
    sessionOptions.backend.acceptNewHostKey = options.acceptNewHostKey;
    auto session = engine::RunSession::open(*campaign, stateDir, remote::clusterBackendMaker(prompter), sessionOptions);
    if (!session) {
        printErr(session.error());
        return exitCodeFor(session.errorCode());
    }
    model::TrialStore& store = session.value()->store();
    engine::JobBackend& backend = session.value()->backend();
    engine::CampaignRunner& runner = session.value()->runner();

    int finishedBefore = 0;
    const model::TrialRecord* bestBefore = nullptr;
    auto earlier = store.trials();
    if (earlier) {
        finishedBefore = model::countFinished(earlier.value());
        bestBefore = model::bestTrial(*campaign, earlier.value());
        if (!earlier->isEmpty())
            printOut(u"resuming %1: %2 trials recorded, %3 finished"_s.arg(campaign->name)
                         .arg(earlier->size())
                         .arg(finishedBefore));
    }

    QObject::connect(&backend, &engine::JobBackend::connectionChanged, &backend,
                     [](const QString& state) { printErr(u"connection: "_s + state); });
    QObject::connect(&backend, &engine::JobBackend::submissionsPaused, &backend, [](const QString& reason) {
        printErr(reason.isEmpty() ? u"submissions: going on"_s : u"submissions: "_s + reason);
    });
    ProgressPrinter progress(*campaign, finishedBefore);
    progress.seedBest(bestBefore);
    QObject::connect(&runner, &engine::CampaignRunner::trialChanged, &runner,
                     [&progress](const model::TrialRecord& t) { progress.onTrial(t); });

    engine::RunSummary summary;
    bool interrupted = false;
    QObject::connect(&runner, &engine::CampaignRunner::finished, &runner, [&](const engine::RunSummary& s) {
        summary = s;
        QCoreApplication::exit(0);
    });

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::received, &runner, [&](int sig) {
        interrupted = true;
        if (sig == SIGINT && runner.isSubmitting() && runner.activeCount() > 0) {
            printErr(u"stopping: no new trials; waiting for %1 running (Ctrl-C again to leave them "
                     "running in the background)"_s.arg(runner.activeCount()));
            runner.stopSubmitting();
        } else {
            runner.detach();
        }
    });

    if (auto started = runner.start(); !started) {
        printErr(started.error());
        return ExitRunFailure;
    }
    QCoreApplication::exec();

    printFinalReport(*campaign, store);
    if (!summary.ok) {
        printErr(u"run stopped: %1"_s.arg(summary.error));
        return ExitRunFailure;
    }
    if (summary.stillRunning > 0)
        printErr(
            u"%1 trials are still running in the background; run again to collect them"_s.arg(summary.stillRunning));
    if (interrupted || !summary.complete) {
        printErr(u"interrupted: run \"sweepline-cli run %1\" again to continue"_s.arg(options.campaignPath));
        return ExitRunFailure;
    }
    return ExitDone;
}

} // namespace sweepline::cli
