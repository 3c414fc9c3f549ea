#include "tuning/tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

namespace sweepline::tuning {

namespace {

std::uint64_t splitmix64(std::uint64_t& state)
{
    std::uint64_t x = (state += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

// Probability that a standard normal falls in [z0, z1], accurate in both tails.
double gaussMass(double z0, double z1)
{
    constexpr double r = 0.70710678118654752440; // 1 / sqrt(2)
    if (z1 <= z0)
        return 0.0;
    if (z0 >= 0.0)
        return 0.5 * (std::erfc(z0 * r) - std::erfc(z1 * r));
    if (z1 <= 0.0)
        return 0.5 * (std::erfc(-z1 * r) - std::erfc(-z0 * r));
    return 1.0 - 0.5 * std::erfc(-z0 * r) - 0.5 * std::erfc(z1 * r);
}

// Optuna's default_weights: the newest `flat` observations weigh 1, older ones ramp down to 1/n.
std::vector<double> defaultWeights(std::size_t n, std::size_t flat)
{
    std::vector<double> w(n, 1.0);
    if (n > flat) {
        const std::size_t ramp = n - flat;
        const double start = 1.0 / double(n);
        for (std::size_t i = 0; i < ramp; ++i)
            w[i] = ramp == 1 ? start : start + double(i) * (1.0 - start) / double(ramp - 1);
    }
    return w;
}

// Where the candidates of an ordinal dimension sit on the line the estimator works on: log10 of
// the values for a log-scaled dimension, the values themselves, or the index when the values are
// missing or not strictly monotonic. Empty for a categorical dimension.
std::vector<double> coordinatesOf(const Dimension& d)
{
    std::vector<double> index(d.size);
    std::iota(index.begin(), index.end(), 0.0);
    if (d.kind == DimensionKind::Categorical)
        return {};
    if (d.numericValues.size() != d.size || d.size < 2)
        return index;
    std::vector<double> c = d.numericValues;
    for (double& v : c) {
        if (d.logScale) {
            if (!(v > 0.0))
                return index;
            v = std::log10(v);
        }
        if (!std::isfinite(v))
            return index;
    }
    if (c[1] < c[0]) {
        for (double& v : c)
            v = -v;
    }
    for (std::size_t i = 1; i < c.size(); ++i) {
        if (!(c[i] > c[i - 1]))
            return index;
    }
    return c;
}

} // namespace

// ---------------------------------------------------------------------------------------------

TpeRandom::TpeRandom(std::uint64_t seed)
{
    std::uint64_t state = seed;
    for (auto& s : m_s)
        s = splitmix64(state);
}

std::uint64_t TpeRandom::next()
{
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double TpeRandom::uniform()
{
    return double(next() >> 11) * 0x1.0p-53;
}

double TpeRandom::normal()
{
    constexpr double twoPi = 6.28318530717958647693;
    const double u1 = 1.0 - uniform(); // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(twoPi * u2);
}

std::size_t TpeRandom::below(std::size_t bound)
{
    return static_cast<std::size_t>(next() % bound);
}

// ---------------------------------------------------------------------------------------------

TpeParzen::TpeParzen(const std::vector<double>& coordinates, std::size_t choices,
                     const std::vector<std::size_t>& observed, const TpeOptions& options)
    : m_categorical(coordinates.empty())
{
    const std::size_t n = observed.size();
    m_weights = defaultWeights(n, options.flatWeights);
    m_weights.push_back(options.priorWeight); // the prior kernel is always there
    const double total = std::accumulate(m_weights.begin(), m_weights.end(), 0.0);
    for (double& w : m_weights)
        w /= total;

    if (m_categorical) {
        // Every kernel puts priorWeight / (n + 1) on each choice and 1 more on its observation.
        m_pmf.assign(choices, 0.0);
        const double base = options.priorWeight / double(n + 1);
        const double rowTotal = base * double(choices);
        for (std::size_t k = 0; k <= n; ++k) {
            const bool prior = k == n;
            const double norm = prior ? rowTotal : rowTotal + 1.0;
            for (std::size_t c = 0; c < choices; ++c)
                m_pmf[c] += m_weights[k] * base / norm;
            if (!prior)
                m_pmf[observed[k]] += m_weights[k] / norm;
        }
        return;
    }

    // Cells around the candidates: boundaries halfway between neighbours, half a gap beyond the ends.
    const std::size_t cells = coordinates.size();
    m_bounds.resize(cells + 1);
    if (cells == 1) {
        m_bounds = {coordinates[0] - 0.5, coordinates[0] + 0.5};
    } else {
        m_bounds[0] = coordinates[0] - 0.5 * (coordinates[1] - coordinates[0]);
        for (std::size_t i = 1; i < cells; ++i)
            m_bounds[i] = 0.5 * (coordinates[i - 1] + coordinates[i]);
        m_bounds[cells] = coordinates[cells - 1] + 0.5 * (coordinates[cells - 1] - coordinates[cells - 2]);
    }
    const double low = m_bounds.front(), high = m_bounds.back(), range = high - low;

    m_mus.reserve(n + 1);
    for (std::size_t i : observed)
        m_mus.push_back(coordinates[i]);
    m_mus.push_back(0.5 * (low + high));
    const std::size_t m = m_mus.size();

    // Bandwidth of a kernel: the larger distance to its neighbours among the sorted centres, with
    // the range's ends as outer neighbours (Optuna's univariate rule).
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return m_mus[a] < m_mus[b]; });
    std::vector<double> s(m + 2);
    s[0] = low;
    for (std::size_t j = 0; j < m; ++j)
        s[j + 1] = m_mus[order[j]];
    s[m + 1] = high;
    std::vector<double> sorted(m);
    for (std::size_t j = 0; j < m; ++j)
        sorted[j] = std::max(s[j + 1] - s[j], s[j + 2] - s[j + 1]);
    if (!options.considerEndpoints && m >= 2) {
        sorted[0] = s[2] - s[1];
        sorted[m - 1] = s[m] - s[m - 1];
    }
    const double maxSigma = range;
    const double minSigma = options.magicClip ? range / std::min(100.0, 1.0 + double(m)) : 1e-12;
    m_sigmas.resize(m);
    for (std::size_t j = 0; j < m; ++j)
        m_sigmas[order[j]] = std::clamp(sorted[j], minSigma, maxSigma);
    m_sigmas[m - 1] = range; // the prior is as wide as the range

    // On a grid many kernels coincide (same centre, same bandwidth): merge them, adding their
    // weights. The mixture is the same; evaluating it gets cheaper by orders of magnitude.
    std::vector<std::size_t> byKernel(m);
    std::iota(byKernel.begin(), byKernel.end(), std::size_t{0});
    std::sort(byKernel.begin(), byKernel.end(), [&](std::size_t a, std::size_t b) {
        return m_mus[a] < m_mus[b] || (m_mus[a] == m_mus[b] && m_sigmas[a] < m_sigmas[b]);
    });
    std::vector<double> mus, sigmas, weights;
    for (std::size_t k : byKernel) {
        if (!mus.empty() && mus.back() == m_mus[k] && sigmas.back() == m_sigmas[k]) {
            weights.back() += m_weights[k];
        } else {
            mus.push_back(m_mus[k]);
            sigmas.push_back(m_sigmas[k]);
            weights.push_back(m_weights[k]);
        }
    }
    m_mus = std::move(mus);
    m_sigmas = std::move(sigmas);
    m_weights = std::move(weights);

    m_norms.resize(m_mus.size());
    for (std::size_t k = 0; k < m_mus.size(); ++k)
        m_norms[k] = mass(k, low, high);
}

double TpeParzen::mass(std::size_t kernel, double from, double to) const
{
    const double mu = m_mus[kernel], sigma = m_sigmas[kernel];
    return gaussMass((from - mu) / sigma, (to - mu) / sigma);
}

std::size_t TpeParzen::sample(TpeRandom& rng) const
{
    const std::size_t count = m_categorical ? m_pmf.size() : m_bounds.size() - 1;
    if (count <= 1)
        return 0;
    const std::vector<double>& weights = m_categorical ? m_pmf : m_weights;
    double u = rng.uniform();
    std::size_t pick = weights.size() - 1;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (u < weights[i]) {
            pick = i;
            break;
        }
        u -= weights[i];
    }
    if (m_categorical)
        return pick;

    // A truncated normal by rejection: the centre is inside the range and the bandwidth at most the
    // range, so at least a third of the draws land inside.
    const double low = m_bounds.front(), high = m_bounds.back();
    double x = std::clamp(m_mus[pick], low, high);
    for (int attempt = 0; attempt < 200; ++attempt) {
        const double y = m_mus[pick] + m_sigmas[pick] * rng.normal();
        if (y >= low && y < high) {
            x = y;
            break;
        }
    }
    const auto it = std::upper_bound(m_bounds.begin() + 1, m_bounds.end(), x);
    return std::min<std::size_t>(static_cast<std::size_t>(it - (m_bounds.begin() + 1)), count - 1);
}

double TpeParzen::logPmf(std::size_t index) const
{
    constexpr double tiny = 1e-300;
    if (m_categorical)
        return std::log(std::max(m_pmf[index], tiny));
    if (m_bounds.size() <= 2)
        return 0.0;
    double p = 0.0;
    for (std::size_t k = 0; k < m_mus.size(); ++k) {
        if (m_norms[k] > 0.0)
            p += m_weights[k] * mass(k, m_bounds[index], m_bounds[index + 1]) / m_norms[k];
    }
    return std::log(std::max(p, tiny));
}

// ---------------------------------------------------------------------------------------------

TpeSearch::TpeSearch(SearchSpace space, std::uint64_t seed, TpeOptions options)
    : m_space(std::move(space)),
      m_seed(seed),
      m_options(options),
      m_rng(seed)
{
    for (const auto& d : m_space.dimensions())
        m_coordinates.push_back(coordinatesOf(d));
}

std::size_t TpeSearch::PointHash::operator()(const Point& p) const
{
    std::uint64_t h = 0x243f6a8885a308d3ULL;
    for (std::size_t v : p)
        h = (h ^ v) * 0x100000001b3ULL + (h >> 29);
    return static_cast<std::size_t>(h);
}

std::vector<std::size_t> tpeGoodGroup(const std::vector<TpeObservation>& observations, const TpeOptions& options)
{
    const std::size_t n = observations.size();
    const auto count = std::min<std::size_t>(
        {static_cast<std::size_t>(std::ceil(options.gammaFraction * double(n))), options.gammaCap, n});
    // Optuna's sort key (-step, value): completed trials at step -inf, pruned at -step, one pruned
    // before its first value at +1 with the value 0.
    const auto key = [&](std::size_t i) {
        const TpeObservation& o = observations[i];
        if (!o.pruned)
            return std::pair{-std::numeric_limits<double>::infinity(), o.value};
        if (o.prunedStep <= 0)
            return std::pair{1.0, 0.0};
        return std::pair{-double(o.prunedStep),
                         std::isnan(o.value) ? std::numeric_limits<double>::infinity() : o.value};
    };
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Ties to the earlier trial, as numpy's stable argsort.
    const auto better = [&](std::size_t a, std::size_t b) { return key(a) < key(b) || (key(a) == key(b) && a < b); };
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(count), order.end(), better);
    order.resize(count);
    std::sort(order.begin(), order.end());
    return order;
}

std::size_t TpeSearch::modelled() const
{
    return static_cast<std::size_t>(std::count_if(m_trials.begin(), m_trials.end(), [](const Trial& t) {
        return t.state == State::Done || t.state == State::Pruned;
    }));
}

std::vector<Proposal> TpeSearch::ask(std::size_t maxCount)
{
    std::vector<Proposal> out;
    if (maxCount == 0 || exhausted())
        return out;
    ++m_batch;
    while (out.size() < maxCount && !exhausted()) {
        std::optional<Point> p;
        if (modelled() >= std::max<std::size_t>(m_options.startupTrials, 1))
            p = proposeModelled();
        if (!p)
            p = proposeRandom();
        m_index.emplace(*p, m_trials.size());
        m_trials.push_back({*p, State::Pending, 0.0, 0});
        out.push_back({std::move(*p), Labels{0, {}, m_batch}});
    }
    return out;
}

std::optional<Point> TpeSearch::proposeModelled()
{
    // Split the completed and pruned trials into the good group (tpeGoodGroup) and the rest;
    // pending trials join the rest as if they were the worst (constant liar); failed ones are left
    // out. Both groups keep proposal order, which sets their weights.
    std::vector<std::size_t> modelledTrials, below, above;
    std::vector<TpeObservation> observations;
    for (std::size_t i = 0; i < m_trials.size(); ++i) {
        const Trial& t = m_trials[i];
        if (t.state == State::Done || t.state == State::Pruned) {
            modelledTrials.push_back(i);
            observations.push_back({t.value, t.state == State::Pruned, t.prunedStep});
        }
    }
    for (std::size_t position : tpeGoodGroup(observations, m_options))
        below.push_back(modelledTrials[position]);
    for (std::size_t i = 0, b = 0; i < m_trials.size(); ++i) {
        if (b < below.size() && below[b] == i)
            ++b;
        else if (m_trials[i].state != State::Failed)
            above.push_back(i);
    }

    // Per dimension: the distinct candidates sampled from l(x), best l(x)/g(x) first.
    const std::size_t dims = m_space.dimensionCount();
    struct Scored {
        std::size_t index;
        double score;
    };
    std::vector<std::vector<Scored>> candidates(dims);
    std::vector<TpeParzen> goods, rests;
    goods.reserve(dims);
    rests.reserve(dims);
    for (std::size_t d = 0; d < dims; ++d) {
        std::vector<std::size_t> b, a;
        for (std::size_t i : below)
            b.push_back(m_trials[i].point[d]);
        for (std::size_t i : above)
            a.push_back(m_trials[i].point[d]);
        const std::size_t size = m_space.dimensions()[d].size;
        goods.emplace_back(m_coordinates[d], size, b, m_options);
        rests.emplace_back(m_coordinates[d], size, a, m_options);
    }

    constexpr int kRounds = 4;          // more samples from l(x) when every combination was proposed
    constexpr std::size_t kPops = 2048; // combinations looked at per round
    for (int round = 0; round < kRounds; ++round) {
        bool grown = false;
        for (std::size_t d = 0; d < dims; ++d) {
            auto& list = candidates[d];
            if (m_space.dimensions()[d].size <= 1) {
                if (list.empty()) {
                    list.push_back({0, 0.0});
                    grown = true;
                }
                continue;
            }
            for (std::size_t s = 0; s < std::max<std::size_t>(m_options.eiCandidates, 1); ++s) {
                const std::size_t idx = goods[d].sample(m_rng);
                if (std::none_of(list.begin(), list.end(), [&](const Scored& c) { return c.index == idx; })) {
                    list.push_back({idx, goods[d].logPmf(idx) - rests[d].logPmf(idx)});
                    grown = true;
                }
            }
            std::stable_sort(list.begin(), list.end(), [](const Scored& x, const Scored& y) {
                return x.score > y.score || (x.score == y.score && x.index < y.index);
            });
        }
        if (!grown)
            continue; // the same combinations as last round: all proposed

        // The combinations in order of their summed score (the model is a product over dimensions):
        // the best is Optuna's choice; the next best stand in when it was proposed already.
        // A combination's successors raise one rank at or after its last raised dimension, so each
        // is reached exactly once and never before its predecessor, which scores at least as well.
        struct Node {
            double score;
            std::vector<std::uint32_t> ranks;
            std::size_t last; // the last dimension whose rank is not 0
        };
        auto worse = [](const Node& x, const Node& y) {
            return x.score < y.score || (x.score == y.score && x.ranks > y.ranks);
        };
        std::priority_queue<Node, std::vector<Node>, decltype(worse)> heap(worse);
        double best = 0.0;
        for (std::size_t d = 0; d < dims; ++d)
            best += candidates[d][0].score;
        heap.push({best, std::vector<std::uint32_t>(dims, 0), 0});
        Point p(dims);
        for (std::size_t pops = 0; !heap.empty() && pops < kPops; ++pops) {
            const Node node = heap.top();
            heap.pop();
            for (std::size_t d = 0; d < dims; ++d)
                p[d] = candidates[d][node.ranks[d]].index;
            if (!proposed(p))
                return p;
            for (std::size_t d = node.last; d < dims; ++d) {
                const std::uint32_t r = node.ranks[d];
                if (r + 1 < candidates[d].size()) {
                    Node next{node.score - candidates[d][r].score + candidates[d][r + 1].score, node.ranks, d};
                    ++next.ranks[d];
                    heap.push(std::move(next));
                }
            }
        }
    }
    return std::nullopt;
}

Point TpeSearch::proposeRandom()
{
    const std::size_t dims = m_space.dimensionCount();
    const auto size = m_space.cardinality();
    if (!size || m_index.size() * 2 < *size) {
        for (int attempt = 0; attempt < 1000 || !size; ++attempt) {
            Point p(dims);
            for (std::size_t d = 0; d < dims; ++d)
                p[d] = m_rng.below(m_space.dimensions()[d].size);
            if (!proposed(p))
                return p;
        }
    }
    // Mostly proposed already: pick uniformly among the points that are left.
    std::uint64_t skip = m_rng.below(static_cast<std::size_t>(*size - m_index.size()));
    for (std::uint64_t r = 0; r < *size; ++r) {
        Point p = m_space.unrank(r);
        if (proposed(p))
            continue;
        if (skip-- == 0)
            return p;
    }
    return m_space.unrank(0); // unreachable while not exhausted
}

void TpeSearch::tell(const Point& point, const Outcome& outcome)
{
    auto it = m_index.find(point);
    if (it == m_index.end()) {
        if (!m_space.contains(point))
            return;
        it = m_index.emplace(point, m_trials.size()).first; // measured without being asked for
        m_trials.push_back({point, State::Pending, 0.0, 0});
    }
    Trial& t = m_trials[it->second];
    if (outcome.pruned) {
        // Not a result: only how far the trial got and where it stood then, for the ranking.
        t.state = State::Pruned;
        t.value = outcome.value;
        t.prunedStep = outcome.prunedStep;
        return;
    }
    const bool failed = outcome.failed || !std::isfinite(outcome.value);
    t.state = failed ? State::Failed : State::Done;
    t.value = failed ? 0.0 : outcome.value;
    t.prunedStep = 0;
}

bool TpeSearch::exhausted() const
{
    const auto size = m_space.cardinality();
    return size && m_index.size() >= *size;
}

void TpeSearch::restore(const std::vector<HistoryEntry>& history)
{
    for (const auto& entry : history) {
        const Point& p = entry.proposal.point;
        m_batch = std::max(m_batch, entry.proposal.labels.batch);
        if (!m_space.contains(p))
            continue;
        if (!proposed(p)) {
            m_index.emplace(p, m_trials.size());
            m_trials.push_back({p, State::Pending, 0.0, 0});
        }
        if (entry.outcome)
            tell(p, *entry.outcome);
    }
    // A resumed run draws from its own stream, fixed by the seed and the length of the history.
    m_rng = TpeRandom(m_seed ^ (0x9e3779b97f4a7c15ULL * (history.size() + 1)));
}

} // namespace sweepline::tuning
