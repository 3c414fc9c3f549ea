#include "gatedcampaign.h"
#include "gui/main/mainwindow.h"
#include "windowprobes.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QSet>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>

#include <memory>

using namespace sweepline;
using namespace Qt::StringLiterals;
using gui::MainWindow;
using gui::RunController;
using model::TrialState;

namespace {

constexpr int kRunTimeoutMs = 60000;
// Long enough for an engine that wrongly submits on a freed slot to have done so.
constexpr int kQuietMs = 600;

QSet<int> asSet(const QStringList& runs)
{
    QSet<int> xs;
    for (const QString& r : runs)
        xs.insert(r.toInt());
    return xs;
}

} // namespace

// Run control through the window's RunController, on real local jobs held at a gate.
class TestRunController : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void pauseStopsSubmissionsAndResumeGoesOn();
    void cancelOfOneTrial();
    void detachedTrialsAreMonitoredAgainAndRunOnce();
    void monitoredCampaignWithItsBudgetSpentFinishesByItself();

private:
    QTemporaryDir m_settings;
};

void TestRunController::initTestCase()
{
    QVERIFY(m_settings.isValid());
    isolateSettings(m_settings.path());
}

void TestRunController::pauseStopsSubmissionsAndResumeGoesOn()
{
    GatedCampaign campaign(5, 2, false);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    MainWindow window;
    QVERIFY(window.openCampaign(campaign.path()));
    RunController* run = window.runController();
    const model::TrialTableModel& trials = *run->trials();
    QAbstractItemModelTester tester(run->trials(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(run, &RunController::finished);

    window.startRun();
    QTRY_COMPARE_WITH_TIMEOUT(countIn(trials, TrialState::Running), 2, kRunTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(campaign.runs().size(), 2, kRunTimeoutMs);
    QCOMPARE(run->state(), RunController::State::Running);
    QCOMPARE(statusText(window, "runState"), u"Running"_s);
    QCOMPARE(statusText(window, "trialCounts"), u"2 running"_s);

    run->pause();
    QCOMPARE(run->state(), RunController::State::Paused);
    QCOMPARE(statusText(window, "runState"), u"Submissions paused"_s);
    const model::TrialRecord first = trials.trialAt(0);
    campaign.release(xOf(first));
    QTRY_COMPARE_WITH_TIMEOUT(describe(trials.trialAt(0)), u"done"_s, kRunTimeoutMs);
    QCOMPARE(trials.trialAt(0).value, std::optional<double>(GatedCampaign::expectedLoss(xOf(first))));
    // The freed slot stays empty: no trial planned, none submitted, no job started.
    QTest::qWait(kQuietMs);
    QCOMPARE(trials.rowCount(), 2);
    QCOMPARE(countIn(trials, TrialState::Running), 1);
    QCOMPARE(campaign.runs().size(), 2);
    QCOMPARE(run->state(), RunController::State::Paused);
    QCOMPARE(statusText(window, "trialCounts"), u"1 running · 1 done"_s);
    QCOMPARE(finished.size(), 0);

    run->resume();
    QCOMPARE(run->state(), RunController::State::Running);
    QTRY_COMPARE_WITH_TIMEOUT(trials.rowCount(), 3, kRunTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(countIn(trials, TrialState::Running), 2, kRunTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(campaign.runs().size(), 3, kRunTimeoutMs);

    campaign.releaseAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    const auto summary = firstSummary(finished);
    QVERIFY2(summary.ok, qPrintable(summary.error));
    QVERIFY(summary.complete);
    QCOMPARE(countIn(trials, TrialState::Done), 5);
    QCOMPARE(campaign.runs().size(), 5);
    QCOMPARE(asSet(campaign.runs()), (QSet<int>{1, 2, 3, 4, 5}));
    QCOMPARE(statusText(window, "trialCounts"), u"5 done"_s);
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

void TestRunController::cancelOfOneTrial()
{
    GatedCampaign campaign(4, 2, false);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    MainWindow window;
    QVERIFY(window.openCampaign(campaign.path()));
    RunController* run = window.runController();
    const model::TrialTableModel& trials = *run->trials();
    QAbstractItemModelTester tester(run->trials(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(run, &RunController::finished);

    window.startRun();
    QTRY_COMPARE_WITH_TIMEOUT(countIn(trials, TrialState::Running), 2, kRunTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(campaign.runs().size(), 2, kRunTimeoutMs);
    const model::TrialRecord victim = trials.trialAt(1);
    run->cancelTrial(victim.id);
    QTRY_COMPARE_WITH_TIMEOUT(model::toString(trials.trialAt(1).state), model::toString(TrialState::Cancelled),
                              kRunTimeoutMs);
    QCOMPARE(trials.trialAt(1).value, std::nullopt);
    QCOMPARE(trials.trialAt(1).error, u"cancelled"_s);
    QCOMPARE(run->state(), RunController::State::Running); // one trial, not the campaign
    // Its slot goes to the next point.
    QTRY_COMPARE_WITH_TIMEOUT(trials.rowCount(), 3, kRunTimeoutMs);

    campaign.releaseAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    QVERIFY(firstSummary(finished).ok);
    QCOMPARE(trials.rowCount(), 4); // a cancelled trial spends its share of the budget
    for (const model::TrialRecord& t : trials.trials()) {
        if (t.id == victim.id)
            continue;
        QCOMPARE(describe(t), u"done"_s);
        QCOMPARE(t.value, std::optional<double>(GatedCampaign::expectedLoss(xOf(t))));
    }
    QCOMPARE(model::toString(trials.trialAt(1).state), model::toString(TrialState::Cancelled));
    // The job was killed at the gate: it never printed its metric, and it ran only once.
    QFile out(campaign.stateDirectory() + u"/runs/%1/stdout"_s.arg(victim.id));
    QVERIFY(out.open(QIODevice::ReadOnly));
    QVERIFY(!out.readAll().contains("loss"));
    QCOMPARE(campaign.runs().count(QString::number(xOf(victim))), 1);
    QCOMPARE(campaign.runs().size(), 4);
    QCOMPARE(statusText(window, "trialCounts"), u"3 done · 1 cancelled"_s);
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

void TestRunController::detachedTrialsAreMonitoredAgainAndRunOnce()
{
    GatedCampaign campaign(4, 2, false);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    model::TrialRecord early, late;
    {
        auto first = std::make_unique<MainWindow>();
        QVERIFY(first->openCampaign(campaign.path()));
        RunController* run = first->runController();
        QSignalSpy finished(run, &RunController::finished);
        first->startRun();
        QTRY_COMPARE_WITH_TIMEOUT(countIn(*run->trials(), TrialState::Running), 2, kRunTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(campaign.runs().size(), 2, kRunTimeoutMs);
        run->detach();
        QCOMPARE(run->state(), RunController::State::Idle);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
        const auto summary = firstSummary(finished);
        QVERIFY(summary.ok);
        QVERIFY(!summary.complete);
        QCOMPARE(summary.stillRunning, 2);
        early = run->trials()->trialAt(0);
        late = run->trials()->trialAt(1);
    }
    // One job ends while no window watches; the other is still at its gate.
    campaign.release(xOf(early));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(campaign.stateDirectory() + u"/runs/%1/exit_code"_s.arg(early.id)),
                             kRunTimeoutMs);

    MainWindow second;
    RunController* run = second.runController();
    const model::TrialTableModel& trials = *run->trials();
    QAbstractItemModelTester tester(run->trials(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(run, &RunController::finished);
    QVERIFY(second.openCampaign(campaign.path()));
    QVERIFY(trialsShown(second));
    QCOMPARE(trials.rowCount(), 2);
    // Watched again, submitting nothing new until told to.
    QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunController::State::Paused, kRunTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(describe(trials.trialAt(0)), u"done"_s, kRunTimeoutMs);
    QCOMPARE(trials.trialAt(0).value, std::optional<double>(GatedCampaign::expectedLoss(xOf(early))));
    QCOMPARE(model::toString(trials.trialAt(1).state), model::toString(TrialState::Running));
    QCOMPARE(trials.trialAt(1).jobId, late.jobId);

    campaign.release(xOf(late));
    QTRY_COMPARE_WITH_TIMEOUT(describe(trials.trialAt(1)), u"done"_s, kRunTimeoutMs);
    QCOMPARE(trials.trialAt(1).value, std::optional<double>(GatedCampaign::expectedLoss(xOf(late))));
    QTest::qWait(kQuietMs);
    QCOMPARE(trials.rowCount(), 2);
    QCOMPARE(campaign.runs().size(), 2);
    QCOMPARE(finished.size(), 0);

    // Start on a monitored campaign resumes it, and it completes.
    campaign.releaseAll();
    second.startRun();
    QCOMPARE(run->state(), RunController::State::Running);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    const auto summary = firstSummary(finished);
    QVERIFY2(summary.ok, qPrintable(summary.error));
    QVERIFY(summary.complete);
    QCOMPARE(trials.rowCount(), 4);
    QCOMPARE(countIn(trials, TrialState::Done), 4);
    for (const model::TrialRecord& t : trials.trials())
        QCOMPARE(t.value, std::optional<double>(GatedCampaign::expectedLoss(xOf(t))));
    // No point ran twice: the two detached jobs were collected, not submitted again.
    QCOMPARE(campaign.runs().size(), 4);
    QCOMPARE(asSet(campaign.runs()), (QSet<int>{1, 2, 3, 4}));
    QCOMPARE(statusText(second, "trialCounts"), u"4 done"_s);
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

void TestRunController::monitoredCampaignWithItsBudgetSpentFinishesByItself()
{
    GatedCampaign campaign(2, 2, false);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    {
        MainWindow first;
        QVERIFY(first.openCampaign(campaign.path()));
        first.startRun();
        QTRY_COMPARE_WITH_TIMEOUT(campaign.runs().size(), 2, kRunTimeoutMs);
        first.runController()->detach();
    }
    MainWindow second;
    RunController* run = second.runController();
    QSignalSpy finished(run, &RunController::finished);
    QVERIFY(second.openCampaign(campaign.path()));
    QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunController::State::Paused, kRunTimeoutMs);
    QCOMPARE(finished.size(), 0); // both jobs still run: nothing to finish yet
    // Every trial of the budget is out there: once both are collected nothing is left to resume.
    campaign.releaseAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    const auto summary = firstSummary(finished);
    QVERIFY2(summary.ok, qPrintable(summary.error));
    QVERIFY(summary.complete);
    QCOMPARE(run->state(), RunController::State::Idle);
    QCOMPARE(countIn(*run->trials(), TrialState::Done), 2);
    QCOMPARE(campaign.runs().size(), 2);
    QCOMPARE(statusText(second, "trialCounts"), u"2 done"_s);
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

QTEST_MAIN(TestRunController)
#include "tst_runcontroller.moc"
