#pragma once

#include "model/campaign.h"

#include <QList>

namespace sweepline::gui {

// Whether two parameters are defined alike (name, type, values or range, default); the expanded
// candidates are derived and not compared.
bool sameDefinition(const model::Parameter& a, const model::Parameter& b);

// Fills candidates and defaultIndex the way the validator expands them, from the parameter alone
// (so one broken row does not hide the others' counts). Both are cleared when the parameter is
// invalid on its own.
void expandCandidates(model::Parameter& parameter);

// A type change keeps what still means something: values and bounds that convert, a float range
// gains the step an int range had implicitly; a range becomes a list for a choice.
model::Parameter withType(const model::Parameter& parameter, model::ParameterType type);

// Switching between a list of values and a range, starting from what the other form gives.
model::Parameter asRange(const model::Parameter& parameter);
model::Parameter asList(const model::Parameter& parameter);

// Turning "log" on replaces a step with a count, since a log range is always given by a count.
model::Parameter withLog(const model::Parameter& parameter, bool log);

} // namespace sweepline::gui
