#pragma once

#include "tuning/strategy.h"

#include <cstdint>
#include <set>

namespace sweepline::tuning {

// Uniform random search without repeats. The points are a seeded pseudo-random permutation of the
// grid's ranks (a Feistel network with cycle walking), walked in order: no memory grows with the
// space, the same seed always gives the same sequence, and a resumed run continues that sequence.
class RandomSearch final : public Strategy {
public:
    RandomSearch(SearchSpace space, std::uint64_t seed);

    std::string_view name() const override { return "random"; }
    std::vector<Proposal> ask(std::size_t maxCount) override;
    void tell(const Point& point, const Outcome& outcome) override;
    bool exhausted() const override;
    void restore(const std::vector<HistoryEntry>& history) override;

private:
    std::uint64_t permute(std::uint64_t index) const;
    std::uint64_t feistel(std::uint64_t x) const;
    Point drawUnbounded(); // for spaces too large to rank in 64 bits

    SearchSpace m_space;
    std::uint64_t m_seed;
    std::uint64_t m_size = 0;     // cardinality, 0 when it does not fit in 64 bits
    unsigned m_halfBits = 0;      // the Feistel domain is 2^(2*m_halfBits) >= m_size
    std::uint64_t m_next = 0;     // next permutation index to try
    std::uint64_t m_rngState = 0; // for the unbounded case
    std::set<Point> m_proposed;
    int m_batch = 0;
};

} // namespace sweepline::tuning
