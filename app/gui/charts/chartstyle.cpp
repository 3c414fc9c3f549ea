#include "gui/charts/chartstyle.h"

#include "gui/common/statecolors.h"

#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui::chartstyle {

QColor trialColor()
{
    return QColor(0x1f, 0x77, 0xb4);
}
QColor bestColor()
{
    return QColor(0xd6, 0x27, 0x28);
}
QColor bracketColor()
{
    return QColor(0xff, 0x7f, 0x0e);
}
QColor defaultColor()
{
    return QColor(0x2c, 0xa0, 0x2c);
}
QColor failedColor()
{
    return QColor(0xd6, 0x27, 0x28);
}
QColor prunedColor()
{
    return stateColor(model::TrialState::Pruned);
}
QColor textColor()
{
    return QColor(0x21, 0x21, 0x21);
}

QFont labelFont()
{
    QFont font;
    font.setPointSizeF(9);
    return font;
}

QFont titleFont()
{
    QFont font;
    font.setPointSizeF(10);
    return font;
}

QChart* newChart()
{
    auto* chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setDropShadowEnabled(false);
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(Qt::white);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setMargins(QMargins(6, 10, 14, 6));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setFont(labelFont());
    chart->legend()->setLabelColor(textColor());
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    chart->legend()->hide();
    return chart;
}

namespace {

void styleAxis(QAbstractAxis* axis, const QString& title)
{
    axis->setTitleText(title);
    axis->setTitleFont(titleFont());
    axis->setTitleBrush(textColor());
    axis->setLabelsFont(labelFont());
    axis->setLabelsColor(textColor());
    axis->setLinePen(QPen(QColor(0x42, 0x42, 0x42), 1));
    axis->setGridLinePen(QPen(QColor(0xe4, 0xe4, 0xe4), 1));
    axis->setMinorGridLinePen(QPen(QColor(0xf2, 0xf2, 0xf2), 1));
    axis->setShadesVisible(false);
}

} // namespace

QValueAxis* newValueAxis(const QString& title)
{
    auto* axis = new QValueAxis;
    styleAxis(axis, title);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setMinorTickCount(0);
    return axis;
}

QLogValueAxis* newLogAxis(const QString& title)
{
    auto* axis = new QLogValueAxis;
    styleAxis(axis, title);
    axis->setBase(10);
    axis->setLabelFormat(u"%g"_s);
    axis->setMinorTickCount(8); // 2..9 between decades
    return axis;
}

QCategoryAxis* newCategoryAxis(const QString& title, const QStringList& categories)
{
    auto* axis = new QCategoryAxis;
    styleAxis(axis, title);
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    axis->setStartValue(-0.5);
    for (int i = 0; i < categories.size(); ++i)
        axis->append(categories.at(i), i + 0.5);
    axis->setRange(-0.5, double(std::max<qsizetype>(1, categories.size())) - 0.5);
    axis->setGridLineVisible(false);
    return axis;
}

void setRange(QValueAxis* axis, figures::Range range, int targetTicks)
{
    if (axis->min() == range.min && axis->max() == range.max)
        return;
    const double step = figures::niceStep(range.max - range.min, targetTicks);
    // Enough decimals to tell the ticks apart: 0.25 needs 2, 20 needs none.
    int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    if (std::abs(step / std::pow(10.0, -decimals) - std::round(step / std::pow(10.0, -decimals))) > 1e-6)
        ++decimals;
    axis->setTickAnchor(std::ceil(range.min / step) * step);
    axis->setTickInterval(step);
    axis->setLabelFormat(u"%.%1f"_s.arg(decimals));
    axis->setRange(range.min, range.max);
}

void setRange(QLogValueAxis* axis, figures::Range range)
{
    if (axis->min() == range.min && axis->max() == range.max)
        return;
    axis->setRange(range.min, range.max);
}

void setRange(QAbstractAxis* axis, figures::Range range, int targetTicks)
{
    if (auto* value = qobject_cast<QValueAxis*>(axis))
        setRange(value, range, targetTicks);
    else if (auto* log = qobject_cast<QLogValueAxis*>(axis))
        setRange(log, range);
}

QScatterSeries* newLegendEntry(const QString& name, qreal size, const QBrush& brush, const QPen& pen, bool diamond)
{
    auto* series = new QScatterSeries;
    series->setName(name);
    series->setMarkerShape(diamond ? QScatterSeries::MarkerShapeRotatedRectangle : QScatterSeries::MarkerShapeCircle);
    series->setMarkerSize(size);
    series->setBrush(brush);
    series->setPen(pen);
    return series;
}

} // namespace sweepline::gui::chartstyle
