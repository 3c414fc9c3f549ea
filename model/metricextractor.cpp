#include "model/metricextractor.h"

#include <limits>

namespace sweepline::model {

namespace {

// A number as programs print it; nan and inf are accepted so the caller can decide what they mean.
const QString numberPattern = QStringLiteral(
    "([-+]?(?:(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|(?i:nan|infinity|inf)\\b))");

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
                QStringLiteral("metric pattern \"%1\" is not a valid regular expression: %2 at offset %3")
                    .arg(pattern, re.errorString())
                    .arg(re.patternErrorOffset()));
        }
        if (re.captureCount() != 1) {
            return Result<MetricExtractor>::failure(
                QStringLiteral("metric pattern \"%1\" must have exactly one capture group, it has %2")
                    .arg(pattern)
                    .arg(re.captureCount()));
        }
        return MetricExtractor(std::move(re));
    }

    if (metric.isEmpty())
        return Result<MetricExtractor>::failure(QStringLiteral("metric name is empty"));

    // Not preceded by a word character or '.', so "val_loss" and "train.loss" are not "loss".
    const QString text = QStringLiteral("(?<![\\w.])") + QRegularExpression::escape(metric)
        + QStringLiteral("[ \\t]*[:=][ \\t]*") + numberPattern;
    QRegularExpression re(text, options);
    if (!re.isValid()) {
        return Result<MetricExtractor>::failure(
            QStringLiteral("cannot build a pattern for metric \"%1\": %2").arg(metric, re.errorString()));
    }
    return MetricExtractor(std::move(re));
}

QList<double> MetricExtractor::extractAll(QStringView output) const
{
    // Treat CR as a line end too: CRLF output and progress lines redrawn with "\r".
    QString text = output.toString();
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(u'\r', u'\n');

    QList<double> values;
    auto it = m_re.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        if (const auto value = toNumber(match.capturedView(1)))
            values.append(*value);
    }
    return values;
}

} // namespace sweepline::model
