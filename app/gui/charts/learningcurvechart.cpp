#include "gui/charts/learningcurvechart.h"

#include "gui/charts/chartstyle.h"
#include "gui/charts/figuredata.h"
#include "gui/common/prunedtrials.h"
#include "gui/common/statecolors.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

// Tableau 10 without its red, which the charts reserve for "best" and "failed".
const QList<QColor>& palette()
{
    static const QList<QColor> colors{QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                      QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
                                      QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    return colors;
}

qint64 recency(const model::TrialRecord& t)
{
    if (t.finishedAt.isValid())
        return t.finishedAt.toMSecsSinceEpoch();
    return t.startedAt.isValid() ? t.startedAt.toMSecsSinceEpoch() : 0;
}

} // namespace

LearningCurveChart::LearningCurveChart(model::TrialTableModel* model, QObject* parent) : TrialChart(model, parent)
{
    setChart(chartstyle::newChart());
    m_xAxis = chartstyle::newValueAxis(tr("Step (epoch)"));
    m_yAxis = chartstyle::newValueAxis(QString());
    chart()->addAxis(m_xAxis, Qt::AlignBottom);
    chart()->addAxis(m_yAxis, Qt::AlignLeft);
    chart()->legend()->setAlignment(Qt::AlignRight);

    m_stopMarks = new QScatterSeries;
    m_stopMarks->setName(tr("Stopped by early stopping"));
    m_stopMarks->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
    m_stopMarks->setMarkerSize(11);
    m_stopMarks->setBrush(stateColor(model::TrialState::Pruned));
    m_stopMarks->setPen(QPen(Qt::white, 1.2));
    chart()->addSeries(m_stopMarks);
    m_stopMarks->attachAxis(m_xAxis);
    m_stopMarks->attachAxis(m_yAxis);
}

void LearningCurveChart::setAutomaticSelection()
{
    if (m_automatic)
        return;
    m_automatic = true;
    m_chosen.clear();
    show(chooseTrials(), {}, false);
}

void LearningCurveChart::setSelectedTrials(const QList<qint64>& ids)
{
    m_automatic = false;
    m_chosen = ids;
    show(chooseTrials(), {}, false);
}

QList<qint64> LearningCurveChart::chooseTrials() const
{
    if (!m_automatic) {
        QList<qint64> present;
        for (qint64 id : m_chosen) {
            if (model()->rowOfTrial(id) >= 0)
                present.append(id);
        }
        return present;
    }
    QList<figures::CurveCandidate> candidates;
    for (const model::TrialRecord& t : model()->trials()) {
        if (t.intermediate.isEmpty())
            continue;
        std::optional<double> value;
        if (t.state == model::TrialState::Done)
            value = t.value;
        candidates.append({t.id, value, recency(t), int(t.intermediate.size())});
    }
    return figures::defaultCurveTrials(candidates, model()->campaign().objective.direction, defaultBestCount);
}

QString LearningCurveChart::nameOf(const model::TrialRecord& t, int rank) const
{
    QString name = tr("Trial %1").arg(t.id);
    const std::optional<model::CurvePoint> stop = stopPoint(t);
    if (t.value && t.state == model::TrialState::Done)
        name += u": %1"_s.arg(QString::number(*t.value, 'g', 5));
    else if (stop && t.state == model::TrialState::Pruned)
        name += tr(" (pruned at step %1)").arg(stop->step);
    else if (stop)
        name += tr(" (%1, stopping at step %2)").arg(model::toString(t.state)).arg(stop->step);
    else if (t.state != model::TrialState::Done)
        name += u" (%1)"_s.arg(model::toString(t.state));
    if (m_automatic && rank == 0 && t.state == model::TrialState::Done)
        name += tr(", best");
    return name;
}

QColor LearningCurveChart::freeColor() const
{
    QSet<QRgb> used;
    for (QLineSeries* s : m_series)
        used.insert(s->color().rgb());
    for (const QColor& c : palette()) {
        if (!used.contains(c.rgb()))
            return c;
    }
    return palette().at(m_series.size() % palette().size());
}

void LearningCurveChart::setPoints(const model::TrialRecord& t, QLineSeries* series)
{
    const qsizetype stop = stopIndex(t);
    QList<QPointF> points;
    QList<QPointF> tail;
    points.reserve(t.intermediate.size());
    for (qsizetype i = 0; i < t.intermediate.size(); ++i) {
        if (!std::isfinite(t.intermediate.at(i)))
            continue;
        const QPointF point(double(t.stepAt(i)), t.intermediate.at(i));
        (stop >= 0 && i > stop ? tail : points).append(point);
    }
    if (!tail.isEmpty() && !points.isEmpty())
        tail.prepend(points.last()); // the grey part goes on from the stop
    series->replace(points);
    // Dots only while they can be told apart.
    series->setPointsVisible(points.size() <= 40);
    setTail(t.id, tail);
    const std::optional<model::CurvePoint> at = stopPoint(t);
    if (at && std::isfinite(at->value))
        m_stops.insert(t.id, QPointF(double(at->step), at->value));
    else
        m_stops.remove(t.id);
}

void LearningCurveChart::setTail(qint64 id, const QList<QPointF>& points)
{
    QLineSeries* tail = m_tails.value(id);
    if (points.isEmpty()) {
        if (tail) {
            chart()->removeSeries(tail);
            delete tail;
            m_tails.remove(id);
        }
        return;
    }
    if (!tail) {
        tail = new QLineSeries;
        tail->setPen(QPen(QColor(0xbd, 0xbd, 0xbd), 1.4, Qt::DashLine));
        chart()->addSeries(tail);
        tail->attachAxis(m_xAxis);
        tail->attachAxis(m_yAxis);
        chart()->legend()->markers(tail).value(0)->setVisible(false);
        m_tails.insert(id, tail);
    }
    tail->replace(points);
}

void LearningCurveChart::removeTrial(qint64 id)
{
    QLineSeries* series = m_series.take(id);
    chart()->removeSeries(series);
    delete series;
    setTail(id, {});
    m_stops.remove(id);
}

void LearningCurveChart::show(const QList<qint64>& ids, const QList<qint64>& changed, bool all)
{
    const bool selectionChanged = ids != m_shown;
    // Lines no longer shown go; new ones come; those whose trial changed get their points again.
    const QList<qint64> present = m_series.keys();
    for (qint64 id : present) {
        if (!ids.contains(id))
            removeTrial(id);
    }
    for (int rank = 0; rank < ids.size(); ++rank) {
        const qint64 id = ids.at(rank);
        const model::TrialRecord& t = model()->trialAt(model()->rowOfTrial(id));
        QLineSeries* series = m_series.value(id);
        const bool isNew = series == nullptr;
        if (isNew) {
            series = new QLineSeries;
            series->setPen(QPen(freeColor(), 1.8));
            m_series.insert(id, series);
        }
        if (isNew || all || changed.contains(id))
            setPoints(t, series);
        series->setName(nameOf(t, rank));
    }
    if (selectionChanged) {
        // Re-added in rank order so that the legend lists the best first; a handful of lines. The
        // stop marks come last: over the lines, and last in the legend.
        for (qint64 id : ids) {
            QLineSeries* series = m_series.value(id);
            if (series->chart())
                chart()->removeSeries(series);
            chart()->addSeries(series);
            series->attachAxis(m_xAxis);
            series->attachAxis(m_yAxis);
        }
        chart()->removeSeries(m_stopMarks);
        chart()->addSeries(m_stopMarks);
        m_stopMarks->attachAxis(m_xAxis);
        m_stopMarks->attachAxis(m_yAxis);
    }
    m_shown = ids;
    QList<QPointF> stops;
    for (qint64 id : ids) {
        if (m_stops.contains(id))
            stops.append(m_stops.value(id));
    }
    m_stopMarks->replace(stops);

    bool any = false;
    double left = 1;
    double right = 1;
    double lo = 0;
    double hi = 0;
    auto include = [&](const QList<QPointF>& points) {
        for (const QPointF& p : points) {
            left = any ? std::min(left, p.x()) : p.x();
            right = any ? std::max(right, p.x()) : p.x();
            lo = any ? std::min(lo, p.y()) : p.y();
            hi = any ? std::max(hi, p.y()) : p.y();
            any = true;
        }
    };
    for (QLineSeries* s : std::as_const(m_series))
        include(s->points());
    for (QLineSeries* s : std::as_const(m_tails))
        include(s->points());
    left = std::min(left, 1.0);
    chartstyle::setRange(m_xAxis, figures::paddedRange(left, std::max(left + 1, right), 0.02));
    chartstyle::setRange(m_yAxis, any ? figures::paddedRange(lo, hi) : figures::Range{0, 1});
    chart()->legend()->setVisible(!m_series.isEmpty());
    chart()->legend()->markers(m_stopMarks).value(0)->setVisible(!stops.isEmpty());
    if (selectionChanged)
        emit shownTrialsChanged(m_shown);
}

void LearningCurveChart::rebuild()
{
    m_yAxis->setTitleText(model()->campaign().objective.metric);
    show(chooseTrials(), {}, true);
}

void LearningCurveChart::updateTrials(const QList<qint64>& ids)
{
    show(chooseTrials(), ids, false);
}

} // namespace sweepline::gui
