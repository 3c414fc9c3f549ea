// The contract every strategy keeps, run over each of them (one data row per strategy).
#include "spaces.h"
#include "tuning/strategy.h"

#include <QtTest>

#include <functional>
#include <limits>
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

    // Three rounds of ask(2) with outcomeOf(trials told so far, point), a fourth still running at the
    // crash; the resumed strategy proposes no point of the history again, in later batches, and goes
    // on until the space (or 200 points) is covered.
    static void checkRestore(const QString& strategy, const SearchSpace& space, std::uint64_t seed,
                             const std::function<Outcome(std::size_t, const Point&)>& outcomeOf)
    {
        auto first = makeStrategy(strategy.toStdString(), space, {seed});
        std::vector<HistoryEntry> history;
        std::size_t told = 0;
        for (int round = 0; round < 4; ++round) {
            for (auto& p : first->ask(2)) {
                std::optional<Outcome> outcome;
                if (round < 3)
                    outcome = outcomeOf(told++, p.point);
                if (outcome)
                    first->tell(p.point, *outcome);
                history.push_back({p, outcome});
            }
        }
        auto resumed = makeStrategy(strategy.toStdString(), space, {seed});
        resumed->restore(history);
        std::set<Point> seen;
        for (const auto& h : history)
            seen.insert(h.proposal.point);
        while (!resumed->exhausted() && seen.size() < 200) {
            auto batch = resumed->ask(std::min<std::size_t>(3, 200 - seen.size()));
            if (batch.empty())
                break;
            for (const auto& p : batch) {
                QVERIFY2(seen.insert(p.point).second, ("repeated after restore: " + space.describe(p.point)).c_str());
                QVERIFY(p.labels.batch > history.back().proposal.labels.batch);
                resumed->tell(p.point, outcomeOf(told++, p.point));
            }
        }
        QCOMPARE(seen.size(), std::min<std::size_t>(*space.cardinality(), 200));
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

    void prunedOutcomesAreNeverProposedAgain_data() { addRows(); }
    void prunedOutcomesAreNeverProposedAgain()
    {
        // Every other trial stopped early, a few at NaN; the pruned values are lower than any result,
        // so a strategy taking them for results would circle them. None may come back, none may stall.
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        auto s = makeStrategy(strategy.toStdString(), space, {5});
        std::set<Point> seen;
        std::size_t told = 0;
        while (seen.size() < 100 && !s->exhausted()) {
            auto batch = s->ask(std::min<std::size_t>(3, 100 - seen.size()));
            if (batch.empty())
                break;
            for (const auto& p : batch) {
                QVERIFY2(seen.insert(p.point).second, ("repeated " + space.describe(p.point)).c_str());
                const double nan = std::numeric_limits<double>::quiet_NaN();
                const Outcome outcome = told % 2 == 0 ? Outcome::success(objective(p.point))
                    : told % 6 == 1                   ? Outcome::prunedAt(1, nan)
                                                      : Outcome::prunedAt(int(told % 4) + 1, -1000.0);
                ++told;
                s->tell(p.point, outcome);
            }
        }
        QCOMPARE(seen.size(), std::min<std::size_t>(*space.cardinality(), 100));
    }

    void restoreWithPrunedOutcomes_data() { addRows(); }
    void restoreWithPrunedOutcomes()
    {
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        checkRestore(strategy, space, 9, [](std::size_t told, const Point& p) {
            return told % 2 ? Outcome::prunedAt(2, -1000.0) : Outcome::success(objective(p));
        });
    }

    void restoreContinuesWithoutRepeats_data() { addRows(); }
    void restoreContinuesWithoutRepeats()
    {
        QFETCH(QString, strategy);
        QFETCH(SearchSpace, space);
        checkRestore(strategy, space, 7, [](std::size_t, const Point& p) { return Outcome::success(objective(p)); });
    }
};

QTEST_GUILESS_MAIN(TestStrategyContract)
#include "tst_strategycontract.moc"
