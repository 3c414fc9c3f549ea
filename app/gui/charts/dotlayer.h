#pragma once

#include <QBrush>
#include <QGraphicsObject>
#include <QImage>
#include <QList>
#include <QPen>
#include <QPointer>

QT_BEGIN_NAMESPACE
class QAbstractSeries;
class QChart;
QT_END_NAMESPACE

namespace sweepline::gui {

// Thousands of scatter dots in one paint pass. A QScatterSeries makes a graphics item per dot, which
// costs tens of microseconds each to create and to move when an axis changes: seconds for 10,000
// trials. Here on raster devices each dot is one pre-rendered image (made at the device's own
// pixel scale, so it stays sharp in 2x exports), and on vector devices (SVG) a true circle.
// The layer's legend entry is an empty series with the same look (see legendSeries()).
class DotLayer : public QGraphicsObject {
    Q_OBJECT
public:
    enum class Shape { Circle, Diamond };
    struct Style {
        qreal size = 7; // diameter in pixels
        QBrush brush;
        QPen pen = Qt::NoPen; // an outline (hollow dots: Qt::NoBrush and a pen)
        Shape shape = Shape::Circle;
    };

    // z: where it sits among the chart's items (axes 3, series 4, legend 5).
    DotLayer(QChart* chart, double z, const Style& style);

    void setReferenceSeries(QAbstractSeries* series); // its axes place the dots
    void setDots(const QList<QPointF>& dots);
    const QList<QPointF>& dots() const { return m_dots; }
    const Style& style() const { return m_style; }

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    const QImage& markerFor(qreal scale) const;
    void drawMarker(QPainter* painter, const QPointF& centre, qreal half) const;

    QChart* m_chart;
    QPointer<QAbstractSeries> m_series;
    QList<QPointF> m_dots;
    Style m_style;
    mutable QImage m_marker; // for the last device scale painted at
};

} // namespace sweepline::gui
