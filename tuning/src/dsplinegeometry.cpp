#include "tuning/dsplinegeometry.h"

#include <algorithm>
#include <limits>

namespace sweepline::tuning::dspline {

namespace {

std::vector<std::size_t> movableDims(const SearchSpace& space, bool ordinalOnly)
{
    std::vector<std::size_t> out;
    const auto& dims = space.dimensions();
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (movable(dims[i]) && (!ordinalOnly || dims[i].kind == DimensionKind::Ordinal))
            out.push_back(i);
    }
    return out;
}

// n choose k, saturating at the maximum of size_t.
std::size_t binomial(std::size_t n, std::size_t k)
{
    if (k > n)
        return 0;
    k = std::min(k, n - k);
    long double r = 1;
    for (std::size_t i = 1; i <= k; ++i)
        r = r * static_cast<long double>(n - k + i) / static_cast<long double>(i);
    const long double cap = static_cast<long double>(std::numeric_limits<std::size_t>::max());
    return r >= cap ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(r + 0.5L);
}

} // namespace

std::size_t axisCount(const Step& step)
{
    return std::size_t(std::count_if(step.begin(), step.end(), [](int s) { return s != 0; }));
}

bool movable(const Dimension& d)
{
    return d.size >= 2;
}

std::size_t stepCount(const SearchSpace& space, std::size_t k)
{
    if (k == 0)
        return 0;
    if (k == 1)
        return movableDims(space, false).size();
    const std::size_t combos = binomial(movableDims(space, true).size(), k);
    if (k - 1 >= std::numeric_limits<std::size_t>::digits)
        return combos == 0 ? 0 : std::numeric_limits<std::size_t>::max();
    const std::size_t signs = std::size_t{1} << (k - 1);
    if (combos > std::numeric_limits<std::size_t>::max() / signs)
        return std::numeric_limits<std::size_t>::max();
    return combos * signs;
}

std::size_t maxLevel(const SearchSpace& space, std::size_t lineCap)
{
    const std::size_t ordinals = movableDims(space, true).size();
    std::size_t level = 1;
    std::size_t total = stepCount(space, 1);
    for (std::size_t k = 2; k <= ordinals; ++k) {
        const std::size_t add = stepCount(space, k);
        if (add > lineCap || total + add > lineCap)
            break;
        total += add;
        level = k;
    }
    return level;
}

std::vector<Step> enumerateSteps(const SearchSpace& space, std::size_t minAxes, std::size_t maxAxes)
{
    std::vector<Step> out;
    const std::size_t dimCount = space.dimensionCount();
    minAxes = std::max<std::size_t>(minAxes, 1);
    if (minAxes <= 1 && maxAxes >= 1) {
        for (std::size_t i : movableDims(space, false)) {
            Step s(dimCount, 0);
            s[i] = 1;
            out.push_back(std::move(s));
        }
    }
    const auto ordinals = movableDims(space, true);
    for (std::size_t k = std::max<std::size_t>(minAxes, 2); k <= maxAxes && k <= ordinals.size(); ++k) {
        // Combinations of k ordinal axes in lexicographic order.
        std::vector<std::size_t> pick(k);
        for (std::size_t i = 0; i < k; ++i)
            pick[i] = i;
        while (true) {
            // Signs of the axes after the first: a binary counter, last axis fastest, + before -.
            const std::size_t patterns = std::size_t{1} << (k - 1);
            for (std::size_t mask = 0; mask < patterns; ++mask) {
                Step s(dimCount, 0);
                s[ordinals[pick[0]]] = 1;
                for (std::size_t j = 1; j < k; ++j) {
                    const bool minus = (mask >> (k - 1 - j)) & 1U;
                    s[ordinals[pick[j]]] = minus ? -1 : 1;
                }
                out.push_back(std::move(s));
            }
            std::size_t i = k;
            while (i > 0 && pick[i - 1] == ordinals.size() - k + (i - 1))
                --i;
            if (i == 0)
                break;
            ++pick[i - 1];
            for (std::size_t j = i; j < k; ++j)
                pick[j] = pick[j - 1] + 1;
        }
    }
    return out;
}

Point GridLine::at(std::size_t j) const
{
    Point p = origin;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (step[i] > 0)
            p[i] += j;
        else if (step[i] < 0)
            p[i] -= j;
    }
    return p;
}

std::optional<std::size_t> GridLine::indexOf(const Point& p) const
{
    if (p.size() != origin.size())
        return std::nullopt;
    std::optional<long long> j;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const long long diff = static_cast<long long>(p[i]) - static_cast<long long>(origin[i]);
        if (step[i] == 0) {
            if (diff != 0)
                return std::nullopt;
            continue;
        }
        const long long t = diff * step[i];
        if (t < 0 || (j && *j != t))
            return std::nullopt;
        j = t;
    }
    const long long index = j.value_or(0);
    if (index >= static_cast<long long>(count))
        return std::nullopt;
    return static_cast<std::size_t>(index);
}

GridLine lineThrough(const SearchSpace& space, const Point& base, const Step& step)
{
    long long tmin = std::numeric_limits<long long>::min();
    long long tmax = std::numeric_limits<long long>::max();
    bool any = false;
    for (std::size_t i = 0; i < step.size(); ++i) {
        if (step[i] == 0)
            continue;
        any = true;
        const long long b = static_cast<long long>(base[i]);
        const long long last = static_cast<long long>(space.dimensions()[i].size) - 1;
        const long long lo = step[i] > 0 ? -b : -(last - b);
        const long long hi = step[i] > 0 ? last - b : b;
        tmin = std::max(tmin, lo);
        tmax = std::min(tmax, hi);
    }
    GridLine line;
    line.step = step;
    if (!any) {
        line.origin = base;
        line.count = 1;
        line.baseIndex = 0;
        return line;
    }
    line.origin = base;
    for (std::size_t i = 0; i < step.size(); ++i) {
        const long long v = static_cast<long long>(base[i]) + tmin * step[i];
        line.origin[i] = static_cast<std::size_t>(v);
    }
    line.count = static_cast<std::size_t>(tmax - tmin + 1);
    line.baseIndex = static_cast<std::size_t>(-tmin);
    return line;
}

std::optional<Step> stepBetween(const SearchSpace& space, const Point& a, const Point& b)
{
    if (a.size() != b.size() || a == b)
        return std::nullopt;
    Step s(a.size(), 0);
    long long magnitude = 0;
    std::size_t axes = 0;
    bool categorical = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const long long diff = static_cast<long long>(b[i]) - static_cast<long long>(a[i]);
        if (diff == 0)
            continue;
        const long long m = diff < 0 ? -diff : diff;
        if (magnitude != 0 && m != magnitude)
            return std::nullopt;
        magnitude = m;
        s[i] = diff > 0 ? 1 : -1;
        ++axes;
        categorical = categorical || space.dimensions()[i].kind == DimensionKind::Categorical;
    }
    if (axes > 1 && categorical)
        return std::nullopt;
    const auto first = std::find_if(s.begin(), s.end(), [](int v) { return v != 0; });
    if (*first < 0) {
        for (int& v : s)
            v = -v;
    }
    return s;
}

std::string directionLabel(const Point& from, const Point& to)
{
    std::string out;
    for (std::size_t i = 0; i < from.size() && i < to.size(); ++i) {
        if (i)
            out += ',';
        out += to[i] > from[i] ? "+1" : (to[i] < from[i] ? "-1" : "+0");
    }
    return out;
}

RingWalker::RingWalker(const SearchSpace& space, Point centre) : m_centre(std::move(centre))
{
    for (const auto& d : space.dimensions())
        m_sizes.push_back(d.size);
    for (std::size_t i = 0; i < m_sizes.size(); ++i) {
        if (m_sizes[i] == 0)
            return; // an empty space: nothing to walk
        m_maxRadius = std::max({m_maxRadius, m_centre[i], m_sizes[i] - 1 - m_centre[i]});
    }
    m_radius = 1;
    m_done = !resetBox();
}

bool RingWalker::resetBox()
{
    if (m_radius > m_maxRadius)
        return false;
    const std::size_t n = m_sizes.size();
    m_lo.assign(n, 0);
    m_hi.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        m_lo[i] = m_centre[i] - std::min(m_radius, m_centre[i]);
        m_hi[i] = std::min(m_sizes[i] - 1, m_centre[i] + m_radius);
    }
    m_cur = m_lo;
    return true;
}

bool RingWalker::advance()
{
    for (std::size_t i = m_cur.size(); i-- > 0;) {
        if (m_cur[i] < m_hi[i]) {
            ++m_cur[i];
            return true;
        }
        m_cur[i] = m_lo[i];
    }
    return false;
}

std::optional<Point> RingWalker::next()
{
    while (!m_done) {
        const Point p = m_cur;
        const std::size_t radius = m_radius;
        if (!advance()) {
            ++m_radius;
            m_done = !resetBox();
        }
        std::size_t dist = 0;
        for (std::size_t i = 0; i < p.size(); ++i)
            dist = std::max(dist, p[i] > m_centre[i] ? p[i] - m_centre[i] : m_centre[i] - p[i]);
        if (dist == radius)
            return p;
    }
    return std::nullopt;
}

} // namespace sweepline::tuning::dspline
