// Connections through the real sweepline-cli and real sshds: a campaign that never managed to
// connect stops after three attempts with one line naming the cause (unknown host, no SFTP
// subsystem, an unresolvable ProxyJump) and exits 1, a refused login after the first; a whole
// campaign runs through two bastions; a password and a one-time password are asked on the
// terminal (a pty), with echo off, once.
#include "support/sshserverfixture.h"

#include <QProcess>
#include <QtTest>

#include <functional>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace sweepline::testing;

namespace {

ProcessResult cli(const QStringList& args)
{
    return runProcess(QString::fromUtf8(SWEEPLINE_CLI), args, {}, 300000);
}

struct TerminalRun {
    int exitCode = -1;
    QByteArray output; // all the terminal showed
};

// Runs the CLI on a pseudo-terminal of its own (its controlling terminal, so /dev/tty is it);
// respond() sees everything shown so far and returns what to type, if anything.
TerminalRun runOnTerminal(const QStringList& args, const std::function<QByteArray(const QByteArray&)>& respond,
                          int timeoutMs = 120000)
{
    QList<QByteArray> words{QByteArray(SWEEPLINE_CLI)};
    for (const QString& a : args)
        words << a.toUtf8();
    std::vector<char*> argv;
    for (QByteArray& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    TerminalRun run;
    if (pid < 0)
        return run;
    QElapsedTimer clock;
    clock.start();
    int status = 0;
    bool exited = false;
    while (clock.elapsed() < timeoutMs) {
        pollfd p{master, POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) {
            char buffer[4096];
            const ssize_t n = ::read(master, buffer, sizeof buffer);
            if (n > 0) {
                run.output.append(buffer, n);
                const QByteArray typed = respond(run.output);
                if (!typed.isEmpty() && ::write(master, typed.constData(), size_t(typed.size())) < 0)
                    break;
                continue;
            }
        }
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
        }
    }
    if (!exited) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    ::close(master);
    run.exitCode = exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

QString oathCode(const QString& secretHex)
{
    const ProcessResult r = runProcess(u"oathtool"_s, {u"--totp"_s, secretHex});
    if (!r.ok())
        qFatal("oathtool: %s", qPrintable(r.describe()));
    return QString::fromLatin1(r.out).trimmed();
}

QStringList lines(const QByteArray& text)
{
    return QString::fromUtf8(text).split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

class TestConnections : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    int m_campaigns = 0;

    QString path(const QString& name) const { return QDir(m_tmp.path()).filePath(name); }

    // A campaign of three trials on the "ssh" scheduler (background processes on the host).
    QString writeCampaign(const QString& host, const QString& sshConfig, const QString& workdir = u"sweepline-conn"_s)
    {
        const QString dir = path(u"c%1"_s.arg(++m_campaigns));
        QDir().mkpath(dir);
        writeTextFile(dir + u"/objective.sh"_s, u"echo \"loss: $(( ($1 - 2) * ($1 - 2) ))\"\n"_s, 0644);
        QString file = dir + u"/campaign.json"_s;
        writeTextFile(file,
                      uR"({
  "name": "conn%1",
  "parameters": [{"name": "x", "type": "int", "range": {"min": 1, "max": 3}, "default": 2}],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": 3, "parallel": 3},
  "job": {"command": "bash objective.sh {x}", "files": ["objective.sh"]},
  "cluster": {"scheduler": "ssh", "host": "%2", "ssh_config": "%3", "workdir": "%4", "poll_interval_s": 1}
})"_s.arg(m_campaigns)
                          .arg(host, sshConfig, workdir),
                      0644);
        return file;
    }

    // The last line of stderr, and that it is the only "run stopped" line and names the cause.
    static void verifyStoppedNaming(const ProcessResult& r, const QString& cause, int attempts)
    {
        QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
        const QStringList err = lines(r.err);
        QVERIFY2(!err.isEmpty(), qPrintable(r.describe()));
        QCOMPARE(int(err.filter(u"run stopped:"_s).size()), 1);
        const QString& last = err.last();
        QVERIFY2(last.startsWith(u"run stopped: "_s), qPrintable(r.describe()));
        QVERIFY2(last.contains(cause), qPrintable(last));
        QCOMPARE(int(err.filter(u"connection: connecting"_s).size()), attempts);
    }

    // A campaign that logs in as the fixture's password user, with no key to offer.
    QString passwordUserCampaign(const SshServerFixture& ssh)
    {
        SshClientConfig client;
        client.path = path(u"password_config%1"_s.arg(m_campaigns));
        client.user = ssh.passwordUserName();
        client.identityFile = path(u"no-such-key"_s);
        return writeCampaign(u"sweepline-test"_s, ssh.writeClientConfig(client));
    }

    // Runs the campaign on a terminal and types answer() each time a new `prompt` appears.
    static TerminalRun answerOnTerminal(const QString& campaign, const QByteArray& prompt,
                                        const std::function<QByteArray()>& answer, int& asked)
    {
        return runOnTerminal({u"run"_s, campaign}, [&](const QByteArray& shown) -> QByteArray {
            if (shown.count(prompt) <= asked)
                return {};
            ++asked;
            return answer() + '\n';
        });
    }

    static SshServerOptions passwordLogins()
    {
        SshServerOptions options;
        options.passwordAuthentication = true;
        options.createPasswordUser = true;
        return options;
    }

private slots:
    void unknownHost();
    void noSftpSubsystem();
    void refusedLogin();
    void unresolvableProxyJump();
    void campaignThroughTwoBastions();
    void passwordAskedOnTheTerminal();
    void oneTimePasswordAskedOnTheTerminal();
    void wrongPasswordOnTheTerminalStops();
};

void TestConnections::unknownHost()
{
    const QString config = path(u"unknown_config"_s);
    writeTextFile(config, u"Host nowhere\n  HostName nowhere.invalid\n  UserKnownHostsFile %1\n"_s.arg(path(u"kh"_s)),
                  0644);
    const ProcessResult r = cli({u"run"_s, writeCampaign(u"nowhere"_s, config)});
    verifyStoppedNaming(
        r, u"never connected (3 attempts): cannot connect to nowhere: unknown host: \"nowhere.invalid\""_s, 3);
}

void TestConnections::noSftpSubsystem()
{
    SshServerOptions options;
    options.sftpSubsystem = false;
    SshServerFixture ssh(options);
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    const ProcessResult r = cli({u"run"_s, writeCampaign(u"sweepline-test"_s, ssh.writeClientConfig())});
    verifyStoppedNaming(r, u"never connected (3 attempts): sweepline-test: no SFTP subsystem"_s, 3);
    QCOMPARE(int(ssh.log().count(u"Accepted publickey for root"_s)), 3);
}

void TestConnections::refusedLogin()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    const QString stranger = path(u"stranger_key"_s);
    QVERIFY(runProcess(u"ssh-keygen"_s, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, stranger}).ok());
    SshClientConfig client;
    client.path = path(u"refused_config"_s);
    client.identityFile = stranger;
    const ProcessResult r = cli({u"run"_s, writeCampaign(u"sweepline-test"_s, ssh.writeClientConfig(client))});
    // A refused login is final at once: not retried, not three attempts.
    verifyStoppedNaming(r, u"login refused: authentication to sweepline-test as root failed"_s, 1);
    QVERIFY(!ssh.log().contains(u"Accepted"_s));
}

void TestConnections::unresolvableProxyJump()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    SshClientConfig client;
    client.path = path(u"badjump_config"_s);
    client.extraLines = {u"ProxyJump jumper@nohop.invalid:2222"_s};
    const ProcessResult r = cli({u"run"_s, writeCampaign(u"sweepline-test"_s, ssh.writeClientConfig(client))});
    verifyStoppedNaming(r,
                        u"never connected (3 attempts): cannot connect to sweepline-test: its ProxyJump host "
                        "\"jumper@nohop.invalid:2222\" (nohop.invalid) cannot be resolved"_s,
                        3);
    QVERIFY(!ssh.log().contains(u"Accepted"_s));
}

void TestConnections::campaignThroughTwoBastions()
{
    SshServerFixture target;
    SshServerFixture first;
    SshServerFixture second;
    for (SshServerFixture* s : {&target, &first, &second})
        QVERIFY2(s->start(), qPrintable(s->errorString()));
    const QString config = path(u"chain_config"_s);
    // The first hop as a user@host:port value, the second as an alias: each with its own settings.
    writeTextFile(
        config,
        target.clientConfigBlock(u"behind-two"_s, {}, {}, {u"ProxyJump root@first:%1,second"_s.arg(first.port())})
            + first.clientConfigBlock(u"first"_s) + second.clientConfigBlock(u"second"_s),
        0644);
    const QString campaign = writeCampaign(u"behind-two"_s, config, path(u"chain-work"_s));
    const ProcessResult r = cli({u"run"_s, campaign});
    QVERIFY2(r.ok(), qPrintable(r.describe() + first.log() + second.log()));
    QVERIFY2(QString::fromUtf8(r.out).contains(u"best:"_s), qPrintable(r.describe()));
    // One session for the campaign: one login on each bastion and on the target.
    QCOMPARE(int(first.log().count(u"Accepted publickey for root"_s)), 1);
    QCOMPARE(int(second.log().count(u"Accepted publickey for root"_s)), 1);
    QCOMPARE(int(target.log().count(u"Accepted publickey for root"_s)), 1);
}

void TestConnections::passwordAskedOnTheTerminal()
{
    SshServerFixture ssh(passwordLogins());
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    int asked = 0;
    const TerminalRun run = answerOnTerminal(
        passwordUserCampaign(ssh), "Password for " + ssh.passwordUserName().toUtf8() + "@sweepline-test: ",
        [&] { return ssh.password().toUtf8(); }, asked);
    QVERIFY2(run.exitCode == 0, run.output.constData());
    QCOMPARE(asked, 1);
    QVERIFY2(!run.output.contains(ssh.password().toUtf8()), run.output.constData()); // echo was off
    QVERIFY(run.output.contains("best:"));
    QCOMPARE(int(ssh.log().count(u"Accepted password for "_s + ssh.passwordUserName())), 1);
}

void TestConnections::oneTimePasswordAskedOnTheTerminal()
{
    SshServerOptions options;
    options.oneTimePasswords = true;
    options.otpInfoText = "\x1b[2J\x1b]0;owned\x07"
                          "Cluster login";
    SshServerFixture ssh(options);
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    int asked = 0;
    QString code;
    const TerminalRun run = answerOnTerminal(
        passwordUserCampaign(ssh), "One-time password (OATH) for",
        [&] {
            code = oathCode(ssh.otpSecretHex());
            return code.toUtf8();
        },
        asked);
    QVERIFY2(run.exitCode == 0, run.output.constData());
    QCOMPARE(asked, 1);
    QVERIFY2(run.output.contains("Cluster login"), run.output.constData());
    // The server's escape sequences never reach the terminal: no clear screen, no window title.
    QVERIFY2(!run.output.contains("\x1b[2J") && !run.output.contains("\x1b]0;"), run.output.constData());
    QVERIFY2(!run.output.contains(code.toUtf8()), run.output.constData());
    QCOMPARE(int(ssh.log().count(u"Accepted keyboard-interactive/pam for "_s + ssh.passwordUserName())), 1);
}

void TestConnections::wrongPasswordOnTheTerminalStops()
{
    SshServerFixture ssh(passwordLogins());
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    int asked = 0;
    const TerminalRun run = answerOnTerminal(
        passwordUserCampaign(ssh), "Password for ", [] { return QByteArray("not-the-password"); }, asked);
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(asked, 1);
    QVERIFY2(run.output.contains("run stopped: login refused"), run.output.constData());
    QCOMPARE(int(ssh.log().count(u"Failed password for "_s + ssh.passwordUserName())), 1);
}

QTEST_GUILESS_MAIN(TestConnections)
#include "tst_connections.moc"
