#include "engine/folderclaim.h"
#include "engine/jobbackend.h"
#include "engine/jobscript.h"
#include "model/campaign.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline::engine;

class TestJobScript : public QObject {
    Q_OBJECT

    static int runScript(const QString& path)
    {
        QProcess p;
        p.start(u"/bin/bash"_s, {path});
        p.waitForFinished(10000);
        return p.exitCode();
    }

    static QByteArray read(const QDir& dir, const char* name)
    {
        QFile f(dir.filePath(QLatin1String(name)));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    }

    static QString writeScript(const QTemporaryDir& tmp, const QString& command, const QStringList& setup = {})
    {
        JobScriptInput in;
        in.campaign = u"demo"_s;
        in.trialId = 7;
        in.token = u"swabcdef01-7"_s;
        in.runDirectory = tmp.path();
        in.command = command;
        in.setup = setup;
        QString path = QDir(tmp.path()).filePath(QLatin1String(runfiles::script));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(renderJobScript(in).toUtf8());
        return path;
    }

private slots:
    // The validator keeps job.files off these names; it must know every file a run folder gets.
    void everyRunFileNameIsReserved()
    {
        const QStringList& reserved = sweepline::model::reservedRunFileNames();
        for (const char* name : {runfiles::script, runfiles::stdoutFile, runfiles::stderrFile, runfiles::exitCode,
                                 runfiles::pid, sweepline::engine::kCancelMarker, sweepline::engine::kOwnerMarkFile})
            QVERIFY2(reserved.contains(QLatin1String(name)), name);
    }
    void recordsOutputsAndExitCode_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QByteArray>("stdoutText");
        QTest::addColumn<QByteArray>("stderrText");
        QTest::addColumn<QByteArray>("exitCode");
        QTest::addRow("success") << u"echo loss: 1"_s << QByteArray("loss: 1\n") << QByteArray() << QByteArray("0\n");
        QTest::addRow("failure") << u"echo oops >&2; exit 3"_s << QByteArray() << QByteArray("oops\n")
                                 << QByteArray("3\n");
        QTest::addRow("multi-line command")
            << u"echo a\necho b"_s << QByteArray("a\nb\n") << QByteArray() << QByteArray("0\n");
        QTest::addRow("environment") << u"echo $SWEEPLINE_TRIAL $SWEEPLINE_TOKEN $SWEEPLINE_CAMPAIGN"_s
                                     << QByteArray("7 swabcdef01-7 demo\n") << QByteArray() << QByteArray("0\n");
    }
    void recordsOutputsAndExitCode()
    {
        QFETCH(QString, command);
        QFETCH(QByteArray, stdoutText);
        QFETCH(QByteArray, stderrText);
        QFETCH(QByteArray, exitCode);
        QTemporaryDir tmp;
        const QString script = writeScript(tmp, command);
        runScript(script);
        const QDir dir(tmp.path());
        QCOMPARE(read(dir, runfiles::stdoutFile), stdoutText);
        QCOMPARE(read(dir, runfiles::stderrFile), stderrText);
        QCOMPARE(read(dir, runfiles::exitCode).split('\n').value(0) + '\n', exitCode);
        QVERIFY(!dir.exists(u"exit_code.tmp"_s));
    }

    // A job that starts and ends between two polls is never seen running: its script's own clock
    // gives the start and end, in the exit-code file the poll reads anyway.
    void recordsItsOwnStartAndEnd()
    {
        QTemporaryDir tmp;
        const QDateTime before = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch(), Qt::UTC);
        runScript(writeScript(tmp, u"sleep 1.2; exit 4"_s));
        const QDateTime after = QDateTime::currentDateTimeUtc();
        const ExitRecord record = parseExitCodeFile(read(QDir(tmp.path()), runfiles::exitCode));
        QCOMPARE(record.exitCode, std::optional<int>(4));
        QVERIFY(record.startedAt.isValid());
        QVERIFY(record.finishedAt.isValid());
        QVERIFY2(record.startedAt >= before && record.finishedAt <= after, qPrintable(record.startedAt.toString()));
        QVERIFY(record.startedAt.msecsTo(record.finishedAt) >= 1200);
    }

    void readsExitCodeFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<std::optional<int>>("exitCode");
        QTest::addColumn<qint64>("started");
        QTest::addColumn<qint64>("finished");
        QTest::addRow("an older version's") << QByteArray("0\n") << std::optional<int>(0) << qint64(0) << qint64(0);
        QTest::addRow("with times") << QByteArray("2\nstarted 1700000000\nfinished 1700000042\n")
                                    << std::optional<int>(2) << qint64(1700000000000) << qint64(1700000042000);
        QTest::addRow("microseconds, either decimal point")
            << QByteArray("0\nstarted 1700000000.250000\nfinished 1700000001,750000\n") << std::optional<int>(0)
            << qint64(1700000000250) << qint64(1700000001750);
        QTest::addRow("garbled times") << QByteArray("0\nstarted x\nfinished -5\nstarted 1 2\n")
                                       << std::optional<int>(0) << qint64(0) << qint64(0);
        // The first line is the exit code, whatever it holds.
        QTest::addRow("no exit code") << QByteArray("started 1700000000\n") << std::optional<int>() << qint64(0)
                                      << qint64(0);
        QTest::addRow("empty") << QByteArray() << std::optional<int>() << qint64(0) << qint64(0);
    }
    void readsExitCodeFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(std::optional<int>, exitCode);
        QFETCH(qint64, started);
        QFETCH(qint64, finished);
        const ExitRecord record = parseExitCodeFile(content);
        QCOMPARE(record.exitCode, exitCode);
        QCOMPARE(record.startedAt.isValid() ? record.startedAt.toMSecsSinceEpoch() : 0, started);
        QCOMPARE(record.finishedAt.isValid() ? record.finishedAt.toMSecsSinceEpoch() : 0, finished);
    }

    void directiveLinesFollowTheShebang()
    {
        JobScriptInput in;
        in.command = u"true"_s;
        in.runDirectory = u"/tmp"_s;
        in.directiveLines = {u"#SBATCH --job-name=sw1-1"_s, u"#SBATCH --time=00:01:00"_s};
        const QStringList lines = renderJobScript(in).split(u'\n');
        QCOMPARE(lines.mid(0, 3),
                 (QStringList{u"#!/bin/bash"_s, u"#SBATCH --job-name=sw1-1"_s, u"#SBATCH --time=00:01:00"_s}));
    }

    void setupLinesRunFirst()
    {
        QTemporaryDir tmp;
        runScript(writeScript(tmp, u"echo \"$GREETING\""_s, {u"GREETING=hello"_s}));
        QCOMPARE(read(QDir(tmp.path()), runfiles::stdoutFile), QByteArray("hello\n"));
    }

    void neverRunsTwiceInOneFolder()
    {
        QTemporaryDir tmp;
        const QString script = writeScript(tmp, u"echo run >> ../count-%1"_s.arg(QFileInfo(tmp.path()).fileName()));
        const QString counter = QDir(tmp.path()).filePath(u"../count-%1"_s.arg(QFileInfo(tmp.path()).fileName()));
        QFile::remove(counter);
        runScript(script);
        runScript(script);
        QFile f(counter);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("run\n"));
        f.remove();
    }

    void runsInAFolderWithHostileName()
    {
        QTemporaryDir parent;
        const QString hostile = QDir(parent.path()).filePath(u"x'; touch INJECTED; echo '$(touch INJECTED)"_s);
        QVERIFY(QDir().mkpath(hostile));
        JobScriptInput in;
        in.campaign = u"c'; touch INJECTED; '"_s;
        in.trialId = 1;
        in.token = u"t"_s;
        in.runDirectory = hostile;
        in.command = u"echo ok"_s;
        const QString path = QDir(hostile).filePath(u"job.sh"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(renderJobScript(in).toUtf8());
        f.close();
        QCOMPARE(runScript(path), 0);
        QCOMPARE(read(QDir(hostile), runfiles::stdoutFile), QByteArray("ok\n"));
        QDirIterator it(parent.path(), {u"INJECTED"_s}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(!it.hasNext());
    }

    void formatsDurations_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        QTest::addRow("zero") << qint64(0) << u"00:00:00"_s;
        QTest::addRow("minutes") << qint64(90) << u"00:01:30"_s;
        QTest::addRow("hours") << qint64(36000 + 61) << u"10:01:01"_s;
        QTest::addRow("days") << qint64(2 * 86400 + 3600) << u"2-01:00:00"_s;
    }
    void formatsDurations()
    {
        QFETCH(qint64, seconds);
        QFETCH(QString, text);
        QCOMPARE(formatDuration(seconds), text);
    }
};

QTEST_GUILESS_MAIN(TestJobScript)
#include "tst_jobscript.moc"
