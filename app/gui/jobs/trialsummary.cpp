#include "gui/jobs/trialsummary.h"

#include "gui/common/statecolors.h"
#include "model/trialexport.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

int TrialSummary::count(StateGroup group) const
{
    int n = 0;
    for (model::TrialState state : model::allTrialStates()) {
        if (isInGroup(state, group))
            n += count(state);
    }
    return n;
}

TrialSummary TrialSummary::of(const model::Campaign& campaign, const QList<model::TrialRecord>& trials)
{
    TrialSummary summary;
    summary.total = int(trials.size());
    for (const model::TrialRecord& trial : trials)
        ++summary.counts.at(std::size_t(trial.state));
    if (const model::TrialRecord* best = model::bestTrial(campaign, trials)) {
        summary.bestTrial = best->id;
        summary.bestValue = best->value;
    }
    return summary;
}

QString summaryHtml(const TrialSummary& summary, const model::Campaign& campaign)
{
    auto tr = [](const char* text) { return QCoreApplication::translate("TrialSummary", text); };
    if (summary.total == 0)
        return tr("No trials yet");

    QString html = summary.total == 1 ? tr("<b>1</b> trial") : tr("<b>%1</b> trials").arg(summary.total);
    QStringList parts;
    for (model::TrialState state : model::allTrialStates()) {
        const int n = summary.count(state);
        if (n == 0)
            continue;
        parts.append(u"<span style=\"color:%1\">&#9679;</span>&nbsp;%2&nbsp;%3"_s.arg(stateColor(state).name())
                         .arg(n)
                         .arg(model::toString(state)));
    }
    html += u": "_s + parts.join(u" &nbsp; "_s);
    html += u" &nbsp;&nbsp;&mdash;&nbsp;&nbsp; "_s;
    const QString metric = campaign.objective.metric.toHtmlEscaped();
    if (summary.bestTrial != 0 && summary.bestValue) {
        html += tr("Best %1 <b>%2</b> (trial %3)")
                    .arg(metric, QString::number(*summary.bestValue, 'g', 6))
                    .arg(summary.bestTrial);
    } else {
        html += tr("No %1 yet").arg(metric);
    }
    return html;
}

} // namespace sweepline::gui
