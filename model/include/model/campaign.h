#pragma once

#include "model/result.h"
#include "tuning/searchspace.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace sweepline::model {

using namespace Qt::StringLiterals;

enum class ParameterType { Int, Float, Choice };

// A range as the user wrote it; it expands to Parameter::candidates.
struct ParameterRange {
    double min = 0;
    double max = 0;
    std::optional<double> step;
    std::optional<int> count;
    bool log = false;
};

struct Parameter {
    QString name;
    ParameterType type = ParameterType::Int;
    // Exactly one of these two is the user's definition.
    QVariantList listedValues;           // "values": qint64 for int, double for float, QString for choice
    std::optional<ParameterRange> range; // "range"
    QVariant defaultValue;               // invalid when no default was given

    // The expanded, ordered candidates (same QVariant types as listedValues) and the default's index.
    QVariantList candidates;
    std::optional<int> defaultIndex;
};

enum class Direction { Minimize, Maximize };

struct Objective {
    QString metric;
    Direction direction = Direction::Minimize;
    QString pattern; // optional regex with exactly one capture group; empty: the default rule
    // optional regex with exactly one capture group matching a whole number: the step of the metric
    // values printed after it (the last step printed before a value is that value's step). Empty: a
    // value's step is its position, from 1.
    QString stepPattern;
};

enum class EarlyStoppingRule { None, Median, Asha, Hyperband };

// search.early_stopping; see tuning/pruner.h for what each rule does.
struct EarlyStopping {
    EarlyStoppingRule rule = EarlyStoppingRule::None;
    int startupTrials = 5;       // median
    int warmupSteps = 0;         // median
    int minSteps = 1;            // asha, hyperband
    int reductionFactor = 3;     // asha, hyperband
    std::optional<int> maxSteps; // hyperband; empty: from the first trial to complete

    bool enabled() const { return rule != EarlyStoppingRule::None; }
};

QString ruleKeyword(EarlyStoppingRule rule); // "none", "median", "asha", "hyperband"
std::optional<EarlyStoppingRule> earlyStoppingRuleFromKeyword(const QString& keyword);
const QList<EarlyStoppingRule>& allEarlyStoppingRules(); // in the order above

struct SearchSettings {
    QString strategy = u"grid"_s;
    int maxTrials = 100;
    int parallel = 1;
    quint64 seed = 0;
    EarlyStopping earlyStopping;
};

struct JobSettings {
    QString command;
    QStringList files; // relative to the campaign file's folder
    QString timeLimit; // as written: "HH:MM:SS", "MM:SS" or "D-HH:MM:SS"; empty: none
    std::optional<qint64> timeLimitSeconds;
};

// The largest cluster.max_queued: no site caps a user's queue anywhere near it, so a larger value is a typo.
inline constexpr int kMaxQueuedLimit = 100000;

struct ClusterSettings {
    QString scheduler = u"local"_s; // local, ssh, slurm, pjm, pbs
    // Where the login node is. host may be an alias of ~/.ssh/config (or of sshConfig); the alias's
    // User, Port, IdentityFile and ProxyJump apply, and the keys given here win.
    QString host;
    std::optional<int> port;
    QString user;
    QString identity;                 // a private key file; "~/" is the home folder
    QString knownHosts;               // default: ~/.ssh/known_hosts
    QString sshConfig;                // default: ~/.ssh/config
    QString workdir = u"sweepline"_s; // on the cluster, relative to the home folder
    QStringList directives;           // the scheduler's own options, one per line
    QStringList setup;                // lines run in the job script before the command
    int pollIntervalSeconds = 30;
    int parallelSubmissions = 4; // submit commands (sbatch, pjsub, qsub) of one batch running at once
    // At most this many of the campaign's jobs in the queue at once (queued and running); none: no cap.
    // Sites cap jobs per user; staying under the cap keeps submissions from being refused.
    std::optional<int> maxQueued;

    bool isRemote() const { return scheduler != u"local"_s; }
};

struct Campaign {
    QString name;
    QList<Parameter> parameters;
    Objective objective;
    SearchSettings search;
    JobSettings job;
    ClusterSettings cluster;

    QString sourcePath; // absolute path of the campaign file, empty when parsed from memory

    int parameterIndex(const QString& name) const; // -1 when absent
    tuning::SearchSpace searchSpace() const;
    // Text form of a candidate for commands, CSV and messages: ints in decimal, floats in their
    // shortest round-trip form, choices verbatim.
    static QString formatValue(const QVariant& value);
};

struct ValidationIssue {
    QString path;    // JSON path such as "parameters[2].values"; empty for the document as a whole
    QString message; // "must not be empty"
    QString toString() const { return path.isEmpty() ? message : path + u": "_s + message; }
};

struct ParseOutcome {
    std::optional<Campaign> campaign; // set only when issues is empty
    QList<ValidationIssue> issues;    // every problem found, in document order
    // Why there is no campaign: InvalidInput when the document was refused, NotFound when the file is
    // not there, Io when it could not be read.
    ErrorCode code = ErrorCode::InvalidInput;

    // For callers that pass a failure on: the campaign, or the code with every issue, one a line.
    Result<Campaign> toResult() const;
};

// Parses and validates a campaign document. sourcePath locates job.files; it may be empty.
ParseOutcome parseCampaign(const QByteArray& json, const QString& sourcePath = {});
ParseOutcome loadCampaignFile(const QString& path);

// The campaign in the file format, with ranges kept as ranges. parseCampaign(toJson(c)) == c.
QByteArray toJson(const Campaign& campaign);

// A stable digest of what gives trials their meaning: parameters and their candidates, objective,
// strategy and seed, and the job command. Budget, parallelism and cluster may change freely.
QString definitionFingerprint(const Campaign& campaign);

// Names the parts that differ between two definitions, e.g. {"parameters", "job.command"}.
QStringList definitionDifferences(const Campaign& stored, const Campaign& current);

const QStringList& knownSchedulers();

// "int", "float" or "choice", as the campaign file spells a parameter's type.
QString typeKeyword(ParameterType type);

// The smallest campaign the validator accepts: a frame in which one section (a time limit, a
// cluster) is judged by the validator itself, with every rule it applies.
Campaign minimalValidCampaign();

// The names the engine gives the files it writes into every run folder (remote/jobscript.h and the
// cancel marker): job.files are copied there by file name and must not take one of them.
const QStringList& reservedRunFileNames();

} // namespace sweepline::model
