#pragma once

#include "model/trial.h"

#include <QList>
#include <QString>

namespace sweepline::gui {

// The coarse states a researcher filters by: "what is still going on" versus how trials ended.
enum class StateGroup {
    All,
    Active, // planned, submitting, queued, running: everything not finished
    Done,
    Pruned, // stopped by the early-stopping rule
    Failed,
    Cancelled,
};

const QList<StateGroup>& allStateGroups();
bool isInGroup(model::TrialState state, StateGroup group);
QString displayName(StateGroup group); // "All", "Active", ...

} // namespace sweepline::gui
