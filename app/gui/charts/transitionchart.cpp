#include "gui/charts/transitionchart.h"

#include "gui/charts/chartannotations.h"
#include "gui/charts/chartstyle.h"
#include "gui/charts/dotlayer.h"
#include "gui/common/prunedtrials.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sweepline::gui {

using figures::LabelledTrial;
using figures::LabelRun;
using figures::Measured;

TransitionChart::TransitionChart(model::TrialTableModel* model, QObject* parent) : TrialChart(model, parent)
{
    setChart(chartstyle::newChart());
    QChart* c = chart();

    m_bracketLegend = new QLineSeries;
    m_bracketLegend->setPen(QPen(chartstyle::bracketColor(), 1.5));
    m_bracketLegend->setName(tr("Parallel batch"));

    m_defaultLine = new QLineSeries;
    m_defaultLine->setPen(QPen(chartstyle::defaultColor(), 2));

    m_bestSoFarLine = new QLineSeries;
    m_bestSoFarLine->setPen(QPen(QColor(0x42, 0x42, 0x42), 1.5, Qt::DashLine));
    m_bestSoFarLine->setName(tr("Best so far"));

    const DotLayer::Style trial{7, chartstyle::trialColor(), Qt::NoPen};
    const DotLayer::Style best{8, chartstyle::bestColor(), Qt::NoPen};
    const DotLayer::Style failed{7, Qt::NoBrush, QPen(chartstyle::failedColor(), 1.2)};
    const DotLayer::Style pruned{10, QColor(255, 255, 255, 200), QPen(chartstyle::prunedColor(), 1.6),
                                 DotLayer::Shape::Diamond};
    m_trialSeries = chartstyle::newLegendEntry(tr("Trial"), trial.size, trial.brush, trial.pen);
    m_batchBestSeries = chartstyle::newLegendEntry(tr("Best of batch"), best.size, best.brush, best.pen);
    m_failedSeries = chartstyle::newLegendEntry(QString(), failed.size, failed.brush, failed.pen);
    m_prunedSeries = chartstyle::newLegendEntry(QString(), pruned.size, pruned.brush, pruned.pen, true);
    m_trialDots = new DotLayer(c, chartstyle::dotZ, trial);
    m_batchBestDots = new DotLayer(c, chartstyle::markedDotZ, best);
    m_failedDots = new DotLayer(c, chartstyle::markedDotZ, failed);
    m_prunedDots = new DotLayer(c, chartstyle::dotZ, pruned);

    for (QAbstractSeries* s :
         std::initializer_list<QAbstractSeries*>{m_bracketLegend, m_defaultLine, m_bestSoFarLine, m_trialSeries,
                                                 m_batchBestSeries, m_prunedSeries, m_failedSeries})
        c->addSeries(s);

    m_xAxis = chartstyle::newValueAxis(tr("Trial (in proposal order)"));
    m_yAxis = chartstyle::newValueAxis(QString());
    c->addAxis(m_xAxis, Qt::AlignBottom);
    c->addAxis(m_yAxis, Qt::AlignLeft);
    for (QAbstractSeries* s : c->series()) {
        s->attachAxis(m_xAxis);
        s->attachAxis(m_yAxis);
    }
    m_bestSoFarLine->setVisible(false);

    m_annotations = new ChartAnnotations(c, ChartAnnotations::Layer::BelowSeries);
    m_annotations->setReferenceSeries(m_trialSeries);
    for (DotLayer* layer : {m_trialDots, m_batchBestDots, m_failedDots, m_prunedDots})
        layer->setReferenceSeries(m_trialSeries);
}

const QList<QPointF>& TransitionChart::trialPoints() const
{
    return m_trialDots->dots();
}

const QList<QPointF>& TransitionChart::batchBestPoints() const
{
    return m_batchBestDots->dots();
}

const QList<QPointF>& TransitionChart::failedPoints() const
{
    return m_failedDots->dots();
}

const QList<QPointF>& TransitionChart::prunedPoints() const
{
    return m_prunedDots->dots();
}

void TransitionChart::setShowBestSoFar(bool show)
{
    if (show == m_showBestSoFar)
        return;
    m_showBestSoFar = show;
    m_bestSoFarLine->setVisible(show);
    finish();
}

void TransitionChart::place(const model::TrialRecord& trial)
{
    if (trial.state == model::TrialState::Done && trial.value && std::isfinite(*trial.value))
        m_points.set(trial.id, QPointF(double(trial.id), *trial.value));
    else
        m_points.remove(trial.id);
    if (trial.state == model::TrialState::Failed)
        m_failedIds.insert(trial.id);
    else
        m_failedIds.remove(trial.id);
    // Only once pruned: a running trial whose stop was asked for may still finish as done.
    const std::optional<model::CurvePoint> stop =
        trial.state == model::TrialState::Pruned ? stopPoint(trial) : std::nullopt;
    if (stop && std::isfinite(stop->value))
        m_pruned.set(trial.id, QPointF(double(trial.id), stop->value));
    else
        m_pruned.remove(trial.id);
    if (figures::isDefaultConfiguration(model()->campaign(), trial.values))
        m_defaultIds.insert(trial.id);
    else
        m_defaultIds.remove(trial.id);
}

void TransitionChart::rebuild()
{
    m_yAxis->setTitleText(model()->campaign().objective.metric);
    m_points.clear();
    m_pruned.clear();
    m_failedIds.clear();
    m_defaultIds.clear();
    for (const model::TrialRecord& trial : model()->trials())
        place(trial);
    finish();
}

void TransitionChart::updateTrials(const QList<qint64>& ids)
{
    for (qint64 id : ids)
        place(model()->trialAt(model()->rowOfTrial(id)));
    finish();
}

void TransitionChart::finish()
{
    m_trialDots->setDots(m_points.points());
    const model::Direction direction = model()->campaign().objective.direction;

    // Batches, stages and what was measured, in trial order: a linear pass over the model.
    const QList<model::TrialRecord>& trials = model()->trials();
    QList<LabelledTrial> batches;
    QList<LabelledTrial> stages;
    QList<Measured> measured;
    batches.reserve(trials.size());
    stages.reserve(trials.size());
    measured.reserve(m_points.size());
    m_defaultValue.reset();
    for (const model::TrialRecord& t : trials) {
        batches.append({t.id, t.labels.batch});
        stages.append({t.id, t.labels.stage});
        if (m_points.contains(t.id)) {
            measured.append({t.id, m_points.point(t.id).y()});
            if (!m_defaultValue && m_defaultIds.contains(t.id))
                m_defaultValue = measured.last().value;
        }
    }

    QList<LabelRun> runs = figures::consecutiveRuns(batches);
    runs.removeIf([](const LabelRun& run) { return run.count < 2; });
    QList<QPointF> batchBest;
    for (const Measured& m : figures::bestOfEachRun(runs, measured, direction))
        batchBest.append({double(m.id), m.value});
    m_batchBestDots->setDots(batchBest);

    // Ranges: every trial of the order along x, every value (and the default) along y.
    const double firstId = trials.isEmpty() ? 1 : double(trials.first().id);
    const double lastId = trials.isEmpty() ? 1 : double(trials.last().id);
    const figures::Range xRange = figures::paddedRange(firstId - 0.5, lastId + 0.5, 0.01);
    chartstyle::setRange(m_xAxis, xRange);
    bool any = false;
    double lo = 0;
    double hi = 0;
    auto include = [&](double value) {
        lo = any ? std::min(lo, value) : value;
        hi = any ? std::max(hi, value) : value;
        any = true;
    };
    for (const Measured& m : measured)
        include(m.value);
    // A pruned trial's value was read early in its run, mostly far above (or below) any result: it may
    // widen the results' range by its span each way, no more, so the results keep a third of the plot
    // at least. One beyond sits at that edge, still a diamond.
    QList<QPointF> pruned = m_pruned.points();
    int beyond = 0;
    if (any) {
        const figures::Range results = figures::paddedRange(lo, hi);
        const double reach = results.max - results.min;
        for (QPointF& p : pruned) {
            const double y = std::clamp(p.y(), results.min - reach, results.max + reach);
            beyond += y != p.y() ? 1 : 0;
            p.setY(y);
        }
    }
    for (const QPointF& p : std::as_const(pruned))
        include(p.y());
    m_prunedDots->setDots(pruned);
    figures::Range yRange = any ? figures::paddedRange(lo, hi) : figures::Range{0, 1};
    // Failed trials have no value: a band along the top edge holds them.
    const double band = (yRange.max - yRange.min) * 0.06;
    if (!m_failedIds.isEmpty())
        yRange.max += band;
    chartstyle::setRange(m_yAxis, yRange);

    QList<qint64> failed(m_failedIds.cbegin(), m_failedIds.cend());
    std::sort(failed.begin(), failed.end());
    QList<QPointF> failedPoints;
    for (qint64 id : failed)
        failedPoints.append({double(id), yRange.max - band / 2});
    m_failedDots->setDots(failedPoints);
    m_failedSeries->setName(tr("Failed (%1), at the top").arg(failed.size()));
    m_prunedSeries->setName(beyond == 0
                                ? tr("Pruned (%1), value when stopped").arg(m_pruned.size())
                                : tr("Pruned (%1), value when stopped (%2 clipped)").arg(m_pruned.size()).arg(beyond));

    QList<QPointF> defaultLine;
    if (m_defaultValue) {
        defaultLine = {{xRange.min, *m_defaultValue}, {xRange.max, *m_defaultValue}};
        const auto better = std::count_if(measured.cbegin(), measured.cend(), [&](const Measured& m) {
            return figures::isBetter(m.value, *m_defaultValue, direction);
        });
        m_defaultLine->setName(tr("Default: %1 (%2% of trials better)")
                                   .arg(QString::number(*m_defaultValue, 'g', 4))
                                   .arg(std::lround(100.0 * double(better) / double(measured.size()))));
    }
    m_defaultLine->replace(defaultLine);

    QList<QPointF> bestSoFar;
    if (m_showBestSoFar) {
        for (const Measured& m : measured) {
            if (bestSoFar.isEmpty() || figures::isBetter(m.value, bestSoFar.last().y(), direction)) {
                if (!bestSoFar.isEmpty())
                    bestSoFar.append({double(m.id), bestSoFar.last().y()});
                bestSoFar.append({double(m.id), m.value});
            }
        }
        if (!bestSoFar.isEmpty())
            bestSoFar.append({lastId, bestSoFar.last().y()});
    }
    m_bestSoFarLine->replace(bestSoFar);

    m_annotations->setBrackets(figures::batchBrackets(runs), chartstyle::bracketColor());
    QList<ChartAnnotations::Span> spans;
    const QList<LabelRun> stageRuns = figures::consecutiveRuns(stages);
    const QList<int> restarts = figures::restartNumbers(stageRuns);
    for (qsizetype i = 0; i < stageRuns.size(); ++i) {
        const LabelRun& stage = stageRuns.at(i);
        const QString name = figures::stageName(stage.label);
        const int restart = restarts.at(i);
        spans.append({double(stage.firstTrial) - 0.5, double(stage.lastTrial) + 0.5,
                      restart ? tr("restart %1: %2").arg(restart).arg(name) : name,
                      restart ? tr("R%1").arg(restart) : QString::number(stage.label)});
    }
    m_annotations->setTopSpans(spans);
    QMargins margins = chart()->margins();
    margins.setTop(10 + m_annotations->topSpanHeight());
    if (margins != chart()->margins())
        chart()->setMargins(margins);

    QLegend* legend = chart()->legend();
    legend->setVisible(m_points.size() > 0 || m_pruned.size() > 0 || !failed.isEmpty());
    legend->markers(m_bracketLegend).value(0)->setVisible(!runs.isEmpty());
    legend->markers(m_batchBestSeries).value(0)->setVisible(!batchBest.isEmpty());
    legend->markers(m_failedSeries).value(0)->setVisible(!failed.isEmpty());
    legend->markers(m_prunedSeries).value(0)->setVisible(m_pruned.size() > 0);
    legend->markers(m_defaultLine).value(0)->setVisible(m_defaultValue.has_value());
    legend->markers(m_bestSoFarLine).value(0)->setVisible(m_showBestSoFar);
}

} // namespace sweepline::gui
