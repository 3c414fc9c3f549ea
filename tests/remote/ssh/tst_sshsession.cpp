// What SshSession's failures say by their code, against a real sshd: a changed or untrusted host
// key, a refused login, a closed port, a refused SFTP write; and the helper channel's output as one
// result. SshWorker keeps a host-key failure final, code and all.
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshsession.h"
#include "remote/ssh/sshworker.h"
#include "support/sshserverfixture.h"
#include "support/verifyresult.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::remote::ssh;
using model::ErrorCode;
using sweepline::testing::SshServerFixture;

namespace {

// Asks nothing, and says whether it was offered a host key.
class SilentPrompter final : public CredentialPrompter {
public:
    bool acceptNewHostKey(const HostKeyInfo&) override
    {
        ++hostKeysOffered;
        return false;
    }
    std::optional<SecretBuffer> passphrase(const QString&) override { return std::nullopt; }
    std::optional<SecretBuffer> password(const QString&, const QString&) override { return std::nullopt; }
    std::optional<std::vector<SecretBuffer>> keyboardInteractive(const QString&, const QString&,
                                                                 const QList<InteractivePrompt>&) override
    {
        return std::nullopt;
    }

    int hostKeysOffered = 0;
};

Endpoint endpointOf(const SshServerFixture& server)
{
    Endpoint e;
    e.alias = u"sweepline-test"_s;
    e.hostName = server.host();
    e.port = server.port();
    e.user = server.userName();
    e.identityFiles = {server.userKeyPath()};
    e.identityAgent = u"none"_s;
    e.knownHostsFile = server.knownHostsPath();
    return e;
}

} // namespace

class TestSshSession : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<SshServerFixture> m_ssh; // a new server for each test: some change its key or stop it

private slots:
    void init()
    {
        m_ssh = std::make_unique<SshServerFixture>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
    }
    void cleanup() { m_ssh.reset(); }
    void changedHostKeyIsHostKeyChanged();
    void untrustedHostKeyIsHostKeyChanged();
    void keyTheServerRefusesIsLoginRefused();
    void closedPortIsNetwork();
    void refusedWriteIsRemoteRefused();
    void serviceOutputIsOneResult();
    void workerKeepsAHostKeyFailureFinal();
};

void TestSshSession::changedHostKeyIsHostKeyChanged()
{
    SshServerFixture& ssh = *m_ssh;
    SilentPrompter prompter;
    SshSession session;
    QVERIFY_RESULT(session.connect(endpointOf(ssh), prompter, false));
    session.disconnect();
    const int accepted = int(ssh.log().count(u"Accepted publickey"_s));
    QCOMPARE(accepted, 1);

    QVERIFY2(ssh.regenerateHostKey(), qPrintable(ssh.errorString()));
    // Even when new keys may be accepted: a changed one is never offered, only refused.
    const auto connected = session.connect(endpointOf(ssh), prompter, true);
    QVERIFY_FAILS_WITH(connected, ErrorCode::HostKeyChanged);
    QCOMPARE(session.hostKey().status, HostKeyInfo::Status::Changed);
    QCOMPARE(session.hostKey().fingerprintSha256, ssh.hostKeyFingerprintSha256());
    QCOMPARE(prompter.hostKeysOffered, 0);
    QVERIFY(!session.isConnected());
    QTest::qWait(200);
    QCOMPARE(int(ssh.log().count(u"Accepted publickey"_s)), accepted); // nothing was sent
}

void TestSshSession::untrustedHostKeyIsHostKeyChanged()
{
    SshServerFixture& ssh = *m_ssh;
    Endpoint endpoint = endpointOf(ssh);
    endpoint.knownHostsFile = m_dir.filePath(u"empty_known_hosts"_s);
    SilentPrompter prompter;
    SshSession session;
    // Not offered at all, then offered and declined: either way it is not trusted.
    QVERIFY_FAILS_WITH(session.connect(endpoint, prompter, false), ErrorCode::HostKeyChanged);
    QCOMPARE(prompter.hostKeysOffered, 0);
    QVERIFY_FAILS_WITH(session.connect(endpoint, prompter, true), ErrorCode::HostKeyChanged);
    QCOMPARE(prompter.hostKeysOffered, 1);
    QCOMPARE(session.hostKey().status, HostKeyInfo::Status::Unknown);
    QVERIFY(!QFileInfo::exists(endpoint.knownHostsFile));
}

void TestSshSession::keyTheServerRefusesIsLoginRefused()
{
    SshServerFixture& ssh = *m_ssh;
    Endpoint endpoint = endpointOf(ssh);
    endpoint.identityFiles = {ssh.passphraseKeyPath()}; // encrypted, and the prompter gives no passphrase
    SilentPrompter prompter;
    SshSession session;
    QVERIFY_FAILS_WITH(session.connect(endpoint, prompter, false), ErrorCode::LoginRefused);
    endpoint.identityFiles.clear(); // no key at all
    QVERIFY_FAILS_WITH(session.connect(endpoint, prompter, false), ErrorCode::LoginRefused);
    QVERIFY(!ssh.log().contains(u"Accepted"_s));
}

void TestSshSession::closedPortIsNetwork()
{
    SshServerFixture& ssh = *m_ssh;
    ssh.stop();
    SilentPrompter prompter;
    SshSession session(std::chrono::seconds(5));
    QVERIFY_FAILS_WITH(session.connect(endpointOf(ssh), prompter, false), ErrorCode::Network);
    QVERIFY_FAILS_WITH(session.writeFile(u"/tmp/x"_s, "x", 0600), ErrorCode::Network);
}

void TestSshSession::refusedWriteIsRemoteRefused()
{
    SshServerFixture& ssh = *m_ssh;
    SilentPrompter prompter;
    SshSession session;
    QVERIFY_RESULT(session.connect(endpointOf(ssh), prompter, false));
    const QString missingFolder = ssh.directory() + u"/no-such-folder/file"_s;
    QVERIFY_FAILS_WITH(session.writeFile(missingFolder, "x", 0600), ErrorCode::RemoteRefused);
    QVERIFY_FAILS_WITH(session.readFile(missingFolder, 100), ErrorCode::RemoteRefused);
    QVERIFY(session.isConnected()); // the server said no; the connection is fine
    const auto absent = session.readFileIfPresent(missingFolder, 100);
    QVERIFY_RESULT(absent);
    QVERIFY(!absent->has_value());
}

void TestSshSession::serviceOutputIsOneResult()
{
    SshServerFixture& ssh = *m_ssh;
    SilentPrompter prompter;
    SshSession session;
    QVERIFY_RESULT(session.connect(endpointOf(ssh), prompter, false));
    QVERIFY_FAILS_WITH(session.readFromService(std::chrono::milliseconds(10)), ErrorCode::RemoteRefused);

    QVERIFY_RESULT(session.startService("printf to-out; printf to-err >&2; printf ' more'"));
    ServiceOutput all;
    QElapsedTimer waited;
    waited.start();
    while (!all.ended && waited.elapsed() < 20000) {
        auto read = session.readFromService(std::chrono::milliseconds(200));
        QVERIFY_RESULT(read);
        all.out += read->out;
        all.err += read->err;
        all.ended = read->ended;
    }
    QVERIFY(all.ended);
    QCOMPARE(all.out, QByteArray("to-out more"));
    QCOMPARE(all.err, QByteArray("to-err"));
    session.stopService();
    QVERIFY_FAILS_WITH(session.readFromService(std::chrono::milliseconds(10)), ErrorCode::RemoteRefused);
}

void TestSshSession::workerKeepsAHostKeyFailureFinal()
{
    SshServerFixture& ssh = *m_ssh;
    QVERIFY2(ssh.regenerateHostKey(), qPrintable(ssh.errorString()));
    SilentPrompter prompter;
    SshWorker worker(endpointOf(ssh), prompter, false);
    QList<RemoteResponse> responses;
    QList<ConnectionState> states;
    connect(&worker, &SshWorker::done, this, [&](quint64, const RemoteResponse& r) { responses.append(r); });
    connect(&worker, &SshWorker::stateChanged, this,
            [&](ConnectionState state, const QString&) { states.append(state); });
    worker.execute(1, {});
    worker.execute(2, {});
    QCOMPARE(responses.size(), 2);
    for (const RemoteResponse& r : std::as_const(responses)) {
        QVERIFY(!r.ok);
        QCOMPARE(r.error.code, ErrorCode::HostKeyChanged);
        QVERIFY(!r.error.message.isEmpty());
    }
    QCOMPARE(responses.at(1).error.message, responses.at(0).error.message);
    // One attempt to connect, then the failure stands without another.
    QCOMPARE(states, (QList<ConnectionState>{ConnectionState::Connecting, ConnectionState::Failed}));
    QCOMPARE(worker.logins(), 0);
}

QTEST_GUILESS_MAIN(TestSshSession)
#include "tst_sshsession.moc"
