#pragma once

#include "gui/charts/chartannotations.h"
#include "gui/charts/figuredata.h"
#include "gui/charts/trialchart.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QTimer>

#include <functional>

QT_BEGIN_NAMESPACE
class QCategoryAxis;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace sweepline::gui {

using namespace Qt::StringLiterals;

// The jobs over time, one horizontal bar per trial (trial 1 at the top): its queued span
// (submitted -> started) in the queued colour, its running span (started -> finished, or now) in its
// state's colour. A strip below the bars shows how many trials ran at once (a step area, scaled on
// the right axis). Time runs from the first submission, in s, min, h or d, whichever reads best.
// While trials are queued or running their bars grow with the clock.
class TimelineChart : public TrialChart {
    Q_OBJECT
public:
    explicit TimelineChart(model::TrialTableModel* model, QObject* parent = nullptr);

    // The clock for trials still queued or running (tests pin it).
    void setClock(std::function<QDateTime()> now);

    // How many ran at once: the corners of the step line, x in timeUnit(), y in trials.
    const QList<QPointF>& concurrency() const { return m_steps; }
    QValueAxis* timeAxis() const { return m_timeAxis; }
    QCategoryAxis* trialAxis() const { return m_trialAxis; }
    QCategoryAxis* countAxis() const { return m_countAxis; }
    ChartAnnotations* annotations() const { return m_bars; } // the bars and the concurrency strip
    figures::TimeUnit timeUnit() const { return m_unit; }
    int peakConcurrency() const { return m_peak; }

protected:
    void rebuild() override;
    void updateTrials(const QList<qint64>& ids) override;

private:
    struct Span {
        QDateTime submitted;
        QDateTime started;
        QDateTime finished; // invalid while open
        model::TrialState state = model::TrialState::Planned;
    };
    void place(const model::TrialRecord& trial);
    void finish();
    void tick();
    void layOutAxes(qint64 first, qint64 last);

    std::function<QDateTime()> m_now;
    QMap<qint64, Span> m_spans; // by trial, in order
    QDateTime m_origin;
    figures::TimeUnit m_unit{u"s"_s, 1.0};
    int m_peak = 0;
    QList<QPointF> m_steps;
    QTimer m_clockTimer;

    QScatterSeries* m_reference = nullptr;                   // no points: maps the bars through the left axis
    QLineSeries* m_countReference = nullptr;                 // no points: holds the right axis
    QScatterSeries* m_concurrencyLegend = nullptr;           // no points: the strip's legend entry
    QHash<model::TrialState, QScatterSeries*> m_stateLegend; // no points: legend entries
    QValueAxis* m_timeAxis = nullptr;
    QCategoryAxis* m_trialAxis = nullptr;
    QCategoryAxis* m_countAxis = nullptr;
    ChartAnnotations* m_bars = nullptr;
    ChartAnnotations* m_captions = nullptr;
};

} // namespace sweepline::gui
