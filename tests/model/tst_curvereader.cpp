#include "model/curvereader.h"
#include "model/metricextractor.h"
#include "support/verifyresult.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

namespace {

Objective objective(const QString& stepPattern = {}, const QString& pattern = {}, const QString& metric = u"loss"_s)
{
    Objective o;
    o.metric = metric;
    o.pattern = pattern;
    o.stepPattern = stepPattern;
    return o;
}

CurveReader makeReader(const Objective& o)
{
    auto reader = CurveReader::create(o);
    if (!reader)
        qFatal("%s", qPrintable(reader.error()));
    return std::move(reader).value();
}

// Text form of a curve, so that nan compares equal to nan and a failure shows the whole curve.
QString describe(const QList<CurvePoint>& points)
{
    QStringList texts;
    for (const CurvePoint& point : points)
        texts.append(u"%1:%2"_s.arg(point.step).arg(QString::number(point.value, 'g', 17)));
    return texts.join(u' ');
}

QString describe(const QList<double>& values)
{
    QStringList texts;
    for (double value : values)
        texts.append(QString::number(value, 'g', 17));
    return texts.join(u' ');
}

struct Reading {
    QList<CurvePoint> added; // every point feed() and finish() returned, in order
    QList<CurvePoint> curve;
    QList<int> steps;
    qint64 offsetBeforeFinish = 0;
    qint64 offset = 0;
};

// Feeds text in pieces of the given sizes (cycled), then finishes.
Reading readInPieces(CurveReader reader, const QByteArray& text, const QList<qsizetype>& sizes)
{
    Reading reading;
    qsizetype at = 0;
    for (qsizetype i = 0; at < text.size(); ++i) {
        const qsizetype size = std::min(sizes.at(i % sizes.size()), text.size() - at);
        reading.added += reader.feed(QByteArrayView(text).sliced(at, size));
        at += size;
    }
    reading.offsetBeforeFinish = reader.offset();
    reading.added += reader.finish();
    reading.curve = reader.curve();
    reading.steps = reader.steps();
    reading.offset = reader.offset();
    return reading;
}

qint64 endOfLastLine(const QByteArray& text)
{
    return std::max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
}

} // namespace

class TestCurveReader : public QObject {
    Q_OBJECT

private slots:
    void anyPiecesGiveWhatExtractAllGives_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("stepPattern");
        QTest::addColumn<QString>("pattern");
        const QString epoch = u"epoch (\\d+)"_s;
        QTest::addRow("plain lines") << QByteArray("loss=0.9\nloss: 0.5\nval_loss=7\nloss = 0.25\n") << QString()
                                     << QString();
        QTest::addRow("no final newline") << QByteArray("loss=0.9\nloss=0.125") << QString() << QString();
        QTest::addRow("crlf and progress lines")
            << QByteArray("loss=3\r\nloss=2\r[#####] loss=1.5\r[######] loss=1.25\rdone\r\n") << QString() << QString();
        QTest::addRow("several on a line")
            << QByteArray("loss=1 loss=2, loss=3e-2\n\n\nloss=-4E+1\n") << QString() << QString();
        QTest::addRow("nan and inf") << QByteArray("loss=nan\nloss=-inf\nloss=Infinity\nloss=NaNx loss=inf\n")
                                     << QString() << QString();
        QTest::addRow("utf-8 around the values")
            << QByteArray("λ=0.1 loss=0.5 日本 😀\nü loss=0.25 ß\n€loss=9\n") << QString() << QString();
        QTest::addRow("custom pattern") << QByteArray("acc 0.5\nval acc 0.25\nacc 0.125 acc 1\n") << QString()
                                        << u"^acc (\\S+)"_s;
        QTest::addRow("anchored at the line end")
            << QByteArray("x 1\nloss 2\nloss 3 x\r\nloss 4") << QString() << u"loss (\\d+)$"_s;
        QTest::addRow("steps before values")
            << QByteArray("epoch 1\nloss=0.9\nepoch 2 loss=0.8\nepoch 3\r\nloss=0.7\nepoch 10 loss=0.6 epoch 11\n")
            << epoch << QString();
        QTest::addRow("values before any step")
            << QByteArray("loss=5\nloss=4\nepoch 7\nloss=3\nloss=2\n") << epoch << QString();
        QTest::addRow("steps in utf-8 text")
            << QByteArray("époque 3 — loss=0.5 ✓\népoque 4 — loss=0.25 ✓") << u"époque (\\d+)"_s << QString();
        QTest::addRow("step that is not a whole number")
            << QByteArray("step 1.5\nloss=1\nstep 2\nloss=2\nstep 99999999999\nloss=3\n") << u"step (\\S+)"_s
            << QString();
        QTest::addRow("empty") << QByteArray() << epoch << QString();
        QTest::addRow("only line ends") << QByteArray("\n\r\n\r") << QString() << QString();
    }

    // The property: whatever the cut, the curve is the one extractAll finds in the whole text, and
    // the steps are those of reading it at once.
    void anyPiecesGiveWhatExtractAllGives()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, stepPattern);
        QFETCH(QString, pattern);
        const Objective o = objective(stepPattern, pattern);
        const auto extractor = MetricExtractor::create(o.metric, o.pattern);
        QVERIFY_RESULT(extractor);
        const QString expectedValues = describe(extractor->extractAll(QString::fromUtf8(text)));

        const Reading whole = readInPieces(makeReader(o), text, {std::max<qsizetype>(text.size(), 1)});
        QCOMPARE(describe(whole.added), describe(whole.curve));
        QList<double> wholeValues;
        for (const CurvePoint& point : whole.curve)
            wholeValues.append(point.value);
        QCOMPARE(describe(wholeValues), expectedValues);
        QCOMPARE(whole.steps.isEmpty(), stepPattern.isEmpty() || whole.curve.isEmpty());
        if (stepPattern.isEmpty()) {
            for (qsizetype i = 0; i < whole.curve.size(); ++i)
                QCOMPARE(whole.curve.at(i).step, int(i + 1));
        }
        // Trailing lines that printed only a step are read again by a resumed reader.
        if (stepPattern.isEmpty())
            QCOMPARE(whole.offsetBeforeFinish, endOfLastLine(text));
        else
            QVERIFY(whole.offsetBeforeFinish <= endOfLastLine(text));
        QCOMPARE(whole.offset, text.size());

        QList<QList<qsizetype>> cuts{{1}, {2}, {3}, {5}, {7}, {1, 13}, {64}};
        QRandomGenerator random(20261204);
        for (int round = 0; round < 20; ++round) {
            QList<qsizetype> sizes;
            for (int i = 0; i < 8; ++i)
                sizes.append(random.bounded(1, 12));
            cuts.append(sizes);
        }
        for (const QList<qsizetype>& sizes : std::as_const(cuts)) {
            const Reading pieces = readInPieces(makeReader(o), text, sizes);
            QCOMPARE(describe(pieces.curve), describe(whole.curve));
            QCOMPARE(describe(pieces.added), describe(whole.curve));
            QCOMPARE(pieces.steps, whole.steps);
            QCOMPARE(pieces.offsetBeforeFinish, whole.offsetBeforeFinish);
            QCOMPARE(pieces.offset, whole.offset);
        }
    }

    void stepsFollowTheStepPattern()
    {
        const QByteArray text = "loss=9\n"            // no step printed yet: 1
                                "loss=8\n"            // 2
                                "epoch 5\n"           // printed: the next values are at 5
                                "loss=0.9 loss=0.8\n" // 5, 5
                                "epoch 6 loss=0.7\n"  // 6
                                "loss=0.6 epoch 8\n"  // 6: the step comes after it
                                "loss=0.5\n"          // 8
                                "epoch x loss=0.4\n"  // not a number: 8
                                "epoch 3 loss=0.3\n"; // smaller: taken as printed (the pruner ignores it)
        CurveReader reader = makeReader(objective(u"epoch (\\w+)"_s));
        const QList<CurvePoint> added = reader.feed(text);
        const QList<CurvePoint> expected{{1, 9},   {2, 8},   {5, 0.9}, {5, 0.8}, {6, 0.7},
                                         {6, 0.6}, {8, 0.5}, {8, 0.4}, {3, 0.3}};
        QCOMPARE(added, expected);
        QCOMPARE(reader.curve(), expected);
        QCOMPARE(reader.steps(), (QList<int>{1, 2, 5, 5, 6, 6, 8, 8, 3}));
        QCOMPARE(reader.values(), (QList<double>{9, 8, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}));
        QVERIFY(reader.finish().isEmpty());
    }

    void withoutStepPatternStepsAreCounted()
    {
        CurveReader reader = makeReader(objective());
        QCOMPARE(reader.feed("epoch 5 loss=1\nloss=2 loss=3\n"), (QList<CurvePoint>{{1, 1}, {2, 2}, {3, 3}}));
        QVERIFY(reader.steps().isEmpty());
        QCOMPARE(reader.offset(), 29);
    }

    void aLineWaitsForItsEnd()
    {
        CurveReader reader = makeReader(objective());
        QVERIFY(reader.feed("loss=0.5").isEmpty()); // "0.5" may go on: "0.55"
        QCOMPARE(reader.offset(), 0);
        QCOMPARE(reader.feed("5\rloss=1"), (QList<CurvePoint>{{1, 0.55}}));
        QCOMPARE(reader.offset(), 10);
        QCOMPARE(reader.finish(), (QList<CurvePoint>{{2, 1}}));
        QCOMPARE(reader.offset(), 16);
    }

    // Resumed at any point a reading recorded (its values, steps and offset), the rest of the output
    // gives the curve of reading it all at once.
    void resumeAnywhere_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("stepPattern");
        QTest::addRow("counted") << QByteArray("loss=5\nx\nloss=4 loss=3\r\nloss=2\nloss=1") << QString();
        QTest::addRow("steps") << QByteArray("epoch 10\nloss=5\nepoch 20 loss=4\nepoch 30\nloss=3\nloss=2\n")
                               << u"epoch (\\d+)"_s;
        QTest::addRow("steps ahead of the values")
            << QByteArray("epoch 1\nepoch 2\r\nloss=5 loss=6\nepoch 3\nx\nepoch 4\nloss=4\n") << u"epoch (\\d+)"_s;
    }

    void resumeAnywhere()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, stepPattern);
        const Objective o = objective(stepPattern);
        const Reading whole = readInPieces(makeReader(o), text, {text.size()});
        QVERIFY(!whole.curve.isEmpty());
        for (qsizetype cut = 0; cut <= text.size(); ++cut) {
            CurveReader first = makeReader(o);
            (void)first.feed(QByteArrayView(text).first(cut));
            CurveReader resumed = makeReader(o);
            resumed.resumeFrom(first.values(), first.steps(), first.offset());
            QCOMPARE(resumed.offset(), first.offset());
            QCOMPARE(resumed.curve(), first.curve());
            const QList<CurvePoint> more = resumed.feed(QByteArrayView(text).sliced(first.offset()));
            const QList<CurvePoint> last = resumed.finish();
            QCOMPARE(describe(resumed.curve()), describe(whole.curve));
            QCOMPARE(describe(first.curve() + more + last), describe(whole.curve));
            QCOMPARE(resumed.steps(), whole.steps);
            QCOMPARE(resumed.offset(), text.size());
        }
    }

    void resumeWithoutSteps()
    {
        // A store of a campaign without step_pattern records no steps: they are 1..n.
        CurveReader reader = makeReader(objective(u"epoch (\\d+)"_s));
        reader.resumeFrom({0.5, 0.25}, {}, 18);
        QCOMPARE(reader.feed("loss=0.125\n"), (QList<CurvePoint>{{3, 0.125}}));
        QCOMPARE(reader.steps(), (QList<int>{1, 2, 3}));
        QCOMPARE(reader.offset(), 29);
    }

    // A line longer than the bound (a progress bar redrawn without a line end for hours) is read in
    // pieces: the bytes read so far are consumed before its end arrives, and the values are those
    // of reading it whole.
    void overlongLine()
    {
        QByteArray text;
        QList<double> expected;
        for (int i = 0; text.size() < 3 * MetricExtractor::maxLineBytes; ++i) {
            // Densely packed, so that every cut between pieces falls inside a value or a UTF-8 sequence.
            text += (i % 7 == 0 ? "▉ loss=" : " loss=") + QByteArray::number(qint64(i) * 1000003);
            expected.append(double(i) * 1000003);
        }
        text += "\nloss=0.5\n";
        expected.append(0.5);
        const auto extractor = MetricExtractor::create(u"loss"_s);
        QCOMPARE(describe(extractor->extractAll(QString::fromUtf8(text))), describe(expected));

        for (const qsizetype size : {qsizetype(1) << 16, MetricExtractor::maxLineBytes + 1, qsizetype(4093)}) {
            CurveReader reader = makeReader(objective());
            QList<double> values;
            qsizetype at = 0;
            bool consumedMidLine = false;
            while (at < text.size()) {
                const qsizetype n = std::min(size, text.size() - at);
                for (const CurvePoint& point : reader.feed(QByteArrayView(text).sliced(at, n)))
                    values.append(point.value);
                at += n;
                consumedMidLine = consumedMidLine || (reader.offset() > 0 && at < text.indexOf('\n'));
            }
            QVERIFY(reader.finish().isEmpty());
            QVERIFY2(consumedMidLine, "the long line is read in pieces, before its end");
            QCOMPARE(describe(values), describe(expected));
            QCOMPARE(describe(reader.values()), describe(expected));
            QCOMPARE(reader.offset(), text.size());
        }
    }

    void badPatterns_data()
    {
        QTest::addColumn<QString>("stepPattern");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("metric");
        QTest::addColumn<QString>("message");
        QTest::addRow("invalid step pattern")
            << u"epoch (\\d+"_s << QString() << u"loss"_s
            << u"\"epoch (\\d+\" is not a valid regular expression: missing closing parenthesis at offset 10"_s;
        QTest::addRow("no group") << u"epoch \\d+"_s << QString() << u"loss"_s
                                  << u"\"epoch \\d+\" must have exactly one capture group, it has 0"_s;
        QTest::addRow("two groups") << u"(epoch|step) (\\d+)"_s << QString() << u"loss"_s
                                    << u"\"(epoch|step) (\\d+)\" must have exactly one capture group, it has 2"_s;
        QTest::addRow("invalid metric pattern")
            << u"epoch (\\d+)"_s << u"loss=([0-9"_s << u"loss"_s
            << u"metric pattern \"loss=([0-9\" is not a valid regular expression: missing terminating ] for character class at offset 10"_s;
        QTest::addRow("no metric") << QString() << QString() << QString() << u"metric name is empty"_s;
    }

    void badPatterns()
    {
        QFETCH(QString, stepPattern);
        QFETCH(QString, pattern);
        QFETCH(QString, metric);
        QFETCH(QString, message);
        const auto reader = CurveReader::create(objective(stepPattern, pattern, metric));
        QVERIFY_FAILS_WITH(reader, ErrorCode::InvalidInput);
        QCOMPARE(reader.error(), message);
    }
};

QTEST_GUILESS_MAIN(TestCurveReader)
#include "tst_curvereader.moc"
