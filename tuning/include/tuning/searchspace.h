#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sweepline::tuning {

// A point names one candidate per dimension by its index; strategies never see the values themselves.
using Point = std::vector<std::size_t>;

enum class DimensionKind {
    Ordinal,     // candidates have an order (numbers): neighbours are meaningful
    Categorical, // unordered choices
};

struct Dimension {
    std::string name;
    std::size_t size = 0; // number of candidates, at least 1
    DimensionKind kind = DimensionKind::Ordinal;
    bool logScale = false;                   // candidates were spaced logarithmically
    std::vector<double> numericValues;       // one per candidate for numeric ordinals, else empty
    std::optional<std::size_t> defaultIndex; // the user's default configuration, when given
};

class SearchSpace {
public:
    SearchSpace() = default;
    explicit SearchSpace(std::vector<Dimension> dimensions);

    const std::vector<Dimension>& dimensions() const { return m_dimensions; }
    std::size_t dimensionCount() const { return m_dimensions.size(); }

    // Number of points, or nullopt when it does not fit in 64 bits.
    std::optional<std::uint64_t> cardinality() const { return m_cardinality; }

    // The defaults where given, else the centre candidate of each dimension.
    Point basePoint() const;

    bool contains(const Point& point) const;

    // Mixed-radix rank of a point (last dimension fastest) and its inverse; only for finite cardinality.
    std::uint64_t rank(const Point& point) const;
    Point unrank(std::uint64_t rank) const;

    std::string describe(const Point& point) const; // "hidden=2, solver=0": for messages and tests

private:
    std::vector<Dimension> m_dimensions;
    std::optional<std::uint64_t> m_cardinality;
};

} // namespace sweepline::tuning
