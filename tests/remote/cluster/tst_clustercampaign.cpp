// Whole campaigns through the real sweepline-cli, a real OpenSSH sshd and a real one-node Slurm on
// loopback: logins, host keys, lost connections, a restarted controller, failures, cancels and
// ProxyJump. Every job appends one line to a measurement log, so "exactly once" is checked directly.
// The campaigns log in as an ordinary account (TestAccount) whose login files print banners on
// stdout and stderr and cd elsewhere, as sites' do: the workdir, the measurement logs and the slow
// sbatch's flag live in its home. Root remains only where a fixture needs it: the test itself (it
// creates the account and starts sshd and Slurm) and the ProxyJump bastion's login.
#include "support/slurmfixture.h"
#include "support/sshserverfixture.h"
#include "support/testaccount.h"

#include "support/testfiles.h"

#include <QtTest>

#include <algorithm>
#include <csignal>

using namespace sweepline::testing;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run cli(const QStringList& args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(QStringLiteral(SWEEPLINE_CLI), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// sshd (LogLevel VERBOSE) logs every exec request: each is one login shell on the cluster.
const QString kCommandSession = QStringLiteral("Starting session: command");

int countOf(const QString& text, const QString& what)
{
    return int(text.count(what));
}

} // namespace

class TestClusterCampaign : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<SlurmFixture> m_slurm;
    std::unique_ptr<SshServerFixture> m_ssh;
    std::unique_ptr<TestAccount> m_account;
    QString m_clientConfig;
    QString m_wrappers;   // a PATH entry on the "cluster" with a slowable sbatch
    int m_campaigns = 0;

    QString path(const QString& name) const { return QDir(m_tmp.path()).filePath(name); }
    // On the "cluster": in the account's home, where its jobs may write.
    QString remotePath(const QString& name) const { return m_account->home() + QLatin1Char('/') + name; }
    QString measuredLog(const QString& campaign) const
    {
        return remotePath(QStringLiteral("measured-%1.log").arg(QFileInfo(folderOf(campaign)).fileName()));
    }

    struct CampaignOptions {
        QString scheduler = QStringLiteral("slurm");
        QString kinds = QStringLiteral("\"fast\", \"slow\"");
        int maxTrials = 6;
        int parallel = 3;
        QString sleep = QStringLiteral("0");
        QString timeLimit;
        QString host = QStringLiteral("sweepline-test");
        QString sshConfig;
        QString knownHosts;
        bool binaryFile = false;   // a job file holding NUL bytes, which goes over SFTP, not in the request
    };

    // A campaign in its own folder; returns the campaign file. Its jobs log to measuredLog(), in the account's home.
    QString writeCampaign(const CampaignOptions& o)
    {
        const QString dir = path(QStringLiteral("c%1").arg(++m_campaigns));
        QDir().mkpath(dir);
        QString check;
        QString files = QStringLiteral("\"objective.sh\"");
        if (o.binaryFile) {
            QFile binary(dir + QStringLiteral("/weights.bin"));
            if (!binary.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(binary.fileName()));
            for (int i = 0; i < 4096; ++i)
                binary.putChar(char(i % 256));
            binary.close();
            // The job compares its copy with the original, which the account can read too.
            const QString original = remotePath(QStringLiteral("weights-c%1.bin").arg(m_campaigns));
            QFile::remove(original);
            if (!QFile::copy(binary.fileName(), original)
                || !QFile::setPermissions(original, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther))
                qFatal("cannot copy %s", qPrintable(original));
            check = QStringLiteral("cmp -s weights.bin %1 || { echo 'weights.bin differs' >&2; exit 4; }\n").arg(original);
            files += QStringLiteral(", \"weights.bin\"");
        }
        writeTextFile(dir + QStringLiteral("/objective.sh"),
                      QStringLiteral("x=$1; kind=$2; log=$3\n"
                                     "%2"
                                     "sleep %1\n"
                                     "case \"$kind\" in fast) p=0 ;; slow) p=10 ;; crash) echo 'RuntimeError: boom' >&2; exit 3 ;;"
                                     " hang) sleep 600 ;; esac\n"
                                     "echo \"$x $kind $SWEEPLINE_TRIAL\" >> \"$log\"\n"
                                     "echo \"loss: $(( (x - 3) * (x - 3) + p ))\"\n")
                          .arg(o.sleep, check));
        QString cluster = QStringLiteral("\"scheduler\": \"%1\", \"host\": \"%2\", \"ssh_config\": \"%3\", "
                                         "\"workdir\": \"%4\", \"poll_interval_s\": 1")
                              .arg(o.scheduler, o.host, o.sshConfig.isEmpty() ? m_clientConfig : o.sshConfig,
                                   remotePath(QStringLiteral("remote")));
        if (!o.knownHosts.isEmpty())
            cluster += QStringLiteral(", \"known_hosts\": \"%1\"").arg(o.knownHosts);
        const QString file = dir + QStringLiteral("/campaign.json");
        writeTextFile(file, QStringLiteral(R"({
  "name": "cluster%1",
  "parameters": [
    {"name": "x", "type": "int", "range": {"min": 1, "max": 5}, "default": 3},
    {"name": "kind", "type": "choice", "values": [%2]}
  ],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": %3, "parallel": %4},
  "job": {"command": "bash objective.sh {x} {kind} %5", "files": [%8]%6},
  "cluster": {%7}
})")
                                .arg(m_campaigns)
                                .arg(o.kinds)
                                .arg(o.maxTrials)
                                .arg(o.parallel)
                                .arg(remotePath(QStringLiteral("measured-%1.log").arg(QFileInfo(dir).fileName())),
                                     o.timeLimit.isEmpty() ? QString() : QStringLiteral(", \"time_limit\": \"%1\"").arg(o.timeLimit),
                                     cluster, files));
        return file;
    }

    static QString folderOf(const QString& campaign) { return QFileInfo(campaign).absolutePath(); }
    // While it exists, the sbatch wrapper answers late; the account's jobs touch <flag>.submitted.
    QString slowSbatchFlag() const { return remotePath(QStringLiteral("slow-sbatch")); }

    QStringList exportRows(const QString& campaign)
    {
        const QString csv = folderOf(campaign) + QStringLiteral("/trials.csv");
        const Run r = cli({QStringLiteral("export"), campaign, QStringLiteral("--csv"), csv});
        return r.exitCode == 0 ? csvRows(csv) : QStringList{};
    }

    // Every trial done and measured exactly once.
    void verifyExactlyOnce(const QString& campaign, int trials)
    {
        const QStringList rows = exportRows(campaign);
        QCOMPARE(rows.size(), trials + 1);
        for (qsizetype i = 1; i < rows.size(); ++i)
            QVERIFY2(rows.at(i).split(QLatin1Char(',')).at(1) == QLatin1String("done"), qPrintable(rows.at(i)));
        const QStringList measured = readLines(measuredLog(campaign));
        QCOMPARE(measured.size(), trials);
        QCOMPARE(QSet<QString>(measured.begin(), measured.end()).size(), trials);
    }

    // The helpers serving this fixture's sessions (not those of tests running beside this one): their
    // environment holds this Slurm's SLURM_CONF, which sshd sets in every session.
    QList<qint64> helperPids() const
    {
        const QByteArray ours = "SLURM_CONF=" + m_slurm->slurmConfPath().toUtf8();
        QList<qint64> pids;
        const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString& entry : entries) {
            bool numeric = false;
            const qint64 pid = entry.toLongLong(&numeric);
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
            QFile environment(QStringLiteral("/proc/%1/environ").arg(entry));
            if (!numeric || !cmdline.open(QIODevice::ReadOnly) || !environment.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> args = cmdline.readAll().split('\0');
            const bool helper = args.contains("--serve") && std::any_of(args.cbegin(), args.cend(), [](const QByteArray& a) {
                return a.contains("/agent-") && a.endsWith(".sh");
            });
            if (helper && environment.readAll().split('\0').contains(ours))
                pids.append(pid);
        }
        return pids;
    }

    // Eight trials, two at a time, a second each: long enough to be disrupted in the middle.
    static CampaignOptions disruptedCampaign()
    {
        CampaignOptions o;
        o.maxTrials = 8;
        o.parallel = 2;
        o.sleep = QStringLiteral("1");
        return o;
    }

    // Runs the CLI in the background until the log shows `measured` jobs, then calls disrupt().
    template <typename Disrupt>
    Run runWithDisruption(const QString& campaign, int measured, Disrupt disrupt)
    {
        QProcess p;
        p.start(QStringLiteral(SWEEPLINE_CLI), {QStringLiteral("run"), campaign});
        const QString log = measuredLog(campaign);
        waitUntil([&] { return readLines(log).size() >= measured || p.state() == QProcess::NotRunning; }, 120000);
        disrupt();
        p.waitForFinished(300000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The account reaches the sbatch wrapper in here (read and run, not write).
        QVERIFY(QFile::setPermissions(m_tmp.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                                        | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
        m_account = std::make_unique<TestAccount>();
        QVERIFY2(m_account->create(), qPrintable(m_account->errorString()));
        m_slurm = std::make_unique<SlurmFixture>();
        QVERIFY2(m_slurm->start(), qPrintable(m_slurm->errorString()));

        // sbatch wrapper: when the flag file exists, it answers only after a long pause, so the test
        // can cut the connection between a submission and its reply.
        m_wrappers = path(QStringLiteral("wrappers"));
        QDir().mkpath(m_wrappers);
        writeTextFile(m_wrappers + QStringLiteral("/sbatch"),
                      QStringLiteral("#!/bin/sh\nout=$(/usr/bin/sbatch \"$@\"); rc=$?\n"
                                     "if [ -e %1 ]; then touch %1.submitted; sleep 8; fi\n"
                                     "printf '%s\\n' \"$out\"; exit $rc\n")
                          .arg(slowSbatchFlag()));
        QFile::setPermissions(m_wrappers + QStringLiteral("/sbatch"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                                                          | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
                                                                          | QFile::ExeOther);

        SshServerOptions options;
        options.sessionEnvironment = m_slurm->sessionEnvironment();
        options.sessionEnvironment.insert(QStringLiteral("PATH"), m_wrappers + QStringLiteral(":/usr/local/bin:/usr/bin:/bin"));
        m_ssh = std::make_unique<SshServerFixture>(options);
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        SshClientConfig client;
        client.user = m_account->name();
        m_clientConfig = m_ssh->writeClientConfig(client);
    }

    void cleanupTestCase()
    {
        // The account's jobs and sessions first, then the fixtures they used.
        m_account.reset();
        m_ssh.reset();
        m_slurm.reset();
    }

    void campaignsRunAsTheOrdinaryAccount()
    {
        CampaignOptions o;
        o.maxTrials = 2;
        const QString campaign = writeCampaign(o);
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 2);
        QVERIFY(m_ssh->log().contains(QStringLiteral("Accepted publickey for ") + m_account->name()));
        QVERIFY(!m_ssh->log().contains(QStringLiteral("Accepted publickey for root")));
        // Its jobs ran as the account, and what they and the helper made is the account's.
        const QFileInfo log(measuredLog(campaign));
        QCOMPARE(log.ownerId(), m_account->uid());
        QDirIterator it(remotePath(QStringLiteral("remote")), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                        QDirIterator::Subdirectories);
        int entries = 0;
        while (it.hasNext()) {
            const QFileInfo info(it.next());
            QVERIFY2(info.ownerId() == m_account->uid(), qPrintable(info.filePath()));
            ++entries;
        }
        QVERIFY(entries > 0);
        const QFileInfo helper(remotePath(QStringLiteral(".sweepline")));
        QCOMPARE(helper.ownerId(), m_account->uid());
        QCOMPARE(helper.permissions() & 0x0077, QFileDevice::Permissions());
    }

    void slurmCampaignLogsInOnce()
    {
        CampaignOptions o;
        o.binaryFile = true;
        const QString campaign = writeCampaign(o);
        const int loginsBefore = countOf(m_ssh->log(), QStringLiteral("Accepted publickey"));
        const int commandsBefore = countOf(m_ssh->log(), kCommandSession);
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 6);
        QCOMPARE(countOf(m_ssh->log(), QStringLiteral("Accepted publickey")) - loginsBefore, 1);
        // One helper served every submission, poll and collection: the login shell ran once.
        QCOMPARE(countOf(m_ssh->log(), kCommandSession) - commandsBefore, 1);
        // The values came back through the scheduler: x=3 fast is the optimum, 0.
        QVERIFY2(r.out.contains(QStringLiteral("best: trial 1 loss=0 x=3 kind=fast")), qPrintable(r.out));
        const QStringList rows = exportRows(campaign);
        QVERIFY(!rows.at(1).split(QLatin1Char(',')).at(5).isEmpty()); // the Slurm job id
    }

    void sshSchedulerRunsOnAPlainHost()
    {
        CampaignOptions o;
        o.scheduler = QStringLiteral("ssh");
        const QString campaign = writeCampaign(o);
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 6);
    }

    void loginThroughAProxyJumpBastion()
    {
        SshServerFixture bastion;
        QVERIFY2(bastion.start(), qPrintable(bastion.errorString()));
        SshClientConfig config;
        config.path = path(QStringLiteral("jump_config"));
        config.alias = QStringLiteral("behind-bastion");
        config.jumpHost = &bastion;
        config.user = m_account->name();   // the bastion's own login stays root's: its fixture's only user
        const QString file = m_ssh->writeClientConfig(config);
        CampaignOptions o;
        o.host = QStringLiteral("behind-bastion");
        o.sshConfig = file;
        o.maxTrials = 2;
        const QString campaign = writeCampaign(o);
        const int bastionLogins = countOf(bastion.log(), QStringLiteral("Accepted publickey"));
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out + bastion.log()));
        verifyExactlyOnce(campaign, 2);
        QCOMPARE(countOf(bastion.log(), QStringLiteral("Accepted publickey")) - bastionLogins, 1);
    }

    void unknownHostKeyNeedsConsent()
    {
        const QString knownHosts = path(QStringLiteral("empty_known_hosts"));
        writeTextFile(knownHosts, {});
        CampaignOptions o;
        o.knownHosts = knownHosts;
        o.maxTrials = 1;
        const QString campaign = writeCampaign(o);
        const Run refused = cli({QStringLiteral("run"), campaign});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("is not in")), qPrintable(refused.err));
        QVERIFY(refused.err.contains(m_ssh->hostKeyFingerprintSha256()));
        QVERIFY(readLines(knownHosts).isEmpty());

        const Run accepted = cli({QStringLiteral("run"), campaign, QStringLiteral("--accept-new-host-key")});
        QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.err));
        QVERIFY(accepted.err.contains(QStringLiteral("recording the new host key")));
        QVERIFY(accepted.err.contains(m_ssh->hostKeyFingerprintSha256()));
        QCOMPARE(readLines(knownHosts).size(), 1);
    }

    void changedHostKeyIsRefusedAndNothingSubmitted()
    {
        const QString campaign = writeCampaign({});
        QVERIFY(m_ssh->regenerateHostKey());
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY(m_ssh->updateKnownHosts());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("CHANGED")), qPrintable(r.err));
        QVERIFY(r.err.contains(m_ssh->hostKeyFingerprintSha256()));
        QVERIFY(readLines(measuredLog(campaign)).isEmpty());
        QVERIFY(!QFileInfo::exists(remotePath(QStringLiteral("remote/cluster%1").arg(m_campaigns))));
        // Nothing was lost either: the trials wait, and run once the key is sorted out.
        const Run again = cli({QStringLiteral("run"), campaign});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        verifyExactlyOnce(campaign, 6);
    }

    void helperKilledMidCampaign()
    {
        // The login node's process reaper (or a user's pkill) ends the session's helper while jobs
        // run: a new one takes over, and nothing is lost or run twice.
        const QString campaign = writeCampaign(disruptedCampaign());
        const int commandsBefore = countOf(m_ssh->log(), kCommandSession);
        int killed = 0;
        const Run r = runWithDisruption(campaign, 2, [&] {
            for (const qint64 pid : helperPids())
                killed += ::kill(pid_t(pid), SIGKILL) == 0 ? 1 : 0;
        });
        QVERIFY2(killed > 0, "no helper was running");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 8);
        QVERIFY2(countOf(m_ssh->log(), kCommandSession) - commandsBefore >= 2, qPrintable(m_ssh->log().right(2000)));
    }

    void sshdRestartMidCampaign()
    {
        const QString campaign = writeCampaign(disruptedCampaign());
        const Run r = runWithDisruption(campaign, 2, [this] {
            m_ssh->stop();
            QTest::qWait(3000);
            QVERIFY(m_ssh->start());
        });
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.err.contains(QStringLiteral("connection: disconnected")), qPrintable(r.err));
        verifyExactlyOnce(campaign, 8);
    }

    void slurmctldRestartMidCampaign()
    {
        const QString campaign = writeCampaign(disruptedCampaign());
        const Run r = runWithDisruption(campaign, 2, [this] {
            QVERIFY(m_slurm->stopController());
            QTest::qWait(3000);
            QVERIFY2(m_slurm->startController(), qPrintable(m_slurm->errorString()));
        });
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 8);
    }

    void connectionLostBetweenSubmitAndReply()
    {
        CampaignOptions o;
        o.maxTrials = 4;
        o.parallel = 4;
        const QString campaign = writeCampaign(o);
        const QString flag = slowSbatchFlag();
        writeTextFile(flag, {});
        QProcess p;
        p.start(QStringLiteral(SWEEPLINE_CLI), {QStringLiteral("run"), campaign});
        QVERIFY(waitUntil([&] { return QFileInfo::exists(flag + QStringLiteral(".submitted")); }, 60000));
        // sbatch has accepted the job, its answer is still on the way: the connection dies now.
        m_ssh->stop();
        QFile::remove(flag);
        QTest::qWait(2000);
        QVERIFY(m_ssh->start());
        QVERIFY(p.waitForFinished(300000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("connection: disconnected")), qPrintable(err));
        verifyExactlyOnce(campaign, 4);
        QFile::remove(flag + QStringLiteral(".submitted"));
    }

    void failuresTimeoutsAndCancelFromTheCli()
    {
        CampaignOptions o;
        o.scheduler = QStringLiteral("ssh"); // the engine itself enforces the time limit on a plain host
        o.kinds = QStringLiteral("\"crash\", \"hang\"");
        o.maxTrials = 2;
        o.timeLimit = QStringLiteral("00:00:03");
        const QString failing = writeCampaign(o);
        const Run r = cli({QStringLiteral("run"), failing});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList rows = exportRows(failing);
        QCOMPARE(rows.size(), 3);
        QVERIFY2(rows.join(QLatin1Char('\n')).contains(QStringLiteral("exited with code 3: RuntimeError: boom")), qPrintable(rows.join(QLatin1Char('\n'))));
        QVERIFY(rows.join(QLatin1Char('\n')).contains(QStringLiteral("time limit of 00:00:03")));

        CampaignOptions c;
        c.kinds = QStringLiteral("\"fast\", \"hang\"");
        c.maxTrials = 2;
        c.parallel = 2;
        const QString campaign = writeCampaign(c);
        QProcess run;
        run.start(QStringLiteral(SWEEPLINE_CLI), {QStringLiteral("run"), campaign});
        // Trial 2 is x=3 "hang": wait for trial 1 to be measured, then cancel trial 2.
        QVERIFY(waitUntil([&] { return readLines(measuredLog(campaign)).size() >= 1; }, 60000));
        QTest::qWait(1500);
        const Run cancel = cli({QStringLiteral("cancel"), campaign, QStringLiteral("--trial"), QStringLiteral("2")});
        QVERIFY2(cancel.exitCode == 0, qPrintable(cancel.err + cancel.out));
        QVERIFY(run.waitForFinished(120000));
        QCOMPARE(run.exitCode(), 0);
        const QStringList cancelledRows = exportRows(campaign);
        QCOMPARE(cancelledRows.size(), 3);
        QVERIFY2(cancelledRows.at(2).startsWith(QStringLiteral("2,cancelled,")), qPrintable(cancelledRows.at(2)));
        QVERIFY(cancelledRows.at(1).startsWith(QStringLiteral("1,done,")));
    }
};

QTEST_GUILESS_MAIN(TestClusterCampaign)
#include "tst_clustercampaign.moc"
