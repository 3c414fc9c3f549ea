#include "gui/charts/dotlayer.h"

#include "gui/charts/chartmapping.h"

#include <QAbstractSeries>
#include <QChart>
#include <QPaintEngine>
#include <QPainter>
#include <QPolygonF>

#include <cmath>

namespace sweepline::gui {

DotLayer::DotLayer(QChart* chart, double z, const Style& style) : QGraphicsObject(chart), m_chart(chart), m_style(style)
{
    setZValue(z);
    setAcceptedMouseButtons(Qt::NoButton);
    connect(chart, &QChart::plotAreaChanged, this, [this] { update(); });
    connect(chart, &QGraphicsWidget::geometryChanged, this, [this] {
        prepareGeometryChange();
        update();
    });
}

void DotLayer::setReferenceSeries(QAbstractSeries* series)
{
    m_series = series;
    update();
}

void DotLayer::setDots(const QList<QPointF>& dots)
{
    m_dots = dots;
    update();
}

QRectF DotLayer::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_chart->size());
}

const QImage& DotLayer::markerFor(qreal scale) const
{
    const int side = std::max(1, int(std::ceil(m_style.size * scale)));
    if (m_marker.width() != side || m_marker.devicePixelRatio() != scale) {
        m_marker = QImage(side, side, QImage::Format_ARGB32_Premultiplied);
        m_marker.fill(Qt::transparent);
        QPainter painter(&m_marker);
        painter.setRenderHint(QPainter::Antialiasing);
        QPen pen = m_style.pen;
        pen.setWidthF(pen.widthF() * scale);
        painter.setPen(pen);
        painter.setBrush(m_style.brush);
        const double inset = pen.style() == Qt::NoPen ? 0.25 : pen.widthF() / 2;
        drawMarker(&painter, QPointF(side / 2.0, side / 2.0), side / 2.0 - inset);
        m_marker.setDevicePixelRatio(scale);
    }
    return m_marker;
}

void DotLayer::drawMarker(QPainter* painter, const QPointF& centre, qreal half) const
{
    switch (m_style.shape) {
    case Shape::Circle:
        painter->drawEllipse(centre, half, half);
        return;
    case Shape::Diamond:
        painter->drawPolygon(QPolygonF{centre + QPointF(0, -half), centre + QPointF(half, 0), centre + QPointF(0, half),
                                       centre + QPointF(-half, 0)});
        return;
    }
}

void DotLayer::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    if (m_dots.isEmpty() || !m_series || !m_series->chart())
        return;
    const QRectF plot = m_chart->plotArea();
    const ValueMap map = valueMapOf(m_chart, m_series);
    const qreal half = m_style.size / 2;
    const QRectF visible = plot.adjusted(-half, -half, half, half);
    painter->save();
    painter->setClipRect(plot);
    const QPaintEngine* engine = painter->paintEngine();
    const bool vector = engine && engine->type() != QPaintEngine::Raster && engine->type() != QPaintEngine::OpenGL2;
    if (vector) {
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(m_style.pen);
        painter->setBrush(m_style.brush);
    }
    const QTransform device = painter->deviceTransform();
    const qreal scale = std::max<qreal>(1.0, std::abs(device.m11()));
    const QImage& marker = vector ? m_marker : markerFor(scale);
    for (const QPointF& value : std::as_const(m_dots)) {
        if (!map.valid(value))
            continue;
        const QPointF at = map(value);
        if (!visible.contains(at))
            continue;
        if (vector)
            drawMarker(painter, at, half);
        else
            painter->drawImage(at - QPointF(half, half), marker);
    }
    painter->restore();
}

} // namespace sweepline::gui
