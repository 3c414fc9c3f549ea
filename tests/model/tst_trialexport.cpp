#include "model/trialexport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

Parameter parameter(const QString& name, ParameterType type, const QVariantList& candidates)
{
    Parameter p;
    p.name = name;
    p.type = type;
    p.listedValues = candidates;
    p.candidates = candidates;
    return p;
}

Campaign makeCampaign(Direction direction = Direction::Minimize)
{
    Campaign campaign;
    campaign.name = u"digits"_s;
    campaign.parameters = {
        parameter(u"lr"_s, ParameterType::Float, {0.1, 1.0}),
        parameter(u"layers"_s, ParameterType::Int, {qint64(1), qint64(3)}),
        parameter(u"opt"_s, ParameterType::Choice, {u"a,b"_s, u"plain"_s}),
    };
    campaign.objective.metric = u"loss"_s;
    campaign.objective.direction = direction;
    campaign.job.command = u"./train {lr} {layers} {opt}"_s;
    return campaign;
}

QDateTime at(int hour, int minute, int second, int ms = 0)
{
    return QDateTime(QDate(2026, 11, 23), QTime(hour, minute, second, ms), Qt::UTC);
}

TrialRecord record(qint64 id, TrialState state, const QVariantList& values, std::optional<double> value = {})
{
    TrialRecord trial;
    trial.id = id;
    trial.token = u"swdeadbeef-%1"_s.arg(id);
    trial.state = state;
    trial.values = values;
    trial.value = value;
    return trial;
}

// The small case whose bytes are pinned down below.
QList<TrialRecord> smallCase()
{
    TrialRecord done = record(1, TrialState::Done, {0.1, qint64(3), u"a,b"_s}, 0.25);
    done.jobId = u"4711"_s;
    done.attempt = 1;
    done.submittedAt = at(10, 0, 0, 123);
    // Not UTC on the way in; UTC on the way out.
    done.startedAt = QDateTime(QDate(2026, 11, 23), QTime(12, 0, 1), Qt::OffsetFromUTC, 2 * 3600);
    done.finishedAt = at(10, 0, 3, 500);
    done.intermediate = {0.5, NaN, 0.25};
    done.labels = {1, u"up"_s, 2};
    done.note = u"stdout was 300 bytes, over the download limit: from its last 100 bytes"_s;

    TrialRecord failed = record(2, TrialState::Failed, {0.5, qint64(-1), u"say \"hi\"\nbye"_s});
    failed.error = u"exit 1, see log"_s;

    TrialRecord planned = record(3, TrialState::Planned, {0.5}); // from before a definition change
    TrialRecord unicode = record(4, TrialState::Done, {0.1, qint64(1), u"日本語 ü\r"_s}, NaN);
    return {done, failed, planned, unicode};
}

} // namespace

class TestTrialExport : public QObject {
    Q_OBJECT

private slots:
    void csvExactBytes();
    void csvEmpty();
    void jsonParsesBack();
    void jsonKeepsFloatsFloats();
    void bestTrial_data();
    void bestTrial();
    void prunedCsv();
    void prunedJson();
};

namespace {

// Stopped at step 20 of a run that prints its steps; the job ran on to step 30 before it ended.
QList<TrialRecord> prunedCase()
{
    TrialRecord pruned = record(1, TrialState::Pruned, {0.1, qint64(1), u"plain"_s}, 0.4);
    pruned.intermediate = {0.9, 0.6, 0.4};
    pruned.steps = {10, 20, 30};
    pruned.pruneAt = CurvePoint{20, 0.6};
    pruned.finishedAt = at(10, 0, 0);
    TrialRecord pending = record(2, TrialState::Running, {1.0, qint64(3), u"plain"_s});
    pending.intermediate = {0.8, 0.7};
    pending.steps = {1, 2};
    pending.pruneAt = CurvePoint{2, 0.7};
    TrialRecord done = record(3, TrialState::Done, {1.0, qint64(1), u"plain"_s}, 0.125);
    done.intermediate = {0.5, 0.125};
    done.steps = {10, 20};
    return {pruned, pending, done};
}

} // namespace

void TestTrialExport::prunedCsv()
{
    const QByteArray csv = exportCsv(makeCampaign(), prunedCase());
    const QList<QByteArray> lines = csv.split('\n');
    QCOMPARE(lines.size(), 5);
    // No final value (even one a store held), the stop point at the end.
    QCOMPARE(lines.at(1), QByteArray("1,pruned,0.1,1,plain,,,,,2026-11-23T10:00:00.000Z,,0,0,,,20,0.6\r"));
    QCOMPARE(lines.at(2), QByteArray("2,running,1,3,plain,,,,,,,0,0,,,,\r")); // a pending stop is no stop yet
    QCOMPARE(lines.at(3), QByteArray("3,done,1,1,plain,0.125,,,,,,0,0,,,,\r"));
}

void TestTrialExport::prunedJson()
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(exportJson(makeCampaign(), prunedCase()), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonArray trials = document.object().value(u"trials"_s).toArray();
    QCOMPARE(trials.size(), 3);

    const QJsonObject pruned = trials.at(0).toObject();
    QCOMPARE(pruned.value(u"state"_s).toString(), u"pruned"_s);
    QVERIFY(pruned.value(u"value"_s).isNull());
    QCOMPARE(pruned.value(u"intermediate"_s).toArray(), QJsonArray({0.9, 0.6, 0.4}));
    QCOMPARE(pruned.value(u"steps"_s).toArray(), QJsonArray({10, 20, 30}));
    const QJsonObject stop = pruned.value(u"pruned"_s).toObject();
    QCOMPARE(stop.value(u"step"_s).toInt(), 20);
    QCOMPARE(stop.value(u"value"_s).toDouble(), 0.6);

    const QJsonObject pending = trials.at(1).toObject();
    QVERIFY(pending.value(u"pruned"_s).isNull());
    QVERIFY(!pending.contains(u"steps"_s)); // 1..n: left out
    const QJsonObject done = trials.at(2).toObject();
    QCOMPARE(done.value(u"value"_s).toDouble(), 0.125);
    QCOMPARE(done.value(u"steps"_s).toArray(), QJsonArray({10, 20}));
    QVERIFY(done.value(u"pruned"_s).isNull());
}

void TestTrialExport::csvExactBytes()
{
    const QByteArray expected = u"trial,state,lr,layers,opt,loss,job_id,submitted_at,started_at,finished_at,elapsed_s,"
                                u"stage,batch,error,note,pruned_step,pruned_value\r\n"
                                "1,done,0.1,3,\"a,b\",0.25,4711,2026-11-23T10:00:00.123Z,2026-11-23T10:00:01.000Z,"
                                "2026-11-23T10:00:03.500Z,2.500,1,2,,\"stdout was 300 bytes, over the download limit: "
                                "from its last 100 bytes\",,\r\n"
                                "2,failed,0.5,-1,\"say \"\"hi\"\"\nbye\",,,,,,,0,0,\"exit 1, see log\",,,\r\n"
                                "3,planned,0.5,,,,,,,,,0,0,,,,\r\n"
                                "4,done,0.1,1,\"日本語 ü\r\",nan,,,,,,0,0,,,,\r\n"_s.toUtf8();
    const QByteArray actual = exportCsv(makeCampaign(), smallCase());
    QCOMPARE(actual, expected);
}

void TestTrialExport::csvEmpty()
{
    QCOMPARE(exportCsv(makeCampaign(), {}),
             QByteArray("trial,state,lr,layers,opt,loss,job_id,submitted_at,started_at,finished_at,elapsed_s,"
                        "stage,batch,error,note,pruned_step,pruned_value\r\n"));
}

void TestTrialExport::jsonParsesBack()
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(exportJson(makeCampaign(), smallCase()), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject root = document.object();
    QCOMPARE(root.value(u"campaign"_s).toString(), u"digits"_s);
    QCOMPARE(root.value(u"objective"_s).toObject().value(u"metric"_s).toString(), u"loss"_s);
    QCOMPARE(root.value(u"objective"_s).toObject().value(u"direction"_s).toString(), u"minimize"_s);
    QCOMPARE(root.value(u"parameters"_s).toArray(), QJsonArray({u"lr"_s, u"layers"_s, u"opt"_s}));

    const QJsonArray trials = root.value(u"trials"_s).toArray();
    QCOMPARE(trials.size(), 4);
    const QJsonObject first = trials.at(0).toObject();
    QCOMPARE(first.value(u"trial"_s).toInteger(), 1);
    QCOMPARE(first.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(first.value(u"token"_s).toString(), u"swdeadbeef-1"_s);
    const QJsonObject parameters = first.value(u"parameters"_s).toObject();
    QCOMPARE(parameters.value(u"lr"_s).toDouble(), 0.1);
    QCOMPARE(parameters.value(u"layers"_s).toVariant().typeId(), QMetaType::LongLong);
    QCOMPARE(parameters.value(u"layers"_s).toInteger(), 3);
    QCOMPARE(parameters.value(u"opt"_s).toString(), u"a,b"_s);
    QCOMPARE(first.value(u"value"_s).toDouble(), 0.25);
    const QJsonArray curve = first.value(u"intermediate"_s).toArray();
    QCOMPARE(curve.size(), 3);
    QVERIFY(curve.at(1).isNull()); // nan has no JSON spelling
    QCOMPARE(first.value(u"job_id"_s).toString(), u"4711"_s);
    QCOMPARE(first.value(u"attempt"_s).toInt(), 1);
    QCOMPARE(first.value(u"submitted_at"_s).toString(), u"2026-11-23T10:00:00.123Z"_s);
    QCOMPARE(first.value(u"started_at"_s).toString(), u"2026-11-23T10:00:01.000Z"_s);
    QCOMPARE(first.value(u"elapsed_s"_s).toDouble(), 2.5);
    QCOMPARE(first.value(u"stage"_s).toInt(), 1);
    QCOMPARE(first.value(u"direction"_s).toString(), u"up"_s);
    QCOMPARE(first.value(u"batch"_s).toInt(), 2);

    const QJsonObject second = trials.at(1).toObject();
    QVERIFY(second.value(u"value"_s).isNull());
    QVERIFY(second.value(u"submitted_at"_s).isNull());
    QCOMPARE(second.value(u"error"_s).toString(), u"exit 1, see log"_s);
    QVERIFY(second.value(u"note"_s).isNull());
    QVERIFY(first.value(u"note"_s).toString().contains(u"download limit"_s));
    QCOMPARE(second.value(u"parameters"_s).toObject().value(u"opt"_s).toString(), u"say \"hi\"\nbye"_s);

    const QJsonObject third = trials.at(2).toObject();
    QVERIFY(third.value(u"parameters"_s).toObject().value(u"layers"_s).isNull());

    const QJsonObject fourth = trials.at(3).toObject();
    QVERIFY(fourth.value(u"value"_s).isNull()); // nan
    QCOMPARE(fourth.value(u"parameters"_s).toObject().value(u"opt"_s).toString(), u"日本語 ü\r"_s);
}

void TestTrialExport::jsonKeepsFloatsFloats()
{
    Campaign campaign = makeCampaign(Direction::Maximize);
    const TrialRecord trial = record(1, TrialState::Done, {1.0, qint64(1), u"x"_s}, Inf);
    const QByteArray json = exportJson(campaign, {trial});
    // A float parameter written as "1" would read back as an integer.
    QVERIFY2(json.contains("\"lr\": 1.0"), json.constData());
    QVERIFY2(json.contains("\"layers\": 1,"), json.constData());
    QVERIFY2(json.contains("\"value\": null"), json.constData());
    QVERIFY2(json.contains("\"direction\": \"maximize\""), json.constData());
}

void TestTrialExport::bestTrial_data()
{
    QTest::addColumn<bool>("maximize");
    QTest::addColumn<QString>("trials");  // "id state value; ...", value "-" for none
    QTest::addColumn<qint64>("expected"); // 0: none

    QTest::addRow("min") << false << u"1 done 0.5; 2 done 0.3; 3 done 0.4"_s << qint64(2);
    QTest::addRow("max") << true << u"1 done 0.5; 2 done 0.3; 3 done 0.4"_s << qint64(1);
    QTest::addRow("negative values min") << false << u"1 done -1; 2 done -3"_s << qint64(2);
    QTest::addRow("tie min: lowest id") << false << u"1 done 0.3; 2 done 0.3"_s << qint64(1);
    QTest::addRow("tie max, listed backwards") << true << u"7 done 0.9; 5 done 0.9; 6 done 0.1"_s << qint64(5);
    QTest::addRow("nan skipped min") << false << u"1 done nan; 2 done 0.7"_s << qint64(2);
    QTest::addRow("nan skipped max") << true << u"1 done 0.7; 2 done nan"_s << qint64(1);
    QTest::addRow("inf skipped max") << true << u"1 done inf; 2 done 5"_s << qint64(2);
    QTest::addRow("-inf skipped min") << false << u"1 done -inf; 2 done 5"_s << qint64(2);
    QTest::addRow("only done counts") << false << u"1 failed 0.1; 2 running 0.05; 3 cancelled 0; 4 done 0.9"_s
                                      << qint64(4);
    QTest::addRow("done without value") << false << u"1 done -"_s << qint64(0);
    QTest::addRow("pruned is never best") << false << u"1 pruned 0.01; 2 done 0.5"_s << qint64(2);
    QTest::addRow("all nan") << true << u"1 done nan; 2 done nan"_s << qint64(0);
    QTest::addRow("none") << false << QString() << qint64(0);
}

void TestTrialExport::bestTrial()
{
    QFETCH(bool, maximize);
    QFETCH(QString, trials);
    QFETCH(qint64, expected);

    QList<TrialRecord> records;
    for (const QString& item : trials.split(u';', Qt::SkipEmptyParts)) {
        const QStringList parts = item.simplified().split(u' ');
        QCOMPARE(parts.size(), 3);
        std::optional<double> value;
        if (parts.at(2) == u"nan"_s)
            value = NaN;
        else if (parts.at(2) == u"inf"_s)
            value = Inf;
        else if (parts.at(2) == u"-inf"_s)
            value = -Inf;
        else if (parts.at(2) != u"-"_s)
            value = parts.at(2).toDouble();
        records.append(record(parts.at(0).toLongLong(), *trialStateFromString(parts.at(1)), {}, value));
    }

    const TrialRecord* best =
        sweepline::model::bestTrial(makeCampaign(maximize ? Direction::Maximize : Direction::Minimize), records);
    QCOMPARE(best ? best->id : qint64(0), expected);
}

QTEST_GUILESS_MAIN(TestTrialExport)
#include "tst_trialexport.moc"
