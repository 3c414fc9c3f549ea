#include "model/campaign.h"

#include "campaignreader.h"
#include "candidates.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

using detail::CampaignReader;
using detail::Json;
using detail::SyntaxChecker;

constexpr qint64 kMaxFileSize = qint64(16) * 1024 * 1024;

QString directionKeyword(Direction direction)
{
    return direction == Direction::Maximize ? u"maximize"_s : u"minimize"_s;
}

// ---------------------------------------------------------------------------------------------
// Writing

std::string toStd(const QString& text)
{
    return text.toStdString();
}

Json candidateJson(const QVariant& value, ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        return std::int64_t(value.toLongLong());
    case ParameterType::Float:
        return value.toDouble();
    case ParameterType::Choice:
        return toStd(value.toString());
    }
    return nullptr;
}

Json rangeJson(const ParameterRange& range, ParameterType type)
{
    const auto number = [type](double value) -> Json {
        return type == ParameterType::Int ? Json(std::int64_t(value)) : Json(value);
    };
    Json json = Json::object();
    json["min"] = number(range.min);
    json["max"] = number(range.max);
    if (range.step)
        json["step"] = number(*range.step);
    if (range.count)
        json["count"] = *range.count;
    if (range.log)
        json["log"] = true;
    return json;
}

Json parameterJson(const Parameter& parameter)
{
    Json json = Json::object();
    json["name"] = toStd(parameter.name);
    json["type"] = toStd(typeKeyword(parameter.type));
    if (parameter.range) {
        json["range"] = rangeJson(*parameter.range, parameter.type);
    } else {
        Json values = Json::array();
        for (const QVariant& value : parameter.listedValues)
            values.push_back(candidateJson(value, parameter.type));
        json["values"] = values;
    }
    if (parameter.defaultValue.isValid())
        json["default"] = candidateJson(parameter.defaultValue, parameter.type);
    return json;
}

// Only what differs from the defaults is written, so a saved file stays as short as the user's.
Json clusterJson(const ClusterSettings& cluster)
{
    const ClusterSettings defaults;
    Json json = {{"scheduler", toStd(cluster.scheduler)}};
    auto putText = [&json](const char* key, const QString& value) {
        if (!value.isEmpty())
            json[key] = toStd(value);
    };
    auto putList = [&json](const char* key, const QStringList& values) {
        if (values.isEmpty())
            return;
        Json list = Json::array();
        for (const QString& v : values)
            list.push_back(toStd(v));
        json[key] = list;
    };
    putText("host", cluster.host);
    if (cluster.port)
        json["port"] = *cluster.port;
    putText("user", cluster.user);
    putText("identity", cluster.identity);
    putText("known_hosts", cluster.knownHosts);
    putText("ssh_config", cluster.sshConfig);
    if (cluster.isRemote() && cluster.workdir != defaults.workdir)
        json["workdir"] = toStd(cluster.workdir);
    putList("directives", cluster.directives);
    putList("setup", cluster.setup);
    if (cluster.pollIntervalSeconds != defaults.pollIntervalSeconds)
        json["poll_interval_s"] = cluster.pollIntervalSeconds;
    if (cluster.parallelSubmissions != defaults.parallelSubmissions)
        json["parallel_submissions"] = cluster.parallelSubmissions;
    if (cluster.maxQueued)
        json["max_queued"] = *cluster.maxQueued;
    return json;
}

// Only the keys the rule reads: the reader refuses the others.
Json earlyStoppingJson(const EarlyStopping& settings)
{
    Json json = {{"rule", toStd(ruleKeyword(settings.rule))}};
    switch (settings.rule) {
    case EarlyStoppingRule::None:
        break;
    case EarlyStoppingRule::Median:
        json["startup_trials"] = settings.startupTrials;
        json["warmup_steps"] = settings.warmupSteps;
        break;
    case EarlyStoppingRule::Asha:
    case EarlyStoppingRule::Hyperband:
        json["min_steps"] = settings.minSteps;
        json["reduction_factor"] = settings.reductionFactor;
        if (settings.rule == EarlyStoppingRule::Hyperband && settings.maxSteps)
            json["max_steps"] = *settings.maxSteps;
        break;
    }
    return json;
}

Json campaignJson(const Campaign& campaign)
{
    Json json = Json::object();
    json["name"] = toStd(campaign.name);
    json["parameters"] = Json::array();
    for (const Parameter& parameter : campaign.parameters)
        json["parameters"].push_back(parameterJson(parameter));

    Json objective = {{"metric", toStd(campaign.objective.metric)},
                      {"direction", toStd(directionKeyword(campaign.objective.direction))}};
    if (!campaign.objective.pattern.isEmpty())
        objective["pattern"] = toStd(campaign.objective.pattern);
    if (!campaign.objective.stepPattern.isEmpty())
        objective["step_pattern"] = toStd(campaign.objective.stepPattern);
    json["objective"] = objective;

    json["search"] = {{"strategy", toStd(campaign.search.strategy)},
                      {"max_trials", campaign.search.maxTrials},
                      {"parallel", campaign.search.parallel},
                      {"seed", std::uint64_t(campaign.search.seed)}};
    if (campaign.search.earlyStopping.enabled())
        json["search"]["early_stopping"] = earlyStoppingJson(campaign.search.earlyStopping);

    Json job = {{"command", toStd(campaign.job.command)}, {"files", Json::array()}};
    for (const QString& file : campaign.job.files)
        job["files"].push_back(toStd(file));
    if (!campaign.job.timeLimit.isEmpty())
        job["time_limit"] = toStd(campaign.job.timeLimit);
    json["job"] = job;

    json["cluster"] = clusterJson(campaign.cluster);
    return json;
}

// The parts of a definition that give trials their meaning, each in a canonical form.
std::vector<std::pair<QString, Json>> definitionParts(const Campaign& campaign)
{
    Json parameters = Json::array();
    for (const Parameter& parameter : campaign.parameters) {
        Json candidates = Json::array();
        for (const QVariant& candidate : parameter.candidates)
            candidates.push_back(toStd(Campaign::formatValue(candidate)));
        Json json = {{"name", toStd(parameter.name)},
                     {"type", toStd(typeKeyword(parameter.type))},
                     {"log", parameter.range && parameter.range->log},
                     {"candidates", candidates}};
        // The default is where the search starts, so it shapes the trials too.
        json["default"] = parameter.defaultIndex
            ? Json(toStd(Campaign::formatValue(parameter.candidates.value(*parameter.defaultIndex))))
            : Json(nullptr);
        parameters.push_back(json);
    }
    Json objective = {{"metric", toStd(campaign.objective.metric)},
                      {"direction", toStd(directionKeyword(campaign.objective.direction))},
                      {"pattern", toStd(campaign.objective.pattern)}};
    // Only when set, so the fingerprint of a campaign without one stays what it was before step
    // patterns existed. Early stopping is not here: it may change between runs, like the budget.
    if (!campaign.objective.stepPattern.isEmpty())
        objective["step_pattern"] = toStd(campaign.objective.stepPattern);
    return {
        {u"parameters"_s, parameters},
        {u"objective"_s, objective},
        {u"search.strategy"_s, toStd(campaign.search.strategy)},
        {u"search.seed"_s, std::uint64_t(campaign.search.seed)},
        {u"job.command"_s, toStd(campaign.job.command)},
    };
}

std::string dumpJson(const Json& json, int indent = -1)
{
    return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Campaign

int Campaign::parameterIndex(const QString& parameterName) const
{
    for (int i = 0; i < parameters.size(); ++i) {
        if (parameters.at(i).name == parameterName)
            return i;
    }
    return -1;
}

tuning::SearchSpace Campaign::searchSpace() const
{
    std::vector<tuning::Dimension> dimensions;
    dimensions.reserve(std::size_t(parameters.size()));
    for (const Parameter& parameter : parameters) {
        tuning::Dimension dimension;
        dimension.name = parameter.name.toStdString();
        dimension.size = std::size_t(parameter.candidates.size());
        if (parameter.type == ParameterType::Choice) {
            dimension.kind = tuning::DimensionKind::Categorical;
        } else {
            dimension.kind = tuning::DimensionKind::Ordinal;
            dimension.logScale = parameter.range && parameter.range->log;
            for (const QVariant& candidate : parameter.candidates)
                dimension.numericValues.push_back(candidate.toDouble());
        }
        if (parameter.defaultIndex)
            dimension.defaultIndex = std::size_t(*parameter.defaultIndex);
        dimensions.push_back(std::move(dimension));
    }
    return tuning::SearchSpace(std::move(dimensions));
}

QString Campaign::formatValue(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return {};
    case QMetaType::Double:
        return detail::formatDouble(value.toDouble());
    case QMetaType::Float: {
        // Shortest form of the float itself, not of its widened double ("0.1", not "0.100000001").
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value.toFloat());
        return QString::fromLatin1(buffer, result.ptr - buffer);
    }
    default:
        return value.toString(); // integers in decimal, strings verbatim
    }
}

QString ruleKeyword(EarlyStoppingRule rule)
{
    switch (rule) {
    case EarlyStoppingRule::None:
        return u"none"_s;
    case EarlyStoppingRule::Median:
        return u"median"_s;
    case EarlyStoppingRule::Asha:
        return u"asha"_s;
    case EarlyStoppingRule::Hyperband:
        return u"hyperband"_s;
    }
    return {};
}

const QList<EarlyStoppingRule>& allEarlyStoppingRules()
{
    static const QList<EarlyStoppingRule> rules{EarlyStoppingRule::None, EarlyStoppingRule::Median,
                                                EarlyStoppingRule::Asha, EarlyStoppingRule::Hyperband};
    return rules;
}

std::optional<EarlyStoppingRule> earlyStoppingRuleFromKeyword(const QString& keyword)
{
    for (EarlyStoppingRule rule : allEarlyStoppingRules()) {
        if (ruleKeyword(rule) == keyword)
            return rule;
    }
    return std::nullopt;
}

const QStringList& knownSchedulers()
{
    static const QStringList schedulers = {u"local"_s, u"ssh"_s, u"slurm"_s, u"pjm"_s, u"pbs"_s};
    return schedulers;
}

QString typeKeyword(ParameterType type)
{
    switch (type) {
    case ParameterType::Int:
        return u"int"_s;
    case ParameterType::Float:
        return u"float"_s;
    case ParameterType::Choice:
        return u"choice"_s;
    }
    return {};
}

Campaign minimalValidCampaign()
{
    Campaign c;
    c.name = u"probe"_s;
    Parameter p;
    p.name = u"p"_s;
    p.listedValues = {QVariant::fromValue(qint64(1))};
    c.parameters = {p};
    c.objective.metric = u"m"_s;
    c.job.command = u"true"_s;
    return c;
}

const QStringList& reservedRunFileNames()
{
    static const QStringList names = {u"job.sh"_s,    u"job.pid"_s,          u"stdout"_s,          u"stderr"_s,
                                      u"exit_code"_s, u"cancel-requested"_s, u".sweepline-owner"_s};
    return names;
}

// ---------------------------------------------------------------------------------------------
// Parsing and writing

ParseOutcome parseCampaign(const QByteArray& json, const QString& sourcePath)
{
    SyntaxChecker checker{QByteArrayView(json)};
    if (!Json::sax_parse(json.cbegin(), json.cend(), &checker)) {
        ParseOutcome outcome;
        outcome.issues.append(checker.fatal().value_or(ValidationIssue{{}, u"invalid JSON"_s}));
        return outcome;
    }
    const Json root = Json::parse(json.cbegin(), json.cend(), nullptr, false);
    CampaignReader reader(sourcePath);
    reader.addIssues(checker.issues());
    return reader.read(root);
}

Result<Campaign> ParseOutcome::toResult() const
{
    if (campaign)
        return *campaign;
    QStringList lines;
    for (const ValidationIssue& issue : issues)
        lines.append(issue.toString());
    return Error{code, lines.isEmpty() ? u"not a campaign"_s : lines.join(u'\n')};
}

ParseOutcome loadCampaignFile(const QString& path)
{
    const QFileInfo info(path);
    const QString absolute = info.absoluteFilePath();
    QFile file(absolute);
    const auto failure = [&](ErrorCode code, const QString& reason) {
        ParseOutcome outcome;
        outcome.code = code;
        outcome.issues.append({{}, u"cannot read %1: %2"_s.arg(path, reason)});
        return outcome;
    };
    if (!file.open(QIODevice::ReadOnly)) {
        const ErrorCode code = !info.exists() ? ErrorCode::NotFound
            : info.isDir()                    ? ErrorCode::InvalidInput
                                              : ErrorCode::Io;
        return failure(code, file.errorString());
    }
    // A campaign is a few kilobytes; refuse to pull a mistakenly chosen huge file into memory.
    if (file.size() > kMaxFileSize)
        return failure(ErrorCode::InvalidInput, u"larger than %1 MiB"_s.arg(kMaxFileSize / (qint64(1024) * 1024)));
    const QByteArray content = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return failure(ErrorCode::Io, file.errorString());
    return parseCampaign(content, absolute);
}

QByteArray toJson(const Campaign& campaign)
{
    return QByteArray::fromStdString(dumpJson(campaignJson(campaign), 2) + '\n');
}

QString definitionFingerprint(const Campaign& campaign)
{
    Json canonical = Json::object();
    for (const auto& [name, part] : definitionParts(campaign))
        canonical[toStd(name)] = part;
    const QByteArray text = QByteArray::fromStdString(dumpJson(canonical));
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex());
}

QStringList definitionDifferences(const Campaign& stored, const Campaign& current)
{
    const auto storedParts = definitionParts(stored);
    const auto currentParts = definitionParts(current);
    QStringList differences;
    for (std::size_t i = 0; i < storedParts.size(); ++i) {
        if (dumpJson(storedParts[i].second) != dumpJson(currentParts[i].second))
            differences.append(storedParts[i].first);
    }
    return differences;
}

} // namespace sweepline::model
