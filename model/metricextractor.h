#pragma once

#include "model/result.h"

#include <QList>
#include <QRegularExpression>
#include <QString>

namespace sweepline::model {

// Reads a metric from a run's stdout. By default a value is the number after "<metric>" followed by
// ":" or "=" on a line; a custom pattern is a regex with exactly one capture group.
// The last match is the trial's value; all matches, in order, are its learning curve.
class MetricExtractor {
public:
    static Result<MetricExtractor> create(const QString& metric, const QString& pattern = {});

    QList<double> extractAll(QStringView output) const;

private:
    explicit MetricExtractor(QRegularExpression re) : m_re(std::move(re)) {}
    QRegularExpression m_re;
};

} // namespace sweepline::model
