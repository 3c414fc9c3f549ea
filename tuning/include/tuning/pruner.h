#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sweepline::tuning {

// Early stopping: which running trials to stop, judged on their learning curves.
//
// A step is the n-th intermediate value a run printed (from 1), or the step number the run printed
// itself (objective.step_pattern). Values are minimised: the engine negates maximised metrics. Like
// the strategies, a rule is plain computation: the engine feeds it values as they arrive and acts on
// its answers (it cancels the job and records the trial as pruned).
struct EarlyStoppingOptions {
    std::string rule = "none"; // one of earlyStoppingRules()

    // median: Optuna's MedianPruner. No trial is stopped before startupTrials trials have completed,
    // nor at a step <= warmupSteps (Optuna's n_warmup_steps, whose steps count from 0). A trial is
    // stopped when its best value so far is worse than the median of the completed trials' values
    // at the same step (interpolated, as numpy's percentile; steps no completed trial reached do not
    // judge). Only completed trials count; pruned and failed ones do not.
    int startupTrials = 5;
    int warmupSteps = 0;

    // asha and hyperband: rungs at steps minSteps * reductionFactor^k, k = 0, 1, ... A trial reaching
    // a rung goes on only when its value there is among the best 1/reductionFactor of every value
    // recorded at that rung so far (at least the best one), as Optuna's SuccessiveHalvingPruner does
    // with bootstrap_count 0: promotion is asynchronous, no trial waits for others.
    int minSteps = 1;
    int reductionFactor = 3;
    // hyperband: the longest run, in steps; brackets s = 0 .. floor(log_eta(maxSteps / minSteps)), each
    // an ASHA whose first rung is at minSteps * eta^s, trials spread over them in proportion to the
    // brackets' budgets (Optuna's HyperbandPruner), by a weighted round robin over the trial number
    // where Optuna hashes the study name. Empty: the number of steps of the first trial to complete
    // (Optuna's max_resource "auto"); until then no trial is stopped nor recorded at a rung.
    std::optional<int> maxSteps;
};

// "none", "median", "asha", "hyperband".
const std::vector<std::string>& earlyStoppingRules();

using TrialKey = std::int64_t; // the engine's trial number

class Pruner {
public:
    virtual ~Pruner() = default;

    virtual std::string_view name() const = 0;

    // The trial printed value at step (steps increase within a trial; a repeated or smaller step is
    // ignored). True when the trial should stop now; it goes on answering true for that trial. A NaN
    // value is always a reason to stop.
    virtual bool report(TrialKey trial, int step, double value) = 0;

    enum class End { Completed, Failed, Pruned };
    // The trial ended. Completed trials are what median compares against; every end frees the
    // trial's bookkeeping but keeps what it recorded at the rungs.
    virtual void end(TrialKey trial, End how) = 0;

    // Rebuilds the state of an interrupted run: every trial's curve, in trial order, with how it
    // ended (empty: still running). Decisions are not acted on here: a trial the store says was
    // pruned stays pruned, a running one is judged again on its next value. Called once, first.
    struct Recorded {
        TrialKey trial = 0;
        std::vector<std::pair<int, double>> curve; // (step, value), in the order printed
        std::optional<End> end;
    };
    virtual void restore(const std::vector<Recorded>& trials) = 0;
};

// nullptr for "none"; otherwise the rule (options are assumed valid: the campaign validator checks
// them, and so does earlyStoppingProblem).
std::unique_ptr<Pruner> makePruner(const EarlyStoppingOptions& options);

// Why the options cannot be used ("reduction_factor must be at least 2"), or empty when they can.
// Names the campaign file's keys.
std::string earlyStoppingProblem(const EarlyStoppingOptions& options);

} // namespace sweepline::tuning
