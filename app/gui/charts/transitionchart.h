#pragma once

#include "gui/charts/figuredata.h"
#include "gui/charts/trialchart.h"
#include "gui/charts/trialpoints.h"

#include <optional>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace sweepline::gui {

class ChartAnnotations;
class DotLayer;

// The first poster's "transition of search during parallel execution": x = trial order, y = the
// objective, every finished trial a dot; orange vertical lines bracket each parallel batch (trials in
// a row with the same batch label), the best of each batch in red; a green line at the default
// configuration's value; the search stages ("1-axis", "2-axes", ...) labelled over the plot.
// Failed trials are drawn as hollow red circles along the top edge (their position in the order is
// what matters: which batch lost them), counted in the legend. Trials the early-stopping rule pruned
// are hollow diamonds at the value they had reached when stopped: not a result, so never a batch's
// best, the default's value or the best so far; values far off the results' range sit at its edge. Optionally the best-so-far step line.
class TransitionChart : public TrialChart {
    Q_OBJECT
public:
    explicit TransitionChart(model::TrialTableModel* model, QObject* parent = nullptr);

    void setShowBestSoFar(bool show);
    bool showBestSoFar() const { return m_showBestSoFar; }

    // The finished trials (x: trial number, y: value), the best of each batch, and the failed ones
    // (along the top edge).
    const QList<QPointF>& trialPoints() const;
    const QList<QPointF>& batchBestPoints() const;
    const QList<QPointF>& failedPoints() const;
    // The pruned trials (x: trial number, y: the value at the step they were stopped at, or the edge
    // of the results' range widened by its span when it lies beyond).
    const QList<QPointF>& prunedPoints() const;
    QScatterSeries* failedLegendEntry() const { return m_failedSeries; }
    QScatterSeries* prunedLegendEntry() const { return m_prunedSeries; }
    QLineSeries* defaultLine() const { return m_defaultLine; }
    QLineSeries* bestSoFarLine() const { return m_bestSoFarLine; }
    QValueAxis* xAxis() const { return m_xAxis; }
    QValueAxis* yAxis() const { return m_yAxis; }
    ChartAnnotations* annotations() const { return m_annotations; }
    std::optional<double> defaultValue() const { return m_defaultValue; }

protected:
    void rebuild() override;
    void updateTrials(const QList<qint64>& ids) override;

private:
    void place(const model::TrialRecord& trial);
    void finish();

    // No points: legend entries (the trial one also anchors the axes) for the dot layers.
    QScatterSeries* m_trialSeries = nullptr;
    QScatterSeries* m_batchBestSeries = nullptr;
    QScatterSeries* m_failedSeries = nullptr;
    QScatterSeries* m_prunedSeries = nullptr;
    DotLayer* m_trialDots = nullptr;
    DotLayer* m_prunedDots = nullptr;
    DotLayer* m_batchBestDots = nullptr;
    DotLayer* m_failedDots = nullptr;
    QLineSeries* m_defaultLine = nullptr;
    QLineSeries* m_bestSoFarLine = nullptr;
    QLineSeries* m_bracketLegend = nullptr; // no points: the legend entry for the orange lines
    QValueAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    ChartAnnotations* m_annotations = nullptr;

    TrialPoints m_points;
    QSet<qint64> m_failedIds;
    TrialPoints m_pruned;      // where each pruned trial was stopped
    QSet<qint64> m_defaultIds; // trials whose values are the default configuration, measured or not
    std::optional<double> m_defaultValue;
    bool m_showBestSoFar = false;
};

} // namespace sweepline::gui
