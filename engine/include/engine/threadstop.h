#pragma once

#include <QObject>
#include <QThread>

#include <chrono>
#include <functional>

namespace sweepline::engine {

// Stops a worker thread without ever blocking past a deadline: lastWork runs on the thread (queued
// to worker, behind whatever that thread still has to do), then its event loop quits. Returns true
// when the thread ended in time. Otherwise the thread is left to end on its own and deletes itself
// then, because a QThread destroyed while it runs aborts the process; `what` names it in the warning.
bool stopThreadWithin(QThread* thread, QObject* worker, std::function<void()> lastWork,
                      std::chrono::milliseconds deadline, const char* what);

} // namespace sweepline::engine
