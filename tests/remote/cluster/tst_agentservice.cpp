// The login-node helper serving a whole session (agent.sh --serve) through SshWorker, against a
// real sshd on loopback: one helper for many requests, a helper that ended between two requests
// (its next request goes to a new one, not reported as unclear), and one that died in the middle
// of a request (reported as unclear: some of it may have run). It logs in as an ordinary account
// (TestAccount) whose login files print banners on stdout and stderr and cd elsewhere, with bash,
// tcsh and sh as login shells; the helper's files are owner-only, and the helper repairs itself
// (reinstalled when truncated or changed, its requests folder made again). Its readfrom, as that
// account: another user's file is refused.
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshworker.h"
#include "support/refusingprompter.h"
#include "support/sshserverfixture.h"
#include "support/testaccount.h"
#include "support/verifyresult.h"

#include <QtTest>

#include <csignal>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::remote::ssh;
using namespace sweepline::testing;

namespace {

RemoteRequest askForThePidOfItsHelper()
{
    RemoteRequest request;
    request.operations.append(AgentOperation::run({u"sh"_s, u"-c"_s, u"echo $PPID"_s}));
    return request;
}

bool processExists(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == 0;
}

} // namespace

class TestAgentService : public QObject {
    Q_OBJECT

    std::unique_ptr<SshServerFixture> m_ssh;
    std::unique_ptr<TestAccount> m_account;
    RefusingPrompter m_prompts;
    std::unique_ptr<SshWorker> m_worker;
    quint64 m_nextId = 0;

    RemoteResponse execute(const RemoteRequest& request)
    {
        RemoteResponse response;
        const quint64 id = ++m_nextId;
        const auto connection =
            connect(m_worker.get(), &SshWorker::done, this, [&](quint64 doneId, const RemoteResponse& r) {
                if (doneId == id)
                    response = r;
            });
        m_worker->execute(id, request); // on this thread: done() is emitted before it returns
        disconnect(connection);
        return response;
    }

    // Runs the request that prints its helper's pid; 0 when it failed.
    qint64 helperPid()
    {
        const RemoteResponse r = execute(askForThePidOfItsHelper());
        if (!r.ok || r.results.size() != 1)
            return 0;
        return r.results.at(0).out.trimmed().toLongLong();
    }

    // A new worker (a new login) for the account.
    void newWorker()
    {
        if (m_worker)
            m_worker->shutdown();
        SshClientConfig client;
        client.user = m_account->name();
        model::ClusterSettings cluster;
        cluster.scheduler = u"ssh"_s;
        cluster.host = u"sweepline-test"_s;
        cluster.sshConfig = m_ssh->writeClientConfig(client);
        auto endpoint = resolveEndpoint(cluster);
        QVERIFY_RESULT(endpoint);
        m_worker = std::make_unique<SshWorker>(std::move(endpoint).value(), m_prompts, false);
    }

    void startAs(const TestAccountOptions& options)
    {
        m_ssh = std::make_unique<SshServerFixture>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        m_account = std::make_unique<TestAccount>(options);
        QVERIFY2(m_account->create(), qPrintable(m_account->errorString()));
        newWorker();
    }

    QString helperFolder() const { return m_account->home() + u"/.sweepline"_s; }
    QString installedHelper() const { return helperFolder() + u'/' + agentFileName(); }

private slots:
    void init() { startAs({}); }

    void cleanup()
    {
        if (m_worker)
            m_worker->shutdown();
        m_worker.reset();
        m_account.reset();
        m_ssh.reset();
    }

    void noisyLoginShellsOfEveryKind_data()
    {
        QTest::addColumn<QString>("shell");
        QTest::addColumn<QString>("homeName");
        QTest::addRow("bash") << u"/bin/bash"_s << u"home"_s;
        QTest::addRow("tcsh") << u"/usr/bin/tcsh"_s << u"home"_s;
        QTest::addRow("sh") << u"/bin/sh"_s << u"home"_s;
        // The helper's command line then names it "~/.sweepline/...": no shell may misread the home.
        const QString hostile = u"home 'it''s' \"$(touch INJECTED)\" !x"_s;
        QTest::addRow("bash, hostile home") << u"/bin/bash"_s << hostile;
        QTest::addRow("tcsh, hostile home") << u"/usr/bin/tcsh"_s << hostile;
        QTest::addRow("sh, hostile home") << u"/bin/sh"_s << hostile;
    }
    void noisyLoginShellsOfEveryKind()
    {
        QFETCH(QString, shell);
        QFETCH(QString, homeName);
        cleanup();
        TestAccountOptions options;
        options.shell = shell;
        options.homeDirectoryName = homeName;
        startAs(options);
        // Runs without a folder run in the home, whatever folder the rc files moved to; the
        // banner is in no result.
        RemoteRequest request;
        request.operations.append(AgentOperation::run({u"sh"_s, u"-c"_s, u"pwd; id -u; umask"_s}));
        request.operations.append(AgentOperation::put(m_account->home() + u"/trial"_s, u"job.sh"_s, 0700, "echo hi\n"));
        request.operations.append(AgentOperation::read(m_account->home() + u"/trial/job.sh"_s));
        for (int round = 0; round < 2; ++round) {
            const RemoteResponse r = execute(request);
            QVERIFY2(r.ok, qPrintable(r.error.message + m_ssh->log()));
            QCOMPARE(r.results.size(), 3);
            QCOMPARE(QString::fromUtf8(r.results.at(0).out),
                     u"%1\n%2\n0077\n"_s.arg(m_account->home()).arg(m_account->uid()));
            QCOMPARE(r.results.at(0).err, QByteArray());
            QCOMPARE(r.results.at(2).out, QByteArray("echo hi\n"));
            QCOMPARE(QFileInfo(m_account->home() + u"/trial/job.sh"_s).ownerId(), m_account->uid());
        }
        QCOMPARE(m_worker->helperStarts(), 1);
        QDirIterator injected(m_account->home(), {u"INJECTED"_s}, QDir::AllEntries | QDir::Hidden,
                              QDirIterator::Subdirectories);
        QVERIFY2(!injected.hasNext(), "the home's name was interpreted by a shell");
        QVERIFY(!QFileInfo::exists(m_account->loginDirectory() + u"/INJECTED"_s));
    }

    // What a poll reads of a running job's stdout, as the ordinary account: from any offset of a file
    // that grows, NULs included; a file of another user (root's, in the account's own home) and a
    // symlink to one read as absent, with the reason, however readable the file is.
    void readFromAsTheOrdinaryAccount()
    {
        const QString trial = m_account->home() + u"/trial $(touch INJECTED)"_s;
        RemoteRequest setup;
        setup.operations.append(AgentOperation::put(trial, u"stdout"_s, 0600, "epoch 1 loss: 9\n"));
        const RemoteResponse made = execute(setup);
        QVERIFY2(made.ok, qPrintable(made.error.message));
        const QString foreign = m_account->home() + u"/root's stdout"_s;
        {
            QFile f(foreign); // the test runs as root: this file is another user's
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.write("loss: 0.0001\n") > 0);
            QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther | QFile::ReadGroup));
        }
        QVERIFY(QFile::link(foreign, trial + u"/linked"_s));
        const QString stdoutPath = trial + u"/stdout"_s;
        RemoteRequest request;
        request.operations.append(AgentOperation::readFrom(stdoutPath, 0));
        request.operations.append(AgentOperation::readFrom(stdoutPath, 8));
        request.operations.append(AgentOperation::readFrom(foreign, 0));
        request.operations.append(AgentOperation::readFrom(trial + u"/linked"_s, 0));
        request.operations.append(AgentOperation::readFrom(trial + u"/none yet"_s, 0));
        const RemoteResponse r = execute(request);
        QVERIFY2(r.ok, qPrintable(r.error.message + m_ssh->log()));
        QCOMPARE(r.results.size(), 5);
        QVERIFY(r.results.at(0).exists);
        QCOMPARE(r.results.at(0).out, QByteArray("epoch 1 loss: 9\n"));
        QCOMPARE(r.results.at(1).out, QByteArray("loss: 9\n"));
        QVERIFY(!r.results.at(2).exists);
        QVERIFY(r.results.at(2).out.isEmpty());
        QVERIFY2(r.results.at(2).refusal.contains(u"belongs to another user"_s), qPrintable(r.results.at(2).refusal));
        QVERIFY(!r.results.at(3).exists);
        QVERIFY2(r.results.at(3).refusal.contains(u"symbolic link"_s), qPrintable(r.results.at(3).refusal));
        QVERIFY(!r.results.at(4).exists);
        QVERIFY(r.results.at(4).refusal.isEmpty());

        // It grows, with a NUL: the next read from where the last ended brings only what is new.
        {
            QFile f(stdoutPath);
            QVERIFY(f.open(QIODevice::Append));
            QVERIFY(f.write(QByteArray("epoch 2\0 loss: 8\n", 17)) == 17);
        }
        RemoteRequest next;
        next.operations.append(AgentOperation::readFrom(stdoutPath, r.results.at(0).out.size()));
        next.operations.append(AgentOperation::readFrom(stdoutPath, 16 + 17));
        const RemoteResponse grown = execute(next);
        QVERIFY2(grown.ok, qPrintable(grown.error.message));
        QCOMPARE(grown.results.at(0).out, QByteArray("epoch 2\0 loss: 8\n", 17));
        QVERIFY(grown.results.at(1).exists);
        QCOMPARE(grown.results.at(1).out, QByteArray());
        QCOMPARE(m_worker->helperStarts(), 1);
        QDirIterator injected(m_account->home(), {u"INJECTED"_s}, QDir::AllEntries | QDir::Hidden,
                              QDirIterator::Subdirectories);
        QVERIFY2(!injected.hasNext(), "a path was interpreted by a shell");
    }

    void helperFilesAreOwnerOnly()
    {
        QVERIFY(helperPid() > 0);
        for (const QString& path : {helperFolder(), helperFolder() + u"/requests"_s, installedHelper()}) {
            const QFileInfo info(path);
            QVERIFY2(info.exists(), qPrintable(path));
            QCOMPARE(info.ownerId(), m_account->uid());
            QVERIFY2((info.permissions() & 0x0077) == QFileDevice::Permissions(), qPrintable(path));
        }
        // What a run makes is owner-only too: a request's scratch files while it runs.
        RemoteRequest request;
        request.operations.append(
            AgentOperation::run({u"sh"_s, u"-c"_s, u"stat -c %a \"$HOME\"/.sweepline/requests/*.out"_s}));
        const RemoteResponse r = execute(request);
        QVERIFY2(r.ok, qPrintable(r.error.message));
        QCOMPARE(r.results.at(0).out, QByteArray("600\n"));
    }

    void aTruncatedOrChangedHelperIsReinstalled_data()
    {
        QTest::addColumn<QByteArray>("damaged");
        QTest::addRow("truncated") << agentScript().left(agentScript().size() / 2);
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("changed")
            << QByteArray(agentScript()).replace("set -u", "touch \"$HOME\"/RAN-A-CHANGED-HELPER; set -u");
    }
    void aTruncatedOrChangedHelperIsReinstalled()
    {
        QFETCH(QByteArray, damaged);
        QVERIFY(helperPid() > 0);
        {
            QFile f(installedHelper());
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(f.write(damaged), damaged.size());
        }
        newWorker(); // the next login checks it
        const RemoteResponse r = execute(askForThePidOfItsHelper());
        QVERIFY2(r.ok, qPrintable(r.error.message));
        QFile f(installedHelper());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll() == agentScript());
        QVERIFY(!QFileInfo::exists(m_account->home() + u"/RAN-A-CHANGED-HELPER"_s));
        // Installed through a temporary name that is gone, renamed over the old one.
        QCOMPARE(QDir(helperFolder()).entryList(QDir::Files), QStringList{agentFileName()});
    }

    void aHelperDamagedInTheSessionIsReinstalledBeforeItRestarts()
    {
        const qint64 first = helperPid();
        QVERIFY(first > 0);
        {
            QFile f(installedHelper());
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QVERIFY(f.write("exit 0\n") > 0);
        }
        QCOMPARE(::kill(pid_t(first), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return !processExists(first); }, 10000));
        const RemoteResponse r = execute(askForThePidOfItsHelper());
        QVERIFY2(r.ok, qPrintable(r.error.message));
        QCOMPARE(m_worker->helperStarts(), 2);
        QCOMPARE(m_worker->logins(), 1);
        QFile f(installedHelper());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll() == agentScript());
    }

    void aRemovedRequestsFolderIsMadeAgain()
    {
        QVERIFY(helperPid() > 0);
        QVERIFY(QDir(helperFolder() + u"/requests"_s).removeRecursively());
        const qint64 pid = helperPid(); // the same session, the same helper
        QVERIFY(pid > 0);
        QCOMPARE(m_worker->helperStarts(), 1);
        const QFileInfo requests(helperFolder() + u"/requests"_s);
        QVERIFY(requests.isDir());
        QVERIFY((requests.permissions() & 0x0077) == QFileDevice::Permissions());
    }

    void oneHelperServesEveryRequest()
    {
        const qint64 first = helperPid();
        QVERIFY(first > 0);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(helperPid(), first);
        QCOMPARE(m_worker->helperStarts(), 1);
        QCOMPARE(m_worker->logins(), 1);
        QCOMPARE(m_worker->channelsOpened(), 2); // SFTP and the helper
        QCOMPARE(m_ssh->log().count(u"Starting session: command"_s), 1);
    }

    void aHelperThatEndedBetweenRequestsIsReplaced_data()
    {
        QTest::addColumn<bool>("settled");
        // The client has seen the channel close before the next request, or learns it only after
        // writing the request to it (then the missing "A" says the helper never took it).
        QTest::addRow("seen before the request") << true;
        QTest::addRow("found out by the request") << false;
    }
    void aHelperThatEndedBetweenRequestsIsReplaced()
    {
        QFETCH(bool, settled);
        const qint64 first = helperPid();
        QVERIFY(first > 0);
        QCOMPARE(::kill(pid_t(first), SIGKILL), 0);
        if (settled) {
            QVERIFY(QTest::qWaitFor([&] { return !processExists(first); }, 10000));
            QTest::qWait(300); // sshd sees it end and closes the channel
        }
        // Not an unclear answer: the request never reached the dead helper and went to a new one.
        const RemoteResponse r = execute(askForThePidOfItsHelper());
        QVERIFY2(r.ok, qPrintable(r.error.message));
        const qint64 second = r.results.at(0).out.trimmed().toLongLong();
        QVERIFY(second > 0 && second != first);
        QCOMPARE(m_worker->helperStarts(), 2);
        QCOMPARE(m_worker->logins(), 1); // the session itself was fine all along
    }

    void aHelperThatDiesInARequestMakesItUnclear()
    {
        QVERIFY(helperPid() > 0);
        RemoteRequest request;
        request.operations.append(AgentOperation::run({u"true"_s}));
        request.operations.append(AgentOperation::run({u"sh"_s, u"-c"_s, u"kill -9 $PPID"_s}));
        const RemoteResponse r = execute(request);
        QVERIFY(!r.ok);
        QVERIFY2(r.operationsMayHaveRun, qPrintable(r.error.message));
        QCOMPARE(r.error.code, model::ErrorCode::RemoteRefused);
        QVERIFY2(r.error.message.contains(u"cut short"_s), qPrintable(r.error.message));
        // The next request gets a new helper.
        QVERIFY(helperPid() > 0);
        QCOMPARE(m_worker->helperStarts(), 2);
    }
};

QTEST_GUILESS_MAIN(TestAgentService)
#include "tst_agentservice.moc"
