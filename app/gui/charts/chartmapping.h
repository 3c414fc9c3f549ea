#pragma once

#include <QPointF>

QT_BEGIN_NAMESPACE
class QAbstractSeries;
class QChart;
QT_END_NAMESPACE

namespace sweepline::gui {

// Data values to positions in the chart's coordinates for one series' axes, in a few multiplications
// per value (in log10 for a log axis) rather than a trip through QChart::mapToPosition for each of
// thousands of dots and bars. Built from two values mapped exactly; valid until the axes or the plot
// area change, so it is made afresh for each paint.
struct ValueMap {
    double ax = 1, bx = 0, ay = 1, by = 0;
    bool logX = false;
    bool logY = false;

    QPointF operator()(double x, double y) const;
    QPointF operator()(QPointF value) const { return (*this)(value.x(), value.y()); }
    bool valid(QPointF value) const; // false for what a log axis cannot show
};

ValueMap valueMapOf(QChart* chart, QAbstractSeries* series);

} // namespace sweepline::gui
