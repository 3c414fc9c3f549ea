// The d-Spline fit: the banded Givens solver against dense least squares, incremental against
// batch, the rank-deficient cases, and the ABIC choice of alpha.
#include "tuning/dsplinefit.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace Qt::StringLiterals;

using sweepline::tuning::DSplineFit;

namespace {

using Obs = std::vector<DSplineFit::Observation>;

// The exact minimiser computed another way: the dense normal equations
// (E^T E + alpha^2 D^T D) f = E^T y over all markers, solved by Gaussian elimination with partial
// pivoting in extended precision (the normal equations square the condition number).
std::vector<long double> denseSolve(std::size_t candidates, double alpha, const Obs& obs)
{
    const std::size_t m = 3 * (candidates - 1) + 1 + 4;
    std::vector<std::vector<long double>> a(m, std::vector<long double>(m + 1, 0.0L));
    const long double a2 = static_cast<long double>(alpha) * alpha;
    for (std::size_t i = 0; i + 2 < m; ++i) {
        const std::size_t idx[3] = {i, i + 1, i + 2};
        const long double w[3] = {1.0L, -2.0L, 1.0L};
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c)
                a[idx[r]][idx[c]] += a2 * w[r] * w[c];
        }
    }
    for (const auto& o : obs) {
        const std::size_t k = DSplineFit::markerOf(o.candidate);
        a[k][k] += 1.0L;
        a[k][m] += o.value;
    }
    for (std::size_t col = 0; col < m; ++col) {
        std::size_t piv = col;
        for (std::size_t r = col + 1; r < m; ++r) {
            if (std::fabs(a[r][col]) > std::fabs(a[piv][col]))
                piv = r;
        }
        std::swap(a[col], a[piv]);
        for (std::size_t r = col + 1; r < m; ++r) {
            const long double f = a[r][col] / a[col][col];
            if (f == 0.0L)
                continue;
            for (std::size_t c = col; c <= m; ++c)
                a[r][c] -= f * a[col][c];
        }
    }
    std::vector<long double> x(m, 0.0L);
    for (std::size_t i = m; i-- > 0;) {
        long double s = a[i][m];
        for (std::size_t c = i + 1; c < m; ++c)
            s -= a[i][c] * x[c];
        x[i] = s / a[i][i];
    }
    return x;
}

long double denseObjective(const std::vector<long double>& f, double alpha, const Obs& obs)
{
    long double s = 0.0L;
    for (const auto& o : obs) {
        const long double r = o.value - f[DSplineFit::markerOf(o.candidate)];
        s += r * r;
    }
    for (std::size_t i = 0; i + 2 < f.size(); ++i) {
        const long double d = f[i] - 2.0L * f[i + 1] + f[i + 2];
        s += static_cast<long double>(alpha) * alpha * d * d;
    }
    return s;
}

double maxRelativeError(const std::vector<double>& got, const std::vector<long double>& want)
{
    long double scale = 1.0L;
    for (auto v : want)
        scale = std::max(scale, std::fabs(v));
    long double err = 0.0L;
    for (std::size_t i = 0; i < want.size(); ++i)
        err = std::max(err, std::fabs(static_cast<long double>(got[i]) - want[i]));
    return static_cast<double>(err / scale);
}

// A random measured subset (at least 2 distinct candidates), some measured twice, random values.
Obs randomObservations(std::size_t n, std::mt19937& rng)
{
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    const std::size_t distinct = std::uniform_int_distribution<std::size_t>(2, n)(rng);
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    std::bernoulli_distribution repeat(0.25);
    Obs obs;
    for (std::size_t i = 0; i < distinct; ++i) {
        obs.push_back({order[i], value(rng)});
        if (repeat(rng))
            obs.push_back({order[i], value(rng)});
    }
    std::shuffle(obs.begin(), obs.end(), rng);
    return obs;
}

DSplineFit fitOf(std::size_t n, double alpha, const Obs& obs)
{
    DSplineFit fit(n, alpha);
    for (const auto& o : obs)
        fit.add(o.candidate, o.value);
    return fit;
}

} // namespace

class TestDSplineFit : public QObject {
    Q_OBJECT

private slots:
    void markerLayout_data()
    {
        QTest::addColumn<int>("n");
        for (int n : {1, 2, 5, 700})
            QTest::addRow("N=%d", n) << n;
    }
    void markerLayout()
    {
        QFETCH(int, n);
        DSplineFit fit{std::size_t(n)};
        QCOMPARE(fit.markerCount(), std::size_t((n - 1) * 3 + 1 + 4));
        QCOMPARE(DSplineFit::markerOf(0), std::size_t(2));
        QCOMPARE(DSplineFit::markerOf(std::size_t(n - 1)), fit.markerCount() - 3);
        QCOMPARE(fit.alpha(), 0.1);
        QVERIFY(!fit.hasFit());
        QVERIFY(fit.markerValues().empty());
    }

    void matchesDenseLeastSquares_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<double>("alpha");
        QTest::addColumn<int>("seed");
        for (int n = 3; n <= 12; ++n) {
            for (double alpha : {0.01, 0.1, 1.0, 10.0}) {
                for (int seed = 1; seed <= 3; ++seed)
                    QTest::addRow("N=%d alpha=%g seed=%d", n, alpha, seed) << n << alpha << seed;
            }
        }
    }
    void matchesDenseLeastSquares()
    {
        QFETCH(int, n);
        QFETCH(double, alpha);
        QFETCH(int, seed);
        std::mt19937 rng{std::uint32_t(seed * 1000 + n)};
        const Obs obs = randomObservations(std::size_t(n), rng);
        const DSplineFit fit = fitOf(std::size_t(n), alpha, obs);
        const auto want = denseSolve(std::size_t(n), alpha, obs);
        const auto& got = fit.markerValues();
        QCOMPARE(got.size(), want.size());
        const double err = maxRelativeError(got, want);
        QVERIFY2(err < 1e-9, qPrintable(u"relative error %1"_s.arg(err)));
        // The rotated-out right-hand side is the minimum of the objective.
        const long double objective = denseObjective(want, alpha, obs);
        QVERIFY(std::fabs(static_cast<long double>(fit.objective()) - objective) <= 1e-9L * std::max(1.0L, objective));
        // Fitted values at candidates are read at their markers.
        for (std::size_t c = 0; c < std::size_t(n); ++c)
            QCOMPARE(fit.value(c), got[DSplineFit::markerOf(c)]);
    }

    void incrementalEqualsBatch_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<double>("alpha");
        QTest::addRow("N=8 alpha=0.1") << 8 << 0.1;
        QTest::addRow("N=12 alpha=0.01") << 12 << 0.01;
        QTest::addRow("N=40 alpha=1") << 40 << 1.0;
        QTest::addRow("N=700 alpha=0.1") << 700 << 0.1;
    }
    void incrementalEqualsBatch()
    {
        QFETCH(int, n);
        QFETCH(double, alpha);
        std::mt19937 rng{std::uint32_t(n)};
        std::uniform_int_distribution<int> pick(0, n - 1);
        std::uniform_real_distribution<double> value(-3.0, 3.0);
        DSplineFit incremental(std::size_t(n), alpha);
        Obs so_far;
        for (int step = 0; step < 25; ++step) {
            const DSplineFit::Observation o{std::size_t(pick(rng)), value(rng)};
            so_far.push_back(o);
            incremental.add(o.candidate, o.value);
            if (!incremental.hasFit())
                continue;
            // Batch: a new fit from all rows, and a refactorisation of the same object.
            const DSplineFit batch = fitOf(std::size_t(n), alpha, so_far);
            DSplineFit refactored = incremental;
            refactored.setAlpha(alpha);
            const auto& a = incremental.markerValues();
            for (const DSplineFit* other : {&batch, static_cast<const DSplineFit*>(&refactored)}) {
                const auto& b = other->markerValues();
                QCOMPARE(a.size(), b.size());
                double scale = 1.0, err = 0.0;
                for (std::size_t i = 0; i < a.size(); ++i) {
                    scale = std::max(scale, std::abs(b[i]));
                    err = std::max(err, std::abs(a[i] - b[i]));
                }
                QVERIFY2(err <= 1e-10 * scale, qPrintable(u"step %1: %2"_s.arg(step).arg(err)));
                QVERIFY(std::abs(incremental.objective() - other->objective())
                        <= 1e-10 * std::max(1.0, other->objective()));
            }
        }
    }

    void noMeasurementNoFit()
    {
        DSplineFit fit(6);
        QVERIFY(!fit.hasFit());
        QCOMPARE(fit.distinctCount(), std::size_t(0));
        QVERIFY(fit.candidateValues().empty());
        QCOMPARE(fit.curvature(3), 0.0);
        QVERIFY(!fit.abic());
    }

    // One distinct candidate leaves the line through it undetermined: the fit is the constant.
    void oneMeasurementIsConstant_data()
    {
        QTest::addColumn<int>("candidate");
        QTest::addRow("first") << 0;
        QTest::addRow("middle") << 4;
        QTest::addRow("last") << 9;
    }
    void oneMeasurementIsConstant()
    {
        QFETCH(int, candidate);
        DSplineFit fit(10);
        fit.add(std::size_t(candidate), 2.5);
        QVERIFY(fit.hasFit());
        for (double v : fit.markerValues())
            QCOMPARE(v, 2.5);
        QCOMPARE(fit.objective(), 0.0);
        fit.add(std::size_t(candidate), 3.5); // repeated: the mean
        QCOMPARE(fit.distinctCount(), std::size_t(1));
        for (double v : fit.markerValues())
            QCOMPARE(v, 3.0);
        QVERIFY(std::abs(fit.objective() - 0.5) < 1e-12);
    }

    // Two distinct candidates: the exact straight line through them, buffers included.
    void twoMeasurementsAreLinear_data()
    {
        QTest::addColumn<int>("a");
        QTest::addColumn<int>("b");
        QTest::addColumn<double>("alpha");
        QTest::addRow("ends") << 0 << 6 << 0.1;
        QTest::addRow("neighbours") << 3 << 4 << 0.1;
        QTest::addRow("reversed, stiff") << 5 << 1 << 100.0;
        QTest::addRow("loose") << 2 << 4 << 1e-5;
    }
    void twoMeasurementsAreLinear()
    {
        QFETCH(int, a);
        QFETCH(int, b);
        QFETCH(double, alpha);
        DSplineFit fit(7, alpha);
        fit.add(std::size_t(a), 1.0);
        fit.add(std::size_t(b), -2.0);
        const double ma = double(DSplineFit::markerOf(std::size_t(a)));
        const double mb = double(DSplineFit::markerOf(std::size_t(b)));
        const auto& f = fit.markerValues();
        for (std::size_t i = 0; i < f.size(); ++i) {
            const double want = 1.0 + (-3.0) * (double(i) - ma) / (mb - ma);
            QVERIFY2(std::abs(f[i] - want) < 1e-9, qPrintable(u"marker %1"_s.arg(i)));
        }
        QVERIFY(std::abs(fit.objective()) < 1e-18);
        for (std::size_t c = 0; c < 7; ++c)
            QVERIFY(fit.curvature(c) < 1e-9);
    }

    void curvatureIsTheSecondDifferenceAtTheMarker()
    {
        DSplineFit fit(5, 0.01);
        for (std::size_t c = 0; c < 5; ++c)
            fit.add(c, double(c) * double(c));
        const auto& f = fit.markerValues();
        for (std::size_t c = 0; c < 5; ++c) {
            const std::size_t m = DSplineFit::markerOf(c);
            QCOMPARE(fit.curvature(c), std::abs(f[m - 1] - 2 * f[m] + f[m + 1]));
        }
        // Nearly interpolating a parabola (2/9 per marker step) with free ends, like a natural
        // spline: curved inside, straight at the ends, symmetric.
        QVERIFY(std::abs(fit.curvature(2) - 2.0 / 9.0) < 0.05);
        QVERIFY(std::abs(fit.curvature(1) - fit.curvature(3)) < 1e-9);
        QVERIFY(fit.curvature(0) < 1e-3 && fit.curvature(4) < 1e-3);
    }

    void abicPrefersMoreSmoothingForNoisyData()
    {
        const std::size_t n = 30;
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0.0, 1.0);
        DSplineFit exact(n);
        DSplineFit noisy(n);
        for (std::size_t c = 0; c < n; ++c) {
            const double x = double(c);
            exact.add(c, 3.0 * std::sin(0.7 * x));                     // wiggly, no noise
            noisy.add(c, 0.02 * (x - 12.0) * (x - 12.0) + noise(rng)); // smooth trend, noisy
        }
        const double alphaExact = exact.chooseAlphaByAbic();
        const double alphaNoisy = noisy.chooseAlphaByAbic();
        QVERIFY2(alphaNoisy > 100.0 * alphaExact, qPrintable(u"exact %1, noisy %2"_s.arg(alphaExact).arg(alphaNoisy)));
        QVERIFY(alphaExact >= 1e-5 && alphaNoisy <= 1e5);
        QCOMPARE(noisy.alpha(), alphaNoisy);
        // The choice is a minimum of ABIC along log10(alpha).
        const double at = *noisy.abic();
        for (double factor : {0.8, 1.25}) {
            DSplineFit probe = noisy;
            probe.setAlpha(alphaNoisy * factor);
            QVERIFY(*probe.abic() >= at - 1e-9);
        }
    }

    void abicNeedsThreeObservations()
    {
        DSplineFit fit(5);
        fit.add(0, 1.0);
        fit.add(4, 2.0);
        QVERIFY(!fit.abic());
        QCOMPARE(fit.chooseAlphaByAbic(), 0.1); // unchanged
        fit.add(2, 0.0);
        QVERIFY(fit.abic());
    }
};

QTEST_GUILESS_MAIN(TestDSplineFit)
#include "tst_dsplinefit.moc"
