#pragma once

#include "model/result.h"

#include <QString>

#include <optional>
#include <sys/types.h>

// Thin POSIX helpers for running job scripts on this computer.
namespace sweepline::engine::localprocess {

// Starts "/bin/bash <script>" in a new session with default signal handling, stdin and outputs on
// /dev/null, and no file descriptor of ours inherited. Returns its pid (which is also its group id).
model::Result<pid_t> spawnScript(const QString& scriptPath, const QString& workingDirectory);

// True when pid is alive and runs in runDirectory: a recycled pid running elsewhere does not count.
bool isAliveIn(pid_t pid, const QString& runDirectory);

// A descriptor that becomes readable when the process exits, or -1 where the kernel has none.
int openPidFd(pid_t pid);

// Signals the whole process group the job leads.
void signalGroup(pid_t pid, int signalNumber);

// Reaps our own child without blocking; returns the signal that killed it, if one did.
std::optional<int> reapChild(pid_t pid, bool* reaped);

std::optional<pid_t> readPidFile(const QString& path);

QString signalName(int signalNumber);

} // namespace sweepline::engine::localprocess
