#include "engine/threadstop.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

namespace sweepline::engine {

bool stopThreadWithin(QThread* thread, QObject* worker, std::function<void()> lastWork,
                      std::chrono::milliseconds deadline, const char* what)
{
    QMetaObject::invokeMethod(
        worker,
        [work = std::move(lastWork)] {
            work();
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
    if (thread->wait(QDeadlineTimer(deadline)))
        return true;
    qWarning("%s did not stop in %lld ms; leaving it to end on its own", what, qint64(deadline.count()));
    // Out of its owner's hands, and on the application's thread, which outlives the owner's.
    thread->setParent(nullptr);
    if (QCoreApplication* app = QCoreApplication::instance())
        thread->moveToThread(app->thread());
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    if (thread->isFinished()) // it ended since the wait: no finished signal is coming
        thread->deleteLater();
    return false;
}

} // namespace sweepline::engine
