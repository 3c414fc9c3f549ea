#include "gui/campaign/metrictest.h"

#include "model/campaign.h"
#include "model/curvereader.h"
#include "model/metricextractor.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

constexpr int kShownValues = 12;

QString number(double value)
{
    return model::Campaign::formatValue(QVariant(value)).toHtmlEscaped();
}

} // namespace

MetricTestResult testMetric(const QString& metric, const QString& pattern, const QString& output,
                            const QString& stepPattern)
{
    MetricTestResult result;
    const auto extractor = model::MetricExtractor::create(metric, pattern);
    if (!extractor) {
        result.error = extractor.error();
        return result;
    }
    result.values = extractor->extractAll(output);
    if (!stepPattern.isEmpty()) {
        auto reader = model::CurveReader::create(model::Objective{metric, {}, pattern, stepPattern});
        if (!reader) {
            result.error = reader.error();
            result.values.clear();
            return result;
        }
        reader->feed(output.toUtf8());
        reader->finish();
        result.values = reader->values();
        result.steps = reader->steps();
    }
    // Lines are found one by one, as the default rule reads them; the values above are the whole
    // output's, exactly what a trial records.
    QString text = output;
    text.replace(u"\r\n"_s, u"\n"_s);
    text.replace(u'\r', u'\n');
    const QStringList lines = text.split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (!extractor->extractAll(lines.at(i)).isEmpty())
            result.lines.append(i);
    }
    return result;
}

QString describeMetricTest(const MetricTestResult& result, const QString& metric, const QString& pattern)
{
    if (!result.error.isEmpty())
        return u"<span style=\"color:#b71c1c\">%1</span>"_s.arg(result.error.toHtmlEscaped());
    if (result.values.isEmpty()) {
        const QString rule = pattern.isEmpty()
            ? u"a number after <code>%1:</code> or <code>%1=</code> on a line"_s.arg(metric.toHtmlEscaped())
            : u"a match of the pattern"_s;
        return u"No value found: the output holds no %1. The trial would fail."_s.arg(rule);
    }
    QStringList shown;
    const qsizetype first = std::max<qsizetype>(0, result.values.size() - kShownValues);
    if (first > 0)
        shown.append(u"… %1 earlier"_s.arg(first));
    // "step 3: 0.41" when steps were read, else the value alone.
    auto entry = [&](qsizetype i, const QString& value) {
        return i < result.steps.size() ? u"step %1: %2"_s.arg(result.steps.at(i)).arg(value) : value;
    };
    for (qsizetype i = first; i + 1 < result.values.size(); ++i)
        shown.append(entry(i, number(result.values.at(i))));
    const qsizetype last = result.values.size() - 1;
    shown.append(
        entry(last, u"<span style=\"background-color:#ffe082\"><b>%1</b></span>"_s.arg(number(result.values.last()))));
    const QString count = result.values.size() == 1 ? u"1 value"_s : u"%1 values"_s.arg(result.values.size());
    return u"%1: %2 &nbsp;← the trial's value is the last"_s.arg(count, shown.join(u", "_s));
}

} // namespace sweepline::gui
