// Whole campaigns through the real sweepline-cli, a real OpenSSH sshd and a real one-node Slurm on
// loopback: logins, host keys, lost connections, a restarted controller, failures, cancels and
// ProxyJump, and early stopping (a bad trial stopped mid-run through scancel or kill, recorded
// pruned). Every job appends one line to a measurement log, so "exactly once" is checked directly.
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

using namespace Qt::StringLiterals;

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
    p.start(QString::fromUtf8(SWEEPLINE_CLI), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// sshd (LogLevel VERBOSE) logs every exec request: each is one login shell on the cluster.
const QString kCommandSession = u"Starting session: command"_s;

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
    QString m_wrappers; // a PATH entry on the "cluster" with a slowable sbatch
    int m_campaigns = 0;

    QString path(const QString& name) const { return QDir(m_tmp.path()).filePath(name); }
    // On the "cluster": in the account's home, where its jobs may write.
    QString remotePath(const QString& name) const { return m_account->home() + u'/' + name; }
    QString measuredLog(const QString& campaign) const
    {
        return remotePath(u"measured-%1.log"_s.arg(QFileInfo(folderOf(campaign)).fileName()));
    }

    struct CampaignOptions {
        QString scheduler = u"slurm"_s;
        QString kinds = u"\"fast\", \"slow\""_s;
        int maxTrials = 6;
        int parallel = 3;
        QString sleep = u"0"_s;
        QString timeLimit;
        QString host = u"sweepline-test"_s;
        QString sshConfig;
        QString knownHosts;
        bool binaryFile = false; // a job file holding NUL bytes, which goes over SFTP, not in the request
    };

    // A campaign in its own folder; returns the campaign file. Its jobs log to measuredLog(), in the account's home.
    QString writeCampaign(const CampaignOptions& o)
    {
        const QString dir = path(u"c%1"_s.arg(++m_campaigns));
        QDir().mkpath(dir);
        QString check;
        QString files = u"\"objective.sh\""_s;
        if (o.binaryFile) {
            QFile binary(dir + u"/weights.bin"_s);
            if (!binary.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(binary.fileName()));
            for (int i = 0; i < 4096; ++i)
                binary.putChar(char(i % 256));
            binary.close();
            // The job compares its copy with the original, which the account can read too.
            const QString original = remotePath(u"weights-c%1.bin"_s.arg(m_campaigns));
            QFile::remove(original);
            if (!QFile::copy(binary.fileName(), original)
                || !QFile::setPermissions(original, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther))
                qFatal("cannot copy %s", qPrintable(original));
            check = u"cmp -s weights.bin %1 || { echo 'weights.bin differs' >&2; exit 4; }\n"_s.arg(original);
            files += u", \"weights.bin\""_s;
        }
        writeTextFile(dir + u"/objective.sh"_s,
                      u"x=$1; kind=$2; log=$3\n"
                      "%2"
                      "sleep %1\n"
                      "case \"$kind\" in fast) p=0 ;; slow) p=10 ;; crash) echo 'RuntimeError: boom' >&2; exit 3 ;;"
                      " hang) sleep 600 ;; esac\n"
                      "echo \"$x $kind $SWEEPLINE_TRIAL\" >> \"$log\"\n"
                      "echo \"loss: $(( (x - 3) * (x - 3) + p ))\"\n"_s.arg(o.sleep, check));
        QString cluster =
            u"\"scheduler\": \"%1\", \"host\": \"%2\", \"ssh_config\": \"%3\", "
            "\"workdir\": \"%4\", \"poll_interval_s\": 1"_s.arg(
                o.scheduler, o.host, o.sshConfig.isEmpty() ? m_clientConfig : o.sshConfig, remotePath(u"remote"_s));
        if (!o.knownHosts.isEmpty())
            cluster += u", \"known_hosts\": \"%1\""_s.arg(o.knownHosts);
        QString file = dir + u"/campaign.json"_s;
        writeTextFile(file,
                      uR"({
  "name": "cluster%1",
  "parameters": [
    {"name": "x", "type": "int", "range": {"min": 1, "max": 5}, "default": 3},
    {"name": "kind", "type": "choice", "values": [%2]}
  ],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": %3, "parallel": %4},
  "job": {"command": "bash objective.sh {x} {kind} %5", "files": [%8]%6},
  "cluster": {%7}
})"_s.arg(m_campaigns)
                          .arg(o.kinds)
                          .arg(o.maxTrials)
                          .arg(o.parallel)
                          .arg(remotePath(u"measured-%1.log"_s.arg(QFileInfo(dir).fileName())),
                               o.timeLimit.isEmpty() ? QString() : u", \"time_limit\": \"%1\""_s.arg(o.timeLimit),
                               cluster, files));
        return file;
    }

    // Early stopping (median rule): trial 1 ("good") runs first and alone, to its end; trial 2
    // ("bad") prints far worse losses and is stopped once past the warm-up, long before its 20th
    // epoch. Each epoch prints "epoch <n>" and "loss: <v>", half a second apart.
    QString writePruningCampaign(const QString& scheduler)
    {
        const QString dir = path(u"c%1"_s.arg(++m_campaigns));
        QDir().mkpath(dir);
        writeTextFile(dir + u"/objective.sh"_s,
                      u"kind=$1\n"
                      "for e in $(seq 1 20); do\n"
                      "  case \"$kind\" in good) loss=$((100 - e)) ;; *) loss=$((1000 - e)) ;; esac\n"
                      "  echo \"epoch $e\"; echo \"loss: $loss\"; sleep 0.5\n"
                      "done\n"
                      "echo 'all epochs done'\n"_s);
        QString file = dir + u"/campaign.json"_s;
        writeTextFile(file,
                      uR"({
  "name": "cluster%1",
  "parameters": [{"name": "kind", "type": "choice", "values": ["good", "bad"]}],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": 2, "parallel": 1,
             "early_stopping": {"rule": "median", "startup_trials": 1, "warmup_steps": 2}},
  "job": {"command": "bash objective.sh {kind}", "files": ["objective.sh"]},
  "cluster": {"scheduler": "%2", "host": "sweepline-test", "ssh_config": "%3", "workdir": "%4",
              "poll_interval_s": 1}
})"_s.arg(m_campaigns)
                          .arg(scheduler, m_clientConfig, remotePath(u"remote"_s)));
        return file;
    }

    // The stdout a trial's job left on the cluster (its only attempt).
    QString remoteStdout(const QString& campaign, qint64 trialId) const
    {
        const QString name = QJsonDocument::fromJson(fileText(campaign).toUtf8()).object().value(u"name"_s).toString();
        QDirIterator it(remotePath(u"remote/"_s + name), {u"stdout"_s}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            if (QFileInfo(file).dir().dirName().startsWith(QString::number(trialId) + u'.'))
                return fileText(file);
        }
        return {};
    }

    static QString folderOf(const QString& campaign) { return QFileInfo(campaign).absolutePath(); }
    // While it exists, the sbatch wrapper answers late; the account's jobs touch <flag>.submitted.
    QString slowSbatchFlag() const { return remotePath(u"slow-sbatch"_s); }

    QStringList exportRows(const QString& campaign)
    {
        const QString csv = folderOf(campaign) + u"/trials.csv"_s;
        const Run r = cli({u"export"_s, campaign, u"--csv"_s, csv});
        return r.exitCode == 0 ? csvRows(csv) : QStringList{};
    }

    // Every trial done and measured exactly once.
    void verifyExactlyOnce(const QString& campaign, int trials)
    {
        const QStringList rows = exportRows(campaign);
        QCOMPARE(rows.size(), trials + 1);
        for (qsizetype i = 1; i < rows.size(); ++i)
            QVERIFY2(rows.at(i).split(u',').at(1) == u"done"_s, qPrintable(rows.at(i)));
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
        const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString& entry : entries) {
            bool numeric = false;
            const qint64 pid = entry.toLongLong(&numeric);
            QFile cmdline(u"/proc/%1/cmdline"_s.arg(entry));
            QFile environment(u"/proc/%1/environ"_s.arg(entry));
            if (!numeric || !cmdline.open(QIODevice::ReadOnly) || !environment.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> args = cmdline.readAll().split('\0');
            const bool helper = args.contains("--serve")
                && std::any_of(args.cbegin(), args.cend(),
                               [](const QByteArray& a) { return a.contains("/agent-") && a.endsWith(".sh"); });
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
        o.sleep = u"1"_s;
        return o;
    }

    // Runs the CLI in the background until the log shows `measured` jobs, then calls disrupt().
    template<typename Disrupt>
    Run runWithDisruption(const QString& campaign, int measured, Disrupt disrupt)
    {
        QProcess p;
        p.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        const QString log = measuredLog(campaign);
        waitUntil([&] { return readLines(log).size() >= measured || p.state() == QProcess::NotRunning; }, 120000);
        disrupt();
        p.waitForFinished(300000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The account reaches the sbatch wrapper in here (read and run, not write).
        QVERIFY(QFile::setPermissions(m_tmp.path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                          | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
        m_account = std::make_unique<TestAccount>();
        QVERIFY2(m_account->create(), qPrintable(m_account->errorString()));
        m_slurm = std::make_unique<SlurmFixture>();
        QVERIFY2(m_slurm->start(), qPrintable(m_slurm->errorString()));

        // sbatch wrapper: when the flag file exists, it answers only after a long pause, so the test
        // can cut the connection between a submission and its reply.
        m_wrappers = path(u"wrappers"_s);
        QDir().mkpath(m_wrappers);
        writeTextFile(m_wrappers + u"/sbatch"_s,
                      u"#!/bin/sh\nout=$(/usr/bin/sbatch \"$@\"); rc=$?\n"
                      "if [ -e %1 ]; then touch %1.submitted; sleep 8; fi\n"
                      "printf '%s\\n' \"$out\"; exit $rc\n"_s.arg(slowSbatchFlag()));
        QFile::setPermissions(m_wrappers + u"/sbatch"_s,
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                  | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);

        SshServerOptions options;
        options.sessionEnvironment = m_slurm->sessionEnvironment();
        options.sessionEnvironment.insert(u"PATH"_s, m_wrappers + u":/usr/local/bin:/usr/bin:/bin"_s);
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
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 2);
        QVERIFY(m_ssh->log().contains(u"Accepted publickey for "_s + m_account->name()));
        QVERIFY(!m_ssh->log().contains(u"Accepted publickey for root"_s));
        // Its jobs ran as the account, and what they and the helper made is the account's.
        const QFileInfo log(measuredLog(campaign));
        QCOMPARE(log.ownerId(), m_account->uid());
        QDirIterator it(remotePath(u"remote"_s), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                        QDirIterator::Subdirectories);
        int entries = 0;
        while (it.hasNext()) {
            const QFileInfo info(it.next());
            QVERIFY2(info.ownerId() == m_account->uid(), qPrintable(info.filePath()));
            ++entries;
        }
        QVERIFY(entries > 0);
        const QFileInfo helper(remotePath(u".sweepline"_s));
        QCOMPARE(helper.ownerId(), m_account->uid());
        QCOMPARE(helper.permissions() & 0x0077, QFileDevice::Permissions());
    }

    void slurmCampaignLogsInOnce()
    {
        CampaignOptions o;
        o.binaryFile = true;
        const QString campaign = writeCampaign(o);
        const int loginsBefore = countOf(m_ssh->log(), u"Accepted publickey"_s);
        const int commandsBefore = countOf(m_ssh->log(), kCommandSession);
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 6);
        QCOMPARE(countOf(m_ssh->log(), u"Accepted publickey"_s) - loginsBefore, 1);
        // One helper served every submission, poll and collection: the login shell ran once.
        QCOMPARE(countOf(m_ssh->log(), kCommandSession) - commandsBefore, 1);
        // The values came back through the scheduler: x=3 fast is the optimum, 0.
        QVERIFY2(r.out.contains(u"best: trial 1 loss=0 x=3 kind=fast"_s), qPrintable(r.out));
        const QStringList rows = exportRows(campaign);
        QVERIFY(!rows.at(1).split(u',').at(5).isEmpty()); // the Slurm job id
    }

    void sshSchedulerRunsOnAPlainHost()
    {
        CampaignOptions o;
        o.scheduler = u"ssh"_s;
        const QString campaign = writeCampaign(o);
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        verifyExactlyOnce(campaign, 6);
    }

    void loginThroughAProxyJumpBastion()
    {
        SshServerFixture bastion;
        QVERIFY2(bastion.start(), qPrintable(bastion.errorString()));
        SshClientConfig config;
        config.path = path(u"jump_config"_s);
        config.alias = u"behind-bastion"_s;
        config.jumpHost = &bastion;
        config.user = m_account->name(); // the bastion's own login stays root's: its fixture's only user
        const QString file = m_ssh->writeClientConfig(config);
        CampaignOptions o;
        o.host = u"behind-bastion"_s;
        o.sshConfig = file;
        o.maxTrials = 2;
        const QString campaign = writeCampaign(o);
        const int bastionLogins = countOf(bastion.log(), u"Accepted publickey"_s);
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out + bastion.log()));
        verifyExactlyOnce(campaign, 2);
        QCOMPARE(countOf(bastion.log(), u"Accepted publickey"_s) - bastionLogins, 1);
    }

    void unknownHostKeyNeedsConsent()
    {
        const QString knownHosts = path(u"empty_known_hosts"_s);
        writeTextFile(knownHosts, {});
        CampaignOptions o;
        o.knownHosts = knownHosts;
        o.maxTrials = 1;
        const QString campaign = writeCampaign(o);
        const Run refused = cli({u"run"_s, campaign});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(u"is not in"_s), qPrintable(refused.err));
        QVERIFY(refused.err.contains(m_ssh->hostKeyFingerprintSha256()));
        QVERIFY(readLines(knownHosts).isEmpty());

        const Run accepted = cli({u"run"_s, campaign, u"--accept-new-host-key"_s});
        QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.err));
        QVERIFY(accepted.err.contains(u"recording the new host key"_s));
        QVERIFY(accepted.err.contains(m_ssh->hostKeyFingerprintSha256()));
        QCOMPARE(readLines(knownHosts).size(), 1);
    }

    void changedHostKeyIsRefusedAndNothingSubmitted()
    {
        const QString campaign = writeCampaign({});
        QVERIFY(m_ssh->regenerateHostKey());
        const Run r = cli({u"run"_s, campaign});
        QVERIFY(m_ssh->updateKnownHosts());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(u"CHANGED"_s), qPrintable(r.err));
        QVERIFY(r.err.contains(m_ssh->hostKeyFingerprintSha256()));
        QVERIFY(readLines(measuredLog(campaign)).isEmpty());
        QVERIFY(!QFileInfo::exists(remotePath(u"remote/cluster%1"_s.arg(m_campaigns))));
        // Nothing was lost either: the trials wait, and run once the key is sorted out.
        const Run again = cli({u"run"_s, campaign});
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
        QVERIFY2(r.err.contains(u"connection: disconnected"_s), qPrintable(r.err));
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
        p.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(waitUntil([&] { return QFileInfo::exists(flag + u".submitted"_s); }, 60000));
        // sbatch has accepted the job, its answer is still on the way: the connection dies now.
        m_ssh->stop();
        QFile::remove(flag);
        QTest::qWait(2000);
        QVERIFY(m_ssh->start());
        QVERIFY(p.waitForFinished(300000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(u"connection: disconnected"_s), qPrintable(err));
        verifyExactlyOnce(campaign, 4);
        QFile::remove(flag + u".submitted"_s);
    }

    void earlyStoppingCancelsTheBadTrialThroughItsScheduler_data()
    {
        QTest::addColumn<QString>("scheduler");
        QTest::addRow("slurm (scancel)") << u"slurm"_s;
        QTest::addRow("ssh (kill)") << u"ssh"_s;
    }
    // The bad trial's curve is read while it runs (each poll's one command brings its new stdout),
    // it is stopped through the scheduler mid-run and recorded pruned at the step it had reached;
    // the good one runs to its end and is done.
    void earlyStoppingCancelsTheBadTrialThroughItsScheduler()
    {
        QFETCH(QString, scheduler);
        const QString campaign = writePruningCampaign(scheduler);
        const int commandsBefore = countOf(m_ssh->log(), kCommandSession);
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QStringList rows = exportRows(campaign);
        QCOMPARE(rows.size(), 3);
        const QStringList header = rows.at(0).split(u',');
        const auto column = [&](int row, const QString& name) {
            return rows.at(row).split(u',').value(header.indexOf(name));
        };
        QCOMPARE(column(1, u"kind"_s), u"good"_s);
        QCOMPARE(column(1, u"state"_s), u"done"_s);
        QCOMPARE(column(1, u"loss"_s), u"80"_s);
        QVERIFY2(remoteStdout(campaign, 1).endsWith(u"all epochs done\n"_s), qPrintable(remoteStdout(campaign, 1)));
        QCOMPARE(column(2, u"kind"_s), u"bad"_s);
        QVERIFY2(column(2, u"state"_s) == u"pruned"_s, qPrintable(rows.join(u'\n') + r.err));
        // Stopped past the warm-up, at a step its job really printed, long before its last.
        const int step = column(2, u"pruned_step"_s).toInt();
        QVERIFY2(step >= 3 && step < 20, qPrintable(rows.at(2)));
        QCOMPARE(column(2, u"pruned_value"_s), QString::number(1000 - step));
        const QString badStdout = remoteStdout(campaign, 2);
        QVERIFY2(badStdout.contains(u"loss: %1\n"_s.arg(1000 - step)), qPrintable(badStdout));
        QVERIFY2(!badStdout.contains(u"epoch 20\n"_s) && !badStdout.contains(u"all epochs done"_s),
                 qPrintable(badStdout));
        if (scheduler == u"slurm"_s) {
            // Through scancel: Slurm itself says so.
            const ProcessResult job =
                runProcess(u"scontrol"_s, {u"show"_s, u"job"_s, column(2, u"job_id"_s)}, m_slurm->environment());
            QVERIFY2(job.out.contains("JobState=CANCELLED"), qPrintable(job.describe()));
        }
        QVERIFY2(r.out.contains(u"pruned"_s), qPrintable(r.out));
        // One helper served it all: the login shell ran once.
        QCOMPARE(countOf(m_ssh->log(), kCommandSession) - commandsBefore, 1);
    }

    void failuresTimeoutsAndCancelFromTheCli()
    {
        CampaignOptions o;
        o.scheduler = u"ssh"_s; // the engine itself enforces the time limit on a plain host
        o.kinds = u"\"crash\", \"hang\""_s;
        o.maxTrials = 2;
        o.timeLimit = u"00:00:03"_s;
        const QString failing = writeCampaign(o);
        const Run r = cli({u"run"_s, failing});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList rows = exportRows(failing);
        QCOMPARE(rows.size(), 3);
        QVERIFY2(rows.join(u'\n').contains(u"exited with code 3: RuntimeError: boom"_s), qPrintable(rows.join(u'\n')));
        QVERIFY(rows.join(u'\n').contains(u"time limit of 00:00:03"_s));

        CampaignOptions c;
        c.kinds = u"\"fast\", \"hang\""_s;
        c.maxTrials = 2;
        c.parallel = 2;
        const QString campaign = writeCampaign(c);
        QProcess run;
        run.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        // Trial 2 is x=3 "hang": cancel it once the store shows trial 1 done and trial 2 running (the
        // export opens the store read-only beside the run).
        QVERIFY(waitUntil([&] { return readLines(measuredLog(campaign)).size() >= 1; }, 60000));
        QStringList seen;
        QVERIFY2(waitUntil(
                     [&] {
                         seen = exportRows(campaign);
                         return seen.size() == 3 && seen.at(1).startsWith(u"1,done,"_s)
                             && seen.at(2).startsWith(u"2,running,"_s);
                     },
                     60000, 250),
                 qPrintable(seen.join(u'\n')));
        const Run cancel = cli({u"cancel"_s, campaign, u"--trial"_s, u"2"_s});
        QVERIFY2(cancel.exitCode == 0, qPrintable(cancel.err + cancel.out));
        QVERIFY(run.waitForFinished(120000));
        QCOMPARE(run.exitCode(), 0);
        const QStringList cancelledRows = exportRows(campaign);
        QCOMPARE(cancelledRows.size(), 3);
        QVERIFY2(cancelledRows.at(2).startsWith(u"2,cancelled,"_s), qPrintable(cancelledRows.at(2)));
        QVERIFY(cancelledRows.at(1).startsWith(u"1,done,"_s));
    }
};

QTEST_GUILESS_MAIN(TestClusterCampaign)
#include "tst_clustercampaign.moc"
