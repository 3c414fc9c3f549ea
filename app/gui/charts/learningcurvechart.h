#pragma once

#include "gui/charts/trialchart.h"

#include <QHash>
#include <QList>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace sweepline::gui {

// The intermediate values each trial reported (TrialRecord::intermediate), one line per trial:
// x = report index (the epoch, from 1), y = the metric. By default the best five finished trials and
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

    bool m_automatic = true;
    QList<qint64> m_chosen; // the user's choice when not automatic
    QList<qint64> m_shown;
    QHash<qint64, QLineSeries*> m_series;
    QValueAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
};

} // namespace sweepline::gui
