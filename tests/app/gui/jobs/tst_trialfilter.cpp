#include "gui/jobs/trialfilter.h"
#include "gui/jobs/trialtimes.h"
#include "model/trialtablemodel.h"
#include "smalltrials.h"

#include <QTest>

using namespace Qt::StringLiterals;

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
    QTest::addRow("spaces") << u"  adam   16 "_s << QStringList{u"adam"_s, u"16"_s};
    QTest::addRow("phrase") << u"\"out of memory\" adam"_s << QStringList{u"out of memory"_s, u"adam"_s};
    QTest::addRow("quoted value") << u"error=\"no value\""_s << QStringList{u"error=no value"_s};
    QTest::addRow("unclosed quote") << u"\"out of"_s << QStringList{u"out of"_s};
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
    QTest::addRow("word") << u"adam"_s << QList<qint64>{1, 3, 5, 10};
    QTest::addRow("any case") << u"ADAM"_s << QList<qint64>{1, 3, 5, 10};
    QTest::addRow("every word must match") << u"sgd 16"_s << QList<qint64>{2};
    QTest::addRow("job id text") << u"4710"_s << QList<qint64>{10};
    QTest::addRow("error, first line") << u"memory"_s << QList<qint64>{3};
    QTest::addRow("error, second line") << u"kernel"_s << QList<qint64>{3};
    QTest::addRow("phrase") << u"\"of memory\""_s << QList<qint64>{3};
    QTest::addRow("int equal") << u"hidden=16"_s << QList<qint64>{2, 10};
    QTest::addRow("spaces around operator") << u"hidden = 16"_s << QList<qint64>{2, 10};
    QTest::addRow("name in any case") << u"HIDDEN=16"_s << QList<qint64>{2, 10};
    QTest::addRow("int at least") << u"hidden>=32"_s << QList<qint64>{3, 4, 5};
    QTest::addRow("int below") << u"hidden<32"_s << QList<qint64>{1, 2, 10};
    QTest::addRow("float equal within rounding") << u"lr=0.001"_s << QList<qint64>{1, 4};
    QTest::addRow("float in exponent form") << u"lr=1e-3"_s << QList<qint64>{1, 4};
    QTest::addRow("float greater") << u"lr>0.01"_s << QList<qint64>{3, 10};
    QTest::addRow("metric below") << u"loss<0.3"_s << QList<qint64>{2};
    QTest::addRow("metric at most") << u"loss<=0.5"_s << QList<qint64>{1, 2};
    QTest::addRow("no value is not equal") << u"loss!=0.5"_s << QList<qint64>{2, 3, 4, 5, 10};
    QTest::addRow("choice equal") << u"solver=adam"_s << QList<qint64>{1, 3, 5, 10};
    QTest::addRow("choice not equal") << u"solver!=ADAM"_s << QList<qint64>{2, 4};
    QTest::addRow("choice equal is not contains") << u"solver=ada"_s << QList<qint64>{};
    QTest::addRow("state") << u"state=running"_s << QList<qint64>{4};
    QTest::addRow("state group") << u"state=active"_s << QList<qint64>{4, 5};
    QTest::addRow("not state group") << u"state!=active"_s << QList<qint64>{1, 2, 3, 10};
    QTest::addRow("trial numeric, 10 > 4") << u"trial>4"_s << QList<qint64>{5, 10};
    QTest::addRow("trial numeric, 10 not < 9") << u"trial<9"_s << QList<qint64>{1, 2, 3, 4, 5};
    QTest::addRow("job id as text") << u"job=4710"_s << QList<qint64>{10};
    QTest::addRow("live elapsed") << u"elapsed>50"_s << QList<qint64>{2, 4};
    QTest::addRow("live queued") << u"queued>=240"_s << QList<qint64>{4, 10};
    QTest::addRow("comparison being typed") << u"loss<"_s << all;
    QTest::addRow("two comparisons") << u"hidden=16 solver=adam"_s << QList<qint64>{10};
    QTest::addRow("comparison and word") << u"hidden<100 sgd"_s << QList<qint64>{2, 4};
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
    const TrialFilter filter = TrialFilter::parse(u"epochs=3"_s, trials);
    QCOMPARE(filter.terms().size(), 1);
    QCOMPARE(filter.terms().first().column, -1);
    QCOMPARE(filter.terms().first().op, TrialFilter::Op::Contains);
    QCOMPARE(filter.terms().first().text, u"epochs=3"_s);
    QVERIFY(!filter.matches(trials, 0));
}

void TestTrialFilter::campaignNamesWinOverFixedNames()
{
    model::Campaign campaign = testing::smallCampaign();
    campaign.parameters[0].name = u"Job"_s; // a parameter called like a fixed column
    model::TrialTableModel trials;
    trials.setCampaign(campaign);
    const auto names = TrialFilter::columnNames(trials);
    QCOMPARE(names.value(u"job"_s), trials.parameterColumn(0));
    QCOMPARE(names.value(u"loss"_s), trials.metricColumn());
    QCOMPARE(names.value(u"trial"_s), trials.trialColumn());
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
    QTest::addRow("zero") << 0.0 << u"0:00:00"_s;
    QTest::addRow("seconds") << 42.34 << u"0:00:42"_s;
    QTest::addRow("rounds up to a minute") << 59.6 << u"0:01:00"_s;
    QTest::addRow("minutes") << 245.0 << u"0:04:05"_s;
    QTest::addRow("hours") << 3723.4 << u"1:02:03"_s;
    QTest::addRow("days") << 2 * 86400.0 + 3 * 3600 + 4 * 60 + 5 << u"2 d 03:04:05"_s;
}

void TestTrialFilter::formatDuration()
{
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(gui::formatDuration(seconds), text);
}

QTEST_GUILESS_MAIN(TestTrialFilter)
#include "tst_trialfilter.moc"
