#pragma once

#include "model/result.h"

#include <QSize>
#include <QString>

QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace sweepline::gui {

// Figures for papers: PNG at twice the logical size (crisp on print and on HiDPI screens), SVG as
// vectors. Both render the chart's scene, annotations included, at `size` logical pixels; the chart
// is laid out at that size for the export and given its own size back afterwards.
model::Status exportChartPng(QChart* chart, const QString& path, QSize size, qreal devicePixelRatio = 2.0);
model::Status exportChartSvg(QChart* chart, const QString& path, QSize size, const QString& title);
// By the file's suffix: .png or .svg.
model::Status exportChartFile(QChart* chart, const QString& path, QSize size, const QString& title);

} // namespace sweepline::gui
