#include "gui/campaign/campaigndraft.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

using Json = nlohmann::ordered_json;
using model::ParameterType;

const Json* find(const Json& object, const char* key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

void readString(const Json& object, const char* key, QString& target)
{
    if (const Json* value = find(object, key); value && value->is_string())
        target = QString::fromStdString(value->get<std::string>());
}

void readStringList(const Json& object, const char* key, QStringList& target)
{
    const Json* value = find(object, key);
    if (!value || !value->is_array())
        return;
    target.clear();
    for (const Json& element : *value) {
        if (element.is_string())
            target.append(QString::fromStdString(element.get<std::string>()));
    }
}

template<typename T>
void readInteger(const Json& object, const char* key, T& target)
{
    const Json* value = find(object, key);
    if (!value || !value->is_number_integer())
        return;
    const auto number = value->get<std::int64_t>();
    if (number >= std::numeric_limits<T>::min() && number <= std::numeric_limits<T>::max())
        target = T(number);
}

QVariant candidate(const Json& value, ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        return value.is_number_integer() ? QVariant::fromValue(qint64(value.get<std::int64_t>())) : QVariant();
    case ParameterType::Float:
        return value.is_number() ? QVariant(value.get<double>()) : QVariant();
    case ParameterType::Choice:
        return value.is_string() ? QVariant(QString::fromStdString(value.get<std::string>())) : QVariant();
    }
    return {};
}

model::Parameter readParameter(const Json& object)
{
    model::Parameter parameter;
    readString(object, "name", parameter.name);
    QString type;
    readString(object, "type", type);
    parameter.type = type == u"float" ? ParameterType::Float
        : type == u"choice"           ? ParameterType::Choice
                                      : ParameterType::Int;
    if (const Json* range = find(object, "range");
        range && range->is_object() && parameter.type != ParameterType::Choice) {
        model::ParameterRange r;
        if (const Json* min = find(*range, "min"); min && min->is_number())
            r.min = min->get<double>();
        if (const Json* max = find(*range, "max"); max && max->is_number())
            r.max = max->get<double>();
        if (const Json* step = find(*range, "step"); step && step->is_number())
            r.step = step->get<double>();
        if (const Json* count = find(*range, "count"); count && count->is_number_integer())
            r.count = int(std::clamp<std::int64_t>(count->get<std::int64_t>(), 0, std::numeric_limits<int>::max()));
        if (const Json* log = find(*range, "log"); log && log->is_boolean())
            r.log = log->get<bool>();
        parameter.range = r;
    } else if (const Json* values = find(object, "values"); values && values->is_array()) {
        for (const Json& value : *values) {
            if (const QVariant v = candidate(value, parameter.type); v.isValid())
                parameter.listedValues.append(v);
        }
    }
    if (const Json* value = find(object, "default"))
        parameter.defaultValue = candidate(*value, parameter.type);
    return parameter;
}

void readEarlyStopping(const Json& object, model::EarlyStopping& target)
{
    QString rule;
    readString(object, "rule", rule);
    // An unknown rule cannot be held: it reads as none, and the file's own issues name it.
    target.rule = model::earlyStoppingRuleFromKeyword(rule).value_or(model::EarlyStoppingRule::None);
    readInteger(object, "startup_trials", target.startupTrials);
    readInteger(object, "warmup_steps", target.warmupSteps);
    readInteger(object, "min_steps", target.minSteps);
    readInteger(object, "reduction_factor", target.reductionFactor);
    // Kept even when not positive: the validator names it again. Any other type reads as auto.
    if (const Json* maxSteps = find(object, "max_steps"); maxSteps && maxSteps->is_number_integer()) {
        int steps = 0;
        readInteger(object, "max_steps", steps);
        target.maxSteps = steps;
    }
}

} // namespace

std::optional<model::Campaign> readCampaignDraft(const QByteArray& json)
{
    const Json root = Json::parse(json.cbegin(), json.cend(), nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return std::nullopt;
    model::Campaign campaign;
    readString(root, "name", campaign.name);
    if (const Json* parameters = find(root, "parameters"); parameters && parameters->is_array()) {
        for (const Json& parameter : *parameters)
            campaign.parameters.append(readParameter(parameter));
    }
    if (const Json* objective = find(root, "objective")) {
        readString(*objective, "metric", campaign.objective.metric);
        QString direction;
        readString(*objective, "direction", direction);
        if (direction == u"maximize")
            campaign.objective.direction = model::Direction::Maximize;
        readString(*objective, "pattern", campaign.objective.pattern);
        readString(*objective, "step_pattern", campaign.objective.stepPattern);
    }
    if (const Json* search = find(root, "search")) {
        readString(*search, "strategy", campaign.search.strategy);
        readInteger(*search, "max_trials", campaign.search.maxTrials);
        readInteger(*search, "parallel", campaign.search.parallel);
        if (const Json* seed = find(*search, "seed"); seed && seed->is_number_unsigned())
            campaign.search.seed = seed->get<std::uint64_t>();
        if (const Json* stopping = find(*search, "early_stopping"); stopping && stopping->is_object())
            readEarlyStopping(*stopping, campaign.search.earlyStopping);
    }
    if (const Json* job = find(root, "job")) {
        readString(*job, "command", campaign.job.command);
        readStringList(*job, "files", campaign.job.files);
        readString(*job, "time_limit", campaign.job.timeLimit);
    }
    if (const Json* cluster = find(root, "cluster")) {
        model::ClusterSettings& c = campaign.cluster;
        readString(*cluster, "scheduler", c.scheduler);
        readString(*cluster, "host", c.host);
        if (const Json* port = find(*cluster, "port"); port && port->is_number_integer())
            c.port = int(std::clamp<std::int64_t>(port->get<std::int64_t>(), 0, 65535));
        readString(*cluster, "user", c.user);
        readString(*cluster, "identity", c.identity);
        readString(*cluster, "known_hosts", c.knownHosts);
        readString(*cluster, "ssh_config", c.sshConfig);
        readString(*cluster, "workdir", c.workdir);
        readStringList(*cluster, "directives", c.directives);
        readStringList(*cluster, "setup", c.setup);
        readInteger(*cluster, "poll_interval_s", c.pollIntervalSeconds);
        readInteger(*cluster, "parallel_submissions", c.parallelSubmissions);
        int maxQueued = 0; // absent or not positive: no cap, as the reader would refuse it
        readInteger(*cluster, "max_queued", maxQueued);
        if (maxQueued > 0)
            c.maxQueued = maxQueued;
    }
    return campaign;
}

} // namespace sweepline::gui
