#pragma once

#include "model/trial.h"

#include <QColor>

namespace sweepline::gui {

// One colour per trial state, used by the jobs monitor, the timeline and the legends alike.
QColor stateColor(model::TrialState state);

} // namespace sweepline::gui
