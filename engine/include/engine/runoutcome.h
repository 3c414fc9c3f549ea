#pragma once

#include "engine/jobbackend.h"
#include "model/campaign.h"
#include "model/trial.h"

#include <QList>
#include <QString>

#include <optional>

namespace sweepline::engine {

struct RunOutcome {
    model::TrialState state = model::TrialState::Failed; // Done or Failed
    std::optional<double> value;
    QList<double> intermediate;
    QList<int> steps; // the step of each intermediate value (objective.step_pattern); empty: 1..n
    QString error;
    QString note; // what the value rests on, when it is not the whole output (a truncated stdout)
};

// Judges a finished job: a non-zero exit, a stop by the engine, no metric printed or a metric that
// is not a finite number each fail the trial, with the reason a user can act on. The curve is read
// with model::CurveReader, as while the job ran, with steps when objective.step_pattern is set.
RunOutcome judgeRun(const JobEnd& end, const model::Objective& objective, const QString& stderrPath);

} // namespace sweepline::engine
