#include "gui/charts/trialpoints.h"

namespace sweepline::gui {

void TrialPoints::set(qint64 id, QPointF point)
{
    const auto it = m_index.constFind(id);
    if (it != m_index.cend()) {
        m_points[*it] = point;
        return;
    }
    m_index.insert(id, int(m_points.size()));
    m_points.append(point);
    m_ids.append(id);
}

void TrialPoints::remove(qint64 id)
{
    const auto it = m_index.constFind(id);
    if (it == m_index.cend())
        return;
    // The last point takes the removed one's place.
    const int at = *it;
    const int last = int(m_points.size()) - 1;
    m_index.remove(id);
    if (at != last) {
        m_points[at] = m_points.at(last);
        m_ids[at] = m_ids.at(last);
        m_index.insert(m_ids.at(at), at);
    }
    m_points.removeLast();
    m_ids.removeLast();
}

void TrialPoints::clear()
{
    m_points.clear();
    m_ids.clear();
    m_index.clear();
}

} // namespace sweepline::gui
