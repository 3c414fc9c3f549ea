#include "tuning/randomsearch.h"

namespace sweepline::tuning {

namespace {

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr int kFeistelRounds = 6;

} // namespace

RandomSearch::RandomSearch(SearchSpace space, std::uint64_t seed)
    : m_space(std::move(space)),
      m_seed(seed),
      m_rngState(splitmix64(seed))
{
    const auto n = m_space.cardinality();
    if (n && *n <= (std::uint64_t{1} << 62)) {
        m_size = *n;
        while ((std::uint64_t{1} << (2 * m_halfBits)) < m_size)
            ++m_halfBits;
        if (m_halfBits == 0)
            m_halfBits = 1;
    }
}

std::uint64_t RandomSearch::feistel(std::uint64_t x) const
{
    const std::uint64_t mask = (std::uint64_t{1} << m_halfBits) - 1;
    std::uint64_t left = x >> m_halfBits;
    std::uint64_t right = x & mask;
    for (int round = 0; round < kFeistelRounds; ++round) {
        const std::uint64_t f = splitmix64(m_seed ^ (std::uint64_t(round) << 56) ^ right) & mask;
        const std::uint64_t next = left ^ f;
        left = right;
        right = next;
    }
    return (left << m_halfBits) | right;
}

std::uint64_t RandomSearch::permute(std::uint64_t index) const
{
    // Cycle walking: a permutation of the power-of-four domain restricted to [0, m_size) is still a
    // permutation; the domain is less than 4x the size, so a few steps suffice on average.
    std::uint64_t x = feistel(index);
    while (x >= m_size)
        x = feistel(x);
    return x;
}

Point RandomSearch::drawUnbounded()
{
    Point p(m_space.dimensionCount());
    for (std::size_t i = 0; i < p.size(); ++i) {
        m_rngState = splitmix64(m_rngState);
        p[i] = static_cast<std::size_t>(m_rngState % m_space.dimensions()[i].size);
    }
    return p;
}

std::vector<Proposal> RandomSearch::ask(std::size_t maxCount)
{
    std::vector<Proposal> out;
    if (maxCount == 0 || exhausted())
        return out;
    ++m_batch;
    while (out.size() < maxCount) {
        Point p;
        if (m_size) {
            if (m_next >= m_size)
                break;
            p = m_space.unrank(permute(m_next++));
        } else {
            p = drawUnbounded();
        }
        if (m_proposed.insert(p).second)
            out.push_back({std::move(p), Labels{0, {}, m_batch}});
    }
    if (out.empty())
        --m_batch;
    return out;
}

void RandomSearch::tell(const Point&, const Outcome&)
{
    // Random search does not learn from results.
}

bool RandomSearch::exhausted() const
{
    if (m_space.cardinality() == std::uint64_t{0})
        return true;
    return m_size != 0 && m_next >= m_size;
}

void RandomSearch::restore(const std::vector<HistoryEntry>& history)
{
    for (const auto& entry : history) {
        m_proposed.insert(entry.proposal.point);
        m_batch = std::max(m_batch, entry.proposal.labels.batch);
    }
}

} // namespace sweepline::tuning
