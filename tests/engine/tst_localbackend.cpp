#include "engine/jobscript.h"
#include "engine/localbackend.h"

#include <QtTest>

#include <csignal>

using namespace Qt::StringLiterals;

using namespace sweepline::engine;

class TestLocalBackend : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    qint64 m_nextId = 1;

    JobRequest request(const QString& command, std::optional<qint64> limit = std::nullopt)
    {
        JobRequest r;
        r.trialId = m_nextId++;
        r.token = u"tok-%1"_s.arg(r.trialId);
        r.runDirectory = QDir(m_tmp.path()).filePath(u"runs/%1"_s.arg(r.trialId));
        JobScriptInput in;
        in.campaign = u"test"_s;
        in.trialId = r.trialId;
        in.token = r.token;
        in.command = command;
        r.script = in;
        r.timeLimitSeconds = limit;
        return r;
    }

    static JobEnd endOf(const QSignalSpy& spy, qint64 trialId)
    {
        for (const auto& args : spy) {
            if (args.at(0).toLongLong() == trialId)
                return args.at(1).value<JobEnd>();
        }
        return {};
    }

    // What a backend delivered through outputArrived, checked to come in order without gaps from
    // `from`, each piece at most maxPiece bytes, and all of it before the job's finished().
    struct Followed {
        QByteArray bytes;
        qint64 next = -1;
        int pieces = 0;
        bool afterFinished = false;
        QString problem;
    };
    static void collect(JobBackend& backend, qint64 trialId, qint64 from, qint64 maxPiece, Followed& into)
    {
        into.next = from;
        connect(&backend, &JobBackend::outputArrived, &backend,
                [&into, trialId, maxPiece](qint64 id, qint64 offset, const QByteArray& bytes) {
                    if (id != trialId)
                        return;
                    if (offset != into.next)
                        into.problem = u"piece at %1, expected %2"_s.arg(offset).arg(into.next);
                    if (bytes.isEmpty() || bytes.size() > maxPiece)
                        into.problem = u"a piece of %1 bytes"_s.arg(bytes.size());
                    if (into.afterFinished)
                        into.problem = u"bytes after finished()"_s;
                    into.bytes += bytes;
                    into.next = offset + bytes.size();
                    ++into.pieces;
                });
        connect(&backend, &JobBackend::finished, &backend, [&into, trialId](qint64 id, const JobEnd&) {
            if (id == trialId)
                into.afterFinished = true;
        });
    }

    static QByteArray readAll(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    // Alive and not a zombie, judged from /proc.
    static bool processAlive(const QString& pidFile)
    {
        QFile f(pidFile);
        if (!f.open(QIODevice::ReadOnly))
            return false;
        QFile stat(u"/proc/%1/stat"_s.arg(f.readAll().trimmed().toInt()));
        if (!stat.open(QIODevice::ReadOnly))
            return false;
        return !stat.readAll().contains(") Z ");
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<JobEnd>();
        QVERIFY(m_tmp.isValid());
    }

    void runsAJobAndReportsItsExit_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("success") << u"echo loss: 0.5"_s << 0;
        QTest::addRow("non-zero exit") << u"exit 4"_s << 4;
    }
    void runsAJobAndReportsItsExit()
    {
        QFETCH(QString, command);
        QFETCH(int, exitCode);
        LocalBackend backend;
        QSignalSpy submitted(&backend, &JobBackend::submitted);
        QSignalSpy started(&backend, &JobBackend::started);
        QSignalSpy finished(&backend, &JobBackend::finished);
        const JobRequest r = request(command);
        backend.submit(r);
        QCOMPARE(submitted.size(), 1);
        QVERIFY(submitted.at(0).at(1).toString().toInt() > 0);
        QCOMPARE(started.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        const JobEnd end = endOf(finished, r.trialId);
        QCOMPARE(end.exitCode, std::optional<int>(exitCode));
        QVERIFY(end.reason.isEmpty());
        QCOMPARE(end.stdoutPath, QDir(r.runDirectory).filePath(u"stdout"_s));
    }

    void copiesInputFiles()
    {
        QFile input(QDir(m_tmp.path()).filePath(u"input.txt"_s));
        QVERIFY(input.open(QIODevice::WriteOnly));
        input.write("payload\n");
        input.close();
        LocalBackend backend;
        QSignalSpy finished(&backend, &JobBackend::finished);
        JobRequest r = request(u"cat input.txt"_s);
        r.inputFiles = {input.fileName()};
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QFile out(QDir(r.runDirectory).filePath(u"stdout"_s));
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(out.readAll(), QByteArray("payload\n"));
    }

    void missingInputFileFailsTheSubmission()
    {
        LocalBackend backend;
        QSignalSpy failed(&backend, &JobBackend::submitFailed);
        JobRequest r = request(u"true"_s);
        r.inputFiles = {QDir(m_tmp.path()).filePath(u"no-such-file"_s)};
        backend.submit(r);
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.at(0).at(1).toString().contains(u"no-such-file"_s));
    }

    void timeLimitKillsTheWholeJob()
    {
        LocalBackend backend;
        backend.setKillGracePeriod(200);
        QSignalSpy finished(&backend, &JobBackend::finished);
        // The job starts a background grandchild that would outlive a kill of the script alone.
        const JobRequest r = request(u"sleep 60 & echo $! > child.pid; wait"_s, 1);
        QElapsedTimer clock;
        clock.start();
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        QVERIFY(clock.elapsed() >= 900);
        const JobEnd end = endOf(finished, r.trialId);
        QVERIFY2(end.reason.contains(u"time limit of 00:00:01"_s), qPrintable(end.reason));
        const QString childPid = QDir(r.runDirectory).filePath(u"child.pid"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(childPid), 5000);
    }

    void jobIgnoringSigtermIsKilledAfterTheGracePeriod()
    {
        LocalBackend backend;
        backend.setKillGracePeriod(300);
        QSignalSpy finished(&backend, &JobBackend::finished);
        const JobRequest r = request(u"trap '' TERM; sleep 60 & wait; wait"_s, 1);
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        QVERIFY(endOf(finished, r.trialId).reason.contains(u"time limit"_s));
    }

    void cancelStopsAJob()
    {
        LocalBackend backend;
        backend.setKillGracePeriod(200);
        QSignalSpy finished(&backend, &JobBackend::finished);
        const JobRequest r = request(u"sleep 60"_s);
        backend.submit(r);
        QTest::qWait(100);
        QCOMPARE(finished.size(), 0);
        backend.cancel(r.trialId);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(endOf(finished, r.trialId).reason, u"cancelled"_s);
    }

    void externallyKilledJobIsReported()
    {
        LocalBackend backend;
        QSignalSpy submitted(&backend, &JobBackend::submitted);
        QSignalSpy finished(&backend, &JobBackend::finished);
        const JobRequest r = request(u"sleep 60"_s);
        backend.submit(r);
        const int pid = submitted.at(0).at(1).toString().toInt();
        ::kill(-pid, SIGKILL);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        const JobEnd end = endOf(finished, r.trialId);
        QVERIFY(!end.exitCode);
        QVERIFY2(end.reason.contains(u"SIGKILL"_s), qPrintable(end.reason));
    }

    void aDetachedJobIsPickedUpByAnotherBackend()
    {
        const JobRequest r = request(u"sleep 0.5; echo loss: 2"_s);
        QString jobId;
        {
            LocalBackend first;
            QSignalSpy submitted(&first, &JobBackend::submitted);
            first.submit(r);
            jobId = submitted.at(0).at(1).toString();
            first.detachAll();
        } // the engine that started it is gone; the job runs on
        LocalBackend second;
        QSignalSpy finished(&second, &JobBackend::finished);
        QSignalSpy submitted(&second, &JobBackend::submitted);
        second.track({r.trialId, r.token, r.runDirectory, jobId, std::nullopt, QDateTime::currentDateTimeUtc(), {}, 0});
        QCOMPARE(submitted.size(), 0); // already known to be submitted
        QCOMPARE(finished.size(), 0);  // still running when tracked
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(endOf(finished, r.trialId).exitCode, std::optional<int>(0));
    }

    void trackingAFinishedJobReportsItAtOnce()
    {
        const JobRequest r = request(u"echo done"_s);
        {
            LocalBackend first;
            QSignalSpy finished(&first, &JobBackend::finished);
            first.submit(r);
            QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        }
        LocalBackend second;
        QSignalSpy submitted(&second, &JobBackend::submitted);
        QSignalSpy finished(&second, &JobBackend::finished);
        // The crash came before the job id was recorded: the backend finds it from the run folder.
        second.track({r.trialId, r.token, r.runDirectory, {}, std::nullopt, {}, {}, 0});
        QCOMPARE(submitted.size(), 1);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(endOf(finished, r.trialId).exitCode, std::optional<int>(0));
    }

    void trackingAJobThatNeverStartedSaysSo()
    {
        const JobRequest r = request(u"true"_s);
        QDir().mkpath(r.runDirectory);
        LocalBackend backend;
        QSignalSpy notSubmitted(&backend, &JobBackend::notSubmitted);
        QSignalSpy finished(&backend, &JobBackend::finished);
        backend.track({r.trialId, r.token, r.runDirectory, {}, std::nullopt, {}, {}, 0});
        QCOMPARE(notSubmitted.size(), 1);
        QCOMPARE(finished.size(), 0);
    }

    void submittingTheSameTrialTwiceRunsItOnce()
    {
        const JobRequest r = request(u"echo run >> ../twice.log; echo loss: 1"_s);
        LocalBackend backend;
        QSignalSpy finished(&backend, &JobBackend::finished);
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        backend.submit(r); // a repeated launch after a crash between launch and record
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
        QFile log(QDir(r.runDirectory).filePath(u"../twice.log"_s));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QCOMPARE(log.readAll(), QByteArray("run\n"));
    }

    // A store made anew beside the run folders of an older one: the old folder's finished job is not
    // adopted as this trial's result, and nothing is run or written in it.
    void aRunFolderOfAnotherStoreIsRefused()
    {
        const JobRequest r = request(u"echo loss: 1"_s);
        QVERIFY(QDir().mkpath(r.runDirectory));
        for (const auto& [name, text] :
             {std::pair{"exit_code", "0\n"}, {"stdout", "loss: -1000\n"}, {"job.pid", "1\n"}}) {
            QFile f(QDir(r.runDirectory).filePath(QLatin1String(name)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        }
        LocalBackend backend;
        QSignalSpy failed(&backend, &JobBackend::submitFailed);
        QSignalSpy finished(&backend, &JobBackend::finished);
        backend.submit(r);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.at(0).at(1).toString().contains(r.runDirectory), qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(finished.size(), 0);
        QVERIFY(!QFileInfo::exists(QDir(r.runDirectory).filePath(u"job.sh"_s)));

        // Another store's trial of the same number, in a folder it marked: refused too.
        JobRequest other = request(u"echo loss: 2"_s);
        {
            LocalBackend first;
            QSignalSpy done(&first, &JobBackend::finished);
            first.submit(other);
            QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 10000);
        }
        other.token = u"tok-of-another-store"_s;
        backend.submit(other);
        QCOMPARE(failed.size(), 2);
        QVERIFY(failed.at(1).at(1).toString().contains(u"another store"_s));
    }

    // The times are the job script's own: a job seen ending late (a resumed engine) keeps them.
    void reportsTheScriptsTimes()
    {
        const JobRequest r = request(u"sleep 1"_s);
        {
            LocalBackend first;
            QSignalSpy done(&first, &JobBackend::finished);
            first.submit(r);
            QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 10000);
        }
        QTest::qWait(1500);
        LocalBackend second;
        QSignalSpy finished(&second, &JobBackend::finished);
        second.track({r.trialId, r.token, r.runDirectory, u"1"_s, std::nullopt, {}, {}, 0});
        QCOMPARE(finished.size(), 1);
        const JobEnd end = endOf(finished, r.trialId);
        QVERIFY(end.startedAt.isValid());
        QVERIFY2(end.startedAt.msecsTo(end.finishedAt) >= 1000 && end.startedAt.msecsTo(end.finishedAt) < 1500,
                 qPrintable(end.finishedAt.toString(Qt::ISODateWithMs)));
        QVERIFY(end.finishedAt.msecsTo(QDateTime::currentDateTimeUtc()) >= 1400); // not when we looked
    }

    // A growing stdout reaches the follower while the job runs, in bounded pieces, in order and
    // without gaps, and its last bytes before finished().
    void followsAGrowingStdoutInOrder()
    {
        LocalBackend backend;
        backend.setOutputFollowing(10, 7);
        QSignalSpy finished(&backend, &JobBackend::finished);
        // The last line has no line end: bytes are delivered as they are, whole lines or not.
        const JobRequest r = request(u"for i in $(seq 1 40); do echo \"line $i of the run\"; sleep 0.01; done; "
                                     "printf tail"_s);
        Followed got;
        collect(backend, r.trialId, 0, 7, got);
        bool seenWhileRunning = false;
        connect(&backend, &JobBackend::outputArrived, this, [&](qint64, qint64, const QByteArray&) {
            seenWhileRunning = seenWhileRunning || !QFileInfo::exists(QDir(r.runDirectory).filePath(u"exit_code"_s));
        });
        backend.followOutput(r.trialId, 0); // before the job exists: applies once it is submitted
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
        QVERIFY2(got.problem.isEmpty(), qPrintable(got.problem));
        QVERIFY(seenWhileRunning);
        const QByteArray whole = readAll(QDir(r.runDirectory).filePath(u"stdout"_s));
        QVERIFY(whole.endsWith("line 40 of the run\ntail"));
        QCOMPARE(got.bytes, whole);
        QVERIFY(got.pieces >= whole.size() / 7);
    }

    // From an offset: nothing before it is delivered again.
    void followsFromAnOffset()
    {
        LocalBackend backend;
        backend.setOutputFollowing(10, 1 << 20);
        QSignalSpy finished(&backend, &JobBackend::finished);
        const JobRequest r = request(u"echo first; sleep 0.2; echo second"_s);
        Followed got;
        collect(backend, r.trialId, 3, 1 << 20, got);
        backend.followOutput(r.trialId, 3);
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QVERIFY2(got.problem.isEmpty(), qPrintable(got.problem));
        QCOMPARE(got.bytes, QByteArray("st\nsecond\n"));
    }

    // A job of an earlier engine, running or already ended, is followed from the offset its
    // curve was recorded at.
    void followsATrackedJob_data()
    {
        QTest::addColumn<bool>("stillRunning");
        QTest::addRow("running") << true;
        QTest::addRow("ended") << false;
    }
    void followsATrackedJob()
    {
        QFETCH(bool, stillRunning);
        const JobRequest r = request(u"echo one; echo two; sleep 0.6; echo three"_s);
        QString jobId;
        {
            LocalBackend first;
            QSignalSpy submitted(&first, &JobBackend::submitted);
            QSignalSpy finished(&first, &JobBackend::finished);
            first.submit(r);
            jobId = submitted.at(0).at(1).toString();
            QTRY_VERIFY_WITH_TIMEOUT(readAll(QDir(r.runDirectory).filePath(u"stdout"_s)) == "one\ntwo\n", 10000);
            if (!stillRunning)
                QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
            first.detachAll();
        }
        LocalBackend second;
        second.setOutputFollowing(10, 1 << 20);
        QSignalSpy finished(&second, &JobBackend::finished);
        Followed got;
        collect(second, r.trialId, 4, 1 << 20, got);
        second.followOutput(r.trialId, 4); // "one\n" was read by the first engine
        second.track({r.trialId, r.token, r.runDirectory, jobId, std::nullopt, QDateTime::currentDateTimeUtc(), {}, 0});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QVERIFY2(got.problem.isEmpty(), qPrintable(got.problem));
        QCOMPARE(got.bytes, QByteArray("two\nthree\n"));
    }

    // Many bytes at once from a job that ends at once: they all go out, in bounded pieces, before
    // finished().
    void drainsAFloodBeforeFinished()
    {
        LocalBackend backend;
        backend.setOutputFollowing(3600 * 1000, 4096); // only the end's drain delivers anything
        QSignalSpy finished(&backend, &JobBackend::finished);
        const JobRequest r = request(u"head -c 300000 /dev/zero | tr '\\0' x"_s);
        Followed got;
        collect(backend, r.trialId, 0, 4096, got);
        backend.followOutput(r.trialId, 0);
        backend.submit(r);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QVERIFY2(got.problem.isEmpty(), qPrintable(got.problem));
        QCOMPARE(got.bytes.size(), 300000);
        QCOMPARE(got.pieces, (300000 + 4095) / 4096);
    }

    void withoutFollowingNoOutputIsDelivered()
    {
        LocalBackend backend;
        backend.setOutputFollowing(10, 1 << 20);
        QSignalSpy output(&backend, &JobBackend::outputArrived);
        QSignalSpy finished(&backend, &JobBackend::finished);
        backend.submit(request(u"echo loss: 1; sleep 0.1"_s));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(output.size(), 0);
    }

    void aTrackedJobPastItsLimitIsStopped()
    {
        const JobRequest r = request(u"sleep 60"_s);
        QString jobId;
        {
            LocalBackend first;
            QSignalSpy submitted(&first, &JobBackend::submitted);
            first.submit(r);
            jobId = submitted.at(0).at(1).toString();
            first.detachAll();
        }
        LocalBackend second;
        second.setKillGracePeriod(200);
        QSignalSpy finished(&second, &JobBackend::finished);
        // Started 10 s ago with a 5 s limit: it is already over its time.
        second.track(
            {r.trialId, r.token, r.runDirectory, jobId, 5, QDateTime::currentDateTimeUtc().addSecs(-10), {}, 0});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QVERIFY(endOf(finished, r.trialId).reason.contains(u"time limit"_s));
    }
};

QTEST_GUILESS_MAIN(TestLocalBackend)
#include "tst_localbackend.moc"
