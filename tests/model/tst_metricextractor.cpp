#include "model/metricextractor.h"
#include "support/verifyresult.h"

#include <QTemporaryFile>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

// QList<double>::operator== says nan != nan; here nan equals nan.
bool sameValues(const QList<double>& actual, const QList<double>& expected)
{
    if (actual.size() != expected.size())
        return false;
    for (qsizetype i = 0; i < actual.size(); ++i) {
        if (std::isnan(actual.at(i)) != std::isnan(expected.at(i)))
            return false;
        if (!std::isnan(actual.at(i)) && actual.at(i) != expected.at(i))
            return false;
    }
    return true;
}

QString describe(const QList<double>& values)
{
    QStringList texts;
    for (double value : values)
        texts.append(QString::number(value, 'g', 17));
    return u'[' + texts.join(u", "_s) + u']';
}

} // namespace

class TestMetricExtractor : public QObject {
    Q_OBJECT

private slots:
    void extractAll_data();
    void extractAll();
    void extractFromFile_data() { extractAll_data(); }
    void extractFromFile();
    void longLinesAreReadInPiecesWithoutLosingValues();
    void aCutFirstLineIsSkipped();
    void unreadableFileFails();
    void createFails_data();
    void createFails();
    void namedGroupCountsAsOne();
};

void TestMetricExtractor::extractAll_data()
{
    QTest::addColumn<QString>("output");
    QTest::addColumn<QString>("metric");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QList<double>>("expected");

    const QString none;
    const auto loss = u"loss"_s;
    using L = QList<double>;

    // The default rule.
    QTest::addRow("colon") << u"loss: 0.5\n"_s << loss << none << L{0.5};
    QTest::addRow("equals mid-line") << u"epoch 3 loss=0.5\n"_s << loss << none << L{0.5};
    QTest::addRow("spaces around colon") << u"loss : 0.25"_s << loss << none << L{0.25};
    QTest::addRow("tabs around equals") << u"loss\t=\t4"_s << loss << none << L{4};
    QTest::addRow("integer") << u"loss: 12"_s << loss << none << L{12};
    QTest::addRow("scientific") << u"loss: 1e-3"_s << loss << none << L{1e-3};
    QTest::addRow("scientific upper +") << u"loss=2.5E+2"_s << loss << none << L{250};
    QTest::addRow("negative") << u"loss: -2.5"_s << loss << none << L{-2.5};
    QTest::addRow("explicit plus") << u"loss: +1.5"_s << loss << none << L{1.5};
    QTest::addRow("leading dot") << u"loss: .5"_s << loss << none << L{0.5};
    QTest::addRow("unit after number") << u"loss: 3.5s"_s << loss << none << L{3.5};
    QTest::addRow("in parentheses") << u"(loss=0.3)"_s << loss << none << L{0.3};
    QTest::addRow("nan") << u"loss=nan"_s << loss << none << L{NaN};
    QTest::addRow("NaN mixed case") << u"loss=NaN"_s << loss << none << L{NaN};
    QTest::addRow("inf") << u"loss = inf"_s << loss << none << L{Inf};
    QTest::addRow("-Infinity") << u"loss: -Infinity"_s << loss << none << L{-Inf};
    QTest::addRow("several per line") << u"loss=1 acc=0.5 loss=0.75"_s << loss << none << L{1, 0.75};
    QTest::addRow("separated by punctuation") << u"loss=0.5, loss=0.25;"_s << loss << none << L{0.5, 0.25};
    QTest::addRow("learning curve") << u"epoch 1 loss: 0.9\nepoch 2 loss: 0.7\nepoch 3 loss: 0.4\n"_s << loss << none
                                    << L{0.9, 0.7, 0.4};
    QTest::addRow("CRLF") << u"loss: 1\r\nloss: 2\r\n"_s << loss << none << L{1, 2};
    QTest::addRow("CR progress") << u"loss: 3\rloss: 2\r"_s << loss << none << L{3, 2};
    QTest::addRow("regex characters in name") << u"acc(top-1): 0.9"_s << u"acc(top-1)"_s << none << L{0.9};
    QTest::addRow("dotted name") << u"val.acc=0.8"_s << u"val.acc"_s << none << L{0.8};
    QTest::addRow("unicode name") << u"损失: 0.4"_s << u"损失"_s << none << L{0.4};

    // Not a match.
    QTest::addRow("val_loss is not loss") << u"val_loss: 3"_s << loss << none << L{};
    QTest::addRow("val_loss then loss") << u"val_loss: 3\nloss: 2"_s << loss << none << L{2};
    QTest::addRow("train.loss is not loss") << u"train.loss: 3"_s << loss << none << L{};
    QTest::addRow("unicode word before") << u"μloss: 1"_s << loss << none << L{};
    QTest::addRow("loss_total is not loss") << u"loss_total: 3"_s << loss << none << L{};
    QTest::addRow("case-sensitive") << u"Loss: 1"_s << loss << none << L{};
    QTest::addRow("no number") << u"loss: n/a\nloss:\nloss"_s << loss << none << L{};
    QTest::addRow("no separator") << u"loss 0.5"_s << loss << none << L{};
    QTest::addRow("number on next line") << u"loss:\n0.5"_s << loss << none << L{};
    QTest::addRow("word starting with inf") << u"loss: inference"_s << loss << none << L{};
    QTest::addRow("empty output") << QString() << loss << none << L{};

    // Custom patterns.
    QTest::addRow("custom anchored") << u"final accuracy 93.5%\n"_s << u"acc"_s << u"^final accuracy ([0-9.]+)%$"_s
                                     << L{93.5};
    QTest::addRow("custom anchored CRLF") << u"final accuracy 93.5%\r\nfinal accuracy 94%\r\n"_s << u"acc"_s
                                          << u"^final accuracy ([0-9.]+)%$"_s << L{93.5, 94};
    QTest::addRow("custom multiline ^") << u"x acc 1\nacc 2\n"_s << u"acc"_s << u"^acc (\\S+)"_s << L{2};
    QTest::addRow("custom skips non-numbers") << u"result abc\nresult 4\n"_s << u"r"_s << u"result (\\w+)"_s << L{4};
    QTest::addRow("custom scientific") << u"score=6.02e23"_s << u"score"_s << u"score=(\\S+)"_s << L{6.02e23};
    QTest::addRow("custom with non-capturing group")
        << u"err 0.1 ERR 0.2"_s << u"err"_s << u"(?:err|ERR) ([0-9.]+)"_s << L{0.1, 0.2};
}

void TestMetricExtractor::extractAll()
{
    QFETCH(QString, output);
    QFETCH(QString, metric);
    QFETCH(QString, pattern);
    QFETCH(QList<double>, expected);

    const auto extractor = MetricExtractor::create(metric, pattern);
    QVERIFY_RESULT(extractor);
    const QList<double> actual = extractor->extractAll(output);
    QVERIFY2(sameValues(actual, expected),
             qPrintable(u"got %1, expected %2"_s.arg(describe(actual), describe(expected))));
}

// A run's stdout read as a file, line by line, gives what the whole text gives.
void TestMetricExtractor::extractFromFile()
{
    QFETCH(QString, output);
    QFETCH(QString, metric);
    QFETCH(QString, pattern);
    QFETCH(QList<double>, expected);
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write(output.toUtf8());
    file.close();
    const auto extractor = MetricExtractor::create(metric, pattern);
    QVERIFY_RESULT(extractor);
    const auto actual = extractor->extractFromFile(file.fileName());
    QVERIFY_RESULT(actual);
    QVERIFY2(sameValues(actual.value(), expected),
             qPrintable(u"got %1, expected %2"_s.arg(describe(actual.value()), describe(expected))));
}

// A progress display redrawn with \r for hours is one "line" of many MiB: it is read in pieces,
// and every value is found once, also those that straddle a piece's border (and multi-byte text).
void TestMetricExtractor::longLinesAreReadInPiecesWithoutLosingValues()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QList<double> expected;
    QByteArray chunk;
    for (int i = 0; i < 400000; ++i) {
        chunk += "épоch " + QByteArray::number(i) + " loss: " + QByteArray::number(i) + ".5 ";
        expected.append(i + 0.5);
        if (chunk.size() > 65536)
            file.write(std::exchange(chunk, {}));
    }
    file.write(chunk + "\nloss: 7\n");
    expected.append(7);
    QVERIFY(file.size() > (qint64(8) << 20));
    file.close();
    const auto extractor = MetricExtractor::create(u"loss"_s);
    const auto actual = extractor->extractFromFile(file.fileName());
    QVERIFY_RESULT(actual);
    QCOMPARE(actual->size(), expected.size());
    QVERIFY(sameValues(actual.value(), expected));
}

void TestMetricExtractor::aCutFirstLineIsSkipped()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("s: 99\nloss: 1\nloss: 2");
    file.close();
    const auto extractor = MetricExtractor::create(u"s"_s, u"s: (\\d+)"_s);
    QCOMPARE(extractor->extractFromFile(file.fileName(), true).value(), (QList<double>{1, 2}));
    QCOMPARE(extractor->extractFromFile(file.fileName(), false).value(), (QList<double>{99, 1, 2}));
}

void TestMetricExtractor::unreadableFileFails()
{
    const auto extractor = MetricExtractor::create(u"loss"_s);
    const auto result = extractor->extractFromFile(u"/nonexistent/stdout"_s);
    QVERIFY(!result);
    QVERIFY2(result.error().contains(u"/nonexistent/stdout"_s), qPrintable(result.error()));
}

void TestMetricExtractor::createFails_data()
{
    QTest::addColumn<QString>("metric");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("message");

    QTest::addRow("no metric") << QString() << QString() << u"metric name is empty"_s;
    QTest::addRow("does not compile") << u"loss"_s << u"loss=(\\d+"_s << u"not a valid regular expression"_s;
    QTest::addRow("no capture group") << u"loss"_s << u"loss=\\d+"_s << u"exactly one capture group, it has 0"_s;
    QTest::addRow("only non-capturing") << u"loss"_s << u"(?:loss)=\\d+"_s << u"exactly one capture group, it has 0"_s;
    QTest::addRow("two capture groups") << u"loss"_s << u"(loss)=(\\d+)"_s << u"exactly one capture group, it has 2"_s;
}

void TestMetricExtractor::createFails()
{
    QFETCH(QString, metric);
    QFETCH(QString, pattern);
    QFETCH(QString, message);

    const auto extractor = MetricExtractor::create(metric, pattern);
    QVERIFY(!extractor.ok());
    QVERIFY2(extractor.error().contains(message), qPrintable(extractor.error()));
    if (!pattern.isEmpty())
        QVERIFY2(extractor.error().contains(pattern), qPrintable(extractor.error())); // names the pattern
}

void TestMetricExtractor::namedGroupCountsAsOne()
{
    const auto extractor = MetricExtractor::create(u"x"_s, u"x=(?<value>\\S+)"_s);
    QVERIFY_RESULT(extractor);
    QCOMPARE(extractor->extractAll(u"x=1 x=2"), (QList<double>{1, 2}));
}

QTEST_GUILESS_MAIN(TestMetricExtractor)
#include "tst_metricextractor.moc"
