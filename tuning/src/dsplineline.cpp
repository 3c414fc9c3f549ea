#include "tuning/dsplineline.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <tuple>

namespace sweepline::tuning {

DSplineLineSearch::DSplineLineSearch(std::size_t size, Mode mode, DSplineLineOptions options)
    : m_mode(mode),
      m_options(options),
      m_fit(std::max<std::size_t>(size, 1), options.alpha),
      m_state(size, Slot::Unknown),
      m_values(size, 0.0),
      m_first(firstPoints(size))
{
    if (size == 0)
        m_stop = StopReason::AllMeasured;
}

std::vector<std::size_t> DSplineLineSearch::firstPoints(std::size_t size)
{
    std::vector<std::size_t> out;
    if (size == 0)
        return out;
    const std::size_t last = size - 1;
    // Rounded to the nearest index: (k/3) * last + 1/2, in integers.
    for (std::size_t p : {std::size_t{0}, last, (2 * last + 3) / 6, (4 * last + 3) / 6}) {
        if (std::find(out.begin(), out.end(), p) == out.end())
            out.push_back(p);
    }
    return out;
}

void DSplineLineSearch::markPending(std::size_t index)
{
    assert(index < size());
    if (m_state[index] != Slot::Unknown)
        return;
    m_state[index] = Slot::Pending;
    ++m_pending;
}

void DSplineLineSearch::apply(std::size_t index, Result result)
{
    if (m_state[index] == Slot::Pending)
        --m_pending;
    ++m_measured;
    if (!result) {
        m_state[index] = Slot::Failed;
        return;
    }
    const double v = *result;
    m_state[index] = Slot::Measured;
    m_values[index] = v;
    if (m_usable == 0) {
        m_min = m_max = v;
    } else {
        m_min = std::min(m_min, v);
        m_max = std::max(m_max, v);
    }
    ++m_usable;
    if (!m_best || v < m_values[*m_best])
        m_best = index;
    if (m_mode == Mode::Spline)
        m_fit.add(index, v);
}

void DSplineLineSearch::seed(const std::vector<std::pair<std::size_t, Result>>& known,
                             const std::vector<std::size_t>& pending)
{
    bool changed = false;
    for (const auto& [index, result] : known) {
        assert(index < size());
        if (m_state[index] == Slot::Measured || m_state[index] == Slot::Failed)
            continue;
        apply(index, result);
        changed = changed || result.has_value();
    }
    for (std::size_t index : pending)
        markPending(index);
    if (changed && m_mode == Mode::Spline && m_options.autoAlpha)
        m_fit.chooseAlphaByAbic();
    judge(changed);
}

void DSplineLineSearch::record(std::size_t index, Result result)
{
    assert(index < size());
    if (m_state[index] == Slot::Measured || m_state[index] == Slot::Failed)
        return;
    apply(index, result);
    if (result && m_mode == Mode::Spline && m_options.autoAlpha)
        m_fit.chooseAlphaByAbic();
    judge(result.has_value());
}

bool DSplineLineSearch::firstPointsResolved() const
{
    return std::all_of(m_first.begin(), m_first.end(),
                       [this](std::size_t i) { return m_state[i] == Slot::Measured || m_state[i] == Slot::Failed; });
}

void DSplineLineSearch::judge(bool fitChanged)
{
    if (stopped())
        return;
    if (m_mode == Mode::Exhaustive) {
        if (m_measured == size())
            m_stop = StopReason::AllMeasured;
        return;
    }
    const bool firstDone = firstPointsResolved();
    if (firstDone && m_fit.distinctCount() >= 2 && (fitChanged || !m_tracking)) {
        const std::size_t opt = *fittedOptimum();
        if (!m_tracking) {
            m_tracking = true;
            m_optimum = opt;
            m_unchanged = 0;
        } else if (opt == m_optimum) {
            ++m_unchanged;
        } else {
            m_optimum = opt;
            m_unchanged = 0;
        }
    }
    if (m_measured == size())
        m_stop = StopReason::AllMeasured;
    else if (m_tracking && m_unchanged >= m_options.stableUpdates && (!m_options.refine || neighbourhoodResolved()))
        m_stop = StopReason::Stable;
    else if (m_measured >= m_options.maxPoints)
        m_stop = StopReason::PointLimit;
    else if (firstDone && m_fit.distinctCount() < 2)
        m_stop = StopReason::TooFewUsable;
}

std::optional<double> DSplineLineSearch::bestValue() const
{
    if (!m_best)
        return std::nullopt;
    return m_values[*m_best];
}

std::optional<double> DSplineLineSearch::value(std::size_t index) const
{
    if (index >= size() || m_state[index] != Slot::Measured)
        return std::nullopt;
    return m_values[index];
}

std::optional<std::size_t> DSplineLineSearch::fittedOptimum() const
{
    if (m_mode != Mode::Spline || m_fit.distinctCount() < 2)
        return std::nullopt;
    const auto f = m_fit.candidateValues();
    return std::size_t(std::min_element(f.begin(), f.end()) - f.begin());
}

std::optional<double> DSplineLineSearch::fittedValue(std::size_t index) const
{
    if (m_mode != Mode::Spline || m_fit.distinctCount() < 2 || index >= size())
        return std::nullopt;
    return m_fit.value(index);
}

std::vector<double> DSplineLineSearch::distanceToKnown() const
{
    const std::size_t n = size();
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> d(n, inf);
    double last = -inf;
    for (std::size_t i = 0; i < n; ++i) {
        if (m_state[i] != Slot::Unknown)
            last = double(i);
        d[i] = double(i) - last;
    }
    last = inf;
    for (std::size_t i = n; i-- > 0;) {
        if (m_state[i] != Slot::Unknown)
            last = double(i);
        d[i] = std::min(d[i], last - double(i));
    }
    return d;
}

std::vector<std::size_t> DSplineLineSearch::candidates(std::size_t maxCount) const
{
    std::vector<std::size_t> out;
    if (stopped() || maxCount == 0)
        return out;

    if (m_mode == Mode::Exhaustive) {
        for (std::size_t i = 0; i < size() && out.size() < maxCount; ++i) {
            if (m_state[i] == Slot::Unknown)
                out.push_back(i);
        }
        return out;
    }

    const std::size_t used = m_measured + m_pending;
    if (used >= m_options.maxPoints)
        return out;
    const std::size_t budget = std::min(maxCount, m_options.maxPoints - used);

    std::vector<bool> taken(size(), false);
    for (std::size_t i : m_first) {
        if (out.size() >= budget)
            return out;
        if (m_state[i] == Slot::Unknown) {
            out.push_back(i);
            taken[i] = true;
        }
    }
    if (out.size() >= budget)
        return out;

    const auto dist = distanceToKnown();
    if (m_fit.distinctCount() < 2) {
        // No fit to follow: spread out (greedy maximin), counting the points just chosen.
        auto d = dist;
        for (std::size_t i : out) {
            for (std::size_t j = 0; j < size(); ++j)
                d[j] = std::min(d[j], std::abs(double(j) - double(i)));
        }
        while (out.size() < budget) {
            std::optional<std::size_t> pick;
            for (std::size_t j = 0; j < size(); ++j) {
                if (m_state[j] == Slot::Unknown && !taken[j] && (!pick || d[j] > d[*pick]))
                    pick = j;
            }
            if (!pick)
                break;
            out.push_back(*pick);
            taken[*pick] = true;
            for (std::size_t j = 0; j < size(); ++j)
                d[j] = std::min(d[j], std::abs(double(j) - double(*pick)));
        }
        return out;
    }

    // The published priorities, alternating with the refinement points when `refine` is on.
    const auto published = priorityOrder(taken);
    std::vector<std::size_t> refinement;
    if (m_options.refine)
        refinement = refinementPoints();
    std::size_t resolvedFirst = 0;
    for (std::size_t i : m_first)
        resolvedFirst += m_state[i] != Slot::Unknown;
    const bool refinementLeads = (used - resolvedFirst) % 2 == 1;
    auto a = published.begin();
    auto b = refinement.begin();
    bool refineTurn = refinementLeads;
    while (out.size() < budget && (a != published.end() || b != refinement.end())) {
        const bool fromRefinement = (refineTurn && b != refinement.end()) || a == published.end();
        const std::size_t i = fromRefinement ? *b++ : *a++;
        if (!taken[i]) {
            out.push_back(i);
            taken[i] = true;
            refineTurn = !refineTurn;
        }
    }
    return out;
}

std::vector<std::size_t> DSplineLineSearch::priorityOrder(const std::vector<bool>& taken) const
{
    // DSICE's zones, measured against the best and worst measured values of this line.
    const auto f = m_fit.candidateValues();
    std::vector<std::size_t> lower, higher, middle;
    for (std::size_t i = 0; i < size(); ++i) {
        if (m_state[i] != Slot::Unknown || taken[i])
            continue;
        if (f[i] < m_min)
            lower.push_back(i);
        else if (f[i] > m_max)
            higher.push_back(i);
        else
            middle.push_back(i);
    }
    std::stable_sort(lower.begin(), lower.end(), [&f](std::size_t a, std::size_t b) { return f[a] < f[b]; });
    std::stable_sort(higher.begin(), higher.end(), [&f](std::size_t a, std::size_t b) { return f[a] > f[b]; });

    // Curvatures are compared at a relative resolution of 1e-6 so that rounding noise in nearly
    // straight stretches does not decide the order; the distance rule spreads those points out.
    double maxCurv = 0.0;
    for (std::size_t i : middle)
        maxCurv = std::max(maxCurv, m_fit.curvature(i));
    const double curvFloor = 1e-12 * (std::abs(m_min) + std::abs(m_max) + std::numeric_limits<double>::min());
    auto key = [&](std::size_t i) -> long long {
        if (maxCurv <= curvFloor)
            return 0;
        return std::llround(m_fit.curvature(i) / maxCurv * 1e6);
    };
    const auto dist = distanceToKnown();
    std::vector<std::tuple<long long, double, std::size_t>> ranked;
    ranked.reserve(middle.size());
    for (std::size_t i : middle)
        ranked.emplace_back(key(i), dist[i], i);
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        if (std::get<0>(a) != std::get<0>(b))
            return std::get<0>(a) > std::get<0>(b);
        if (std::get<1>(a) != std::get<1>(b))
            return std::get<1>(a) > std::get<1>(b);
        return std::get<2>(a) < std::get<2>(b);
    });

    std::vector<std::size_t> out = std::move(lower);
    out.insert(out.end(), higher.begin(), higher.end());
    for (const auto& r : ranked)
        out.push_back(std::get<2>(r));
    return out;
}

std::vector<std::size_t> DSplineLineSearch::refinementPoints() const
{
    std::vector<std::size_t> out;
    if (!m_best)
        return out;
    const long long b = static_cast<long long>(*m_best);
    const long long n = static_cast<long long>(size());
    // The nearest measured, failed or pending point on either side; beyond the ends, a virtual one.
    long long l = b - 1;
    while (l >= 0 && m_state[std::size_t(l)] == Slot::Unknown)
        --l;
    long long r = b + 1;
    while (r < n && m_state[std::size_t(r)] == Slot::Unknown)
        ++r;
    const long long leftGap = l < 0 ? (b > 0 ? b + 1 : 0) : b - l;
    const long long rightGap = r >= n ? (b < n - 1 ? n - b : 0) : r - b;
    const std::optional<std::size_t> left =
        leftGap >= 2 ? std::optional<std::size_t>(std::size_t(b - leftGap / 2)) : std::nullopt;
    const std::optional<std::size_t> right =
        rightGap >= 2 ? std::optional<std::size_t>(std::size_t(b + rightGap / 2)) : std::nullopt;
    if (rightGap > leftGap) {
        if (right)
            out.push_back(*right);
        if (left)
            out.push_back(*left);
    } else {
        if (left)
            out.push_back(*left);
        if (right)
            out.push_back(*right);
    }
    if (const auto o = fittedOptimum();
        o && m_state[*o] == Slot::Unknown && std::find(out.begin(), out.end(), *o) == out.end())
        out.push_back(*o);
    return out;
}

bool DSplineLineSearch::neighbourhoodResolved() const
{
    if (!m_best)
        return true;
    const std::size_t b = *m_best;
    if ((b > 0 && !resolved(b - 1)) || (b + 1 < size() && !resolved(b + 1)))
        return false;
    const auto o = fittedOptimum();
    return !o || resolved(*o);
}

} // namespace sweepline::tuning
