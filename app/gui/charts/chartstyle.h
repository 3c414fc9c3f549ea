#pragma once

#include "gui/charts/figuredata.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QPen>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QCategoryAxis;
class QChart;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

// One look for every figure: light theme, no animation, black text, thin grey grid, round ticks. The
// colours follow the posters (blue trials, red best, orange batch brackets, green default).
namespace sweepline::gui::chartstyle {

QColor trialColor();
QColor bestColor();
QColor bracketColor();
QColor defaultColor();
QColor failedColor();
QColor prunedColor(); // the pruned state's colour
QColor textColor();

QFont labelFont(); // tick labels, legend, annotations
QFont titleFont(); // axis titles

QChart* newChart(); // caller owns it
QValueAxis* newValueAxis(const QString& title);
QLogValueAxis* newLogAxis(const QString& title);
// Categories centred on 0, 1, 2, ...; range [-0.5, n - 0.5].
QCategoryAxis* newCategoryAxis(const QString& title, const QStringList& categories);

// Sets the range and round ticks (anchored at a multiple of the step) with as many decimals as the
// step needs. Does nothing when the range is already this one, so the layout is not redone.
void setRange(QValueAxis* axis, figures::Range range, int targetTicks = 6);
void setRange(QLogValueAxis* axis, figures::Range range);
// Dispatches on the axis type; category axes keep their own range.
void setRange(QAbstractAxis* axis, figures::Range range, int targetTicks = 6);

// Where overlays sit among the chart's own items (grid 2, axes 3, series 4, legend 5): dots and
// brackets under the series (the few marked points stay on top), labels over them.
constexpr double bracketZ = 3.5;
constexpr double dotZ = 3.6;
constexpr double markedDotZ = 3.7;
constexpr double labelZ = 4.5;

// A series without points that stands for a DotLayer in the legend, in the same look.
QScatterSeries* newLegendEntry(const QString& name, qreal size, const QBrush& brush, const QPen& pen,
                               bool diamond = false);

} // namespace sweepline::gui::chartstyle
