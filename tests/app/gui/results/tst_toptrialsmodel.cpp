#include "gui/results/toptrialsmodel.h"
#include "model/trialtablemodel.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;

using namespace sweepline;
using gui::DefaultReference;
using gui::TopTrialsModel;
using model::Direction;
using model::TrialState;

namespace {

model::Parameter parameter(const QString& name, model::ParameterType type, const QVariantList& values,
                           const QVariant& defaultValue)
{
    model::Parameter p;
    p.name = name;
    p.type = type;
    p.listedValues = values;
    p.candidates = values;
    p.defaultValue = defaultValue;
    p.defaultIndex = int(values.indexOf(defaultValue));
    return p;
}

// batch_size as in the Xcrypt poster's Table 1, plus a choice with a comma to quote.
model::Campaign campaign(Direction direction = Direction::Minimize)
{
    model::Campaign c;
    c.name = u"resnet"_s;
    c.parameters = {
        parameter(u"batch_size"_s, model::ParameterType::Int,
                  {qint64(192), qint64(202), qint64(210), qint64(223), qint64(231), qint64(256), qint64(300)},
                  qint64(256)),
        parameter(u"optimizer"_s, model::ParameterType::Choice, {u"sgd"_s, u"adam,amsgrad"_s}, u"sgd"_s),
    };
    c.objective.metric = u"loss"_s;
    c.objective.direction = direction;
    return c;
}

model::TrialRecord trial(qint64 id, qint64 batch, std::optional<double> value, double seconds = 0,
                         TrialState state = TrialState::Done, const QString& optimizer = u"sgd"_s)
{
    model::TrialRecord t;
    t.id = id;
    t.token = u"t%1"_s.arg(id);
    t.state = value ? state : (state == TrialState::Done ? TrialState::Failed : state);
    t.values = {batch, optimizer};
    t.value = value;
    if (seconds > 0) {
        t.startedAt = QDateTime(QDate(2024, 1, 10), QTime(9, 0), Qt::UTC);
        t.finishedAt = t.startedAt.addMSecs(qint64(seconds * 1000));
    }
    return t;
}

// Table 1 of the poster: the top five by smallest loss and the default, 256.
QList<model::TrialRecord> posterTrials()
{
    return {trial(1, 256, 8.5044, 95),
            trial(2, 210, 8.4305, 71.3),
            trial(3, 223, 8.4332, 74.8),
            trial(4, 202, 8.4385, 68.1),
            trial(5, 192, 8.4415, 80.5),
            trial(6, 231, 8.4458, 89.6),
            trial(7, 300, 8.6, 120),
            trial(8, 300, std::nullopt, 0, TrialState::Failed),
            trial(9, 192, std::nullopt, 0, TrialState::Running)};
}

QList<qint64> rankedIds(const TopTrialsModel& top)
{
    QList<qint64> ids;
    for (int row = 0; row < top.rankedCount(); ++row)
        ids.append(top.trialIdAt(row));
    return ids;
}

} // namespace

class TestTopTrialsModel : public QObject {
    Q_OBJECT

private slots:
    void posterTable();
    void topN_data();
    void topN();
    void referenceRow_data();
    void referenceRow();
    void improvement_data();
    void improvement();
    void improvementColumns();
    void liveUpdatesWithoutReset();
    void limitAddsAndRemovesRows();
    void campaignChangeResets();
    void csvBytes();
    void csvWithoutReference();
};

void TestTopTrialsModel::posterTable()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    QAbstractItemModelTester tester(&top, QAbstractItemModelTester::FailureReportingMode::QtTest);
    trials.setTrials(posterTrials());

    QCOMPARE(top.rowCount(), 6);
    QCOMPARE(rankedIds(top), (QList<qint64>{2, 3, 4, 5, 6}));
    QStringList header;
    for (int column = 0; column < top.columnCount(); ++column)
        header.append(top.headerData(column, Qt::Horizontal).toString());
    QCOMPARE(header,
             (QStringList{u"Rank"_s, u"Trial"_s, u"batch_size"_s, u"optimizer"_s, u"loss"_s, u"Execution time (s)"_s,
                          u"Improvement"_s, u"Improvement (%)"_s}));

    auto text = [&](int row, int column) { return top.index(row, column).data().toString(); };
    QCOMPARE(text(0, top.rankColumn()), u"1st"_s);
    QCOMPARE(text(1, top.rankColumn()), u"2nd"_s);
    QCOMPARE(text(2, top.rankColumn()), u"3rd"_s);
    QCOMPARE(text(3, top.rankColumn()), u"4th"_s);
    QCOMPARE(text(0, top.parameterColumn(0)), u"210"_s);
    QCOMPARE(text(0, top.metricColumn()), u"8.4305"_s);
    QCOMPARE(text(0, top.timeColumn()), u"71.3"_s);
    QCOMPARE(text(0, top.improvementColumn()), u"+0.0739"_s);
    QCOMPARE(text(0, top.improvementPercentColumn()), u"+0.87"_s);
    QCOMPARE(text(5, top.rankColumn()), u"default"_s);
    QCOMPARE(text(5, top.parameterColumn(0)), u"256"_s);
    QCOMPARE(text(5, top.metricColumn()), u"8.5044"_s);
    QCOMPARE(text(5, top.timeColumn()), u"95.0"_s);
    QCOMPARE(text(5, top.improvementColumn()), QString());
    QVERIFY(top.index(5, 0).data(TopTrialsModel::IsReferenceRole).toBool());
    QCOMPARE(top.index(5, 3).data(TopTrialsModel::TrialIdRole).toLongLong(), 1);
    // Raw values stay numbers.
    QCOMPARE(top.index(0, top.metricColumn()).data(Qt::EditRole).typeId(), QMetaType::Double);
    QCOMPARE(top.index(0, top.rankColumn()).data(Qt::EditRole).toInt(), 1);
    QCOMPARE(top.finishedCount(), 7);
}

void TestTopTrialsModel::topN_data()
{
    QTest::addColumn<Direction>("direction");
    QTest::addColumn<QList<double>>("values"); // trial i+1 has values[i]; NaN: failed
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<qint64>>("expected");

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    QTest::addRow("minimize") << Direction::Minimize << QList<double>{0.5, 0.2, 0.9, 0.1, 0.3} << 3
                              << QList<qint64>{4, 2, 5};
    QTest::addRow("maximize") << Direction::Maximize << QList<double>{0.5, 0.2, 0.9, 0.1, 0.3} << 3
                              << QList<qint64>{3, 1, 5};
    QTest::addRow("numbers, not text") << Direction::Minimize << QList<double>{10, 9, 100, 2} << 4
                                       << QList<qint64>{4, 2, 1, 3};
    QTest::addRow("ties by trial") << Direction::Maximize << QList<double>{1, 2, 2, 1} << 4
                                   << QList<qint64>{2, 3, 1, 4};
    QTest::addRow("fewer than N") << Direction::Minimize << QList<double>{0.4, 0.3} << 5 << QList<qint64>{2, 1};
    QTest::addRow("failed and infinite left out")
        << Direction::Minimize << QList<double>{nan, 0.3, -inf, 0.2} << 5 << QList<qint64>{4, 2};
    QTest::addRow("negative values, maximize")
        << Direction::Maximize << QList<double>{-3, -1, -2} << 2 << QList<qint64>{2, 3};
    QTest::addRow("none") << Direction::Minimize << QList<double>{} << 5 << QList<qint64>{};
}

void TestTopTrialsModel::topN()
{
    QFETCH(Direction, direction);
    QFETCH(QList<double>, values);
    QFETCH(int, limit);
    QFETCH(QList<qint64>, expected);

    model::TrialTableModel trials;
    trials.setCampaign(campaign(direction));
    TopTrialsModel top(&trials);
    QAbstractItemModelTester tester(&top, QAbstractItemModelTester::FailureReportingMode::QtTest);
    top.setLimit(limit);
    QList<model::TrialRecord> records;
    for (int i = 0; i < values.size(); ++i) {
        const bool failed = std::isnan(values.at(i));
        records.append(trial(i + 1, 300, failed ? std::nullopt : std::optional<double>(values.at(i))));
    }
    trials.setTrials(records);
    QCOMPARE(rankedIds(top), expected);
    QCOMPARE(top.rowCount(), expected.size()); // 300 is not the default: no reference row
}

void TestTopTrialsModel::referenceRow_data()
{
    QTest::addColumn<QList<model::TrialRecord>>("records");
    QTest::addColumn<DefaultReference::Status>("status");
    QTest::addColumn<qint64>("referenceTrial");
    QTest::addColumn<QString>("sentence");

    using S = DefaultReference::Status;
    QTest::addRow("not run") << QList<model::TrialRecord>{trial(1, 210, 8.43)} << S::NotMeasured << qint64(0)
                             << u"The default configuration (batch_size=256, optimizer=sgd) has not "
                                "been measured."_s;
    QTest::addRow("other values only") << QList<model::TrialRecord>{trial(1, 256, 8.5, 1, TrialState::Done,
                                                                          u"adam,amsgrad"_s)}
                                       << S::NotMeasured << qint64(0)
                                       << u"The default configuration (batch_size=256, "
                                          "optimizer=sgd) has not been measured."_s;
    QTest::addRow("running") << QList<model::TrialRecord>{trial(4, 256, std::nullopt, 0, TrialState::Running)}
                             << S::Pending << qint64(4)
                             << u"The default configuration (batch_size=256, optimizer=sgd) is trial "
                                "4, running: no value yet."_s;
    QTest::addRow("failed") << QList<model::TrialRecord>{trial(3, 256, std::nullopt)} << S::Unmeasured << qint64(3)
                            << u"The default configuration (batch_size=256, optimizer=sgd) has not "
                               "been measured: trial 3 ended without a value."_s;
    QTest::addRow("measured") << QList<model::TrialRecord>{trial(2, 210, 8.43), trial(5, 256, 8.5044)} << S::Measured
                              << qint64(5)
                              << u"The default configuration (batch_size=256, optimizer=sgd) is trial "
                                 "5: loss 8.5044."_s;
    QTest::addRow("measured beats failed and running")
        << QList<model::TrialRecord>{trial(1, 256, std::nullopt), trial(2, 256, std::nullopt, 0, TrialState::Running),
                                     trial(3, 256, 8.6), trial(4, 256, 8.5)}
        << S::Measured << qint64(3)
        << u"The default configuration (batch_size=256, optimizer=sgd) is trial 3: loss 8.6."_s;
}

void TestTopTrialsModel::referenceRow()
{
    QFETCH(QList<model::TrialRecord>, records);
    QFETCH(DefaultReference::Status, status);
    QFETCH(qint64, referenceTrial);
    QFETCH(QString, sentence);

    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    QAbstractItemModelTester tester(&top, QAbstractItemModelTester::FailureReportingMode::QtTest);
    trials.setTrials(records);

    QCOMPARE(top.reference().status, status);
    QCOMPARE(top.reference().trialId, referenceTrial);
    QCOMPARE(top.reference().description(trials.campaign()), sentence);
    const bool measured = status == DefaultReference::Status::Measured;
    QCOMPARE(top.rowCount(), top.rankedCount() + (measured ? 1 : 0));
    if (measured) {
        const int last = top.rowCount() - 1;
        QVERIFY(top.isReferenceRow(last));
        QCOMPARE(top.trialIdAt(last), referenceTrial);
    }
}

void TestTopTrialsModel::improvement_data()
{
    QTest::addColumn<Direction>("direction");
    QTest::addColumn<double>("reference");
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("absolute");
    QTest::addColumn<QVariant>("percent");

    QTest::addRow("poster: lower loss") << Direction::Minimize << 8.5044 << 8.4305 << 0.0739
                                        << QVariant(0.0739 / 8.5044 * 100);
    QTest::addRow("seed poster: FDE 0.70 to 0.48")
        << Direction::Minimize << 0.70 << 0.48 << 0.22 << QVariant(0.22 / 0.70 * 100);
    QTest::addRow("worse when minimizing") << Direction::Minimize << 1.0 << 1.5 << -0.5 << QVariant(-50.0);
    QTest::addRow("higher accuracy") << Direction::Maximize << 0.90 << 0.95 << 0.05 << QVariant(0.05 / 0.90 * 100);
    QTest::addRow("lower accuracy") << Direction::Maximize << 0.90 << 0.81 << -0.09 << QVariant(-10.0);
    QTest::addRow("negative reference") << Direction::Maximize << -2.0 << -1.0 << 1.0 << QVariant(50.0);
    QTest::addRow("zero reference: no percentage") << Direction::Minimize << 0.0 << -0.5 << 0.5 << QVariant();
}

void TestTopTrialsModel::improvement()
{
    QFETCH(Direction, direction);
    QFETCH(double, reference);
    QFETCH(double, value);
    QFETCH(double, absolute);
    QFETCH(QVariant, percent);

    const gui::Improvement improvement = gui::improvementOver(reference, value, direction);
    QVERIFY2(qAbs(improvement.absolute - absolute) < 1e-12, qPrintable(QString::number(improvement.absolute)));
    QCOMPARE(improvement.percent.has_value(), percent.isValid());
    if (percent.isValid())
        QVERIFY(qAbs(*improvement.percent - percent.toDouble()) < 1e-9);
}

void TestTopTrialsModel::improvementColumns()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign(Direction::Maximize));
    TopTrialsModel top(&trials);
    trials.setTrials({trial(1, 256, 0.90), trial(2, 210, 0.95), trial(3, 223, 0.81)});
    QCOMPARE(rankedIds(top), (QList<qint64>{2, 1, 3}));
    QVERIFY(qAbs(top.index(0, top.improvementColumn()).data(Qt::EditRole).toDouble() - 0.05) < 1e-12);
    QCOMPARE(top.index(0, top.improvementPercentColumn()).data().toString(), u"+5.56"_s);
    QCOMPARE(top.index(1, top.improvementColumn()).data().toString(), u"0"_s); // the default itself
    QCOMPARE(top.index(2, top.improvementColumn()).data().toString(), u"-0.09"_s);
    QCOMPARE(top.index(2, top.improvementPercentColumn()).data().toString(), u"-10.00"_s);
    QVERIFY(top.index(0, top.improvementColumn()).data(Qt::ForegroundRole).isValid()); // better: coloured
    QVERIFY(!top.index(1, top.improvementColumn()).data(Qt::ForegroundRole).isValid());
}

void TestTopTrialsModel::liveUpdatesWithoutReset()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    QAbstractItemModelTester tester(&top, QAbstractItemModelTester::FailureReportingMode::QtTest);
    top.setLimit(3);
    trials.setTrials({trial(1, 300, 0.5)});
    QItemSelectionModel selection(&top);
    selection.select(top.index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QSignalSpy resets(&top, &QAbstractItemModel::modelReset);
    QSignalSpy notes(&top, &TopTrialsModel::referenceChanged);

    trials.upsert(trial(2, 210, 0.7)); // second place
    QCOMPARE(rankedIds(top), (QList<qint64>{1, 2}));
    trials.upsert(trial(3, 256, std::nullopt, 0, TrialState::Running)); // the default starts
    QCOMPARE(top.rowCount(), 2);
    trials.upsert(trial(3, 256, 0.9, 12)); // ... and finishes: third, and the reference row appears
    QCOMPARE(rankedIds(top), (QList<qint64>{1, 2, 3}));
    QCOMPARE(top.rowCount(), 4);
    QVERIFY(top.isReferenceRow(3));
    trials.upsert(trial(4, 202, 0.1)); // a new best pushes the default out of the top 3
    QCOMPARE(rankedIds(top), (QList<qint64>{4, 1, 2}));
    QCOMPARE(top.trialIdAt(3), 3);
    QVERIFY(qAbs(top.index(0, top.improvementColumn()).data(Qt::EditRole).toDouble() - 0.8) < 1e-12);

    QCOMPARE(resets.count(), 0);
    QVERIFY(notes.count() >= 3);
    QVERIFY(selection.isRowSelected(0)); // rows change in place: the first row stays selected
}

void TestTopTrialsModel::limitAddsAndRemovesRows()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    QAbstractItemModelTester tester(&top, QAbstractItemModelTester::FailureReportingMode::QtTest);
    trials.setTrials(posterTrials());
    QSignalSpy removed(&top, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&top, &QAbstractItemModel::rowsInserted);

    top.setLimit(2);
    QCOMPARE(rankedIds(top), (QList<qint64>{2, 3}));
    QCOMPARE(top.rowCount(), 3);
    QCOMPARE(removed.count(), 1);
    top.setLimit(10);
    QCOMPARE(rankedIds(top), (QList<qint64>{2, 3, 4, 5, 6, 1, 7}));
    QCOMPARE(top.rowCount(), 8);
    QCOMPARE(inserted.count(), 1);
    top.setLimit(0); // at least one
    QCOMPARE(top.limit(), 1);
}

void TestTopTrialsModel::campaignChangeResets()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    QAbstractItemModelTester tester(&top, QAbstractItemModelTester::FailureReportingMode::QtTest);
    trials.setTrials(posterTrials());
    QCOMPARE(top.columnCount(), 8);
    model::Campaign one = campaign();
    one.parameters.removeLast();
    trials.setCampaign(one);
    QCOMPARE(top.columnCount(), 7);
    QCOMPARE(top.rowCount(), 0);
    QCOMPARE(top.reference().status, DefaultReference::Status::NotMeasured);
}

void TestTopTrialsModel::csvBytes()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    top.setLimit(2);
    QList<model::TrialRecord> records = posterTrials();
    records[2].values[1] = u"adam,amsgrad"_s; // trial 3 needs quoting
    trials.setTrials(records);

    const QByteArray expected =
        "rank,trial,batch_size,optimizer,loss,execution_time_s,improvement,improvement_percent\r\n"
        "1,2,210,sgd,8.4305,71.300,0.0739,0.868961949109\r\n"
        "2,3,223,\"adam,amsgrad\",8.4332,74.800,0.0712,0.837213677626\r\n"
        "default,1,256,sgd,8.5044,95.000,,\r\n";
    QCOMPARE(top.toCsv(), expected);
}

void TestTopTrialsModel::csvWithoutReference()
{
    model::TrialTableModel trials;
    trials.setCampaign(campaign());
    TopTrialsModel top(&trials);
    trials.setTrials({trial(1, 210, 0.25)});
    QCOMPARE(top.toCsv(),
             QByteArray("rank,trial,batch_size,optimizer,loss,execution_time_s,improvement,"
                        "improvement_percent\r\n1,1,210,sgd,0.25,,,\r\n"));
}

QTEST_MAIN(TestTopTrialsModel)
#include "tst_toptrialsmodel.moc"
