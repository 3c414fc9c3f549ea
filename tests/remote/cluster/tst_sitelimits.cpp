// Site limits against the real Slurm: a per-user submission limit pauses submissions instead of
// failing trials, and cluster.max_queued keeps the campaign's jobs in the queue under its cap.
// Through the real sweepline-cli, a real OpenSSH sshd and a real one-node Slurm on loopback, as
// ordinary accounts.
//
// Which limit: slurmdbd with a QOS MaxSubmitJobsPerUser was NOT used (it needs MariaDB and slurmdbd
// started by the fixture; not attempted in this session's time). The limit here is Slurm's own
// job_submit/throttle plugin (SchedulerParameters=jobs_per_user_per_hour), which the real slurmctld
// enforces without accounting and refuses with ESLURM_ACCOUNTING_POLICY, the same "Job violates
// accounting/QOS policy" error a QOS limit gives. Its counts live in slurmctld's memory, so the test
// lifts the limit by restarting the controller. The refusal sbatch prints is also compared with the
// recorded file the adapter test classifies (data/slurm/recorded_sbatch_throttle_22.05.err).
#include "support/slurmfixture.h"
#include "support/sshserverfixture.h"
#include "support/testaccount.h"

#include "support/testfiles.h"

#include <QtTest>

#include <memory>

using namespace Qt::StringLiterals;

using namespace sweepline::testing;

namespace {

constexpr int kJobsPerHour = 2;

} // namespace

class TestSiteLimits : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<TestAccount> m_limited; // meets the per-user limit
    std::unique_ptr<TestAccount> m_capped;  // runs under max_queued, within the limit
    std::unique_ptr<SlurmFixture> m_slurm;
    std::unique_ptr<SshServerFixture> m_ssh;

    // A campaign of `trials` trials of x whose jobs log "x start end" (epoch seconds) to log.
    QString writeCampaign(const QString& name, const TestAccount& account, int trials, const QString& extraCluster,
                          const QString& log)
    {
        const QString dir = m_tmp.filePath(name);
        QDir().mkpath(dir);
        writeTextFile(dir + u"/objective.sh"_s,
                      u"x=$1\nstart=$(date +%s.%N)\nsleep 2\n"
                      "echo \"$x $start $(date +%s.%N)\" >> %1\necho \"loss: $(( 10 * x ))\"\n"_s.arg(log));
        SshClientConfig client;
        client.user = account.name();
        const QString config = m_ssh->writeClientConfig(client);
        QString file = dir + u"/campaign.json"_s;
        writeTextFile(file,
                      uR"({
  "name": "%1",
  "parameters": [{"name": "x", "type": "int", "range": {"min": 1, "max": 8}, "default": 1}],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": %2, "parallel": 2},
  "job": {"command": "bash objective.sh {x}", "files": ["objective.sh"]},
  "cluster": {"scheduler": "slurm", "host": "sweepline-test", "ssh_config": "%3", "workdir": "%4",
              "poll_interval_s": 1%5}
})"_s.arg(name)
                          .arg(trials)
                          .arg(config, account.home() + u"/remote"_s, extraCluster));
        return file;
    }

    // Every trial of the campaign is done with its own value: none was failed by a refusal.
    void verifyAllDone(const QString& campaign, int trials)
    {
        const QString csv = QFileInfo(campaign).absolutePath() + u"/trials.csv"_s;
        const ProcessResult r = runProcess(QString::fromUtf8(SWEEPLINE_CLI), {u"export"_s, campaign, u"--csv"_s, csv});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QStringList rows = readLines(csv).mid(1);
        QCOMPARE(rows.size(), trials);
        for (const QString& line : rows) {
            const QStringList row = line.split(u',');
            QVERIFY2(row.value(1) == u"done"_s, qPrintable(line));
            QCOMPARE(row.value(3).toInt(), 10 * row.value(2).toInt());
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_limited = std::make_unique<TestAccount>();
        QVERIFY2(m_limited->create(), qPrintable(m_limited->errorString()));
        m_capped = std::make_unique<TestAccount>();
        QVERIFY2(m_capped->create(), qPrintable(m_capped->errorString()));
        SlurmOptions options;
        options.jobsPerUserPerHour = kJobsPerHour;
        m_slurm = std::make_unique<SlurmFixture>(options);
        QVERIFY2(m_slurm->start(), qPrintable(m_slurm->errorString()));
        SshServerOptions ssh;
        ssh.sessionEnvironment = m_slurm->sessionEnvironment();
        m_ssh = std::make_unique<SshServerFixture>(ssh);
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
    }

    void cleanupTestCase()
    {
        m_limited.reset();
        m_capped.reset();
        m_ssh.reset();
        m_slurm.reset();
    }

    // Two jobs an hour for this user, four trials: the last two are refused by the real slurmctld.
    // They wait (the CLI says why) instead of failing; once the limit is lifted they are submitted.
    void perUserLimitPausesSubmissions()
    {
        const QString log = m_limited->home() + u"/limited.log"_s;
        const QString campaign = writeCampaign(u"limited"_s, *m_limited, 4, QString(), log);
        QProcess run;
        run.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(run.waitForStarted());
        QString err;
        const bool paused = waitUntil(
            [&] {
                run.waitForReadyRead(200); // QProcess reads only while waiting or in an event loop
                err += QString::fromUtf8(run.readAllStandardError());
                return err.contains(u"Reached jobs per hour limit"_s) || run.state() == QProcess::NotRunning;
            },
            120000);
        QVERIFY2(paused && run.state() == QProcess::Running,
                 qPrintable(err + fileTail(m_slurm->controllerLogPath(), 2000)));
        QVERIFY2(err.contains(u"submissions: submissions paused for "_s), qPrintable(err));
        QVERIFY2(err.contains(u"Job violates accounting/QOS policy"_s), qPrintable(err));
        // The first two ran; nothing else reached the queue while the limit held.
        QVERIFY(waitUntil([&] { return readLines(log).size() == 2; }, 60000));
        QTest::qWait(3000);
        QCOMPARE(readLines(log).size(), 2);
        QVERIFY(run.state() == QProcess::Running);

        // The limit lifted (the throttle's counts are slurmctld's memory): the two waiting trials go.
        QVERIFY2(m_slurm->stopController(), qPrintable(m_slurm->errorString()));
        QVERIFY2(m_slurm->startController(), qPrintable(m_slurm->errorString()));
        QVERIFY(run.waitForFinished(240000));
        err += QString::fromUtf8(run.readAllStandardError());
        QVERIFY2(run.exitStatus() == QProcess::NormalExit && run.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(u"submissions: going on"_s), qPrintable(err));
        QCOMPARE(readLines(log).size(), 4);
        verifyAllDone(campaign, 4);

        // The limit holds again (two more since the restart): sbatch's refusal is the one recorded.
        const ProcessResult refused =
            m_limited->run(u"sbatch"_s, {u"--output=/dev/null"_s, u"--wrap=true"_s}, m_slurm->environment());
        QVERIFY2(refused.exitCode != 0, qPrintable(refused.describe()));
        QCOMPARE(QString::fromUtf8(refused.err),
                 fileText((QString::fromUtf8(SWEEPLINE_SOURCE_DIR)
                           + u"/tests/remote/schedulers/data/slurm/recorded_sbatch_throttle_22.05.err"_s)));
    }

    // max_queued 1 with two trials at once allowed: the campaign's jobs never share the queue.
    void maxQueuedKeepsOneJobInTheQueue()
    {
        const QString log = m_capped->home() + u"/capped.log"_s;
        const QString campaign = writeCampaign(u"capped"_s, *m_capped, 2, uR"(, "max_queued": 1)"_s, log);
        const ProcessResult r = runProcess(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign}, {}, 240000);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.err.contains("submissions: cluster.max_queued: 1 jobs in the queue"), qPrintable(r.describe()));
        verifyAllDone(campaign, 2);
        const QStringList runs = readLines(log);
        QCOMPARE(runs.size(), 2);
        const double firstEnd = runs.at(0).section(u' ', 2, 2).toDouble();
        const double secondStart = runs.at(1).section(u' ', 1, 1).toDouble();
        QVERIFY2(secondStart >= firstEnd, qPrintable(runs.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestSiteLimits)
#include "tst_sitelimits.moc"
