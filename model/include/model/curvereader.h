#pragma once

#include "model/campaign.h"
#include "model/metricextractor.h"
#include "model/result.h"
#include "model/trial.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QRegularExpression>

#include <optional>

namespace sweepline::model {

// Reads a learning curve from a run's stdout as it grows, a piece at a time, whatever the pieces:
// fed the whole output in any cut, it finds the values MetricExtractor::extractAll finds in it at once
// (the same matching rules, "\r" a line end too; a match does not span lines). Memory stays bounded:
// a line over MetricExtractor::maxLineBytes without a line end is read in pieces, as extractFromFile
// reads it.
//
// Steps: with objective.step_pattern, a value's step is the last step number printed before it (on
// an earlier line, or earlier on its own line); a value with no step printed before it has the
// previous value's step + 1 (from 1). Without one, the steps are 1..n.
class CurveReader {
public:
    // Uses the objective's metric, pattern and stepPattern. Fails (InvalidInput) when a pattern is
    // not a regular expression with exactly one capture group.
    static Result<CurveReader> create(const Objective& objective);

    // Goes on after a recorded prefix: values(), steps() and offset() of an earlier reading
    // (TrialRecord's intermediate, steps and curveOffset). The next feed() is the byte at offset.
    // With a step pattern the last step printed is taken to be the last value's; offset() holds back
    // lines that printed a later step without a value, so they are read again. Not exact only when a
    // line prints a step after its last value, or values came before any step was printed.
    void resumeFrom(const QList<double>& values, const QList<int>& steps, qint64 offset);

    // The next bytes of stdout; returns the points the whole lines among them (and the pieces of an
    // overlong line) add, in order. A line still without its end waits for the next feed.
    QList<CurvePoint> feed(QByteArrayView bytes);
    // The stream ended: what is left (a last line without "\n") is read too.
    QList<CurvePoint> finish();

    // Where a resumed reader reads on: the bytes read as whole lines (and pieces of an overlong
    // line), except trailing lines that printed a step but no value yet (see resumeFrom). Every value
    // of values() is in the bytes before it. After finish(), every byte fed.
    qint64 offset() const { return m_offset; }
    const QList<double>& values() const { return m_values; }
    // The step of each value; empty when there is no step pattern (then they are 1..n).
    QList<int> steps() const;
    QList<CurvePoint> curve() const;

private:
    CurveReader(MetricExtractor metric, std::optional<QRegularExpression> stepPattern);
    // One line (its end included) or one piece of a line; only matches starting before startsBefore
    // count, when it is not negative.
    void read(QByteArrayView bytes, qsizetype startsBeforeByte, QList<CurvePoint>& added);
    int nextStepWithoutPrint() const;
    bool resumableHere() const;
    void consumed(qsizetype bytes, bool addedValues);

    MetricExtractor m_metric;
    std::optional<QRegularExpression> m_stepPattern;
    QByteArray m_pending;    // the start of a line whose end has not arrived
    qsizetype m_scanned = 0; // m_pending has no line end before this
    qint64 m_consumed = 0;   // every byte of a whole line or piece read
    qint64 m_offset = 0;
    QList<double> m_values;
    QList<int> m_steps; // always one per value; steps() hides them without a step pattern
    std::optional<int> m_lastPrintedStep;
};

} // namespace sweepline::model
