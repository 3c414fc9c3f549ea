#pragma once

#include "model/trial.h"

#include <optional>

// Where the early-stopping rule stopped a trial, for every view that marks it.
namespace sweepline::gui {

// Whether the view marks a stop: the trial was pruned, or its stop was asked for and its job has not
// ended yet. A trial that finished before the stop reached it is done, a result like any other.
bool showsStop(const model::TrialRecord& trial);

// The index in intermediate of the point the rule judged (the last one at or before pruneAt's step),
// or -1 when the trial shows no stop or the curve does not reach back that far.
qsizetype stopIndex(const model::TrialRecord& trial);

// The step and value the trial was stopped at: pruneAt, or for a pruned trial recorded without it,
// its last finite value. Never a final value: a pruned trial has none.
std::optional<model::CurvePoint> stopPoint(const model::TrialRecord& trial);

} // namespace sweepline::gui
