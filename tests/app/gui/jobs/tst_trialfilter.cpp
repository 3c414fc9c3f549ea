#include "gui/jobs/trialfilter.h"
#include "gui/jobs/trialtimes.h"
#include "model/trialtablemodel.h"
#include "smalltrials.h"

#include <QTest>

using namespace sweepline;
using sweepline::gui::TrialFilter;

class TestTrialFilter : public QObject {
    Q_OBJECT

private slots:
    void split_data();
    void split();
    void matches_data();
    void matches();
    void comparisonOnUnknownColumnIsPlainText();
    void campaignNamesWinOverFixedNames();
    void durations_data();
    void durations();
    void formatDuration_data();
    void formatDuration();
};

void TestTrialFilter::split_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::addRow("empty") << QString() << QStringList();
    QTest::addRow("spaces") << QStringLiteral("  adam   16 ") << QStringList{QStringLiteral("adam"), QStringLiteral("16")};
    QTest::addRow("phrase") << QStringLiteral("\"out of memory\" adam")
                            << QStringList{QStringLiteral("out of memory"), QStringLiteral("adam")};
    QTest::addRow("quoted value") << QStringLiteral("error=\"no value\"") << QStringList{QStringLiteral("error=no value")};
    QTest::addRow("unclosed quote") << QStringLiteral("\"out of") << QStringList{QStringLiteral("out of")};
}

void TestTrialFilter::split()
{
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);
    QCOMPARE(TrialFilter::split(text), tokens);
}

void TestTrialFilter::matches_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<qint64>>("expected");

    const QList<qint64> all{1, 2, 3, 4, 5, 10};
    QTest::addRow("empty") << QString() << all;
    QTest::addRow("word") << QStringLiteral("adam") << QList<qint64>{1, 3, 5, 10};
    QTest::addRow("any case") << QStringLiteral("ADAM") << QList<qint64>{1, 3, 5, 10};
    QTest::addRow("every word must match") << QStringLiteral("sgd 16") << QList<qint64>{2};
    QTest::addRow("job id text") << QStringLiteral("4710") << QList<qint64>{10};
    QTest::addRow("error, first line") << QStringLiteral("memory") << QList<qint64>{3};
    QTest::addRow("error, second line") << QStringLiteral("kernel") << QList<qint64>{3};
    QTest::addRow("phrase") << QStringLiteral("\"of memory\"") << QList<qint64>{3};
    QTest::addRow("int equal") << QStringLiteral("hidden=16") << QList<qint64>{2, 10};
    QTest::addRow("spaces around operator") << QStringLiteral("hidden = 16") << QList<qint64>{2, 10};
    QTest::addRow("name in any case") << QStringLiteral("HIDDEN=16") << QList<qint64>{2, 10};
    QTest::addRow("int at least") << QStringLiteral("hidden>=32") << QList<qint64>{3, 4, 5};
    QTest::addRow("int below") << QStringLiteral("hidden<32") << QList<qint64>{1, 2, 10};
    QTest::addRow("float equal within rounding") << QStringLiteral("lr=0.001") << QList<qint64>{1, 4};
    QTest::addRow("float in exponent form") << QStringLiteral("lr=1e-3") << QList<qint64>{1, 4};
    QTest::addRow("float greater") << QStringLiteral("lr>0.01") << QList<qint64>{3, 10};
    QTest::addRow("metric below") << QStringLiteral("loss<0.3") << QList<qint64>{2};
    QTest::addRow("metric at most") << QStringLiteral("loss<=0.5") << QList<qint64>{1, 2};
    QTest::addRow("no value is not equal") << QStringLiteral("loss!=0.5") << QList<qint64>{2, 3, 4, 5, 10};
    QTest::addRow("choice equal") << QStringLiteral("solver=adam") << QList<qint64>{1, 3, 5, 10};
    QTest::addRow("choice not equal") << QStringLiteral("solver!=ADAM") << QList<qint64>{2, 4};
    QTest::addRow("choice equal is not contains") << QStringLiteral("solver=ada") << QList<qint64>{};
    QTest::addRow("state") << QStringLiteral("state=running") << QList<qint64>{4};
    QTest::addRow("state group") << QStringLiteral("state=active") << QList<qint64>{4, 5};
    QTest::addRow("not state group") << QStringLiteral("state!=active") << QList<qint64>{1, 2, 3, 10};
    QTest::addRow("trial numeric, 10 > 4") << QStringLiteral("trial>4") << QList<qint64>{5, 10};
    QTest::addRow("trial numeric, 10 not < 9") << QStringLiteral("trial<9") << QList<qint64>{1, 2, 3, 4, 5};
    QTest::addRow("job id as text") << QStringLiteral("job=4710") << QList<qint64>{10};
    QTest::addRow("live elapsed") << QStringLiteral("elapsed>50") << QList<qint64>{2, 4};
    QTest::addRow("live queued") << QStringLiteral("queued>=240") << QList<qint64>{4, 10};
    QTest::addRow("comparison being typed") << QStringLiteral("loss<") << all;
    QTest::addRow("two comparisons") << QStringLiteral("hidden=16 solver=adam") << QList<qint64>{10};
    QTest::addRow("comparison and word") << QStringLiteral("hidden<100 sgd") << QList<qint64>{2, 4};
}

void TestTrialFilter::matches()
{
    QFETCH(QString, text);
    QFETCH(QList<qint64>, expected);

    model::TrialTableModel trials;
    trials.setCampaign(testing::smallCampaign());
    trials.setTrials(testing::smallTrials());
    const TrialFilter filter = TrialFilter::parse(text, trials);

    QList<qint64> matched;
    for (int row = 0; row < trials.rowCount(); ++row) {
        if (filter.matches(trials, row, testing::smallNow()))
            matched.append(trials.trialAt(row).id);
    }
    QCOMPARE(matched, expected);
}

void TestTrialFilter::comparisonOnUnknownColumnIsPlainText()
{
    model::TrialTableModel trials;
    trials.setCampaign(testing::smallCampaign());
    trials.setTrials(testing::smallTrials());
    const TrialFilter filter = TrialFilter::parse(QStringLiteral("epochs=3"), trials);
    QCOMPARE(filter.terms().size(), 1);
    QCOMPARE(filter.terms().first().column, -1);
    QCOMPARE(filter.terms().first().op, TrialFilter::Op::Contains);
    QCOMPARE(filter.terms().first().text, QStringLiteral("epochs=3"));
    QVERIFY(!filter.matches(trials, 0));
}

void TestTrialFilter::campaignNamesWinOverFixedNames()
{
    model::Campaign campaign = testing::smallCampaign();
    campaign.parameters[0].name = QStringLiteral("Job"); // a parameter called like a fixed column
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    const auto names = TrialFilter::columnNames(trials);
    QCOMPARE(names.value(QStringLiteral("job")), trials.parameterColumn(0));
    QCOMPARE(names.value(QStringLiteral("loss")), trials.metricColumn());
    QCOMPARE(names.value(QStringLiteral("trial")), trials.trialColumn());
}

void TestTrialFilter::durations_data()
{
    QTest::addColumn<qint64>("trial");
    QTest::addColumn<bool>("withClock");
    QTest::addColumn<QVariant>("queued");
    QTest::addColumn<QVariant>("elapsed");

    QTest::addRow("done") << qint64(1) << true << QVariant(10.0) << QVariant(30.0);
    QTest::addRow("running, clock") << qint64(4) << true << QVariant(300.0) << QVariant(100.0);
    QTest::addRow("running, no clock") << qint64(4) << false << QVariant(300.0) << QVariant();
    QTest::addRow("planned") << qint64(5) << true << QVariant() << QVariant();
    QTest::addRow("cancelled while queued") << qint64(10) << true << QVariant(240.0) << QVariant();
}

void TestTrialFilter::durations()
{
    QFETCH(qint64, trial);
    QFETCH(bool, withClock);
    QFETCH(QVariant, queued);
    QFETCH(QVariant, elapsed);

    const auto all = testing::smallTrials();
    const auto it = std::find_if(all.cbegin(), all.cend(), [&](const auto& t) { return t.id == trial; });
    const QDateTime now = withClock ? testing::smallNow() : QDateTime();
    auto asVariant = [](std::optional<double> v) { return v ? QVariant(*v) : QVariant(); };
    QCOMPARE(asVariant(gui::queuedSeconds(*it, now)), queued);
    QCOMPARE(asVariant(gui::elapsedSeconds(*it, now)), elapsed);
}

void TestTrialFilter::formatDuration_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::addRow("zero") << 0.0 << QStringLiteral("0:00:00");
    QTest::addRow("seconds") << 42.34 << QStringLiteral("0:00:42");
    QTest::addRow("rounds up to a minute") << 59.6 << QStringLiteral("0:01:00");
    QTest::addRow("minutes") << 245.0 << QStringLiteral("0:04:05");
    QTest::addRow("hours") << 3723.4 << QStringLiteral("1:02:03");
    QTest::addRow("days") << 2 * 86400.0 + 3 * 3600 + 4 * 60 + 5 << QStringLiteral("2 d 03:04:05");
}

void TestTrialFilter::formatDuration()
{
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(gui::formatDuration(seconds), text);
}

QTEST_GUILESS_MAIN(TestTrialFilter)
#include "tst_trialfilter.moc"
