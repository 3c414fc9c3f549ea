// The Tree-structured Parzen Estimator: its estimators, its guarantees (no repeats, determinism,
// pending points, failures, restore) and that it searches better than random search.
#include "spaces.h"
#include "tuning/randomsearch.h"
#include "tuning/tpe.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

using namespace Qt::StringLiterals;

using namespace sweepline::tuning;
using sweepline::tuning::testing::makeSpace;

Q_DECLARE_METATYPE(SearchSpace)

namespace {

using Objective = std::function<double(const Point&)>;

// 5^5 bowl with its minimum (1.0) off-centre; every other point is at least 2.0.
double bowl(const Point& p)
{
    static const double centre[5] = {1, 3, 2, 4, 0};
    double v = 1.0;
    for (std::size_t i = 0; i < p.size(); ++i)
        v += double(i + 1) * (double(p[i]) - centre[i]) * (double(p[i]) - centre[i]);
    return v;
}

// A categorical optimiser, a log-spaced learning rate whose best value depends on the optimiser,
// a log-spaced batch size and an index-only ordinal: 4 x 9 x 6 x 5 = 1080 points.
SearchSpace mixedSpace()
{
    Dimension optimiser{"optimiser", 4, DimensionKind::Categorical, false, {}, {}};
    Dimension lr{"lr", 9, DimensionKind::Ordinal, true, {}, {}};
    for (int i = 0; i < 9; ++i)
        lr.numericValues.push_back(std::pow(10.0, -5.0 + 0.5 * i));
    Dimension batch{"batch", 6, DimensionKind::Ordinal, true, {16, 32, 64, 128, 256, 512}, {}};
    Dimension units{"units", 5, DimensionKind::Ordinal, false, {}, {}};
    return SearchSpace({optimiser, lr, batch, units});
}

double mixed(const Point& p)
{
    static const double offset[4] = {0.6, 0.0, 0.9, 0.3};
    static const double bestLogLr[4] = {-2.0, -3.0, -1.5, -4.0};
    const double logLr = -5.0 + 0.5 * double(p[1]);
    const double logBatch = std::log2(16.0) + double(p[2]);
    const double dLr = logLr - bestLogLr[p[0]];
    const double dBatch = logBatch - 6.0 - 0.5 * dLr; // the best batch moves with the learning rate
    const double dUnits = double(p[3]) - 3.0;
    return 1.0 + offset[p[0]] + 0.4 * dLr * dLr + 0.1 * dBatch * dBatch + 0.05 * dUnits * dUnits;
}

double optimumOf(const SearchSpace& space, const Objective& f)
{
    double best = std::numeric_limits<double>::infinity();
    for (std::uint64_t r = 0; r < *space.cardinality(); ++r)
        best = std::min(best, f(space.unrank(r)));
    return best;
}

// Sequential ask(1)/tell until within 1% of the optimum; the number of evaluations it took.
std::size_t evaluationsToOnePercent(Strategy& s, const Objective& f, double optimum)
{
    std::size_t evaluations = 0;
    while (!s.exhausted()) {
        const auto batch = s.ask(1);
        if (batch.empty())
            break;
        ++evaluations;
        const double v = f(batch[0].point);
        if (std::abs(v - optimum) <= 0.01 * std::abs(optimum))
            return evaluations;
        s.tell(batch[0].point, Outcome::success(v));
    }
    return std::numeric_limits<std::size_t>::max();
}

std::size_t median(std::vector<std::size_t> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Runs `count` evaluations in batches of `width`, telling each batch before asking again.
std::vector<Point> run(Strategy& s, const Objective& f, std::size_t count, std::size_t width)
{
    std::vector<Point> out;
    while (out.size() < count && !s.exhausted()) {
        const auto batch = s.ask(std::min(width, count - out.size()));
        if (batch.empty())
            break;
        for (const auto& p : batch) {
            out.push_back(p.point);
            s.tell(p.point, Outcome::success(f(p.point)));
        }
    }
    return out;
}

} // namespace

class TestTpe : public QObject {
    Q_OBJECT

private slots:
    void estimatorsAreDistributions()
    {
        TpeOptions options;
        // Numeric: log10 of a log-spaced dimension, observations piled on one side.
        const std::vector<double> coordinates{-4, -3, -2, -1, 0, 1};
        TpeParzen numeric(coordinates, 6, {4, 4, 5, 3}, options);
        double total = 0;
        for (std::size_t i = 0; i < 6; ++i)
            total += std::exp(numeric.logPmf(i));
        QVERIFY(std::abs(total - 1.0) < 1e-9);
        QVERIFY(numeric.logPmf(4) > numeric.logPmf(0));
        TpeRandom rng(1);
        std::size_t high = 0;
        for (int i = 0; i < 2000; ++i)
            high += numeric.sample(rng) >= 3;
        QVERIFY(high > 1400); // ~4 of 5 kernels sit at 3..5

        // Categorical with its prior: every choice stays possible, the observed one is likelier.
        TpeParzen categorical({}, 3, {2, 2, 0}, options);
        total = 0;
        for (std::size_t i = 0; i < 3; ++i)
            total += std::exp(categorical.logPmf(i));
        QVERIFY(std::abs(total - 1.0) < 1e-12);
        QVERIFY(categorical.logPmf(2) > categorical.logPmf(0));
        QVERIFY(categorical.logPmf(0) > categorical.logPmf(1));
        QVERIFY(std::isfinite(categorical.logPmf(1)));

        // No observations: the prior alone.
        TpeParzen prior(coordinates, 6, {}, options);
        QVERIFY(std::abs(prior.logPmf(2) - prior.logPmf(3)) < 1e-12);
    }

    void deterministic_data()
    {
        QTest::addColumn<SearchSpace>("space");
        QTest::addColumn<int>("width");
        QTest::addRow("5^5 sequential") << makeSpace({5, 5, 5, 5, 5}) << 1;
        QTest::addRow("5^5 batches of 4") << makeSpace({5, 5, 5, 5, 5}) << 4;
        QTest::addRow("mixed batches of 3") << mixedSpace() << 3;
    }
    void deterministic()
    {
        QFETCH(SearchSpace, space);
        QFETCH(int, width);
        const Objective f = space.dimensionCount() == 5 ? Objective(bowl) : Objective(mixed);
        TpeSearch a(space, 17), b(space, 17), c(space, 18);
        const auto pa = run(a, f, 80, std::size_t(width));
        const auto pb = run(b, f, 80, std::size_t(width));
        const auto pc = run(c, f, 80, std::size_t(width));
        QCOMPARE(pa.size(), std::size_t(80));
        QCOMPARE(pa, pb);
        QVERIFY(pa != pc);
    }

    void labels()
    {
        TpeSearch s(makeSpace({5, 5, 5}), 3);
        for (int call = 1; call <= 20; ++call) {
            const auto batch = s.ask(2);
            QCOMPARE(batch.size(), std::size_t(2));
            for (const auto& p : batch) {
                QCOMPARE(p.labels.stage, 0);
                QVERIFY(p.labels.direction.empty());
                QCOMPARE(p.labels.batch, call);
                s.tell(p.point, Outcome::success(bowl(p.point)));
            }
        }
    }

    void noRepeatsUntilExhausted_data()
    {
        QTest::addColumn<SearchSpace>("space");
        QTest::addColumn<int>("width");
        QTest::addRow("7") << makeSpace({7}) << 1;
        QTest::addRow("3x4x5") << makeSpace({3, 4, 5}) << 1;
        QTest::addRow("3x4x5 by 3") << makeSpace({3, 4, 5}) << 3;
        QTest::addRow("2x2x2x2 by 5") << makeSpace({2, 2, 2, 2}) << 5;
        QTest::addRow("1x6x1") << makeSpace({1, 6, 1}) << 1;
        Dimension cat{"c", 3, DimensionKind::Categorical, false, {}, {}};
        Dimension lr{"lr", 4, DimensionKind::Ordinal, true, {1e-4, 1e-3, 1e-2, 1e-1}, {}};
        Dimension bad{"v", 3, DimensionKind::Ordinal, true, {0.0, 2.0, 1.0}, {}}; // falls back to index
        QTest::addRow("categorical x log x odd values") << SearchSpace({cat, lr, bad}) << 2;
        QTest::addRow("single point") << makeSpace({1, 1}) << 1;
    }
    void noRepeatsUntilExhausted()
    {
        QFETCH(SearchSpace, space);
        QFETCH(int, width);
        TpeSearch s(space, 5);
        std::set<Point> seen;
        int asks = 0;
        for (; asks < 1000 && !s.exhausted(); ++asks) {
            const auto batch = s.ask(std::size_t(width));
            QVERIFY(!batch.empty()); // TPE always has a point to give until it is exhausted
            for (const auto& p : batch) {
                QVERIFY2(space.contains(p.point), space.describe(p.point).c_str());
                QVERIFY2(seen.insert(p.point).second, ("repeated " + space.describe(p.point)).c_str());
                double v = 0;
                for (std::size_t i = 0; i < p.point.size(); ++i)
                    v += std::abs(double(p.point[i]) - 1.0);
                s.tell(p.point, Outcome::success(v));
            }
        }
        QVERIFY(s.exhausted());
        QCOMPARE(std::uint64_t(seen.size()), *space.cardinality());
        QVERIFY(s.ask(3).empty());
    }

    void beatsRandomSearch_data()
    {
        QTest::addColumn<SearchSpace>("space");
        QTest::addColumn<QString>("objective");
        QTest::addRow("5^5 bowl") << makeSpace({5, 5, 5, 5, 5}) << u"bowl"_s;
        QTest::addRow("categorical + log scale") << mixedSpace() << u"mixed"_s;
    }
    void beatsRandomSearch()
    {
        QFETCH(SearchSpace, space);
        QFETCH(QString, objective);
        const Objective f = objective == u"bowl"_s ? Objective(bowl) : Objective(mixed);
        const double optimum = optimumOf(space, f);
        std::vector<std::size_t> tpe, random;
        for (std::uint64_t seed = 1; seed <= 11; ++seed) {
            TpeSearch t(space, seed);
            RandomSearch r(space, seed);
            tpe.push_back(evaluationsToOnePercent(t, f, optimum));
            random.push_back(evaluationsToOnePercent(r, f, optimum));
        }
        const std::size_t mt = median(tpe), mr = median(random);
        qInfo("%s: median evaluations to 1%%: tpe %zu, random %zu (of %llu points)", qPrintable(objective), mt, mr,
              static_cast<unsigned long long>(*space.cardinality()));
        QVERIFY2(mt * 3 <= mr, qPrintable(u"tpe %1 vs random %2"_s.arg(mt).arg(mr)));
    }

    void pendingPointsAreNotDuplicated_data()
    {
        QTest::addColumn<int>("toldFirst");
        QTest::addRow("from the start") << 0;
        QTest::addRow("after the random startup") << 20;
    }
    void pendingPointsAreNotDuplicated()
    {
        QFETCH(int, toldFirst);
        const auto space = makeSpace({5, 5, 5, 5, 5});
        TpeSearch s(space, 9);
        const auto told = run(s, bowl, std::size_t(toldFirst), 1);
        std::set<Point> seen(told.begin(), told.end());
        for (int round = 0; round < 4; ++round) {
            const auto batch = s.ask(8);
            QCOMPARE(batch.size(), std::size_t(8));
            for (const auto& p : batch)
                QVERIFY2(seen.insert(p.point).second, ("pending point repeated: " + space.describe(p.point)).c_str());
        }
        QCOMPARE(seen.size(), std::size_t(toldFirst) + 32);
    }

    void pendingPointsSpreadTheBatch()
    {
        // The constant liar counts pending points as bad, so a batch does not pile onto one value:
        // after 30 results, 8 parallel points still take more than one value of the last axis.
        const auto space = makeSpace({5, 5, 5, 5, 5});
        TpeSearch s(space, 4);
        run(s, bowl, 30, 1);
        std::set<std::size_t> values;
        for (const auto& p : s.ask(8))
            values.insert(p.point[4]);
        QVERIFY(values.size() >= 2);
    }

    void failuresDoNotStall()
    {
        const auto space = makeSpace({4, 4, 4});
        TpeSearch s(space, 2);
        std::set<Point> seen;
        std::size_t n = 0;
        while (!s.exhausted()) {
            const auto batch = s.ask(3);
            QVERIFY(!batch.empty());
            for (const auto& p : batch) {
                QVERIFY(seen.insert(p.point).second);
                // Every other trial fails; the failed ones are never proposed again.
                s.tell(p.point, n++ % 2 ? Outcome::failure() : Outcome::success(bowl(p.point)));
            }
        }
        QCOMPARE(seen.size(), std::size_t(64));

        TpeSearch allFail(space, 2);
        for (std::size_t i = 0; i < 64; ++i) {
            const auto batch = allFail.ask(1);
            QCOMPARE(batch.size(), std::size_t(1));
            allFail.tell(batch[0].point, Outcome::failure());
        }
        QVERIFY(allFail.exhausted());
    }

    void modelIgnoresFailures()
    {
        // Failures at the optimum's neighbourhood must not pull the search there as "good" values
        // would, nor stop it from finding the optimum among the rest.
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const double optimum = 1.0;
        TpeSearch s(space, 6);
        std::size_t evaluations = 0;
        bool found = false;
        while (!found && evaluations < 1500) {
            const auto batch = s.ask(1);
            ++evaluations;
            const Point& p = batch[0].point;
            if (bowl(p) == optimum) {
                found = true;
            } else if (p[0] == 0) {
                s.tell(p, Outcome::failure()); // a fifth of the space crashes
            } else {
                s.tell(p, Outcome::success(bowl(p)));
            }
        }
        QVERIFY(found);
    }

    void restoreRebuildsTheState()
    {
        const auto space = mixedSpace();
        TpeSearch first(space, 21);
        std::vector<HistoryEntry> history;
        for (int round = 0; round < 8; ++round) {
            for (auto& p : first.ask(3)) {
                std::optional<Outcome> outcome;
                if (round == 7)
                    outcome = std::nullopt; // still running at the crash
                else if (p.point[3] == 0)
                    outcome = Outcome::failure();
                else
                    outcome = Outcome::success(mixed(p.point));
                if (outcome)
                    first.tell(p.point, *outcome);
                history.push_back({p, outcome});
            }
        }
        TpeSearch a(space, 21), b(space, 21);
        a.restore(history);
        b.restore(history);
        std::set<Point> seen;
        for (const auto& h : history)
            seen.insert(h.proposal.point);
        std::vector<Point> pa, pb;
        while (pa.size() < 400) {
            const auto ba = a.ask(4), bb = b.ask(4);
            QVERIFY(!ba.empty());
            for (const auto& p : ba) {
                QVERIFY2(seen.insert(p.point).second, ("repeated after restore: " + space.describe(p.point)).c_str());
                QVERIFY(p.labels.batch > history.back().proposal.labels.batch);
                pa.push_back(p.point);
                a.tell(p.point, Outcome::success(mixed(p.point)));
            }
            for (const auto& p : bb) {
                pb.push_back(p.point);
                b.tell(p.point, Outcome::success(mixed(p.point)));
            }
        }
        QCOMPARE(pa, pb); // the same history gives the same continuation

        // The restored results steer the model: from a history that ends near the optimum the
        // resumed search finds it in far fewer evaluations than a cold start.
        const double optimum = optimumOf(space, mixed);
        std::vector<HistoryEntry> good;
        for (std::uint64_t r = 0; r < *space.cardinality(); r += 7) {
            const Point p = space.unrank(r);
            if (std::abs(mixed(p) - optimum) > 0.01 * optimum)
                good.push_back({{p, {0, {}, 1}}, Outcome::success(mixed(p))});
        }
        std::vector<std::size_t> resumed, cold;
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
            TpeSearch r(space, seed), c(space, seed);
            r.restore(good);
            resumed.push_back(evaluationsToOnePercent(r, mixed, optimum));
            cold.push_back(evaluationsToOnePercent(c, mixed, optimum));
        }
        QVERIFY2(median(resumed) * 2 < median(cold),
                 qPrintable(u"resumed %1, cold %2"_s.arg(median(resumed)).arg(median(cold))));
    }

    void goodGroupRanksPrunedBelowCompleted()
    {
        // Completed: #0 5.0, #2 2.0, #7 7.0. Pruned: #1 0.1 at step 3, #3 4.0 at step 9, #4 3.0 at
        // step 9, #5 NaN at step 9, #6 before its first step. Optuna's order: the completed by value
        // (#2, #0, #7), then the pruned by larger step (step 9: #4, #3, #5 as +inf; step 3: #1), then
        // #6. So #1's 0.1, the lowest value of all, is good only when seven of the eight are.
        const std::vector<TpeObservation> observations{
            {5.0, false, 0}, {0.1, true, 3},          {2.0, false, 0}, {4.0, true, 9},
            {3.0, true, 9},  {std::nan(""), true, 9}, {0.0, true, 0},  {7.0, false, 0},
        };
        const std::vector<std::vector<std::size_t>> expected{
            {2},
            {0, 2},
            {0, 2, 7},
            {0, 2, 4, 7},
            {0, 2, 3, 4, 7},
            {0, 2, 3, 4, 5, 7},
            {0, 1, 2, 3, 4, 5, 7},
            {0, 1, 2, 3, 4, 5, 6, 7},
        };
        for (std::size_t k = 1; k <= 8; ++k) {
            TpeOptions options;
            options.gammaFraction = double(k) / 8.0; // ceil(k / 8 * 8) = k
            QCOMPARE(tpeGoodGroup(observations, options), expected[k - 1]);
        }
        // Optuna's default gamma: ceil(0.1 * 8) = 1, the best completed trial; and the cap.
        QCOMPARE(tpeGoodGroup(observations, {}), (std::vector<std::size_t>{2}));
        TpeOptions capped;
        capped.gammaFraction = 1.0;
        capped.gammaCap = 2;
        QCOMPARE(tpeGoodGroup(observations, capped), (std::vector<std::size_t>{0, 2}));
        // Equal values: the earlier trial first.
        TpeOptions half;
        half.gammaFraction = 0.5;
        QCOMPARE(tpeGoodGroup({{1.0, true, 4}, {1.0, true, 4}, {1.0, false, 0}, {1.0, false, 0}}, half),
                 (std::vector<std::size_t>{2, 3}));
        QCOMPARE(tpeGoodGroup({{1.0, true, 4}, {1.0, true, 4}, {2.0, false, 0}}, half),
                 (std::vector<std::size_t>{0, 2}));
        QVERIFY(tpeGoodGroup({}, {}).empty());
    }

    void prunedTrialsFeedTheBadGroup()
    {
        // One line of 41 points (index coordinates). Completed: 36 and 4 at 1.0 (told in that order),
        // 12, 14, ..., 22 at 10. Pruned at step 3 with 0.01: 24, 26, ..., 40 but 36. n = 16, so the
        // good group holds ceil(1.6) = 2: points 36 and 4. The pruned trials crowd the rest around
        // 36, so l(x) / g(x) is highest around 4.
        // Had TPE taken 0.01 for results, the good group would be 24 and 26; had it left the pruned
        // trials out, n = 8 and the good group the one point 36: either way it would propose beyond 22.
        const auto space = makeSpace({41});
        for (std::uint64_t seed = 1; seed <= 8; ++seed) {
            TpeSearch s(space, seed);
            s.tell({36}, Outcome::success(1.0));
            s.tell({4}, Outcome::success(1.0));
            for (std::size_t x = 12; x <= 22; x += 2)
                s.tell({x}, Outcome::success(10.0));
            for (std::size_t x = 24; x <= 40; x += 2) {
                if (x != 36)
                    s.tell({x}, Outcome::prunedAt(3, 0.01));
            }
            const auto batch = s.ask(3);
            QCOMPARE(batch.size(), std::size_t(3));
            for (const auto& p : batch)
                QVERIFY2(p.point[0] < 12, qPrintable(u"seed %1 proposed %2"_s.arg(seed).arg(p.point[0])));
        }
    }

    void prunedTrialsCountTowardsStartup()
    {
        // startup_trials 10 counts what Optuna's n counts: completed and pruned trials, not failed
        // ones. Told the same points, a search whose trials failed draws its next points at random
        // exactly like one whose trials were pruned while fewer than 10 are; from 10 on, the pruned
        // ones start the model and the proposals part.
        const auto space = makeSpace({101});
        const auto proposalsAfter = [&](std::size_t told, bool pruned) {
            TpeSearch s(space, 5);
            for (std::size_t x = 0; x < told; ++x)
                s.tell({2 * x}, pruned ? Outcome::prunedAt(int(x % 3) + 1, double(x)) : Outcome::failure());
            std::vector<Point> out;
            for (const auto& p : s.ask(6))
                out.push_back(p.point);
            return out;
        };
        QCOMPARE(proposalsAfter(9, true), proposalsAfter(9, false));
        QVERIFY(proposalsAfter(10, true) != proposalsAfter(10, false));
    }

    void tellWithoutAskCountsAsProposed()
    {
        const auto space = makeSpace({3, 3});
        TpeSearch s(space, 1);
        s.tell({1, 1}, Outcome::success(0.5));
        s.tell({9, 9}, Outcome::success(0.1)); // outside the space: ignored
        std::set<Point> seen;
        while (!s.exhausted())
            for (const auto& p : s.ask(2)) {
                QVERIFY(p.point != (Point{1, 1}));
                QVERIFY(seen.insert(p.point).second);
                s.tell(p.point, Outcome::success(bowl(p.point)));
            }
        QCOMPARE(seen.size(), std::size_t(8));
    }
};

QTEST_GUILESS_MAIN(TestTpe)
#include "tst_tpe.moc"
