#pragma once

#include <QString>

namespace sweepline::cli {

// Exit codes promised to scripts: keep them stable.
enum ExitCode { ExitDone = 0, ExitRunFailure = 1, ExitInvalidInput = 2 };

void printOut(const QString& line); // one line to stdout, flushed
void printErr(const QString& line); // one line to stderr, flushed

} // namespace sweepline::cli
