#include "spaces.h"
#include "tuning/randomsearch.h"

#include <QtTest>

#include <map>
#include <set>

using namespace Qt::StringLiterals;

using namespace sweepline::tuning;
using sweepline::tuning::testing::makeSpace;

class TestRandomSearch : public QObject {
    Q_OBJECT

    static std::vector<Point> take(RandomSearch& r, std::size_t n)
    {
        std::vector<Point> out;
        while (out.size() < n && !r.exhausted()) {
            for (auto& p : r.ask(n - out.size()))
                out.push_back(p.point);
        }
        return out;
    }

private slots:
    void sameSeedSameSequence()
    {
        auto space = makeSpace({5, 5, 5, 5, 5});
        RandomSearch a(space, 11), b(space, 11), c(space, 12);
        const auto pa = take(a, 50), pb = take(b, 50), pc = take(c, 50);
        QCOMPARE(pa, pb);
        QVERIFY(pa != pc);
    }

    void chunkingDoesNotChangeTheSequence()
    {
        auto space = makeSpace({6, 7});
        RandomSearch whole(space, 5), pieces(space, 5);
        auto all = whole.ask(42);
        std::vector<Point> p1;
        p1.reserve(all.size());
        for (auto& p : all)
            p1.push_back(p.point);
        std::vector<Point> p2;
        while (!pieces.exhausted())
            for (auto& p : pieces.ask(5))
                p2.push_back(p.point);
        QCOMPARE(p1, p2);
    }

    void visitsEveryPointExactlyOnce_data()
    {
        QTest::addColumn<int>("a");
        QTest::addColumn<int>("b");
        QTest::addRow("1x1") << 1 << 1;
        QTest::addRow("2x1") << 2 << 1;
        QTest::addRow("3x7 (not a power of two)") << 3 << 7;
        QTest::addRow("16x16 (a power of four)") << 16 << 16;
        QTest::addRow("700x7") << 700 << 7;
    }
    void visitsEveryPointExactlyOnce()
    {
        QFETCH(int, a);
        QFETCH(int, b);
        auto space = makeSpace({std::size_t(a), std::size_t(b)});
        RandomSearch r(space, 99);
        auto all = take(r, std::size_t(a * b) + 10);
        QCOMPARE(all.size(), std::size_t(a * b));
        QCOMPARE(std::set<Point>(all.begin(), all.end()).size(), std::size_t(a * b));
        QVERIFY(r.exhausted());
    }

    void resumedRunContinuesTheSameSequence()
    {
        auto space = makeSpace({9, 9, 9});
        RandomSearch uninterrupted(space, 3);
        const auto expected = take(uninterrupted, 40);

        RandomSearch first(space, 3);
        std::vector<HistoryEntry> history;
        for (auto& p : first.ask(15))
            history.push_back({p, std::nullopt});
        RandomSearch resumed(space, 3);
        resumed.restore(history);
        std::vector<Point> got;
        got.reserve(history.size());
        for (const auto& h : history)
            got.push_back(h.proposal.point);
        for (auto& p : take(resumed, 25))
            got.push_back(p);
        QCOMPARE(got, expected);
    }

    void firstPointsSpreadOverTheSpace()
    {
        // Over many seeds the first point of a 10-value dimension lands on each value about equally.
        std::map<std::size_t, int> counts;
        for (std::uint64_t seed = 0; seed < 2000; ++seed) {
            RandomSearch r(makeSpace({10}), seed);
            counts[r.ask(1).front().point[0]]++;
        }
        QCOMPARE(counts.size(), std::size_t(10));
        for (auto [value, n] : counts)
            QVERIFY2(n > 120 && n < 280, qPrintable(u"value %1 drawn %2 times"_s.arg(value).arg(n)));
    }

    void hugeSpacesStillWork()
    {
        // 100^12 points do not fit in 64 bits: the strategy falls back to rejection sampling.
        std::vector<Dimension> dims(12);
        for (auto& d : dims)
            d.size = 100;
        SearchSpace space(dims);
        QVERIFY(!space.cardinality());
        RandomSearch r(space, 1);
        auto pts = take(r, 100);
        QCOMPARE(std::set<Point>(pts.begin(), pts.end()).size(), std::size_t(100));
        QVERIFY(!r.exhausted());
    }
};

QTEST_GUILESS_MAIN(TestRandomSearch)
#include "tst_randomsearch.moc"
