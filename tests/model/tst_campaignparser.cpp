#include "model/campaign.h"
#include "support/verifyresult.h"
#include "tuning/strategy.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;
using namespace sweepline::model;

namespace {

// The example of the file format documentation.
const QByteArray kGoodExample = R"({
  "name": "digits-mlp",
  "parameters": [
    {"name": "hidden", "type": "int", "values": [8, 16, 32, 64, 128], "default": 32},
    {"name": "learning_rate", "type": "float", "range": {"min": 0.0001, "max": 0.1, "count": 7, "log": true}, "default": 0.001},
    {"name": "batch_size", "type": "int", "range": {"min": 1, "max": 700, "step": 1}, "default": 256},
    {"name": "solver", "type": "choice", "values": ["sgd", "adam"], "default": "adam"}
  ],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {"strategy": "grid", "max_trials": 100, "parallel": 4, "seed": 1},
  "job": {"command": "/usr/bin/python3 train.py --hidden {hidden} --lr {learning_rate}", "files": ["train.py"], "time_limit": "00:30:00"},
  "cluster": {"scheduler": "local"}
}
)";

// A small valid campaign with some top-level members replaced (or added at the end, or dropped
// when given nullptr), written as raw JSON so that 16 and 16.0 stay distinct.
QByteArray campaignWith(std::initializer_list<std::pair<const char*, const char*>> overrides)
{
    QList<std::pair<QByteArray, QByteArray>> members = {
        {"name", R"("t")"},
        {"parameters", R"([{"name": "x", "type": "int", "values": [1, 2]}])"},
        {"objective", R"({"metric": "loss"})"},
        {"job", R"({"command": "run {x}"})"},
    };
    for (const auto& [key, value] : overrides) {
        const QByteArray& name = key; // clang before 16 cannot capture a structured binding
        const auto it = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.first == name; });
        if (it == members.end())
            members.append(std::pair<QByteArray, QByteArray>(key, value));
        else if (value == nullptr)
            members.erase(it);
        else
            it->second = value;
    }
    QByteArrayList texts;
    for (const auto& [key, value] : std::as_const(members))
        texts.append('"' + key + "\": " + value);
    return "{" + texts.join(", ") + "}";
}

QByteArray withParameter(const char* parameter)
{
    return '[' + QByteArray(parameter) + ']';
}

QStringList issueTexts(const ParseOutcome& outcome)
{
    QStringList texts;
    for (const ValidationIssue& issue : outcome.issues)
        texts.append(issue.toString());
    return texts;
}

QStringList formatted(const QVariantList& values)
{
    QStringList texts;
    for (const QVariant& value : values)
        texts.append(Campaign::formatValue(value));
    return texts;
}

Campaign parsedOrFail(const QByteArray& json)
{
    const ParseOutcome outcome = parseCampaign(json);
    if (!outcome.campaign)
        qWarning().noquote() << "unexpected issues:" << issueTexts(outcome).join(u"\n"_s);
    return outcome.campaign.value_or(Campaign());
}

} // namespace

class TestCampaignParser : public QObject {
    Q_OBJECT

private slots:
    void goodExample()
    {
        const ParseOutcome outcome = parseCampaign(kGoodExample);
        QCOMPARE(issueTexts(outcome), QStringList());
        QVERIFY(outcome.campaign);
        const Campaign& campaign = *outcome.campaign;
        QCOMPARE(campaign.name, u"digits-mlp"_s);
        QCOMPARE(campaign.parameters.size(), 4);
        QVERIFY(campaign.sourcePath.isEmpty());

        const Parameter& hidden = campaign.parameters.at(0);
        QCOMPARE(hidden.type, ParameterType::Int);
        QCOMPARE(formatted(hidden.candidates), (QStringList{u"8"_s, u"16"_s, u"32"_s, u"64"_s, u"128"_s}));
        QCOMPARE(hidden.candidates.at(0).typeId(), int(QMetaType::LongLong));
        QCOMPARE(hidden.defaultIndex, std::optional<int>(2));
        QVERIFY(!hidden.range);

        const Parameter& rate = campaign.parameters.at(1);
        QCOMPARE(rate.type, ParameterType::Float);
        QCOMPARE(formatted(rate.candidates),
                 (QStringList{u"0.0001"_s, u"0.000316227766017"_s, u"0.001"_s, u"0.00316227766017"_s, u"0.01"_s,
                              u"0.0316227766017"_s, u"0.1"_s}));
        QCOMPARE(rate.candidates.at(1).typeId(), int(QMetaType::Double));
        QCOMPARE(rate.candidates.at(1).toDouble(), 0.000316227766017);
        QCOMPARE(rate.defaultIndex, std::optional<int>(2));
        QVERIFY(rate.range);
        QVERIFY(rate.range->log);
        QCOMPARE(rate.range->count, std::optional<int>(7));
        QVERIFY(!rate.range->step);

        const Parameter& batch = campaign.parameters.at(2);
        QCOMPARE(batch.candidates.size(), 700);
        QCOMPARE(batch.candidates.first().toLongLong(), qint64(1));
        QCOMPARE(batch.candidates.last().toLongLong(), qint64(700));
        QCOMPARE(batch.defaultIndex, std::optional<int>(255));
        QCOMPARE(batch.candidates.at(255).toLongLong(), qint64(256));

        const Parameter& solver = campaign.parameters.at(3);
        QCOMPARE(solver.type, ParameterType::Choice);
        QCOMPARE(formatted(solver.candidates), (QStringList{u"sgd"_s, u"adam"_s}));
        QCOMPARE(solver.defaultIndex, std::optional<int>(1));

        QCOMPARE(campaign.objective.metric, u"loss"_s);
        QCOMPARE(campaign.objective.direction, Direction::Minimize);
        QVERIFY(campaign.objective.pattern.isEmpty());
        QCOMPARE(campaign.search.strategy, u"grid"_s);
        QCOMPARE(campaign.search.maxTrials, 100);
        QCOMPARE(campaign.search.parallel, 4);
        QCOMPARE(campaign.search.seed, quint64(1));
        QCOMPARE(campaign.job.files, QStringList{u"train.py"_s});
        QCOMPARE(campaign.job.timeLimit, u"00:30:00"_s);
        QCOMPARE(campaign.job.timeLimitSeconds, std::optional<qint64>(1800));
        QCOMPARE(campaign.cluster.scheduler, u"local"_s);
        QCOMPARE(campaign.parameterIndex(u"batch_size"_s), 2);
        QCOMPARE(campaign.parameterIndex(u"nope"_s), -1);
    }

    void defaults()
    {
        const Campaign campaign = parsedOrFail(campaignWith({}));
        QCOMPARE(campaign.objective.direction, Direction::Minimize);
        QCOMPARE(campaign.search.strategy, u"grid"_s);
        QCOMPARE(campaign.search.maxTrials, 100);
        QCOMPARE(campaign.search.parallel, 1);
        QCOMPARE(campaign.search.seed, quint64(0));
        QCOMPARE(campaign.job.files, QStringList());
        QVERIFY(campaign.job.timeLimit.isEmpty());
        QVERIFY(!campaign.job.timeLimitSeconds);
        QCOMPARE(campaign.cluster.scheduler, u"local"_s);
        QVERIFY(!campaign.parameters.at(0).defaultValue.isValid());
        QVERIFY(!campaign.parameters.at(0).defaultIndex);
    }

    void candidates_data()
    {
        QTest::addColumn<QByteArray>("parameter");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("float step without drift")
            << QByteArray(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1, "step": 0.1}})")
            << QStringList{u"0"_s,   u"0.1"_s, u"0.2"_s, u"0.3"_s, u"0.4"_s, u"0.5"_s,
                           u"0.6"_s, u"0.7"_s, u"0.8"_s, u"0.9"_s, u"1"_s};
        QTest::addRow("float step not reaching max")
            << QByteArray(R"({"name": "x", "type": "float", "range": {"min": 0.5, "max": 1.2, "step": 0.25}})")
            << QStringList{u"0.5"_s, u"0.75"_s, u"1"_s};
        QTest::addRow("float linear count")
            << QByteArray(R"({"name": "x", "type": "float", "range": {"min": -1, "max": 1, "count": 5}})")
            << QStringList{u"-1"_s, u"-0.5"_s, u"0"_s, u"0.5"_s, u"1"_s};
        QTest::addRow("int step") << QByteArray(
            R"({"name": "x", "type": "int", "range": {"min": -3, "max": 8, "step": 4}})")
                                  << QStringList{u"-3"_s, u"1"_s, u"5"_s};
        QTest::addRow("int default step")
            << QByteArray(R"({"name": "x", "type": "int", "range": {"min": 3, "max": 5}})")
            << QStringList{u"3"_s, u"4"_s, u"5"_s};
        QTest::addRow("int count") << QByteArray(
            R"({"name": "x", "type": "int", "range": {"min": 0, "max": 10, "count": 4}})")
                                   << QStringList{u"0"_s, u"3"_s, u"7"_s, u"10"_s};
        QTest::addRow("int log count drops duplicates")
            << QByteArray(R"({"name": "x", "type": "int", "range": {"min": 1, "max": 1000, "count": 10, "log": true}})")
            << QStringList{u"1"_s, u"2"_s, u"5"_s, u"10"_s, u"22"_s, u"46"_s, u"100"_s, u"215"_s, u"464"_s, u"1000"_s};
        QTest::addRow("int log merging") << QByteArray(
            R"({"name": "x", "type": "int", "range": {"min": 1, "max": 4, "count": 8, "log": true}})")
                                         << QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s};
        QTest::addRow("float values keep order")
            << QByteArray(R"({"name": "x", "type": "float", "values": [0.5, 1, 1e-05, 0.0001]})")
            << QStringList{u"0.5"_s, u"1"_s, u"1e-05"_s, u"0.0001"_s};
        QTest::addRow("choice empty string")
            << QByteArray(R"({"name": "x", "type": "choice", "values": ["", "--fast"]})")
            << QStringList{QString(), u"--fast"_s};
    }

    void candidates()
    {
        QFETCH(QByteArray, parameter);
        QFETCH(QStringList, expected);
        const ParseOutcome outcome = parseCampaign(campaignWith({{"parameters", withParameter(parameter)}}));
        QCOMPARE(issueTexts(outcome), QStringList());
        QCOMPARE(formatted(outcome.campaign->parameters.at(0).candidates), expected);
    }

    void byteOrderMark()
    {
        const ParseOutcome outcome = parseCampaign("\xEF\xBB\xBF" + kGoodExample);
        QCOMPARE(issueTexts(outcome), QStringList());
    }

    void floatDefaultTolerance()
    {
        const Campaign campaign = parsedOrFail(campaignWith(
            {{"parameters",
              R"([{"name": "x", "type": "float", "range": {"min": 0, "max": 1, "step": 0.1}, "default": 0.30000000000000004}])"}}));
        QCOMPARE(campaign.parameters.at(0).defaultIndex, std::optional<int>(3));
    }

    void badDocuments_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected");
        const auto add = [](const char* name, const QByteArray& json, const QStringList& expected) {
            QTest::addRow("%s", name) << json << expected;
        };
        const auto param = [](const char* parameter) {
            return campaignWith({{"parameters", withParameter(parameter).constData()}});
        };

        // Unknown keys, with a suggestion when a known key is close.
        add("unknown top-level key", campaignWith({{"serch", "{}"}}),
            {uR"(serch: unknown key (did you mean "search"?))"_s});
        add("unknown search key", campaignWith({{"search", R"({"max_trial": 5})"}}),
            {uR"(search.max_trial: unknown key (did you mean "max_trials"?))"_s});
        add("unknown parameter key", param(R"({"name": "x", "type": "int", "values": [1], "defualt": 1})"),
            {uR"(parameters[0].defualt: unknown key (did you mean "default"?))"_s});
        add("unknown range key", param(R"({"name": "x", "type": "int", "range": {"min": 1, "max": 3, "foo": 1}})"),
            {u"parameters[0].range.foo: unknown key"_s});
        add("swapped letters", param(R"({"name": "x", "type": "int", "range": {"min": 1, "max": 3, "stpe": 1}})"),
            {uR"(parameters[0].range.stpe: unknown key (did you mean "step"?))"_s});
        add("short typo", param(R"({"name": "x", "type": "int", "range": {"mni": 1, "max": 3}})"),
            {uR"(parameters[0].range.mni: unknown key (did you mean "min"?))"_s,
             u"parameters[0].range.min: is required"_s});
        add("unknown job key", campaignWith({{"job", R"({"command": "run {x}", "time_limt": "10:00"})"}}),
            {uR"(job.time_limt: unknown key (did you mean "time_limit"?))"_s});
        add("remote key with local scheduler",
            campaignWith({{"cluster", R"({"scheduler": "local", "host": "fugaku"})"}}),
            {uR"(cluster.host: applies to a remote scheduler; "local" runs on this computer)"_s});
        add("missing required", "{}",
            {u"name: is required"_s, u"parameters: is required"_s, u"objective: is required"_s, u"job: is required"_s});
        add("missing metric and command", campaignWith({{"objective", "{}"}, {"job", R"({"files": []})"}}),
            {u"objective.metric: is required"_s, u"job.command: is required"_s});

        // Wrong types.
        add("parallel as string", campaignWith({{"search", R"({"parallel": "4"})"}}),
            {u"search.parallel: must be an integer, not a string"_s});
        add("name as number", campaignWith({{"name", "5"}}), {u"name: must be a string, not an integer"_s});
        add("parameters as object", campaignWith({{"parameters", "{}"}}),
            {u"parameters: must be an array, not an object"_s});
        add("objective as string", campaignWith({{"objective", R"("loss")"}}),
            {u"objective: must be an object, not a string"_s});
        add("int value written as float", param(R"({"name": "x", "type": "int", "values": [8, 16.0]})"),
            {u"parameters[0].values[1]: must be an integer"_s});
        add("choice value not a string", param(R"({"name": "x", "type": "choice", "values": ["a", 1, null]})"),
            {u"parameters[0].values[1]: must be a string, not an integer"_s,
             u"parameters[0].values[2]: must be a string, not null"_s});
        add("float value not a number", param(R"({"name": "x", "type": "float", "values": [true]})"),
            {u"parameters[0].values[0]: must be a number, not a boolean"_s});
        add("default of the wrong type", param(R"({"name": "x", "type": "int", "values": [8], "default": "8"})"),
            {u"parameters[0].default: must be an integer, not a string"_s});
        add("log not a boolean",
            param(R"({"name": "x", "type": "float", "range": {"min": 1, "max": 2, "count": 3, "log": "yes"}})"),
            {u"parameters[0].range.log: must be true or false, not a string"_s});
        add("seed as float", campaignWith({{"search", R"({"seed": 1.5})"}}), {u"search.seed: must be an integer"_s});
        add("document not an object", "[1, 2]", {u"a campaign must be a JSON object, not an array"_s});

        // Empty values.
        add("empty name", campaignWith({{"name", R"("")"}}), {u"name: must not be empty"_s});
        add("empty parameters", campaignWith({{"parameters", "[]"}}), {u"parameters: must not be empty"_s});
        add("empty values", param(R"({"name": "x", "type": "int", "values": []})"),
            {u"parameters[0].values: must not be empty"_s});
        add("empty command", campaignWith({{"job", R"({"command": ""})"}}), {u"job.command: must not be empty"_s});
        add("empty file name", campaignWith({{"job", R"({"command": "run {x}", "files": [""]})"}}),
            {u"job.files[0]: must not be empty"_s});

        // Names.
        add("campaign name with a space", campaignWith({{"name", R"("my run")"}}),
            {u"name: may only contain letters, digits, '.', '_' and '-'"_s});
        add("campaign name with a slash", campaignWith({{"name", R"("../x")"}}),
            {u"name: may only contain letters, digits, '.', '_' and '-'"_s});
        add("hidden campaign name", campaignWith({{"name", R"(".x")"}}), {u"name: must not start with '.' or '-'"_s});
        add("parameter name not a placeholder",
            campaignWith({{"parameters", R"([{"name": "learning-rate", "type": "int", "values": [1]}])"},
                          {"job", R"({"command": "run"})"}}),
            {u"parameters[0].name: must start with a letter or '_' and contain only letters, digits and '_'"_s});
        add("duplicate parameter names", campaignWith({{"parameters", R"([{"name": "x", "type": "int", "values": [1]},
                                             {"name": "x", "type": "float", "values": [1]}])"}}),
            {uR"(parameters[1].name: duplicate name; parameters[0] is already called "x")"_s});
        add("unknown parameter type", param(R"({"name": "x", "type": "integer", "values": [1]})"),
            {uR"(parameters[0].type: must be one of "int", "float" or "choice", not "integer")"_s});

        // Duplicates and defaults.
        add("duplicate int value", param(R"({"name": "x", "type": "int", "values": [1, 2, 1]})"),
            {u"parameters[0].values[2]: duplicate of values[0]"_s});
        add("duplicate float value", param(R"({"name": "x", "type": "float", "values": [0.5, 1, 1.0]})"),
            {u"parameters[0].values[2]: duplicate of values[1]"_s});
        add("duplicate choice", param(R"({"name": "x", "type": "choice", "values": ["a", "b", "c", "b"]})"),
            {u"parameters[0].values[3]: duplicate of values[1]"_s});
        add("default not a candidate", param(R"({"name": "x", "type": "int", "values": [8, 16, 32], "default": 33})"),
            {u"parameters[0].default: 33 is not one of the candidates"_s});
        add("float default not in range",
            param(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1, "count": 3}, "default": 0.25})"),
            {u"parameters[0].default: 0.25 is not one of the candidates"_s});
        add("choice default not a candidate",
            param(R"({"name": "x", "type": "choice", "values": ["sgd", "adam"], "default": "rmsprop"})"),
            {uR"(parameters[0].default: "rmsprop" is not one of the candidates)"_s});

        // Line breaks and NUL characters never reach a job script.
        add("newline in a choice", param(R"({"name": "x", "type": "choice", "values": ["a", "b\nrm -rf ~"]})"),
            {u"parameters[0].values[1]: must not contain a newline or NUL character"_s});
        add("NUL in a choice", param(R"({"name": "x", "type": "choice", "values": ["a\u0000b"]})"),
            {u"parameters[0].values[0]: must not contain a newline or NUL character"_s});
        add("carriage return in the command", campaignWith({{"job", R"({"command": "run {x}\r"})"}}),
            {u"job.command: must not contain a newline or NUL character"_s});
        add("newline in the metric", campaignWith({{"objective", R"({"metric": "lo\nss"})"}}),
            {u"objective.metric: must not contain a newline or NUL character"_s});

        // Search settings.
        add("parallel below 1", campaignWith({{"search", R"({"parallel": 0})"}}),
            {u"search.parallel: must be at least 1"_s});
        add("max_trials below 1", campaignWith({{"search", R"({"max_trials": -5})"}}),
            {u"search.max_trials: must be at least 1"_s});
        add("max_trials too large", campaignWith({{"search", R"({"max_trials": 3000000000})"}}),
            {u"search.max_trials: must be at most 2147483647"_s});
        add("negative seed", campaignWith({{"search", R"({"seed": -1})"}}), {u"search.seed: must not be negative"_s});

        // search.early_stopping
        const auto stopping = [](const char* body) {
            const QByteArray search = "{\"early_stopping\": " + QByteArray(body) + "}";
            return campaignWith({{"search", search.constData()}});
        };
        const QString es = u"search.early_stopping"_s;
        add("early_stopping not an object", stopping(R"("median")"), {es + u": must be an object, not a string"_s});
        add("unknown rule", stopping(R"({"rule": "bohb"})"),
            {es + uR"(.rule: must be one of "none", "median", "asha" or "hyperband", not "bohb")"_s});
        add("rule spelled in capitals", stopping(R"({"rule": "ASHA"})"),
            {es + uR"(.rule: must be one of "none", "median", "asha" or "hyperband", not "ASHA")"_s});
        add("rule not a string", stopping(R"({"rule": 1})"), {es + u".rule: must be a string, not an integer"_s});
        add("rule missing", stopping(R"({"min_steps": 2})"), {es + u".rule: is required"_s});
        add("unknown early_stopping key", stopping(R"({"rule": "median", "warmup_step": 2})"),
            {es + uR"(.warmup_step: unknown key (did you mean "warmup_steps"?))"_s});
        add("min_steps a string", stopping(R"({"rule": "asha", "min_steps": "2"})"),
            {es + u".min_steps: must be an integer, not a string"_s});
        add("min_steps a float", stopping(R"({"rule": "asha", "min_steps": 2.5})"),
            {es + u".min_steps: must be an integer"_s});
        add("min_steps 0", stopping(R"({"rule": "asha", "min_steps": 0})"),
            {es + u".min_steps: must be between 1 and 1000000"_s});
        add("min_steps too large", stopping(R"({"rule": "hyperband", "min_steps": 1000001})"),
            {es + u".min_steps: must be between 1 and 1000000"_s});
        add("reduction_factor 1", stopping(R"({"rule": "asha", "reduction_factor": 1})"),
            {es + u".reduction_factor: must be between 2 and 100"_s});
        add("reduction_factor too large", stopping(R"({"rule": "hyperband", "reduction_factor": 101})"),
            {es + u".reduction_factor: must be between 2 and 100"_s});
        add("startup_trials negative", stopping(R"({"rule": "median", "startup_trials": -1})"),
            {es + u".startup_trials: must be between 0 and 1000000"_s});
        add("startup_trials too large", stopping(R"({"rule": "median", "startup_trials": 1000001})"),
            {es + u".startup_trials: must be between 0 and 1000000"_s});
        add("warmup_steps negative", stopping(R"({"rule": "median", "warmup_steps": -1})"),
            {es + u".warmup_steps: must be between 0 and 1000000"_s});
        add("warmup_steps too large", stopping(R"({"rule": "median", "warmup_steps": 1000001})"),
            {es + u".warmup_steps: must be between 0 and 1000000"_s});
        add("warmup_steps null", stopping(R"({"rule": "median", "warmup_steps": null})"),
            {es + u".warmup_steps: must be an integer, not null"_s});
        add("max_steps below the second rung", stopping(R"({"rule": "hyperband", "min_steps": 2, "max_steps": 5})"),
            {es + u".max_steps: must be at least min_steps * reduction_factor (6)"_s});
        add("max_steps below the default second rung", stopping(R"({"rule": "hyperband", "max_steps": 2})"),
            {es + u".max_steps: must be at least min_steps * reduction_factor (3)"_s});
        add("max_steps too large", stopping(R"({"rule": "hyperband", "max_steps": 10000001})"),
            {es + u".max_steps: must be between 1 and 10000000"_s});
        add("max_steps 0", stopping(R"({"rule": "hyperband", "max_steps": 0})"),
            {es + u".max_steps: must be between 1 and 10000000"_s});
        add("warmup_steps with asha", stopping(R"({"rule": "asha", "warmup_steps": 3})"),
            {es + u".warmup_steps: applies to the median rule only"_s});
        add("startup_trials with hyperband", stopping(R"({"rule": "hyperband", "startup_trials": 3})"),
            {es + u".startup_trials: applies to the median rule only"_s});
        add("min_steps with median", stopping(R"({"rule": "median", "min_steps": 3})"),
            {es + u".min_steps: applies to the asha and hyperband rules only"_s});
        add("reduction_factor with none", stopping(R"({"rule": "none", "reduction_factor": 3})"),
            {es + u".reduction_factor: applies to the asha and hyperband rules only"_s});
        add("max_steps with asha", stopping(R"({"rule": "asha", "max_steps": 30})"),
            {es + u".max_steps: applies to the hyperband rule only"_s});
        add("several early_stopping problems",
            stopping(R"({"rule": "median", "max_steps": 30, "warmup_steps": -2, "sigma": 1})"),
            {es + u".max_steps: applies to the hyperband rule only"_s,
             es + u".warmup_steps: must be between 0 and 1000000"_s, es + u".sigma: unknown key"_s});

        // objective.step_pattern
        const auto stepPattern = [](const char* pattern) {
            const QByteArray objective = R"({"metric": "loss", "step_pattern": )" + QByteArray(pattern) + "}";
            return campaignWith({{"objective", objective.constData()}});
        };
        add("step_pattern without a group", stepPattern(R"("epoch \\d+")"),
            {u"objective.step_pattern: must have exactly one capture group, not 0"_s});
        add("step_pattern with two groups", stepPattern(R"j("epoch (\\d+)/(\\d+)")j"),
            {u"objective.step_pattern: must have exactly one capture group, not 2"_s});
        // Not a raw string: moc misreads the unbalanced parenthesis in one.
        add("step_pattern invalid", stepPattern("\"epoch (\\\\d+\""),
            {u"objective.step_pattern: invalid regular expression: missing closing parenthesis at offset 10"_s});
        add("step_pattern empty", stepPattern(R"("")"), {u"objective.step_pattern: must not be empty"_s});
        add("step_pattern not a string", stepPattern("3"),
            {u"objective.step_pattern: must be a string, not an integer"_s});
        add("step_patern misspelt", campaignWith({{"objective", R"j({"metric": "loss", "step_patern": "s (\\d+)"})j"}}),
            {uR"(objective.step_patern: unknown key (did you mean "step_pattern"?))"_s});

        // Enumerations.
        add("unknown direction", campaignWith({{"objective", R"({"metric": "loss", "direction": "min"})"}}),
            {uR"(objective.direction: must be "minimize" or "maximize", not "min")"_s});
        add("unknown scheduler", campaignWith({{"cluster", R"({"scheduler": "lsf"})"}}),
            {uR"(cluster.scheduler: must be one of "local", "ssh", "slurm", "pjm" or "pbs", not "lsf")"_s});
        add("remote scheduler without host", campaignWith({{"cluster", R"({"scheduler": "slurm"})"}}),
            {uR"(cluster.host: is required for scheduler "slurm")"_s});
        add("host that reads as an option",
            campaignWith({{"cluster", R"({"scheduler": "pjm", "host": "-oProxyCommand=x"})"}}),
            {uR"(cluster.host: must be one word that does not start with "-")"_s});
        add("user with a space", campaignWith({{"cluster", R"({"scheduler": "pbs", "host": "abci", "user": "a b"})"}}),
            {uR"(cluster.user: must be one word that does not start with "-")"_s});
        add("port out of range", campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "port": 70000})"}}),
            {u"cluster.port: must be at most 65535"_s});
        add("directive with a newline",
            campaignWith(
                {{"cluster", "{\"scheduler\": \"slurm\", \"host\": \"h\", \"directives\": [\"-p a\\nSBATCH -p b\"]}"}}),
            {u"cluster.directives[0]: must not contain a newline or NUL character"_s});
        add("setup not a list",
            campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "setup": "module load cuda"})"}}),
            {u"cluster.setup: must be an array, not a string"_s});
        add("poll interval zero",
            campaignWith({{"cluster", R"({"scheduler": "ssh", "host": "h", "poll_interval_s": 0})"}}),
            {u"cluster.poll_interval_s: must be at least 1"_s});
        add("parallel submissions zero",
            campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "parallel_submissions": 0})"}}),
            {u"cluster.parallel_submissions: must be between 1 and 32"_s});
        add("parallel submissions too many",
            campaignWith({{"cluster", R"({"scheduler": "pjm", "host": "h", "parallel_submissions": 33})"}}),
            {u"cluster.parallel_submissions: must be between 1 and 32"_s});
        add("parallel submissions as string",
            campaignWith({{"cluster", R"({"scheduler": "pbs", "host": "h", "parallel_submissions": "4"})"}}),
            {u"cluster.parallel_submissions: must be an integer, not a string"_s});
        add("parallel submissions with local scheduler",
            campaignWith({{"cluster", R"({"scheduler": "local", "parallel_submissions": 2})"}}),
            {uR"(cluster.parallel_submissions: applies to a remote scheduler; "local" runs on this computer)"_s});
        add("max queued zero", campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "max_queued": 0})"}}),
            {u"cluster.max_queued: must be between 1 and 100000"_s});
        add("max queued negative",
            campaignWith({{"cluster", R"({"scheduler": "pbs", "host": "h", "max_queued": -5})"}}),
            {u"cluster.max_queued: must be between 1 and 100000"_s});
        add("max queued too large",
            campaignWith({{"cluster", R"({"scheduler": "pjm", "host": "h", "max_queued": 100001})"}}),
            {u"cluster.max_queued: must be between 1 and 100000"_s});
        add("max queued as string",
            campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "max_queued": "50"})"}}),
            {u"cluster.max_queued: must be an integer, not a string"_s});
        add("max queued fractional",
            campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "max_queued": 2.5})"}}),
            {u"cluster.max_queued: must be an integer"_s});
        add("max queued with local scheduler",
            campaignWith({{"cluster", R"({"scheduler": "local", "max_queued": 3})"}}),
            {uR"(cluster.max_queued: applies to a remote scheduler; "local" runs on this computer)"_s});

        // The command.
        add("unknown placeholder", campaignWith({{"job", R"({"command": "run {x} --y {foo} {foo} {bar}"})"}}),
            {u"job.command: placeholder {foo} names no parameter"_s,
             u"job.command: placeholder {bar} names no parameter"_s});
        add("unclosed brace", campaignWith({{"job", R"({"command": "run {x"})"}}),
            {u"job.command: unclosed '{' at column 5"_s});
        add("stray brace", campaignWith({{"job", R"({"command": "run x}"})"}}),
            {u"job.command: stray '}' at column 6; write }} for a literal brace"_s});
        add("empty placeholder", campaignWith({{"job", R"({"command": "run {}"})"}}),
            {u"job.command: empty placeholder '{}' at column 5"_s});
        add("placeholder in double quotes", campaignWith({{"job", R"({"command": "run --x \"{x}\""})"}}),
            {u"job.command: placeholder {x} at column 10 is inside quotes; write it bare: values are quoted for the shell"_s});
        add("placeholder in single quotes",
            campaignWith({{"job", R"({"command": "python3 train.py --solver '{x}'"})"}}),
            {u"job.command: placeholder {x} at column 28 is inside quotes; write it bare: values are quoted for the shell"_s});
        add("unterminated quote", campaignWith({{"job", R"({"command": "run {x} > \"out.txt"})"}}),
            {u"job.command: unterminated \" quote starting at column 11"_s});

        // The metric pattern.
        add("pattern without a group", campaignWith({{"objective", R"({"metric": "loss", "pattern": "loss: \\d+"})"}}),
            {u"objective.pattern: must have exactly one capture group, not 0"_s});
        add("pattern with two groups",
            campaignWith({{"objective", R"j({"metric": "loss", "pattern": "(loss|cost): (\\S+)"})j"}}),
            {u"objective.pattern: must have exactly one capture group, not 2"_s});
        add("invalid pattern", campaignWith({{"objective", "{\"metric\": \"loss\", \"pattern\": \"loss: (\\\\d+\"}"}}),
            {u"objective.pattern: invalid regular expression: missing closing parenthesis at offset 10"_s});

        // Time limits.
        add("time limit in words", campaignWith({{"job", R"({"command": "run {x}", "time_limit": "1h"})"}}),
            {uR"(job.time_limit: "1h" is not a time limit; write HH:MM:SS, MM:SS or D-HH:MM:SS)"_s});
        add("time limit with 61 minutes", campaignWith({{"job", R"({"command": "run {x}", "time_limit": "1:61:00"})"}}),
            {uR"(job.time_limit: "1:61:00" is not a time limit; write HH:MM:SS, MM:SS or D-HH:MM:SS)"_s});
        add("time limit of zero", campaignWith({{"job", R"({"command": "run {x}", "time_limit": "0-00:00:00"})"}}),
            {u"job.time_limit: must be longer than zero"_s});
        add("time limit as number", campaignWith({{"job", R"({"command": "run {x}", "time_limit": 3600})"}}),
            {u"job.time_limit: must be a string, not an integer"_s});

        // Ranges.
        add("range min equals max", param(R"({"name": "x", "type": "int", "range": {"min": 3, "max": 3}})"),
            {u"parameters[0].range: min must be less than max"_s});
        add("range min above max",
            param(R"({"name": "x", "type": "float", "range": {"min": 2, "max": 1, "step": 0.5}})"),
            {u"parameters[0].range: min must be less than max"_s});
        add("log range from zero",
            param(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1, "count": 5, "log": true}})"),
            {uR"(parameters[0].range.min: must be greater than 0 when "log" is true)"_s});
        add("float range with step and count",
            param(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1, "step": 0.1, "count": 3}})"),
            {uR"(parameters[0].range: give either "step" or "count", not both)"_s});
        add("float range with neither", param(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1}})"),
            {uR"(parameters[0].range: needs a "step" or a "count")"_s});
        add("log range with step",
            param(R"({"name": "x", "type": "float", "range": {"min": 1, "max": 10, "step": 1, "log": true}})"),
            {uR"(parameters[0].range: "step" cannot be combined with "log"; give a "count")"_s});
        add("int log range without count",
            param(R"({"name": "x", "type": "int", "range": {"min": 1, "max": 10, "log": true}})"),
            {uR"(parameters[0].range: needs a "count" when "log" is true)"_s});
        add("int range with float bound", param(R"({"name": "x", "type": "int", "range": {"min": 1.5, "max": 10}})"),
            {u"parameters[0].range.min: must be an integer"_s});
        add("range missing max", param(R"({"name": "x", "type": "int", "range": {"min": 1}})"),
            {u"parameters[0].range.max: is required"_s});
        add("count below 2", param(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1, "count": 1}})"),
            {u"parameters[0].range.count: must be at least 2"_s});
        add("zero step", param(R"({"name": "x", "type": "int", "range": {"min": 0, "max": 10, "step": 0}})"),
            {u"parameters[0].range.step: must be greater than 0"_s});
        add("too many int candidates", param(R"({"name": "x", "type": "int", "range": {"min": 0, "max": 10000000}})"),
            {u"parameters[0].range: expands to 10000001 candidates, more than the limit of 1000000"_s});
        add("too many float candidates",
            param(R"({"name": "x", "type": "float", "range": {"min": 0, "max": 1, "step": 1e-7}})"),
            {u"parameters[0].range: expands to 10000001 candidates, more than the limit of 1000000"_s});
        add("range for a choice", param(R"({"name": "x", "type": "choice", "range": {"min": 0, "max": 1}})"),
            {uR"(parameters[0].range: not allowed for a choice parameter; list its "values")"_s});
        add("values and range", param(R"({"name": "x", "type": "int", "values": [1], "range": {"min": 0, "max": 1}})"),
            {uR"(parameters[0]: give either "values" or "range", not both)"_s});
        add("neither values nor range", param(R"({"name": "x", "type": "int"})"),
            {uR"(parameters[0]: needs "values" or "range")"_s});

        // Files.
        add("file outside the folder", campaignWith({{"job", R"({"command": "run {x}", "files": ["../secret"]})"}}),
            {uR"(job.files[0]: must not contain "..")"_s});
        add("file inside then outside", campaignWith({{"job", R"({"command": "run {x}", "files": ["a/../../b"]})"}}),
            {uR"(job.files[0]: must not contain "..")"_s});
        add("absolute file", campaignWith({{"job", R"({"command": "run {x}", "files": ["/etc/passwd"]})"}}),
            {u"job.files[0]: must be a relative path"_s});
        add("duplicate file", campaignWith({{"job", R"({"command": "run {x}", "files": ["a.py", "b.py", "./a.py"]})"}}),
            {u"job.files[2]: duplicate of files[0]"_s});
        add("file named as the job script",
            campaignWith({{"job", R"({"command": "run {x}", "files": ["tools/job.sh"]})"}}),
            {uR"(job.files[0]: "job.sh" is the name of a file Sweepline writes into each run folder; rename it)"_s});
        add("file named exit_code",
            campaignWith({{"job", R"({"command": "run {x}", "files": ["a.py", "exit_code"]})"}}),
            {uR"(job.files[1]: "exit_code" is the name of a file Sweepline writes into each run folder; rename it)"_s});
        add("same file name in two folders",
            campaignWith({{"job", R"({"command": "run {x}", "files": ["a/conf.ini", "b/conf.ini"]})"}}),
            {u"job.files[1]: has the same file name as files[0]: both would be copied to conf.ini"_s});

        // Malformed JSON.
        add("trailing comma", "{\n  \"name\": \"t\",\n  \"parameters\": [1,]\n}",
            {u"invalid JSON at line 3, column 20: syntax error while parsing value - unexpected ']'; "
             "expected '[', '{', or a literal"_s});
        add("truncated", "{\"name\": \"t\"",
            {u"invalid JSON at line 1, column 13: syntax error while parsing object - unexpected end of input; "
             "expected '}'"_s});
        add("column counts characters", "{\"name\": \"äöü\" x}",
            {u"invalid JSON at line 1, column 16: syntax error while parsing object - invalid literal; "
             "last read: '\"äöü\" x'; expected '}'"_s});
        add("empty document", "",
            {u"invalid JSON at line 1, column 1: syntax error while parsing value - "
             "unexpected end of input; expected '[', '{', or a literal"_s});
        add("duplicate key", campaignWith({{"search", R"({"seed": 1, "parallel": 2, "seed": 2})"}}),
            {u"search.seed: duplicate key"_s});
        add("number overflow", campaignWith({{"search", R"({"seed": 1e400})"}}),
            {u"invalid JSON at line 1, column 166: number overflow parsing '1e400'"_s});
        add("byte order mark takes no column", "\xEF\xBB\xBF{x}",
            {u"invalid JSON at line 1, column 2: syntax error while parsing object key - invalid literal; "
             "last read: '{x'; expected string literal"_s});
        add("range of doubles near the limit",
            param(
                R"({"name": "x", "type": "float", "range": {"min": -1e308, "max": 1e308, "count": 3}, "default": 1})"),
            {u"parameters[0].default: 1 is not one of the candidates"_s});
        add("infinitely many candidates",
            param(R"({"name": "x", "type": "float", "range": {"min": -1e308, "max": 1e308, "step": 1}})"),
            {u"parameters[0].range: expands to more candidates than the limit of 1000000"_s});
        add("absurd nesting", QByteArray(1000, '['), {u"invalid JSON: nested more than 64 levels deep"_s});

        // Everything is reported, in the order of the document.
        add("several problems",
            R"({"name": "bad name",
                "parameters": [{"name": "x", "type": "int", "values": [1, 1]},
                               {"name": "x", "type": "float", "range": {"min": 1, "max": 0, "step": 0.1}},
                               {"name": "s", "type": "choice", "values": ["a"], "default": "b", "extra": 1}],
                "objective": {"metric": ""},
                "search": {"parallel": 0, "strategy": "grid", "seed": -2},
                "job": {"command": "run {y} {s}", "files": ["/abs"]},
                "cluster": {"scheduler": "lsf"}})",
            {u"name: may only contain letters, digits, '.', '_' and '-'"_s,
             u"parameters[0].values[1]: duplicate of values[0]"_s,
             uR"(parameters[1].name: duplicate name; parameters[0] is already called "x")"_s,
             u"parameters[1].range: min must be less than max"_s,
             uR"(parameters[2].default: "b" is not one of the candidates)"_s, u"parameters[2].extra: unknown key"_s,
             u"objective.metric: must not be empty"_s, u"search.parallel: must be at least 1"_s,
             u"search.seed: must not be negative"_s, u"job.command: placeholder {y} names no parameter"_s,
             u"job.files[0]: must be a relative path"_s,
             uR"(cluster.scheduler: must be one of "local", "ssh", "slurm", "pjm" or "pbs", not "lsf")"_s});
        add("document order, not section order",
            R"({"job": {"command": "run {y}"}, "cluster": {"schedular": "local"},
                "parameters": [{"type": "int", "values": [1], "name": "x"}], "objective": {"metric": "m"}, "name": ""})",
            {u"job.command: placeholder {y} names no parameter"_s,
             uR"(cluster.schedular: unknown key (did you mean "scheduler"?))"_s, u"name: must not be empty"_s});
    }

    void badDocuments()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        const ParseOutcome outcome = parseCampaign(json);
        QCOMPARE(issueTexts(outcome), expected);
        QVERIFY(!outcome.campaign);
        QCOMPARE(outcome.code, ErrorCode::InvalidInput);
    }

    void unknownStrategy()
    {
        // The list grows as strategies arrive, so the expectation is built from it.
        QStringList known;
        for (const std::string& name : sweepline::tuning::strategyNames())
            known.append(u'"' + QString::fromStdString(name) + u'"');
        QVERIFY(known.contains(u"\"grid\""_s));
        const QString last = known.takeLast();
        const QString list = (known.size() > 1 ? u"one of "_s : QString()) + known.join(u", "_s) + u" or "_s + last;
        const ParseOutcome outcome = parseCampaign(campaignWith({{"search", R"({"strategy": "bayes"})"}}));
        QCOMPARE(issueTexts(outcome), QStringList{u"search.strategy: must be %1, not \"bayes\""_s.arg(list)});
    }

    void filesRelativeToTheCampaign()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QVERIFY(QDir(folder.path()).mkpath(u"data"_s));
        QFile script(folder.filePath(u"train.py"_s));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.close();

        const QByteArray json =
            campaignWith({{"job", R"({"command": "run {x}", "files": ["train.py", "data", "data/missing.csv"]})"}});
        const QString path = folder.filePath(u"campaign.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
        file.close();

        const ParseOutcome outcome = loadCampaignFile(path);
        QCOMPARE(issueTexts(outcome),
                 QStringList{u"job.files[2]: file not found: "_s
                             + QDir(folder.path()).absoluteFilePath(u"data/missing.csv"_s)});

        // Without a source path nothing can be looked up, so only the form is checked.
        QCOMPARE(issueTexts(parseCampaign(json)), QStringList());
    }

    void loadSetsSourcePath()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QVERIFY(QDir::setCurrent(folder.path()));
        QFile file(u"campaign.json"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(campaignWith({}));
        file.close();

        const ParseOutcome outcome = loadCampaignFile(u"campaign.json"_s);
        QCOMPARE(issueTexts(outcome), QStringList());
        QCOMPARE(outcome.campaign->sourcePath, QDir(folder.path()).absoluteFilePath(u"campaign.json"_s));
        QVERIFY(QDir::setCurrent(QDir::tempPath()));
    }

    // The example the demo and the README start from must stay valid as the checks grow.
    void demoCampaignValidates()
    {
        const ParseOutcome outcome = loadCampaignFile(QString::fromUtf8(SWEEPLINE_SOURCE_DIR)
                                                      + u"/resources/examples/digits-mlp/digits-mlp.json"_s);
        QCOMPARE(issueTexts(outcome), QStringList());
        QVERIFY(outcome.campaign);
        QCOMPARE(outcome.campaign->name, u"digits-mlp"_s);
    }

    void loadMissingFile()
    {
        const QString path = u"/nonexistent/campaign.json"_s;
        const ParseOutcome outcome = loadCampaignFile(path);
        QCOMPARE(issueTexts(outcome),
                 QStringList{u"cannot read /nonexistent/campaign.json: No such file or directory"_s});
        QVERIFY(!outcome.campaign);
        QVERIFY_FAILS_WITH(outcome.toResult(), ErrorCode::NotFound);
        QCOMPARE(outcome.toResult().error(), issueTexts(outcome).first());
    }

    // What went wrong, by its code: a file that is there but refused is the user's to fix.
    void loadFailuresCarryTheirCode_data()
    {
        QTest::addColumn<QByteArray>("content"); // empty: a folder of that name instead of a file
        QTest::addColumn<int>("code");           // an ErrorCode
        const int invalid = int(ErrorCode::InvalidInput);
        QTest::addRow("malformed JSON") << QByteArray(R"({"name": "x",)") << invalid;
        QTest::addRow("not an object") << QByteArray("[1, 2]") << invalid;
        QTest::addRow("invalid campaign") << campaignWith({{"search", R"({"strategy": "nope"})"}}) << invalid;
        QTest::addRow("a folder") << QByteArray() << invalid;
    }

    void loadFailuresCarryTheirCode()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, code);
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QString path = folder.filePath(u"campaign.json"_s);
        if (content.isEmpty()) {
            QVERIFY(QDir().mkpath(path));
        } else {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        const ParseOutcome outcome = loadCampaignFile(path);
        QVERIFY(!outcome.campaign);
        QVERIFY(!outcome.issues.isEmpty());
        QCOMPARE(int(outcome.code), code);
        const Result<Campaign> result = outcome.toResult();
        QVERIFY_FAILS_WITH(result, ErrorCode(code));
        // Every issue reaches the message, one a line, as the validator listed them.
        QCOMPARE(result.error().split(u'\n'), issueTexts(outcome));
    }

    void unreadableFileIsIo()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QString path = folder.filePath(u"campaign.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(campaignWith({}));
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::WriteOwner));
        // root opens it anyway; then only the read below tells.
        if (!QFile(path).open(QIODevice::ReadOnly))
            QVERIFY_FAILS_WITH(loadCampaignFile(path).toResult(), ErrorCode::Io);
        // Opens, and its first read fails (EIO: address 0 is not mapped).
        if (!QFileInfo::exists(u"/proc/self/mem"_s))
            QSKIP("no /proc/self/mem to fail a read with");
        QVERIFY_FAILS_WITH(loadCampaignFile(u"/proc/self/mem"_s).toResult(), ErrorCode::Io);
    }

    void validCampaignAsResult()
    {
        const Result<Campaign> result = parseCampaign(kGoodExample).toResult();
        QVERIFY_RESULT(result);
        QCOMPARE(result->name, u"digits-mlp"_s);
    }

    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addRow("good example") << kGoodExample;
        QTest::addRow("defaults") << campaignWith({});
        QTest::addRow("remote cluster") << campaignWith(
            {{"cluster", R"({"scheduler": "pjm", "host": "flow", "port": 2222, "user": "a12345",
                             "identity": "~/.ssh/id_ed25519", "known_hosts": "~/.ssh/known_hosts",
                             "ssh_config": "~/.ssh/config", "workdir": "~/sweepline",
                             "directives": ["-L rscgrp=cx-share", "-L jobenv=singularity"],
                             "setup": ["module load cuda"], "poll_interval_s": 10, "parallel_submissions": 2,
                             "max_queued": 50})"}});
        QTest::addRow("float ranges") << campaignWith(
            {{"parameters", R"([{"name": "a", "type": "float", "range": {"min": 0.5, "max": 2.5, "step": 0.25}},
                                {"name": "b", "type": "float", "range": {"min": -1, "max": 1, "count": 5}, "default": 0}])"},
             {"job", R"({"command": "run {a} {b}"})"}});
        QTest::addRow("int ranges") << campaignWith(
            {{"parameters",
              R"([{"name": "a", "type": "int", "range": {"min": 1, "max": 1000, "count": 10, "log": true}},
                                {"name": "b", "type": "int", "range": {"min": -9007199254740992, "max": 9007199254740992, "step": 9007199254740992}}])"},
             {"job", R"({"command": "run {a} {b}"})"}});
        QTest::addRow("float values given as integers") << campaignWith(
            {{"parameters", R"([{"name": "x", "type": "float", "values": [1, 2.5, 1e-05], "default": 1}])"}});
        QTest::addRow("everything optional") << campaignWith(
            {{"parameters", R"([{"name": "x", "type": "choice", "values": ["", "a b", "ü"], "default": ""}])"},
             {"objective", R"j({"metric": "accuracy", "direction": "maximize", "pattern": "acc=(\\S+)"})j"},
             {"search", R"({"strategy": "random", "max_trials": 7, "parallel": 3, "seed": 18446744073709551615})"},
             {"job", R"({"command": "echo {{x}} {x}", "files": ["a", "b/c"], "time_limit": "1-02:03:04"})"},
             {"cluster", R"({"scheduler": "local"})"}});
        QTest::addRow("early stopping and steps") << campaignWith(
            {{"objective", R"j({"metric": "loss", "step_pattern": "^epoch (\\d+)"})j"},
             {"search",
              R"({"strategy": "tpe", "early_stopping": {"rule": "hyperband", "min_steps": 3, "max_steps": 81}})"}});
    }

    void roundTrip()
    {
        QFETCH(QByteArray, json);
        const Campaign first = parsedOrFail(json);
        const QByteArray written = toJson(first);
        const ParseOutcome again = parseCampaign(written);
        QCOMPARE(issueTexts(again), QStringList());
        QCOMPARE(toJson(*again.campaign), written);
        QCOMPARE(definitionFingerprint(*again.campaign), definitionFingerprint(first));
        QCOMPARE(definitionDifferences(first, *again.campaign), QStringList());
        for (int i = 0; i < first.parameters.size(); ++i) {
            QCOMPARE(again.campaign->parameters.at(i).candidates, first.parameters.at(i).candidates);
            QCOMPARE(again.campaign->parameters.at(i).defaultIndex, first.parameters.at(i).defaultIndex);
        }
    }

    void earlyStoppingSettings_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("rule");
        QTest::addColumn<QList<int>>("numbers"); // startup, warmup, min steps, reduction factor, max steps (0: none)
        QTest::addRow("none") << QByteArray(R"({"rule": "none"})") << int(EarlyStoppingRule::None)
                              << QList<int>{5, 0, 1, 3, 0};
        QTest::addRow("median defaults") << QByteArray(R"({"rule": "median"})") << int(EarlyStoppingRule::Median)
                                         << QList<int>{5, 0, 1, 3, 0};
        QTest::addRow("median") << QByteArray(R"({"rule": "median", "startup_trials": 0, "warmup_steps": 1000000})")
                                << int(EarlyStoppingRule::Median) << QList<int>{0, 1000000, 1, 3, 0};
        QTest::addRow("asha") << QByteArray(R"({"rule": "asha", "min_steps": 1000000, "reduction_factor": 100})")
                              << int(EarlyStoppingRule::Asha) << QList<int>{5, 0, 1000000, 100, 0};
        QTest::addRow("hyperband defaults")
            << QByteArray(R"({"rule": "hyperband"})") << int(EarlyStoppingRule::Hyperband) << QList<int>{5, 0, 1, 3, 0};
        QTest::addRow("hyperband") << QByteArray(
            R"({"rule": "hyperband", "min_steps": 2, "reduction_factor": 2, "max_steps": 4})")
                                   << int(EarlyStoppingRule::Hyperband) << QList<int>{5, 0, 2, 2, 4};
        QTest::addRow("hyperband longest") << QByteArray(R"({"max_steps": 10000000, "rule": "hyperband"})")
                                           << int(EarlyStoppingRule::Hyperband) << QList<int>{5, 0, 1, 3, 10000000};
    }

    // Read into the settings, written back with the keys the rule reads, read again the same.
    void earlyStoppingSettings()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, rule);
        QFETCH(QList<int>, numbers);
        const QByteArray search = R"({"strategy": "random", "early_stopping": )" + body + "}";
        const Campaign campaign = parsedOrFail(campaignWith({{"search", search.constData()}}));
        const EarlyStopping& settings = campaign.search.earlyStopping;
        QCOMPARE(int(settings.rule), rule);
        QCOMPARE(settings.startupTrials, numbers.at(0));
        QCOMPARE(settings.warmupSteps, numbers.at(1));
        QCOMPARE(settings.minSteps, numbers.at(2));
        QCOMPARE(settings.reductionFactor, numbers.at(3));
        QCOMPARE(settings.maxSteps, numbers.at(4) ? std::optional<int>(numbers.at(4)) : std::nullopt);

        const QByteArray written = toJson(campaign);
        QCOMPARE(written.contains("early_stopping"), settings.enabled());
        QCOMPARE(written.contains("startup_trials"), settings.rule == EarlyStoppingRule::Median);
        QCOMPARE(written.contains("min_steps"),
                 settings.rule == EarlyStoppingRule::Asha || settings.rule == EarlyStoppingRule::Hyperband);
        QCOMPARE(written.contains("max_steps"), settings.maxSteps.has_value());
        const Campaign again = parsedOrFail(written);
        QCOMPARE(toJson(again), written);
        const EarlyStopping& read = again.search.earlyStopping;
        QCOMPARE(read.rule, settings.rule);
        QCOMPARE(read.startupTrials, settings.startupTrials);
        QCOMPARE(read.warmupSteps, settings.warmupSteps);
        QCOMPARE(read.minSteps, settings.minSteps);
        QCOMPARE(read.reductionFactor, settings.reductionFactor);
        QCOMPARE(read.maxSteps, settings.maxSteps);
    }

    // A rule judges curves, whatever proposes the trials.
    void everyStrategyTakesEveryRule()
    {
        for (const std::string& strategy : sweepline::tuning::strategyNames()) {
            for (EarlyStoppingRule rule : allEarlyStoppingRules()) {
                const QByteArray search = "{\"strategy\": \"" + QByteArray::fromStdString(strategy)
                    + "\", \"early_stopping\": {\"rule\": \"" + ruleKeyword(rule).toUtf8() + "\"}}";
                const ParseOutcome outcome = parseCampaign(campaignWith({{"search", search.constData()}}));
                QVERIFY2(outcome.campaign, qPrintable(issueTexts(outcome).join(u'\n')));
                QCOMPARE(outcome.campaign->search.earlyStopping.rule, rule);
            }
        }
    }

    void ruleKeywords()
    {
        QCOMPARE(allEarlyStoppingRules().size(), 4);
        QStringList keywords;
        for (EarlyStoppingRule rule : allEarlyStoppingRules()) {
            keywords.append(ruleKeyword(rule));
            QCOMPARE(earlyStoppingRuleFromKeyword(ruleKeyword(rule)), std::optional<EarlyStoppingRule>(rule));
        }
        QCOMPARE(keywords, (QStringList{u"none"_s, u"median"_s, u"asha"_s, u"hyperband"_s}));
        QVERIFY(!earlyStoppingRuleFromKeyword(u"Median"_s));
        QVERIFY(!earlyStoppingRuleFromKeyword(QString()));
    }

    void stepPattern()
    {
        const Campaign plain = parsedOrFail(campaignWith({}));
        QVERIFY(plain.objective.stepPattern.isEmpty());
        QVERIFY(!toJson(plain).contains("step_pattern"));
        QVERIFY(!plain.search.earlyStopping.enabled());
        const Campaign stepped =
            parsedOrFail(campaignWith({{"objective", R"j({"metric": "loss", "step_pattern": "epoch (\\d+)"})j"}}));
        QCOMPARE(stepped.objective.stepPattern, u"epoch (\\d+)"_s);
        QVERIFY(toJson(stepped).contains(R"j("step_pattern": "epoch (\\d+)")j"));
    }

    // Fingerprints are what a store compares a campaign with: a campaign that says nothing of early
    // stopping or steps must keep the fingerprint it had before they existed, or every existing store
    // would refuse its own campaign. These were computed with the code before step_pattern and
    // early_stopping were added (commit 70f40ab); they must never change.
    void fingerprintOfOlderCampaignsUnchanged()
    {
        QCOMPARE(definitionFingerprint(parsedOrFail(kGoodExample)),
                 u"2c0481e469d5bf7461e980532115a975e30c5c848de8eddd0b31bc680be0719a"_s);
        const Campaign withPattern =
            parsedOrFail(campaignWith({{"objective", R"j({"metric": "loss", "pattern": "loss=(\\S+)"})j"}}));
        QCOMPARE(definitionFingerprint(withPattern),
                 u"d5434b351cb7c30eaaef288d96afdc95e54ea59d93fbd668345907942f8af95b"_s);
    }

    void parallelSubmissions()
    {
        // Read, written back only when it is not the default, and read again the same.
        const Campaign given = parsedOrFail(
            campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "parallel_submissions": 1})"}}));
        QCOMPARE(given.cluster.parallelSubmissions, 1);
        const QByteArray written = toJson(given);
        QVERIFY(written.contains(R"("parallel_submissions": 1)"));
        QCOMPARE(parsedOrFail(written).cluster.parallelSubmissions, 1);

        const Campaign omitted = parsedOrFail(campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h"})"}}));
        QCOMPARE(omitted.cluster.parallelSubmissions, 4);
        QVERIFY(!toJson(omitted).contains("parallel_submissions"));
        const Campaign most = parsedOrFail(
            campaignWith({{"cluster", R"({"scheduler": "ssh", "host": "h", "parallel_submissions": 32})"}}));
        QCOMPARE(most.cluster.parallelSubmissions, 32);
    }

    void maxQueued()
    {
        // Read, written back when set, and read again the same; absent means no cap.
        const Campaign given =
            parsedOrFail(campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h", "max_queued": 20})"}}));
        QCOMPARE(given.cluster.maxQueued, std::optional<int>(20));
        const QByteArray written = toJson(given);
        QVERIFY(written.contains(R"("max_queued": 20)"));
        QCOMPARE(parsedOrFail(written).cluster.maxQueued, std::optional<int>(20));

        const Campaign omitted = parsedOrFail(campaignWith({{"cluster", R"({"scheduler": "slurm", "host": "h"})"}}));
        QVERIFY(!omitted.cluster.maxQueued);
        QVERIFY(!toJson(omitted).contains("max_queued"));
        QCOMPARE(parsedOrFail(campaignWith({{"cluster", R"({"scheduler": "pbs", "host": "h", "max_queued": 1})"}}))
                     .cluster.maxQueued,
                 std::optional<int>(1));
        QCOMPARE(parsedOrFail(campaignWith({{"cluster", R"({"scheduler": "ssh", "host": "h", "max_queued": 100000})"}}))
                     .cluster.maxQueued,
                 std::optional<int>(100000));
    }

    void toJsonFormat()
    {
        const QByteArray expected = R"({
  "name": "digits-mlp",
  "parameters": [
    {
      "name": "hidden",
      "type": "int",
      "values": [
        8,
        16,
        32,
        64,
        128
      ],
      "default": 32
    },
    {
      "name": "learning_rate",
      "type": "float",
      "range": {
        "min": 0.0001,
        "max": 0.1,
        "count": 7,
        "log": true
      },
      "default": 0.001
    },
    {
      "name": "batch_size",
      "type": "int",
      "range": {
        "min": 1,
        "max": 700,
        "step": 1
      },
      "default": 256
    },
    {
      "name": "solver",
      "type": "choice",
      "values": [
        "sgd",
        "adam"
      ],
      "default": "adam"
    }
  ],
  "objective": {
    "metric": "loss",
    "direction": "minimize"
  },
  "search": {
    "strategy": "grid",
    "max_trials": 100,
    "parallel": 4,
    "seed": 1
  },
  "job": {
    "command": "/usr/bin/python3 train.py --hidden {hidden} --lr {learning_rate}",
    "files": [
      "train.py"
    ],
    "time_limit": "00:30:00"
  },
  "cluster": {
    "scheduler": "local"
  }
}
)";
        QCOMPARE(toJson(parsedOrFail(kGoodExample)), expected);
    }

    void fingerprint_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QStringList>("differences");
        const auto same = QStringList();
        QTest::addRow("max_trials") << QByteArray(R"("max_trials": 100)") << QByteArray(R"("max_trials": 5)") << same;
        QTest::addRow("parallel") << QByteArray(R"("parallel": 4)") << QByteArray(R"("parallel": 1)") << same;
        QTest::addRow("time limit") << QByteArray(R"("00:30:00")") << QByteArray(R"("01:00:00")") << same;
        QTest::addRow("files") << QByteArray(R"(["train.py"])") << QByteArray(R"([])") << same;
        QTest::addRow("cluster") << QByteArray(R"("cluster": {"scheduler": "local"})") << QByteArray(R"("cluster": {})")
                                 << same;
        QTest::addRow("name") << QByteArray(R"("digits-mlp")") << QByteArray(R"("digits-mlp-2")") << same;
        QTest::addRow("range written differently")
            << QByteArray(R"("range": {"min": 1, "max": 700, "step": 1})")
            << QByteArray(R"("range": {"min": 1, "max": 700, "count": 700})") << same;
        QTest::addRow("value order") << QByteArray("[8, 16, 32,") << QByteArray("[16, 8, 32,")
                                     << QStringList{u"parameters"_s};
        QTest::addRow("range count") << QByteArray(R"("count": 7)") << QByteArray(R"("count": 4)")
                                     << QStringList{u"parameters"_s};
        QTest::addRow("default") << QByteArray(R"("default": 32)") << QByteArray(R"("default": 64)")
                                 << QStringList{u"parameters"_s};
        QTest::addRow("parameter name") << QByteArray(R"("name": "solver")") << QByteArray(R"("name": "optimizer")")
                                        << QStringList{u"parameters"_s};
        QTest::addRow("metric") << QByteArray(R"("metric": "loss")") << QByteArray(R"("metric": "val_loss")")
                                << QStringList{u"objective"_s};
        QTest::addRow("direction") << QByteArray(R"("minimize")") << QByteArray(R"("maximize")")
                                   << QStringList{u"objective"_s};
        QTest::addRow("strategy") << QByteArray(R"("grid")") << QByteArray(R"("random")")
                                  << QStringList{u"search.strategy"_s};
        QTest::addRow("seed") << QByteArray(R"("seed": 1)") << QByteArray(R"("seed": 2)")
                              << QStringList{u"search.seed"_s};
        QTest::addRow("command") << QByteArray("train.py --hidden") << QByteArray("train2.py --hidden")
                                 << QStringList{u"job.command"_s};
        // Early stopping may change between runs of one store, like the budget; the steps may not.
        QTest::addRow("early stopping added")
            << QByteArray(R"("seed": 1})") << QByteArray(R"("seed": 1, "early_stopping": {"rule": "asha"}})") << same;
        QTest::addRow("step pattern added")
            << QByteArray(R"("direction": "minimize"})")
            << QByteArray(R"j("direction": "minimize", "step_pattern": "epoch (\\d+)"})j")
            << QStringList{u"objective"_s};
        QTest::addRow("several") << QByteArray("\"seed\": 1},\n  \"job\": {\"command\": \"/usr/bin/python3")
                                 << QByteArray("\"seed\": 9},\n  \"job\": {\"command\": \"python3")
                                 << QStringList{u"search.seed"_s, u"job.command"_s};
    }

    void fingerprint()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QStringList, differences);
        QVERIFY2(kGoodExample.count(from) == 1, from.constData());
        const Campaign stored = parsedOrFail(kGoodExample);
        const Campaign current = parsedOrFail(QByteArray(kGoodExample).replace(from, to));
        QCOMPARE(definitionDifferences(stored, current), differences);
        QCOMPARE(definitionFingerprint(stored) == definitionFingerprint(current), differences.isEmpty());
        QCOMPARE(definitionFingerprint(stored).size(), 64);
        QCOMPARE(definitionFingerprint(stored), definitionFingerprint(parsedOrFail(kGoodExample)));
    }

    void formatValue_data()
    {
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<QString>("expected");
        QTest::addRow("int") << QVariant::fromValue(qint64(42)) << u"42"_s;
        QTest::addRow("negative int") << QVariant::fromValue(qint64(-7)) << u"-7"_s;
        QTest::addRow("large int") << QVariant::fromValue(std::numeric_limits<qint64>::max())
                                   << u"9223372036854775807"_s;
        QTest::addRow("0.001") << QVariant(0.001) << u"0.001"_s;
        QTest::addRow("0.0001") << QVariant(0.0001) << u"0.0001"_s;
        QTest::addRow("1e-05") << QVariant(1e-05) << u"1e-05"_s;
        QTest::addRow("no rounding") << QVariant(0.1 + 0.2) << u"0.30000000000000004"_s;
        QTest::addRow("integral double") << QVariant(2.0) << u"2"_s;
        QTest::addRow("negative zero") << QVariant(-0.0) << u"0"_s;
        QTest::addRow("large double") << QVariant(123456789.0) << u"123456789"_s;
        QTest::addRow("huge double") << QVariant(1e21) << u"1e+21"_s;
        QTest::addRow("negative double") << QVariant(-2.5) << u"-2.5"_s;
        QTest::addRow("choice") << QVariant(u"adam"_s) << u"adam"_s;
        QTest::addRow("choice with spaces") << QVariant(u" a b "_s) << u" a b "_s;
        QTest::addRow("invalid") << QVariant() << QString();
    }

    void formatValue()
    {
        QFETCH(QVariant, value);
        QFETCH(QString, expected);
        QCOMPARE(Campaign::formatValue(value), expected);
    }

    void searchSpace()
    {
        const sweepline::tuning::SearchSpace space = parsedOrFail(kGoodExample).searchSpace();
        QCOMPARE(space.dimensionCount(), std::size_t(4));
        const auto& dimensions = space.dimensions();
        QCOMPARE(dimensions[0].name, std::string("hidden"));
        QCOMPARE(dimensions[0].kind, sweepline::tuning::DimensionKind::Ordinal);
        QCOMPARE(dimensions[0].size, std::size_t(5));
        QCOMPARE(dimensions[0].numericValues, (std::vector<double>{8, 16, 32, 64, 128}));
        QVERIFY(!dimensions[0].logScale);
        QCOMPARE(dimensions[0].defaultIndex, std::optional<std::size_t>(2));
        QVERIFY(dimensions[1].logScale);
        QCOMPARE(dimensions[1].numericValues.front(), 0.0001);
        QCOMPARE(dimensions[2].size, std::size_t(700));
        QCOMPARE(dimensions[2].defaultIndex, std::optional<std::size_t>(255));
        QCOMPARE(dimensions[3].kind, sweepline::tuning::DimensionKind::Categorical);
        QCOMPARE(dimensions[3].size, std::size_t(2));
        QVERIFY(dimensions[3].numericValues.empty());
        QCOMPARE(space.cardinality(), std::optional<std::uint64_t>(5 * 7 * 700 * 2));
    }
};

QTEST_GUILESS_MAIN(TestCampaignParser)
#include "tst_campaignparser.moc"
