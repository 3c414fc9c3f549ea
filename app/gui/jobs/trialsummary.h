#pragma once

#include "gui/jobs/stategroup.h"
#include "model/campaign.h"
#include "model/trial.h"

#include <QList>
#include <QString>

#include <array>
#include <optional>

namespace sweepline::gui {

// How many trials are in each state and which is best so far: the jobs monitor's summary line and
// the counts on its state buttons. One pass over the trials: cheap enough to redo on every change.
struct TrialSummary {
    std::array<int, std::size_t(model::TrialState::Pruned) + 1> counts{}; // indexed by int(model::TrialState)
    int total = 0;
    qint64 bestTrial = 0; // 0: no finished trial with a value yet
    std::optional<double> bestValue;

    int count(model::TrialState state) const { return counts.at(std::size_t(state)); }
    int count(StateGroup group) const;

    static TrialSummary of(const model::Campaign& campaign, const QList<model::TrialRecord>& trials);
    bool operator==(const TrialSummary&) const = default;
};

// "40 trials: ● 3 running ● 2 queued … ● 28 done   Best loss 0.0412 (trial 17)", as rich text with
// each state's colour; states without trials are left out.
QString summaryHtml(const TrialSummary& summary, const model::Campaign& campaign);

} // namespace sweepline::gui
