#include "tuning/dsplinefit.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace sweepline::tuning {

DSplineFit::DSplineFit(std::size_t candidates, double alpha)
    : m_candidates(std::max<std::size_t>(candidates, 1)),
      m_markers(kStride * (m_candidates - 1) + 1 + 2 * kBuffer),
      m_alpha(alpha),
      m_countPerCandidate(m_candidates, 0)
{
    refactor();
}

void DSplineFit::refactor()
{
    // alpha*D is upper triangular with bandwidth 3 already: row i is alpha * (1, -2, 1) at columns
    // i..i+2. The last two rows of R start empty; observations fill them.
    m_r.assign(m_markers, {0.0, 0.0, 0.0});
    m_z.assign(m_markers, 0.0);
    m_residual = 0.0;
    for (std::size_t i = 0; i + 2 < m_markers; ++i)
        m_r[i] = {m_alpha, -2.0 * m_alpha, m_alpha};
    for (const auto& o : m_observations)
        fold(markerOf(o.candidate), o.value);
    m_solved = false;
}

void DSplineFit::fold(std::size_t marker, double y)
{
    // The incoming row w is nonzero only in columns c..c+2 (a window that slides right): rotating
    // it against row c of R (nonzero in c..c+2) zeroes w(c) and leaves w in c+1..c+2.
    std::array<double, 3> w{1.0, 0.0, 0.0};
    double rhs = y;
    for (std::size_t c = marker; c < m_markers; ++c) {
        if (w[0] != 0.0) {
            auto& row = m_r[c];
            const double a = row[0];
            const double b = w[0];
            const double rho = std::hypot(a, b);
            const double cs = a / rho;
            const double sn = b / rho;
            for (std::size_t j = 0; j < 3; ++j) {
                const double rj = row[j];
                row[j] = cs * rj + sn * w[j];
                w[j] = -sn * rj + cs * w[j];
            }
            const double zc = m_z[c];
            m_z[c] = cs * zc + sn * rhs;
            rhs = -sn * zc + cs * rhs;
        }
        if (w[1] == 0.0 && w[2] == 0.0)
            break; // nothing left to eliminate: rhs is this row's residual
        w = {w[1], w[2], 0.0};
    }
    m_residual += rhs * rhs;
}

void DSplineFit::setAlpha(double alpha)
{
    m_alpha = alpha;
    refactor();
}

void DSplineFit::add(std::size_t candidate, double value)
{
    assert(candidate < m_candidates);
    m_observations.push_back({candidate, value});
    if (m_countPerCandidate[candidate]++ == 0)
        ++m_distinct;
    fold(markerOf(candidate), value);
    m_solved = false;
}

void DSplineFit::solve() const
{
    m_solved = true;
    m_f.clear();
    if (m_distinct == 0)
        return;
    if (m_distinct == 1) {
        // Rank-deficient: every line through the mean minimises; take the constant one.
        double sum = 0.0;
        for (const auto& o : m_observations)
            sum += o.value;
        m_f.assign(m_markers, sum / double(m_observations.size()));
        return;
    }
    m_f.assign(m_markers, 0.0);
    for (std::size_t i = m_markers; i-- > 0;) {
        double s = m_z[i];
        if (i + 1 < m_markers)
            s -= m_r[i][1] * m_f[i + 1];
        if (i + 2 < m_markers)
            s -= m_r[i][2] * m_f[i + 2];
        m_f[i] = s / m_r[i][0]; // nonzero: full column rank with 2 distinct candidates
    }
}

const std::vector<double>& DSplineFit::markerValues() const
{
    if (!m_solved)
        solve();
    return m_f;
}

double DSplineFit::value(std::size_t candidate) const
{
    const auto& f = markerValues();
    assert(!f.empty() && candidate < m_candidates);
    return f[markerOf(candidate)];
}

std::vector<double> DSplineFit::candidateValues() const
{
    const auto& f = markerValues();
    std::vector<double> out;
    if (f.empty())
        return out;
    out.reserve(m_candidates);
    for (std::size_t c = 0; c < m_candidates; ++c)
        out.push_back(f[markerOf(c)]);
    return out;
}

double DSplineFit::curvature(std::size_t candidate) const
{
    const auto& f = markerValues();
    if (f.empty())
        return 0.0;
    const std::size_t m = markerOf(candidate); // buffers guarantee 1 <= m <= M-2
    return std::abs(f[m - 1] - 2.0 * f[m] + f[m + 1]);
}

double DSplineFit::objective() const
{
    if (m_distinct >= 2)
        return m_residual;
    // Rank-deficient: the factor's last row holds rounding noise that may have absorbed part of
    // the residual (it is rotated out again once a second distinct candidate arrives).
    double sum = 0.0;
    for (const auto& o : m_observations)
        sum += o.value;
    const double mean = m_observations.empty() ? 0.0 : sum / double(m_observations.size());
    double s = 0.0;
    for (const auto& o : m_observations)
        s += (o.value - mean) * (o.value - mean);
    return s;
}

std::optional<double> DSplineFit::abic() const
{
    const std::size_t n = m_observations.size();
    if (m_distinct < 2 || n < 3 || !(m_alpha > 0.0))
        return std::nullopt;
    double scale = 0.0;
    for (const auto& o : m_observations)
        scale += o.value * o.value;
    // Exact data (a straight line) gives S = 0 for every alpha: floor it far below any real noise.
    const double s = std::max(m_residual, 1e-30 * (scale + std::numeric_limits<double>::min()));
    double logDet = 0.0;
    for (const auto& row : m_r)
        logDet += std::log(std::abs(row[0]));
    return double(n - 2) * std::log(s) + 2.0 * logDet - 2.0 * double(m_markers - 2) * std::log(m_alpha);
}

double DSplineFit::chooseAlphaByAbic(double log10Lo, double log10Hi)
{
    const double original = m_alpha;
    if (m_distinct < 2 || m_observations.size() < 3 || !(log10Hi > log10Lo))
        return m_alpha;

    auto evaluate = [this](double x) {
        setAlpha(std::pow(10.0, x));
        return *abic();
    };

    // Coarse scan: ABIC can have several local minima, which a bare golden section could land in.
    constexpr double kStep = 0.5;
    const int steps = std::max(1, int(std::ceil((log10Hi - log10Lo) / kStep)));
    double bestX = log10Lo;
    double bestV = std::numeric_limits<double>::infinity();
    int bestI = 0;
    for (int i = 0; i <= steps; ++i) {
        const double x = std::min(log10Hi, log10Lo + kStep * i);
        const double v = evaluate(x);
        if (v < bestV) {
            bestV = v;
            bestX = x;
            bestI = i;
        }
    }

    // Golden section inside the bracket around the best scan point.
    double a = std::max(log10Lo, log10Lo + kStep * (bestI - 1));
    double b = std::min(log10Hi, log10Lo + kStep * (bestI + 1));
    const double invPhi = (std::sqrt(5.0) - 1.0) / 2.0;
    double x1 = b - invPhi * (b - a);
    double x2 = a + invPhi * (b - a);
    double f1 = evaluate(x1);
    double f2 = evaluate(x2);
    while (b - a > 1e-4) {
        if (f1 <= f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - invPhi * (b - a);
            f1 = evaluate(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + invPhi * (b - a);
            f2 = evaluate(x2);
        }
    }
    if (f1 < bestV) {
        bestV = f1;
        bestX = x1;
    }
    if (f2 < bestV) {
        bestV = f2;
        bestX = x2;
    }
    if (!std::isfinite(bestV)) {
        setAlpha(original);
        return m_alpha;
    }
    setAlpha(std::pow(10.0, bestX));
    return m_alpha;
}

} // namespace sweepline::tuning
