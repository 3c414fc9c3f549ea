#include "cli/reportcommands.h"

#include "cli/campaignloader.h"
#include "cli/console.h"
#include "model/trialexport.h"

#include <QMap>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace sweepline::cli {

namespace {

bool writeFile(const QString& path, const QByteArray& data)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(data) == data.size() && file.commit())
        return true;
    printErr(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    return false;
}

} // namespace

int validateCampaign(const QString& campaignPath)
{
    const auto campaign = loadCampaign(campaignPath);
    if (!campaign)
        return ExitInvalidInput;
    qint64 points = 1;
    for (const auto& p : campaign->parameters)
        points = p.candidates.isEmpty() || points > (qint64(1) << 50) / p.candidates.size()
            ? -1
            : points * p.candidates.size();
    printOut(u"%1: valid; %2 parameters, %3 points, strategy %4, up to %5 trials, %6 at once"_s.arg(campaignPath)
                 .arg(campaign->parameters.size())
                 .arg(points < 0 ? u"more than 10^15"_s : QString::number(points))
                 .arg(campaign->search.strategy)
                 .arg(campaign->search.maxTrials)
                 .arg(campaign->search.parallel));
    return ExitDone;
}

int showStatus(const QString& campaignPath, const QString& storeDirectory)
{
    if (!loadCampaign(campaignPath))
        return ExitInvalidInput;
    auto opened = openStoreForReading(stateDirectoryFor(campaignPath, storeDirectory));
    if (!opened)
        return ExitRunFailure;
    auto trials = opened->store->trials();
    if (!trials) {
        printErr(trials.error());
        return ExitRunFailure;
    }
    const model::Campaign& campaign = opened->campaign;
    const QHash<model::TrialState, int> counts = model::countByState(trials.value());
    printOut(
        u"campaign %1: %2 of up to %3 trials"_s.arg(campaign.name).arg(trials->size()).arg(campaign.search.maxTrials));
    for (model::TrialState s : model::allTrialStates())
        printOut(u"  %1 %2"_s.arg(model::toString(s), -11).arg(counts.value(s)));
    // Where the early-stopping rule stopped trials (few steps: its rungs), and the stops still landing.
    QMap<int, int> prunedAtStep;
    QStringList stopping;
    for (const auto& t : trials.value()) {
        if (t.state == model::TrialState::Pruned && t.pruneAt)
            ++prunedAtStep[t.pruneAt->step];
        else if (t.pruneAt && !model::isTerminal(t.state))
            stopping.append(u"trial %1 (step %2)"_s.arg(t.id).arg(t.pruneAt->step));
    }
    if (!prunedAtStep.isEmpty()) {
        QStringList parts;
        for (auto it = prunedAtStep.cbegin(); it != prunedAtStep.cend(); ++it)
            parts.append(u"%1 at step %2"_s.arg(it.value()).arg(it.key()));
        printOut(u"pruned: "_s + parts.join(u", "_s));
    }
    if (!stopping.isEmpty())
        printOut(u"stopping: "_s + stopping.join(u", "_s));
    if (const model::TrialRecord* best = model::bestTrial(campaign, trials.value())) {
        printOut(u"best: trial %1 %2=%3 %4"_s.arg(best->id).arg(campaign.objective.metric, formatMetric(*best->value),
                                                                describeValues(campaign, best->values)));
    } else {
        printOut(u"best: none yet"_s);
    }
    // A value that rests on part of its run (a truncated stdout) says so here too.
    for (const auto& t : trials.value()) {
        if (!t.note.isEmpty())
            printOut(u"note: trial %1: %2"_s.arg(t.id).arg(t.note));
    }
    return ExitDone;
}

int exportTrials(const QString& campaignPath, const QString& storeDirectory, const QString& csvPath,
                 const QString& jsonPath)
{
    if (!loadCampaign(campaignPath))
        return ExitInvalidInput;
    auto opened = openStoreForReading(stateDirectoryFor(campaignPath, storeDirectory));
    if (!opened)
        return ExitRunFailure;
    auto trials = opened->store->trials();
    if (!trials) {
        printErr(trials.error());
        return ExitRunFailure;
    }
    if (!csvPath.isEmpty()) {
        if (!writeFile(csvPath, model::exportCsv(opened->campaign, trials.value())))
            return ExitRunFailure;
        printOut(u"wrote %1 trials to %2"_s.arg(trials->size()).arg(csvPath));
    }
    if (!jsonPath.isEmpty()) {
        if (!writeFile(jsonPath, model::exportJson(opened->campaign, trials.value())))
            return ExitRunFailure;
        printOut(u"wrote %1 trials to %2"_s.arg(trials->size()).arg(jsonPath));
    }
    return ExitDone;
}

} // namespace sweepline::cli
