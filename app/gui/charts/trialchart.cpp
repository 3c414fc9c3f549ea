#include "gui/charts/trialchart.h"

#include <QChart>

namespace sweepline::gui {

TrialChart::TrialChart(model::TrialTableModel* model, QObject* parent) : QObject(parent), m_model(model)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(coalesceMs);
    connect(&m_timer, &QTimer::timeout, this, &TrialChart::flush);

    using M = model::TrialTableModel;
    connect(model, &M::rowsInserted, this, [this](const QModelIndex&, int first, int last) { markRows(first, last); });
    connect(model, &M::dataChanged, this, [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
        markRows(topLeft.row(), bottomRight.row());
    });
    // The model only ever inserts and changes rows; anything else re-reads it.
    connect(model, &M::modelReset, this, &TrialChart::requestRebuild);
    connect(model, &M::layoutChanged, this, &TrialChart::requestRebuild);
    connect(model, &M::rowsRemoved, this, &TrialChart::requestRebuild);
    connect(model, &M::rowsMoved, this, &TrialChart::requestRebuild);
    schedule();
}

TrialChart::~TrialChart()
{
    // Once shown, the chart belongs to its view's scene, which deletes it.
    if (m_chart && !m_chart->scene())
        delete m_chart;
}

void TrialChart::setChart(QChart* chart)
{
    m_chart = chart;
}

void TrialChart::setLive(bool live)
{
    m_live = live;
    if (live && hasPendingUpdates())
        schedule();
}

void TrialChart::requestRebuild()
{
    m_rebuildPending = true;
    m_dirty.clear();
    schedule();
}

void TrialChart::markRows(int first, int last)
{
    if (m_rebuildPending) {
        schedule();
        return;
    }
    for (int row = first; row <= last; ++row)
        m_dirty.insert(m_model->trialAt(row).id);
    schedule();
}

void TrialChart::schedule()
{
    // Never restarted: the first change of a burst fixes when the burst is drawn.
    if (m_live && !m_timer.isActive())
        m_timer.start();
}

void TrialChart::flush()
{
    m_timer.stop();
    if (m_rebuildPending) {
        m_rebuildPending = false;
        m_dirty.clear();
        rebuild();
    } else if (!m_dirty.isEmpty()) {
        QList<qint64> ids(m_dirty.cbegin(), m_dirty.cend());
        std::sort(ids.begin(), ids.end());
        m_dirty.clear();
        updateTrials(ids);
    } else {
        return;
    }
    emit updated();
}

} // namespace sweepline::gui
