#pragma once

#include "model/trial.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace sweepline::gui {

// Durations of a trial as the jobs monitor shows them: those of a trial still waiting or running
// grow with `now` (an invalid `now` gives only the durations that are already over).
std::optional<double> queuedSeconds(const model::TrialRecord& trial, const QDateTime& now);
std::optional<double> elapsedSeconds(const model::TrialRecord& trial, const QDateTime& now);

// "0:00:42", "1:02:03", "2 d 03:04:05": one format for the whole column, as queue and run times
// on a supercomputer range from seconds to days.
QString formatDuration(double seconds);

} // namespace sweepline::gui
