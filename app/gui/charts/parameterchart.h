#pragma once

#include "gui/charts/figuredata.h"
#include "gui/charts/trialchart.h"
#include "gui/charts/trialpoints.h"

#include <QHash>
#include <QStringList>

#include <optional>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace sweepline::gui {

using namespace Qt::StringLiterals;

class ChartAnnotations;
class DotLayer;

// A measure of each trial against one chosen parameter, one dot per trial:
// - Objective: the metric of every finished trial; the best marked with a star and labelled, the
//   default configuration with a diamond (the second poster's "loss against batch size").
// - ExecutionTime: the elapsed time of every trial that ran to its end, failed ones hollow (the
//   second poster's execution time per batch size), in s, min or h, whichever reads best.
// Numeric parameters get a value axis, a log axis when the campaign's range is log-scaled (the user
// may toggle it), and choices a category axis with the dots spread into a strip.
class ParameterChart : public TrialChart {
    Q_OBJECT
public:
    enum class Measure { Objective, ExecutionTime };

    ParameterChart(Measure measure, model::TrialTableModel* model, QObject* parent = nullptr);

    Measure measure() const { return m_measure; }

    // Index into the campaign's parameters; -1 before a campaign with parameters is known.
    int parameter() const { return m_parameter; }
    void setParameter(int index);
    // Numeric parameter with only positive candidates.
    bool logScaleAvailable() const;
    bool logScale() const { return m_logScale; }
    void setLogScale(bool on);

    // The trials as drawn (x: the parameter, or its category plus a little spread; y: the measure)
    // and, for the execution time, the failed ones.
    const QList<QPointF>& points() const;
    const QList<QPointF>& failedPoints() const;
    DotLayer* failedDots() const { return m_failedDots; }             // execution time only
    QScatterSeries* bestSeries() const { return m_bestSeries; }       // objective only
    QScatterSeries* defaultSeries() const { return m_defaultSeries; } // objective only
    QAbstractAxis* xAxis() const { return m_xAxis; }
    QValueAxis* yAxis() const { return m_yAxis; }
    ChartAnnotations* annotations() const { return m_annotations; }
    std::optional<qint64> bestTrial() const { return m_best; }
    // The unit of the y axis for the execution time ("s", "min", "h"); empty for the objective.
    QString timeUnit() const { return m_measure == Measure::ExecutionTime ? m_unit.name : QString(); }

signals:
    // The parameter or scale changed, also on its own when a new campaign arrives.
    void optionsChanged();

protected:
    void rebuild() override;
    void updateTrials(const QList<qint64>& ids) override;

private:
    struct Raw {
        double x = 0;
        double y = 0; // the metric, or seconds
        bool failed = false;
    };
    // Takes the model's campaign: a new set of parameters starts over at the first one.
    void readCampaign(bool remakeAxis);
    void createXAxis();
    std::optional<Raw> rawOf(const model::TrialRecord& trial) const;
    QPointF plotted(qint64 id, const Raw& raw) const;
    void place(qint64 id, const Raw& raw);
    void replot(); // every point from m_raw again (unit or scale changed)
    void finish(); // best, default, ranges, legend after any change

    Measure m_measure;
    QStringList m_parameterNames;
    int m_parameter = -1;
    bool m_logScale = false;
    QHash<QString, int> m_categoryIndex;
    figures::TimeUnit m_unit{u"s"_s, 1.0};

    QScatterSeries* m_pointSeries = nullptr;  // no points: the axes' anchor and the legend entry
    QScatterSeries* m_failedSeries = nullptr; // no points: legend entry
    DotLayer* m_dots = nullptr;
    DotLayer* m_failedDots = nullptr;
    QScatterSeries* m_bestSeries = nullptr;
    QScatterSeries* m_defaultSeries = nullptr;
    QAbstractAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    ChartAnnotations* m_annotations = nullptr;

    TrialPoints m_points;
    TrialPoints m_failed;
    QHash<qint64, Raw> m_raw;
    QSet<qint64> m_defaultTrials;
    std::optional<qint64> m_best;
};

} // namespace sweepline::gui
