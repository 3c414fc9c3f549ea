// ClusterBackend's own bookkeeping against a real sshd, logged in as an ordinary account: jobs that
// leave m_jobs while a loop over it runs, and slots that call back into the backend meanwhile.
#include "remote/clusterbackend.h"
#include "remote/schedulers/adapterbase.h"
#include "remote/ssh/endpoint.h"
#include "support/refusingprompter.h"
#include "support/sshserverfixture.h"
#include "support/testaccount.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline;
using namespace sweepline::engine;
using namespace sweepline::remote;
using namespace sweepline::testing;

class TestClusterBackend : public QObject {
    Q_OBJECT

    std::unique_ptr<SshServerFixture> m_ssh;
    std::unique_ptr<TestAccount> m_account;
    RefusingPrompter m_prompts;

    std::unique_ptr<ClusterBackend> makeBackend(const QString& campaign)
    {
        SshClientConfig client;
        client.user = m_account->name();
        model::ClusterSettings cluster;
        cluster.scheduler = u"ssh"_s;
        cluster.host = u"sweepline-test"_s;
        cluster.sshConfig = m_ssh->writeClientConfig(client);
        auto endpoint = ssh::resolveEndpoint(cluster);
        if (!endpoint)
            qFatal("%s", qPrintable(endpoint.error()));
        ClusterOptions options;
        options.campaign = campaign;
        options.workdir = u"sweepline"_s;
        options.pollIntervalMs = 500;
        return std::make_unique<ClusterBackend>(std::move(endpoint).value(), makeSchedulerAdapter(u"ssh"_s), options,
                                                m_prompts);
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
        m_ssh = std::make_unique<SshServerFixture>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        m_account = std::make_unique<TestAccount>();
        QVERIFY2(m_account->create(), qPrintable(m_account->errorString()));
    }

    void cleanupTestCase()
    {
        m_account.reset();
        m_ssh.reset();
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
