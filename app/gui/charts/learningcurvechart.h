#pragma once

#include "gui/charts/trialchart.h"

#include <QHash>
#include <QList>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace sweepline::gui {

// The intermediate values each trial reported (TrialRecord::intermediate), one line per trial:
// x = the step (the n-th value printed, or the step the run printed itself), y = the metric. Where the
// early-stopping rule stopped a trial a diamond marks its curve; the line ends there, and the values
// its job printed until the cancel reached it follow in grey. By default the best five finished trials and
// the most recent one; the user may choose the trials instead. Lines are added, removed or updated
// one at a time as the selection or a trial's reports change.
class LearningCurveChart : public TrialChart {
    Q_OBJECT
public:
    static constexpr int defaultBestCount = 5;

    explicit LearningCurveChart(model::TrialTableModel* model, QObject* parent = nullptr);

    bool automaticSelection() const { return m_automatic; }
    void setAutomaticSelection();                     // the best five and the most recent
    void setSelectedTrials(const QList<qint64>& ids); // the user's choice, in this order
    QList<qint64> shownTrials() const { return m_shown; }

    QLineSeries* seriesOf(qint64 trialId) const { return m_series.value(trialId); }
    // The values after the stop, greyed; nullptr when the trial shows none.
    QLineSeries* tailOf(qint64 trialId) const { return m_tails.value(trialId); }
    // One mark per shown trial that was stopped, at (step, value) where the rule stopped it.
    QScatterSeries* stopMarks() const { return m_stopMarks; }
    QValueAxis* xAxis() const { return m_xAxis; }
    QValueAxis* yAxis() const { return m_yAxis; }

signals:
    void shownTrialsChanged(const QList<qint64>& ids);

protected:
    void rebuild() override;
    void updateTrials(const QList<qint64>& ids) override;

private:
    QList<qint64> chooseTrials() const;
    void show(const QList<qint64>& ids, const QList<qint64>& changed, bool all);
    QString nameOf(const model::TrialRecord& trial, int rank) const;
    QColor freeColor() const;
    void setPoints(const model::TrialRecord& trial, QLineSeries* series);
    void setTail(qint64 id, const QList<QPointF>& points);
    void removeTrial(qint64 id);

    bool m_automatic = true;
    QList<qint64> m_chosen; // the user's choice when not automatic
    QList<qint64> m_shown;
    QHash<qint64, QLineSeries*> m_series;
    QHash<qint64, QLineSeries*> m_tails;
    QHash<qint64, QPointF> m_stops;
    QScatterSeries* m_stopMarks = nullptr;
    QValueAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
};

} // namespace sweepline::gui
