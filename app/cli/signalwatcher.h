#pragma once

#include <QObject>

class QSocketNotifier;

namespace sweepline::cli {

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (the self-pipe trick), so the
// handler itself does nothing but write one byte.
class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

signals:
    void received(int signalNumber);

private:
    void readPipe();
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace sweepline::cli
