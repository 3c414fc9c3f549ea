#include "tuning/dsplinememory.h"

namespace sweepline::tuning::dspline {

bool SearchMemory::hasNewLine(const SearchSpace& space, const Point& p, const std::vector<Step>& axisSteps) const
{
    for (const auto& step : axisSteps) {
        const GridLine line = lineThrough(space, p, step);
        if (line.count >= 2 && !lineSearched(line))
            return true;
    }
    return false;
}

} // namespace sweepline::tuning::dspline
