#include "charttestdata.h"
#include "gui/charts/chartannotations.h"
#include "gui/charts/learningcurvechart.h"
#include "gui/charts/timelinechart.h"
#include "gui/charts/transitionchart.h"
#include "gui/common/statecolors.h"

#include <QCategoryAxis>
#include <QChart>
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
    void timelineBarsAndConcurrency();
    void timelineOpenSpansEndNow();
    void curvesShowTheBestAndTheLatest();
    void curvesFollowTheUsersChoice();
};

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
    QCOMPARE(chart.chart()->series().size(), 6);
    QCOMPARE(chart.xAxis()->titleText(), u"Report (epoch)"_s);
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
QTEST_MAIN(TestTrialCharts)
#include "tst_trialcharts.moc"
