#include "gui/common/prunedtrials.h"

#include <cmath>

namespace sweepline::gui {

bool showsStop(const model::TrialRecord& trial)
{
    if (trial.state == model::TrialState::Pruned)
        return true;
    return trial.pruneAt.has_value() && !model::isTerminal(trial.state);
}

qsizetype stopIndex(const model::TrialRecord& trial)
{
    const std::optional<model::CurvePoint> stop = stopPoint(trial);
    if (!stop)
        return -1;
    for (qsizetype i = trial.intermediate.size() - 1; i >= 0; --i) {
        if (trial.stepAt(i) <= stop->step)
            return i;
    }
    return -1;
}

std::optional<model::CurvePoint> stopPoint(const model::TrialRecord& trial)
{
    if (!showsStop(trial))
        return std::nullopt;
    if (trial.pruneAt)
        return trial.pruneAt;
    for (qsizetype i = trial.intermediate.size() - 1; i >= 0; --i) {
        if (std::isfinite(trial.intermediate.at(i)))
            return model::CurvePoint{trial.stepAt(i), trial.intermediate.at(i)};
    }
    return std::nullopt;
}

} // namespace sweepline::gui
