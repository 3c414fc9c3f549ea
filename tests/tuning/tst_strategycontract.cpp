// The contract every strategy keeps, run over each of them (one data row per strategy).
#include "spaces.h"
#include "tuning/strategy.h"

#include <QtTest>

#include <set>

using namespace sweepline::tuning;
using sweepline::tuning::testing::makeSpace;

Q_DECLARE_METATYPE(SearchSpace)

class TestStrategyContract : public QObject {
    Q_OBJECT

private:
    void addRows()
    {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<SearchSpace>("space");
        for (const auto& name : strategyNames()) {
            const QString n = QString::fromStdString(name);
            QTest::addRow("%s/1d", name.c_str()) << n << makeSpace({7});
            QTest::addRow("%s/3d", name.c_str()) << n << makeSpace({3, 4, 5}, {1, -1, 4});
            QTest::addRow("%s/single-point", name.c_str()) << n << makeSpace({1, 1});
            QTest::addRow("%s/5x5x5x5x5", name.c_str()) << n << makeSpace({5, 5, 5, 5, 5});
        }
    }

    static double objective(const Point& p)
    {
        double v = 0;
        for (std::size_t i = 0; i < p.size(); ++i)
            v += (double(p[i]) - 1.3) * (double(p[i]) - 1.3) * double(i + 1);
        return v;
    }

private slots:
    void neverRepeatsAndStaysInSpace_data() { addRows(); }
    void neverRepeatsAndStaysInSpace()
    {
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        auto s = makeStrategy(strategy.toStdString(), space, {42});
        QVERIFY(s);
        std::set<Point> seen;
        const std::size_t budget = std::min<std::uint64_t>(*space.cardinality(), 300);
        while (seen.size() < budget && !s->exhausted()) {
            auto batch = s->ask(4);
            if (batch.empty())
                break;
            QVERIFY(batch.size() <= 4);
            for (const auto& p : batch) {
                QVERIFY2(space.contains(p.point), space.describe(p.point).c_str());
                QVERIFY2(seen.insert(p.point).second, ("repeated " + space.describe(p.point)).c_str());
                QVERIFY(p.labels.batch >= 1);
            }
            for (const auto& p : batch)
                s->tell(p.point, Outcome::success(objective(p.point)));
        }
        QVERIFY(seen.size() >= std::min<std::size_t>(budget, 1));
    }

    void askZeroGivesNothing_data() { addRows(); }
    void askZeroGivesNothing()
    {
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        auto s = makeStrategy(strategy.toStdString(), space, {1});
        QVERIFY(s->ask(0).empty());
        QVERIFY(!s->exhausted());
    }

    void failuresDoNotStall_data() { addRows(); }
    void failuresDoNotStall()
    {
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        auto s = makeStrategy(strategy.toStdString(), space, {3});
        std::size_t proposed = 0;
        for (int round = 0; round < 50 && !s->exhausted(); ++round) {
            auto batch = s->ask(2);
            if (batch.empty())
                break;
            proposed += batch.size();
            for (const auto& p : batch)
                s->tell(p.point, Outcome::failure());
        }
        QCOMPARE(proposed, std::min<std::size_t>(*space.cardinality(), 100));
    }

    void restoreContinuesWithoutRepeats_data() { addRows(); }
    void restoreContinuesWithoutRepeats()
    {
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        auto first = makeStrategy(strategy.toStdString(), space, {7});
        std::vector<HistoryEntry> history;
        for (int round = 0; round < 3; ++round) {
            for (auto& p : first->ask(2)) {
                const bool pending = round == 2; // the last round was still running at the crash
                std::optional<Outcome> outcome;
                if (!pending)
                    outcome = Outcome::success(objective(p.point));
                if (outcome)
                    first->tell(p.point, *outcome);
                history.push_back({p, outcome});
            }
        }
        auto resumed = makeStrategy(strategy.toStdString(), space, {7});
        resumed->restore(history);
        std::set<Point> seen;
        for (const auto& h : history)
            seen.insert(h.proposal.point);
        while (!resumed->exhausted() && seen.size() < 200) {
            auto batch = resumed->ask(3);
            if (batch.empty())
                break;
            for (const auto& p : batch) {
                QVERIFY2(seen.insert(p.point).second, ("repeated after restore: " + space.describe(p.point)).c_str());
                QVERIFY(p.labels.batch > history.back().proposal.labels.batch);
                resumed->tell(p.point, Outcome::success(objective(p.point)));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestStrategyContract)
#include "tst_strategycontract.moc"
