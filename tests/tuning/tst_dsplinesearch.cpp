// The one-dimensional d-Spline line search and the iterative multi-dimensional "dspline" strategy:
// sampling order, stopping rules, labels, failures, parallel slot filling and restore.
#include "spaces.h"
#include "tuning/dsplinesearch.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <random>
#include <set>

using namespace Qt::StringLiterals;

using namespace sweepline::tuning;
using sweepline::tuning::testing::makeSpace;

namespace {

using Objective = std::function<double(const Point&)>;

struct Run {
    std::vector<Proposal> proposals; // in proposal order
    std::vector<Point> evaluated;    // in completion order
    std::size_t firstAtBest = 0;     // evaluations until the final best value was first seen
    double best = std::numeric_limits<double>::infinity();
    Point bestPoint;
    std::vector<std::size_t> idleAt; // evaluations done when an ask left a slot idle
    std::size_t maxPending = 0;
    bool repeated = false;
    bool exhausted = false;
};

// Drives a strategy like the engine: `jobs` jobs at a time, a freed slot is offered at once,
// results come back in random order; a share of them fail.
Run drive(Strategy& s, const Objective& f, std::size_t jobs, double failRate = 0.0, unsigned seed = 1,
          std::size_t limit = 100000)
{
    Run run;
    std::mt19937 rng{seed};
    std::bernoulli_distribution fails(failRate);
    std::set<Point> seen;
    std::vector<Point> pending;
    while (run.evaluated.size() < limit) {
        const std::size_t free = jobs - pending.size();
        auto batch = s.ask(free);
        if (batch.size() < free && !s.exhausted())
            run.idleAt.push_back(run.evaluated.size());
        for (auto& p : batch) {
            run.repeated = run.repeated || !seen.insert(p.point).second;
            pending.push_back(p.point);
            run.proposals.push_back(std::move(p));
        }
        run.maxPending = std::max(run.maxPending, pending.size());
        if (pending.empty())
            break;
        const std::size_t k = std::uniform_int_distribution<std::size_t>(0, pending.size() - 1)(rng);
        const Point p = pending[k];
        pending.erase(pending.begin() + std::ptrdiff_t(k));
        run.evaluated.push_back(p);
        if (fails(rng)) {
            s.tell(p, Outcome::failure());
            continue;
        }
        const double v = f(p);
        s.tell(p, Outcome::success(v));
        if (v < run.best) {
            run.best = v;
            run.bestPoint = p;
            run.firstAtBest = run.evaluated.size();
        }
    }
    run.exhausted = s.exhausted();
    return run;
}

double minimumOver(const SearchSpace& space, const Objective& f, Point* where = nullptr)
{
    double best = std::numeric_limits<double>::infinity();
    for (std::uint64_t r = 0; r < *space.cardinality(); ++r) {
        const Point p = space.unrank(r);
        const double v = f(p);
        if (v < best) {
            best = v;
            if (where)
                *where = p;
        }
    }
    return best;
}

// Synthetic objectives on the 5^5 grid.
double bowl(const Point& p, const Point& centre)
{
    double v = 1.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double d = double(p[i]) - double(centre[i]);
        v += d * d * double(i + 1);
    }
    return v;
}

Objective objectiveNamed(const QString& name)
{
    if (name == u"bowl"_s)
        return [](const Point& p) { return bowl(p, {1, 3, 2, 3, 1}); };
    if (name == u"bowl at the edge"_s)
        return [](const Point& p) { return bowl(p, {1, 3, 0, 4, 2}); };
    if (name == u"noisy bowl"_s) {
        return [](const Point& p) {
            std::uint32_t h = 17;
            for (auto x : p)
                h = h * 31 + std::uint32_t(x) + 7;
            std::mt19937 g{h};
            std::normal_distribution<double> noise(0.0, 0.3);
            return bowl(p, {1, 3, 2, 3, 1}) + noise(g);
        };
    }
    // A narrow valley along the diagonal of the first two axes: single-axis moves stall in it.
    return [](const Point& p) {
        const double x = double(p[0]), y = double(p[1]);
        double v = 20.0 * (x - y) * (x - y) + 0.5 * ((x + y) / 2 - 3.0) * ((x + y) / 2 - 3.0);
        for (std::size_t i = 2; i < p.size(); ++i)
            v += (double(p[i]) - 2.0) * (double(p[i]) - 2.0);
        return v;
    };
}

// The loss over batch sizes 1..700 with a shallow optimum near 210 (like the seed poster's ResNet50).
double batchLoss(const Point& p)
{
    const double b = double(p[0] + 1);
    const double x = (b - 210.0) / 700.0;
    return 8.43 + 0.6 * x * x + 0.002 * std::sin(b / 9.0);
}

int nonzeroSteps(const std::string& direction)
{
    int n = 0;
    for (std::size_t i = 0; i + 1 < direction.size(); ++i) {
        if ((direction[i] == '+' || direction[i] == '-') && direction[i + 1] == '1')
            ++n;
    }
    return n;
}

// The published line rules alone (no refinement next to the best point).
DSplineLineOptions publishedLine(std::size_t maxPoints = 30, std::size_t stableUpdates = 3)
{
    DSplineLineOptions o;
    o.maxPoints = maxPoints;
    o.stableUpdates = stableUpdates;
    o.refine = false;
    return o;
}

// The iterative search that stops once it has converged (the published method's end), with
// Sweepline's line search: for the tests of the method itself.
DSplineSearchOptions stopAtConvergence()
{
    DSplineSearchOptions o;
    o.continueAfterConvergence = false;
    return o;
}

// A 700-point line with a narrow minimum at index 2, next to a diverging index 0 (like batch size
// 3 beside batch size 1 at a high learning rate): elsewhere the loss rises slowly.
double narrowEdge(std::size_t i)
{
    static const double head[] = {10.8, 3.0, 0.078, 0.1025};
    return i < 4 ? head[i] : 0.17 + 0.003 * double(i);
}

// solver (categorical: 0 = sgd, 1 = adam) x learning rate (4) x batch size (200): adam has a wide
// basin (best 0.09 at lr 3, batch 40); sgd at lr 3 has the narrow global minimum 0.05 at batch 2.
SearchSpace twoBasinSpace()
{
    std::vector<Dimension> dims(3);
    dims[0].name = "solver";
    dims[0].size = 2;
    dims[0].kind = DimensionKind::Categorical;
    dims[1].name = "lr";
    dims[1].size = 4;
    dims[2].name = "batch";
    dims[2].size = 200;
    return SearchSpace(dims);
}

double twoBasins(const Point& p)
{
    const double lr = double(3 - p[1]) / 3.0, b = double(p[2]);
    if (p[0] == 1)
        return 0.09 + 0.3 * lr + 0.0004 * std::abs(b - 40.0);
    if (p[1] == 3 && p[2] < 4) {
        static const double head[] = {10.8, 3.0, 0.05, 0.1};
        return head[p[2]];
    }
    return 0.17 + 0.5 * lr + 0.002 * b;
}

SearchSpace mixedSpace()
{
    std::vector<Dimension> dims(3);
    dims[0].name = "lr";
    dims[0].size = 7;
    dims[1].name = "solver";
    dims[1].size = 4;
    dims[1].kind = DimensionKind::Categorical;
    dims[2].name = "layers";
    dims[2].size = 6;
    return SearchSpace(dims);
}

} // namespace

class TestDSplineSearch : public QObject {
    Q_OBJECT

private slots:
    // ---- The one-dimensional search -------------------------------------------------------

    void firstPointsAreEndsAndThirds_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<std::vector<std::size_t>>("expected");
        QTest::addRow("1") << 1 << std::vector<std::size_t>{0};
        QTest::addRow("2") << 2 << std::vector<std::size_t>{0, 1};
        QTest::addRow("3") << 3 << std::vector<std::size_t>{0, 2, 1};
        QTest::addRow("4") << 4 << std::vector<std::size_t>{0, 3, 1, 2};
        QTest::addRow("5") << 5 << std::vector<std::size_t>{0, 4, 1, 3};
        QTest::addRow("10") << 10 << std::vector<std::size_t>{0, 9, 3, 6};
        QTest::addRow("700") << 700 << std::vector<std::size_t>{0, 699, 233, 466};
    }
    void firstPointsAreEndsAndThirds()
    {
        QFETCH(int, size);
        QFETCH(std::vector<std::size_t>, expected);
        QCOMPARE(DSplineLineSearch::firstPoints(std::size_t(size)), expected);
        DSplineLineSearch line{std::size_t(size)};
        QCOMPARE(line.candidates(expected.size()), expected);
    }

    void followsTheFitAfterTheFirstPoints()
    {
        DSplineLineSearch line{50};
        for (std::size_t i : DSplineLineSearch::firstPoints(50))
            line.record(i, (double(i) - 20.0) * (double(i) - 20.0));
        QVERIFY(!line.stopped());
        const auto next = line.candidates(1);
        QCOMPARE(next.size(), std::size_t(1));
        // The best fitted point is below every measurement, so it comes first.
        QCOMPARE(next.front(), *line.fittedOptimum());
        QVERIFY(*line.fittedValue(next.front()) < *line.bestValue());
        QVERIFY(std::abs(double(next.front()) - 20.0) <= 3.0);
    }

    void candidatesFollowTheZones_data()
    {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= 8; ++seed)
            QTest::addRow("seed %d", seed) << seed;
    }
    void candidatesFollowTheZones()
    {
        QFETCH(int, seed);
        std::mt19937 rng{std::uint32_t(seed)};
        std::uniform_real_distribution<double> value(0.0, 10.0);
        DSplineLineSearch line{40, DSplineLineSearch::Mode::Spline, publishedLine(1000, 1000)};
        for (std::size_t i : DSplineLineSearch::firstPoints(40))
            line.record(i, value(rng));
        for (int k = 0; k < 4; ++k)
            line.record(std::uniform_int_distribution<std::size_t>(0, 39)(rng), value(rng));
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (std::size_t i = 0; i < 40; ++i) {
            if (auto v = line.value(i)) {
                lo = std::min(lo, *v);
                hi = std::max(hi, *v);
            }
        }
        const auto order = line.candidates(1000);
        QCOMPARE(order.size(), 40 - line.measuredCount());
        double maxCurv = 0.0;
        for (std::size_t i : order)
            maxCurv = std::max(maxCurv, line.fit().curvature(i));
        // Zone 0: fitted below the best measurement, best first; zone 1: above the worst, worst
        // first; zone 2: the rest, largest curvature first.
        int zone = 0;
        double previous = 0.0;
        for (std::size_t k = 0; k < order.size(); ++k) {
            const double f = *line.fittedValue(order[k]);
            const int z = f < lo ? 0 : (f > hi ? 1 : 2);
            QVERIFY2(z >= zone, "zones out of order");
            if (z != zone || k == 0) {
                zone = z;
                previous = z == 2 ? line.fit().curvature(order[k]) : f;
                continue;
            }
            if (z == 0)
                QVERIFY(f >= previous);
            else if (z == 1)
                QVERIFY(f <= previous);
            else
                QVERIFY(line.fit().curvature(order[k]) <= previous + 2e-6 * maxCurv + 1e-12);
            previous = z == 2 ? line.fit().curvature(order[k]) : f;
        }
    }

    void stopsWhenTheOptimumHoldsForThreeUpdates()
    {
        DSplineLineSearch line{100, DSplineLineSearch::Mode::Spline, publishedLine()};
        auto f = [](std::size_t i) { return std::cosh((double(i) - 61.0) / 15.0); };
        std::optional<std::size_t> tracked;
        std::size_t unchanged = 0;
        std::size_t measured = 0;
        while (!line.stopped()) {
            const auto next = line.candidates(1);
            QCOMPARE(next.size(), std::size_t(1));
            line.record(next.front(), f(next.front()));
            ++measured;
            if (measured < 4)
                continue; // the first points
            const auto opt = *line.fittedOptimum();
            unchanged = (tracked && *tracked == opt) ? unchanged + 1 : 0;
            tracked = opt;
        }
        QCOMPARE(line.stopReason(), DSplineLineSearch::StopReason::Stable);
        QCOMPARE(unchanged, std::size_t(3));
        QVERIFY(measured < 20);
        QVERIFY(std::abs(double(*line.bestMeasured()) - 61.0) <= 2.0);
        QVERIFY(line.candidates(5).empty());
    }

    void stopsAfterThirtyPoints()
    {
        // A measurement order whose newest point is always the best keeps the optimum moving.
        DSplineLineSearch line{300};
        double v = 0.0;
        while (!line.stopped()) {
            const auto next = line.candidates(1);
            QCOMPARE(next.size(), std::size_t(1));
            line.record(next.front(), v);
            v -= 1.0 + double(next.front() % 7);
        }
        QCOMPARE(line.stopReason(), DSplineLineSearch::StopReason::PointLimit);
        QCOMPARE(line.measuredCount(), std::size_t(30));
    }

    void stopsWhenEveryPointIsMeasured()
    {
        DSplineLineSearch line{5};
        std::set<std::size_t> seen;
        while (!line.stopped()) {
            const auto next = line.candidates(1);
            QVERIFY(seen.insert(next.at(0)).second);
            line.record(next.front(), double(next.front() % 3));
        }
        QCOMPARE(seen.size(), std::size_t(5));
        QCOMPARE(line.stopReason(), DSplineLineSearch::StopReason::AllMeasured);
    }

    void failuresEndALineThatCannotBeFitted()
    {
        DSplineLineSearch line{20};
        line.seed({{7, 3.0}}, {});
        std::set<std::size_t> seen;
        while (!line.stopped()) {
            const auto next = line.candidates(1);
            QVERIFY(seen.insert(next.at(0)).second);
            line.record(next.front(), std::nullopt);
        }
        QCOMPARE(seen, (std::set<std::size_t>{0, 19, 6, 13}));
        QCOMPARE(line.stopReason(), DSplineLineSearch::StopReason::TooFewUsable);
        QCOMPARE(line.usableCount(), std::size_t(1));
    }

    void failedPointsStayOutOfTheFit()
    {
        DSplineLineSearch line{9};
        line.record(0, 1.0);
        line.record(8, 1.0);
        line.record(4, std::nullopt);
        QCOMPARE(line.fit().observations().size(), std::size_t(2));
        QCOMPARE(line.measuredCount(), std::size_t(3));
        const auto c = line.candidates(10);
        QVERIFY(std::find(c.begin(), c.end(), std::size_t(4)) == c.end());
    }

    void parallelCandidatesRespectPendingAndBudget()
    {
        DSplineLineSearch line{200, DSplineLineSearch::Mode::Spline, {0.1, false, 10, 3}};
        auto first = line.candidates(100);
        QCOMPARE(first.size(), std::size_t(10)); // the 30-point rule, here 10, caps a batch
        QCOMPARE(std::vector<std::size_t>(first.begin(), first.begin() + 4), DSplineLineSearch::firstPoints(200));
        for (std::size_t i : first)
            line.markPending(i);
        QVERIFY(line.candidates(5).empty());
        line.record(first[0], 1.0);
        line.record(first[1], 2.0);
        QVERIFY(line.candidates(5).empty()); // budget still held by the pending points
        QCOMPARE(line.pendingCount(), std::size_t(8));
    }

    void categoricalLineIsExhaustive()
    {
        DSplineLineSearch line{4, DSplineLineSearch::Mode::Exhaustive};
        QCOMPARE(line.candidates(10), (std::vector<std::size_t>{0, 1, 2, 3}));
        for (std::size_t i = 0; i < 3; ++i)
            line.record(i, double(i));
        QVERIFY(!line.stopped());
        line.record(3, std::nullopt);
        QCOMPARE(line.stopReason(), DSplineLineSearch::StopReason::AllMeasured);
        QCOMPARE(*line.bestMeasured(), std::size_t(0));
    }

    void automaticAlphaByAbic()
    {
        // Noisy measurements of a smooth curve: ABIC smooths more than the default alpha.
        DSplineLineSearch line{120, DSplineLineSearch::Mode::Spline, {0.1, true, 30, 3}};
        std::mt19937 rng{5};
        std::normal_distribution<double> noise(0.0, 0.5);
        while (!line.stopped()) {
            const auto next = line.candidates(1);
            QCOMPARE(next.size(), std::size_t(1));
            const double x = (double(next.front()) - 80.0) / 20.0;
            line.record(next.front(), x * x + noise(rng));
        }
        QVERIFY(line.fit().alpha() > 0.1);
        QVERIFY(line.measuredCount() <= 30);
        QVERIFY(std::abs(double(*line.fittedOptimum()) - 80.0) <= 15.0);
    }

    void refinementFindsANarrowMinimumAtTheEdge()
    {
        // The published rules fit a curve through ends and thirds that never dips near index 2;
        // bisecting towards the best point walks down to it.
        auto run = [](DSplineLineOptions options) {
            DSplineLineSearch line{700, DSplineLineSearch::Mode::Spline, options};
            while (!line.stopped()) {
                const auto next = line.candidates(1);
                if (next.empty())
                    break;
                line.record(next.front(), narrowEdge(next.front()));
            }
            return std::make_pair(*line.bestMeasured(), line.measuredCount());
        };
        const auto [refinedBest, refinedCount] = run(DSplineLineOptions{});
        QCOMPARE(refinedBest, std::size_t(2));
        QVERIFY2(refinedCount <= 24, qPrintable(QString::number(refinedCount)));
        const auto [publishedBest, publishedCount] = run(publishedLine());
        QVERIFY2(publishedBest != 2, qPrintable(QString::number(publishedCount)));
        qInfo("narrow minimum at the edge: found after %zu points (published rules: best index %zu after %zu)",
              refinedCount, publishedBest, publishedCount);
    }

    void refinementBisectsTowardsTheBest()
    {
        DSplineLineSearch line{100};
        for (std::size_t i : DSplineLineSearch::firstPoints(100))
            line.record(i, std::abs(double(i) - 40.0)); // best measured: 33, measured neighbours 0 and 66
        // Alternating: the published order first (nothing has been measured beyond the first
        // points), then the refinement: the midpoints of the gaps next to 33.
        // The published zones give 36, 37 (fitted below the best); the gaps 0..33 and 33..66 are
        // as wide: the left one first.
        QCOMPARE(line.candidates(4), (std::vector<std::size_t>{36, 17, 37, 49}));
    }

    void doesNotStopBesideAnUnmeasuredNeighbour()
    {
        // A parabola with its minimum at 11.8: the published rules call the line stable at 13 with
        // 12 and 14 unmeasured; with the refinement both neighbours of the best are measured first.
        auto f = [](std::size_t i) { return (double(i) - 11.8) * (double(i) - 11.8); };
        auto run = [&](DSplineLineOptions options) {
            DSplineLineSearch line{40, DSplineLineSearch::Mode::Spline, options};
            while (!line.stopped()) {
                const std::size_t next = line.candidates(1).at(0);
                line.record(next, f(next));
            }
            return line;
        };
        const DSplineLineSearch published = run(publishedLine());
        QCOMPARE(published.stopReason(), DSplineLineSearch::StopReason::Stable);
        QCOMPARE(*published.bestMeasured(), std::size_t(13));
        QVERIFY(!published.value(12) && !published.value(14));
        const DSplineLineSearch refined = run(DSplineLineOptions{});
        QCOMPARE(refined.stopReason(), DSplineLineSearch::StopReason::Stable);
        QCOMPARE(*refined.bestMeasured(), std::size_t(12));
        QVERIFY(refined.value(11) && refined.value(13));
        QVERIFY2(refined.measuredCount() <= 12, qPrintable(QString::number(refined.measuredCount())));
        qInfo("parabola: published rules stop at 13 after %zu points, refined at 12 after %zu",
              published.measuredCount(), refined.measuredCount());
    }

    // ---- The multi-dimensional search ------------------------------------------------------

    void sequentialFindsTheOptimum_data()
    {
        QTest::addColumn<QString>("function");
        QTest::addColumn<int>("maxEvaluations"); // for the whole run, until it stops by itself
        // The run ends with the direction search of every level around the final base: up to
        // 3^5 - 1 = 242 neighbours, fewer at the edge of the grid.
        QTest::addRow("bowl") << u"bowl"_s << 300;
        QTest::addRow("bowl at the edge") << u"bowl at the edge"_s << 156; // 5% of 3125
        QTest::addRow("noisy bowl") << u"noisy bowl"_s << 300;
        QTest::addRow("narrow valley") << u"narrow valley"_s << 300;
    }
    void sequentialFindsTheOptimum()
    {
        QFETCH(QString, function);
        QFETCH(int, maxEvaluations);
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const auto f = objectiveNamed(function);
        Point optimum;
        const double best = minimumOver(space, f, &optimum);
        DSplineSearch s(space, stopAtConvergence());
        const Run run = drive(s, f, 1);
        QVERIFY(!run.repeated);
        QVERIFY(run.exhausted);
        QCOMPARE(run.bestPoint, optimum);
        QCOMPARE(run.best, best);
        QCOMPARE(*s.bestPoint(), optimum);
        // Found within 2% of the grid, and the whole run stays under the bound.
        QVERIFY2(run.firstAtBest <= 62, qPrintable(QString::number(run.firstAtBest)));
        QVERIFY2(run.evaluated.size() <= std::size_t(maxEvaluations),
                 qPrintable(QString::number(run.evaluated.size())));
        qInfo("%s: optimum after %zu evaluations, stopped after %zu of 3125", qPrintable(function), run.firstAtBest,
              run.evaluated.size());
    }

    void shallowOptimumOnA700PointLine()
    {
        const auto space = makeSpace({700});
        const double best = minimumOver(space, batchLoss);
        DSplineSearch s(space, stopAtConvergence());
        const Run run = drive(s, batchLoss, 1);
        QVERIFY(!run.repeated);
        QVERIFY(run.exhausted);
        QVERIFY((run.best - best) / best <= 0.01);
        QVERIFY2(std::abs(double(run.bestPoint[0]) + 1.0 - 210.0) <= 7.0,
                 qPrintable(QString::number(run.bestPoint[0])));
        QVERIFY2(run.evaluated.size() <= 30, qPrintable(QString::number(run.evaluated.size())));
        // The base (centre), its neighbours, then the line's ends and thirds.
        const std::vector<std::size_t> head{349, 350, 348, 0, 699, 233, 466};
        for (std::size_t i = 0; i < head.size(); ++i)
            QCOMPARE(run.proposals.at(i).point, Point{head[i]});
        qInfo("700-point line: %zu evaluations, best at batch size %zu", run.evaluated.size(), run.bestPoint[0] + 1);
    }

    void continuationFindsTheOtherBasin_data()
    {
        QTest::addColumn<int>("jobs");
        QTest::addColumn<int>("maxEvaluations"); // until the optimum is measured
        QTest::addRow("sequential") << 1 << 80;
        QTest::addRow("8 jobs") << 8 << 170; // 8 at a time, most of them speculative
    }
    void continuationFindsTheOtherBasin()
    {
        QFETCH(int, jobs);
        QFETCH(int, maxEvaluations);
        const auto space = twoBasinSpace();
        Point optimum;
        const double best = minimumOver(space, twoBasins, &optimum);
        QCOMPARE(optimum, (Point{0, 3, 2}));
        // The published method stops in adam's basin...
        DSplineSearch stops(space, stopAtConvergence());
        const Run converged = drive(stops, twoBasins, std::size_t(jobs));
        QVERIFY(converged.exhausted);
        QVERIFY(converged.best > best);
        // ...the continuation goes on from there and finds the narrow minimum.
        DSplineSearch s(space);
        const Run run = drive(s, twoBasins, std::size_t(jobs), 0.0, 1, 200);
        QVERIFY(!run.repeated);
        QVERIFY(!run.exhausted);
        QCOMPARE(run.bestPoint, optimum);
        QVERIFY(s.restarts() >= 1);
        QVERIFY2(run.firstAtBest <= std::size_t(maxEvaluations), qPrintable(QString::number(run.firstAtBest)));
        qInfo("%d job(s): the published method stops after %zu evaluations at %.3f; the continuation finds %.3f "
              "after %zu (%d restarts)",
              jobs, converged.evaluated.size(), converged.best, run.best, run.firstAtBest, s.restarts());
    }

    void continuationProposesEveryPointOnce_data()
    {
        QTest::addColumn<int>("jobs");
        QTest::addColumn<double>("failRate");
        QTest::addRow("sequential") << 1 << 0.0;
        QTest::addRow("8 jobs") << 8 << 0.0;
        QTest::newRow("sequential, 30% failures") << 1 << 0.3;
        QTest::newRow("8 jobs, 30% failures") << 8 << 0.3;
    }
    void continuationProposesEveryPointOnce()
    {
        QFETCH(int, jobs);
        QFETCH(double, failRate);
        const auto space = makeSpace({5, 5, 5, 5, 5});
        DSplineSearch s(space);
        const Run run = drive(s, objectiveNamed(u"noisy bowl"_s), std::size_t(jobs), failRate, 4);
        QVERIFY(!run.repeated);
        QVERIFY(run.exhausted);
        QCOMPARE(run.proposals.size(), std::size_t(3125));
        QCOMPARE(run.evaluated.size(), std::size_t(3125));
        // Every free slot gets a point while unproposed points remain: asks fall short only in
        // the last `jobs` proposals.
        for (std::size_t at : run.idleAt)
            QVERIFY2(at + std::size_t(jobs) >= 3125, qPrintable(u"idle at %1"_s.arg(at)));
        QCOMPARE(run.maxPending, std::size_t(jobs));
        QVERIFY(s.restarts() >= 1);
    }

    void parallelFillsEverySlotAfterConvergence()
    {
        // The 700-point line: the published search converges after a few dozen points and then
        // idles while it drains; the continuation keeps all 8 slots busy.
        const auto space = makeSpace({700});
        DSplineSearch s(space);
        std::vector<Point> pending;
        std::set<Point> seen;
        std::size_t told = 0;
        for (int step = 0; step < 300; ++step) {
            const auto batch = s.ask(8 - pending.size());
            QCOMPARE(batch.size(), 8 - pending.size());
            for (const auto& p : batch) {
                QVERIFY(seen.insert(p.point).second);
                QVERIFY(p.labels.stage >= 1 && p.labels.batch >= 1);
                pending.push_back(p.point);
            }
            const Point p = pending.front(); // oldest first
            pending.erase(pending.begin());
            s.tell(p, Outcome::success(batchLoss(p)));
            ++told;
        }
        QCOMPARE(told, std::size_t(300));
        QCOMPARE(seen.size(), std::size_t(307));
        QVERIFY(!s.exhausted());
    }

    void restartLabels()
    {
        // Each restart is a new batch that begins again at stage 1; stages stay within 1..D.
        const auto space = twoBasinSpace();
        DSplineSearch s(space);
        int batch = 0, restarts = 0;
        for (int i = 0; i < 400; ++i) {
            auto proposals = s.ask(1);
            QCOMPARE(proposals.size(), std::size_t(1));
            const auto& p = proposals.front();
            QVERIFY(p.labels.stage >= 1 && p.labels.stage <= int(s.maxLevel()));
            QVERIFY(p.labels.batch >= batch);
            if (s.restarts() > restarts) { // restarted since the last proposal
                QCOMPARE(p.labels.stage, 1);
                QVERIFY(p.labels.batch > batch);
                restarts = s.restarts();
            }
            batch = p.labels.batch;
            s.tell(p.point, Outcome::success(twoBasins(p.point)));
        }
        QVERIFY2(restarts >= 5, qPrintable(QString::number(restarts)));
    }

    void lineThroughTheBestNeighbourStartsWithEndsAndThirds()
    {
        // 2-D: the best neighbour of the centre is along the second axis.
        const auto space = makeSpace({9, 31});
        auto f = [](const Point& p) {
            return std::abs(double(p[0]) - 4.0) + 0.1 * (double(p[1]) - 25.0) * (double(p[1]) - 25.0);
        };
        DSplineSearch s(space);
        std::vector<Point> order;
        for (int i = 0; i < 9; ++i) {
            auto batch = s.ask(1);
            QCOMPARE(batch.size(), std::size_t(1));
            order.push_back(batch.front().point);
            s.tell(batch.front().point, Outcome::success(f(batch.front().point)));
        }
        const std::vector<Point> expected{{4, 15}, {5, 15}, {3, 15}, {4, 16}, {4, 14}, // base, probes
                                          {4, 0},  {4, 30}, {4, 10}, {4, 20}};         // ends, thirds
        QCOMPARE(order, expected);
    }

    void labelsAndStagesInOrder()
    {
        const auto space = makeSpace({5, 5, 5, 5, 5});
        DSplineSearch s(space, stopAtConvergence());
        const auto f = objectiveNamed(u"bowl"_s);
        int stage = 1, batch = 1;
        Point lastBase = s.base();
        std::size_t lastLevel = s.level();
        std::set<int> stagesSeen;
        while (!s.exhausted()) {
            auto proposals = s.ask(1);
            if (proposals.empty())
                break;
            const auto& p = proposals.front();
            QVERIFY(p.labels.stage >= stage); // stages go 1..D in order
            QVERIFY(p.labels.batch >= batch);
            // A new batch exactly when the base moved or the level widened.
            QCOMPARE(p.labels.batch != batch, s.base() != lastBase || s.level() != lastLevel);
            if (p.labels.stage > stage) {
                // The direction search of a widened level: neighbours changing exactly k axes.
                QCOMPARE(nonzeroSteps(p.labels.direction), p.labels.stage);
            }
            QCOMPARE(std::count(p.labels.direction.begin(), p.labels.direction.end(), ','), std::ptrdiff_t(4));
            QVERIFY(nonzeroSteps(p.labels.direction) <= p.labels.stage);
            stage = p.labels.stage;
            batch = p.labels.batch;
            lastBase = s.base();
            lastLevel = s.level();
            stagesSeen.insert(stage);
            s.tell(p.point, Outcome::success(f(p.point)));
        }
        QCOMPARE(stagesSeen, (std::set<int>{1, 2, 3, 4, 5}));
        QCOMPARE(s.phase(), DSplineSearch::Phase::Stopped);
        QVERIFY(s.ask(4).empty());
    }

    void randomFailuresStillTerminate_data()
    {
        QTest::addColumn<int>("jobs");
        QTest::addColumn<int>("seed");
        for (int jobs : {1, 8}) {
            for (int seed = 1; seed <= 3; ++seed)
                QTest::addRow("%d job(s), seed %d", jobs, seed) << jobs << seed;
        }
    }
    void randomFailuresStillTerminate()
    {
        QFETCH(int, jobs);
        QFETCH(int, seed);
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const auto f = objectiveNamed(u"bowl"_s);
        DSplineSearch s(space, stopAtConvergence());
        const Run run = drive(s, f, std::size_t(jobs), 0.2, unsigned(seed));
        QVERIFY(!run.repeated);
        QVERIFY(run.exhausted);
        QVERIFY2(run.evaluated.size() < 700, qPrintable(QString::number(run.evaluated.size())));
        QVERIFY2(run.best <= 1.0 + 3.0, qPrintable(QString::number(run.best))); // at most one cheap step off
    }

    void parallelKeepsEverySlotBusy_data()
    {
        QTest::addColumn<QString>("function");
        QTest::addRow("bowl") << u"bowl"_s;
        QTest::addRow("noisy bowl") << u"noisy bowl"_s;
        QTest::addRow("narrow valley") << u"narrow valley"_s;
    }
    void parallelKeepsEverySlotBusy()
    {
        QFETCH(QString, function);
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const auto f = objectiveNamed(function);
        Point optimum;
        minimumOver(space, f, &optimum);
        DSplineSearch s(space, stopAtConvergence());
        const Run run = drive(s, f, 8, 0.0, 11);
        QVERIFY(!run.repeated);
        QVERIFY(run.exhausted);
        QCOMPARE(run.maxPending, std::size_t(8));
        QCOMPARE(run.bestPoint, optimum); // the same quality as the sequential search
        // A slot is left idle only while the final round drains: in the last 8 evaluations.
        for (std::size_t at : run.idleAt)
            QVERIFY2(at + 8 >= run.evaluated.size(),
                     qPrintable(u"idle at %1 of %2"_s.arg(at).arg(run.evaluated.size())));
        qInfo("%s with 8 jobs: optimum after %zu evaluations, stopped after %zu", qPrintable(function), run.firstAtBest,
              run.evaluated.size());
    }

    void parallelOnTheLongLine()
    {
        const auto space = makeSpace({700});
        const double best = minimumOver(space, batchLoss);
        DSplineSearch s(space, stopAtConvergence());
        const Run run = drive(s, batchLoss, 8, 0.0, 3);
        QVERIFY(!run.repeated && run.exhausted);
        QVERIFY((run.best - best) / best <= 0.01);
        for (std::size_t at : run.idleAt)
            QVERIFY(at + 8 >= run.evaluated.size());
        QVERIFY(run.evaluated.size() <= 60);
    }

    void parallelLinesRunRoundRobin()
    {
        const auto space = makeSpace({21, 21, 21});
        DSplineSearch s(space);
        auto first = s.ask(1 + 6 + 6);
        QCOMPARE(first.size(), std::size_t(13));
        QCOMPARE(first[0].point, (Point{10, 10, 10}));
        // Then the 6 probes, then one point per line in turn (each line's first end).
        const std::vector<Point> lineStarts{first[7].point, first[8].point, first[9].point};
        QCOMPARE(lineStarts, (std::vector<Point>{{0, 10, 10}, {10, 0, 10}, {10, 10, 0}}));
        QCOMPARE(first[10].point, (Point{20, 10, 10}));
        for (const auto& p : first)
            QCOMPARE(p.labels.batch, 1);
    }

    void restoreMidRunContinuesWithoutRepeats_data()
    {
        QTest::addColumn<int>("jobs");
        QTest::addColumn<int>("cut");
        for (int jobs : {1, 8}) {
            for (int cut : {1, 5, 23, 60, 150})
                QTest::addRow("%d job(s), cut after %d", jobs, cut) << jobs << cut;
        }
    }
    void restoreMidRunContinuesWithoutRepeats()
    {
        QFETCH(int, jobs);
        QFETCH(int, cut);
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const auto f = objectiveNamed(u"narrow valley"_s);

        // The interrupted run: `cut` results, the rest of its proposals still pending.
        DSplineSearch first(space);
        std::vector<HistoryEntry> history;
        std::vector<std::size_t> pendingIdx;
        std::mt19937 rng{std::uint32_t(cut)};
        std::size_t told = 0;
        while (told < std::size_t(cut)) {
            for (auto& p : first.ask(std::size_t(jobs) - pendingIdx.size())) {
                pendingIdx.push_back(history.size());
                history.push_back({p, std::nullopt});
            }
            QVERIFY(!pendingIdx.empty());
            const std::size_t k = std::uniform_int_distribution<std::size_t>(0, pendingIdx.size() - 1)(rng);
            auto& entry = history[pendingIdx[k]];
            pendingIdx.erase(pendingIdx.begin() + std::ptrdiff_t(k));
            entry.outcome = (told % 9 == 4) ? Outcome::failure() : Outcome::success(f(entry.proposal.point));
            first.tell(entry.proposal.point, *entry.outcome);
            ++told;
        }

        DSplineSearch resumed(space);
        resumed.restore(history);
        std::set<Point> seen;
        int lastBatch = 0;
        for (const auto& h : history) {
            QVERIFY(seen.insert(h.proposal.point).second);
            lastBatch = std::max(lastBatch, h.proposal.labels.batch);
        }
        // The jobs still running report in, interleaved with new proposals.
        std::vector<Point> running;
        running.reserve(pendingIdx.size());
        for (std::size_t i : pendingIdx)
            running.push_back(history[i].proposal.point);
        double best = std::numeric_limits<double>::infinity();
        for (const auto& h : history) {
            if (h.outcome && !h.outcome->failed)
                best = std::min(best, h.outcome->value);
        }
        for (int guard = 0; guard < 5000; ++guard) {
            auto batch = resumed.ask(std::size_t(jobs) - std::min<std::size_t>(running.size(), std::size_t(jobs)));
            for (const auto& p : batch) {
                QVERIFY2(seen.insert(p.point).second, ("repeated after restore: " + space.describe(p.point)).c_str());
                QVERIFY(p.labels.batch > lastBatch);
                running.push_back(p.point);
            }
            if (running.empty())
                break;
            const Point p = running.front();
            running.erase(running.begin());
            const double v = f(p);
            best = std::min(best, v);
            resumed.tell(p, Outcome::success(v));
        }
        QVERIFY(resumed.exhausted());
        // The optimum, unless it was one of the injected failures of the history.
        bool optimumFailed = false;
        for (const auto& h : history)
            optimumFailed = optimumFailed || (h.outcome && h.outcome->failed && f(h.proposal.point) == 0.0);
        QVERIFY(best == 0.0 || optimumFailed);
    }

    void sequentialRestoreIsExact()
    {
        // One job at a time: the resumed run proposes exactly what the uninterrupted one does.
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const auto f = objectiveNamed(u"noisy bowl"_s);
        for (std::size_t cut : {3u, 17u, 40u, 120u}) {
            DSplineSearch original(space);
            std::vector<HistoryEntry> history;
            for (std::size_t i = 0; i < cut; ++i) {
                auto p = original.ask(1).at(0);
                const bool last = i + 1 == cut; // still running at the interruption
                std::optional<Outcome> outcome;
                if (!last) {
                    outcome = Outcome::success(f(p.point));
                    original.tell(p.point, *outcome);
                }
                history.push_back({p, outcome});
            }
            DSplineSearch resumed(space);
            resumed.restore(history);
            QCOMPARE(resumed.base(), original.base());
            QCOMPARE(resumed.level(), original.level());
            const Point running = history.back().proposal.point;
            original.tell(running, Outcome::success(f(running)));
            resumed.tell(running, Outcome::success(f(running)));
            while (!original.exhausted()) {
                const auto a = original.ask(1);
                const auto b = resumed.ask(1);
                QCOMPARE(a.size(), b.size());
                if (a.empty())
                    break;
                QCOMPARE(b.front().point, a.front().point);
                QCOMPARE(b.front().labels.stage, a.front().labels.stage);
                QCOMPARE(b.front().labels.direction, a.front().labels.direction);
                // The resumed run numbers its batches after the history's: a constant offset.
                QCOMPARE(b.front().labels.batch - a.front().labels.batch, resumed.batch() - original.batch());
                original.tell(a.front().point, Outcome::success(f(a.front().point)));
                resumed.tell(b.front().point, Outcome::success(f(b.front().point)));
            }
            QVERIFY(resumed.exhausted());
        }
    }

    void categoricalValuesAreMeasuredExhaustively()
    {
        const SearchSpace space = mixedSpace();
        auto f = [](const Point& p) {
            const double solverCost[4] = {3.0, 0.0, 5.0, 1.0};
            return (double(p[0]) - 5.0) * (double(p[0]) - 5.0) + solverCost[p[1]]
                + 0.5 * (double(p[2]) - 1.0) * (double(p[2]) - 1.0);
        };
        Point optimum;
        minimumOver(space, f, &optimum);
        for (std::size_t jobs : {1u, 4u}) {
            DSplineSearch s(space, stopAtConvergence());
            const Run run = drive(s, f, jobs);
            QVERIFY(!run.repeated && run.exhausted);
            QCOMPARE(run.bestPoint, optimum);
            // The categorical axis never takes part in a diagonal direction.
            for (const auto& p : run.proposals) {
                if (nonzeroSteps(p.labels.direction) >= 2)
                    QCOMPARE(p.labels.direction.substr(3, 2), std::string("+0"));
            }
            QCOMPARE(s.maxLevel(), std::size_t(2)); // two ordinal axes
        }
        // The first round measures every solver around the base: the whole categorical line.
        DSplineSearch s(space);
        const auto batch = s.ask(20);
        std::set<std::size_t> solvers;
        for (const auto& p : batch) {
            if (p.point[0] == 3 && p.point[2] == 2)
                solvers.insert(p.point[1]);
        }
        QCOMPARE(solvers.size(), std::size_t(4));
    }

    void everythingFailingWalksTheWholeGrid_data()
    {
        QTest::addColumn<int>("jobs");
        QTest::addRow("sequential") << 1;
        QTest::addRow("3 jobs") << 3;
    }
    void everythingFailingWalksTheWholeGrid()
    {
        QFETCH(int, jobs);
        const auto space = makeSpace({3, 4, 2});
        DSplineSearch s(space);
        std::set<Point> seen;
        for (int round = 0; round < 100 && !s.exhausted(); ++round) {
            auto batch = s.ask(std::size_t(jobs));
            QCOMPARE(batch.size(), std::min<std::size_t>(std::size_t(jobs), 24 - seen.size()));
            for (const auto& p : batch) {
                QVERIFY(seen.insert(p.point).second);
                QVERIFY(p.labels.batch >= 1 && p.labels.stage >= 1);
            }
            for (const auto& p : batch)
                s.tell(p.point, Outcome::failure());
        }
        QCOMPARE(seen.size(), std::size_t(24));
        QVERIFY(s.exhausted());
        QVERIFY(s.ask(3).empty());
    }

    void prunedPointsCountAsFailures()
    {
        // A pruned trial's value is where it stood when stopped, not a final value: the search must
        // go exactly as if it had failed, however low that value. Pruned: every point with p0 = 1.
        const auto space = makeSpace({5, 5, 5, 5, 5});
        const Point centre{3, 1, 2, 4, 1};
        const auto proposalsWith = [&](const Outcome& stopped) {
            DSplineSearch s(space);
            std::vector<Point> out;
            while (!s.exhausted() && out.size() < 400) {
                const auto batch = s.ask(2);
                if (batch.empty())
                    break;
                for (const auto& p : batch) {
                    out.push_back(p.point);
                    s.tell(p.point, p.point[0] == 1 ? stopped : Outcome::success(bowl(p.point, centre)));
                }
            }
            if (const auto best = s.bestPoint())
                out.push_back(*best);
            return out;
        };
        const auto pruned = proposalsWith(Outcome::prunedAt(3, -100.0));
        QVERIFY(std::any_of(pruned.begin(), pruned.end() - 1, [](const Point& p) { return p[0] == 1; }));
        QVERIFY(pruned.back()[0] != 1); // the best point is never a pruned one
        QCOMPARE(pruned, proposalsWith(Outcome::failure()));
    }

    void firstSuccessAfterFailuresRestartsTheSearch()
    {
        const auto space = makeSpace({9, 9});
        DSplineSearch s(space);
        auto f = [](const Point& p) { return double(p[0] + p[1]); };
        // Only the corner region works.
        std::size_t evaluations = 0;
        while (!s.exhausted() && evaluations < 200) {
            auto batch = s.ask(1);
            if (batch.empty())
                break;
            const Point& p = batch.front().point;
            ++evaluations;
            if (p[0] < 2 && p[1] < 2)
                s.tell(p, Outcome::success(f(p)));
            else
                s.tell(p, Outcome::failure());
        }
        QVERIFY(s.exhausted());
        QCOMPARE(*s.bestPoint(), (Point{0, 0}));
    }

    void singlePointAndDegenerateDimensions()
    {
        DSplineSearch one(makeSpace({1, 1}));
        auto batch = one.ask(5);
        QCOMPARE(batch.size(), std::size_t(1));
        QCOMPARE(batch.front().labels.direction, std::string("+0,+0"));
        QVERIFY(!one.exhausted());
        one.tell(batch.front().point, Outcome::success(1.0));
        QVERIFY(one.exhausted());

        // A dimension with one candidate never moves.
        DSplineSearch s(makeSpace({5, 1, 5}));
        const Run run = drive(
            s, [](const Point& p) { return std::abs(double(p[0]) - 1) + std::abs(double(p[2]) - 4); }, 2);
        QVERIFY(!run.repeated && run.exhausted);
        QCOMPARE(run.bestPoint, (Point{1, 0, 4}));
    }

    void askZeroChangesNothing()
    {
        DSplineSearch s(makeSpace({5, 5}));
        QVERIFY(s.ask(0).empty());
        QVERIFY(!s.exhausted());
        QCOMPARE(s.ask(1).front().point, (Point{2, 2}));
    }

    void startsAtTheDefaults()
    {
        DSplineSearch s(makeSpace({5, 6, 7}, {4, -1, 0}));
        QCOMPARE(s.ask(1).front().point, (Point{4, 2, 0}));
    }
};

QTEST_GUILESS_MAIN(TestDSplineSearch)
#include "tst_dsplinesearch.moc"
