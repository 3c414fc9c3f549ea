#include "gui/charts/parameterchart.h"

#include "gui/charts/chartannotations.h"
#include "gui/charts/chartstyle.h"
#include "gui/charts/dotlayer.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>

#include <cmath>

namespace sweepline::gui {

namespace {

QScatterSeries* newScatter(QScatterSeries::MarkerShape shape, qreal size, const QBrush& brush, const QPen& pen)
{
    auto* series = new QScatterSeries;
    series->setMarkerShape(shape);
    series->setMarkerSize(size);
    series->setBrush(brush);
    series->setPen(pen);
    return series;
}

// Floats to four significant digits (0.003162 rather than 0.0031622776601683794); the rest as is.
QString readable(const QVariant& value)
{
    if (value.typeId() == QMetaType::Double)
        return QString::number(value.toDouble(), 'g', 4);
    return model::Campaign::formatValue(value);
}

QColor withAlpha(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

} // namespace

ParameterChart::ParameterChart(Measure measure, model::TrialTableModel* model, QObject* parent)
    : TrialChart(model, parent),
      m_measure(measure)
{
    setChart(chartstyle::newChart());
    // Translucent dots so that trials stacked on the same value read as darker.
    const DotLayer::Style dot{7, withAlpha(chartstyle::trialColor(), 170), Qt::NoPen};
    m_pointSeries = chartstyle::newLegendEntry(measure == Measure::ExecutionTime ? tr("Finished") : tr("Trial"),
                                               dot.size, dot.brush, dot.pen);
    chart()->addSeries(m_pointSeries);
    m_dots = new DotLayer(chart(), chartstyle::dotZ, dot);
    if (measure == Measure::ExecutionTime) {
        const DotLayer::Style hollow{8, Qt::NoBrush, QPen(chartstyle::failedColor(), 1.5)};
        m_failedSeries = chartstyle::newLegendEntry(tr("Failed"), hollow.size, hollow.brush, hollow.pen);
        chart()->addSeries(m_failedSeries);
        m_failedDots = new DotLayer(chart(), chartstyle::markedDotZ, hollow);
    } else {
        m_defaultSeries = newScatter(QScatterSeries::MarkerShapeRotatedRectangle, 13, chartstyle::defaultColor(),
                                     QPen(chartstyle::defaultColor().darker(140), 1));
        m_defaultSeries->setName(tr("Default configuration"));
        chart()->addSeries(m_defaultSeries);
        m_bestSeries = newScatter(QScatterSeries::MarkerShapeStar, 20, chartstyle::bestColor(),
                                  QPen(chartstyle::bestColor().darker(140), 1));
        m_bestSeries->setName(tr("Best"));
        chart()->addSeries(m_bestSeries);
    }
    m_yAxis = chartstyle::newValueAxis(QString());
    chart()->addAxis(m_yAxis, Qt::AlignLeft);
    for (QAbstractSeries* series : chart()->series())
        series->attachAxis(m_yAxis);
    for (DotLayer* layer : {m_dots, m_failedDots}) {
        if (layer)
            layer->setReferenceSeries(m_pointSeries);
    }
    m_annotations = new ChartAnnotations(chart(), ChartAnnotations::Layer::AboveSeries);
    m_annotations->setReferenceSeries(m_pointSeries);
    readCampaign(true);
}

const QList<QPointF>& ParameterChart::points() const
{
    return m_dots->dots();
}

const QList<QPointF>& ParameterChart::failedPoints() const
{
    static const QList<QPointF> none;
    return m_failedDots ? m_failedDots->dots() : none;
}

void ParameterChart::readCampaign(bool remakeAxis)
{
    const model::Campaign& campaign = model()->campaign();
    QStringList names;
    for (const model::Parameter& p : campaign.parameters)
        names.append(p.name);
    if (m_measure == Measure::Objective)
        m_yAxis->setTitleText(campaign.objective.metric);
    // The same parameters (a store reopened, trials reloaded) keep the user's choice of parameter
    // and scale; the axis is made again, as candidates may differ.
    const bool sameParameters = names == m_parameterNames && m_xAxis;
    if (!sameParameters) {
        m_parameterNames = names;
        m_parameter = names.isEmpty() ? -1 : 0;
        m_logScale = logScaleAvailable() && campaign.parameters.at(0).range && campaign.parameters.at(0).range->log;
    }
    if (!sameParameters || remakeAxis)
        createXAxis();
    if (!sameParameters)
        emit optionsChanged();
}

bool ParameterChart::logScaleAvailable() const
{
    if (m_parameter < 0)
        return false;
    const model::Parameter& p = model()->campaign().parameters.at(m_parameter);
    if (p.type == model::ParameterType::Choice || p.candidates.isEmpty())
        return false;
    return std::all_of(p.candidates.cbegin(), p.candidates.cend(), [](const QVariant& v) { return v.toDouble() > 0; });
}

void ParameterChart::setParameter(int index)
{
    // A campaign set on the model since the last update counts already: its parameters are meant.
    readCampaign(false);
    if (index == m_parameter || index < 0 || index >= m_parameterNames.size())
        return;
    m_parameter = index;
    const model::Parameter& p = model()->campaign().parameters.at(index);
    m_logScale = logScaleAvailable() && p.range && p.range->log;
    createXAxis();
    requestRebuild();
    emit optionsChanged();
}

void ParameterChart::setLogScale(bool on)
{
    on = on && logScaleAvailable();
    if (on == m_logScale)
        return;
    m_logScale = on;
    createXAxis();
    replot();
    finish();
    emit optionsChanged();
}

void ParameterChart::createXAxis()
{
    if (m_xAxis) {
        chart()->removeAxis(m_xAxis);
        delete m_xAxis;
        m_xAxis = nullptr;
    }
    m_categoryIndex.clear();
    if (m_parameter < 0) {
        m_xAxis = chartstyle::newValueAxis(QString());
    } else {
        const model::Parameter& p = model()->campaign().parameters.at(m_parameter);
        if (p.type == model::ParameterType::Choice) {
            QStringList categories;
            for (const QVariant& c : p.candidates) {
                m_categoryIndex.insert(c.toString(), int(categories.size()));
                categories.append(c.toString());
            }
            m_xAxis = chartstyle::newCategoryAxis(p.name, categories);
        } else {
            double lo = 0;
            double hi = 0;
            for (int i = 0; i < p.candidates.size(); ++i) {
                const double v = p.candidates.at(i).toDouble();
                lo = i == 0 ? v : std::min(lo, v);
                hi = i == 0 ? v : std::max(hi, v);
            }
            // The axis spans every candidate, not just the measured ones: it stays put while
            // trials arrive and shows which part of the range is still unexplored.
            if (m_logScale) {
                m_xAxis = chartstyle::newLogAxis(p.name);
                chartstyle::setRange(static_cast<QLogValueAxis*>(m_xAxis), figures::paddedLogRange(lo, hi));
            } else {
                m_xAxis = chartstyle::newValueAxis(p.name);
                chartstyle::setRange(static_cast<QValueAxis*>(m_xAxis), figures::paddedRange(lo, hi));
            }
        }
    }
    chart()->addAxis(m_xAxis, Qt::AlignBottom);
    for (QAbstractSeries* series : chart()->series())
        series->attachAxis(m_xAxis);
}

std::optional<ParameterChart::Raw> ParameterChart::rawOf(const model::TrialRecord& trial) const
{
    if (m_parameter < 0 || m_parameter >= trial.values.size())
        return std::nullopt;
    const QVariant& value = trial.values.at(m_parameter);
    double x = 0;
    if (!m_categoryIndex.isEmpty()) {
        const auto it = m_categoryIndex.constFind(value.toString());
        if (it == m_categoryIndex.cend())
            return std::nullopt;
        x = *it;
    } else {
        x = value.toDouble();
        if (m_logScale && x <= 0)
            return std::nullopt;
    }
    if (m_measure == Measure::Objective) {
        if (trial.state != model::TrialState::Done || !trial.value || !std::isfinite(*trial.value))
            return std::nullopt;
        return Raw{x, *trial.value, false};
    }
    const auto seconds = trial.elapsedSeconds();
    if (!seconds || (trial.state != model::TrialState::Done && trial.state != model::TrialState::Failed))
        return std::nullopt;
    return Raw{x, *seconds, trial.state == model::TrialState::Failed};
}

QPointF ParameterChart::plotted(qint64 id, const Raw& raw) const
{
    const double x = m_categoryIndex.isEmpty() ? raw.x : raw.x + figures::categoryJitter(id);
    const double y = m_measure == Measure::ExecutionTime ? raw.y / m_unit.seconds : raw.y;
    return {x, y};
}

void ParameterChart::place(qint64 id, const Raw& raw)
{
    (raw.failed ? m_failed : m_points).set(id, plotted(id, raw));
    (raw.failed ? m_points : m_failed).remove(id);
}

void ParameterChart::rebuild()
{
    readCampaign(true);
    m_raw.clear();
    m_defaultTrials.clear();
    const model::Campaign& campaign = model()->campaign();
    for (const model::TrialRecord& trial : model()->trials()) {
        if (const auto raw = rawOf(trial)) {
            m_raw.insert(trial.id, *raw);
            if (m_measure == Measure::Objective && figures::isDefaultConfiguration(campaign, trial.values))
                m_defaultTrials.insert(trial.id);
        }
    }
    replot();
    finish();
}

void ParameterChart::updateTrials(const QList<qint64>& ids)
{
    const model::Campaign& campaign = model()->campaign();
    const double unitBefore = m_unit.seconds;
    for (qint64 id : ids) {
        const model::TrialRecord& trial = model()->trialAt(model()->rowOfTrial(id));
        const auto raw = rawOf(trial);
        if (!raw) {
            if (m_raw.remove(id)) {
                m_points.remove(id);
                m_failed.remove(id);
                m_defaultTrials.remove(id);
            }
            continue;
        }
        m_raw.insert(id, *raw);
        if (m_measure == Measure::Objective && figures::isDefaultConfiguration(campaign, trial.values))
            m_defaultTrials.insert(id);
        place(id, *raw);
    }
    if (m_measure == Measure::ExecutionTime) {
        double most = 0;
        for (const Raw& raw : std::as_const(m_raw))
            most = std::max(most, raw.y);
        if (figures::timeUnitFor(most).seconds != unitBefore)
            replot();
    }
    finish();
}

void ParameterChart::replot()
{
    if (m_measure == Measure::ExecutionTime) {
        double most = 0;
        for (const Raw& raw : std::as_const(m_raw))
            most = std::max(most, raw.y);
        m_unit = figures::timeUnitFor(most);
        m_yAxis->setTitleText(tr("Execution time [%1]").arg(m_unit.name));
    }
    m_points.clear();
    m_failed.clear();
    for (auto it = m_raw.cbegin(); it != m_raw.cend(); ++it)
        place(it.key(), it.value());
}

void ParameterChart::finish()
{
    m_dots->setDots(m_points.points());
    if (m_failedDots)
        m_failedDots->setDots(m_failed.points());

    // The y range covers every plotted point.
    bool any = false;
    double lo = 0;
    double hi = 0;
    for (const TrialPoints* set : {&m_points, &m_failed}) {
        for (const QPointF& p : set->points()) {
            lo = any ? std::min(lo, p.y()) : p.y();
            hi = any ? std::max(hi, p.y()) : p.y();
            any = true;
        }
    }
    if (m_measure == Measure::ExecutionTime && any)
        lo = std::min(lo, 0.0); // durations read against zero
    chartstyle::setRange(m_yAxis, any ? figures::paddedRange(lo, hi) : figures::Range{0, 1});

    QList<ChartAnnotations::PointLabel> labels;
    if (m_measure == Measure::Objective) {
        const model::Campaign& campaign = model()->campaign();
        const model::Direction direction = campaign.objective.direction;
        m_best.reset();
        for (auto it = m_raw.cbegin(); it != m_raw.cend(); ++it) {
            const Raw& best = m_best ? m_raw.value(*m_best) : Raw{};
            if (!m_best || figures::isBetter(it->y, best.y, direction) || (it->y == best.y && it.key() < *m_best))
                m_best = it.key();
        }
        QList<QPointF> bestPoint;
        if (m_best) {
            const QPointF at = m_points.point(*m_best);
            bestPoint.append(at);
            const model::TrialRecord& trial = model()->trialAt(model()->rowOfTrial(*m_best));
            labels.append({at,
                           tr("best %1 (%2 = %3)")
                               .arg(QString::number(at.y(), 'g', 5), m_parameterNames.value(m_parameter),
                                    readable(trial.values.value(m_parameter))),
                           chartstyle::bestColor()});
        }
        m_bestSeries->replace(bestPoint);
        QList<QPointF> defaultPoint;
        if (!m_defaultTrials.isEmpty())
            defaultPoint.append(m_points.point(*std::min_element(m_defaultTrials.cbegin(), m_defaultTrials.cend())));
        m_defaultSeries->replace(defaultPoint);
        chart()->legend()->setVisible(m_points.size() > 0);
        chart()->legend()->markers(m_defaultSeries).value(0)->setVisible(!defaultPoint.isEmpty());
    } else {
        chart()->legend()->setVisible(m_failed.size() > 0);
    }
    m_annotations->setPointLabels(labels);
}

} // namespace sweepline::gui
