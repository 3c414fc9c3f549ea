#include "model/metricextractor.h"

#include <QFile>

#include <limits>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

// A number as programs print it; nan and inf are accepted so the caller can decide what they mean.
const QString numberPattern =
    u"([-+]?(?:(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|(?i:nan|infinity|inf)\\b))"_s;

// Locale-independent, and explicit about nan/inf so we do not depend on what toDouble() accepts.
std::optional<double> toNumber(QStringView text)
{
    text = text.trimmed();
    double sign = 1.0;
    QStringView body = text;
    if (body.startsWith(u'-') || body.startsWith(u'+')) {
        sign = body.startsWith(u'-') ? -1.0 : 1.0;
        body = body.mid(1);
    }
    if (body.compare(u"nan", Qt::CaseInsensitive) == 0)
        return std::numeric_limits<double>::quiet_NaN();
    if (body.compare(u"inf", Qt::CaseInsensitive) == 0 || body.compare(u"infinity", Qt::CaseInsensitive) == 0)
        return sign * std::numeric_limits<double>::infinity();
    bool ok = false;
    const double value = text.toDouble(&ok); // QStringView::toDouble uses the C locale
    if (!ok)
        return std::nullopt;
    return value;
}

} // namespace

Result<MetricExtractor> MetricExtractor::create(const QString& metric, const QString& pattern)
{
    // Multiline so ^ and $ work per line of the output; Unicode so \w means what a user expects.
    const auto options = QRegularExpression::MultilineOption | QRegularExpression::UseUnicodePropertiesOption;

    if (!pattern.isEmpty()) {
        QRegularExpression re(pattern, options);
        if (!re.isValid()) {
            return Result<MetricExtractor>::failure(
                u"metric pattern \"%1\" is not a valid regular expression: %2 at offset %3"_s
                    .arg(pattern, re.errorString())
                    .arg(re.patternErrorOffset()));
        }
        if (re.captureCount() != 1) {
            return Result<MetricExtractor>::failure(
                u"metric pattern \"%1\" must have exactly one capture group, it has %2"_s.arg(pattern).arg(
                    re.captureCount()));
        }
        return MetricExtractor(std::move(re));
    }

    if (metric.isEmpty())
        return Result<MetricExtractor>::failure(u"metric name is empty"_s);

    // Not preceded by a word character or '.', so "val_loss" and "train.loss" are not "loss".
    const QString text =
        u"(?<![\\w.])"_s + QRegularExpression::escape(metric) + u"[ \\t]*[:=][ \\t]*"_s + numberPattern;
    QRegularExpression re(text, options);
    if (!re.isValid()) {
        return Result<MetricExtractor>::failure(
            u"cannot build a pattern for metric \"%1\": %2"_s.arg(metric, re.errorString()));
    }
    return MetricExtractor(std::move(re));
}

namespace {

// Treat CR as a line end too: CRLF output and progress lines redrawn with "\r". One character for
// one, so positions in the text stay those of the output.
QString normalisedText(QString text)
{
    text.replace(u'\r', u'\n');
    return text;
}

} // namespace

QString MetricExtractor::lineText(QByteArrayView bytes)
{
    return normalisedText(QString::fromUtf8(bytes));
}

qsizetype MetricExtractor::pieceSplit(QByteArrayView piece)
{
    qsizetype split = piece.size() - pieceOverlap;
    while (split > 0 && (uchar(piece.at(split)) & 0xC0) == 0x80)
        --split; // not inside a UTF-8 sequence
    return split;
}

QList<double> MetricExtractor::extractAll(QStringView output) const
{
    const QString text = normalisedText(output.toString());

    QList<double> values;
    appendMatches(text, values);
    return values;
}

QList<MetricExtractor::Match> MetricExtractor::matches(const QString& text, qsizetype startsBefore) const
{
    QList<Match> found;
    auto it = m_re.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        if (startsBefore >= 0 && match.capturedStart(0) >= startsBefore)
            break;
        if (const auto value = toNumber(match.capturedView(1)))
            found.append({match.capturedStart(0), *value});
    }
    return found;
}

void MetricExtractor::appendMatches(const QString& text, QList<double>& values, qsizetype startsBefore) const
{
    for (const Match& match : matches(text, startsBefore))
        values.append(match.value);
}

Result<QList<double>> MetricExtractor::extractFromFile(const QString& path, bool skipFirstLine) const
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QList<double>>::failure(u"cannot read %1: %2"_s.arg(path, f.errorString()));
    constexpr qint64 kMaxLine = maxLineBytes;
    QList<double> values;
    bool first = true;
    while (!f.atEnd()) {
        QByteArray line = f.readLine(kMaxLine);
        if (line.isEmpty() && !f.atEnd())
            return Result<QList<double>>::failure(u"cannot read %1: %2"_s.arg(path, f.errorString()));
        const bool whole = line.endsWith('\n') || f.atEnd();
        if (std::exchange(first, false) && skipFirstLine) {
            while (!line.endsWith('\n') && !f.atEnd())
                line = f.readLine(kMaxLine);
            continue;
        }
        if (!whole) {
            const qsizetype split = pieceSplit(line);
            appendMatches(lineText(line), values, lineText(QByteArrayView(line).first(split)).size());
            f.seek(f.pos() - (line.size() - split));
            continue;
        }
        appendMatches(lineText(line), values);
    }
    return values;
}

} // namespace sweepline::model
