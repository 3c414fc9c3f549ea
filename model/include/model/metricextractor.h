#pragma once

#include "model/result.h"

#include <QByteArrayView>
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

    // One value in a text, and where its match starts.
    struct Match {
        qsizetype start = 0;
        double value = 0.0;
    };
    // The values in one line of output (its "\r" already a "\n"); only matches that start before
    // startsBefore, when it is not negative.
    QList<Match> matches(const QString& text, qsizetype startsBefore = -1) const;

    // A line longer than this (a progress bar redrawn with \r for hours) is read in pieces. A piece
    // counts the matches that start in all but its last pieceOverlap bytes, and the next piece
    // starts there: a value at the border is read whole, once.
    static constexpr qsizetype maxLineBytes = qsizetype(1) << 20;
    static constexpr qsizetype pieceOverlap = 4096;
    // Where a piece of a long line is cut: pieceOverlap bytes before its end, not inside a UTF-8 sequence.
    static qsizetype pieceSplit(QByteArrayView piece);
    // Output as text with "\r" as a line end too (CRLF output, progress lines redrawn with "\r").
    static QString lineText(QByteArrayView bytes);

    // The same over a file, line by line, never holding more than one line (up to a bound) in
    // memory: a run's stdout may be far larger than memory. Matches never span lines here; the
    // default rule is per line anyway. skipFirstLine drops a line cut at its start (the tail of a
    // truncated download). A file that cannot be read yields a failure naming it.
    Result<QList<double>> extractFromFile(const QString& path, bool skipFirstLine = false) const;

private:
    explicit MetricExtractor(QRegularExpression re) : m_re(std::move(re)) {}
    void appendMatches(const QString& text, QList<double>& values, qsizetype startsBefore = -1) const;
    QRegularExpression m_re;
};

} // namespace sweepline::model
