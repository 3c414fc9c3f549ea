#pragma once

#include "tuning/strategy.h"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace sweepline::tuning {

// The knobs of the Tree-structured Parzen Estimator; the defaults are Optuna's TPESampler (3.x).
struct TpeOptions {
    std::size_t startupTrials = 10; // random points until this many trials have a value
    std::size_t eiCandidates = 24;  // samples drawn from l(x) per dimension and proposal
    double gammaFraction = 0.1;     // the good group holds min(ceil(0.1 n), gammaCap) trials
    std::size_t gammaCap = 25;
    std::size_t flatWeights = 25;   // the newest 25 trials of a group weigh 1, older ones less
    double priorWeight = 1.0;       // a broad prior kernel in every estimator
    bool considerEndpoints = false; // Optuna's default: outermost kernels ignore the bounds
    bool magicClip = true;          // bandwidth >= range / min(100, kernels + 1)
};

// Seeded, deterministic pseudo-random numbers (xoshiro256**), the same on every platform.
class TpeRandom {
public:
    explicit TpeRandom(std::uint64_t seed);
    std::uint64_t next();
    double uniform();                     // in [0, 1)
    double normal();                      // standard normal
    std::size_t below(std::size_t bound); // in [0, bound), bound > 0

private:
    std::array<std::uint64_t, 4> m_s{};
};

// One dimension's Parzen estimator over its candidates (index space), built from observed
// candidate indices in chronological order with Optuna's weights, bandwidths and prior.
class TpeParzen {
public:
    // coordinates: strictly increasing position of each candidate (log10 value, value or index);
    // empty for a categorical dimension of `choices` candidates.
    TpeParzen(const std::vector<double>& coordinates, std::size_t choices, const std::vector<std::size_t>& observed,
              const TpeOptions& options);

    std::size_t sample(TpeRandom& rng) const;
    double logPmf(std::size_t index) const;

private:
    double mass(std::size_t kernel, double from, double to) const;

    bool m_categorical;
    std::vector<double> m_bounds;  // numeric: cell i is [m_bounds[i], m_bounds[i + 1]]
    std::vector<double> m_weights; // one per kernel, normalised
    std::vector<double> m_mus, m_sigmas, m_norms;
    std::vector<double> m_pmf; // categorical: the mixture's probability of each choice
};

// A trial TPE models, as its split into the good and the rest sees it.
struct TpeObservation {
    double value = 0.0; // completed: the result; pruned: the value at prunedStep, never a final value
    bool pruned = false;
    int prunedStep = 0;
};

// The good group of Optuna 3.1's TPE (_get_observation_pairs, _split_observation_pairs): the first
// min(ceil(gammaFraction n), gammaCap, n) of the n observations ranked completed first, by value,
// then pruned, the one stopped at the larger step first, then by the value there (NaN as +inf; a
// pruned trial without a step last). A pruned trial is thus good only when fewer trials completed
// than the group holds. Positions in observations, ascending (ties to the earlier one).
std::vector<std::size_t> tpeGoodGroup(const std::vector<TpeObservation>& observations, const TpeOptions& options);

// TPE (Bergstra et al., NIPS 2011) over a grid-like space, univariate like Optuna's default:
// each dimension gets l(x) from the best trials and g(x) from the rest; candidates sampled from
// l(x) are ranked by l(x)/g(x). Ordinal dimensions work on log10 of their values when logScale,
// on the values when given, else on the index; categorical ones use a categorical estimator.
// Never proposes a point twice: the best unproposed combination of candidates is taken, then the
// next best, then seeded random unproposed points. Pending trials count as the worst (Optuna's
// constant liar), so parallel proposals spread out; failed trials are left out of the model.
// Pruned trials (Outcome::prunedAt) are modelled as Optuna does: they count towards startupTrials
// and n, and rank below every completed trial (tpeGoodGroup), so they feed g(x), not l(x).
class TpeSearch final : public Strategy {
public:
    TpeSearch(SearchSpace space, std::uint64_t seed, TpeOptions options = {});

    std::string_view name() const override { return "tpe"; }
    std::vector<Proposal> ask(std::size_t maxCount) override;
    void tell(const Point& point, const Outcome& outcome) override;
    bool exhausted() const override;
    void restore(const std::vector<HistoryEntry>& history) override;

private:
    enum class State { Pending, Done, Pruned, Failed };
    struct Trial {
        Point point;
        State state = State::Pending;
        double value = 0.0; // Pruned: at prunedStep
        int prunedStep = 0;
    };

    std::optional<Point> proposeModelled();
    Point proposeRandom();
    bool proposed(const Point& p) const { return m_index.count(p) != 0; }
    std::size_t modelled() const; // completed or pruned

    SearchSpace m_space;
    std::uint64_t m_seed;
    TpeOptions m_options;
    std::vector<std::vector<double>> m_coordinates; // per dimension; empty when categorical
    TpeRandom m_rng;
    std::vector<Trial> m_trials; // in proposal order
    struct PointHash {
        std::size_t operator()(const Point& p) const;
    };
    std::unordered_map<Point, std::size_t, PointHash> m_index; // point -> its trial
    int m_batch = 0;
};

} // namespace sweepline::tuning
