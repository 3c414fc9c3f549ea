#include "app/gui/jobs/sampletrials.h"
#include "gui/results/resultsexport.h"
#include "gui/results/resultspanel.h"
#include "gui/results/toptrialsmodel.h"
#include "model/trialexport.h"
#include "model/trialtablemodel.h"

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

using namespace sweepline;
using gui::ResultsPanel;
using model::TrialState;

namespace {

QString labelText(const ResultsPanel& panel, const char* name)
{
    return panel.findChild<QLabel*>(QLatin1String(name))->text();
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestResultsPanel : public QObject {
    Q_OBJECT

private slots:
    void emptyCampaign();
    void defaultNotMeasuredIsSaidPlainly();
    void bestAgainstDefault();
    void limitSpinBox();
    void followsTrialsLive();
    void exportsWriteTheBytes();
    void exportFailureIsReported();
    void doubleClickActivatesTrial();
    void renderForReview();
};

void TestResultsPanel::emptyCampaign()
{
    model::TrialTableModel trials;
    trials.setCampaign(testing::digitsCampaign());
    ResultsPanel panel(&trials);
    QVERIFY(labelText(panel, "headline").contains(u"No finished trials yet"_s));
    QVERIFY(!panel.findChild<QPushButton*>(u"exportTable"_s)->isEnabled());
    QVERIFY(!panel.findChild<QPushButton*>(u"exportAll"_s)->isEnabled());
    QCOMPARE(labelText(panel, "referenceNote"),
             u"The default configuration (hidden=32, learning_rate=0.001, batch_size=64, "
             "solver=adam) has not been measured."_s);
}

void TestResultsPanel::defaultNotMeasuredIsSaidPlainly()
{
    const model::Campaign campaign = testing::digitsCampaign();
    QList<model::TrialRecord> records = testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc());
    records.removeFirst(); // trial 1 was the default configuration
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    trials.setTrials(records);

    QVERIFY2(labelText(panel, "referenceNote").contains(u"has not been measured"_s),
             qPrintable(labelText(panel, "referenceNote")));
    QCOMPARE(panel.topTrials()->rowCount(), 5); // no reference row
    const QString best = labelText(panel, "bestNote");
    QVERIFY2(best.startsWith(u"Best: trial "_s) && best.endsWith(u'.'), qPrintable(best));
    QVERIFY(!best.contains(u"default"_s));
}

void TestResultsPanel::bestAgainstDefault()
{
    const model::Campaign campaign = testing::digitsCampaign();
    const auto records = testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc());
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    trials.setTrials(records);

    const auto* best = model::bestTrial(campaign, records);
    const double reference = *records.first().value;
    const double gain = reference - *best->value;
    QVERIFY(gain > 0);
    const QString expected =
        u"Best: trial %1, loss %2, %3 (%4 %) better than the default configuration."_s.arg(best->id)
            .arg(QString::number(*best->value, 'g', 6), QString::number(gain, 'g', 4))
            .arg(gain / reference * 100, 0, 'f', 2);
    QCOMPARE(labelText(panel, "bestNote"), expected);
    QVERIFY(labelText(panel, "referenceNote").startsWith(u"The default configuration (hidden=32"_s));
    QVERIFY(labelText(panel, "headline").contains(u"Top 5 of 22 finished trials"_s));
    QCOMPARE(panel.topTrials()->rowCount(), 6);
}

void TestResultsPanel::limitSpinBox()
{
    const model::Campaign campaign = testing::digitsCampaign();
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    trials.setTrials(testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc()));
    auto* limit = panel.findChild<QSpinBox*>(u"limit"_s);
    QCOMPARE(limit->value(), 5);
    limit->setValue(10);
    QCOMPARE(panel.topTrials()->rankedCount(), 10);
    QVERIFY(labelText(panel, "headline").contains(u"Top 10 of 22"_s));
    limit->setValue(30);
    QCOMPARE(panel.topTrials()->rankedCount(), 22);
    QVERIFY(labelText(panel, "headline").contains(u"All 22 finished trials"_s));
}

void TestResultsPanel::followsTrialsLive()
{
    const model::Campaign campaign = testing::digitsCampaign();
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    auto records = testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc());
    trials.setTrials(records);

    model::TrialRecord finished = trials.trialAt(trials.rowOfTrial(30));
    finished.state = TrialState::Done;
    finished.value = 0.0001;
    finished.finishedAt = finished.startedAt.addSecs(90);
    trials.upsert(finished);
    QCOMPARE(panel.topTrials()->trialIdAt(0), 30);
    QVERIFY(labelText(panel, "bestNote").startsWith(u"Best: trial 30, loss 0.0001"_s));
    QVERIFY(labelText(panel, "headline").contains(u"of 23 finished"_s));
}

void TestResultsPanel::exportsWriteTheBytes()
{
    const model::Campaign campaign = testing::digitsCampaign();
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    const auto records = testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc());
    trials.setTrials(records);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QString table = dir.filePath(u"top.csv"_s);
    QVERIFY(panel.exportTable(table).ok());
    QCOMPARE(readAll(table), panel.topTrials()->toCsv());
    QCOMPARE(readAll(table).count("\r\n"), 1 + 6);

    const QString all = dir.filePath(u"all.csv"_s);
    QVERIFY(panel.exportAllTrials(all).ok());
    QCOMPARE(readAll(all), model::exportCsv(campaign, records));
    QCOMPARE(gui::allTrialsCsv(trials), model::exportCsv(campaign, records));
}

void TestResultsPanel::exportFailureIsReported()
{
    model::TrialTableModel trials;
    trials.setCampaign(testing::digitsCampaign());
    ResultsPanel panel(&trials);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"no-such-folder/top.csv"_s);
    const model::Status status = panel.exportTable(path);
    QVERIFY(!status.ok());
    QVERIFY2(status.error().startsWith(u"Cannot write "_s) && status.error().contains(path),
             qPrintable(status.error()));
    QVERIFY(!QFile::exists(path));

    // An existing file is replaced whole or not at all.
    const QString existing = dir.filePath(u"old.csv"_s);
    QVERIFY(gui::writeExportFile(existing, "old\r\n").ok());
    QVERIFY(gui::writeExportFile(existing, "new\r\n").ok());
    QCOMPARE(readAll(existing), QByteArray("new\r\n"));
}

void TestResultsPanel::doubleClickActivatesTrial()
{
    const model::Campaign campaign = testing::digitsCampaign();
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    trials.setTrials(testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc()));
    panel.resize(900, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy activated(&panel, &ResultsPanel::trialActivated);
    auto* table = panel.findChild<QTableView*>(u"topTable"_s);
    const QRect reference = table->visualRect(table->model()->index(5, 2));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, reference.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, reference.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toLongLong(), 1); // the default configuration's row
}

void TestResultsPanel::renderForReview()
{
    const model::Campaign campaign = testing::digitsCampaign();
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    ResultsPanel panel(&trials);
    trials.setTrials(testing::sampleTrials(campaign, QDateTime::currentDateTimeUtc()));
    panel.resize(1000, 330);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const QImage image = panel.grab().toImage();
    QVERIFY(!image.isNull());
    const QByteArray directory = qgetenv("SWEEPLINE_SCREENSHOT_DIR");
    if (!directory.isEmpty()) {
        QVERIFY(image.save(QString::fromLocal8Bit(directory) + u"/results-panel.png"_s));
        // And the case of a default configuration nobody ran.
        QList<model::TrialRecord> records = trials.trials();
        records.removeFirst();
        trials.setTrials(records);
        QTest::qWait(100); // the table lays out its columns on a timer
        QVERIFY(panel.grab().save(QString::fromLocal8Bit(directory) + u"/results-panel-nodefault.png"_s));
    }
}

QTEST_MAIN(TestResultsPanel)
#include "tst_resultspanel.moc"
