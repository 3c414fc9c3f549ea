#include "spaces.h"
#include "tuning/gridsearch.h"

#include <QtTest>

using namespace sweepline::tuning;
using sweepline::tuning::testing::makeSpace;

class TestGridSearch : public QObject {
    Q_OBJECT

    static std::vector<Point> drain(GridSearch& g, std::size_t chunk)
    {
        std::vector<Point> all;
        while (!g.exhausted()) {
            auto batch = g.ask(chunk);
            for (auto& p : batch)
                all.push_back(p.point);
            if (batch.empty())
                break;
        }
        return all;
    }

private slots:
    void startsAtDefaultsAndWraps()
    {
        GridSearch g(makeSpace({3, 2}, {1, 1}));
        const std::vector<Point> expected{{1, 1}, {1, 0}, {2, 1}, {2, 0}, {0, 1}, {0, 0}};
        QCOMPARE(drain(g, 4), expected);
        QVERIFY(g.exhausted());
        QVERIFY(g.ask(5).empty());
    }

    void startsAtCentreWithoutDefaults()
    {
        GridSearch g(makeSpace({5, 4}));
        const auto first = g.ask(1);
        QCOMPARE(first.size(), std::size_t(1));
        QCOMPARE(first.front().point, (Point{2, 1}));
    }

    void coversEveryPointOnce_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::addRow("one at a time") << 1;
        QTest::addRow("seven at a time") << 7;
        QTest::addRow("all at once") << 1000;
    }
    void coversEveryPointOnce()
    {
        QFETCH(int, chunk);
        auto space = makeSpace({4, 3, 5}, {3, 0, 2});
        GridSearch g(space);
        auto all = drain(g, std::size_t(chunk));
        QCOMPARE(all.size(), std::size_t(60));
        std::set<Point> unique(all.begin(), all.end());
        QCOMPARE(unique.size(), std::size_t(60));
        QCOMPARE(all.front(), (Point{3, 0, 2}));
    }

    void batchesAreNumberedPerAsk()
    {
        GridSearch g(makeSpace({10}));
        auto a = g.ask(3);
        auto b = g.ask(3);
        QCOMPARE(a.front().labels.batch, 1);
        QCOMPARE(b.back().labels.batch, 2);
    }

    void restoreSkipsProposedPoints()
    {
        auto space = makeSpace({3, 3}, {0, 0});
        GridSearch first(space);
        std::vector<HistoryEntry> history;
        for (auto& p : first.ask(4))
            history.push_back({p, Outcome::success(1.0)});
        GridSearch resumed(space);
        resumed.restore(history);
        auto rest = drain(resumed, 2);
        QCOMPARE(rest.size(), std::size_t(5));
        for (const auto& h : history)
            QVERIFY(std::find(rest.begin(), rest.end(), h.proposal.point) == rest.end());
    }
};

QTEST_GUILESS_MAIN(TestGridSearch)
#include "tst_gridsearch.moc"
