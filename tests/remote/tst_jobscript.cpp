#include "remote/jobscript.h"
#include "remote/jobbackend.h"
#include "model/campaign.h"

#include <QtTest>

using namespace sweepline::remote;

class TestJobScript : public QObject {
    Q_OBJECT

    static int runScript(const QString& path)
    {
        QProcess p;
        p.start(QStringLiteral("/bin/bash"), {path});
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
        in.campaign = QStringLiteral("demo");
        in.trialId = 7;
        in.token = QStringLiteral("swabcdef01-7");
        in.runDirectory = tmp.path();
        in.command = command;
        in.setup = setup;
        const QString path = QDir(tmp.path()).filePath(QLatin1String(runfiles::script));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(renderJobScript(in).toUtf8());
        return path;
    }

private slots:
    // The validator keeps job.files off these names; it must know every file a run folder gets.
    void everyRunFileNameIsReserved()
    {
        const QStringList reserved = sweepline::model::reservedRunFileNames();
        for (const char* name : {runfiles::script, runfiles::stdoutFile, runfiles::stderrFile, runfiles::exitCode,
                                 runfiles::pid, sweepline::remote::kCancelMarker})
            QVERIFY2(reserved.contains(QLatin1String(name)), name);
    }
    void recordsOutputsAndExitCode_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QByteArray>("stdoutText");
        QTest::addColumn<QByteArray>("stderrText");
        QTest::addColumn<QByteArray>("exitCode");
        QTest::addRow("success") << QStringLiteral("echo loss: 1") << QByteArray("loss: 1\n") << QByteArray() << QByteArray("0\n");
        QTest::addRow("failure") << QStringLiteral("echo oops >&2; exit 3") << QByteArray() << QByteArray("oops\n") << QByteArray("3\n");
        QTest::addRow("multi-line command") << QStringLiteral("echo a\necho b") << QByteArray("a\nb\n") << QByteArray() << QByteArray("0\n");
        QTest::addRow("environment") << QStringLiteral("echo $SWEEPLINE_TRIAL $SWEEPLINE_TOKEN $SWEEPLINE_CAMPAIGN")
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
        QCOMPARE(read(dir, runfiles::exitCode), exitCode);
        QVERIFY(!dir.exists(QStringLiteral("exit_code.tmp")));
    }

    void directiveLinesFollowTheShebang()
    {
        JobScriptInput in;
        in.command = QStringLiteral("true");
        in.runDirectory = QStringLiteral("/tmp");
        in.directiveLines = {QStringLiteral("#SBATCH --job-name=sw1-1"), QStringLiteral("#SBATCH --time=00:01:00")};
        const QStringList lines = renderJobScript(in).split(QLatin1Char('\n'));
        QCOMPARE(lines.mid(0, 3), (QStringList{QStringLiteral("#!/bin/bash"), QStringLiteral("#SBATCH --job-name=sw1-1"),
                                               QStringLiteral("#SBATCH --time=00:01:00")}));
    }

    void setupLinesRunFirst()
    {
        QTemporaryDir tmp;
        runScript(writeScript(tmp, QStringLiteral("echo \"$GREETING\""), {QStringLiteral("GREETING=hello")}));
        QCOMPARE(read(QDir(tmp.path()), runfiles::stdoutFile), QByteArray("hello\n"));
    }

    void neverRunsTwiceInOneFolder()
    {
        QTemporaryDir tmp;
        const QString script = writeScript(tmp, QStringLiteral("echo run >> ../count-%1").arg(QFileInfo(tmp.path()).fileName()));
        const QString counter = QDir(tmp.path()).filePath(QStringLiteral("../count-%1").arg(QFileInfo(tmp.path()).fileName()));
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
        const QString hostile = QDir(parent.path()).filePath(QStringLiteral("x'; touch INJECTED; echo '$(touch INJECTED)"));
        QVERIFY(QDir().mkpath(hostile));
        JobScriptInput in;
        in.campaign = QStringLiteral("c'; touch INJECTED; '");
        in.trialId = 1;
        in.token = QStringLiteral("t");
        in.runDirectory = hostile;
        in.command = QStringLiteral("echo ok");
        const QString path = QDir(hostile).filePath(QStringLiteral("job.sh"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(renderJobScript(in).toUtf8());
        f.close();
        QCOMPARE(runScript(path), 0);
        QCOMPARE(read(QDir(hostile), runfiles::stdoutFile), QByteArray("ok\n"));
        QDirIterator it(parent.path(), {QStringLiteral("INJECTED")}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(!it.hasNext());
    }

    void formatsDurations_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        QTest::addRow("zero") << qint64(0) << QStringLiteral("00:00:00");
        QTest::addRow("minutes") << qint64(90) << QStringLiteral("00:01:30");
        QTest::addRow("hours") << qint64(36000 + 61) << QStringLiteral("10:01:01");
        QTest::addRow("days") << qint64(2 * 86400 + 3600) << QStringLiteral("2-01:00:00");
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
