#include "gui/charts/chartmapping.h"

#include <QAbstractSeries>
#include <QChart>
#include <QLogValueAxis>
#include <QValueAxis>

#include <cmath>

namespace sweepline::gui {

QPointF ValueMap::operator()(double x, double y) const
{
    return {ax * (logX ? std::log10(x) : x) + bx, ay * (logY ? std::log10(y) : y) + by};
}

bool ValueMap::valid(QPointF value) const
{
    return (!logX || value.x() > 0) && (!logY || value.y() > 0);
}

ValueMap valueMapOf(QChart* chart, QAbstractSeries* series)
{
    ValueMap map;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    for (QAbstractAxis* axis : series->attachedAxes()) {
        double lo = 0, hi = 1;
        bool log = false;
        if (auto* logAxis = qobject_cast<QLogValueAxis*>(axis)) {
            lo = logAxis->min();
            hi = logAxis->max();
            log = true;
        } else if (auto* valueAxis = qobject_cast<QValueAxis*>(axis)) {
            lo = valueAxis->min();
            hi = valueAxis->max();
        } else {
            continue;
        }
        if (!(hi > lo))
            hi = lo + 1;
        if (axis->orientation() == Qt::Horizontal) {
            x0 = lo, x1 = hi, map.logX = log;
        } else {
            y0 = lo, y1 = hi, map.logY = log;
        }
    }
    const QPointF p0 = chart->mapToPosition(QPointF(x0, y0), series);
    const QPointF p1 = chart->mapToPosition(QPointF(x1, y1), series);
    auto fx = [&](double v) { return map.logX ? std::log10(v) : v; };
    auto fy = [&](double v) { return map.logY ? std::log10(v) : v; };
    map.ax = (p1.x() - p0.x()) / (fx(x1) - fx(x0));
    map.bx = p0.x() - map.ax * fx(x0);
    map.ay = (p1.y() - p0.y()) / (fy(y1) - fy(y0));
    map.by = p0.y() - map.ay * fy(y0);
    return map;
}

} // namespace sweepline::gui
