#pragma once

#include "model/trialtablemodel.h"

#include <QChart>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace sweepline::gui {

// One figure over the live TrialTableModel. It follows the model incrementally: rows inserted or
// changed mark their trials dirty, and a short coalescing timer applies all dirty trials in one
// update (a burst of eight finishing trials redraws once, not eight times). Only a reset of the
// model, or an option that changes what every point means (another parameter, log scale), rebuilds
// everything. A chart that is not live (its tab is hidden) keeps collecting and catches up when
// shown; flush() brings it up to date at once (export does).
class TrialChart : public QObject {
    Q_OBJECT
public:
    explicit TrialChart(model::TrialTableModel* model, QObject* parent = nullptr);
    ~TrialChart() override;

    QChart* chart() const { return m_chart; }
    model::TrialTableModel* model() const { return m_model; }

    void setLive(bool live);
    bool isLive() const { return m_live; }
    bool hasPendingUpdates() const { return m_rebuildPending || !m_dirty.isEmpty(); }
    void flush();

    // How long updates wait to be coalesced, in milliseconds.
    static constexpr int coalesceMs = 40;

signals:
    void updated(); // after a flush changed the figure

protected:
    // Everything from scratch: the model was reset, or an option changed every point.
    virtual void rebuild() = 0;
    // These trials (by id, each at least once) were inserted or changed since the last update.
    virtual void updateTrials(const QList<qint64>& ids) = 0;

    void requestRebuild();
    void setChart(QChart* chart); // takes ownership

private:
    void markRows(int first, int last);
    void schedule();

    model::TrialTableModel* m_model;
    QPointer<QChart> m_chart; // a view showing it owns it through its scene
    QTimer m_timer;
    QSet<qint64> m_dirty;
    bool m_rebuildPending = true;
    bool m_live = true;
};

} // namespace sweepline::gui
