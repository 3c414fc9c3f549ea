#pragma once

#include "tuning/dsplinegeometry.h"

#include <set>
#include <utility>

namespace sweepline::tuning::dspline {

// Where the iterative search has been: the bases it searched from and the grid lines a
// one-dimensional search ran on. The continuation after convergence restarts the search from
// measured points this memory does not explain yet:
//   - a point that was a base has had its neighbourhood searched;
//   - a point on a line-searched line, other than that line's best point, is dominated: the line
//     search already found something better along it.
// Lines are identified geometrically (their first point and direction), so a line reached again
// from another base counts as searched.
class SearchMemory {
public:
    void addBase(const Point& p) { m_bases.insert(p); }
    bool wasBase(const Point& p) const { return m_bases.count(p) != 0; }

    void addSearchedLine(const GridLine& line) { m_lines.emplace(line.origin, line.step); }
    void dominate(const Point& p) { m_dominated.insert(p); }
    bool lineSearched(const GridLine& line) const { return m_lines.count({line.origin, line.step}) != 0; }
    bool dominated(const Point& p) const { return m_dominated.count(p) != 0; }

    // Whether a restart from p would have a line of its own: a single-axis line of at least 2
    // points that no one-dimensional search has run on.
    bool hasNewLine(const SearchSpace& space, const Point& p, const std::vector<Step>& axisSteps) const;

private:
    std::set<Point> m_bases;
    std::set<std::pair<Point, Step>> m_lines;
    std::set<Point> m_dominated;
};

} // namespace sweepline::tuning::dspline
