// The login-node helper serving a whole session (agent.sh --serve) through SshWorker, against a
// real sshd on loopback: one helper for many requests, a helper that ended between two requests
// (its next request goes to a new one, not reported as unclear), and one that died in the middle
// of a request (reported as unclear: some of it may have run).
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshworker.h"
#include "support/refusingprompter.h"
#include "support/sshserverfixture.h"

#include <QtTest>

#include <csignal>

using namespace sweepline;
using namespace sweepline::remote::ssh;
using namespace sweepline::testing;

namespace {

RemoteRequest askForThePidOfItsHelper()
{
    RemoteRequest request;
    request.operations.append(AgentOperation::run({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo $PPID")}));
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
    RefusingPrompter m_prompts;
    std::unique_ptr<SshWorker> m_worker;
    quint64 m_nextId = 0;

    RemoteResponse execute(const RemoteRequest& request)
    {
        RemoteResponse response;
        const quint64 id = ++m_nextId;
        const auto connection = connect(m_worker.get(), &SshWorker::done, this,
                                        [&](quint64 doneId, const RemoteResponse& r) {
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

private slots:
    void init()
    {
        m_ssh = std::make_unique<SshServerFixture>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        model::ClusterSettings cluster;
        cluster.scheduler = QStringLiteral("ssh");
        cluster.host = QStringLiteral("sweepline-test");
        cluster.sshConfig = m_ssh->writeClientConfig();
        auto endpoint = resolveEndpoint(cluster);
        QVERIFY2(endpoint, qPrintable(endpoint.error()));
        m_worker = std::make_unique<SshWorker>(std::move(endpoint).value(), m_prompts, false);
    }

    void cleanup()
    {
        if (m_worker)
            m_worker->shutdown();
        m_worker.reset();
        m_ssh.reset();
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
        QCOMPARE(m_ssh->log().count(QStringLiteral("Starting session: command")), 1);
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
        QVERIFY2(r.ok, qPrintable(r.error));
        const qint64 second = r.results.at(0).out.trimmed().toLongLong();
        QVERIFY(second > 0 && second != first);
        QCOMPARE(m_worker->helperStarts(), 2);
        QCOMPARE(m_worker->logins(), 1); // the session itself was fine all along
    }

    void aHelperThatDiesInARequestMakesItUnclear()
    {
        QVERIFY(helperPid() > 0);
        RemoteRequest request;
        request.operations.append(AgentOperation::run({QStringLiteral("true")}));
        request.operations.append(AgentOperation::run({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("kill -9 $PPID")}));
        const RemoteResponse r = execute(request);
        QVERIFY(!r.ok);
        QVERIFY2(r.operationsMayHaveRun, qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("cut short")), qPrintable(r.error));
        // The next request gets a new helper.
        QVERIFY(helperPid() > 0);
        QCOMPARE(m_worker->helperStarts(), 2);
    }
};

QTEST_GUILESS_MAIN(TestAgentService)
#include "tst_agentservice.moc"
