// Every login method against a real sshd the fixtures start: a key with a passphrase, a key from a
// real ssh-agent, a password, keyboard-interactive one-time passwords through PAM (libpam-oath,
// codes from oathtool). A refused answer is tried once, and the server's prompt text reaches the
// prompter without control characters. Then ProxyJump chains through two real bastions.
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshsession.h"
#include "support/sshserverfixture.h"
#include "support/verifyresult.h"

#include <QMutex>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::remote::ssh;
using sweepline::testing::SshServerFixture;
using sweepline::testing::SshServerOptions;

namespace {

// Answers as told and records every question, so a test sees how often it was asked what.
class ScriptedPrompter final : public CredentialPrompter {
public:
    std::optional<QString> answer;      // for every passphrase, password and prompt
    std::function<QString()> answerNow; // computed at the moment of asking (a one-time code)

    bool acceptNewHostKey(const HostKeyInfo&) override { return false; }
    std::optional<SecretBuffer> passphrase(const QString& keyFile) override
    {
        asked << u"passphrase "_s + keyFile;
        return give();
    }
    std::optional<SecretBuffer> password(const QString& user, const QString& host) override
    {
        asked << u"password %1@%2"_s.arg(user, host);
        return give();
    }
    std::optional<std::vector<SecretBuffer>> keyboardInteractive(const QString& name, const QString& instruction,
                                                                 const QList<InteractivePrompt>& prompts) override
    {
        asked << u"keyboard-interactive"_s;
        names << name;
        instructions << instruction;
        for (const InteractivePrompt& p : prompts)
            promptTexts << p.text;
        std::vector<SecretBuffer> answers;
        for (qsizetype i = 0; i < prompts.size(); ++i) {
            auto one = give();
            if (!one)
                return std::nullopt;
            answers.push_back(std::move(*one));
        }
        return answers;
    }

    QStringList asked;
    QStringList names;
    QStringList instructions;
    QStringList promptTexts;

private:
    std::optional<SecretBuffer> give()
    {
        if (answerNow)
            return SecretBuffer::fromUtf16(answerNow());
        if (!answer)
            return std::nullopt;
        return SecretBuffer::fromUtf16(*answer);
    }
};

Endpoint endpointOf(const SshServerFixture& server, const QString& user, const QStringList& identities)
{
    Endpoint e;
    e.alias = u"sweepline-test"_s;
    e.hostName = server.host();
    e.port = server.port();
    e.user = user;
    e.identityFiles = identities;
    e.knownHostsFile = server.knownHostsPath();
    return e;
}

// A real ssh-agent on its own socket (ssh-agent -D), holding one key; stopped with the object.
struct SshAgent {
    QString socket;
    QString error;
    QProcess process;

    explicit SshAgent(QString socketPath) : socket(std::move(socketPath)) {}
    ~SshAgent()
    {
        process.terminate();
        process.waitForFinished(5000);
    }
    bool start(const QString& key)
    {
        process.start(u"ssh-agent"_s, {u"-D"_s, u"-a"_s, socket});
        if (!process.waitForStarted()) {
            error = process.errorString();
            return false;
        }
        QDeadlineTimer deadline(10000);
        while (!QFileInfo::exists(socket) && !deadline.hasExpired())
            QThread::msleep(20);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"SSH_AUTH_SOCK"_s, socket);
        QProcess add;
        add.setProcessEnvironment(env);
        add.start(u"ssh-add"_s, {key});
        if (!add.waitForFinished(10000) || add.exitCode() != 0) {
            error = u"ssh-add: "_s + QString::fromUtf8(add.readAllStandardError());
            return false;
        }
        return true;
    }
};

SshServerOptions passwordLogins()
{
    SshServerOptions options;
    options.passwordAuthentication = true;
    options.createPasswordUser = true;
    return options;
}

QString totp(const QString& secretHex)
{
    QProcess p;
    p.start(u"oathtool"_s, {u"--totp"_s, secretHex});
    if (!p.waitForFinished(10000) || p.exitCode() != 0)
        qFatal("oathtool failed: %s", p.readAllStandardError().constData());
    return QString::fromLatin1(p.readAllStandardOutput()).trimmed();
}

} // namespace

class TestSshLogin : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void keyWithPassphrase();
    void wrongPassphraseStops();
    void keyFromSshAgent();
    void identityAgentOfTheSshConfig();
    void password();
    void wrongPasswordIsTriedOnce();
    void oneTimePassword();
    void wrongOneTimePasswordIsTriedOnce();
    void proxyJumpForms_data();
    void proxyJumpForms();
    void chainThroughTwoBastions();
};

void TestSshLogin::keyWithPassphrase()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    ScriptedPrompter prompter;
    prompter.answer = ssh.passphrase();
    SshSession session;
    const auto connected = session.connect(endpointOf(ssh, ssh.userName(), {ssh.passphraseKeyPath()}), prompter, false);
    QVERIFY_RESULT(connected);
    QCOMPARE(prompter.asked, QStringList{u"passphrase "_s + ssh.passphraseKeyPath()});
    QVERIFY(ssh.log().contains(u"Accepted publickey for root"_s));
}

void TestSshLogin::wrongPassphraseStops()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    ScriptedPrompter prompter;
    prompter.answer = u"wrong horse"_s;
    SshSession session;
    const auto connected = session.connect(endpointOf(ssh, ssh.userName(), {ssh.passphraseKeyPath()}), prompter, false);
    QVERIFY_FAILS_WITH(connected, model::ErrorCode::LoginRefused);
    QVERIFY2(connected.error().contains(u"wrong passphrase"_s), qPrintable(connected.error()));
    QCOMPARE(prompter.asked.size(), 1);
    QVERIFY(!ssh.log().contains(u"Accepted"_s));
}

void TestSshLogin::keyFromSshAgent()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    SshAgent agent(m_dir.filePath(u"agent.sock"_s));
    QVERIFY2(agent.start(ssh.userKeyPath()), qPrintable(agent.error));
    const QByteArray saved = qgetenv("SSH_AUTH_SOCK");
    qputenv("SSH_AUTH_SOCK", QFile::encodeName(agent.socket));
    ScriptedPrompter prompter;
    SshSession session;
    // No key file at all: only the agent can log in.
    const auto connected = session.connect(endpointOf(ssh, ssh.userName(), {}), prompter, false);
    if (saved.isNull())
        qunsetenv("SSH_AUTH_SOCK");
    else
        qputenv("SSH_AUTH_SOCK", saved);
    QVERIFY_RESULT(connected);
    QVERIFY(prompter.asked.isEmpty());
    QVERIFY(ssh.log().contains(u"Accepted publickey for root"_s));
}

void TestSshLogin::identityAgentOfTheSshConfig()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    SshAgent agent(m_dir.filePath(u"config-agent.sock"_s));
    QVERIFY2(agent.start(ssh.userKeyPath()), qPrintable(agent.error));
    const QByteArray saved = qgetenv("SSH_AUTH_SOCK");
    qunsetenv("SSH_AUTH_SOCK");
    // The config names the agent's socket and no key file: only that agent can log in.
    for (const QString& agentLine : {u"IdentityAgent "_s + agent.socket, u"IdentityAgent $SWL_TEST_AGENT"_s}) {
        qputenv("SWL_TEST_AGENT", QFile::encodeName(agent.socket));
        testing::SshClientConfig client;
        client.path = m_dir.filePath(u"agent_config"_s);
        client.identityFile = m_dir.filePath(u"no-such-key"_s);
        const QString config = ssh.writeClientConfig(client);
        QFile f(config);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll()).replace(u"IdentityAgent none"_s, agentLine);
        f.close();
        testing::writeTextFile(config, text, 0644);
        model::ClusterSettings cluster;
        cluster.host = u"sweepline-test"_s;
        cluster.sshConfig = config;
        const auto endpoint = resolveEndpoint(cluster);
        QVERIFY_RESULT(endpoint);
        QCOMPARE(endpoint->identityAgent, agent.socket);
        ScriptedPrompter prompter;
        SshSession session;
        const auto connected = session.connect(endpoint.value(), prompter, false);
        QVERIFY2(connected, qPrintable(agentLine + u": "_s + connected.error()));
    }
    qunsetenv("SWL_TEST_AGENT");
    // "IdentityAgent none" keeps even $SSH_AUTH_SOCK's agent out.
    qputenv("SSH_AUTH_SOCK", QFile::encodeName(agent.socket));
    testing::SshClientConfig client;
    client.path = m_dir.filePath(u"no_agent_config"_s);
    client.identityFile = m_dir.filePath(u"no-such-key"_s);
    model::ClusterSettings cluster;
    cluster.host = u"sweepline-test"_s;
    cluster.sshConfig = ssh.writeClientConfig(client);
    const auto endpoint = resolveEndpoint(cluster);
    QVERIFY_RESULT(endpoint);
    QCOMPARE(endpoint->identityAgent, u"none"_s);
    ScriptedPrompter prompter;
    SshSession session;
    const auto connected = session.connect(endpoint.value(), prompter, false);
    if (saved.isNull())
        qunsetenv("SSH_AUTH_SOCK");
    else
        qputenv("SSH_AUTH_SOCK", saved);
    QVERIFY_FAILS_WITH(connected, model::ErrorCode::LoginRefused);
}

void TestSshLogin::password()
{
    SshServerFixture ssh(passwordLogins());
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    ScriptedPrompter prompter;
    prompter.answer = ssh.password();
    SshSession session;
    const auto connected = session.connect(endpointOf(ssh, ssh.passwordUserName(), {}), prompter, false);
    QVERIFY2(connected, qPrintable(connected.error() + ssh.log()));
    QCOMPARE(prompter.asked, QStringList{u"password %1@sweepline-test"_s.arg(ssh.passwordUserName())});
    QVERIFY(ssh.log().contains(u"Accepted password for "_s + ssh.passwordUserName()));
}

void TestSshLogin::wrongPasswordIsTriedOnce()
{
    SshServerFixture ssh(passwordLogins());
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    ScriptedPrompter prompter;
    prompter.answer = ssh.password() + u"x"_s;
    SshSession session;
    const auto connected = session.connect(endpointOf(ssh, ssh.passwordUserName(), {}), prompter, false);
    QVERIFY_FAILS_WITH(connected, model::ErrorCode::LoginRefused);
    QCOMPARE(prompter.asked.size(), 1);
    QTRY_COMPARE(int(ssh.log().count(u"Failed password for "_s + ssh.passwordUserName())), 1);
    QTest::qWait(500); // nothing more follows by itself
    QCOMPARE(int(ssh.log().count(u"Failed password for "_s)), 1);
}

void TestSshLogin::oneTimePassword()
{
    SshServerOptions options;
    options.oneTimePasswords = true;
    // What a hostile or broken server might send: colours, a window title, a bell, a bidi override.
    options.otpInfoText = "\x1b[31mWelcome\x1b]0;owned\x07 to the \xe2\x80\xae"
                          "cluster\x1b[0m";
    SshServerFixture ssh(options);
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    ScriptedPrompter prompter;
    prompter.answerNow = [&] { return totp(ssh.otpSecretHex()); };
    SshSession session;
    const auto connected = session.connect(endpointOf(ssh, ssh.passwordUserName(), {}), prompter, false);
    QVERIFY2(connected, qPrintable(connected.error() + ssh.log()));
    QCOMPARE(prompter.asked, QStringList{u"keyboard-interactive"_s});
    QVERIFY(ssh.log().contains(u"Accepted keyboard-interactive/pam for "_s + ssh.passwordUserName()));
    // The server's words arrive, its control characters do not.
    const QString shown =
        prompter.names.join(u' ') + prompter.instructions.join(u' ') + prompter.promptTexts.join(u' ');
    QVERIFY2(shown.contains(u"One-time password"_s), qPrintable(shown));
    QVERIFY2(shown.contains(u"[31mWelcome]0;owned to the cluster[0m"_s), qPrintable(shown));
    for (QChar c : shown)
        QVERIFY2(c == u'\n' || (c.category() != QChar::Other_Control && c.category() != QChar::Other_Format),
                 qPrintable(u"control character U+%1 in %2"_s.arg(int(c.unicode()), 4, 16, QChar(u'0')).arg(shown)));
}

void TestSshLogin::wrongOneTimePasswordIsTriedOnce()
{
    SshServerOptions options;
    options.oneTimePasswords = true;
    options.passwordAuthentication = true; // a second method, which a refused code must not lead on to
    SshServerFixture ssh(options);
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    ScriptedPrompter prompter;
    // A code that is certainly not the current one (nor one of its window).
    prompter.answerNow = [&] {
        return u"%1"_s.arg((totp(ssh.otpSecretHex()).toInt() + 500000) % 1000000, 6, 10, QChar(u'0'));
    };
    SshSession session;
    const auto connected = session.connect(endpointOf(ssh, ssh.passwordUserName(), {}), prompter, false);
    QVERIFY_FAILS_WITH(connected, model::ErrorCode::LoginRefused);
    QCOMPARE(prompter.asked, QStringList{u"keyboard-interactive"_s});
    const QString failed = u"Failed keyboard-interactive/pam for "_s + ssh.passwordUserName();
    QTRY_COMPARE(int(ssh.log().count(failed)), 1);
    QTest::qWait(500);
    QCOMPARE(int(ssh.log().count(failed)), 1);
    QVERIFY(!ssh.log().contains(u"Accepted"_s));
}

void TestSshLogin::proxyJumpForms_data()
{
    QTest::addColumn<QString>("form"); // %1: the bastion's port
    QTest::newRow("alias") << u"bastion"_s;
    QTest::newRow("host:port") << u"127.0.0.1:%1"_s;
    QTest::newRow("user@host:port") << u"root@127.0.0.1:%1"_s;
    QTest::newRow("ssh://user@host:port") << u"ssh://root@127.0.0.1:%1"_s;
    QTest::newRow("[address]:port") << u"[127.0.0.1]:%1"_s;
}

void TestSshLogin::proxyJumpForms()
{
    QFETCH(QString, form);
    SshServerFixture target;
    SshServerFixture bastion;
    QVERIFY2(target.start(), qPrintable(target.errorString()));
    QVERIFY2(bastion.start(), qPrintable(bastion.errorString()));
    // The bare forms take their key and known hosts from "Host *", as a user's config would give them.
    const QString config = m_dir.filePath(u"forms_config"_s);
    testing::writeTextFile(
        config,
        u"Host target\n  HostName 127.0.0.1\n  Port %1\n  User root\n  ProxyJump %2\n"
        "Host bastion\n  HostName 127.0.0.1\n  Port %3\n  User root\n"
        "Host *\n  IdentityFile %4\n  IdentityFile %5\n  IdentitiesOnly yes\n  IdentityAgent none\n"
        "  UserKnownHostsFile %6 %7\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n"
        "  CheckHostIP no\n  BatchMode yes\n  ConnectTimeout 10\n"_s.arg(target.port())
            .arg(form.contains(u"%1"_s) ? form.arg(bastion.port()) : form)
            .arg(bastion.port())
            .arg(target.userKeyPath(), bastion.userKeyPath(), target.knownHostsPath(), bastion.knownHostsPath()));
    model::ClusterSettings cluster;
    cluster.host = u"target"_s;
    cluster.sshConfig = config;
    const auto endpoint = resolveEndpoint(cluster);
    QVERIFY_RESULT(endpoint);
    ScriptedPrompter prompter;
    SshSession session;
    const auto connected = session.connect(endpoint.value(), prompter, false);
    QVERIFY2(connected, qPrintable(connected.error() + u"\n"_s + endpoint->proxyCommand + u"\n"_s + bastion.log()));
    QVERIFY(bastion.log().contains(u"Accepted publickey for root"_s));
    QVERIFY(target.log().contains(u"Accepted publickey for root"_s));
    QVERIFY(prompter.asked.isEmpty());
}

void TestSshLogin::chainThroughTwoBastions()
{
    SshServerFixture target;
    SshServerFixture first;
    SshServerFixture second;
    for (SshServerFixture* s : {&target, &first, &second})
        QVERIFY2(s->start(), qPrintable(s->errorString()));
    // Each hop has its own alias, port, key and known hosts: each takes its own settings.
    const QString config = m_dir.filePath(u"chain_config"_s);
    testing::writeTextFile(config,
                           target.clientConfigBlock(u"target"_s, {}, {}, {u"ProxyJump first,second"_s})
                               + first.clientConfigBlock(u"first"_s) + second.clientConfigBlock(u"second"_s));
    model::ClusterSettings cluster;
    cluster.host = u"target"_s;
    cluster.sshConfig = config;
    const auto endpoint = resolveEndpoint(cluster);
    QVERIFY_RESULT(endpoint);
    QCOMPARE(endpoint->jumpHops.size(), 2);
    ScriptedPrompter prompter;
    SshSession session;
    const auto connected = session.connect(endpoint.value(), prompter, false);
    QVERIFY2(connected, qPrintable(connected.error() + u"\n"_s + first.log() + second.log()));
    auto written = session.writeFile(session.homeDirectory() + u"/.swl-chain-test"_s, "through two bastions", 0600);
    QVERIFY_RESULT(written);
    QVERIFY(first.log().contains(u"Accepted publickey for root"_s));
    QVERIFY(second.log().contains(u"Accepted publickey for root"_s));
    QVERIFY(target.log().contains(u"Accepted publickey for root"_s));
    // The bastions only forwarded (ssh -W): no command ran on either of them.
    QVERIFY2(!first.log().contains(u"Starting session"_s), qPrintable(first.log()));
    QVERIFY2(!second.log().contains(u"Starting session"_s), qPrintable(second.log()));
    QFile::remove(session.homeDirectory() + u"/.swl-chain-test"_s);
}

QTEST_GUILESS_MAIN(TestSshLogin)
#include "tst_sshlogin.moc"
