#include "tuning/pruner.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <unordered_map>

namespace sweepline::tuning {

namespace {

// What every rule keeps about a running trial. Freed when the trial ends.
struct RunningTrial {
    int lastStep = 0;
    bool stop = false;
    double best = 0.0;                         // median: the smallest value so far
    std::vector<std::pair<int, double>> curve; // median: kept so that a completed trial can be compared against
    std::size_t nextRung = 0;                  // asha, hyperband: the first rung the trial has not passed
};

// The shared part of report() and restore(): ignored steps, the sticky answer and NaN. The rules only
// judge a new, finite value of a trial not yet told to stop.
class RuleBase : public Pruner {
public:
    bool report(TrialKey trial, int step, double value) final
    {
        RunningTrial& t = m_running[trial];
        if (step <= t.lastStep)
            return t.stop;
        t.lastStep = step;
        observe(t, step, value);
        if (t.stop)
            return true;
        t.stop = std::isnan(value) || judge(trial, t, step, value);
        return t.stop;
    }

    void end(TrialKey trial, End how) final
    {
        auto it = m_running.find(trial);
        if (it == m_running.end()) {
            const RunningTrial silent; // a trial that ended without printing a value
            ended(trial, silent, how);
            return;
        }
        ended(trial, it->second, how);
        m_running.erase(it);
    }

    // The store keeps curves per trial, not the order values arrived in across trials, so the replay
    // goes trial by trial: each curve whole, then its end. Values recorded at a rung may therefore be
    // compared in another order than they were in the interrupted run (see docs/early-stopping.md).
    void restore(const std::vector<Recorded>& trials) final
    {
        for (const Recorded& r : trials) {
            for (const auto& [step, value] : r.curve)
                report(r.trial, step, value);
            if (r.end)
                end(r.trial, *r.end);
        }
    }

protected:
    // Every accepted value, even one of a trial already told to stop (it may still end completed).
    virtual void observe(RunningTrial&, int /*step*/, double /*value*/) {}
    virtual bool judge(TrialKey trial, RunningTrial& t, int step, double value) = 0;
    virtual void ended(TrialKey trial, const RunningTrial& t, End how) = 0;

private:
    std::unordered_map<TrialKey, RunningTrial> m_running;
};

// numpy.percentile(values, 50) with its default linear interpolation, on sorted values; numpy's
// lerp form, so that an even count gives the same double Optuna compares against.
double medianOfSorted(const std::vector<double>& sorted)
{
    const double position = 0.5 * double(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double t = position - double(below);
    const double a = sorted[below];
    const double b = sorted[above];
    const double difference = b - a;
    return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

void insertSorted(std::vector<double>& sorted, double value)
{
    sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), value), value);
}

// Optuna's MedianPruner (PercentilePruner at 50) with interval_steps 1 and n_min_trials 1.
class MedianRule final : public RuleBase {
public:
    explicit MedianRule(const EarlyStoppingOptions& options)
        : m_startupTrials(options.startupTrials),
          m_warmupSteps(options.warmupSteps)
    {}

    std::string_view name() const override { return "median"; }

protected:
    void observe(RunningTrial& t, int step, double value) override
    {
        if (t.curve.empty() || value < t.best)
            t.best = value;
        t.curve.emplace_back(step, value);
    }

    bool judge(TrialKey, RunningTrial& t, int step, double) override
    {
        // Without a completed trial there is no value to compare against, even with startup_trials 0,
        // as in Optuna.
        if (m_completed < m_startupTrials)
            return false;
        if (step <= m_warmupSteps)
            return false;
        const auto there = m_completedValues.find(step);
        if (there == m_completedValues.end() || there->second.empty())
            return false;
        return t.best > medianOfSorted(there->second);
    }

    void ended(TrialKey, const RunningTrial& t, End how) override
    {
        if (how != End::Completed)
            return;
        ++m_completed;
        for (const auto& [step, value] : t.curve) {
            if (!std::isnan(value)) // numpy's nanpercentile leaves NaNs out
                insertSorted(m_completedValues[step], value);
        }
    }

private:
    int m_startupTrials;
    int m_warmupSteps;
    int m_completed = 0;
    std::map<int, std::vector<double>> m_completedValues; // step -> completed trials' values, sorted
};

// One asynchronous successive halving: the values recorded at each rung, by every trial that reached it.
class Rungs {
public:
    Rungs(std::int64_t firstRungStep, int reductionFactor)
        : m_firstRungStep(firstRungStep),
          m_reductionFactor(reductionFactor)
    {}

    // Records value at every rung from nextRung up to step, in turn, and checks it there; false when
    // it is not promotable at one of them (its value stays recorded at that rung).
    bool promote(std::size_t& nextRung, int step, double value)
    {
        while (step >= rungStep(nextRung)) {
            if (m_values.size() <= nextRung)
                m_values.resize(nextRung + 1);
            std::vector<double>& competing = m_values[nextRung];
            insertSorted(competing, value);
            // Optuna: the best 1/eta of the values so far, and at least the best one; ties go on.
            const std::size_t promotable =
                std::max<std::size_t>(competing.size() / std::size_t(m_reductionFactor), 1) - 1;
            if (!(value <= competing[promotable]))
                return false;
            ++nextRung;
        }
        return true;
    }

private:
    // Past INT_MAX no step can reach the rung.
    std::int64_t rungStep(std::size_t rung) const
    {
        std::int64_t s = m_firstRungStep;
        for (std::size_t k = 0; k < rung && s <= INT_MAX; ++k)
            s *= m_reductionFactor;
        return s;
    }

    std::int64_t m_firstRungStep;
    int m_reductionFactor;
    std::vector<std::vector<double>> m_values; // per rung, sorted
};

// Optuna's SuccessiveHalvingPruner(min_resource, reduction_factor, min_early_stopping_rate=0,
// bootstrap_count=0).
class AshaRule final : public RuleBase {
public:
    explicit AshaRule(const EarlyStoppingOptions& options) : m_rungs(options.minSteps, options.reductionFactor) {}

    std::string_view name() const override { return "asha"; }

protected:
    bool judge(TrialKey, RunningTrial& t, int step, double value) override
    {
        return !m_rungs.promote(t.nextRung, step, value);
    }
    void ended(TrialKey, const RunningTrial&, End) override {}

private:
    Rungs m_rungs;
};

// Optuna's HyperbandPruner(min_resource, max_resource, reduction_factor, bootstrap_count=0): bracket b
// is an ASHA whose first rung is at minSteps * eta^b, and a trial competes only within its bracket.
class HyperbandRule final : public RuleBase {
public:
    explicit HyperbandRule(const EarlyStoppingOptions& options)
        : m_minSteps(options.minSteps),
          m_reductionFactor(options.reductionFactor)
    {
        if (options.maxSteps)
            makeBrackets(*options.maxSteps);
    }

    std::string_view name() const override { return "hyperband"; }

protected:
    bool judge(TrialKey trial, RunningTrial& t, int step, double value) override
    {
        if (m_brackets.empty())
            return false; // max_steps "auto" and no trial has completed yet
        return !m_brackets[bracketOf(trial)].promote(t.nextRung, step, value);
    }

    void ended(TrialKey, const RunningTrial& t, End how) override
    {
        // Optuna's "auto": the length of a completed trial's curve (its max(last_step) + 1, since its
        // steps count from 0). A completed trial that printed nothing says nothing about the length.
        if (m_brackets.empty() && how == End::Completed && t.lastStep > 0)
            makeBrackets(t.lastStep);
    }

private:
    void makeBrackets(int maxSteps)
    {
        // floor(log_eta(maxSteps / minSteps)) + 1, in integers (Optuna's math.log can round
        // log_3(243) down to 4.99...). At least one bracket, even for a curve shorter than minSteps.
        int count = 1;
        for (std::int64_t first = std::int64_t(m_minSteps) * m_reductionFactor; first <= maxSteps;
             first *= m_reductionFactor)
            ++count;
        std::vector<std::int64_t> budgets;
        std::int64_t firstRungStep = m_minSteps;
        for (int bracket = 0; bracket < count; ++bracket) {
            // Optuna's trial allocation budget: ceil(n * eta^s / (s + 1)), s = n - 1 - bracket.
            const int s = count - 1 - bracket;
            std::int64_t power = 1;
            for (int k = 0; k < s; ++k)
                power *= m_reductionFactor;
            budgets.push_back((std::int64_t(count) * power + s) / (s + 1));
            m_brackets.emplace_back(firstRungStep, m_reductionFactor);
            firstRungStep *= m_reductionFactor;
        }
        m_budgets = std::move(budgets);
        for (std::int64_t b : m_budgets)
            m_totalBudget += b;
        m_credit.assign(m_budgets.size(), 0);
    }

    // Optuna draws the bracket from a hash of the study name and the trial number. A smooth weighted
    // round robin over the trial number instead: positions 0 .. total-1 of a cycle, bracket b taking
    // budget[b] of them, spread out. The cycle is made lazily, as far as the largest trial number
    // seen, since the total budget can be millions.
    std::size_t bracketOf(TrialKey trial)
    {
        const auto position = static_cast<std::size_t>(((trial % m_totalBudget) + m_totalBudget) % m_totalBudget);
        while (m_cycle.size() <= position) {
            std::size_t chosen = 0;
            for (std::size_t b = 0; b < m_budgets.size(); ++b) {
                m_credit[b] += m_budgets[b];
                if (m_credit[b] > m_credit[chosen])
                    chosen = b;
            }
            m_credit[chosen] -= m_totalBudget;
            m_cycle.push_back(static_cast<int>(chosen));
        }
        return static_cast<std::size_t>(m_cycle[position]);
    }

    int m_minSteps;
    int m_reductionFactor;
    std::vector<Rungs> m_brackets; // empty until max_steps is known
    std::vector<std::int64_t> m_budgets;
    std::int64_t m_totalBudget = 0;
    std::vector<std::int64_t> m_credit;
    std::vector<int> m_cycle;
};

struct Range {
    const char* key;
    int EarlyStoppingOptions::*field;
    int lowest;
    int highest;
};

} // namespace

const std::vector<std::string>& earlyStoppingRules()
{
    static const std::vector<std::string> rules{"none", "median", "asha", "hyperband"};
    return rules;
}

std::unique_ptr<Pruner> makePruner(const EarlyStoppingOptions& options)
{
    if (options.rule == "median")
        return std::make_unique<MedianRule>(options);
    if (options.rule == "asha")
        return std::make_unique<AshaRule>(options);
    if (options.rule == "hyperband")
        return std::make_unique<HyperbandRule>(options);
    return nullptr;
}

std::string earlyStoppingProblem(const EarlyStoppingOptions& options)
{
    const auto& rules = earlyStoppingRules();
    if (std::find(rules.begin(), rules.end(), options.rule) == rules.end()) {
        std::string known;
        for (const auto& r : rules)
            known += (known.empty() ? "" : ", ") + r;
        return "rule \"" + options.rule + "\" is not one of " + known;
    }
    static const Range ranges[] = {
        {"min_steps", &EarlyStoppingOptions::minSteps, 1, 1000000},
        {"reduction_factor", &EarlyStoppingOptions::reductionFactor, 2, 100},
        {"startup_trials", &EarlyStoppingOptions::startupTrials, 0, 1000000},
        {"warmup_steps", &EarlyStoppingOptions::warmupSteps, 0, 1000000},
    };
    for (const Range& r : ranges) {
        const int value = options.*r.field;
        if (value < r.lowest)
            return std::string(r.key) + " must be at least " + std::to_string(r.lowest);
        if (value > r.highest)
            return std::string(r.key) + " must be at most " + std::to_string(r.highest);
    }
    if (options.maxSteps) {
        const std::int64_t shortest = std::int64_t(options.minSteps) * options.reductionFactor;
        if (*options.maxSteps < shortest)
            return "max_steps must be at least min_steps * reduction_factor (" + std::to_string(shortest) + ")";
        constexpr int longest = 10000000;
        if (*options.maxSteps > longest)
            return "max_steps must be at most " + std::to_string(longest);
    }
    return {};
}

} // namespace sweepline::tuning
