#include "model/metricextractor.h"

#include <QTemporaryFile>
#include <QTest>

#include <cmath>
#include <limits>

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
    return u'[' + texts.join(QStringLiteral(", ")) + u']';
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
    const auto loss = QStringLiteral("loss");
    using L = QList<double>;

    // The default rule.
    QTest::addRow("colon") << QStringLiteral("loss: 0.5\n") << loss << none << L{0.5};
    QTest::addRow("equals mid-line") << QStringLiteral("epoch 3 loss=0.5\n") << loss << none << L{0.5};
    QTest::addRow("spaces around colon") << QStringLiteral("loss : 0.25") << loss << none << L{0.25};
    QTest::addRow("tabs around equals") << QStringLiteral("loss\t=\t4") << loss << none << L{4};
    QTest::addRow("integer") << QStringLiteral("loss: 12") << loss << none << L{12};
    QTest::addRow("scientific") << QStringLiteral("loss: 1e-3") << loss << none << L{1e-3};
    QTest::addRow("scientific upper +") << QStringLiteral("loss=2.5E+2") << loss << none << L{250};
    QTest::addRow("negative") << QStringLiteral("loss: -2.5") << loss << none << L{-2.5};
    QTest::addRow("explicit plus") << QStringLiteral("loss: +1.5") << loss << none << L{1.5};
    QTest::addRow("leading dot") << QStringLiteral("loss: .5") << loss << none << L{0.5};
    QTest::addRow("unit after number") << QStringLiteral("loss: 3.5s") << loss << none << L{3.5};
    QTest::addRow("in parentheses") << QStringLiteral("(loss=0.3)") << loss << none << L{0.3};
    QTest::addRow("nan") << QStringLiteral("loss=nan") << loss << none << L{NaN};
    QTest::addRow("NaN mixed case") << QStringLiteral("loss=NaN") << loss << none << L{NaN};
    QTest::addRow("inf") << QStringLiteral("loss = inf") << loss << none << L{Inf};
    QTest::addRow("-Infinity") << QStringLiteral("loss: -Infinity") << loss << none << L{-Inf};
    QTest::addRow("several per line") << QStringLiteral("loss=1 acc=0.5 loss=0.75") << loss << none << L{1, 0.75};
    QTest::addRow("separated by punctuation") << QStringLiteral("loss=0.5, loss=0.25;") << loss << none << L{0.5, 0.25};
    QTest::addRow("learning curve") << QStringLiteral("epoch 1 loss: 0.9\nepoch 2 loss: 0.7\nepoch 3 loss: 0.4\n")
                                    << loss << none << L{0.9, 0.7, 0.4};
    QTest::addRow("CRLF") << QStringLiteral("loss: 1\r\nloss: 2\r\n") << loss << none << L{1, 2};
    QTest::addRow("CR progress") << QStringLiteral("loss: 3\rloss: 2\r") << loss << none << L{3, 2};
    QTest::addRow("regex characters in name") << QStringLiteral("acc(top-1): 0.9") << QStringLiteral("acc(top-1)")
                                              << none << L{0.9};
    QTest::addRow("dotted name") << QStringLiteral("val.acc=0.8") << QStringLiteral("val.acc") << none << L{0.8};
    QTest::addRow("unicode name") << QStringLiteral("损失: 0.4") << QStringLiteral("损失") << none << L{0.4};

    // Not a match.
    QTest::addRow("val_loss is not loss") << QStringLiteral("val_loss: 3") << loss << none << L{};
    QTest::addRow("val_loss then loss") << QStringLiteral("val_loss: 3\nloss: 2") << loss << none << L{2};
    QTest::addRow("train.loss is not loss") << QStringLiteral("train.loss: 3") << loss << none << L{};
    QTest::addRow("unicode word before") << QStringLiteral("μloss: 1") << loss << none << L{};
    QTest::addRow("loss_total is not loss") << QStringLiteral("loss_total: 3") << loss << none << L{};
    QTest::addRow("case-sensitive") << QStringLiteral("Loss: 1") << loss << none << L{};
    QTest::addRow("no number") << QStringLiteral("loss: n/a\nloss:\nloss") << loss << none << L{};
    QTest::addRow("no separator") << QStringLiteral("loss 0.5") << loss << none << L{};
    QTest::addRow("number on next line") << QStringLiteral("loss:\n0.5") << loss << none << L{};
    QTest::addRow("word starting with inf") << QStringLiteral("loss: inference") << loss << none << L{};
    QTest::addRow("empty output") << QString() << loss << none << L{};

    // Custom patterns.
    QTest::addRow("custom anchored") << QStringLiteral("final accuracy 93.5%\n") << QStringLiteral("acc")
                                     << QStringLiteral("^final accuracy ([0-9.]+)%$") << L{93.5};
    QTest::addRow("custom anchored CRLF") << QStringLiteral("final accuracy 93.5%\r\nfinal accuracy 94%\r\n")
                                          << QStringLiteral("acc") << QStringLiteral("^final accuracy ([0-9.]+)%$")
                                          << L{93.5, 94};
    QTest::addRow("custom multiline ^") << QStringLiteral("x acc 1\nacc 2\n") << QStringLiteral("acc")
                                        << QStringLiteral("^acc (\\S+)") << L{2};
    QTest::addRow("custom skips non-numbers") << QStringLiteral("result abc\nresult 4\n") << QStringLiteral("r")
                                              << QStringLiteral("result (\\w+)") << L{4};
    QTest::addRow("custom scientific") << QStringLiteral("score=6.02e23") << QStringLiteral("score")
                                       << QStringLiteral("score=(\\S+)") << L{6.02e23};
    QTest::addRow("custom with non-capturing group") << QStringLiteral("err 0.1 ERR 0.2") << QStringLiteral("err")
                                                     << QStringLiteral("(?:err|ERR) ([0-9.]+)") << L{0.1, 0.2};
}

void TestMetricExtractor::extractAll()
{
    QFETCH(QString, output);
    QFETCH(QString, metric);
    QFETCH(QString, pattern);
    QFETCH(QList<double>, expected);

    const auto extractor = MetricExtractor::create(metric, pattern);
    QVERIFY2(extractor.ok(), qPrintable(extractor.error()));
    const QList<double> actual = extractor->extractAll(output);
    QVERIFY2(sameValues(actual, expected),
             qPrintable(QStringLiteral("got %1, expected %2").arg(describe(actual), describe(expected))));
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
    QVERIFY2(extractor.ok(), qPrintable(extractor.error()));
    const auto actual = extractor->extractFromFile(file.fileName());
    QVERIFY2(actual, qPrintable(actual.error()));
    QVERIFY2(sameValues(actual.value(), expected),
             qPrintable(QStringLiteral("got %1, expected %2").arg(describe(actual.value()), describe(expected))));
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
    const auto extractor = MetricExtractor::create(QStringLiteral("loss"));
    const auto actual = extractor->extractFromFile(file.fileName());
    QVERIFY2(actual, qPrintable(actual.error()));
    QCOMPARE(actual->size(), expected.size());
    QVERIFY(sameValues(actual.value(), expected));
}

void TestMetricExtractor::aCutFirstLineIsSkipped()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("s: 99\nloss: 1\nloss: 2");
    file.close();
    const auto extractor = MetricExtractor::create(QStringLiteral("s"), QStringLiteral("s: (\\d+)"));
    QCOMPARE(extractor->extractFromFile(file.fileName(), true).value(), (QList<double>{1, 2}));
    QCOMPARE(extractor->extractFromFile(file.fileName(), false).value(), (QList<double>{99, 1, 2}));
}

void TestMetricExtractor::unreadableFileFails()
{
    const auto extractor = MetricExtractor::create(QStringLiteral("loss"));
    const auto result = extractor->extractFromFile(QStringLiteral("/nonexistent/stdout"));
    QVERIFY(!result);
    QVERIFY2(result.error().contains(QStringLiteral("/nonexistent/stdout")), qPrintable(result.error()));
}

void TestMetricExtractor::createFails_data()
{
    QTest::addColumn<QString>("metric");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("message");

    QTest::addRow("no metric") << QString() << QString() << QStringLiteral("metric name is empty");
    QTest::addRow("does not compile") << QStringLiteral("loss") << QStringLiteral("loss=(\\d+")
                                      << QStringLiteral("not a valid regular expression");
    QTest::addRow("no capture group") << QStringLiteral("loss") << QStringLiteral("loss=\\d+")
                                      << QStringLiteral("exactly one capture group, it has 0");
    QTest::addRow("only non-capturing") << QStringLiteral("loss") << QStringLiteral("(?:loss)=\\d+")
                                        << QStringLiteral("exactly one capture group, it has 0");
    QTest::addRow("two capture groups") << QStringLiteral("loss") << QStringLiteral("(loss)=(\\d+)")
                                        << QStringLiteral("exactly one capture group, it has 2");
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
    const auto extractor = MetricExtractor::create(QStringLiteral("x"), QStringLiteral("x=(?<value>\\S+)"));
    QVERIFY2(extractor.ok(), qPrintable(extractor.error()));
    QCOMPARE(extractor->extractAll(u"x=1 x=2"), (QList<double>{1, 2}));
}

QTEST_GUILESS_MAIN(TestMetricExtractor)
#include "tst_metricextractor.moc"
