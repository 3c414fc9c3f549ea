#include "gatedcampaign.h"
#include "gui/main/mainwindow.h"
#include "windowprobes.h"

#include "model/campaign.h"
#include "model/trialstore.h"
#include "support/verifyresult.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSet>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace sweepline;
using gui::MainWindow;
using gui::RunController;
using model::TrialState;
using namespace Qt::StringLiterals;

namespace {

// Jobs start a shell each on a machine other builds share: be patient, yet fail rather than hang.
constexpr int kRunTimeoutMs = 60000;

QString currentTab(const MainWindow& window)
{
    return window.panels()->tabText(window.panels()->currentIndex());
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void runsACampaignToItsEnd();
    void reopeningShowsTheRecordedTrials();
    void largeStoreIsReadWhileTheWindowGoesOn();
    void malformedFilesAreRefused();
    void invalidCampaignOpensButDoesNotRun();
    void unreadableStoreIsReported();
    void storeFolderGivenAtOpenIsUsedAndForgottenByNew();
    void statusBarSaysWhySubmissionsWait();
    void statusBarCountsPrunedTrials();

private:
    QTemporaryDir m_settings;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_settings.isValid());
    isolateSettings(m_settings.path());
}

void TestMainWindow::runsACampaignToItsEnd()
{
    GatedCampaign campaign(5, 2, true);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    MainWindow window;
    window.show();
    QVERIFY(window.openCampaign(campaign.path()));
    QVERIFY(trialsShown(window));
    QCOMPARE(window.runController()->trials()->rowCount(), 0);
    QCOMPARE(statusText(window, "runState"), u"Idle"_s);

    RunController* run = window.runController();
    QAbstractItemModelTester tester(run->trials(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(run, &RunController::finished);
    QSignalSpy windowFinished(&window, &MainWindow::runFinished);
    QSignalSpy states(run, &RunController::stateChanged);
    window.startRun();
    QCOMPARE(currentTab(window), u"Jobs"_s);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    QCOMPARE(windowFinished.size(), 1);

    const auto summary = firstSummary(finished);
    QVERIFY2(summary.ok, qPrintable(summary.error));
    QVERIFY(summary.complete);
    QCOMPARE(summary.stillRunning, 0);
    QCOMPARE(run->state(), RunController::State::Idle);
    // Open gates make the run quick: its states are read from the spy, not caught on the fly.
    QList<RunController::State> seen;
    for (const QList<QVariant>& change : states)
        seen.append(change.at(0).value<RunController::State>());
    QCOMPARE(seen,
             (QList<RunController::State>{RunController::State::Starting, RunController::State::Running,
                                          RunController::State::Idle}));

    // Every trial done, each with the value its job printed and its learning curve.
    const model::TrialTableModel& trials = *run->trials();
    QCOMPARE(trials.rowCount(), 5);
    QSet<int> xs;
    for (int row = 0; row < trials.rowCount(); ++row) {
        const model::TrialRecord& t = trials.trialAt(row);
        QCOMPARE(t.id, qint64(row + 1));
        QCOMPARE(describe(t), u"done"_s);
        QVERIFY(t.value.has_value());
        QCOMPARE(*t.value, GatedCampaign::expectedLoss(xOf(t)));
        QCOMPARE(t.intermediate, (QList<double>{9.0, GatedCampaign::expectedLoss(xOf(t))}));
        QCOMPARE(trials.data(trials.index(row, trials.stateColumn())).toString(), u"done"_s);
        QCOMPARE(trials.data(trials.index(row, trials.metricColumn()), Qt::EditRole).toDouble(), *t.value);
        xs.insert(xOf(t));
    }
    QCOMPARE(xs, (QSet<int>{1, 2, 3, 4, 5}));
    QCOMPARE(trials.trialAt(0).values.value(0).toInt(), 1); // grid starts at the default
    QCOMPARE(campaign.runs().size(), 5);

    QCOMPARE(statusText(window, "runState"), u"Idle"_s);
    QCOMPARE(statusText(window, "trialCounts"), u"5 done"_s);

    // The results table was built for the empty campaign of a new window; once this one opened,
    // its columns are the campaign's, none left hidden from before (the default ran: x = 1).
    const auto* top = window.findChild<QTableView*>(u"topTable"_s);
    QVERIFY(top);
    QStringList shown;
    for (int column = 0; column < top->model()->columnCount(); ++column) {
        if (!top->isColumnHidden(column))
            shown.append(top->model()->headerData(column, Qt::Horizontal).toString());
    }
    QCOMPARE(shown,
             (QStringList{u"Rank"_s, u"Trial"_s, u"x"_s, u"loss"_s, u"Execution time (s)"_s, u"Improvement"_s,
                          u"Improvement (%)"_s}));
    QVERIFY(QFile::exists(campaign.stateDirectory() + u"/trials.db"_s));
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

void TestMainWindow::reopeningShowsTheRecordedTrials()
{
    GatedCampaign campaign(4, 2, true);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    QList<model::TrialRecord> recorded;
    {
        MainWindow first;
        QVERIFY(first.openCampaign(campaign.path()));
        QSignalSpy finished(first.runController(), &RunController::finished);
        first.startRun();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
        recorded = first.runController()->trials()->trials();
    }
    QCOMPARE(recorded.size(), 4);

    MainWindow second;
    QSignalSpy states(second.runController(), &RunController::stateChanged);
    QVERIFY(second.openCampaign(campaign.path()));
    QVERIFY(trialsShown(second));
    const model::TrialTableModel& trials = *second.runController()->trials();
    QCOMPARE(trials.rowCount(), 4);
    for (int row = 0; row < trials.rowCount(); ++row) {
        const model::TrialRecord& t = trials.trialAt(row);
        QCOMPARE(t.id, recorded.at(row).id);
        QCOMPARE(describe(t), u"done"_s);
        QCOMPARE(t.values, recorded.at(row).values);
        QCOMPARE(t.value, std::optional<double>(GatedCampaign::expectedLoss(xOf(t))));
        QCOMPARE(t.jobId, recorded.at(row).jobId);
    }
    // Nothing is left running, so nothing is monitored and nothing runs again.
    QCOMPARE(currentTab(second), u"Jobs"_s);
    QTest::qWait(200);
    QCOMPARE(states.size(), 0);
    QCOMPARE(second.runController()->state(), RunController::State::Idle);
    QCOMPARE(statusText(second, "trialCounts"), u"4 done"_s);
    QCOMPARE(campaign.runs().size(), 4);
    QCOMPARE(second.runController()->stateDirectory(), QFileInfo(campaign.stateDirectory()).absoluteFilePath());
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

// The store is read on the engine thread: openCampaign() returns before the trials are there, the
// GUI thread goes on handling events (a timer ticks) meanwhile, and the status bar says so.
void TestMainWindow::largeStoreIsReadWhileTheWindowGoesOn()
{
    // Large enough that reading it outlasts the GUI thread's way back to its event loop, even on a busy machine.
    constexpr int kTrials = 5000;
    GatedCampaign campaign(kTrials, 2, true);
    QVERIFY(campaign.isValid());
    {
        const auto parsed = model::loadCampaignFile(campaign.path());
        QVERIFY2(parsed.campaign, qPrintable(parsed.toResult().error()));
        auto store = model::TrialStore::open(campaign.stateDirectory(), *parsed.campaign);
        QVERIFY_RESULT(store);
        for (int x = 1; x <= kTrials; ++x)
            QVERIFY_RESULT(store.value()->addTrial({x}, {}));
    }
    MessageBoxAnswerer boxes;
    MainWindow window;
    const model::TrialTableModel& trials = *window.runController()->trials();
    int ticks = 0;
    int ticksWhenShown = -1;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
    connect(window.runController(), &RunController::loaded, this, [&] { ticksWhenShown = ticks; });
    ticker.start(0);

    QVERIFY(window.openCampaign(campaign.path()));
    QCOMPARE(trials.rowCount(), 0);
    QVERIFY(window.runController()->isLoading());
    QCOMPARE(statusText(window, "runState"), u"Reading the trials…"_s);
    QVERIFY(trialsShown(window));
    QCOMPARE(trials.rowCount(), kTrials);
    QVERIFY2(ticksWhenShown > 0, qPrintable(u"%1 ticks"_s.arg(ticksWhenShown)));
    QCOMPARE(statusText(window, "runState"), u"Idle"_s);
    QCOMPARE(currentTab(window), u"Jobs"_s);
    QCOMPARE(window.runController()->state(), RunController::State::Idle); // Planned trials: nothing to monitor
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

void TestMainWindow::malformedFilesAreRefused()
{
    GatedCampaign campaign(4, 2, true);
    QVERIFY(campaign.isValid());
    MainWindow window;
    window.show();
    const QString title = window.windowTitle();

    const QList<std::pair<QString, QByteArray>> bad{
        {u"truncated.json"_s, R"({"name": "gate", "parameters": [)"},
        {u"array.json"_s, R"([1, 2, 3])"},
        {u"binary.json"_s, QByteArray("\x00\xff\xfe{", 4)},
    };
    for (const auto& [name, content] : bad) {
        campaign.write(name, content);
        MessageBoxAnswerer boxes;
        QVERIFY2(!window.openCampaign(campaign.filePath(name)), qPrintable(name));
        QCOMPARE(boxes.seen().size(), 1);
        QVERIFY2(boxes.seen().first().startsWith(u"Cannot open campaign: Cannot open %1"_s.arg(name)),
                 qPrintable(boxes.seen().first()));
        // The window keeps what it had: no half-opened document, no trials, no run.
        QCOMPARE(window.windowTitle(), title);
        QCOMPARE(window.runController()->trials()->rowCount(), 0);
        QCOMPARE(window.runController()->state(), RunController::State::Idle);
    }
    MessageBoxAnswerer boxes;
    QVERIFY(!window.openCampaign(campaign.filePath(u"missing.json"_s)));
    QCOMPARE(boxes.seen().size(), 1);

    // After refusals a good file still opens and runs.
    QVERIFY(window.openCampaign(campaign.path()));
    QSignalSpy finished(window.runController(), &RunController::finished);
    window.startRun();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    QCOMPARE(countIn(*window.runController()->trials(), TrialState::Done), 4);
}

void TestMainWindow::invalidCampaignOpensButDoesNotRun()
{
    GatedCampaign campaign(4, 2, true);
    QVERIFY(campaign.isValid());
    // A JSON object the validator refuses opens, so it can be fixed in the editor, but never runs.
    campaign.write(u"invalid.json"_s, R"({
  "name": "invalid",
  "parameters": [{"name": "x", "type": "int", "values": [], "default": 1}],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {"strategy": "grid", "max_trials": 4, "parallel": 2},
  "job": {"command": "/bin/sh work.sh {x}", "files": ["work.sh"]},
  "cluster": {"scheduler": "local"}
})");
    MessageBoxAnswerer boxes;
    MainWindow window;
    QSignalSpy states(window.runController(), &RunController::stateChanged);
    QVERIFY(window.openCampaign(campaign.filePath(u"invalid.json"_s)));
    QVERIFY(window.windowTitle().startsWith(u"invalid.json"_s));
    window.startRun();
    QCOMPARE(currentTab(window), u"Campaign"_s);
    QTest::qWait(200);
    QCOMPARE(states.size(), 0);
    QCOMPARE(window.runController()->state(), RunController::State::Idle);
    QVERIFY(!QFileInfo::exists(campaign.filePath(u"invalid.sweepline"_s)));
    QVERIFY(campaign.runs().isEmpty());
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

void TestMainWindow::unreadableStoreIsReported()
{
    GatedCampaign campaign(4, 2, true);
    QVERIFY(campaign.isValid());
    QVERIFY(QDir().mkpath(campaign.stateDirectory()));
    campaign.write(u"gate.sweepline/trials.db"_s, "this is not an SQLite database, not even close to one.");
    MessageBoxAnswerer boxes;
    MainWindow window;
    // The campaign itself is fine, so it opens; its trials cannot be shown, and the user is told.
    QVERIFY(window.openCampaign(campaign.path()));
    QVERIFY(trialsShown(window));
    QTRY_COMPARE(boxes.seen().size(), 1);
    QVERIFY2(boxes.seen().first().startsWith(u"Cannot read the campaign's trials: "_s),
             qPrintable(boxes.seen().first()));
    QCOMPARE(window.runController()->trials()->rowCount(), 0);
    QCOMPARE(window.runController()->state(), RunController::State::Idle);
    QVERIFY(campaign.runs().isEmpty());
}

// A site limit or max_queued holds submissions: the status bar says why while it lasts, and says
// nothing once submissions go on. (The backend's own announcements are tested through the CLI in
// tests/remote/cluster/tst_sitelimits.cpp.)
void TestMainWindow::statusBarSaysWhySubmissionsWait()
{
    MainWindow window;
    window.show();
    const auto* label = window.statusBar()->findChild<QLabel*>(u"submissionsPaused"_s);
    QVERIFY(label);
    QVERIFY(label->isHidden());
    const QString why = u"submissions paused for 4 s: sbatch: error: QOSMaxSubmitJobPerUserLimit"_s;
    emit window.runController()->submissionsPaused(why);
    QCOMPARE(statusText(window, "submissionsPaused"), why);
    QVERIFY(label->isVisible());
    emit window.runController()->submissionsPaused(QString());
    QVERIFY(label->isHidden());
}

void TestMainWindow::statusBarCountsPrunedTrials()
{
    MainWindow window;
    QList<model::TrialRecord> trials;
    for (qint64 id = 1; id <= 3; ++id) {
        model::TrialRecord t;
        t.id = id;
        t.token = u"t%1"_s.arg(id);
        t.state = id == 1 ? model::TrialState::Done : model::TrialState::Pruned;
        trials.append(t);
    }
    window.runController()->trials()->setTrials(trials);
    QCOMPARE(statusText(window, "trialCounts"), u"1 done · 2 pruned"_s);
}

QTEST_MAIN(TestMainWindow)
void TestMainWindow::storeFolderGivenAtOpenIsUsedAndForgottenByNew()
{
    GatedCampaign campaign(2, 2, true);
    QVERIFY(campaign.isValid());
    MessageBoxAnswerer boxes;
    const QString store = campaign.filePath(u"elsewhere/gate.store"_s);
    MainWindow window;
    QVERIFY(window.openCampaign(campaign.path(), store));
    auto* preview = window.findChild<QPlainTextEdit*>(u"scriptPreview"_s);
    QVERIFY(preview);
    QTRY_VERIFY(preview->toPlainText().contains(store + u"/runs/1"_s));

    QSignalSpy finished(window.runController(), &RunController::finished);
    window.startRun();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    QVERIFY(QFile::exists(store + u"/trials.db"_s));
    QVERIFY(!QFile::exists(campaign.stateDirectory())); // nothing beside the file

    // A new campaign is a new document: the folder given for the old one is not reused.
    QAction* newCampaign = nullptr;
    for (QAction* a : window.findChildren<QAction*>()) {
        if (a->text() == u"&New Campaign"_s)
            newCampaign = a;
    }
    QVERIFY(newCampaign);
    newCampaign->trigger();
    QTRY_VERIFY(!preview->toPlainText().contains(store));
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

#include "tst_mainwindow.moc"
