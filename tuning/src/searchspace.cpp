#include "tuning/searchspace.h"

#include <cassert>
#include <limits>

namespace sweepline::tuning {

namespace {

std::optional<std::uint64_t> product(const std::vector<Dimension>& dims)
{
    std::uint64_t total = 1;
    for (const auto& d : dims) {
        if (d.size == 0)
            return 0;
        if (total > std::numeric_limits<std::uint64_t>::max() / d.size)
            return std::nullopt;
        total *= d.size;
    }
    return total;
}

} // namespace

SearchSpace::SearchSpace(std::vector<Dimension> dimensions)
    : m_dimensions(std::move(dimensions)),
      m_cardinality(product(m_dimensions))
{}

Point SearchSpace::basePoint() const
{
    Point p;
    p.reserve(m_dimensions.size());
    for (const auto& d : m_dimensions)
        p.push_back(d.defaultIndex.value_or((d.size - 1) / 2));
    return p;
}

bool SearchSpace::contains(const Point& point) const
{
    if (point.size() != m_dimensions.size())
        return false;
    for (std::size_t i = 0; i < point.size(); ++i) {
        if (point[i] >= m_dimensions[i].size)
            return false;
    }
    return true;
}

std::uint64_t SearchSpace::rank(const Point& point) const
{
    assert(m_cardinality && contains(point));
    std::uint64_t r = 0;
    for (std::size_t i = 0; i < point.size(); ++i)
        r = r * m_dimensions[i].size + point[i];
    return r;
}

Point SearchSpace::unrank(std::uint64_t rank) const
{
    assert(m_cardinality && rank < *m_cardinality);
    Point p(m_dimensions.size());
    for (std::size_t i = m_dimensions.size(); i-- > 0;) {
        p[i] = static_cast<std::size_t>(rank % m_dimensions[i].size);
        rank /= m_dimensions[i].size;
    }
    return p;
}

std::string SearchSpace::describe(const Point& point) const
{
    std::string out;
    for (std::size_t i = 0; i < point.size() && i < m_dimensions.size(); ++i) {
        if (i)
            out += ", ";
        out += m_dimensions[i].name + "=" + std::to_string(point[i]);
    }
    return out;
}

} // namespace sweepline::tuning
