// RunSession: the lock, the store with its definition check, the backend and the runner, opened
// in one place; and why a lock fails, in words a user can act on.
#include "engine/runsession.h"
#include "support/verifyresult.h"

#include <QtTest>

#include <pwd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

using namespace sweepline;
using engine::RunSession;
using model::ErrorCode;

namespace {

// Root ignores mode bits, and tests run as root in CI: for as long as this lives, the process acts
// with the effective ids of "nobody", so a read-only folder refuses it as it refuses a user.
class AsOrdinaryUser {
public:
    AsOrdinaryUser()
    {
        if (::geteuid() != 0)
            return;
        const passwd* nobody = ::getpwnam("nobody");
        m_ok = nobody && ::setegid(nobody->pw_gid) == 0 && ::seteuid(nobody->pw_uid) == 0;
        m_switched = m_ok;
    }
    ~AsOrdinaryUser()
    {
        if (m_switched && (::seteuid(0) != 0 || ::setegid(0) != 0))
            qFatal("cannot return to root");
    }
    AsOrdinaryUser(const AsOrdinaryUser&) = delete;
    AsOrdinaryUser& operator=(const AsOrdinaryUser&) = delete;
    bool ok() const { return m_ok; }

private:
    bool m_ok = true;
    bool m_switched = false;
};

model::Campaign campaign(const QString& values)
{
    const auto parsed = model::parseCampaign(uR"({
  "name": "session",
  "parameters": [{"name": "x", "type": "int", "values": [%1]}],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {"strategy": "grid", "max_trials": 4, "parallel": 1},
  "job": {"command": "echo loss={x}"}
})"_s.arg(values)
                                                 .toUtf8());
    if (!parsed.campaign)
        qFatal("the test campaign is invalid: %s", qPrintable(parsed.issues.value(0).toString()));
    return *parsed.campaign;
}

// r-x for everyone: a folder a user may enter and read, and not write.
const QFileDevice::Permissions readableByAll{QFile::ReadOwner | QFile::ExeOwner | QFile::ReadUser | QFile::ExeUser
                                             | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther};

// Only this computer: a campaign with a cluster section would be refused.
const engine::ClusterBackendMaker noCluster;

} // namespace

class TestRunSession : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

    QString folder(const QString& name) const { return QDir(m_tmp.path()).filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // "nobody" must reach the folders inside (QTemporaryDir makes its folder 0700).
        QVERIFY(QFile::setPermissions(m_tmp.path(), readableByAll | QFile::WriteOwner | QFile::WriteUser));
    }

    void opensLockStoreBackendAndRunner()
    {
        const QString state = folder(u"fresh"_s);
        auto session = RunSession::open(campaign(u"1, 2"_s), state, noCluster);
        QVERIFY_RESULT(session);
        QCOMPARE(session.value()->stateDirectory(), state);
        QCOMPARE(session.value()->campaign().name, u"session"_s);
        QVERIFY(model::TrialStore::exists(state));
        QVERIFY(QFileInfo::exists(QDir(state).filePath(u"run.lock"_s)));
        QVERIFY_RESULT(session.value()->store().addTrial({1}, {}));
        QCOMPARE(session.value()->runner().activeCount(), 0);
        session.value().reset();
        // Released: the lock is free for the next run, which finds what the first recorded.
        QVERIFY(!QFileInfo::exists(QDir(state).filePath(u"run.lock"_s)));
        auto again = RunSession::open(campaign(u"1, 2"_s), state, noCluster);
        QVERIFY_RESULT(again);
        QCOMPARE(again.value()->store().trials()->size(), 1);
    }

    void secondOpenIsStoreLockedNamingTheHolder()
    {
        const QString state = folder(u"locked"_s);
        auto first = RunSession::open(campaign(u"1"_s), state, noCluster);
        QVERIFY_RESULT(first);
        auto second = RunSession::open(campaign(u"1"_s), state, noCluster);
        QVERIFY_FAILS_WITH(second, ErrorCode::StoreLocked);
        QVERIFY2(second.error().contains(u"in use by another run"_s), qPrintable(second.error()));
        QVERIFY2(second.error().contains(u"pid %1 "_s.arg(QCoreApplication::applicationPid())),
                 qPrintable(second.error()));
        // A cancel asks for the same lock.
        QVERIFY_FAILS_WITH(RunSession::openRecorded(state, noCluster), ErrorCode::StoreLocked);
    }

    void readOnlyFolderSaysReadOnly()
    {
        const QString state = folder(u"readonly"_s);
        QVERIFY(QDir().mkpath(state));
        QVERIFY(QFile::setPermissions(state, readableByAll));
        model::Result<std::unique_ptr<RunSession>> session = model::Error{};
        {
            AsOrdinaryUser user;
            QVERIFY2(user.ok(), "cannot act as the user nobody");
            session = RunSession::open(campaign(u"1"_s), state, noCluster);
        }
        QVERIFY_FAILS_WITH(session, ErrorCode::Io);
        QVERIFY2(session.error().contains(u"read-only"_s), qPrintable(session.error()));
        QVERIFY2(!session.error().contains(u"pid"_s), qPrintable(session.error()));
        QVERIFY(!model::TrialStore::exists(state));
    }

    void lockInAFileSaysNeitherLockedNorReadOnly()
    {
        QFile file(folder(u"a-file"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QString state = file.fileName() + u"/state"_s;
        auto lock = engine::lockStateDirectory(state);
        QVERIFY_FAILS_WITH(lock, ErrorCode::Io);
        QVERIFY2(lock.error().contains(u"not a folder"_s), qPrintable(lock.error()));
        QVERIFY(!lock.error().contains(u"read-only"_s) && !lock.error().contains(u"pid"_s));
        QVERIFY_FAILS_WITH(RunSession::open(campaign(u"1"_s), state, noCluster), ErrorCode::Io);
    }

    void changedDefinitionIsDefinitionChanged()
    {
        const QString state = folder(u"changed"_s);
        QVERIFY_RESULT(RunSession::open(campaign(u"1, 2"_s), state, noCluster));
        QVERIFY_FAILS_WITH(RunSession::open(campaign(u"1, 2, 3"_s), state, noCluster), ErrorCode::DefinitionChanged);
        engine::RunSessionOptions accept;
        accept.definition = model::TrialStore::DefinitionPolicy::AcceptChanged;
        auto accepted = RunSession::open(campaign(u"1, 2, 3"_s), state, noCluster, accept);
        QVERIFY_RESULT(accepted);
        QCOMPARE(accepted.value()->campaign().parameters.first().candidates.size(), 3);
    }

    void recordedOpensWhatTheStoreRecords()
    {
        const QString state = folder(u"recorded"_s);
        QVERIFY_FAILS_WITH(RunSession::openRecorded(state, noCluster), ErrorCode::NotFound);
        QVERIFY(!QFileInfo::exists(state)); // nothing made for a campaign that never ran
        QVERIFY_RESULT(RunSession::open(campaign(u"4, 5"_s), state, noCluster));
        auto recorded = RunSession::openRecorded(state, noCluster);
        QVERIFY_RESULT(recorded);
        QCOMPARE(recorded.value()->campaign().parameters.first().candidates.size(), 2);
    }

    void remoteCampaignNeedsAClusterMaker()
    {
        model::Campaign remote = campaign(u"1"_s);
        remote.cluster.scheduler = u"slurm"_s;
        remote.cluster.host = u"login.example.org"_s;
        const QString state = folder(u"remote"_s);
        auto session = RunSession::open(remote, state, noCluster);
        QVERIFY2(!session && session.error().contains(u"cannot reach login nodes"_s), "a remote campaign ran locally");
        // Refused after the lock was taken: the lock is released with what was opened.
        QVERIFY(!QFileInfo::exists(QDir(state).filePath(u"run.lock"_s)));
    }
};

QTEST_GUILESS_MAIN(TestRunSession)
#include "tst_runsession.moc"
