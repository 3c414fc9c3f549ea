#include "model/trialexport.h"

#include <nlohmann/json.hpp>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

using ordered_json = nlohmann::ordered_json;

QString csvField(const QString& text)
{
    static const QString special = u",\"\r\n"_s;
    bool needsQuotes = false;
    for (QChar c : text) {
        if (special.contains(c)) {
            needsQuotes = true;
            break;
        }
    }
    if (!needsQuotes)
        return text;
    QString quoted = text;
    quoted.replace(u'"', u"\"\""_s);
    return u'"' + quoted + u'"';
}

QString timestamp(const QDateTime& at)
{
    return at.isValid() ? at.toUTC().toString(Qt::ISODateWithMs) : QString();
}

// The metric as a plain number; "nan"/"inf" spelled out so the row stays honest.
QString metricText(const std::optional<double>& value)
{
    if (!value)
        return {};
    if (std::isnan(*value))
        return u"nan"_s;
    if (std::isinf(*value))
        return *value > 0 ? u"inf"_s : u"-inf"_s;
    return QString::number(*value, 'g', QLocale::FloatingPointShortest);
}

// A pruned trial has no final value, whatever a store may hold: its curve stopped short.
std::optional<double> finalValue(const TrialRecord& trial)
{
    return trial.state == TrialState::Pruned ? std::nullopt : trial.value;
}

// Where the early-stopping rule stopped it; a stop still pending is not a stop yet.
std::optional<CurvePoint> stopPoint(const TrialRecord& trial)
{
    return trial.state == TrialState::Pruned ? trial.pruneAt : std::nullopt;
}

bool countedSteps(const TrialRecord& trial)
{
    for (qsizetype i = 0; i < trial.steps.size(); ++i) {
        if (trial.steps.at(i) != i + 1)
            return false;
    }
    return true;
}

QStringList csvRow(const Campaign& campaign, const TrialRecord& trial)
{
    QStringList row{QString::number(trial.id), toString(trial.state)};
    // A trial from before a definition change may have fewer values: those cells stay empty.
    for (qsizetype i = 0; i < campaign.parameters.size(); ++i)
        row.append(i < trial.values.size() ? Campaign::formatValue(trial.values.at(i)) : QString());
    const auto elapsed = trial.elapsedSeconds();
    const auto stop = stopPoint(trial);
    row << metricText(finalValue(trial)) << trial.jobId << timestamp(trial.submittedAt) << timestamp(trial.startedAt)
        << timestamp(trial.finishedAt) << (elapsed ? QString::number(*elapsed, 'f', 3) : QString())
        << QString::number(trial.labels.stage) << QString::number(trial.labels.batch) << trial.error << trial.note
        << (stop ? QString::number(stop->step) : QString()) << (stop ? metricText(stop->value) : QString());
    return row;
}

QByteArray csvLine(const QStringList& fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString& field : fields)
        quoted.append(csvField(field));
    return quoted.join(u',').toUtf8() + "\r\n";
}

std::string utf8(const QString& text)
{
    return text.toStdString();
}

ordered_json nullOr(const QString& text)
{
    return text.isEmpty() ? ordered_json(nullptr) : ordered_json(utf8(text));
}

// NaN and the infinities have no JSON spelling: they become null.
ordered_json number(double value)
{
    return std::isfinite(value) ? ordered_json(value) : ordered_json(nullptr);
}

ordered_json typedValue(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::Long:
        return ordered_json(value.toLongLong());
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::ULong:
        return ordered_json(value.toULongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return number(value.toDouble());
    case QMetaType::Bool:
        return ordered_json(value.toBool());
    default:
        return value.isValid() ? ordered_json(utf8(value.toString())) : ordered_json(nullptr);
    }
}

ordered_json timestampJson(const QDateTime& at)
{
    return nullOr(timestamp(at));
}

ordered_json trialJson(const Campaign& campaign, const TrialRecord& trial)
{
    ordered_json parameters = ordered_json::object();
    for (qsizetype i = 0; i < campaign.parameters.size(); ++i) {
        parameters[utf8(campaign.parameters.at(i).name)] =
            i < trial.values.size() ? typedValue(trial.values.at(i)) : ordered_json(nullptr);
    }
    ordered_json intermediate = ordered_json::array();
    for (double value : trial.intermediate)
        intermediate.push_back(number(value));
    const auto elapsed = trial.elapsedSeconds();

    ordered_json object = ordered_json::object();
    object["trial"] = trial.id;
    object["state"] = utf8(toString(trial.state));
    object["token"] = utf8(trial.token);
    object["parameters"] = std::move(parameters);
    const auto value = finalValue(trial);
    object["value"] = value ? number(*value) : ordered_json(nullptr);
    object["intermediate"] = std::move(intermediate);
    // Only when the run printed its own steps: otherwise they are 1, 2, ...
    if (!countedSteps(trial)) {
        ordered_json steps = ordered_json::array();
        for (qsizetype i = 0; i < trial.intermediate.size(); ++i)
            steps.push_back(trial.stepAt(i));
        object["steps"] = std::move(steps);
    }
    const auto stop = stopPoint(trial);
    object["pruned"] =
        stop ? ordered_json{{"step", stop->step}, {"value", number(stop->value)}} : ordered_json(nullptr);
    object["job_id"] = nullOr(trial.jobId);
    object["attempt"] = trial.attempt;
    object["submitted_at"] = timestampJson(trial.submittedAt);
    object["started_at"] = timestampJson(trial.startedAt);
    object["finished_at"] = timestampJson(trial.finishedAt);
    object["elapsed_s"] = elapsed ? ordered_json(*elapsed) : ordered_json(nullptr);
    object["stage"] = trial.labels.stage;
    object["direction"] = nullOr(trial.labels.direction);
    object["batch"] = trial.labels.batch;
    object["error"] = nullOr(trial.error);
    object["note"] = nullOr(trial.note);
    return object;
}

} // namespace

QByteArray exportCsv(const Campaign& campaign, const QList<TrialRecord>& trials)
{
    QStringList header{u"trial"_s, u"state"_s};
    for (const Parameter& parameter : campaign.parameters)
        header.append(parameter.name);
    header << campaign.objective.metric << u"job_id"_s << u"submitted_at"_s << u"started_at"_s << u"finished_at"_s
           << u"elapsed_s"_s << u"stage"_s << u"batch"_s << u"error"_s << u"note"_s << u"pruned_step"_s
           << u"pruned_value"_s;

    QByteArray csv = csvLine(header);
    for (const TrialRecord& trial : trials)
        csv += csvLine(csvRow(campaign, trial));
    return csv;
}

QByteArray exportJson(const Campaign& campaign, const QList<TrialRecord>& trials)
{
    ordered_json names = ordered_json::array();
    for (const Parameter& parameter : campaign.parameters)
        names.push_back(utf8(parameter.name));
    ordered_json list = ordered_json::array();
    for (const TrialRecord& trial : trials)
        list.push_back(trialJson(campaign, trial));

    ordered_json document = ordered_json::object();
    document["campaign"] = utf8(campaign.name);
    document["objective"] = {
        {"metric", utf8(campaign.objective.metric)},
        {"direction", campaign.objective.direction == Direction::Maximize ? "maximize" : "minimize"},
    };
    document["parameters"] = std::move(names);
    document["trials"] = std::move(list);
    const std::string text = document.dump(4, ' ', false, ordered_json::error_handler_t::replace) + '\n';
    return QByteArray::fromStdString(text);
}

const TrialRecord* bestTrial(const Campaign& campaign, const QList<TrialRecord>& trials)
{
    const bool maximize = campaign.objective.direction == Direction::Maximize;
    const TrialRecord* best = nullptr;
    for (const TrialRecord& trial : trials) {
        if (trial.state != TrialState::Done || !trial.value || !std::isfinite(*trial.value))
            continue;
        if (!best) {
            best = &trial;
            continue;
        }
        const double value = *trial.value;
        const double current = *best->value;
        const bool better = maximize ? value > current : value < current;
        // Ties go to the lowest id, whatever order the list is in.
        if (better || (value == current && trial.id < best->id))
            best = &trial;
    }
    return best;
}

} // namespace sweepline::model
