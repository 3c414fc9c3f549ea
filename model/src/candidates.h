#pragma once

// Private to sweepline_model: candidate expansion and the value helpers the campaign reader and
// writer share. Not part of the public model API.

#include "model/campaign.h"
#include "model/result.h"

#include <QString>
#include <QVariant>

#include <optional>

namespace sweepline::model::detail {

// "text" in double quotes, for messages.
QString quoted(const QString& text);

// Shortest round-trip digits; positional notation for ordinary magnitudes, like Python's repr.
QString formatDouble(double value);

// Whether two candidates of a parameter are the same: floats within a relative tolerance.
bool sameCandidate(const QVariant& a, const QVariant& b, ParameterType type);

// A candidate as messages show it: choices in quotes, numbers as Campaign::formatValue writes them.
QString describeCandidate(const QVariant& value, ParameterType type);

// "HH:MM:SS", "H:MM:SS", "MM:SS" or "D-HH:MM:SS" in seconds; nullopt when malformed.
std::optional<qint64> parseTimeLimit(const QString& text);

// The ordered candidates of a validated range (min < max, step > 0 or count >= 2, min > 0 for log),
// or a failure when they would be more than the limit.
Result<QVariantList> expandRange(const ParameterRange& range, ParameterType type);

} // namespace sweepline::model::detail
