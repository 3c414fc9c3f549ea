#include "gui/charts/chartannotations.h"

#include "gui/charts/chartmapping.h"
#include "gui/charts/chartstyle.h"

#include <QAbstractSeries>
#include <QChart>
#include <QFontMetricsF>
#include <QPaintEngine>
#include <QPainter>

#include <cmath>

namespace sweepline::gui {

ChartAnnotations::ChartAnnotations(QChart* chart, Layer layer) : QGraphicsObject(chart), m_chart(chart)
{
    setZValue(layer == Layer::BelowSeries ? chartstyle::bracketZ : chartstyle::labelZ);
    setAcceptedMouseButtons(Qt::NoButton);
    connect(chart, &QChart::plotAreaChanged, this, &ChartAnnotations::refresh);
    connect(chart, &QGraphicsWidget::geometryChanged, this, &ChartAnnotations::refresh);
}

void ChartAnnotations::setReferenceSeries(QAbstractSeries* series)
{
    m_series = series;
    refresh();
}

void ChartAnnotations::setBrackets(const QList<figures::Range>& brackets, const QColor& color)
{
    m_brackets = brackets;
    m_bracketColor = color;
    refresh();
}

void ChartAnnotations::setHorizontalLines(const QList<double>& ys, const QPen& pen)
{
    m_horizontal = ys;
    m_horizontalPen = pen;
    refresh();
}

void ChartAnnotations::setStepArea(const QList<QPointF>& corners, double baseline, const QColor& fill,
                                   const QColor& outline)
{
    m_steps = corners;
    m_stepBaseline = baseline;
    m_stepFill = fill;
    m_stepOutline = outline;
    refresh();
}

void ChartAnnotations::setCaptions(const QList<Caption>& captions)
{
    m_captions = captions;
    refresh();
}

void ChartAnnotations::setTopSpans(const QList<Span>& spans)
{
    m_spans = spans;
    refresh();
}

void ChartAnnotations::setPointLabels(const QList<PointLabel>& labels)
{
    m_labels = labels;
    refresh();
}

void ChartAnnotations::setBars(const QList<Bar>& bars, double thickness)
{
    m_bars = bars;
    m_barThickness = thickness;
    refresh();
}

int ChartAnnotations::topSpanHeight() const
{
    return m_spans.isEmpty() ? 0 : int(std::ceil(QFontMetricsF(chartstyle::labelFont()).height())) + 8;
}

void ChartAnnotations::refresh()
{
    prepareGeometryChange();
    update();
}

QRectF ChartAnnotations::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_chart->size());
}

QPointF ChartAnnotations::position(double x, double y) const
{
    return m_chart->mapToPosition(QPointF(x, y), m_series);
}

void ChartAnnotations::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    if (!m_series || !m_series->chart())
        return;
    const QRectF plot = m_chart->plotArea();
    if (plot.isEmpty())
        return;
    painter->save();
    paintBars(painter, plot);
    paintStepArea(painter, plot);
    paintBrackets(painter, plot);
    paintHorizontal(painter, plot);
    paintSpans(painter, plot);
    paintCaptions(painter, plot);
    paintLabels(painter, plot);
    painter->restore();
}

void ChartAnnotations::paintBars(QPainter* painter, const QRectF& plot) const
{
    if (m_bars.isEmpty())
        return;
    painter->save();
    painter->setClipRect(plot);
    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->setPen(Qt::NoPen);
    const ValueMap map = valueMapOf(m_chart, m_series);
    const double row = std::abs(map.ay);
    // Rows of a few pixels: bars fill them whole, edges on whole device pixels, so that they tile
    // evenly instead of alternating between thin and thick with the rounding.
    const double scale = std::max(1.0, std::abs(painter->deviceTransform().m22()));
    const double height = row * scale < 6 ? row : row * m_barThickness;
    for (const Bar& bar : m_bars) {
        const QPointF a = map(bar.from, bar.y);
        const QPointF b = map(bar.to, bar.y);
        if (a.y() + height < plot.top() || a.y() - height > plot.bottom())
            continue;
        const double top = std::round((a.y() - height / 2) * scale) / scale;
        const double bottom = std::max(top + 1 / scale, std::round((a.y() + height / 2) * scale) / scale);
        // A bar is at least one pixel wide so short jobs stay visible.
        painter->fillRect(QRectF(a.x(), top, std::max(1.0, b.x() - a.x()), bottom - top), bar.color);
    }
    painter->restore();
}

void ChartAnnotations::paintStepArea(QPainter* painter, const QRectF& plot) const
{
    if (m_steps.size() < 2)
        return;
    const ValueMap map = valueMapOf(m_chart, m_series);
    const double base = map(0, m_stepBaseline).y();
    // The highest level (smallest y on screen) reached in each pixel column.
    const int left = int(std::floor(plot.left()));
    const int columns = int(std::ceil(plot.right())) - left + 1;
    QList<double> top(columns, base);
    for (int i = 0; i + 1 < m_steps.size(); ++i) {
        const QPointF a = map(m_steps.at(i).x(), m_steps.at(i).y());
        const QPointF b = map(m_steps.at(i + 1).x(), m_steps.at(i + 1).y());
        const int from = std::clamp(int(std::floor(std::min(a.x(), b.x()))) - left, 0, columns - 1);
        const int to = std::clamp(int(std::floor(std::max(a.x(), b.x()))) - left, 0, columns - 1);
        const double level = std::min(a.y(), b.y());
        for (int c = from; c <= to; ++c)
            top[c] = std::min(top[c], level);
    }
    painter->save();
    painter->setClipRect(plot);
    painter->setRenderHint(QPainter::Antialiasing, false);
    // One polygon (not a rectangle per column: no seams in vector output), its top edge outlined.
    QPolygonF area;
    QPolygonF outline;
    area << QPointF(left, base);
    for (int c = 0; c < columns;) {
        int end = c + 1;
        while (end < columns && top.at(end) == top.at(c))
            ++end;
        area << QPointF(left + c, top.at(c)) << QPointF(left + end, top.at(c));
        outline << QPointF(left + c, top.at(c)) << QPointF(left + end, top.at(c));
        c = end;
    }
    area << QPointF(left + columns, base);
    painter->setPen(Qt::NoPen);
    painter->setBrush(m_stepFill);
    painter->drawPolygon(area);
    painter->setPen(QPen(m_stepOutline, 1));
    painter->drawPolyline(outline);
    painter->restore();
}

void ChartAnnotations::paintBrackets(QPainter* painter, const QRectF& plot) const
{
    if (m_brackets.isEmpty())
        return;
    const ValueMap map = valueMapOf(m_chart, m_series);
    const QList<double> lines = figures::bracketLines(m_brackets);
    const double spacing =
        (lines.last() - lines.first()) * std::abs(map.ax) / double(std::max<qsizetype>(1, lines.size() - 1));
    painter->save();
    painter->setClipRect(plot);
    if (spacing >= 12 || lines.size() < 3) {
        painter->setPen(QPen(m_bracketColor, 1.2));
        for (double x : lines) {
            const double px = map(x, 0).x();
            painter->drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()));
        }
    } else {
        QColor tint = m_bracketColor;
        tint.setAlpha(45);
        painter->setRenderHint(QPainter::Antialiasing, false);
        const QPaintEngine* engine = painter->paintEngine();
        if (engine && engine->type() == QPaintEngine::Raster) {
            // One image, a pixel row stretched over the plot's height: a fill per band would cost
            // the raster engine a dispatch to its worker threads each, tens of milliseconds for a
            // thousand bands (and one path of them, far more).
            const double scale = std::max(1.0, std::abs(painter->deviceTransform().m11()));
            QImage row(std::max(1, int(std::ceil(plot.width() * scale))), 1, QImage::Format_ARGB32_Premultiplied);
            row.fill(Qt::transparent);
            const QRgb pixel = qPremultiply(tint.rgba());
            auto* line = reinterpret_cast<QRgb*>(row.scanLine(0));
            for (int i = 0; i < m_brackets.size(); i += 2) {
                const int x0 =
                    std::clamp(int((map(m_brackets.at(i).min, 0).x() - plot.left()) * scale), 0, int(row.width()) - 1);
                const int x1 =
                    std::clamp(int((map(m_brackets.at(i).max, 0).x() - plot.left()) * scale), x0 + 1, int(row.width()));
                std::fill(line + x0, line + x1, pixel);
            }
            painter->drawImage(plot, row);
        } else {
            for (int i = 0; i < m_brackets.size(); i += 2) {
                const double x0 = map(m_brackets.at(i).min, 0).x();
                const double x1 = map(m_brackets.at(i).max, 0).x();
                painter->fillRect(QRectF(x0, plot.top(), std::max(1.0, x1 - x0), plot.height()), tint);
            }
        }
    }
    painter->restore();
}

void ChartAnnotations::paintHorizontal(QPainter* painter, const QRectF& plot) const
{
    painter->setPen(m_horizontalPen);
    const ValueMap map = valueMapOf(m_chart, m_series);
    for (double y : m_horizontal) {
        const double py = map(0, y).y();
        if (py >= plot.top() - 0.5 && py <= plot.bottom() + 0.5)
            painter->drawLine(QPointF(plot.left(), py), QPointF(plot.right(), py));
    }
}

void ChartAnnotations::paintCaptions(QPainter* painter, const QRectF& plot) const
{
    if (m_captions.isEmpty())
        return;
    painter->setFont(chartstyle::labelFont());
    painter->setPen(QColor(0x61, 0x61, 0x61));
    const QFontMetricsF metrics(chartstyle::labelFont());
    for (const Caption& caption : m_captions) {
        QPointF at = position(caption.value.x(), caption.value.y());
        at.setX(std::clamp(at.x(), plot.left() + 4, plot.right() - metrics.horizontalAdvance(caption.text) - 4));
        // On a light backdrop: captions sit over series.
        const QRectF box(at + QPointF(0, 2), QSizeF(metrics.horizontalAdvance(caption.text) + 6, metrics.height() + 2));
        painter->fillRect(box, QColor(255, 255, 255, 200));
        painter->drawText(box, Qt::AlignCenter, caption.text);
    }
}

void ChartAnnotations::paintSpans(QPainter* painter, const QRectF& plot) const
{
    if (m_spans.isEmpty())
        return;
    const QFont font = chartstyle::labelFont();
    const QFontMetricsF metrics(font);
    painter->setFont(font);
    const double lineY = plot.top() - 3.5;
    for (const Span& span : m_spans) {
        const double x0 = std::clamp(position(span.from, 0).x(), plot.left(), plot.right());
        const double x1 = std::clamp(position(span.to, 0).x(), plot.left(), plot.right());
        if (x1 - x0 < 1)
            continue;
        // A thin bracket over the span with end ticks, the label centred on it.
        painter->setPen(QPen(QColor(0x75, 0x75, 0x75), 1));
        painter->drawLine(QPointF(x0 + 1, lineY), QPointF(x1 - 1, lineY));
        painter->drawLine(QPointF(x0 + 1, lineY), QPointF(x0 + 1, lineY + 3));
        painter->drawLine(QPointF(x1 - 1, lineY), QPointF(x1 - 1, lineY + 3));
        QString text = span.text;
        if (metrics.horizontalAdvance(text) + 4 > x1 - x0)
            text = span.shortText;
        if (text.isEmpty() || metrics.horizontalAdvance(text) + 2 > x1 - x0)
            continue;
        const QRectF box(x0, lineY - metrics.height() - 1, x1 - x0, metrics.height());
        painter->setPen(chartstyle::textColor());
        painter->drawText(box, Qt::AlignHCenter | Qt::AlignBottom, text);
    }
}

void ChartAnnotations::paintLabels(QPainter* painter, const QRectF& plot) const
{
    if (m_labels.isEmpty())
        return;
    const QFont font = chartstyle::labelFont();
    const QFontMetricsF metrics(font);
    painter->setFont(font);
    painter->setRenderHint(QPainter::Antialiasing, true);
    for (const PointLabel& label : m_labels) {
        const QPointF at = position(label.value.x(), label.value.y());
        if (!plot.adjusted(-1, -1, 1, 1).contains(at))
            continue;
        const QSizeF size(metrics.horizontalAdvance(label.text) + 8, metrics.height() + 4);
        // Up and to the right of the point; flipped to whichever side keeps it inside the plot.
        QRectF box(at + QPointF(10, -10 - size.height()), size);
        if (box.right() > plot.right())
            box.moveRight(at.x() - 10);
        if (box.top() < plot.top())
            box.moveTop(at.y() + 10);
        box.moveLeft(
            std::clamp(box.left(), plot.left() + 1, std::max(plot.left() + 1, plot.right() - size.width() - 1)));
        box.moveTop(std::clamp(box.top(), plot.top() + 1, std::max(plot.top() + 1, plot.bottom() - size.height() - 1)));
        painter->setPen(QPen(label.color, 1));
        painter->setBrush(QColor(255, 255, 255, 230));
        painter->drawRoundedRect(box, 2, 2);
        painter->setPen(chartstyle::textColor());
        painter->drawText(box, Qt::AlignCenter, label.text);
    }
}

} // namespace sweepline::gui
