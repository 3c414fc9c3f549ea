#include "gui/jobs/trialproxymodel.h"
#include "model/trialtablemodel.h"
#include "smalltrials.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

using namespace sweepline;
using gui::StateGroup;
using gui::TrialProxyModel;
using model::TrialState;
using model::TrialTableModel;

namespace {

QList<qint64> idsInOrder(const TrialProxyModel& proxy)
{
    QList<qint64> ids;
    for (int row = 0; row < proxy.rowCount(); ++row)
        ids.append(proxy.trialIdAt(row));
    return ids;
}

model::TrialRecord withValue(qint64 id, std::optional<double> value, TrialState state = TrialState::Done)
{
    model::TrialRecord trial = testing::smallTrial(id, 8, 0.01, "adam", state);
    trial.value = value;
    return trial;
}

} // namespace

class TestTrialProxyModel : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void stateGroups_data();
    void stateGroups();
    void filterText_data();
    void filterText();
    void stateAndTextTogether();
    void sortsNumbersAsNumbers_data();
    void sortsNumbersAsNumbers();
    void missingValuesLastInBothOrders_data();
    void missingValuesLastInBothOrders();
    void statesInLifeCycleOrder();
    void liveInsertAndUpdateKeepOrder();
    void filteredRowLeavesAndComesBack();
    void liveDurations();
    void sortByElapsedFollowsTheClock();
    void errorShowsFirstLine();
    void bestTrialIsBold();
    void newCampaignReparsesFilter();

private:
    TrialTableModel* m_trials = nullptr;
    TrialProxyModel* m_proxy = nullptr;
    QAbstractItemModelTester* m_tester = nullptr;
};

void TestTrialProxyModel::init()
{
    m_trials = new TrialTableModel(this);
    m_trials->setCampaign(testing::smallCampaign());
    m_proxy = new TrialProxyModel(m_trials, this);
    m_tester = new QAbstractItemModelTester(m_proxy, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    m_trials->setTrials(testing::smallTrials());
}

void TestTrialProxyModel::cleanup()
{
    delete m_tester;
    delete m_proxy;
    delete m_trials;
}

void TestTrialProxyModel::stateGroups_data()
{
    QTest::addColumn<StateGroup>("group");
    QTest::addColumn<QList<qint64>>("expected");
    QTest::addRow("all") << StateGroup::All << QList<qint64>{1, 2, 3, 4, 5, 10};
    QTest::addRow("active") << StateGroup::Active << QList<qint64>{4, 5};
    QTest::addRow("done") << StateGroup::Done << QList<qint64>{1, 2};
    QTest::addRow("failed") << StateGroup::Failed << QList<qint64>{3};
    QTest::addRow("cancelled") << StateGroup::Cancelled << QList<qint64>{10};
}

void TestTrialProxyModel::stateGroups()
{
    QFETCH(StateGroup, group);
    QFETCH(QList<qint64>, expected);
    m_proxy->sort(0, Qt::AscendingOrder);
    m_proxy->setStateGroup(group);
    QCOMPARE(idsInOrder(*m_proxy), expected);
    m_proxy->setStateGroup(StateGroup::All);
    QCOMPARE(m_proxy->rowCount(), 6);
}

void TestTrialProxyModel::filterText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<qint64>>("expected");
    QTest::addRow("word") << u"sgd"_s << QList<qint64>{2, 4};
    QTest::addRow("parameter value") << u"hidden=16"_s << QList<qint64>{2, 10};
    QTest::addRow("metric threshold") << u"loss<0.4"_s << QList<qint64>{2};
    QTest::addRow("live run time") << u"elapsed>=100"_s << QList<qint64>{4};
    QTest::addRow("nothing") << u"no-such-thing"_s << QList<qint64>{};
    QTest::addRow("cleared") << QString() << QList<qint64>{1, 2, 3, 4, 5, 10};
}

void TestTrialProxyModel::filterText()
{
    QFETCH(QString, text);
    QFETCH(QList<qint64>, expected);
    m_proxy->setNow(testing::smallNow());
    m_proxy->sort(0, Qt::AscendingOrder);
    m_proxy->setFilterText(u"solver=adam"_s); // a previous filter is replaced, not added to
    m_proxy->setFilterText(text);
    QCOMPARE(m_proxy->filterText(), text);
    QCOMPARE(idsInOrder(*m_proxy), expected);
}

void TestTrialProxyModel::stateAndTextTogether()
{
    m_proxy->sort(0, Qt::AscendingOrder);
    m_proxy->setStateGroup(StateGroup::Done);
    m_proxy->setFilterText(u"adam"_s);
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{1}));
    QCOMPARE(m_proxy->rowOfTrial(1), 0);
    QCOMPARE(m_proxy->rowOfTrial(2), -1);
    QCOMPARE(m_proxy->rowOfTrial(99), -1);
}

void TestTrialProxyModel::sortsNumbersAsNumbers_data()
{
    QTest::addColumn<QString>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QList<qint64>>("expected");
    QTest::addRow("trial ascending: 10 after 9") << u"trial"_s << Qt::AscendingOrder << QList<qint64>{1, 2, 9, 10, 100};
    QTest::addRow("trial descending") << u"trial"_s << Qt::DescendingOrder << QList<qint64>{100, 10, 9, 2, 1};
    QTest::addRow("metric ascending") << u"metric"_s << Qt::AscendingOrder << QList<qint64>{9, 1, 10, 100, 2};
    QTest::addRow("metric descending") << u"metric"_s << Qt::DescendingOrder << QList<qint64>{2, 100, 10, 1, 9};
    QTest::addRow("int parameter, ties by trial")
        << u"hidden"_s << Qt::AscendingOrder << QList<qint64>{2, 10, 1, 9, 100};
    QTest::addRow("int parameter descending, ties by trial")
        << u"hidden"_s << Qt::DescendingOrder << QList<qint64>{1, 9, 100, 2, 10};
}

void TestTrialProxyModel::sortsNumbersAsNumbers()
{
    QFETCH(QString, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QList<qint64>, expected);

    // Values chosen so that text order would differ: "10" < "9", "100" < "2", "1e-05" > "0.5".
    auto trial = [](qint64 id, qint64 hidden, double value) {
        model::TrialRecord t = withValue(id, value);
        t.values[0] = hidden;
        return t;
    };
    m_trials->setTrials(
        {trial(1, 100, 0.5), trial(2, 9, 12.0), trial(9, 100, 1e-05), trial(10, 9, 2.0), trial(100, 100, 9.0)});
    const int columnIndex = column == u"trial"_s ? m_trials->trialColumn()
        : column == u"metric"_s                  ? m_trials->metricColumn()
                                                 : m_trials->parameterColumn(0);
    m_proxy->sort(columnIndex, order);
    QCOMPARE(idsInOrder(*m_proxy), expected);
}

void TestTrialProxyModel::missingValuesLastInBothOrders_data()
{
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QList<qint64>>("expected");
    QTest::addRow("ascending") << Qt::AscendingOrder << QList<qint64>{3, 1, 2, 4, 5};
    QTest::addRow("descending") << Qt::DescendingOrder << QList<qint64>{1, 3, 2, 4, 5};
}

void TestTrialProxyModel::missingValuesLastInBothOrders()
{
    QFETCH(Qt::SortOrder, order);
    QFETCH(QList<qint64>, expected);
    m_trials->setTrials({withValue(1, 0.9), withValue(2, std::nullopt, TrialState::Running), withValue(3, 0.1),
                         withValue(4, std::nan(""), TrialState::Done),
                         withValue(5, std::nullopt, TrialState::Planned)});
    m_proxy->sort(m_trials->metricColumn(), order);
    QCOMPARE(idsInOrder(*m_proxy), expected);
}

void TestTrialProxyModel::statesInLifeCycleOrder()
{
    m_proxy->sort(m_trials->stateColumn(), Qt::AscendingOrder);
    // planned, running, done, done, failed, cancelled: not alphabetical (cancelled, done, failed ...)
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{5, 4, 1, 2, 3, 10}));
}

void TestTrialProxyModel::liveInsertAndUpdateKeepOrder()
{
    m_proxy->sort(m_trials->metricColumn(), Qt::AscendingOrder);
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{2, 1, 3, 4, 5, 10}));
    QSignalSpy resets(m_proxy, &QAbstractItemModel::modelReset);

    m_trials->upsert(withValue(11, 0.3)); // lands between 2 and 1
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{2, 11, 1, 3, 4, 5, 10}));

    model::TrialRecord finished = m_trials->trialAt(m_trials->rowOfTrial(4));
    finished.state = TrialState::Done;
    finished.value = 0.1; // the running trial finishes best: it moves to the top
    m_trials->upsert(finished);
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{4, 2, 11, 1, 3, 5, 10}));
    QCOMPARE(resets.count(), 0);
}

void TestTrialProxyModel::filteredRowLeavesAndComesBack()
{
    m_proxy->sort(0, Qt::AscendingOrder);
    m_proxy->setStateGroup(StateGroup::Active);
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{4, 5}));
    model::TrialRecord trial = m_trials->trialAt(m_trials->rowOfTrial(4));
    trial.state = TrialState::Failed;
    m_trials->upsert(trial);
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{5}));
    m_trials->upsert(testing::smallTrial(12, 8, 0.1, "sgd", TrialState::Planned));
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{5, 12}));
}

void TestTrialProxyModel::liveDurations()
{
    const int row = m_proxy->rowOfTrial(4);
    const QModelIndex elapsed = m_proxy->index(row, m_trials->elapsedColumn());
    const QModelIndex queued = m_proxy->index(row, m_trials->queuedColumn());
    QVERIFY(!elapsed.data(Qt::EditRole).isValid()); // no clock yet: only finished durations
    QCOMPARE(queued.data().toString(), u"0:05:00"_s);

    QSignalSpy changed(m_proxy, &QAbstractItemModel::dataChanged);
    m_proxy->setNow(testing::smallNow());
    QVERIFY(changed.count() >= 1);
    QCOMPARE(elapsed.data(TrialTableModel::SortRole).toDouble(), 100.0);
    QCOMPARE(elapsed.data().toString(), u"0:01:40"_s);

    m_proxy->setNow(testing::smallNow().addSecs(3600));
    QCOMPARE(elapsed.data().toString(), u"1:01:40"_s);
    // A finished trial's run time does not move with the clock.
    QCOMPARE(m_proxy->index(m_proxy->rowOfTrial(2), m_trials->elapsedColumn()).data().toString(), u"0:01:00"_s);
    QCOMPARE(m_proxy->headerData(m_trials->elapsedColumn(), Qt::Horizontal).toString(), u"Elapsed"_s);
}

void TestTrialProxyModel::sortByElapsedFollowsTheClock()
{
    model::TrialRecord late = testing::smallTrial(20, 8, 0.1, "adam", TrialState::Running);
    late.startedAt = testing::smallNow().addSecs(-20);
    m_trials->upsert(late);
    m_proxy->setNow(testing::smallNow());
    m_proxy->sort(m_trials->elapsedColumn(), Qt::DescendingOrder);
    // 4 ran 100 s, 2 60 s, 1 30 s, 20 20 s; no run time last.
    QCOMPARE(idsInOrder(*m_proxy).mid(0, 4), (QList<qint64>{4, 2, 1, 20}));
    m_proxy->setNow(testing::smallNow().addSecs(50)); // 20 has now run 70 s
    QCOMPARE(idsInOrder(*m_proxy).mid(0, 4), (QList<qint64>{4, 20, 2, 1}));
}

void TestTrialProxyModel::errorShowsFirstLine()
{
    const QModelIndex error = m_proxy->index(m_proxy->rowOfTrial(3), m_trials->errorColumn());
    QCOMPARE(error.data().toString(), u"out of memory …"_s);
    QCOMPARE(error.data(Qt::ToolTipRole).toString(), u"out of memory\nkilled by the kernel"_s);
}

void TestTrialProxyModel::bestTrialIsBold()
{
    QSignalSpy changed(m_proxy, &QAbstractItemModel::dataChanged);
    m_proxy->setBestTrial(2);
    QCOMPARE(changed.count(), 1);
    const QModelIndex best = m_proxy->index(m_proxy->rowOfTrial(2), m_trials->metricColumn());
    const QModelIndex other = m_proxy->index(m_proxy->rowOfTrial(1), m_trials->metricColumn());
    QVERIFY(best.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!other.data(Qt::FontRole).isValid());
    m_proxy->setBestTrial(1);
    QCOMPARE(changed.count(), 3); // the old best and the new one
    QVERIFY(!best.data(Qt::FontRole).isValid());
    QVERIFY(other.data(Qt::FontRole).value<QFont>().bold());
}

void TestTrialProxyModel::newCampaignReparsesFilter()
{
    m_proxy->setFilterText(u"batch=4"_s);
    QCOMPARE(m_proxy->rowCount(), 0); // plain text: nothing contains "batch=4"
    model::Campaign campaign = testing::smallCampaign();
    campaign.parameters[0].name = u"batch"_s;
    m_trials->setCampaign(campaign);
    m_trials->setTrials({testing::smallTrial(1, 4, 0.1, "sgd", TrialState::Planned),
                         testing::smallTrial(2, 8, 0.1, "sgd", TrialState::Planned)});
    QCOMPARE(idsInOrder(*m_proxy), (QList<qint64>{1}));
}

QTEST_MAIN(TestTrialProxyModel)
#include "tst_trialproxymodel.moc"
