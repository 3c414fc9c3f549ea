#include "tuning/gridsearch.h"

namespace sweepline::tuning {

GridSearch::GridSearch(SearchSpace space)
    : m_space(std::move(space)),
      m_base(m_space.basePoint()),
      m_offset(m_space.dimensionCount(), 0),
      m_done(m_space.cardinality() == std::uint64_t{0})
{}

Point GridSearch::pointAt(const Point& offset) const
{
    Point p(offset.size());
    for (std::size_t i = 0; i < offset.size(); ++i)
        p[i] = (m_base[i] + offset[i]) % m_space.dimensions()[i].size;
    return p;
}

bool GridSearch::advance()
{
    for (std::size_t i = m_offset.size(); i-- > 0;) {
        if (++m_offset[i] < m_space.dimensions()[i].size)
            return true;
        m_offset[i] = 0;
    }
    return false;
}

std::vector<Proposal> GridSearch::ask(std::size_t maxCount)
{
    std::vector<Proposal> out;
    if (maxCount == 0 || m_done)
        return out;
    ++m_batch;
    while (!m_done && out.size() < maxCount) {
        Point p = pointAt(m_offset);
        if (m_proposed.insert(p).second)
            out.push_back({std::move(p), Labels{0, {}, m_batch}});
        m_done = !advance();
    }
    if (out.empty())
        --m_batch;
    return out;
}

void GridSearch::tell(const Point&, const Outcome&)
{
    // The grid's order does not depend on results.
}

bool GridSearch::exhausted() const
{
    return m_done;
}

void GridSearch::restore(const std::vector<HistoryEntry>& history)
{
    for (const auto& entry : history) {
        m_proposed.insert(entry.proposal.point);
        m_batch = std::max(m_batch, entry.proposal.labels.batch);
    }
}

} // namespace sweepline::tuning
