#include "cli/console.h"

#include <cstdio>

namespace sweepline::cli {

void printOut(const QString& line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

void printErr(const QString& line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stderr);
    std::fflush(stderr);
}

} // namespace sweepline::cli
