#include "model/curvereader.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

bool isLineEnd(char c)
{
    return c == '\n' || c == '\r';
}

struct StepMatch {
    qsizetype start = 0;
    int step = 0;
};

QList<StepMatch> stepMatches(const QRegularExpression& pattern, const QString& text, qsizetype startsBefore)
{
    QList<StepMatch> found;
    auto it = pattern.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        if (startsBefore >= 0 && match.capturedStart(0) >= startsBefore)
            break;
        bool ok = false;
        const int step = match.capturedView(1).trimmed().toInt(&ok);
        if (ok) // not a whole number (or too large): not a step
            found.append({match.capturedStart(0), step});
    }
    return found;
}

} // namespace

Result<CurveReader> CurveReader::create(const Objective& objective)
{
    auto metric = MetricExtractor::create(objective.metric, objective.pattern);
    if (!metric)
        return Result<CurveReader>::failure(ErrorCode::InvalidInput, metric.error());
    if (objective.stepPattern.isEmpty())
        return CurveReader(std::move(metric).value(), std::nullopt);
    // The metric's options: ^ and $ per line, \w as a user expects.
    QRegularExpression step(objective.stepPattern,
                            QRegularExpression::MultilineOption | QRegularExpression::UseUnicodePropertiesOption);
    if (!step.isValid()) {
        return Result<CurveReader>::failure(ErrorCode::InvalidInput,
                                            u"\"%1\" is not a valid regular expression: %2 at offset %3"_s
                                                .arg(objective.stepPattern, step.errorString())
                                                .arg(step.patternErrorOffset()));
    }
    if (step.captureCount() != 1) {
        return Result<CurveReader>::failure(
            ErrorCode::InvalidInput,
            u"\"%1\" must have exactly one capture group, it has %2"_s.arg(objective.stepPattern)
                .arg(step.captureCount()));
    }
    return CurveReader(std::move(metric).value(), std::move(step));
}

CurveReader::CurveReader(MetricExtractor metric, std::optional<QRegularExpression> stepPattern)
    : m_metric(std::move(metric)),
      m_stepPattern(std::move(stepPattern))
{}

void CurveReader::resumeFrom(const QList<double>& values, const QList<int>& steps, qint64 offset)
{
    m_values = values;
    m_steps.clear();
    for (qsizetype i = 0; i < values.size(); ++i)
        m_steps.append(i < steps.size() ? steps.at(i) : int(i + 1));
    // With a step pattern the steps were printed (a run that has one prints them): the last printed
    // is the last value's. Recorded without steps, none was.
    m_lastPrintedStep.reset();
    if (m_stepPattern && !steps.isEmpty() && !m_steps.isEmpty())
        m_lastPrintedStep = m_steps.last();
    m_consumed = offset;
    m_offset = offset;
    m_pending.clear();
    m_scanned = 0;
}

QList<int> CurveReader::steps() const
{
    return m_stepPattern ? m_steps : QList<int>();
}

QList<CurvePoint> CurveReader::curve() const
{
    QList<CurvePoint> points;
    points.reserve(m_values.size());
    for (qsizetype i = 0; i < m_values.size(); ++i)
        points.append({m_steps.at(i), m_values.at(i)});
    return points;
}

int CurveReader::nextStepWithoutPrint() const
{
    if (m_lastPrintedStep)
        return *m_lastPrintedStep;
    return m_steps.isEmpty() ? 1 : m_steps.last() + 1;
}

// What resumeFrom() makes of the curve is what the reader knows now: a resume may start here.
bool CurveReader::resumableHere() const
{
    if (!m_stepPattern)
        return true;
    if (m_steps.isEmpty())
        return !m_lastPrintedStep;
    return m_lastPrintedStep == m_steps.last();
}

void CurveReader::consumed(qsizetype bytes, bool addedValues)
{
    m_consumed += bytes;
    // A line that added values must be behind the offset (the recorded curve holds them); one
    // without values may be read again, so it stays ahead until the step it printed is a value's.
    if (addedValues || resumableHere())
        m_offset = m_consumed;
}

void CurveReader::read(QByteArrayView bytes, qsizetype startsBeforeByte, QList<CurvePoint>& added)
{
    const QString text = MetricExtractor::lineText(bytes);
    const qsizetype startsBefore =
        startsBeforeByte < 0 ? -1 : MetricExtractor::lineText(bytes.first(startsBeforeByte)).size();
    const QList<MetricExtractor::Match> values = m_metric.matches(text, startsBefore);
    const QList<StepMatch> steps = m_stepPattern ? stepMatches(*m_stepPattern, text, startsBefore) : QList<StepMatch>();
    auto nextStep = steps.cbegin();
    for (const MetricExtractor::Match& value : values) {
        for (; nextStep != steps.cend() && nextStep->start < value.start; ++nextStep)
            m_lastPrintedStep = nextStep->step;
        const int step = m_stepPattern ? nextStepWithoutPrint() : int(m_values.size() + 1);
        m_values.append(value.value);
        m_steps.append(step);
        added.append({step, value.value});
    }
    if (!steps.isEmpty() && nextStep != steps.cend())
        m_lastPrintedStep = steps.last().step; // printed after the line's last value
}

QList<CurvePoint> CurveReader::feed(QByteArrayView bytes)
{
    QList<CurvePoint> added;
    qsizetype start = 0; // of the line being looked at, in m_pending
    while (!bytes.isEmpty()) {
        // Never more than one line (up to the bound) pending: a huge feed is taken a line at a time.
        const qsizetype room = MetricExtractor::maxLineBytes - m_pending.size() + start;
        const qsizetype take = std::min(bytes.size(), std::max<qsizetype>(room, 1));
        m_pending.append(bytes.first(take));
        bytes = bytes.sliced(take);
        while (true) {
            const auto begin = m_pending.cbegin() + std::max(m_scanned, start);
            const auto end = std::find_if(begin, m_pending.cend(), isLineEnd);
            if (end != m_pending.cend()) {
                const qsizetype lineEnd = (end - m_pending.cbegin()) + 1;
                const qsizetype before = added.size();
                read(QByteArrayView(m_pending).sliced(start, lineEnd - start), -1, added);
                consumed(lineEnd - start, added.size() > before);
                start = lineEnd;
                m_scanned = lineEnd;
                continue;
            }
            m_scanned = m_pending.size();
            const QByteArrayView line = QByteArrayView(m_pending).sliced(start);
            if (line.size() < MetricExtractor::maxLineBytes)
                break;
            // An overlong line: its first piece now, the rest with what follows.
            const QByteArrayView piece = line.first(MetricExtractor::maxLineBytes);
            const qsizetype split = MetricExtractor::pieceSplit(piece);
            const qsizetype before = added.size();
            read(piece, split, added);
            consumed(split, added.size() > before);
            start += split;
        }
        m_pending.remove(0, start);
        m_scanned -= start;
        start = 0;
    }
    return added;
}

QList<CurvePoint> CurveReader::finish()
{
    QList<CurvePoint> added;
    if (!m_pending.isEmpty()) {
        read(m_pending, -1, added);
        m_consumed += m_pending.size();
    }
    m_offset = m_consumed; // nothing follows
    m_pending.clear();
    m_scanned = 0;
    return added;
}

} // namespace sweepline::model
