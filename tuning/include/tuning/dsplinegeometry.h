#pragma once

#include "tuning/searchspace.h"

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

// Grid geometry for the iterative one-dimensional d-Spline search: search directions, the grid
// lines through a base point, labels, and the ring walk used when nothing else can be proposed.
namespace sweepline::tuning::dspline {

// A search direction: a per-dimension step in {-1, 0, +1}. Canonical directions (those of lines)
// have their first nonzero step +1, since a line and its reverse are the same line.
using Step = std::vector<int>;
using StepSet = std::set<Step>;

std::size_t axisCount(const Step& step);

// Whether a dimension can take part in a direction: it must have at least 2 candidates.
// Categorical dimensions (no order) only form single-axis directions.
bool movable(const Dimension& d);

// Canonical directions changing between minAxes and maxAxes dimensions, in the listed order:
// by number of changed axes, then by the axes (lexicographic), then by the signs of the axes
// after the first (+ before -).
std::vector<Step> enumerateSteps(const SearchSpace& space, std::size_t minAxes, std::size_t maxAxes);

// Number of canonical directions changing exactly k axes.
std::size_t stepCount(const SearchSpace& space, std::size_t k);

// The highest widening level: every level up to it keeps the lines of one round (all directions
// up to that many axes) at or under lineCap; at least 1.
std::size_t maxLevel(const SearchSpace& space, std::size_t lineCap);

// The whole grid line through `base` along `step`: origin + j*step for j in [0, count).
struct GridLine {
    Point origin;
    Step step;
    std::size_t count = 0;
    std::size_t baseIndex = 0; // where the base point sits on the line

    Point at(std::size_t j) const;
    std::optional<std::size_t> indexOf(const Point& p) const;
};

GridLine lineThrough(const SearchSpace& space, const Point& base, const Step& step);

// The canonical direction of the line through a and b when they are distinct and on a common
// search direction (equal nonzero offsets in magnitude, no categorical axis in a diagonal).
std::optional<Step> stepBetween(const SearchSpace& space, const Point& a, const Point& b);

// The signs of (to - from) per dimension, "+1,-1,+0": the direction label of a proposal.
std::string directionLabel(const Point& from, const Point& to);

// Walks the grid in rings of growing Chebyshev distance around a centre (distance 1 first),
// each ring in odometer order (last dimension fastest). Lazy: memory does not grow with the space.
class RingWalker {
public:
    RingWalker() = default;
    RingWalker(const SearchSpace& space, Point centre);

    std::optional<Point> next();
    const Point& centre() const { return m_centre; }

private:
    bool resetBox(); // sets up the box of the current radius; false when the grid is covered
    bool advance();  // odometer step within the box; false after its last point

    std::vector<std::size_t> m_sizes;
    Point m_centre;
    std::size_t m_radius = 0;
    std::size_t m_maxRadius = 0;
    Point m_lo, m_hi, m_cur;
    bool m_done = true;
};

} // namespace sweepline::tuning::dspline
