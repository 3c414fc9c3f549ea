#pragma once

#include "tuning/searchspace.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sweepline::tuning {

// Where a point came from, for the transition-per-stage figure and the export.
struct Labels {
    int stage = 0;         // d-Spline: how many axes the search direction changes (1-axis, 2-axes, ...)
    std::string direction; // d-Spline: the direction vector, e.g. "+0,-1,+1"; empty when meaningless
    int batch = 0;         // the round of proposals this point was part of, counted from 1
};

struct Proposal {
    Point point;
    Labels labels;
};

// What a measurement gave. Strategies always minimise: the engine negates maximised metrics.
// A pruned trial (stopped early by the early-stopping rule) is failed too, so a strategy that does
// not look further never takes its value for a result: value is only what it had reached at
// prunedStep, never a final value. A strategy may use that (TPE ranks it below every completed
// trial); each documents how it does.
struct Outcome {
    bool failed = false;
    double value = 0.0;
    bool pruned = false;
    int prunedStep = 0;

    static Outcome success(double v) { return {false, v, false, 0}; }
    static Outcome failure() { return {true, 0.0, false, 0}; }
    static Outcome prunedAt(int step, double valueThere) { return {true, valueThere, true, step}; }
};

struct HistoryEntry {
    Proposal proposal;
    std::optional<Outcome> outcome; // empty while the trial is still pending
};

// The ask/tell contract every search strategy implements.
// ask() may return fewer points than asked for, even none, while the strategy waits for results;
// exhausted() tells when it will never propose again. A point is never proposed twice.
class Strategy {
public:
    virtual ~Strategy() = default;

    virtual std::string_view name() const = 0;
    virtual std::vector<Proposal> ask(std::size_t maxCount) = 0;
    virtual void tell(const Point& point, const Outcome& outcome) = 0;
    virtual bool exhausted() const = 0;

    // Rebuilds the state of an interrupted run from its proposals, in the order they were made,
    // with the outcomes known so far. Called once, before the first ask().
    virtual void restore(const std::vector<HistoryEntry>& history) = 0;
};

struct StrategyOptions {
    std::uint64_t seed = 0;
};

// nullptr when the name is not one of strategyNames().
std::unique_ptr<Strategy> makeStrategy(std::string_view name, const SearchSpace& space, const StrategyOptions& options);
const std::vector<std::string>& strategyNames();

} // namespace sweepline::tuning
