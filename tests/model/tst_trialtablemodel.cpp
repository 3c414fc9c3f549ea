#include "model/trialtablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

namespace {

Parameter parameter(const QString& name, ParameterType type, const QVariantList& candidates)
{
    Parameter p;
    p.name = name;
    p.type = type;
    p.listedValues = candidates;
    p.candidates = candidates;
    return p;
}

Campaign makeCampaign()
{
    Campaign campaign;
    campaign.name = u"digits"_s;
    campaign.parameters = {
        parameter(u"hidden"_s, ParameterType::Int, {qint64(8), qint64(16), qint64(128)}),
        parameter(u"lr"_s, ParameterType::Float, {0.0001, 0.001, 0.1}),
        parameter(u"solver"_s, ParameterType::Choice, {u"sgd"_s, u"adam"_s}),
    };
    campaign.objective.metric = u"loss"_s;
    return campaign;
}

QDateTime at(int hour, int minute, int second, int ms = 0)
{
    return QDateTime(QDate(2026, 11, 23), QTime(hour, minute, second, ms), Qt::UTC);
}

TrialRecord record(qint64 id, TrialState state = TrialState::Planned)
{
    TrialRecord trial;
    trial.id = id;
    trial.token = u"tok-%1"_s.arg(id);
    trial.state = state;
    trial.values = {qint64(8 * id), 0.001, u"adam"_s};
    return trial;
}

TrialRecord finished(qint64 id, double value)
{
    TrialRecord trial = record(id, TrialState::Done);
    trial.jobId = QString::number(4700 + id);
    trial.submittedAt = at(10, 0, 0);
    trial.startedAt = at(10, 0, 2, 500);
    trial.finishedAt = at(10, 1, 3);
    trial.value = value;
    return trial;
}

QList<qint64> idsInRowOrder(const TrialTableModel& model)
{
    QList<qint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, model.trialColumn()).data(Qt::EditRole).toLongLong());
    return ids;
}

} // namespace

class TestTrialTableModel : public QObject {
    Q_OBJECT

private slots:
    void headersAreParameterNamesAndMetric();
    void setTrialsSortsById();
    void upsertInsertsInOrder();
    void upsertInsertsOutOfOrder_data();
    void upsertInsertsOutOfOrder();
    void upsertUpdatesOneRow();
    void setCampaignResets();
    void rawValuesAreNumbers_data();
    void rawValuesAreNumbers();
    void unknownValuesAreInvalid();
    void displayText_data();
    void displayText();
    void errorTooltipHasFullText();
    void rolesOnEveryColumn();
    void prunedTrialSaysWhereItStopped();
};

// The state column says pruned; the error column where the rule stopped it, in the metric's name,
// or that the stop is on its way; a pruned trial shows no final value.
void TestTrialTableModel::prunedTrialSaysWhereItStopped()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    TrialRecord running = record(1, TrialState::Running);
    running.intermediate = {0.9, 0.61};
    running.steps = {10, 20};
    running.pruneAt = CurvePoint{20, 0.61};
    TrialRecord done = finished(2, 0.5);
    done.pruneAt = CurvePoint{3, 0.7}; // a store clears it; a finished trial's message is its own anyway
    model.setTrials({running, done});

    QCOMPARE(model.index(0, model.stateColumn()).data().toString(), u"running"_s);
    QCOMPARE(model.index(0, model.errorColumn()).data().toString(), u"stop requested at step 20"_s);
    QCOMPARE(model.index(0, model.errorColumn()).data(Qt::ToolTipRole).toString(), u"stop requested at step 20"_s);
    QCOMPARE(model.index(1, model.errorColumn()).data().toString(), QString());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    TrialRecord pruned = running;
    pruned.state = TrialState::Pruned;
    pruned.intermediate = {0.9, 0.61, 0.6};
    pruned.steps = {10, 20, 30};
    pruned.value = 0.6; // whatever a record holds, a pruned trial has no final value
    model.upsert(pruned);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(0, model.stateColumn()).data().toString(), u"pruned"_s);
    QCOMPARE(model.index(0, model.stateColumn()).data(TrialTableModel::StateRole).toInt(), int(TrialState::Pruned));
    QCOMPARE(model.index(0, model.errorColumn()).data().toString(), u"stopped at step 20 (loss 0.61)"_s);
    QCOMPARE(model.index(0, model.errorColumn()).data(TrialTableModel::SortRole).toString(),
             u"stopped at step 20 (loss 0.61)"_s);
    QCOMPARE(model.index(0, model.errorColumn()).data(Qt::ToolTipRole).toString(), u"stopped at step 20 (loss 0.61)"_s);
    QVERIFY(!model.index(0, model.metricColumn()).data(Qt::EditRole).isValid());
    QCOMPARE(model.index(0, model.metricColumn()).data().toString(), QString());
    QCOMPARE(model.index(1, model.metricColumn()).data(Qt::EditRole).toDouble(), 0.5);

    // The metric's own name, whatever it is.
    Campaign accuracy = makeCampaign();
    accuracy.objective.metric = u"val_acc"_s;
    model.setCampaign(accuracy);
    model.setTrials({pruned});
    QCOMPARE(model.index(0, model.errorColumn()).data().toString(), u"stopped at step 20 (val_acc 0.61)"_s);
}

void TestTrialTableModel::headersAreParameterNamesAndMetric()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());

    QCOMPARE(model.columnCount(), 1 + 3 + 6);
    QStringList headers;
    for (int column = 0; column < model.columnCount(); ++column)
        headers.append(model.headerData(column, Qt::Horizontal).toString());
    QCOMPARE(headers,
             (QStringList{u"Trial"_s, u"hidden"_s, u"lr"_s, u"solver"_s, u"State"_s, u"Job ID"_s, u"Queued (s)"_s,
                          u"Elapsed (s)"_s, u"loss"_s, u"Error"_s}));
    QCOMPARE(model.metricColumn(), 8);
    QCOMPARE(model.parameterColumn(2), 3);
}

void TestTrialTableModel::setTrialsSortsById()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.setTrials({record(3), record(1), record(2)});
    QCOMPARE(resets.count(), 1);
    QCOMPARE(idsInRowOrder(model), (QList<qint64>{1, 2, 3}));
    QCOMPARE(model.rowOfTrial(3), 2);
    QCOMPARE(model.rowOfTrial(4), -1);
    QCOMPARE(model.trialAt(0).id, 1);

    model.setTrials({record(7)});
    QCOMPARE(idsInRowOrder(model), (QList<qint64>{7}));
    QCOMPARE(model.rowOfTrial(1), -1);
}

void TestTrialTableModel::upsertInsertsInOrder()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    for (qint64 id = 1; id <= 5; ++id)
        model.upsert(record(id));

    QCOMPARE(inserted.count(), 5);
    QCOMPARE(resets.count(), 0);
    for (int i = 0; i < inserted.count(); ++i) {
        QCOMPARE(inserted.at(i).at(1).toInt(), i);
        QCOMPARE(inserted.at(i).at(2).toInt(), i);
    }
    QCOMPARE(idsInRowOrder(model), (QList<qint64>{1, 2, 3, 4, 5}));
    for (qint64 id = 1; id <= 5; ++id)
        QCOMPARE(model.rowOfTrial(id), int(id - 1));
}

void TestTrialTableModel::upsertInsertsOutOfOrder_data()
{
    QTest::addColumn<QList<qint64>>("existing");
    QTest::addColumn<qint64>("late");
    QTest::addColumn<int>("expectedRow");

    QTest::addRow("before all") << QList<qint64>{2, 3, 4} << qint64(1) << 0;
    QTest::addRow("in the middle") << QList<qint64>{1, 2, 5, 6} << qint64(4) << 2;
    QTest::addRow("just before last") << QList<qint64>{1, 2, 4} << qint64(3) << 2;
    QTest::addRow("after a gap at the end") << QList<qint64>{1, 2} << qint64(10) << 2;
    QTest::addRow("into empty") << QList<qint64>{} << qint64(5) << 0;
}

void TestTrialTableModel::upsertInsertsOutOfOrder()
{
    QFETCH(QList<qint64>, existing);
    QFETCH(qint64, late);
    QFETCH(int, expectedRow);

    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    for (qint64 id : existing)
        model.upsert(record(id));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.upsert(record(late));

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), expectedRow);
    QList<qint64> expected = existing;
    expected.append(late);
    std::sort(expected.begin(), expected.end());
    QCOMPARE(idsInRowOrder(model), expected);
    // Every id still finds its row, including those that moved down.
    for (int row = 0; row < expected.size(); ++row)
        QCOMPARE(model.rowOfTrial(expected.at(row)), row);
    // A later update of a moved trial touches its new row.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.upsert(finished(expected.last(), 0.5));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), int(expected.size()) - 1);
}

void TestTrialTableModel::upsertUpdatesOneRow()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    model.setTrials({record(1), record(2), record(3)});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.upsert(finished(2, 0.125));

    QCOMPARE(inserted.count(), 0);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(changed.count(), 1);
    const QModelIndex topLeft = changed.at(0).at(0).toModelIndex();
    const QModelIndex bottomRight = changed.at(0).at(1).toModelIndex();
    QCOMPARE(topLeft.row(), 1);
    QCOMPARE(bottomRight.row(), 1);
    QCOMPARE(topLeft.column(), 0);
    QCOMPARE(bottomRight.column(), model.columnCount() - 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, model.stateColumn()).data().toString(), u"done"_s);
    QCOMPARE(model.index(1, model.metricColumn()).data(Qt::EditRole).toDouble(), 0.125);
}

void TestTrialTableModel::setCampaignResets()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    model.setTrials({record(1), record(2)});
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    Campaign other;
    other.parameters = {parameter(u"batch"_s, ParameterType::Int, {qint64(1)})};
    other.objective.metric = u"accuracy"_s;
    model.setCampaign(other);

    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.rowOfTrial(1), -1);
    QCOMPARE(model.columnCount(), 1 + 1 + 6);
    QCOMPARE(model.headerData(model.metricColumn(), Qt::Horizontal).toString(), u"accuracy"_s);
    QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), u"batch"_s);
}

void TestTrialTableModel::rawValuesAreNumbers_data()
{
    QTest::addColumn<int>("role");
    QTest::addRow("edit") << int(Qt::EditRole);
    QTest::addRow("sort") << int(TrialTableModel::SortRole);
}

void TestTrialTableModel::rawValuesAreNumbers()
{
    QFETCH(int, role);
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    model.setTrials({finished(10, 0.25), finished(9, 2.5)});

    const int row = model.rowOfTrial(10);
    QCOMPARE(row, 1);
    auto raw = [&](int column) { return model.index(row, column).data(role); };
    QCOMPARE(raw(model.trialColumn()).typeId(), QMetaType::LongLong);
    QCOMPARE(raw(model.trialColumn()).toLongLong(), 10);
    QCOMPARE(raw(model.parameterColumn(0)).typeId(), QMetaType::LongLong);
    QCOMPARE(raw(model.parameterColumn(0)).toLongLong(), 80);
    QCOMPARE(raw(model.parameterColumn(1)).typeId(), QMetaType::Double);
    QCOMPARE(raw(model.parameterColumn(1)).toDouble(), 0.001);
    QCOMPARE(raw(model.parameterColumn(2)).typeId(), QMetaType::QString);
    QCOMPARE(raw(model.queuedColumn()).typeId(), QMetaType::Double);
    QCOMPARE(raw(model.queuedColumn()).toDouble(), 2.5);
    QCOMPARE(raw(model.elapsedColumn()).typeId(), QMetaType::Double);
    QCOMPARE(raw(model.elapsedColumn()).toDouble(), 60.5);
    QCOMPARE(raw(model.metricColumn()).typeId(), QMetaType::Double);
    QCOMPARE(raw(model.metricColumn()).toDouble(), 0.25);
    QCOMPARE(raw(model.jobIdColumn()).toString(), u"4710"_s);

    // Numbers compare as numbers: 10 sorts after 9, 0.25 before 2.5.
    const QVariant ten = raw(model.trialColumn());
    const QVariant nine = model.index(0, model.trialColumn()).data(role);
    QCOMPARE(QVariant::compare(nine, ten), QPartialOrdering::Less);
    const QVariant small = raw(model.metricColumn());
    const QVariant large = model.index(0, model.metricColumn()).data(role);
    QCOMPARE(QVariant::compare(small, large), QPartialOrdering::Less);
}

void TestTrialTableModel::unknownValuesAreInvalid()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    TrialRecord queued = record(1, TrialState::Queued);
    queued.submittedAt = at(10, 0, 0);
    queued.jobId = u"77"_s;
    TrialRecord old = record(2);
    old.values = {qint64(8)}; // from before a definition change: fewer values
    model.setTrials({queued, old});

    for (int column : {model.queuedColumn(), model.elapsedColumn(), model.metricColumn(), model.errorColumn()}) {
        QVERIFY2(!model.index(0, column).data(Qt::EditRole).isValid(), qPrintable(QString::number(column)));
        QCOMPARE(model.index(0, column).data(Qt::DisplayRole).toString(), QString());
    }
    QVERIFY(!model.index(1, model.parameterColumn(2)).data(Qt::EditRole).isValid());
    QCOMPARE(model.index(1, model.parameterColumn(2)).data().toString(), QString());
    QVERIFY(!model.index(1, model.jobIdColumn()).data(TrialTableModel::SortRole).isValid());
}

void TestTrialTableModel::displayText_data()
{
    QTest::addColumn<QString>("column");
    QTest::addColumn<QString>("text");

    QTest::addRow("trial") << u"trial"_s << u"3"_s;
    QTest::addRow("int parameter") << u"hidden"_s << u"24"_s;
    QTest::addRow("float parameter, shortest") << u"lr"_s << u"0.001"_s;
    QTest::addRow("choice parameter") << u"solver"_s << u"adam"_s;
    QTest::addRow("state") << u"state"_s << u"done"_s;
    QTest::addRow("job id") << u"job"_s << u"4703"_s;
    QTest::addRow("queued, one decimal") << u"queued"_s << u"2.5"_s;
    QTest::addRow("elapsed, one decimal") << u"elapsed"_s << u"60.5"_s;
    QTest::addRow("metric, six digits") << u"metric"_s << u"0.123457"_s;
    QTest::addRow("error") << u"error"_s << u"first line\nsecond line"_s;
}

void TestTrialTableModel::displayText()
{
    QFETCH(QString, column);
    QFETCH(QString, text);

    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    TrialRecord trial = finished(3, 0.123456789);
    trial.error = u"first line\nsecond line"_s;
    model.upsert(trial);

    const QHash<QString, int> columns{
        {u"trial"_s, model.trialColumn()},   {u"hidden"_s, model.parameterColumn(0)},
        {u"lr"_s, model.parameterColumn(1)}, {u"solver"_s, model.parameterColumn(2)},
        {u"state"_s, model.stateColumn()},   {u"job"_s, model.jobIdColumn()},
        {u"queued"_s, model.queuedColumn()}, {u"elapsed"_s, model.elapsedColumn()},
        {u"metric"_s, model.metricColumn()}, {u"error"_s, model.errorColumn()},
    };
    const QVariant display = model.index(0, columns.value(column)).data(Qt::DisplayRole);
    QCOMPARE(display.typeId(), QMetaType::QString);
    QCOMPARE(display.toString(), text);
}

void TestTrialTableModel::errorTooltipHasFullText()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    TrialRecord failed = record(1, TrialState::Failed);
    failed.error = u"exit code 137\nKilled by the time limit"_s;
    model.upsert(failed);

    QCOMPARE(model.index(0, model.errorColumn()).data(Qt::ToolTipRole).toString(), failed.error);
    QVERIFY(!model.index(0, model.metricColumn()).data(Qt::ToolTipRole).isValid());
}

void TestTrialTableModel::rolesOnEveryColumn()
{
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaign(makeCampaign());
    TrialRecord running = record(42, TrialState::Running);
    running.labels = {2, u"hidden+"_s, 7};
    model.upsert(running);

    for (int column = 0; column < model.columnCount(); ++column) {
        const QModelIndex index = model.index(0, column);
        QCOMPARE(index.data(TrialTableModel::StateRole).toInt(), int(TrialState::Running));
        QCOMPARE(index.data(TrialTableModel::TrialIdRole).toLongLong(), 42);
        QCOMPARE(index.data(TrialTableModel::StageRole).toInt(), 2);
        QCOMPARE(index.data(TrialTableModel::BatchRole).toInt(), 7);
        QCOMPARE(index.data(TrialTableModel::DirectionRole).toString(), u"hidden+"_s);
    }
    QVERIFY(model.roleNames().contains(TrialTableModel::SortRole));
}

QTEST_GUILESS_MAIN(TestTrialTableModel)
#include "tst_trialtablemodel.moc"
