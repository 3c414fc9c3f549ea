#include "charttestdata.h"
#include "gui/charts/chartannotations.h"
#include "gui/charts/learningcurvechart.h"
#include "gui/charts/timelinechart.h"
#include "gui/charts/transitionchart.h"
#include "gui/common/statecolors.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>
#include <QValueAxis>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::charttest;

class TestTrialCharts : public QObject {
    Q_OBJECT
private slots:
    void transitionBracketsBatchesAndLabelsStages();
    void transitionDrawsTheDefaultLine();
    void transitionPutsFailuresOnTheTopEdge();
    void transitionBestSoFar();
    void transitionDrawsPrunedTrialsApart();
    void timelineBarsAndConcurrency();
    void timelineOpenSpansEndNow();
    void timelineGivesPrunedItsColour();
    void curvesShowTheBestAndTheLatest();
    void curvesFollowTheUsersChoice();
    void curvesMarkWherePrunedRunsStopped();
};

namespace {

// A pruned trial: its curve as printed (the job may have printed past the stop before the cancel
// reached it), stopped at step `at` with the value it had there.
TrialRecord prunedTrial(qint64 id, const QList<double>& curve, int at, const QList<int>& steps = {})
{
    TrialRecord t = trial(id, TrialState::Pruned);
    t.intermediate = curve;
    t.steps = steps;
    const qsizetype index = steps.isEmpty() ? at - 1 : steps.indexOf(at);
    t.pruneAt = model::CurvePoint{at, curve.at(index)};
    return t;
}

// Legend markers are laid out, and so visible or not, only in a view.
bool showInView(QChartView& view)
{
    view.resize(800, 500);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

QLegendMarker* legendMarker(QChart* chart, const QString& label)
{
    for (QLegendMarker* marker : chart->legend()->markers()) {
        if (marker->label() == label)
            return marker;
    }
    return nullptr;
}

} // namespace

void TestTrialCharts::transitionBracketsBatchesAndLabelsStages()
{
    Fixture f;
    // Batch 1 (trials 1-3, stage 1), batch 2 (4-6, stage 2; 5 failed), batch 3 (7, stage 2).
    f.model.setTrials({trial(1, TrialState::Done, 0.5, 1, 1), trial(2, TrialState::Done, 0.3, 1, 1),
                       trial(3, TrialState::Done, 0.4, 1, 1), trial(4, TrialState::Done, 0.6, 2, 2),
                       trial(5, TrialState::Failed, std::nullopt, 2, 2), trial(6, TrialState::Done, 0.35, 2, 2),
                       trial(7, TrialState::Done, 0.2, 3, 2)});
    gui::TransitionChart chart(&f.model);
    chart.flush();
    QCOMPARE(chart.trialPoints().size(), 6);
    QCOMPARE(chart.trialPoints().at(0), QPointF(1, 0.5));
    QCOMPARE(chart.annotations()->verticalLines(), (QList<double>{0.5, 3.5, 6.5}));
    QCOMPARE(chart.batchBestPoints(), (QList<QPointF>{{2, 0.3}, {6, 0.35}}));
    const auto spans = chart.annotations()->topSpans();
    QCOMPARE(spans.size(), 2);
    QCOMPARE(spans.at(0).text, u"1-axis"_s);
    QCOMPARE(spans.at(0).from, 0.5);
    QCOMPARE(spans.at(0).to, 3.5);
    QCOMPARE(spans.at(1).text, u"2-axes"_s);
    QCOMPARE(spans.at(1).to, 7.5);

    // The next batch arrives trial by trial: its bracket and best follow.
    f.model.upsert(trial(8, TrialState::Done, 0.9, 4, 3));
    f.model.upsert(trial(9, TrialState::Running, std::nullopt, 4, 3));
    chart.flush();
    QCOMPARE(chart.annotations()->verticalLines(), (QList<double>{0.5, 3.5, 6.5, 7.5, 9.5}));
    QVERIFY(chart.batchBestPoints().contains(QPointF(8, 0.9)));
    f.model.upsert(trial(9, TrialState::Done, 0.7, 4, 3));
    chart.flush();
    QVERIFY(chart.batchBestPoints().contains(QPointF(9, 0.7)));
    QVERIFY(!chart.batchBestPoints().contains(QPointF(8, 0.9)));
    QCOMPARE(chart.annotations()->topSpans().last().text, u"3-axes"_s);

    // The search converged and restarts at stage 1: the span says so.
    f.model.upsert(trial(10, TrialState::Done, 0.25, 5, 1));
    chart.flush();
    QCOMPARE(chart.annotations()->topSpans().size(), 4);
    QCOMPARE(chart.annotations()->topSpans().last().text, u"restart 1: 1-axis"_s);
    QCOMPARE(chart.annotations()->topSpans().last().shortText, u"R1"_s);
    QCOMPARE(chart.annotations()->topSpans().at(2).text, u"3-axes"_s);
}

void TestTrialCharts::transitionDrawsTheDefaultLine()
{
    Fixture f;
    gui::TransitionChart chart(&f.model);
    TrialRecord notDefault = trial(1, TrialState::Done, 0.3);
    notDefault.values[1] = 0.01;
    f.model.upsert(notDefault);
    chart.flush();
    QVERIFY(!chart.defaultValue());
    QCOMPARE(chart.defaultLine()->count(), 0);

    f.model.upsert(trial(4, TrialState::Running)); // the defaults, not measured yet
    chart.flush();
    QCOMPARE(chart.defaultLine()->count(), 0);
    f.model.upsert(trial(4, TrialState::Done, 0.7));
    f.model.upsert(trial(5, TrialState::Done, 0.9));
    chart.flush();
    QCOMPARE(chart.defaultValue(), std::optional<double>(0.7));
    QCOMPARE(chart.defaultLine()->count(), 2);
    QCOMPARE(chart.defaultLine()->at(0).y(), 0.7);
    QCOMPARE(chart.defaultLine()->at(1).y(), 0.7);
    // It spans the whole x axis.
    QCOMPARE(chart.defaultLine()->at(0).x(), chart.xAxis()->min());
    QCOMPARE(chart.defaultLine()->at(1).x(), chart.xAxis()->max());
    QVERIFY(chart.defaultLine()->name().contains(u"0.7"_s));
    QVERIFY(chart.defaultLine()->name().contains(u"33% of trials better"_s));
}

void TestTrialCharts::transitionPutsFailuresOnTheTopEdge()
{
    Fixture f;
    f.model.setTrials({trial(1, TrialState::Done, 0.0), trial(2, TrialState::Failed), trial(3, TrialState::Done, 1.0)});
    gui::TransitionChart chart(&f.model);
    chart.flush();
    QCOMPARE(chart.trialPoints().size(), 2);
    QCOMPARE(chart.failedPoints().size(), 1);
    const QPointF failed = chart.failedPoints().at(0);
    QCOMPARE(failed.x(), 2.0);
    QVERIFY(failed.y() > 1.0);
    QVERIFY(failed.y() < chart.yAxis()->max());
    QVERIFY(chart.failedLegendEntry()->name().contains(u"Failed (1)"_s));
}

void TestTrialCharts::transitionBestSoFar()
{
    Fixture f;
    f.model.setTrials(
        {trial(1, TrialState::Done, 0.5), trial(2, TrialState::Done, 0.7), trial(3, TrialState::Done, 0.2)});
    gui::TransitionChart chart(&f.model);
    chart.flush();
    QCOMPARE(chart.bestSoFarLine()->count(), 0);
    chart.setShowBestSoFar(true);
    QCOMPARE(chart.bestSoFarLine()->points(), (QList<QPointF>{{1, 0.5}, {3, 0.5}, {3, 0.2}, {3, 0.2}}));
}

void TestTrialCharts::timelineBarsAndConcurrency()
{
    Fixture f;
    // Trial n: submitted at minute n, started at n+1, finished at n+11: three overlap at the most.
    f.model.setTrials({trial(1, TrialState::Done, 0.5), trial(2, TrialState::Done, 0.4), trial(3, TrialState::Failed),
                       trial(20, TrialState::Done, 0.1), trial(21, TrialState::Planned)});
    gui::TimelineChart chart(&f.model);
    chart.flush();
    QCOMPARE(chart.timeUnit().name, u"min"_s); // 30 minutes in all
    const auto bars = chart.annotations()->bars();
    QCOMPARE(bars.size(), 8); // queued and running span of each of the four that were submitted
    QCOMPARE(bars.at(0).y, 1.0);
    QCOMPARE(bars.at(0).from, 0.0);
    QCOMPARE(bars.at(0).to, 1.0);
    QCOMPARE(bars.at(0).color.rgb(), gui::stateColor(TrialState::Queued).rgb());
    QCOMPARE(bars.at(1).from, 1.0);
    QCOMPARE(bars.at(1).to, 11.0);
    QCOMPARE(bars.at(1).color, gui::stateColor(TrialState::Done));
    QCOMPARE(bars.at(5).color, gui::stateColor(TrialState::Failed));
    QCOMPARE(chart.peakConcurrency(), 3);
    const QList<QPointF> steps = chart.concurrency();
    QCOMPARE(steps.first(), QPointF(1, 0));
    QCOMPARE(steps.at(1), QPointF(1, 1));
    QCOMPARE(steps.last().y(), 0.0);
    // The strip's area follows the steps, and the right axis labels the counts up to the peak.
    QCOMPARE(chart.annotations()->stepArea().size(), steps.size());
    QCOMPARE(chart.countAxis()->categoriesLabels(), (QStringList{u"0"_s, u"1"_s, u"2"_s, u"3"_s}));
    // Trial 1 at the top.
    QVERIFY(chart.trialAxis()->isReverse());
    QVERIFY(chart.trialAxis()->min() < 1 && chart.trialAxis()->max() > 20);
    QVERIFY(chart.trialAxis()->categoriesLabels().contains(u"1"_s));
}

void TestTrialCharts::timelineOpenSpansEndNow()
{
    Fixture f;
    gui::TimelineChart chart(&f.model);
    QDateTime now = at(30);
    chart.setClock([now] { return now; });
    f.model.setTrials({trial(1, TrialState::Running), trial(2, TrialState::Queued)});
    chart.flush();
    const auto bars = chart.annotations()->bars();
    QCOMPARE(bars.size(), 3);
    QCOMPARE(bars.at(1).to, 29.0); // running until now, in minutes
    QCOMPARE(bars.at(1).color, gui::stateColor(TrialState::Running));
    QCOMPARE(bars.at(2).from, 1.0);
    QCOMPARE(bars.at(2).to, 29.0); // queued until now
    QCOMPARE(chart.timeUnit().name, u"min"_s);
    QCOMPARE(chart.peakConcurrency(), 1);
}

void TestTrialCharts::curvesShowTheBestAndTheLatest()
{
    Fixture f;
    QList<TrialRecord> trials;
    for (qint64 id = 1; id <= 8; ++id)
        trials.append(trial(id, TrialState::Done, 1.0 - 0.1 * double(id % 7)));
    // Trial 7: value 1.0, the worst, but finished last.
    trials[6].finishedAt = at(100);
    f.model.setTrials(trials);
    gui::LearningCurveChart chart(&f.model);
    QSignalSpy shown(&chart, &gui::LearningCurveChart::shownTrialsChanged);
    chart.flush();
    QCOMPARE(chart.shownTrials(), (QList<qint64>{6, 5, 4, 3, 2, 7}));
    QCOMPARE(shown.count(), 1);
    QLineSeries* best = chart.seriesOf(6);
    QVERIFY(best);
    QCOMPARE(best->points(), (QList<QPointF>{{1, 2.4}, {2, 1.4}, {3, 0.4}}));
    QVERIFY(best->name().contains(u"Trial 6"_s));
    QVERIFY(best->name().contains(u"best"_s));

    // A new best replaces the fifth; the others keep their lines.
    f.model.upsert(trial(9, TrialState::Done, 0.05));
    chart.flush();
    QCOMPARE(chart.shownTrials(), (QList<qint64>{9, 6, 5, 4, 3, 7}));
    QCOMPARE(chart.seriesOf(6), best);
    QVERIFY(!chart.seriesOf(2));
    QCOMPARE(chart.chart()->series().size(), 7); // six lines and the stop marks
    QCOMPARE(chart.stopMarks()->count(), 0);
    QVERIFY(!chart.chart()->legend()->markers(chart.stopMarks()).value(0)->isVisible());
    QCOMPARE(chart.xAxis()->titleText(), u"Step (epoch)"_s);
}

void TestTrialCharts::curvesFollowTheUsersChoice()
{
    Fixture f;
    f.model.setTrials(
        {trial(1, TrialState::Done, 0.5), trial(2, TrialState::Done, 0.4), trial(3, TrialState::Done, 0.3)});
    gui::LearningCurveChart chart(&f.model);
    chart.flush();
    chart.setSelectedTrials({1, 99});
    QVERIFY(!chart.automaticSelection());
    QCOMPARE(chart.shownTrials(), QList<qint64>{1}); // 99 does not exist
    f.model.upsert(trial(4, TrialState::Done, 0.1));
    chart.flush();
    QCOMPARE(chart.shownTrials(), QList<qint64>{1});
    TrialRecord longer = trial(1, TrialState::Done, 0.5);
    longer.intermediate.append(0.45);
    f.model.upsert(longer);
    chart.flush();
    QCOMPARE(chart.seriesOf(1)->count(), 4);
    chart.setAutomaticSelection();
    QCOMPARE(chart.shownTrials().first(), 4);
}
void TestTrialCharts::transitionDrawsPrunedTrialsApart()
{
    Fixture f;
    // One batch. Trial 1 is the default configuration, pruned: the default line comes from trial 4,
    // measured with the same values. Trial 2 was stopped at 0.1, better than any result: it must still
    // not count as one; and it is far off the results' range [0.49, 0.71], so it sits at its edge,
    // widened by that span: 0.27. Trial 5's stop was asked for, and it still runs: nothing to draw yet.
    TrialRecord asked = trial(5, TrialState::Running);
    asked.intermediate = {0.9, 0.8};
    asked.pruneAt = model::CurvePoint{2, 0.8};
    f.model.setTrials({prunedTrial(1, {0.9, 0.75}, 2), prunedTrial(2, {0.4, 0.1, 0.05}, 2),
                       trial(3, TrialState::Done, 0.7), trial(4, TrialState::Done, 0.5), asked});
    gui::TransitionChart chart(&f.model);
    QChartView view(chart.chart());
    QVERIFY(showInView(view));
    chart.setShowBestSoFar(true);
    chart.flush();
    QCOMPARE(chart.trialPoints().size(), 2);
    QList<QPointF> pruned = chart.prunedPoints();
    std::sort(pruned.begin(), pruned.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    QCOMPARE(pruned.size(), 2);
    QCOMPARE(pruned.at(0), QPointF(1, 0.75));
    QCOMPARE(pruned.at(1).x(), 2.0);
    QVERIFY2(std::abs(pruned.at(1).y() - 0.27) < 1e-9, qPrintable(QString::number(pruned.at(1).y())));
    QCOMPARE(chart.batchBestPoints(), (QList<QPointF>{{4, 0.5}}));
    for (const QPointF& p : chart.bestSoFarLine()->points())
        QVERIFY(p.y() >= 0.5);
    QCOMPARE(chart.bestSoFarLine()->points().last().y(), 0.5);
    QCOMPARE(chart.defaultValue(), std::optional<double>(0.5));
    QVERIFY(chart.yAxis()->min() < 0.27 && chart.yAxis()->max() > 0.75); // drawn inside the plot
    QVERIFY(chart.failedPoints().isEmpty());
    QCOMPARE(chart.prunedLegendEntry()->name(), u"Pruned (2), value when stopped (1 clipped)"_s);
    QTRY_VERIFY(chart.chart()->legend()->markers(chart.prunedLegendEntry()).value(0)->isVisible());
    QCOMPARE(chart.prunedLegendEntry()->markerShape(), QScatterSeries::MarkerShapeRotatedRectangle);

    // Pruned after all: drawn; a stop that came too late (it finished): a result like any other.
    asked.state = TrialState::Pruned;
    asked.finishedAt = at(20);
    f.model.upsert(asked);
    TrialRecord late = prunedTrial(2, {0.4, 0.1, 0.05}, 2);
    late.state = TrialState::Done;
    late.value = 0.05;
    f.model.upsert(late);
    chart.flush();
    QCOMPARE(chart.prunedPoints().size(), 2);
    QVERIFY(chart.prunedPoints().contains(QPointF(5, 0.8)));
    QVERIFY(chart.trialPoints().contains(QPointF(2, 0.05)));
    QCOMPARE(chart.bestSoFarLine()->points().last().y(), 0.05);
    QCOMPARE(chart.prunedLegendEntry()->name(), u"Pruned (2), value when stopped"_s);
}

void TestTrialCharts::timelineGivesPrunedItsColour()
{
    Fixture f;
    f.model.setTrials({trial(1, TrialState::Done, 0.5), prunedTrial(2, {0.9, 0.8}, 2)});
    gui::TimelineChart chart(&f.model);
    QChartView view(chart.chart());
    QVERIFY(showInView(view));
    chart.flush();
    const auto bars = chart.annotations()->bars();
    QCOMPARE(bars.size(), 4);
    QCOMPARE(bars.at(3).y, 2.0);
    QCOMPARE(bars.at(3).color, gui::stateColor(TrialState::Pruned));
    QLegendMarker* pruned = legendMarker(chart.chart(), u"Pruned"_s);
    QVERIFY(pruned);
    QTRY_VERIFY(pruned->isVisible());
    QVERIFY(legendMarker(chart.chart(), u"Done"_s)->isVisible());
    QCOMPARE(pruned->brush().color(), gui::stateColor(TrialState::Pruned));
    QVERIFY(!legendMarker(chart.chart(), u"Failed"_s)->isVisible());
    // Pruned differs from every other state's colour.
    for (TrialState state : model::allTrialStates()) {
        if (state != TrialState::Pruned)
            QVERIFY(gui::stateColor(state) != gui::stateColor(TrialState::Pruned));
    }
}

void TestTrialCharts::curvesMarkWherePrunedRunsStopped()
{
    Fixture f;
    // Trial 2: stopped at step 3, printed one more value before the cancel reached it. Trial 3 prints
    // its own steps (2, 4, 6) and was stopped at step 4. Trial 4's stop is asked for, not yet done.
    TrialRecord asked = trial(4, TrialState::Running);
    asked.intermediate = {2.0, 1.9};
    asked.pruneAt = model::CurvePoint{2, 1.9};
    f.model.setTrials({trial(1, TrialState::Done, 0.5), prunedTrial(2, {3.0, 2.5, 2.4, 2.35}, 3),
                       prunedTrial(3, {2.8, 2.6, 2.55}, 4, {2, 4, 6}), asked});
    gui::LearningCurveChart chart(&f.model);
    QChartView view(chart.chart());
    QVERIFY(showInView(view));
    chart.setSelectedTrials({1, 2, 3, 4});
    chart.flush();

    QCOMPARE(chart.seriesOf(1)->points(), (QList<QPointF>{{1, 2.5}, {2, 1.5}, {3, 0.5}}));
    QVERIFY(!chart.tailOf(1));
    QCOMPARE(chart.seriesOf(2)->points(), (QList<QPointF>{{1, 3.0}, {2, 2.5}, {3, 2.4}}));
    QVERIFY(chart.tailOf(2));
    QCOMPARE(chart.tailOf(2)->points(), (QList<QPointF>{{3, 2.4}, {4, 2.35}}));
    QCOMPARE(chart.seriesOf(3)->points(), (QList<QPointF>{{2, 2.8}, {4, 2.6}}));
    QCOMPARE(chart.tailOf(3)->points(), (QList<QPointF>{{4, 2.6}, {6, 2.55}}));
    QCOMPARE(chart.seriesOf(4)->points(), (QList<QPointF>{{1, 2.0}, {2, 1.9}}));
    QVERIFY(!chart.tailOf(4));
    QCOMPARE(chart.stopMarks()->points(), (QList<QPointF>{{3, 2.4}, {4, 2.6}, {2, 1.9}}));
    QCOMPARE(chart.stopMarks()->color(), gui::stateColor(TrialState::Pruned));
    QVERIFY(chart.seriesOf(2)->name().contains(u"pruned at step 3"_s));
    QVERIFY(chart.seriesOf(4)->name().contains(u"stopping at step 2"_s));
    QTRY_VERIFY(chart.chart()->legend()->markers(chart.stopMarks()).value(0)->isVisible());
    QVERIFY(!chart.chart()->legend()->markers(chart.tailOf(2)).value(0)->isVisible());
    QCOMPARE(chart.xAxis()->max() >= 6, true); // the tails are in range

    // Trial 4 finished before the stop reached it: done, its whole curve a result, no mark.
    asked.state = TrialState::Done;
    asked.intermediate.append(1.7);
    asked.value = 1.7;
    asked.finishedAt = at(20);
    f.model.upsert(asked);
    chart.flush();
    QCOMPARE(chart.seriesOf(4)->points().size(), 3);
    QCOMPARE(chart.stopMarks()->points(), (QList<QPointF>{{3, 2.4}, {4, 2.6}}));
    QVERIFY(!chart.seriesOf(4)->name().contains(u"stopping"_s));
    // Trials no longer shown take their tails and marks along.
    chart.setSelectedTrials({1});
    QVERIFY(!chart.tailOf(2));
    QCOMPARE(chart.stopMarks()->count(), 0);
    QCOMPARE(chart.chart()->series().size(), 2);
    QVERIFY(!chart.chart()->legend()->markers(chart.stopMarks()).value(0)->isVisible());
}

QTEST_MAIN(TestTrialCharts)
#include "tst_trialcharts.moc"
