#include "engine/runoutcome.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::engine;

namespace {

model::Objective objective(const QString& metric, const QString& pattern = {}, const QString& stepPattern = {})
{
    model::Objective o;
    o.metric = metric;
    o.pattern = pattern;
    o.stepPattern = stepPattern;
    return o;
}

} // namespace

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

        QTest::addRow("success, last value wins") << QByteArray("loss: 3\nloss: 2\nloss: 1.5\n") << QByteArray() << 0
                                                  << QString() << true << 1.5 << QString();
        QTest::addRow("non-zero exit names the stderr tail")
            << QByteArray("loss: 1\n") << QByteArray("Traceback\n  ...\nValueError: bad batch\n\n") << 1 << QString()
            << false << 0.0 << u"exited with code 1: ValueError: bad batch"_s;
        QTest::addRow("no metric") << QByteArray("accuracy: 0.9\n") << QByteArray() << 0 << QString() << false << 0.0
                                   << u"printed no value for metric \"loss\""_s;
        QTest::addRow("nan metric") << QByteArray("loss: nan\n") << QByteArray() << 0 << QString() << false << 0.0
                                    << u"metric \"loss\" is nan"_s;
        QTest::addRow("stopped by the engine")
            << QByteArray("loss: 4\n") << QByteArray() << 143 << u"killed after exceeding the time limit of 00:00:01"_s
            << false << 0.0 << u"killed after exceeding the time limit of 00:00:01"_s;
        QTest::addRow("no exit code") << QByteArray("loss: 4\n") << QByteArray() << -1 << QString() << false << 0.0
                                      << u"the job left no exit code"_s;
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
        end.stdoutPath = write(u"stdout"_s, stdoutText);
        if (exitCode >= 0)
            end.exitCode = exitCode;
        end.reason = reason;
        const RunOutcome out = judgeRun(end, objective(u"loss"_s), write(u"stderr"_s, stderrText));
        QCOMPARE(out.state == model::TrialState::Done, done);
        if (done)
            QCOMPARE(*out.value, value);
        QCOMPARE(out.error, error);
    }

    void keepsTheLearningCurveOfAFailedRun()
    {
        JobEnd end;
        end.stdoutPath = write(u"stdout"_s, "loss: 3\nloss: 2\n");
        end.exitCode = 1;
        const RunOutcome out = judgeRun(end, objective(u"loss"_s), write(u"stderr"_s, ""));
        QCOMPARE(out.intermediate, (QList<double>{3, 2}));
        QVERIFY(out.note.isEmpty());
    }

    // Only the end of a stdout over the download limit came back: its first line is cut at the
    // start ("ss: 9" of "loss: 9") and left out; the last value is the run's; the note says so.
    void judgesTheTailOfATruncatedStdout()
    {
        JobEnd end;
        end.stdoutPath = write(u"stdout"_s, "s: 9\nloss: 3\nloss: 0.25\n");
        end.exitCode = 0;
        end.stdoutTruncatedFrom = 300 << 20;
        const RunOutcome out = judgeRun(end, objective(u"s"_s, u"s: ([0-9.]+)"_s), write(u"stderr"_s, ""));
        QVERIFY(out.state == model::TrialState::Done);
        QCOMPARE(*out.value, 0.25);
        QCOMPARE(out.intermediate, (QList<double>{3, 0.25}));
        QVERIFY2(out.note.contains(QString::number(300 << 20)) && out.note.contains(u"last 24 bytes"_s),
                 qPrintable(out.note));
    }

    // With objective.step_pattern each value has the step printed last before it.
    void givesTheStepsOfAStepPattern()
    {
        JobEnd end;
        end.stdoutPath = write(u"stdout"_s, "epoch 1\nloss: 3\nepoch 2\nloss: 2\nepoch 5\nloss: 1\n");
        end.exitCode = 0;
        const RunOutcome out = judgeRun(end, objective(u"loss"_s, {}, u"epoch (\\d+)"_s), write(u"stderr"_s, ""));
        QVERIFY2(out.state == model::TrialState::Done, qPrintable(out.error));
        QCOMPARE(*out.value, 1.0);
        QCOMPARE(out.intermediate, (QList<double>{3, 2, 1}));
        QCOMPARE(out.steps, (QList<int>{1, 2, 5}));
        // Without a step pattern, steps stay empty (1..n), as before.
        const RunOutcome plain = judgeRun(end, objective(u"loss"_s), write(u"stderr"_s, ""));
        QCOMPARE(plain.intermediate, (QList<double>{3, 2, 1}));
        QVERIFY(plain.steps.isEmpty());
    }

    // The truncated-first-line rule holds with steps too, even for a first line longer than what
    // is read at a time.
    void stepsOfATruncatedStdoutLeaveOutItsFirstLine_data()
    {
        QTest::addColumn<QByteArray>("cutLine");
        QTest::addRow("short") << QByteArray("s: 9");
        QTest::addRow("longer than a read") << QByteArray(200000, 'x') + "s: 9";
    }
    void stepsOfATruncatedStdoutLeaveOutItsFirstLine()
    {
        QFETCH(QByteArray, cutLine);
        JobEnd end;
        end.stdoutPath = write(u"stdout"_s, cutLine + "\nepoch 4\nloss: 3\nepoch 5\nloss: 0.25\n");
        end.exitCode = 0;
        end.stdoutTruncatedFrom = 300 << 20;
        const RunOutcome out =
            judgeRun(end, objective(u"s"_s, u"s: ([0-9.]+)"_s, u"epoch (\\d+)"_s), write(u"stderr"_s, ""));
        QVERIFY2(out.state == model::TrialState::Done, qPrintable(out.error));
        QCOMPARE(*out.value, 0.25);
        QCOMPARE(out.intermediate, (QList<double>{3, 0.25}));
        QCOMPARE(out.steps, (QList<int>{4, 5}));
        QVERIFY(!out.note.isEmpty());
    }

    void missingStdoutIsNamedWithAStepPatternToo()
    {
        JobEnd end;
        end.stdoutPath = QDir(m_tmp.path()).filePath(u"gone/stdout"_s);
        end.exitCode = 0;
        const RunOutcome out = judgeRun(end, objective(u"loss"_s, {}, u"epoch (\\d+)"_s), write(u"stderr"_s, ""));
        QVERIFY(out.state == model::TrialState::Failed);
        QVERIFY2(out.error.contains(end.stdoutPath), qPrintable(out.error));
    }

    void missingStdoutIsNamed()
    {
        JobEnd end;
        end.stdoutPath = QDir(m_tmp.path()).filePath(u"gone/stdout"_s);
        end.exitCode = 0;
        const RunOutcome out = judgeRun(end, objective(u"loss"_s), write(u"stderr"_s, ""));
        QVERIFY(out.state == model::TrialState::Failed);
        QVERIFY2(out.error.contains(end.stdoutPath), qPrintable(out.error));
    }
};

QTEST_GUILESS_MAIN(TestRunOutcome)
#include "tst_runoutcome.moc"
