#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace sweepline::tuning {

// The discrete spline (d-Spline) of one parameter, fitted by penalised least squares.
//
// The N candidates of the parameter are markers in index space. Following DSICE, 2 interpolation
// markers sit between neighbouring candidates and 2 buffer markers beyond each end, so the curve
// has M = 3(N-1) + 1 + 4 = 3N + 2 internal markers and candidate c is marker 2 + 3c. The fit f
// minimises
//     sum over observations (y_k - f_{m(k)})^2 + alpha^2 * sum_{i=0}^{M-3} (f_i - 2 f_{i+1} + f_{i+2})^2,
// the least-squares problem [E; alpha*D] f = [y; 0]. Its matrix is banded, so the solver keeps the
// upper-triangular factor R of bandwidth 3 (rows start as alpha*D, which is already triangular) and
// folds each observation row in with Givens rotations: O(M) per observation, then O(M) back
// substitution. Repeated observations of one candidate are simply more rows.
//
// Rank: the penalty's null space is the linear functions, so the system has full rank only with
// observations at 2 or more distinct candidates. With none there is no fit; with exactly one
// distinct candidate the minimisers are all lines through the mean there, and the fit returned is
// the constant one (the mean); with two distinct candidates the fit is the exact straight line
// through them (zero penalty, zero residual).
class DSplineFit {
public:
    static constexpr double kDefaultAlpha = 0.1;
    static constexpr std::size_t kStride = 3; // candidate spacing in markers
    static constexpr std::size_t kBuffer = 2; // buffer markers beyond each end

    struct Observation {
        std::size_t candidate;
        double value;
    };

    explicit DSplineFit(std::size_t candidates, double alpha = kDefaultAlpha);

    std::size_t candidateCount() const { return m_candidates; }
    std::size_t markerCount() const { return m_markers; }
    static constexpr std::size_t markerOf(std::size_t candidate) { return kBuffer + kStride * candidate; }

    double alpha() const { return m_alpha; }
    // Changes the smoothing weight and refactors from the stored observations (O(M * observations)).
    void setAlpha(double alpha);

    // Folds one observation in: O(M).
    void add(std::size_t candidate, double value);

    const std::vector<Observation>& observations() const { return m_observations; }
    std::size_t distinctCount() const { return m_distinct; }
    bool hasFit() const { return m_distinct >= 1; }

    // The fitted curve at all markers (empty without a fit), solved lazily after changes.
    const std::vector<double>& markerValues() const;
    double value(std::size_t candidate) const;   // fitted value at a candidate; requires hasFit()
    std::vector<double> candidateValues() const; // fitted values at all candidates
    // |f_{m-1} - 2 f_m + f_{m+1}| at the candidate's marker m; 0 without a full-rank fit.
    double curvature(std::size_t candidate) const;

    // The minimum of the objective: residual sum of squares plus the weighted penalty.
    double objective() const;

    // Akaike's Bayesian information criterion of the fit (up to an additive constant):
    //     (n - 2) log S + 2 sum_i log|R_ii| - 2 (M - 2) log alpha,
    // with n observations and S = objective(), from the marginal likelihood of the Gaussian
    // smoothness prior with its 2-dimensional improper (linear) part integrated out and the noise
    // variance at its maximum-likelihood value S / (n - 2). Defined with at least 2 distinct
    // candidates and at least 3 observations.
    std::optional<double> abic() const;

    // Chooses alpha by minimising ABIC over log10(alpha) in [lo, hi]: a coarse scan (steps of 0.5)
    // brackets the best region, then golden-section search refines it. Sets and returns alpha;
    // keeps alpha unchanged when ABIC is not defined.
    double chooseAlphaByAbic(double log10Lo = -5.0, double log10Hi = 5.0);

private:
    void refactor();                         // rebuilds R from alpha*D and all observations
    void fold(std::size_t marker, double y); // Givens-rotates one unit row into R
    void solve() const;

    std::size_t m_candidates;
    std::size_t m_markers;
    double m_alpha;
    std::vector<std::array<double, 3>> m_r; // row i holds R(i, i), R(i, i+1), R(i, i+2)
    std::vector<double> m_z;                // Q^T times the right-hand side, per row of R
    double m_residual = 0.0;                // rotated-out right-hand side, squared and summed
    std::vector<Observation> m_observations;
    std::vector<std::size_t> m_countPerCandidate;
    std::size_t m_distinct = 0;

    mutable std::vector<double> m_f;
    mutable bool m_solved = false;
};

} // namespace sweepline::tuning
