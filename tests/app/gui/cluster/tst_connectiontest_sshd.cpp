// Test connection against a real sshd (tests/support): the first contact's host key question with
// the server's own fingerprint, a key's passphrase, the scheduler's commands on the login node, and
// the same through the panel with its real dialogs answered by keys. Needs root (the fixture).

#include "gui/cluster/clusterprofiles.h"
#include "gui/cluster/clusterprofilespanel.h"
#include "gui/cluster/connectiontester.h"
#include "gui/cluster/credentialdialog.h"
#include "support/sshserverfixture.h"
#include "support/verifyresult.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;
using sweepline::testing::SshClientConfig;
using sweepline::testing::SshServerFixture;

namespace {

// Answers as told, on the worker thread, and remembers what it was asked.
class ScriptedPrompter final : public remote::ssh::CredentialPrompter {
public:
    bool trustHostKey = true;
    std::optional<QString> passphraseAnswer;

    bool acceptNewHostKey(const remote::ssh::HostKeyInfo& key) override
    {
        QMutexLocker lock(&m_mutex);
        hostKeys.append(key);
        onWorkerThread = onWorkerThread && QThread::currentThread() != qApp->thread();
        return trustHostKey;
    }
    std::optional<remote::ssh::SecretBuffer> passphrase(const QString& keyFile) override
    {
        QMutexLocker lock(&m_mutex);
        passphraseFiles.append(keyFile);
        onWorkerThread = onWorkerThread && QThread::currentThread() != qApp->thread();
        if (!passphraseAnswer)
            return std::nullopt;
        return remote::ssh::SecretBuffer::fromUtf16(*passphraseAnswer);
    }
    std::optional<remote::ssh::SecretBuffer> password(const QString&, const QString&) override { return std::nullopt; }
    std::optional<std::vector<remote::ssh::SecretBuffer>>
    keyboardInteractive(const QString&, const QString&, const QList<remote::ssh::InteractivePrompt>&) override
    {
        return std::nullopt;
    }

    QList<remote::ssh::HostKeyInfo> hostKeys;
    QStringList passphraseFiles;
    bool onWorkerThread = true;

private:
    QMutex m_mutex;
};

template<typename T>
T* shownDialog(const QString& objectName = {})
{
    for (QWidget* w : QApplication::allWidgets()) {
        auto* d = qobject_cast<T*>(w);
        if (d && d->isVisible() && (objectName.isEmpty() || d->objectName() == objectName))
            return d;
    }
    return nullptr;
}

} // namespace

class TestConnectionTestSshd : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void firstContactAsksWithTheServersFingerprint();
    void declinedHostKeyRecordsNothing();
    void changedHostKeyIsNotOffered();
    void missingSchedulerCommandsAreNamed();
    void panelWithItsDialogs();

private:
    model::ClusterSettings settings(const QString& scheduler) const;
    ConnectionReport run(remote::ssh::CredentialPrompter& prompter, const model::ClusterSettings& settings);

    QTemporaryDir m_dir;
    std::unique_ptr<SshServerFixture> m_ssh;
    QString m_config;
};

void TestConnectionTestSshd::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_ssh = std::make_unique<SshServerFixture>();
    QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
    SshClientConfig config;
    config.identityFile = m_ssh->passphraseKeyPath(); // the only key: its passphrase must be asked
    m_config = m_ssh->writeClientConfig(config);
}

model::ClusterSettings TestConnectionTestSshd::settings(const QString& scheduler) const
{
    model::ClusterSettings s;
    s.scheduler = scheduler;
    s.host = u"sweepline-test"_s;
    s.sshConfig = m_config;
    s.identity = m_ssh->passphraseKeyPath();
    // A known_hosts of our own, empty: this is the first contact.
    s.knownHosts = QDir(m_dir.path()).filePath(u"known_hosts_%1"_s.arg(scheduler));
    return s;
}

ConnectionReport TestConnectionTestSshd::run(remote::ssh::CredentialPrompter& prompter, const model::ClusterSettings& s)
{
    ConnectionTester tester(prompter);
    QSignalSpy finished(&tester, &ConnectionTester::finished);
    QSignalSpy progress(&tester, &ConnectionTester::progress);
    if (!tester.start(s))
        return {};
    if (!finished.wait(60000))
        return {};
    if (progress.isEmpty())
        qWarning("no progress was reported");
    return finished.first().first().value<ConnectionReport>();
}

void TestConnectionTestSshd::firstContactAsksWithTheServersFingerprint()
{
    ScriptedPrompter prompter;
    prompter.passphraseAnswer = m_ssh->passphrase();
    const model::ClusterSettings s = settings(u"slurm"_s);
    ConnectionReport report = run(prompter, s);
    QVERIFY2(report.connected, qPrintable(report.error));
    QVERIFY(prompter.onWorkerThread);
    QCOMPARE(prompter.hostKeys.size(), 1);
    QCOMPARE(prompter.hostKeys.first().fingerprintSha256, m_ssh->hostKeyFingerprintSha256());
    QCOMPARE(prompter.hostKeys.first().knownHostsFile, s.knownHosts);
    QCOMPARE(prompter.passphraseFiles, QStringList{m_ssh->passphraseKeyPath()});
    QVERIFY(report.endpoint.contains(u"127.0.0.1:%1"_s.arg(m_ssh->port())));
    QVERIFY(!report.loginNode.isEmpty());
    QVERIFY(!report.home.isEmpty());
    // Slurm's client commands are installed on this machine (the Slurm fixture's packages).
    QCOMPARE(report.commands.size(), 3);
    QVERIFY2(report.schedulerFound(), qPrintable(report.missingCommands().join(u' ')));
    QCOMPARE(report.commands.first().name, u"sbatch"_s);
    QVERIFY(report.commands.first().path.endsWith(u"/sbatch"_s));

    // The key was recorded: the next test asks no host key question.
    QFile knownHosts(s.knownHosts);
    QVERIFY(knownHosts.open(QIODevice::ReadOnly));
    QVERIFY(knownHosts.readAll().contains(m_ssh->hostPublicKey().section(u' ', 1, 1).toLatin1()));
    report = run(prompter, s);
    QVERIFY2(report.connected, qPrintable(report.error));
    QCOMPARE(prompter.hostKeys.size(), 1);
}

void TestConnectionTestSshd::declinedHostKeyRecordsNothing()
{
    ScriptedPrompter prompter;
    prompter.trustHostKey = false;
    prompter.passphraseAnswer = m_ssh->passphrase();
    const model::ClusterSettings s = settings(u"pbs"_s);
    const ConnectionReport report = run(prompter, s);
    QVERIFY(!report.connected);
    QCOMPARE(report.errorCode, model::ErrorCode::HostKeyChanged);
    QVERIFY2(report.error.contains(u"was not trusted"_s), qPrintable(report.error));
    QVERIFY(report.error.contains(m_ssh->hostKeyFingerprintSha256()));
    QVERIFY(prompter.passphraseFiles.isEmpty()); // nothing is sent to a host that is not trusted
    QFile knownHosts(s.knownHosts);
    QVERIFY(!knownHosts.exists() || (knownHosts.open(QIODevice::ReadOnly) && knownHosts.readAll().trimmed().isEmpty()));
}

void TestConnectionTestSshd::changedHostKeyIsNotOffered()
{
    // known_hosts records another key for the server: the server's key has changed.
    const QString otherKey = m_dir.filePath(u"other_host_key"_s);
    const testing::ProcessResult made =
        testing::runProcess(u"ssh-keygen"_s, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, otherKey});
    QVERIFY2(made.ok(), qPrintable(made.describe()));
    QFile publicKey(otherKey + u".pub"_s);
    QVERIFY(publicKey.open(QIODevice::ReadOnly));
    model::ClusterSettings s = settings(u"slurm"_s);
    s.knownHosts = m_dir.filePath(u"known_hosts_changed"_s);
    const QStringList words = QString::fromUtf8(publicKey.readAll()).split(u' ');
    testing::writeTextFile(
        s.knownHosts, u"[%1]:%2 %3 %4\n"_s.arg(m_ssh->host()).arg(m_ssh->port()).arg(words.value(0), words.value(1)),
        0600);

    ScriptedPrompter prompter;
    prompter.passphraseAnswer = m_ssh->passphrase();
    const ConnectionReport report = run(prompter, s);
    QVERIFY(!report.connected);
    QCOMPARE(report.errorCode, model::ErrorCode::HostKeyChanged);
    QVERIFY2(report.error.contains(m_ssh->hostKeyFingerprintSha256()), qPrintable(report.error));
    QVERIFY(prompter.hostKeys.isEmpty()); // a changed key is refused, never offered
    QVERIFY(prompter.passphraseFiles.isEmpty());
}

void TestConnectionTestSshd::missingSchedulerCommandsAreNamed()
{
    ScriptedPrompter prompter;
    prompter.passphraseAnswer = m_ssh->passphrase();
    const ConnectionReport report = run(prompter, settings(u"pjm"_s));
    QVERIFY2(report.connected, qPrintable(report.error));
    QVERIFY(!report.schedulerFound());
    QCOMPARE(report.missingCommands(), (QStringList{u"pjsub"_s, u"pjstat"_s, u"pjdel"_s}));

    const ConnectionReport ssh = run(prompter, settings(u"ssh"_s));
    QVERIFY2(ssh.schedulerFound(), qPrintable(ssh.missingCommands().join(u' ')));
}

void TestConnectionTestSshd::panelWithItsDialogs()
{
    const QString settingsFile = m_dir.filePath(u"settings.ini"_s);
    ClusterProfiles profiles(settingsFile);
    model::ClusterSettings s = settings(u"slurm"_s);
    s.knownHosts = m_dir.filePath(u"known_hosts_panel"_s);
    QVERIFY_RESULT(profiles.setProfile(u"Test sshd"_s, s));
    ClusterProfilesPanel panel(&profiles);
    panel.resize(900, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.selectProfile(u"Test sshd"_s);
    QTest::mouseClick(panel.findChild<QPushButton*>(u"testConnection"_s), Qt::LeftButton);

    // The host key, with the server's fingerprint: trusted by a click.
    QMessageBox* hostKey = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((hostKey = shownDialog<QMessageBox>(u"hostKeyDialog"_s)) != nullptr, 30000);
    QVERIFY(hostKey->informativeText().contains(m_ssh->hostKeyFingerprintSha256()));
    QTest::mouseClick(hostKey->findChild<QPushButton*>(u"trustHostKey"_s), Qt::LeftButton);

    // The key's passphrase, typed.
    CredentialDialog* passphrase = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((passphrase = shownDialog<CredentialDialog>()) != nullptr, 30000);
    auto* field = passphrase->findChild<QLineEdit*>(u"credentialField0"_s);
    QTest::keyClicks(field, m_ssh->passphrase());
    QTest::keyClick(field, Qt::Key_Return);

    auto* status = panel.findChild<QLabel*>(u"connectionStatus"_s);
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"Connected"_s), 60000);
    QVERIFY2(status->text().contains(u"this profile is ready"_s), qPrintable(status->text()));
    panel.grab().save(u"/tmp/sweepline_clusterpanel_connected.png"_s);

    // Nothing secret reached the settings.
    QFile file(settingsFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("sweepline-test"));
    QVERIFY(!content.contains(m_ssh->passphrase().toUtf8()));
    QVERIFY(!content.contains(QUrl::toPercentEncoding(m_ssh->passphrase()))); // nor escaped as QSettings would
}

QTEST_MAIN(TestConnectionTestSshd)
#include "tst_connectiontest_sshd.moc"
