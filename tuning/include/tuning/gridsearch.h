#pragma once

#include "tuning/strategy.h"

#include <set>

namespace sweepline::tuning {

// Exhaustive search. The order is an odometer that starts at the base point (the defaults) and
// wraps around each dimension, last dimension fastest: deterministic, lazy, and it measures the
// default configuration first so every campaign has its reference value early.
class GridSearch final : public Strategy {
public:
    explicit GridSearch(SearchSpace space);

    std::string_view name() const override { return "grid"; }
    std::vector<Proposal> ask(std::size_t maxCount) override;
    void tell(const Point& point, const Outcome& outcome) override;
    bool exhausted() const override;
    void restore(const std::vector<HistoryEntry>& history) override;

private:
    bool advance(); // moves m_offset to the next odometer position; false after the last
    Point pointAt(const Point& offset) const;

    SearchSpace m_space;
    Point m_base;
    Point m_offset;      // per-dimension distance from the base, modulo the dimension's size
    bool m_done = false; // the odometer has passed its last position
    std::set<Point> m_proposed;
    int m_batch = 0;
};

} // namespace sweepline::tuning
