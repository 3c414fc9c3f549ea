#pragma once

#include "model/campaign.h"
#include "model/result.h"

#include <QString>
#include <QVariant>

namespace sweepline::gui {

// The text forms of a parameter's values in the table: "8, 16, 32" for a list, "0.001" for one value.
// Values carry the QVariant types of model::Parameter (qint64, double, QString).

// One value of a parameter type from what the user typed (surrounding spaces ignored). Floats must
// be finite (JSON has no NaN); ints must be whole numbers.
model::Result<QVariant> parseValue(const QString& text, model::ParameterType type);

// A comma-separated list. A choice holding a comma, a double quote or surrounding spaces is written
// in double quotes, with "" for a quote inside; "" alone is the empty choice. Empty unquoted items
// are skipped, so a trailing comma does no harm.
model::Result<QVariantList> parseValueList(const QString& text, model::ParameterType type);
QString formatValueList(const QVariantList& values, model::ParameterType type);

// A short preview of many values: "1, 2, 3, …, 700".
QString abbreviatedValueList(const QVariantList& values, int head = 4);

} // namespace sweepline::gui
