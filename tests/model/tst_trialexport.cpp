#include "model/trialexport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>

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
    campaign.name = QStringLiteral("digits");
    campaign.parameters = {
        parameter(QStringLiteral("lr"), ParameterType::Float, {0.1, 1.0}),
        parameter(QStringLiteral("layers"), ParameterType::Int, {qint64(1), qint64(3)}),
        parameter(QStringLiteral("opt"), ParameterType::Choice, {QStringLiteral("a,b"), QStringLiteral("plain")}),
    };
    campaign.objective.metric = QStringLiteral("loss");
    campaign.objective.direction = direction;
    campaign.job.command = QStringLiteral("./train {lr} {layers} {opt}");
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
    trial.token = QStringLiteral("swdeadbeef-%1").arg(id);
    trial.state = state;
    trial.values = values;
    trial.value = value;
    return trial;
}

// The small case whose bytes are pinned down below.
QList<TrialRecord> smallCase()
{
    TrialRecord done = record(1, TrialState::Done, {0.1, qint64(3), QStringLiteral("a,b")}, 0.25);
    done.jobId = QStringLiteral("4711");
    done.attempt = 1;
    done.submittedAt = at(10, 0, 0, 123);
    // Not UTC on the way in; UTC on the way out.
    done.startedAt = QDateTime(QDate(2026, 11, 23), QTime(12, 0, 1), Qt::OffsetFromUTC, 2 * 3600);
    done.finishedAt = at(10, 0, 3, 500);
    done.intermediate = {0.5, NaN, 0.25};
    done.labels = {1, QStringLiteral("up"), 2};
    done.note = QStringLiteral("stdout was 300 bytes, over the download limit: from its last 100 bytes");

    TrialRecord failed = record(2, TrialState::Failed, {0.5, qint64(-1), QStringLiteral("say \"hi\"\nbye")});
    failed.error = QStringLiteral("exit 1, see log");

    TrialRecord planned = record(3, TrialState::Planned, {0.5}); // from before a definition change
    TrialRecord unicode = record(4, TrialState::Done, {0.1, qint64(1), QStringLiteral("日本語 ü\r")}, NaN);
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
};

void TestTrialExport::csvExactBytes()
{
    const QByteArray expected = QStringLiteral(
        "trial,state,lr,layers,opt,loss,job_id,submitted_at,started_at,finished_at,elapsed_s,stage,batch,error,note\r\n"
        "1,done,0.1,3,\"a,b\",0.25,4711,2026-11-23T10:00:00.123Z,2026-11-23T10:00:01.000Z,"
        "2026-11-23T10:00:03.500Z,2.500,1,2,,\"stdout was 300 bytes, over the download limit: from its last 100 bytes\"\r\n"
        "2,failed,0.5,-1,\"say \"\"hi\"\"\nbye\",,,,,,,0,0,\"exit 1, see log\",\r\n"
        "3,planned,0.5,,,,,,,,,0,0,,\r\n"
        "4,done,0.1,1,\"日本語 ü\r\",nan,,,,,,0,0,,\r\n").toUtf8();
    const QByteArray actual = exportCsv(makeCampaign(), smallCase());
    QCOMPARE(actual, expected);
}

void TestTrialExport::csvEmpty()
{
    QCOMPARE(exportCsv(makeCampaign(), {}),
             QByteArray("trial,state,lr,layers,opt,loss,job_id,submitted_at,started_at,finished_at,elapsed_s,"
                        "stage,batch,error,note\r\n"));
}

void TestTrialExport::jsonParsesBack()
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(exportJson(makeCampaign(), smallCase()), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject root = document.object();
    QCOMPARE(root.value(QLatin1String("campaign")).toString(), QStringLiteral("digits"));
    QCOMPARE(root.value(QLatin1String("objective")).toObject().value(QLatin1String("metric")).toString(),
             QStringLiteral("loss"));
    QCOMPARE(root.value(QLatin1String("objective")).toObject().value(QLatin1String("direction")).toString(),
             QStringLiteral("minimize"));
    QCOMPARE(root.value(QLatin1String("parameters")).toArray(),
             QJsonArray({QStringLiteral("lr"), QStringLiteral("layers"), QStringLiteral("opt")}));

    const QJsonArray trials = root.value(QLatin1String("trials")).toArray();
    QCOMPARE(trials.size(), 4);
    const QJsonObject first = trials.at(0).toObject();
    QCOMPARE(first.value(QLatin1String("trial")).toInteger(), 1);
    QCOMPARE(first.value(QLatin1String("state")).toString(), QStringLiteral("done"));
    QCOMPARE(first.value(QLatin1String("token")).toString(), QStringLiteral("swdeadbeef-1"));
    const QJsonObject parameters = first.value(QLatin1String("parameters")).toObject();
    QCOMPARE(parameters.value(QLatin1String("lr")).toDouble(), 0.1);
    QCOMPARE(parameters.value(QLatin1String("layers")).toVariant().typeId(), QMetaType::LongLong);
    QCOMPARE(parameters.value(QLatin1String("layers")).toInteger(), 3);
    QCOMPARE(parameters.value(QLatin1String("opt")).toString(), QStringLiteral("a,b"));
    QCOMPARE(first.value(QLatin1String("value")).toDouble(), 0.25);
    const QJsonArray curve = first.value(QLatin1String("intermediate")).toArray();
    QCOMPARE(curve.size(), 3);
    QVERIFY(curve.at(1).isNull()); // nan has no JSON spelling
    QCOMPARE(first.value(QLatin1String("job_id")).toString(), QStringLiteral("4711"));
    QCOMPARE(first.value(QLatin1String("attempt")).toInt(), 1);
    QCOMPARE(first.value(QLatin1String("submitted_at")).toString(), QStringLiteral("2026-11-23T10:00:00.123Z"));
    QCOMPARE(first.value(QLatin1String("started_at")).toString(), QStringLiteral("2026-11-23T10:00:01.000Z"));
    QCOMPARE(first.value(QLatin1String("elapsed_s")).toDouble(), 2.5);
    QCOMPARE(first.value(QLatin1String("stage")).toInt(), 1);
    QCOMPARE(first.value(QLatin1String("direction")).toString(), QStringLiteral("up"));
    QCOMPARE(first.value(QLatin1String("batch")).toInt(), 2);

    const QJsonObject second = trials.at(1).toObject();
    QVERIFY(second.value(QLatin1String("value")).isNull());
    QVERIFY(second.value(QLatin1String("submitted_at")).isNull());
    QCOMPARE(second.value(QLatin1String("error")).toString(), QStringLiteral("exit 1, see log"));
    QVERIFY(second.value(QLatin1String("note")).isNull());
    QVERIFY(first.value(QLatin1String("note")).toString().contains(QStringLiteral("download limit")));
    QCOMPARE(second.value(QLatin1String("parameters")).toObject().value(QLatin1String("opt")).toString(),
             QStringLiteral("say \"hi\"\nbye"));

    const QJsonObject third = trials.at(2).toObject();
    QVERIFY(third.value(QLatin1String("parameters")).toObject().value(QLatin1String("layers")).isNull());

    const QJsonObject fourth = trials.at(3).toObject();
    QVERIFY(fourth.value(QLatin1String("value")).isNull()); // nan
    QCOMPARE(fourth.value(QLatin1String("parameters")).toObject().value(QLatin1String("opt")).toString(),
             QStringLiteral("日本語 ü\r"));
}

void TestTrialExport::jsonKeepsFloatsFloats()
{
    Campaign campaign = makeCampaign(Direction::Maximize);
    const TrialRecord trial = record(1, TrialState::Done, {1.0, qint64(1), QStringLiteral("x")}, Inf);
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
    QTest::addColumn<QString>("trials"); // "id state value; ...", value "-" for none
    QTest::addColumn<qint64>("expected"); // 0: none

    QTest::addRow("min") << false << QStringLiteral("1 done 0.5; 2 done 0.3; 3 done 0.4") << qint64(2);
    QTest::addRow("max") << true << QStringLiteral("1 done 0.5; 2 done 0.3; 3 done 0.4") << qint64(1);
    QTest::addRow("negative values min") << false << QStringLiteral("1 done -1; 2 done -3") << qint64(2);
    QTest::addRow("tie min: lowest id") << false << QStringLiteral("1 done 0.3; 2 done 0.3") << qint64(1);
    QTest::addRow("tie max, listed backwards") << true << QStringLiteral("7 done 0.9; 5 done 0.9; 6 done 0.1")
                                               << qint64(5);
    QTest::addRow("nan skipped min") << false << QStringLiteral("1 done nan; 2 done 0.7") << qint64(2);
    QTest::addRow("nan skipped max") << true << QStringLiteral("1 done 0.7; 2 done nan") << qint64(1);
    QTest::addRow("inf skipped max") << true << QStringLiteral("1 done inf; 2 done 5") << qint64(2);
    QTest::addRow("-inf skipped min") << false << QStringLiteral("1 done -inf; 2 done 5") << qint64(2);
    QTest::addRow("only done counts") << false
                                      << QStringLiteral("1 failed 0.1; 2 running 0.05; 3 cancelled 0; 4 done 0.9")
                                      << qint64(4);
    QTest::addRow("done without value") << false << QStringLiteral("1 done -") << qint64(0);
    QTest::addRow("all nan") << true << QStringLiteral("1 done nan; 2 done nan") << qint64(0);
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
        if (parts.at(2) == QLatin1String("nan"))
            value = NaN;
        else if (parts.at(2) == QLatin1String("inf"))
            value = Inf;
        else if (parts.at(2) == QLatin1String("-inf"))
            value = -Inf;
        else if (parts.at(2) != QLatin1String("-"))
            value = parts.at(2).toDouble();
        records.append(record(parts.at(0).toLongLong(), *trialStateFromString(parts.at(1)), {}, value));
    }

    const TrialRecord* best =
        sweepline::model::bestTrial(makeCampaign(maximize ? Direction::Maximize : Direction::Minimize), records);
    QCOMPARE(best ? best->id : qint64(0), expected);
}

QTEST_GUILESS_MAIN(TestTrialExport)
#include "tst_trialexport.moc"
