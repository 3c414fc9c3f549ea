// ClusterBackend's own bookkeeping against a real sshd, logged in as an ordinary account (noisy login
// files): jobs that leave m_jobs while a loop over it runs, and slots that call back into the backend
// meanwhile. Following the output of running jobs, through the plain-ssh scheduler and a real
// one-node Slurm: in order, complete, while they run, one command per poll whatever their number,
// across failed polls, and cancels of followed jobs.
#include "remote/clusterbackend.h"
#include "remote/schedulers/adapterbase.h"
#include "remote/ssh/endpoint.h"
#include "support/refusingprompter.h"
#include "support/slurmfixture.h"
#include "support/sshserverfixture.h"
#include "support/testaccount.h"
#include "support/testfiles.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::engine;
using namespace sweepline::remote;
using namespace sweepline::testing;

namespace {

// What a followed job's output brought: one outputArrived, and the commands sent until then.
struct Arrival {
    qint64 trialId = 0;
    qint64 offset = 0;
    QByteArray bytes;
    int commandsSent = 0;
    bool afterFinished = false; // arrived after this trial's finished()
    bool beforeStarted = false; // arrived before this trial's started()
};

// Every signal of a backend about its jobs, in the order they came.
class BackendLog : public QObject {
public:
    explicit BackendLog(ClusterBackend& backend) : m_backend(backend)
    {
        connect(&backend, &JobBackend::started, this, [this](qint64 id, const QDateTime&) { started.insert(id); });
        connect(&backend, &JobBackend::finished, this, [this](qint64 id, const JobEnd& end) { ends.insert(id, end); });
        connect(&backend, &JobBackend::submitted, this,
                [this](qint64 id, const QString& jobId, const QDateTime&) { submitted.insert(id, jobId); });
        connect(&backend, &JobBackend::outputArrived, this, [this](qint64 id, qint64 offset, const QByteArray& bytes) {
            arrivals.append({id, offset, bytes, m_backend.commandsSent(), ends.contains(id), !started.contains(id)});
        });
    }
    QByteArray output(qint64 id) const
    {
        QByteArray all;
        for (const Arrival& a : arrivals) {
            if (a.trialId == id)
                all += a.bytes;
        }
        return all;
    }
    // Each arrival starts where the one before ended, from 0, and none came out of turn.
    QString orderProblem(qint64 id) const
    {
        qint64 next = 0;
        for (const Arrival& a : arrivals) {
            if (a.trialId != id)
                continue;
            if (a.offset != next)
                return u"trial %1: bytes from %2, expected from %3"_s.arg(id).arg(a.offset).arg(next);
            if (a.bytes.isEmpty() || a.afterFinished || a.beforeStarted)
                return u"trial %1: an empty arrival, or one after finished or before started"_s.arg(id);
            next += a.bytes.size();
        }
        return {};
    }

    QSet<qint64> started;
    QHash<qint64, QString> submitted; // trial -> job id
    QHash<qint64, JobEnd> ends;
    QList<Arrival> arrivals;

private:
    ClusterBackend& m_backend;
};

// Prints "epoch <i> loss: <v>" lines, a tenth of a second apart, until $HOME/<gate> appears
// (bounded), then <tail> (shell code), then exits with <exit code>.
QString epochsUntil(const QString& gate, const QString& tail = {}, int epochs = 600)
{
    return u"i=0; while [ ! -e \"$HOME\"/%1 ] && [ $i -lt %2 ]; do i=$((i + 1)); "
           "echo \"epoch $i loss: $((1000 - i))\"; sleep 0.1; done; %3"_s.arg(gate)
               .arg(epochs)
               .arg(tail.isEmpty() ? u":"_s : tail);
}

} // namespace

class TestClusterBackend : public QObject {
    Q_OBJECT

    std::unique_ptr<SlurmFixture> m_slurm;
    std::unique_ptr<SshServerFixture> m_ssh;
    std::unique_ptr<TestAccount> m_account;
    RefusingPrompter m_prompts;
    QTemporaryDir m_local;
    int m_gates = 0;
    qint64 m_nextTrial = 1000;

    std::unique_ptr<ClusterBackend> makeBackend(const QString& campaign, const QString& scheduler = u"ssh"_s,
                                                int pollIntervalMs = 500)
    {
        SshClientConfig client;
        client.user = m_account->name();
        model::ClusterSettings cluster;
        cluster.scheduler = scheduler;
        cluster.host = u"sweepline-test"_s;
        cluster.sshConfig = m_ssh->writeClientConfig(client);
        auto endpoint = ssh::resolveEndpoint(cluster);
        if (!endpoint)
            qFatal("%s", qPrintable(endpoint.error()));
        ClusterOptions options;
        options.campaign = campaign;
        options.workdir = u"sweepline"_s;
        options.pollIntervalMs = pollIntervalMs;
        return std::make_unique<ClusterBackend>(std::move(endpoint).value(), makeSchedulerAdapter(scheduler), options,
                                                m_prompts);
    }

    JobRequest jobRequest(const QString& campaign, const QString& command)
    {
        JobRequest request;
        request.trialId = ++m_nextTrial;
        request.token = u"swfollow-%1"_s.arg(request.trialId);
        request.runDirectory = m_local.filePath(u"runs/%1"_s.arg(request.trialId));
        QDir().mkpath(request.runDirectory);
        request.script.campaign = campaign;
        request.script.trialId = request.trialId;
        request.script.token = request.token;
        request.script.command = command;
        request.storeId = u"abcd1234"_s;
        request.attempt = 1;
        return request;
    }
    // The job's folder on the "cluster", in the account's home (ClusterBackend::remoteDirectory).
    QString remoteFile(const QString& campaign, qint64 trialId, const QString& name) const
    {
        return m_account->home() + u"/sweepline/%1/abcd1234/%2.1/%3"_s.arg(campaign).arg(trialId).arg(name);
    }
    QString newGate() { return u"gate-%1"_s.arg(++m_gates); }
    void open(const QString& gate) { writeTextFile(m_account->home() + u'/' + gate, {}); }

    // Through the plain-ssh scheduler (kill) and the real Slurm (scancel); PBS and PJM, which cannot
    // run here, through stand-ins (qdel, pjdel).
    static void schedulerRows()
    {
        QTest::addColumn<QString>("scheduler");
        QTest::addRow("ssh") << u"ssh"_s;
        QTest::addRow("slurm") << u"slurm"_s;
        QTest::addRow("pbs (stand-in)") << u"pbs"_s;
        QTest::addRow("pjm (stand-in)") << u"pjm"_s;
    }

    // PBS and PJM cannot run here: stand-ins on the session's PATH run the job script detached in its
    // own process group (its id is its pid; "<pid>.fakepbs" for PBS), report it running while that
    // process lives and ended after (qstat's JSON: "R", "F"; pjstat's active and history tables:
    // RUN, then EXT, or CCL after a pjdel), and kill its group. Returns their folder.
    QString installStandIns()
    {
        QString bin = m_local.filePath(u"stand-ins"_s);
        QDir().mkpath(bin);
        const QFileDevice::Permissions readable = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
            | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
        QFile::setPermissions(m_local.path(), readable); // the account reaches them
        QFile::setPermissions(bin, readable);
        const QList<std::pair<QString, QString>> scripts{
            {u"qsub"_s,
             u"cd \"$(dirname \"$1\")\" || exit 1\n"
             "setsid bash \"$1\" > /dev/null 2>&1 < /dev/null &\n"
             "echo \"$!.fakepbs\"\n"_s},
            {u"qstat"_s,
             u"shift 4 # -f -F json -x\n"
             "printf '{\"Jobs\":{'; sep=\n"
             "for id in \"$@\"; do\n"
             "  if kill -0 \"${id%%.*}\" 2> /dev/null; then st=R; else st=F; fi\n"
             "  printf '%s\"%s\":{\"Job_Name\":\"x\",\"job_state\":\"%s\"}' \"$sep\" \"$id\" \"$st\"; sep=,\n"
             "done\n"
             "printf '}}\\n'\n"_s},
            {u"qdel"_s, u"for id in \"$@\"; do kill -TERM -- \"-${id%%.*}\"; done\n"_s},
            {u"pjsub"_s,
             u"cd \"$(dirname \"$1\")\" || exit 1\n"
             "setsid bash \"$1\" > /dev/null 2>&1 < /dev/null &\n"
             "echo \"[INFO] PJM 0000 pjsub Job $! submitted.\"\n"_s},
            {u"pjstat"_s,
             u"history=; [ \"$1\" = -H ] && history=1\n"
             "for a; do case $a in jid=*) ids=${a#jid=} ;; esac; done\n"
             "echo ' JOB_ID     ST  EC  SN'\n"
             "IFS=+ read -ra list <<< \"$ids\"\n"
             "for id in \"${list[@]}\"; do\n"
             "  if kill -0 \"$id\" 2> /dev/null; then [ -z \"$history\" ] && echo \" $id RUN - -\"\n"
             "  elif [ -n \"$history\" ] && [ -e \"$HOME/.pjdel-$id\" ]; then echo \" $id CCL - -\"\n"
             "  elif [ -n \"$history\" ]; then echo \" $id EXT 0 0\"; fi\n"
             "done\n"
             "exit 0\n"_s},
            {u"pjdel"_s, u"for id in \"$@\"; do : > \"$HOME/.pjdel-$id\"; kill -TERM -- \"-$id\"; done\n"_s},
        };
        for (const auto& [name, body] : scripts) {
            writeTextFile(bin + u'/' + name, u"#!/bin/bash\n"_s + body);
            QFile::setPermissions(bin + u'/' + name, readable);
        }
        return bin;
    }

    static void writeTextFile(const QString& path, const QString& text)
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(text.toUtf8()) < 0)
            qFatal("cannot write %s", qPrintable(path));
    }
    static QByteArray readBytes(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    }

    static TrackedJob unclearJob(qint64 id)
    {
        TrackedJob job;
        job.trialId = id;
        job.token = u"swabcd1234-%1"_s.arg(id);
        job.runDirectory = QDir::tempPath();
        job.storeId = u"abcd1234"_s;
        job.attempt = 1;
        return job; // no job id: the submission's answer never came
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<JobEnd>();
        QVERIFY(m_local.isValid());
        SlurmOptions slurm;
        slurm.cpus = 8; // six followed jobs run at once
        m_slurm = std::make_unique<SlurmFixture>(slurm);
        QVERIFY2(m_slurm->start(), qPrintable(m_slurm->errorString()));
        SshServerOptions options;
        options.sessionEnvironment = m_slurm->sessionEnvironment();
        options.sessionEnvironment.insert(u"PATH"_s, installStandIns() + u":/usr/local/bin:/usr/bin:/bin"_s);
        m_ssh = std::make_unique<SshServerFixture>(options);
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        m_account = std::make_unique<TestAccount>();
        QVERIFY2(m_account->create(), qPrintable(m_account->errorString()));
    }

    void cleanupTestCase()
    {
        // The account's jobs and sessions first, then the fixtures they used.
        m_account.reset();
        m_ssh.reset();
        m_slurm.reset();
    }

    void followedOutputArrivesInOrderWhileTheJobRuns_data() { schedulerRows(); }
    // Epochs arrive while the job waits for a gate (it cannot have ended), then more than 64 KiB at
    // once, which takes several polls, again while the job waits, then more than 64 KiB as it ends;
    // everything in order, from byte 0, before finished(), and what arrived is the job's whole stdout.
    void followedOutputArrivesInOrderWhileTheJobRuns()
    {
        QFETCH(QString, scheduler);
        const QString campaign = u"follow-"_s + scheduler;
        auto backend = makeBackend(campaign, scheduler, 300);
        BackendLog log(*backend);
        const QString first = newGate();
        const QString second = newGate();
        // At the end, more than a poll brings at once: the rest comes with the collection.
        const QString tail = u"head -c 200000 /dev/zero | tr '\\0' y; echo; %1; head -c 150000 /dev/zero | tr '\\0' z; "
                             "echo 'last line'"_s.arg(epochsUntil(second, {}, 600).replace(u"epoch"_s, u"after"_s));
        JobRequest request = jobRequest(campaign, epochsUntil(first, tail));
        backend->followOutput(request.trialId, 0); // before it is submitted: applies once it is
        backend->submit(request);
        const qint64 id = request.trialId;
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).contains("epoch 3 loss: 997\n"), 60000);
        QVERIFY(!log.ends.contains(id));
        QVERIFY(log.started.contains(id));
        open(first);
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).count('y') == 200000 && log.output(id).contains("after 1 "), 60000);
        QVERIFY(!log.ends.contains(id)); // still waiting at the second gate
        qsizetype polls = 0;
        for (const Arrival& a : std::as_const(log.arrivals))
            polls += a.bytes.contains('y') ? 1 : 0;
        QVERIFY2(polls >= 4, "more than 64 KiB came in one poll"); // 200000 bytes, at most 65536 a poll
        open(second);
        QTRY_VERIFY_WITH_TIMEOUT(log.ends.contains(id), 60000);
        const JobEnd end = log.ends.value(id);
        QCOMPARE(end.exitCode, std::optional<int>(0));
        QVERIFY(!end.cancelled);
        QCOMPARE(log.orderProblem(id), QString());
        const QByteArray remote = readBytes(remoteFile(campaign, id, u"stdout"_s));
        QVERIFY(remote.endsWith("last line\n"));
        QCOMPARE(log.output(id), remote);
        QCOMPARE(readBytes(end.stdoutPath), remote);
    }

    // Polls that fail (sshd is down) deliver nothing and keep the offset: once it is back, the output
    // goes on from where it stopped, with nothing lost or repeated.
    void failedPollsKeepTheOffset()
    {
        const QString campaign = u"lost-connection"_s;
        auto backend = makeBackend(campaign, u"slurm"_s, 300);
        BackendLog log(*backend);
        const QString gate = newGate();
        const JobRequest request = jobRequest(campaign, epochsUntil(gate));
        backend->followOutput(request.trialId, 0);
        backend->submit(request);
        const qint64 id = request.trialId;
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).contains("epoch 2 loss"), 60000);
        m_ssh->stop();
        const qsizetype arrived = log.arrivals.size();
        const int commands = backend->commandsSent();
        QTRY_VERIFY_WITH_TIMEOUT(backend->commandsSent() >= commands + 2, 30000); // two polls failed
        QCOMPARE(log.arrivals.size(), arrived);
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        const qsizetype before = log.output(id).size();
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).size() > before + 100, 60000);
        open(gate);
        QTRY_VERIFY_WITH_TIMEOUT(log.ends.contains(id), 60000);
        QCOMPARE(log.ends.value(id).exitCode, std::optional<int>(0));
        QCOMPARE(log.orderProblem(id), QString());
        QCOMPARE(log.output(id), readBytes(remoteFile(campaign, id, u"stdout"_s)));
    }

    void onePollIsOneCommandWhateverTheNumberOfJobs_data()
    {
        QTest::addColumn<QString>("scheduler");
        QTest::addColumn<int>("jobs");
        QTest::addRow("ssh, 1 job") << u"ssh"_s << 1;
        QTest::addRow("ssh, 6 jobs") << u"ssh"_s << 6;
        QTest::addRow("slurm, 1 job") << u"slurm"_s << 1;
        QTest::addRow("slurm, 6 jobs") << u"slurm"_s << 6;
    }
    // While every job prints, each poll brings new output of all of them, and costs one command:
    // the arrivals of one poll share one commandsSent(), and the next poll's is one more.
    void onePollIsOneCommandWhateverTheNumberOfJobs()
    {
        QFETCH(QString, scheduler);
        QFETCH(int, jobs);
        const QString campaign = u"many-%1-%2"_s.arg(scheduler).arg(jobs);
        auto backend = makeBackend(campaign, scheduler, 300);
        BackendLog log(*backend);
        const QString gate = newGate();
        QList<qint64> ids;
        for (int j = 0; j < jobs; ++j) {
            const JobRequest request = jobRequest(campaign, epochsUntil(gate));
            ids.append(request.trialId);
            if (j % 2 == 0)
                backend->followOutput(request.trialId, 0); // before submission
            backend->submit(request);
        }
        // The others once they are submitted.
        QTRY_COMPARE_WITH_TIMEOUT(log.submitted.size(), jobs, 60000);
        for (int j = 1; j < jobs; j += 2)
            backend->followOutput(ids.at(j), 0);
        // Four polls in a row, each one command, each with output of every job.
        const auto roundsInARow = [&] {
            QMap<int, QSet<qint64>> byCommand;
            for (const Arrival& a : std::as_const(log.arrivals))
                byCommand[a.commandsSent].insert(a.trialId);
            int inARow = 0;
            int previous = -1;
            for (auto it = byCommand.cbegin(); it != byCommand.cend() && inARow < 4; ++it) {
                const bool all = it.value().size() == jobs;
                inARow = all && it.key() == previous + 1 ? inARow + 1 : (all ? 1 : 0);
                previous = it.key();
            }
            return inARow >= 4;
        };
        QTRY_VERIFY_WITH_TIMEOUT(roundsInARow(), 90000);
        open(gate);
        QTRY_COMPARE_WITH_TIMEOUT(log.ends.size(), jobs, 60000);
        for (qint64 id : std::as_const(ids)) {
            QCOMPARE(log.orderProblem(id), QString());
            QCOMPARE(log.output(id), readBytes(remoteFile(campaign, id, u"stdout"_s)));
        }
    }

    void cancellingAFollowedJob_data() { schedulerRows(); }
    // A cancel after a few epochs stops it through its scheduler: it never prints its last epochs,
    // it ends cancelled, and what it printed until then all arrived, before finished().
    void cancellingAFollowedJob()
    {
        QFETCH(QString, scheduler);
        const QString campaign = u"cancel-"_s + scheduler;
        auto backend = makeBackend(campaign, scheduler, 300);
        BackendLog log(*backend);
        // 300 epochs: 30 s at least, unless cancelled.
        const JobRequest request = jobRequest(campaign, epochsUntil(newGate(), u"echo 'last epoch'"_s, 300));
        backend->submit(request);
        const qint64 id = request.trialId;
        backend->followOutput(id, 0);
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).contains("epoch 3 loss"), 60000);
        backend->cancel(id);
        QTRY_VERIFY_WITH_TIMEOUT(log.ends.contains(id), 60000);
        const JobEnd end = log.ends.value(id);
        QVERIFY(end.cancelled);
        QVERIFY2(!end.exitCode, qPrintable(end.reason));
        const QByteArray remote = readBytes(remoteFile(campaign, id, u"stdout"_s));
        QVERIFY2(!remote.contains("epoch 300 ") && !remote.contains("last epoch"), remote.right(200).constData());
        QVERIFY(!QFileInfo::exists(remoteFile(campaign, id, u"exit_code"_s)));
        QCOMPARE(log.orderProblem(id), QString());
        QCOMPARE(log.output(id), remote);
    }

    void aCancelThatComesAfterTheEnd_data() { schedulerRows(); }
    // The job wrote its exit code 0 before the cancel reached the cluster: it comes back with it
    // (the engine records it done, not stopped).
    void aCancelThatComesAfterTheEnd()
    {
        QFETCH(QString, scheduler);
        const QString campaign = u"late-cancel-"_s + scheduler;
        auto backend = makeBackend(campaign, scheduler, 4000); // time to cancel between two polls
        BackendLog log(*backend);
        const QString gate = newGate();
        const JobRequest request = jobRequest(campaign, epochsUntil(gate, u"echo 'epoch last'"_s));
        backend->submit(request);
        const qint64 id = request.trialId;
        backend->followOutput(id, 0);
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).contains("epoch 1 loss"), 60000);
        open(gate);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(remoteFile(campaign, id, u"exit_code"_s)), 30000);
        QVERIFY2(!log.ends.contains(id), "the poll came first: nothing to test");
        backend->cancel(id);
        QTRY_VERIFY_WITH_TIMEOUT(log.ends.contains(id), 60000);
        QCOMPARE(log.ends.value(id).exitCode, std::optional<int>(0));
        QCOMPARE(log.orderProblem(id), QString());
        QVERIFY(log.output(id).endsWith("epoch last\n"));
    }

    // A followOutput from a later offset drops the bytes before it; detachAll forgets every follow.
    void followingFromAnOffsetAndDetaching()
    {
        const QString campaign = u"offset"_s;
        auto backend = makeBackend(campaign, u"ssh"_s, 300);
        BackendLog log(*backend);
        const QString gate = newGate();
        const JobRequest request = jobRequest(campaign, u"printf 'first line\\n'; %1"_s.arg(epochsUntil(gate)));
        backend->followOutput(request.trialId, 6); // "first "
        backend->submit(request);
        const qint64 id = request.trialId;
        QTRY_VERIFY_WITH_TIMEOUT(log.output(id).contains("epoch 2 loss"), 60000);
        QVERIFY(log.output(id).startsWith("line\nepoch 1 loss"));
        QCOMPARE(log.arrivals.first().offset, 6);
        backend->detachAll();
        const qsizetype arrived = log.arrivals.size();
        // Tracked again without a follow: polls go on, and no output comes.
        TrackedJob tracked;
        tracked.trialId = id;
        tracked.token = request.token;
        tracked.runDirectory = request.runDirectory;
        tracked.jobId = log.submitted.value(id);
        tracked.storeId = request.storeId;
        tracked.attempt = request.attempt;
        const int commands = backend->commandsSent();
        backend->track(tracked);
        QTRY_VERIFY_WITH_TIMEOUT(backend->commandsSent() >= commands + 3, 30000);
        QCOMPARE(log.arrivals.size(), arrived);
        open(gate);
        QTRY_VERIFY_WITH_TIMEOUT(log.ends.contains(id), 60000);
        QCOMPARE(log.arrivals.size(), arrived);
    }

    // Every unclear job whose lookup cannot even be written (a campaign name that makes an unsafe
    // folder) fails, each once, while the slot that hears of the first tracks another job: the
    // backend must not be iterating m_jobs when it removes from it or emits.
    void unlookableJobsFailWhileSlotsCallBack()
    {
        auto backend = makeBackend(u"bad name; rm -rf ~"_s);
        QSignalSpy failed(backend.get(), &JobBackend::submitFailed);
        QSignalSpy submitted(backend.get(), &JobBackend::submitted);
        bool trackedMore = false;
        connect(backend.get(), &JobBackend::submitFailed, this, [&](qint64, const QString&) {
            if (!std::exchange(trackedMore, true))
                backend->track(unclearJob(100));
        });
        for (qint64 id = 1; id <= 8; ++id)
            backend->track(unclearJob(id));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 9, 30000);
        QSet<qint64> ids;
        for (const auto& args : std::as_const(failed)) {
            ids.insert(args.at(0).toLongLong());
            QVERIFY2(args.at(1).toString().contains(u"cannot be looked up"_s), qPrintable(args.at(1).toString()));
        }
        QCOMPARE(ids.size(), 9);
        QTest::qWait(1500); // nothing more comes: no job is reported twice or submitted
        QCOMPARE(failed.size(), 9);
        QCOMPARE(submitted.size(), 0);
    }

    // The same without a slot that calls back: one lookup round must reach every job, none skipped
    // because an earlier one left m_jobs under the loop's feet.
    void oneRoundReachesEveryUnlookableJob()
    {
        auto backend = makeBackend(u"bad name"_s);
        QSignalSpy failed(backend.get(), &JobBackend::submitFailed);
        for (qint64 id = 1; id <= 40; ++id)
            backend->track(unclearJob(id));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 40, 30000);
    }

    // A submission without a store id or an attempt has no folder of its own: refused before any
    // file is written, not run in a shared folder.
    void submissionWithoutItsFolderNameIsRefused()
    {
        auto backend = makeBackend(u"fine"_s);
        QSignalSpy failed(backend.get(), &JobBackend::submitFailed);
        JobRequest request;
        request.trialId = 1;
        request.token = u"swabcd1234-1"_s;
        request.runDirectory = QDir::tempPath();
        request.script.command = u"true"_s;
        backend->submit(request);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"no store id"_s), qPrintable(failed.at(0).at(1).toString()));
        QVERIFY(!QFileInfo::exists(m_account->home() + u"/sweepline/fine"_s));
    }
};

QTEST_GUILESS_MAIN(TestClusterBackend)
#include "tst_clusterbackend.moc"
