#include "cli/console.h"

#include <cstdio>

namespace sweepline::cli {

void printOut(const QString& line)
{
    std::fputs(qPrintable(line + u'\n'), stdout);
    std::fflush(stdout);
}

void printErr(const QString& line)
{
    std::fputs(qPrintable(line + u'\n'), stderr);
    std::fflush(stderr);
}

} // namespace sweepline::cli
