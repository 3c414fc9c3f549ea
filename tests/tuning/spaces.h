#pragma once

#include "tuning/searchspace.h"

#include <initializer_list>

namespace sweepline::tuning::testing {

// A space of ordinal dimensions with the given sizes; defaults are set where a value is >= 0.
inline SearchSpace makeSpace(std::initializer_list<std::size_t> sizes, std::initializer_list<int> defaults = {})
{
    std::vector<Dimension> dims;
    auto def = defaults.begin();
    int i = 0;
    for (std::size_t size : sizes) {
        Dimension d;
        d.name = "p" + std::to_string(i++);
        d.size = size;
        if (def != defaults.end()) {
            if (*def >= 0)
                d.defaultIndex = static_cast<std::size_t>(*def);
            ++def;
        }
        dims.push_back(d);
    }
    return SearchSpace(std::move(dims));
}

} // namespace sweepline::tuning::testing
