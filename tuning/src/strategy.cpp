#include "tuning/strategy.h"

#include "tuning/dsplinesearch.h"
#include "tuning/gridsearch.h"
#include "tuning/randomsearch.h"
#include "tuning/tpe.h"

namespace sweepline::tuning {

std::unique_ptr<Strategy> makeStrategy(std::string_view name, const SearchSpace& space, const StrategyOptions& options)
{
    if (name == "grid")
        return std::make_unique<GridSearch>(space);
    if (name == "random")
        return std::make_unique<RandomSearch>(space, options.seed);
    if (name == "tpe")
        return std::make_unique<TpeSearch>(space, options.seed);
    if (name == "dspline")
        return std::make_unique<DSplineSearch>(space);
    return nullptr;
}

const std::vector<std::string>& strategyNames()
{
    static const std::vector<std::string> names{"grid", "random", "tpe", "dspline"};
    return names;
}

} // namespace sweepline::tuning
