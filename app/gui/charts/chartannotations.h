#pragma once

#include "gui/charts/figuredata.h"

#include <QColor>
#include <QGraphicsObject>
#include <QList>
#include <QPen>
#include <QPointer>
#include <QString>

QT_BEGIN_NAMESPACE
class QAbstractSeries;
class QChart;
QT_END_NAMESPACE

namespace sweepline::gui {

// What a chart's series cannot express, drawn in data coordinates on top of (or under) them: lines
// across the whole plot height (the batch brackets), spans labelled above the plot area (the search
// stages), text pinned to data points (the best trial), and horizontal bars (the jobs timeline).
// It lives in the chart's scene as a child of the chart, so grab(), render() and the SVG export all
// draw it; it repaints when the plot area moves, and its owner calls refresh() after the axes change.
class ChartAnnotations : public QGraphicsObject {
    Q_OBJECT
public:
    enum class Layer { BelowSeries, AboveSeries };

    struct Span {
        double from = 0;
        double to = 0;
        QString text;
        QString shortText; // used when text does not fit over the span; empty: nothing
    };
    struct PointLabel {
        QPointF value;
        QString text;
        QColor color;
    };
    struct Caption {
        QPointF value; // the text's top left corner
        QString text;
    };
    struct Bar {
        double y = 0; // centre, in the y axis' units
        double from = 0;
        double to = 0;
        QColor color;
    };

    ChartAnnotations(QChart* chart, Layer layer);

    // The series whose axes map values to positions. Must be attached to the chart's axes.
    void setReferenceSeries(QAbstractSeries* series);

    // Parallel batches as x extents: a line at each boundary while they are a few pixels apart or more;
    // denser than that, every other bracket tinted instead, so they do not merge into a wall of lines.
    void setBrackets(const QList<figures::Range>& brackets, const QColor& color);
    void setHorizontalLines(const QList<double>& ys, const QPen& pen);
    void setCaptions(const QList<Caption>& captions);
    // A step function (corners as from figures::concurrencySteps) filled down to `baseline`, drawn
    // pixel column by pixel column: its largest value in each column. Exact at the screen's
    // resolution, and quick for tens of thousands of steps, which an antialiased polygon is not.
    void setStepArea(const QList<QPointF>& corners, double baseline, const QColor& fill, const QColor& outline);
    void setTopSpans(const QList<Span>& spans);
    void setPointLabels(const QList<PointLabel>& labels);
    void setBars(const QList<Bar>& bars, double thickness);

    const QList<figures::Range>& brackets() const { return m_brackets; }
    QList<double> verticalLines() const { return figures::bracketLines(m_brackets); }
    const QList<double>& horizontalLines() const { return m_horizontal; }
    const QList<Caption>& captions() const { return m_captions; }
    const QList<QPointF>& stepArea() const { return m_steps; }
    const QList<Span>& topSpans() const { return m_spans; }
    const QList<PointLabel>& pointLabels() const { return m_labels; }
    const QList<Bar>& bars() const { return m_bars; }

    // The room the span labels need above the plot area, in pixels (0 without spans).
    int topSpanHeight() const;

    void refresh();

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    QPointF position(double x, double y) const;
    void paintBrackets(QPainter* painter, const QRectF& plot) const;
    void paintHorizontal(QPainter* painter, const QRectF& plot) const;
    void paintCaptions(QPainter* painter, const QRectF& plot) const;
    void paintStepArea(QPainter* painter, const QRectF& plot) const;
    void paintSpans(QPainter* painter, const QRectF& plot) const;
    void paintLabels(QPainter* painter, const QRectF& plot) const;
    void paintBars(QPainter* painter, const QRectF& plot) const;

    QChart* m_chart;
    QPointer<QAbstractSeries> m_series;
    QList<figures::Range> m_brackets;
    QColor m_bracketColor;
    QList<double> m_horizontal;
    QPen m_horizontalPen;
    QList<Caption> m_captions;
    QList<QPointF> m_steps;
    double m_stepBaseline = 0;
    QColor m_stepFill;
    QColor m_stepOutline;
    QList<Span> m_spans;
    QList<PointLabel> m_labels;
    QList<Bar> m_bars;
    double m_barThickness = 0.8;
};

} // namespace sweepline::gui
