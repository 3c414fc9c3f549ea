#include "engine/runoutcome.h"

#include <QtTest>

using namespace sweepline;
using namespace sweepline::engine;

class TestRunOutcome : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

    QString write(const QString& name, const QByteArray& text)
    {
        QFile f(QDir(m_tmp.path()).filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(text);
        return f.fileName();
    }

private slots:
    void judges_data()
    {
        QTest::addColumn<QByteArray>("stdoutText");
        QTest::addColumn<QByteArray>("stderrText");
        QTest::addColumn<int>("exitCode"); // -1: none recorded
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("done");
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("error");

        QTest::addRow("success, last value wins") << QByteArray("loss: 3\nloss: 2\nloss: 1.5\n") << QByteArray() << 0 << QString()
                                                  << true << 1.5 << QString();
        QTest::addRow("non-zero exit names the stderr tail")
            << QByteArray("loss: 1\n") << QByteArray("Traceback\n  ...\nValueError: bad batch\n\n") << 1 << QString() << false << 0.0
            << QStringLiteral("exited with code 1: ValueError: bad batch");
        QTest::addRow("no metric") << QByteArray("accuracy: 0.9\n") << QByteArray() << 0 << QString() << false << 0.0
                                   << QStringLiteral("printed no value for metric \"loss\"");
        QTest::addRow("nan metric") << QByteArray("loss: nan\n") << QByteArray() << 0 << QString() << false << 0.0
                                    << QStringLiteral("metric \"loss\" is nan");
        QTest::addRow("stopped by the engine") << QByteArray("loss: 4\n") << QByteArray() << 143
                                               << QStringLiteral("killed after exceeding the time limit of 00:00:01")
                                               << false << 0.0 << QStringLiteral("killed after exceeding the time limit of 00:00:01");
        QTest::addRow("no exit code") << QByteArray("loss: 4\n") << QByteArray() << -1 << QString() << false << 0.0
                                      << QStringLiteral("the job left no exit code");
    }
    void judges()
    {
        QFETCH(QByteArray, stdoutText);
        QFETCH(QByteArray, stderrText);
        QFETCH(int, exitCode);
        QFETCH(QString, reason);
        QFETCH(bool, done);
        QFETCH(double, value);
        QFETCH(QString, error);
        JobEnd end;
        end.stdoutPath = write(QStringLiteral("stdout"), stdoutText);
        if (exitCode >= 0)
            end.exitCode = exitCode;
        end.reason = reason;
        const auto extractor = model::MetricExtractor::create(QStringLiteral("loss"));
        QVERIFY(extractor);
        const RunOutcome out = judgeRun(end, extractor.value(), QStringLiteral("loss"), write(QStringLiteral("stderr"), stderrText));
        QCOMPARE(out.state == model::TrialState::Done, done);
        if (done)
            QCOMPARE(*out.value, value);
        QCOMPARE(out.error, error);
    }

    void keepsTheLearningCurveOfAFailedRun()
    {
        JobEnd end;
        end.stdoutPath = write(QStringLiteral("stdout"), "loss: 3\nloss: 2\n");
        end.exitCode = 1;
        const auto extractor = model::MetricExtractor::create(QStringLiteral("loss"));
        const RunOutcome out = judgeRun(end, extractor.value(), QStringLiteral("loss"), write(QStringLiteral("stderr"), ""));
        QCOMPARE(out.intermediate, (QList<double>{3, 2}));
        QVERIFY(out.note.isEmpty());
    }

    // Only the end of a stdout over the download limit came back: its first line is cut at the
    // start ("ss: 9" of "loss: 9") and left out; the last value is the run's; the note says so.
    void judgesTheTailOfATruncatedStdout()
    {
        JobEnd end;
        end.stdoutPath = write(QStringLiteral("stdout"), "s: 9\nloss: 3\nloss: 0.25\n");
        end.exitCode = 0;
        end.stdoutTruncatedFrom = 300 << 20;
        const auto extractor = model::MetricExtractor::create(QStringLiteral("s"), QStringLiteral("s: ([0-9.]+)"));
        const RunOutcome out = judgeRun(end, extractor.value(), QStringLiteral("s"), write(QStringLiteral("stderr"), ""));
        QVERIFY(out.state == model::TrialState::Done);
        QCOMPARE(*out.value, 0.25);
        QCOMPARE(out.intermediate, (QList<double>{3, 0.25}));
        QVERIFY2(out.note.contains(QString::number(300 << 20)) && out.note.contains(QStringLiteral("last 24 bytes")),
                 qPrintable(out.note));
    }

    void missingStdoutIsNamed()
    {
        JobEnd end;
        end.stdoutPath = QDir(m_tmp.path()).filePath(QStringLiteral("gone/stdout"));
        end.exitCode = 0;
        const auto extractor = model::MetricExtractor::create(QStringLiteral("loss"));
        const RunOutcome out = judgeRun(end, extractor.value(), QStringLiteral("loss"), write(QStringLiteral("stderr"), ""));
        QVERIFY(out.state == model::TrialState::Failed);
        QVERIFY2(out.error.contains(end.stdoutPath), qPrintable(out.error));
    }
};

QTEST_GUILESS_MAIN(TestRunOutcome)
#include "tst_runoutcome.moc"
