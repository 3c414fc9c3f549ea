#pragma once

#include "gui/jobs/trialproxymodel.h"
#include "gui/jobs/trialsummary.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

// What the jobs monitor knows beyond its widgets: the filtered, sorted view of the trials, the
// per-state summary, which selected trials can be cancelled, the clipboard text, and the clock
// that keeps unfinished trials' durations moving (ticking only while some trial is unfinished).
class JobsController : public QObject {
    Q_OBJECT
public:
    explicit JobsController(model::TrialTableModel* trials, QObject* parent = nullptr);

    model::TrialTableModel* trials() const { return m_trials; }
    TrialProxyModel* proxy() const { return m_proxy; }
    const TrialSummary& summary() const { return m_summary; }
    bool isClockRunning() const { return m_clock.isActive(); }

    // Of these proxy rows, the trials not finished yet (those a cancel applies to), in row order.
    QList<qint64> cancellableTrials(const QList<int>& proxyRows) const;
    // The rows as tab-separated text for a spreadsheet: a header line, then one line per row, the
    // columns in the given order; numbers at full precision, durations in seconds.
    QString rowsAsTsv(const QList<int>& proxyRows, const QList<int>& columns) const;

public slots:
    void refreshSummary();
    void tick(); // the proxy's clock to the current time

signals:
    void summaryChanged();
    void clockTicked(const QDateTime& now); // every second while some trial is unfinished

private:
    model::TrialTableModel* m_trials;
    TrialProxyModel* m_proxy;
    TrialSummary m_summary;
    QTimer m_clock;
};

} // namespace sweepline::gui
