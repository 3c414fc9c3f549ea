#include "gui/cluster/clusterprofiles.h"
#include "support/verifyresult.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;

namespace {

model::ClusterSettings flow()
{
    model::ClusterSettings s;
    s.scheduler = u"pjm"_s;
    s.host = u"flow"_s;
    s.port = 2222;
    s.user = u"fujika"_s;
    s.identity = u"~/.ssh/id_flow"_s;
    s.knownHosts = u"~/.ssh/known_hosts_flow"_s;
    s.sshConfig = u"~/.ssh/config_hpc"_s;
    s.workdir = u"/data/group/fujika/sweepline"_s;
    s.directives = {u"-L rscgrp=cx-share"_s, u"-L jobenv=singularity"_s};
    s.setup = {u"module load cuda"_s, u"source ~/venv/bin/activate"_s};
    s.pollIntervalSeconds = 60;
    s.parallelSubmissions = 1;
    s.maxQueued = 200;
    return s;
}

QByteArray campaignJsonOf(const model::ClusterSettings& cluster)
{
    model::Campaign c;
    c.cluster = cluster;
    return model::toJson(c);
}

} // namespace

class TestClusterProfiles : public QObject {
    Q_OBJECT
private slots:
    void builtInProfile();
    void persistAndReload();
    void renameAndRemove();
    void refusedNames_data();
    void refusedNames();
    void noSecretsInTheFile();
};

void TestClusterProfiles::builtInProfile()
{
    QTemporaryDir dir;
    ClusterProfiles profiles(dir.filePath(u"settings.ini"_s));
    QCOMPARE(profiles.names(), QStringList{ClusterProfiles::builtInName()});
    const model::ClusterSettings local = profiles.profile(ClusterProfiles::builtInName());
    QCOMPARE(local.scheduler, u"local"_s);
    QVERIFY(!local.isRemote());
    QVERIFY(profiles.contains(ClusterProfiles::builtInName()));
    QVERIFY_FAILS_WITH(profiles.setProfile(ClusterProfiles::builtInName(), flow()), model::ErrorCode::InvalidInput);
    QVERIFY(!profiles.remove(ClusterProfiles::builtInName()));
    QVERIFY_FAILS_WITH(profiles.rename(ClusterProfiles::builtInName(), u"x"_s), model::ErrorCode::InvalidInput);
    QCOMPARE(profiles.profile(ClusterProfiles::builtInName()).scheduler, u"local"_s);
    QVERIFY(!profiles.contains(u"nothing"_s));
    QVERIFY(!profiles.profile(u"nothing"_s).isRemote());
}

void TestClusterProfiles::persistAndReload()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"settings.ini"_s);
    {
        ClusterProfiles profiles(file);
        QSignalSpy changed(&profiles, &ClusterProfiles::changed);
        QVERIFY_RESULT(profiles.setProfile(u"Flow"_s, flow()));
        model::ClusterSettings minimal;
        minimal.scheduler = u"slurm"_s;
        minimal.host = u"login.example.org"_s;
        QVERIFY_RESULT(profiles.setProfile(u"A cluster"_s, minimal));
        QCOMPARE(changed.count(), 2);
    }
    ClusterProfiles reloaded(file);
    QCOMPARE(reloaded.names(), (QStringList{ClusterProfiles::builtInName(), u"A cluster"_s, u"Flow"_s}));
    // Every field survives: compared in the campaign file format.
    QCOMPARE(campaignJsonOf(reloaded.profile(u"Flow"_s)), campaignJsonOf(flow()));
    const model::ClusterSettings minimal = reloaded.profile(u"A cluster"_s);
    QVERIFY(!minimal.port);
    QVERIFY(minimal.directives.isEmpty());
    QCOMPARE(minimal.workdir, u"sweepline"_s);
    QCOMPARE(minimal.pollIntervalSeconds, 30);
    QCOMPARE(minimal.parallelSubmissions, 4);
    QVERIFY(!minimal.maxQueued);
}

void TestClusterProfiles::renameAndRemove()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"settings.ini"_s);
    ClusterProfiles profiles(file);
    QVERIFY_RESULT(profiles.setProfile(u"Flow"_s, flow()));
    QVERIFY_RESULT(profiles.setProfile(u"Other"_s, model::ClusterSettings{}));
    QVERIFY_FAILS_WITH(profiles.rename(u"Flow"_s, u"Other"_s), model::ErrorCode::InvalidInput); // taken
    QVERIFY_FAILS_WITH(profiles.rename(u"Nothing"_s, u"Else"_s), model::ErrorCode::NotFound);
    QVERIFY_RESULT(profiles.rename(u"Flow"_s, u"Flow (Nagoya)"_s));
    QVERIFY(profiles.remove(u"Other"_s));
    QVERIFY(!profiles.remove(u"Other"_s));
    QCOMPARE(profiles.unusedName(u"Flow (Nagoya)"_s), u"Flow (Nagoya) 2"_s);
    ClusterProfiles reloaded(file);
    QCOMPARE(reloaded.names(), (QStringList{ClusterProfiles::builtInName(), u"Flow (Nagoya)"_s}));
    QCOMPARE(reloaded.profile(u"Flow (Nagoya)"_s).host, u"flow"_s);
}

void TestClusterProfiles::refusedNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("empty") << QString();
    QTest::addRow("spaces") << u"  "_s;
    QTest::addRow("padded") << u" Flow"_s;
    QTest::addRow("two lines") << u"Flow\nFugaku"_s;
    QTest::addRow("built in") << ClusterProfiles::builtInName();
}

void TestClusterProfiles::refusedNames()
{
    QFETCH(QString, name);
    QTemporaryDir dir;
    ClusterProfiles profiles(dir.filePath(u"settings.ini"_s));
    QSignalSpy changed(&profiles, &ClusterProfiles::changed);
    QVERIFY_FAILS_WITH(profiles.setProfile(name, flow()), model::ErrorCode::InvalidInput);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(profiles.names().size(), 1);
}

void TestClusterProfiles::noSecretsInTheFile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"settings.ini"_s);
    {
        ClusterProfiles profiles(file);
        QVERIFY_RESULT(profiles.setProfile(u"Flow"_s, flow()));
    }
    QFile settings(file);
    QVERIFY(settings.open(QIODevice::ReadOnly));
    const QByteArray content = settings.readAll().toLower();
    QVERIFY(content.contains("clusterprofiles"));
    QVERIFY(content.contains("id_flow")); // the key's path is kept, not the key
    for (const char* secret : {"password", "passphrase", "secret", "otp", "private"})
        QVERIFY2(!content.contains(secret), secret);
}

QTEST_GUILESS_MAIN(TestClusterProfiles)
#include "tst_clusterprofiles.moc"
