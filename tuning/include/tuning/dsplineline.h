#pragma once

#include "tuning/dsplinefit.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace sweepline::tuning {

struct DSplineLineOptions {
    double alpha = DSplineFit::kDefaultAlpha;
    bool autoAlpha = false;        // choose alpha by ABIC after every usable measurement
    std::size_t maxPoints = 30;    // a line stops once this many of its points are measured
    std::size_t stableUpdates = 3; // ... or once the fitted optimum survives this many updates
    // Sweepline's addition to the published rules: bisect towards the best measured point and do
    // not call a line stable while the neighbours of its best point are unmeasured. A fit through a
    // few points of a long line cannot see a narrow minimum between them; this finds the local
    // minimum next to the best measurement in O(log N) points. Off: the published rules alone.
    bool refine = true;
};

// The one-dimensional d-Spline search along one line of candidates 0..size-1 (index space).
//
// Order of proposals:
//   1. the first points: both ends, then the points at 1/3 and 2/3 (rounded to the nearest index);
//   2. with a fit (usable measurements at 2 or more distinct points), DSICE's priorities among the
//      unmeasured points: those fitted better than the best measured value (best fitted first),
//      then those fitted worse than the worst measured value (worst first), then the rest by
//      largest |second difference| of the fitted curve at their marker (the curvature), ties broken
//      by the largest distance to any measured or pending point, then by index;
//   3. without a fit (possible only while first points are pending, or after failures), the
//      unmeasured points farthest from every measured or pending point (greedy maximin).
// With `refine`, the list of 2. alternates with the refinement points (one of each in turn; which
// one leads alternates with every point the line has beyond its first points, so a sequential
// search takes them in turn): the midpoints of the unmeasured gaps on either side of the best
// measured point (rounded towards it, the wider gap first), and the fitted optimum when it is
// unmeasured. They bracket the best measurement like a bisection, down to its neighbours.
// Stopping (sticky): the fitted optimum (the best fitted candidate) unchanged over `stableUpdates`
// consecutive updates, counted once the first points are all resolved (with `refine`, also the
// fitted optimum and both neighbours of the best measured point resolved); or `maxPoints` points of
// the line measured; or every point measured; or the first points resolved with fewer than 2
// usable distinct points (the line cannot be fitted: failures must not stall the search).
// A failed point counts as measured (it is never proposed again) but never enters the fit.
// "Measured" includes points already known when the line was created (seed()).
//
// Exhaustive mode (categorical values): no fit and no order; every value is proposed, in index
// order, and the line stops when all are measured.
class DSplineLineSearch {
public:
    enum class Mode { Spline, Exhaustive };
    enum class StopReason { None, Stable, PointLimit, AllMeasured, TooFewUsable };
    using Result = std::optional<double>; // empty: the measurement failed

    explicit DSplineLineSearch(std::size_t size, Mode mode = Mode::Spline, DSplineLineOptions options = {});

    // Ends first, then thirds, without duplicates (fewer for lines shorter than 4).
    static std::vector<std::size_t> firstPoints(std::size_t size);

    std::size_t size() const { return m_state.size(); }
    Mode mode() const { return m_mode; }

    // What was known before the line started, as one update.
    void seed(const std::vector<std::pair<std::size_t, Result>>& known, const std::vector<std::size_t>& pending);
    void markPending(std::size_t index);
    // A result (pending or not): one update. Ignored for points already measured.
    void record(std::size_t index, Result result);

    bool isUnknown(std::size_t index) const { return m_state[index] == Slot::Unknown; }
    bool isPending(std::size_t index) const { return m_state[index] == Slot::Pending; }

    // Up to maxCount unmeasured, non-pending points in priority order; empty once stopped.
    std::vector<std::size_t> candidates(std::size_t maxCount) const;

    bool stopped() const { return m_stop != StopReason::None; }
    StopReason stopReason() const { return m_stop; }
    bool finished() const { return stopped() && m_pending == 0; }

    std::size_t pendingCount() const { return m_pending; }
    std::size_t measuredCount() const { return m_measured; } // failures included
    std::size_t usableCount() const { return m_usable; }

    std::optional<std::size_t> bestMeasured() const { return m_best; }
    std::optional<double> bestValue() const;
    std::optional<double> value(std::size_t index) const; // the measured value, when usable
    // The best fitted candidate and fitted values; need usable points at 2 distinct candidates.
    std::optional<std::size_t> fittedOptimum() const;
    std::optional<double> fittedValue(std::size_t index) const;
    const DSplineFit& fit() const { return m_fit; }

private:
    enum class Slot : std::uint8_t { Unknown, Pending, Measured, Failed };

    void apply(std::size_t index, Result result); // stores a result without judging the stop rules
    void judge(bool fitChanged);                  // updates the optimum tracking and stop rules
    bool firstPointsResolved() const;
    bool resolved(std::size_t index) const
    {
        return m_state[index] == Slot::Measured || m_state[index] == Slot::Failed;
    }
    bool neighbourhoodResolved() const;                // the refinement's stop condition
    std::vector<std::size_t> refinementPoints() const; // bisection towards the best, in order
    std::vector<std::size_t> priorityOrder(const std::vector<bool>& taken) const; // DSICE's zones
    std::vector<double> distanceToKnown() const;

    Mode m_mode;
    DSplineLineOptions m_options;
    DSplineFit m_fit;
    std::vector<Slot> m_state;
    std::vector<double> m_values;
    std::vector<std::size_t> m_first;
    std::size_t m_pending = 0;
    std::size_t m_measured = 0;
    std::size_t m_usable = 0;
    std::optional<std::size_t> m_best;
    double m_min = 0.0;
    double m_max = 0.0;
    bool m_tracking = false;
    std::size_t m_optimum = 0;
    std::size_t m_unchanged = 0;
    StopReason m_stop = StopReason::None;
};

} // namespace sweepline::tuning
