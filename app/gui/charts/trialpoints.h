#pragma once

#include <QHash>
#include <QList>
#include <QPointF>

namespace sweepline::gui {

// The plotted point of each trial, kept up to date one trial at a time as the model changes: set()
// and remove() are O(1), and points() hands the whole list to a DotLayer without copying (Qt's
// implicit sharing). The order is arbitrary, as a scatter needs none.
class TrialPoints {
public:
    void set(qint64 id, QPointF point);
    void remove(qint64 id);
    void clear();

    bool contains(qint64 id) const { return m_index.contains(id); }
    QPointF point(qint64 id) const { return m_points.at(m_index.value(id)); }
    const QList<QPointF>& points() const { return m_points; }
    const QList<qint64>& ids() const { return m_ids; }
    int size() const { return int(m_points.size()); }

private:
    QList<QPointF> m_points;
    QList<qint64> m_ids;
    QHash<qint64, int> m_index;
};

} // namespace sweepline::gui
