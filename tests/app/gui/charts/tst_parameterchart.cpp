#include "charttestdata.h"
#include "gui/charts/chartannotations.h"
#include "gui/charts/dotlayer.h"
#include "gui/charts/parameterchart.h"

#include <QCategoryAxis>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>
#include <QValueAxis>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::charttest;
using gui::ParameterChart;

class TestParameterChart : public QObject {
    Q_OBJECT
private slots:
    void objectiveFollowsTheModel();
    void failedAndUnfinishedTrialsAddNoPoint();
    void aResetClearsTheSeries();
    void aNewCampaignResetsTheOptions();
    void marksTheBest_data();
    void marksTheBest();
    void marksTheDefaultConfiguration();
    void axisFollowsTheParameter_data();
    void axisFollowsTheParameter();
    void categoriesSpreadIntoStrips();
    void executionTimeInReadableUnits();
    void updatesAreCoalesced();
    void aHiddenChartCatchesUpWhenShown();
};

void TestParameterChart::objectiveFollowsTheModel()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    chart.flush();
    QCOMPARE(chart.points().size(), 0);

    f.model.upsert(trial(1, TrialState::Done, 0.5));
    chart.flush();
    QCOMPARE(chart.points().size(), 1);
    QCOMPARE(chart.points().at(0), QPointF(16, 0.5));

    // A trial that becomes Done gains a point; a changed value moves it.
    f.model.upsert(trial(2, TrialState::Running));
    chart.flush();
    QCOMPARE(chart.points().size(), 1);
    f.model.upsert(trial(2, TrialState::Done, 0.7));
    f.model.upsert(trial(1, TrialState::Done, 0.4));
    chart.flush();
    QCOMPARE(chart.points().size(), 2);
    QVERIFY(chart.points().contains(QPointF(16, 0.4)));
    QVERIFY(chart.points().contains(QPointF(32, 0.7)));
    // The y axis covers the values with 5% padding.
    QCOMPARE(chart.yAxis()->min(), 0.4 - 0.015);
    QCOMPARE(chart.yAxis()->max(), 0.7 + 0.015);
    QCOMPARE(chart.yAxis()->titleText(), u"loss"_s);
}

void TestParameterChart::failedAndUnfinishedTrialsAddNoPoint()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    for (TrialState state :
         {TrialState::Planned, TrialState::Queued, TrialState::Running, TrialState::Failed, TrialState::Cancelled})
        f.model.upsert(trial(f.model.rowCount() + 1, state));
    chart.flush();
    QCOMPARE(chart.points().size(), 0);
    QCOMPARE(chart.bestSeries()->count(), 0);
    QVERIFY(!chart.bestTrial());
}

void TestParameterChart::aResetClearsTheSeries()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    f.model.setTrials({trial(1, TrialState::Done, 0.5), trial(2, TrialState::Done, 0.6)});
    chart.flush();
    QCOMPARE(chart.points().size(), 2);
    f.model.setTrials({});
    chart.flush();
    QCOMPARE(chart.points().size(), 0);
    QCOMPARE(chart.bestSeries()->count(), 0);
    QVERIFY(chart.annotations()->pointLabels().isEmpty());
}

void TestParameterChart::aNewCampaignResetsTheOptions()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    chart.flush();
    QSignalSpy options(&chart, &ParameterChart::optionsChanged);
    chart.setParameter(2);
    QCOMPARE(options.count(), 1);
    // The same campaign reloaded (a store reopened) keeps the user's choice.
    f.model.setTrials({trial(1, TrialState::Done, 0.5)});
    chart.flush();
    QCOMPARE(chart.parameter(), 2);
    model::Campaign renamed = smallCampaign();
    renamed.objective.metric = u"val_loss"_s;
    f.model.setCampaign(renamed);
    chart.flush();
    QCOMPARE(chart.parameter(), 2);
    QCOMPARE(chart.yAxis()->titleText(), u"val_loss"_s);
    QCOMPARE(options.count(), 1);
    // Other parameters start over at the first, and say so.
    f.model.setCampaign(samples::batchSizeCampaign());
    chart.flush();
    QCOMPARE(chart.parameter(), 0);
    QCOMPARE(chart.xAxis()->titleText(), u"batch_size"_s);
    QCOMPARE(options.count(), 2);
}

void TestParameterChart::marksTheBest_data()
{
    QTest::addColumn<int>("direction");
    QTest::addColumn<qint64>("best");
    QTest::addRow("minimize") << int(model::Direction::Minimize) << qint64(2);
    QTest::addRow("maximize") << int(model::Direction::Maximize) << qint64(3);
}

void TestParameterChart::marksTheBest()
{
    QFETCH(int, direction);
    QFETCH(qint64, best);
    Fixture f(smallCampaign(model::Direction(direction)));
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    f.model.setTrials(
        {trial(1, TrialState::Done, 0.5), trial(2, TrialState::Done, 0.2), trial(3, TrialState::Done, 0.9)});
    chart.flush();
    QCOMPARE(chart.bestTrial(), std::optional<qint64>(best));
    QCOMPARE(chart.bestSeries()->count(), 1);
    const TrialRecord& t = f.model.trialAt(f.model.rowOfTrial(best));
    QCOMPARE(chart.bestSeries()->at(0), QPointF(t.values.at(0).toDouble(), *t.value));
    QCOMPARE(chart.bestSeries()->markerShape(), QScatterSeries::MarkerShapeStar);
    QCOMPARE(chart.annotations()->pointLabels().size(), 1);
    QCOMPARE(chart.annotations()->pointLabels().first().value, chart.bestSeries()->at(0));
    QVERIFY(chart.annotations()->pointLabels().first().text.contains(QString::number(*t.value)));
    QVERIFY(chart.annotations()->pointLabels().first().text.contains(u"hidden = %1"_s.arg(t.values.at(0).toInt())));

    // A better trial arriving takes the mark.
    const double better = direction == int(model::Direction::Minimize) ? 0.1 : 1.5;
    f.model.upsert(trial(4, TrialState::Done, better));
    chart.flush();
    QCOMPARE(chart.bestTrial(), std::optional<qint64>(4));
    QCOMPARE(chart.bestSeries()->at(0).y(), better);
}

void TestParameterChart::marksTheDefaultConfiguration()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    TrialRecord other = trial(1, TrialState::Done, 0.3); // hidden 16 but another solver
    other.values[2] = u"sgd"_s;
    f.model.upsert(other);
    chart.flush();
    QCOMPARE(chart.defaultSeries()->count(), 0);
    f.model.upsert(trial(4, TrialState::Done, 0.6)); // hidden 16, lr 0.001, adam: the defaults
    chart.flush();
    QCOMPARE(chart.defaultSeries()->count(), 1);
    QCOMPARE(chart.defaultSeries()->at(0), QPointF(16, 0.6));
}

void TestParameterChart::axisFollowsTheParameter_data()
{
    QTest::addColumn<int>("parameter");
    QTest::addColumn<QString>("axisClass");
    QTest::addColumn<bool>("logAvailable");
    QTest::addRow("int values") << 0 << u"QValueAxis"_s << true;
    QTest::addRow("float log range") << 1 << u"QLogValueAxis"_s << true;
    QTest::addRow("choice") << 2 << u"QCategoryAxis"_s << false;
}

void TestParameterChart::axisFollowsTheParameter()
{
    QFETCH(int, parameter);
    QFETCH(QString, axisClass);
    QFETCH(bool, logAvailable);
    Fixture f;
    f.model.setTrials({trial(1, TrialState::Done, 0.5), trial(2, TrialState::Done, 0.6)});
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    chart.setParameter(parameter);
    chart.flush();
    QCOMPARE(QString::fromLatin1(chart.xAxis()->metaObject()->className()), axisClass);
    QCOMPARE(chart.xAxis()->titleText(), f.model.campaign().parameters.at(parameter).name);
    QCOMPARE(chart.logScaleAvailable(), logAvailable);
    QCOMPARE(chart.points().size(), 2);
    for (QAbstractSeries* s : chart.chart()->series())
        QVERIFY(s->attachedAxes().contains(chart.xAxis()));
    // The user may switch a numeric axis between linear and log.
    chart.setLogScale(!chart.logScale());
    if (logAvailable)
        QVERIFY(QString::fromLatin1(chart.xAxis()->metaObject()->className()) != axisClass);
    QCOMPARE(chart.points().size(), 2);
}

void TestParameterChart::categoriesSpreadIntoStrips()
{
    Fixture f;
    QList<TrialRecord> trials;
    for (qint64 id = 1; id <= 20; ++id) {
        TrialRecord t = trial(id, TrialState::Done, 0.1 * double(id));
        t.values[2] = id % 2 ? u"sgd"_s : u"adam"_s;
        trials.append(t);
    }
    f.model.setTrials(trials);
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    chart.setParameter(2);
    chart.flush();
    auto* axis = qobject_cast<QCategoryAxis*>(chart.xAxis());
    QVERIFY(axis);
    QCOMPARE(axis->categoriesLabels(), (QStringList{u"sgd"_s, u"adam"_s}));
    QSet<double> xs;
    for (const QPointF& p : chart.points()) {
        const int category =
            f.model.trialAt(f.model.rowOfTrial(qint64(std::lround(p.y() * 10)))).values.at(2) == u"sgd"_s ? 0 : 1;
        QVERIFY(std::abs(p.x() - category) < 0.25);
        xs.insert(p.x());
    }
    QCOMPARE(xs.size(), 20); // no two dots on top of each other
}

void TestParameterChart::executionTimeInReadableUnits()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::ExecutionTime, &f.model);
    TrialRecord quick = trial(1, TrialState::Done, 0.5);
    quick.finishedAt = quick.startedAt.addSecs(90);
    f.model.upsert(quick);
    chart.flush();
    QCOMPARE(chart.timeUnit(), u"s"_s);
    QCOMPARE(chart.points().at(0).y(), 90.0);
    QCOMPARE(chart.yAxis()->titleText(), u"Execution time [s]"_s);
    QCOMPARE(chart.yAxis()->min(), -4.5); // durations read against zero

    // A long trial turns the axis into minutes, and every point with it.
    f.model.upsert(trial(2, TrialState::Done, 0.4)); // ten minutes
    TrialRecord failed = trial(3, TrialState::Failed);
    failed.finishedAt = failed.startedAt.addSecs(qint64{30} * 60);
    f.model.upsert(failed);
    chart.flush();
    QCOMPARE(chart.timeUnit(), u"min"_s);
    QCOMPARE(chart.yAxis()->titleText(), u"Execution time [min]"_s);
    QVERIFY(chart.points().contains(QPointF(16, 1.5)));
    QVERIFY(chart.points().contains(QPointF(32, 10)));
    QCOMPARE(chart.failedPoints().size(), 1);
    QCOMPARE(chart.failedPoints().at(0), QPointF(8, 30));
    QCOMPARE(chart.failedDots()->style().brush.style(), Qt::NoBrush); // hollow
}

void TestParameterChart::updatesAreCoalesced()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    chart.flush();
    QSignalSpy updated(&chart, &gui::TrialChart::updated);
    QSignalSpy bestMoved(chart.bestSeries(), &QXYSeries::pointsReplaced);
    for (qint64 id = 1; id <= 8; ++id)
        f.model.upsert(trial(id, TrialState::Done, 1.0 - 0.1 * double(id)));
    QVERIFY(chart.hasPendingUpdates());
    QCOMPARE(chart.points().size(), 0); // not yet: the burst is drawn at once
    QTRY_COMPARE(updated.count(), 1);
    QCOMPARE(chart.points().size(), 8);
    QCOMPARE(bestMoved.count(), 1); // once for the burst, not once per trial
    QCOMPARE(chart.bestTrial(), std::optional<qint64>(8));
    QVERIFY(!chart.hasPendingUpdates());

    for (qint64 id = 9; id <= 300; ++id)
        f.model.upsert(trial(id, TrialState::Done, 0.1 * double(id)));
    QTRY_COMPARE(updated.count(), 2);
    QCOMPARE(chart.points().size(), 300);
}

void TestParameterChart::aHiddenChartCatchesUpWhenShown()
{
    Fixture f;
    ParameterChart chart(ParameterChart::Measure::Objective, &f.model);
    chart.flush();
    chart.setLive(false);
    QSignalSpy updated(&chart, &gui::TrialChart::updated);
    f.model.upsert(trial(1, TrialState::Done, 0.5));
    QTest::qWait(3 * gui::TrialChart::coalesceMs);
    QCOMPARE(updated.count(), 0);
    QCOMPARE(chart.points().size(), 0);
    chart.setLive(true);
    QTRY_COMPARE(chart.points().size(), 1);
}
QTEST_MAIN(TestParameterChart)
#include "tst_parameterchart.moc"
