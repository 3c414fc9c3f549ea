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

    // The same over a file, line by line, never holding more than one line (up to a bound) in
    // memory: a run's stdout may be far larger than memory. Matches never span lines here; the
    // default rule is per line anyway. skipFirstLine drops a line cut at its start (the tail of a
    // truncated download). A file that cannot be read yields a failure naming it.
    Result<QList<double>> extractFromFile(const QString& path, bool skipFirstLine = false) const;

private:
    explicit MetricExtractor(QRegularExpression re) : m_re(std::move(re)) {}
    // Only matches that start before startsBefore, when it is not negative.
    void appendMatches(const QString& text, QList<double>& values, qsizetype startsBefore = -1) const;
    QRegularExpression m_re;
};

} // namespace sweepline::model
