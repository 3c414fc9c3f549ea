#pragma once

#include <QList>
#include <QString>

namespace sweepline::gui {

// What the objective would read from a run's output, with the engine's own model::MetricExtractor.
struct MetricTestResult {
    QString error;        // the metric or pattern cannot be used; nothing was extracted
    QList<double> values; // every value in order (the learning curve); the last is the trial's value
    QList<int> steps;     // the step of each value, with a step pattern; empty without one (1..n)
    QList<int> lines;     // 0-based lines of the output that hold a value, for highlighting
};

// With a step pattern the steps are read as a run's curve is, by model::CurveReader.
MetricTestResult testMetric(const QString& metric, const QString& pattern, const QString& output,
                            const QString& stepPattern = {});

// The result as rich text: the values in order (each with its step, when steps were read) with the
// trial's value highlighted, or why none.
QString describeMetricTest(const MetricTestResult& result, const QString& metric, const QString& pattern);

} // namespace sweepline::gui
