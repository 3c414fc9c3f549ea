#include "gui/campaign/parameteredit.h"

#include "gui/campaign/valuelist.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

using model::Parameter;
using model::ParameterRange;
using model::ParameterType;

namespace {

bool sameRange(const std::optional<ParameterRange>& a, const std::optional<ParameterRange>& b)
{
    if (a.has_value() != b.has_value())
        return false;
    if (!a)
        return true;
    return a->min == b->min && a->max == b->max && a->step == b->step && a->count == b->count && a->log == b->log;
}

// A value converted to another type, or an invalid QVariant when it has no meaning there.
QVariant convertValue(const QVariant& value, ParameterType to)
{
    if (!value.isValid())
        return {};
    if (to == ParameterType::Choice)
        return QVariant(model::Campaign::formatValue(value));
    if (value.typeId() == QMetaType::QString) {
        auto parsed = parseValue(value.toString(), to);
        return parsed ? parsed.value() : QVariant();
    }
    const double number = value.toDouble();
    if (to == ParameterType::Float)
        return QVariant(number);
    constexpr double kMaxExact = 9007199254740992.0; // 2^53: what an int range can hold exactly
    if (number != std::floor(number) || std::fabs(number) > kMaxExact)
        return {};
    return QVariant::fromValue(qint64(number));
}

QVariantList convertValues(const QVariantList& values, ParameterType to)
{
    QVariantList converted;
    for (const QVariant& value : values) {
        const QVariant c = convertValue(value, to);
        if (c.isValid() && !converted.contains(c))
            converted.append(c);
    }
    return converted;
}

} // namespace

bool sameDefinition(const Parameter& a, const Parameter& b)
{
    return a.name == b.name && a.type == b.type && a.listedValues == b.listedValues && sameRange(a.range, b.range)
        && a.defaultValue == b.defaultValue && a.defaultValue.typeId() == b.defaultValue.typeId();
}

void expandCandidates(Parameter& parameter)
{
    // The validator is the one authority on candidates: ask it about a campaign of this one row.
    model::Campaign probe = model::minimalValidCampaign();
    Parameter row = parameter;
    row.name = u"p"_s;
    probe.parameters = {row};
    const model::ParseOutcome outcome = model::parseCampaign(model::toJson(probe));
    if (outcome.campaign) {
        parameter.candidates = outcome.campaign->parameters.first().candidates;
        parameter.defaultIndex = outcome.campaign->parameters.first().defaultIndex;
    } else {
        parameter.candidates.clear();
        parameter.defaultIndex.reset();
    }
}

Parameter withType(const Parameter& parameter, ParameterType type)
{
    if (parameter.type == type)
        return parameter;
    Parameter p = parameter;
    p.type = type;
    p.defaultValue = convertValue(parameter.defaultValue, type);
    if (parameter.range && type == ParameterType::Choice) {
        p.range.reset();
        p.listedValues = convertValues(parameter.candidates, type);
    } else if (parameter.range) {
        ParameterRange& range = *p.range;
        if (type == ParameterType::Int) {
            range.min = std::ceil(range.min);
            range.max = std::floor(range.max);
            if (range.step)
                range.step = std::max(1.0, std::round(*range.step));
        } else if (!range.step && !range.count) {
            range.step = 1.0; // what the int range meant without saying
        }
    } else {
        p.listedValues = convertValues(parameter.listedValues, type);
    }
    expandCandidates(p);
    return p;
}

Parameter asRange(const Parameter& parameter)
{
    if (parameter.range || parameter.type == ParameterType::Choice)
        return parameter;
    Parameter p = parameter;
    ParameterRange range;
    QList<double> numbers;
    for (const QVariant& value : parameter.listedValues)
        numbers.append(value.toDouble());
    std::sort(numbers.begin(), numbers.end());
    if (numbers.size() >= 2 && numbers.first() < numbers.last()) {
        range.min = numbers.first();
        range.max = numbers.last();
    } else {
        range.min = numbers.isEmpty() ? 0 : numbers.first();
        range.max = range.min + (parameter.type == ParameterType::Int ? 10 : 1);
    }
    if (parameter.type == ParameterType::Int)
        range.step = 1;
    else
        range.count = int(std::max<qsizetype>(numbers.size(), 5));
    p.range = range;
    p.listedValues.clear();
    expandCandidates(p);
    return p;
}

Parameter asList(const Parameter& parameter)
{
    if (!parameter.range)
        return parameter;
    Parameter p = parameter;
    p.listedValues = parameter.candidates; // empty when the range was broken: the validator says so
    p.range.reset();
    expandCandidates(p);
    return p;
}

Parameter withLog(const Parameter& parameter, bool log)
{
    Parameter p = parameter;
    if (!p.range || p.range->log == log)
        return p;
    p.range->log = log;
    if (log && p.range->step) {
        p.range->count = int(std::max<qsizetype>(parameter.candidates.size(), 2));
        p.range->step.reset();
    }
    expandCandidates(p);
    return p;
}

} // namespace sweepline::gui
