#include "gui/charts/figuredata.h"

#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::gui::figures;
using model::Direction;

Q_DECLARE_METATYPE(sweepline::gui::figures::LabelRun)
Q_DECLARE_METATYPE(sweepline::gui::figures::Interval)

namespace {

QList<LabelledTrial> labelled(const QList<int>& labels, qint64 firstId = 1)
{
    QList<LabelledTrial> trials;
    for (int i = 0; i < labels.size(); ++i)
        trials.append({firstId + i, labels.at(i)});
    return trials;
}

model::Parameter parameter(const QString& name, model::ParameterType type, const QVariantList& candidates,
                           int defaultIndex)
{
    model::Parameter p;
    p.name = name;
    p.type = type;
    p.candidates = candidates;
    p.listedValues = candidates;
    if (defaultIndex >= 0) {
        p.defaultIndex = defaultIndex;
        p.defaultValue = candidates.at(defaultIndex);
    }
    return p;
}

model::Campaign campaignWithDefaults(int lrDefault = 1)
{
    model::Campaign c;
    c.parameters = {
        parameter(u"hidden"_s, model::ParameterType::Int, {qint64(8), qint64(16)}, 1),
        parameter(u"lr"_s, model::ParameterType::Float, {0.0001, 0.1 * 0.01}, lrDefault),
        parameter(u"solver"_s, model::ParameterType::Choice, {u"sgd"_s, u"adam"_s}, 1),
    };
    return c;
}

} // namespace

class TestFigureData : public QObject {
    Q_OBJECT
private slots:
    void consecutiveRuns_data();
    void consecutiveRuns();
    void bracketLines_data();
    void bracketLines();
    void stageNames();
    void restartsAreWhereTheStageFalls();
    void bestOfEachRun_data();
    void bestOfEachRun();
    void bestIndex();
    void defaultConfiguration_data();
    void defaultConfiguration();
    void concurrency_data();
    void concurrency();
    void paddedRange_data();
    void paddedRange();
    void paddedLogRangePadsInLogSpace();
    void niceStep_data();
    void niceStep();
    void timeUnits_data();
    void timeUnits();
    void jitterStaysInItsStrip();
    void defaultCurves_data();
    void defaultCurves();
};

void TestFigureData::consecutiveRuns_data()
{
    QTest::addColumn<QList<int>>("labels");
    QTest::addColumn<QList<LabelRun>>("runs");
    QTest::addRow("empty") << QList<int>{} << QList<LabelRun>{};
    QTest::addRow("batches of three") << QList<int>{1, 1, 1, 2, 2, 2, 3}
                                      << QList<LabelRun>{{1, 1, 3, 3}, {2, 4, 6, 3}, {3, 7, 7, 1}};
    QTest::addRow("unlabelled trials form no run") << QList<int>{0, 0, 1, 1, 0} << QList<LabelRun>{{1, 3, 4, 2}};
    QTest::addRow("an unlabelled trial does not split a run") << QList<int>{2, 0, 2} << QList<LabelRun>{{2, 1, 3, 2}};
    QTest::addRow("a label that comes back is a new run")
        << QList<int>{1, 2, 1} << QList<LabelRun>{{1, 1, 1, 1}, {2, 2, 2, 1}, {1, 3, 3, 1}};
}

void TestFigureData::consecutiveRuns()
{
    QFETCH(QList<int>, labels);
    QFETCH(QList<LabelRun>, runs);
    QCOMPARE(gui::figures::consecutiveRuns(labelled(labels)), runs);
}

void TestFigureData::bracketLines_data()
{
    QTest::addColumn<QList<int>>("labels");
    QTest::addColumn<QList<double>>("lines");
    QTest::addRow("adjacent batches share a line") << QList<int>{1, 1, 2, 2, 2} << QList<double>{0.5, 2.5, 5.5};
    QTest::addRow("single-trial batches are not bracketed") << QList<int>{1, 2, 3, 3, 4} << QList<double>{2.5, 4.5};
    QTest::addRow("sequential search has no brackets") << QList<int>{1, 2, 3} << QList<double>{};
    QTest::addRow("gap of unlabelled trials") << QList<int>{1, 1, 0, 0, 2, 2} << QList<double>{0.5, 2.5, 4.5, 6.5};
}

void TestFigureData::bracketLines()
{
    QFETCH(QList<int>, labels);
    QFETCH(QList<double>, lines);
    const QList<Range> brackets = batchBrackets(gui::figures::consecutiveRuns(labelled(labels)));
    QCOMPARE(gui::figures::bracketLines(brackets), lines);
    // Each bracket spans its batch: the lines are its two ends.
    for (const Range& bracket : brackets) {
        QVERIFY(lines.contains(bracket.min));
        QVERIFY(lines.contains(bracket.max));
        QCOMPARE(bracket.max - bracket.min - std::floor(bracket.max - bracket.min), 0.0);
    }
}

void TestFigureData::stageNames()
{
    QCOMPARE(stageName(1), u"1-axis"_s);
    QCOMPARE(stageName(2), u"2-axes"_s);
    QCOMPARE(stageName(5), u"5-axes"_s);
}

void TestFigureData::restartsAreWhereTheStageFalls()
{
    // Stages 1 2 3, a restart at 1 2, another straight to 1, then a grid's unlabelled trials.
    const QList<LabelRun> runs = gui::figures::consecutiveRuns(labelled({1, 1, 2, 2, 3, 1, 2, 2, 1, 0, 0}));
    QCOMPARE(runs.size(), 6);
    QCOMPARE(gui::figures::restartNumbers(runs), (QList<int>{0, 0, 0, 1, 0, 2}));
    QCOMPARE(gui::figures::restartNumbers({}), QList<int>());
    QCOMPARE(gui::figures::restartNumbers(gui::figures::consecutiveRuns(labelled({1, 2, 3, 3}))),
             (QList<int>{0, 0, 0}));
}

void TestFigureData::bestOfEachRun_data()
{
    QTest::addColumn<int>("direction");
    QTest::addColumn<QList<qint64>>("best");
    // Batches 1..3 (trials 1-3, 4-6, 7-8); trial 5 failed, batch 3 not measured.
    QTest::addRow("minimize") << int(Direction::Minimize) << QList<qint64>{2, 6};
    QTest::addRow("maximize") << int(Direction::Maximize) << QList<qint64>{3, 4};
}

void TestFigureData::bestOfEachRun()
{
    QFETCH(int, direction);
    QFETCH(QList<qint64>, best);
    const QList<LabelRun> runs = gui::figures::consecutiveRuns(labelled({1, 1, 1, 2, 2, 2, 3, 3}));
    const QList<Measured> measured{{1, 0.5}, {2, 0.3}, {3, 0.9}, {4, 0.8}, {6, 0.2}};
    QList<qint64> ids;
    for (const Measured& m : gui::figures::bestOfEachRun(runs, measured, Direction(direction)))
        ids.append(m.id);
    QCOMPARE(ids, best);
}

void TestFigureData::bestIndex()
{
    QCOMPARE(gui::figures::bestIndex({}, Direction::Minimize), -1);
    QCOMPARE(gui::figures::bestIndex({3, 1, 2, 1}, Direction::Minimize), 1);
    QCOMPARE(gui::figures::bestIndex({3, 1, 5, 5}, Direction::Maximize), 2);
    QVERIFY(isBetter(1, 2, Direction::Minimize));
    QVERIFY(!isBetter(2, 2, Direction::Minimize));
    QVERIFY(isBetter(2, 1, Direction::Maximize));
}

void TestFigureData::defaultConfiguration_data()
{
    QTest::addColumn<QVariantList>("values");
    QTest::addColumn<bool>("isDefault");
    QTest::addRow("the defaults") << QVariantList{qint64(16), 0.001, u"adam"_s} << true;
    QTest::addRow("float within rounding") << QVariantList{qint64(16), 0.0010000000000001, u"adam"_s} << true;
    QTest::addRow("float as text from the store") << QVariantList{u"16"_s, u"0.001"_s, u"adam"_s} << true;
    QTest::addRow("another int") << QVariantList{qint64(8), 0.001, u"adam"_s} << false;
    QTest::addRow("another float") << QVariantList{qint64(16), 0.0001, u"adam"_s} << false;
    QTest::addRow("another choice") << QVariantList{qint64(16), 0.001, u"sgd"_s} << false;
    QTest::addRow("too few values") << QVariantList{qint64(16), 0.001} << false;
}

void TestFigureData::defaultConfiguration()
{
    QFETCH(QVariantList, values);
    QFETCH(bool, isDefault);
    QCOMPARE(isDefaultConfiguration(campaignWithDefaults(), values), isDefault);
    // Without a default for every parameter there is no default configuration.
    model::Campaign partial = campaignWithDefaults();
    partial.parameters[2].defaultValue = QVariant();
    partial.parameters[2].defaultIndex.reset();
    QVERIFY(!isDefaultConfiguration(partial, values));
}

void TestFigureData::concurrency_data()
{
    QTest::addColumn<QList<Interval>>("intervals");
    QTest::addColumn<QList<QPointF>>("steps");
    QTest::addColumn<int>("peak");
    QTest::addRow("none") << QList<Interval>{} << QList<QPointF>{} << 0;
    QTest::addRow("one") << QList<Interval>{{1, 3}} << QList<QPointF>{{1, 0}, {1, 1}, {3, 1}, {3, 0}} << 1;
    QTest::addRow("overlapping") << QList<Interval>{{0, 10}, {2, 5}, {4, 6}}
                                 << QList<QPointF>{{0, 0}, {0, 1}, {2, 1}, {2, 2}, {4, 2},  {4, 3},
                                                   {5, 3}, {5, 2}, {6, 2}, {6, 1}, {10, 1}, {10, 0}}
                                 << 3;
    QTest::addRow("one ends as the next starts: no dip")
        << QList<Interval>{{0, 2}, {2, 4}} << QList<QPointF>{{0, 0}, {0, 1}, {4, 1}, {4, 0}} << 1;
    QTest::addRow("a batch starting together") << QList<Interval>{{1, 2}, {1, 3}, {1, 3}}
                                               << QList<QPointF>{{1, 0}, {1, 3}, {2, 3}, {2, 2}, {3, 2}, {3, 0}} << 3;
    QTest::addRow("empty intervals are ignored") << QList<Interval>{{5, 5}, {6, 4}} << QList<QPointF>{} << 0;
    QTest::addRow("unsorted input") << QList<Interval>{{4, 6}, {0, 5}}
                                    << QList<QPointF>{{0, 0}, {0, 1}, {4, 1}, {4, 2}, {5, 2}, {5, 1}, {6, 1}, {6, 0}}
                                    << 2;
}

void TestFigureData::concurrency()
{
    QFETCH(QList<Interval>, intervals);
    QFETCH(QList<QPointF>, steps);
    QFETCH(int, peak);
    const QList<QPointF> actual = concurrencySteps(intervals);
    QCOMPARE(actual, steps);
    QCOMPARE(maxConcurrency(actual), peak);
}

void TestFigureData::paddedRange_data()
{
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<double>("paddedMin");
    QTest::addColumn<double>("paddedMax");
    QTest::addRow("five percent each side") << 0.0 << 100.0 << -5.0 << 105.0;
    QTest::addRow("swapped bounds") << 10.0 << 0.0 << -0.5 << 10.5;
    QTest::addRow("one value") << 8.0 << 8.0 << 7.2 << 8.8;
    QTest::addRow("zero") << 0.0 << 0.0 << -0.5 << 0.5;
}

void TestFigureData::paddedRange()
{
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(double, paddedMin);
    QFETCH(double, paddedMax);
    const Range r = gui::figures::paddedRange(min, max);
    QCOMPARE(r.min, paddedMin);
    QCOMPARE(r.max, paddedMax);
}

void TestFigureData::paddedLogRangePadsInLogSpace()
{
    const Range r = paddedLogRange(1e-4, 1e-2);
    QVERIFY(std::abs(std::log10(r.min) - (-4.1)) < 1e-9);
    QVERIFY(std::abs(std::log10(r.max) - (-1.9)) < 1e-9);
}

void TestFigureData::niceStep_data()
{
    QTest::addColumn<double>("span");
    QTest::addColumn<double>("step");
    QTest::addRow("100 in 6") << 100.0 << 20.0;
    QTest::addRow("1 in 6") << 1.0 << 0.2;
    QTest::addRow("0.77 in 6") << 0.77 << 0.2;
    QTest::addRow("735 in 6") << 735.0 << 200.0;
    QTest::addRow("14 in 6") << 14.0 << 2.5;
    QTest::addRow("6 in 6") << 6.0 << 1.0;
    QTest::addRow("degenerate") << 0.0 << 1.0;
}

void TestFigureData::niceStep()
{
    QFETCH(double, span);
    QFETCH(double, step);
    QCOMPARE(gui::figures::niceStep(span, 6), step);
}

void TestFigureData::timeUnits_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("unit");
    QTest::addRow("seconds") << 95.0 << u"s"_s;
    QTest::addRow("minutes") << 3000.0 << u"min"_s;
    QTest::addRow("hours") << 50.0 * 3600 << u"h"_s;
    QTest::addRow("days") << 30.0 * 86400 << u"d"_s;
}

void TestFigureData::timeUnits()
{
    QFETCH(double, seconds);
    QFETCH(QString, unit);
    const TimeUnit u = timeUnitFor(seconds);
    QCOMPARE(u.name, unit);
    QVERIFY(seconds / u.seconds < 600);
}

void TestFigureData::jitterStaysInItsStrip()
{
    double lo = 1;
    double hi = -1;
    for (qint64 id = 1; id < 1000; ++id) {
        const double j = categoryJitter(id, 0.4);
        QVERIFY(j >= -0.2 && j < 0.2);
        lo = std::min(lo, j);
        hi = std::max(hi, j);
    }
    QVERIFY(hi - lo > 0.39); // it does spread them
    QCOMPARE(categoryJitter(17), categoryJitter(17));
}

void TestFigureData::defaultCurves_data()
{
    QTest::addColumn<int>("direction");
    QTest::addColumn<int>("best");
    QTest::addColumn<QList<qint64>>("chosen");
    // Trials 1..8 with values; 7 failed (no value), 8 has no curve; 7 finished last.
    QTest::addRow("best two and the latest") << int(Direction::Minimize) << 2 << QList<qint64>{3, 1, 7};
    QTest::addRow("maximize") << int(Direction::Maximize) << 2 << QList<qint64>{6, 5, 7};
    QTest::addRow("more than there are") << int(Direction::Minimize) << 10 << QList<qint64>{3, 1, 2, 4, 5, 6, 7};
    QTest::addRow("none asked") << int(Direction::Minimize) << 0 << QList<qint64>{7};
}

void TestFigureData::defaultCurves()
{
    QFETCH(int, direction);
    QFETCH(int, best);
    QFETCH(QList<qint64>, chosen);
    const QList<CurveCandidate> candidates{
        {1, 0.2, 1000, 10}, {2, 0.3, 2000, 10}, {3, 0.1, 3000, 10},         {4, 0.4, 4000, 10},
        {5, 0.5, 5000, 10}, {6, 0.6, 6000, 10}, {7, std::nullopt, 9000, 4}, {8, 0.05, 9500, 0},
    };
    QCOMPARE(defaultCurveTrials(candidates, Direction(direction), best), chosen);
}

QTEST_APPLESS_MAIN(TestFigureData)
#include "tst_figuredata.moc"
