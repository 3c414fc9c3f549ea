#include "gui/campaign/issuemarks.h"
#include "gui/cluster/clusterprofiles.h"
#include "gui/cluster/clusterprofilespanel.h"
#include "gui/cluster/credentialdialog.h"
#include "gui/cluster/guiprompter.h"
#include "support/verifyresult.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;

namespace {

template<typename T>
T* field(QWidget& parent, const char* name)
{
    T* widget = parent.findChild<T*>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no %s", name);
    return widget;
}

// Replaces a field's text as a user does: select all, type; line breaks are typed as Return.
void retype(QWidget* widget, const QString& text)
{
    widget->setFocus();
    QTest::keyClick(widget, Qt::Key_A, Qt::ControlModifier);
    if (text.isEmpty())
        QTest::keyClick(widget, Qt::Key_Delete);
    const QStringList lines = text.split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i > 0)
            QTest::keyClick(widget, Qt::Key_Return);
        QTest::keyClicks(widget, lines.at(i));
    }
}

QByteArray campaignJsonOf(const model::ClusterSettings& cluster)
{
    model::Campaign c;
    c.cluster = cluster;
    return model::toJson(c);
}

// The top-level dialog of a class, once it is shown.
template<typename T>
T* shownDialog(const char* objectName)
{
    for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* d = qobject_cast<T*>(w); d && d->isVisible() && d->objectName() == QLatin1String(objectName))
            return d;
    }
    return nullptr;
}

} // namespace

class TestClusterProfilesPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void formRoundTrip();
    void builtInIsReadOnly();
    void newRenameDuplicateDelete();
    void invalidFieldsAreMarked();
    void hostOffersSshConfigAliases();
    void promptsFromWorkerThread();
    void hostKeyQuestion();
    void declinedWhenPrompterGoes();
    void testConnectionReportsFailureWithoutBlocking();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString settingsFile() const { return m_dir->filePath(u"settings.ini"_s); }
};

void TestClusterProfilesPanel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
}

void TestClusterProfilesPanel::formRoundTrip()
{
    ClusterProfiles profiles(settingsFile());
    model::ClusterSettings flow;
    flow.scheduler = u"pjm"_s;
    flow.host = u"flow"_s;
    flow.user = u"fujika"_s;
    flow.directives = {u"-L rscgrp=cx-share"_s};
    QVERIFY_RESULT(profiles.setProfile(u"Flow"_s, flow));

    ClusterProfilesPanel panel(&profiles);
    panel.resize(900, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.selectProfile(u"Flow"_s);
    // Shown as stored.
    QCOMPARE(field<QComboBox>(panel, "scheduler")->currentText(), u"pjm"_s);
    QCOMPARE(field<QComboBox>(panel, "host")->currentText(), u"flow"_s);
    QCOMPARE(field<QLineEdit>(panel, "user")->text(), u"fujika"_s);
    QCOMPARE(field<QPlainTextEdit>(panel, "directives")->toPlainText(), u"-L rscgrp=cx-share"_s);
    QCOMPARE(field<QSpinBox>(panel, "port")->text(), u"from ssh config (22)"_s);

    // Edited by keys, saved as it goes.
    QComboBox* scheduler = field<QComboBox>(panel, "scheduler");
    scheduler->setFocus();
    QTest::keyClicks(scheduler, u"slurm"_s);
    retype(field<QComboBox>(panel, "host"), u"login.cluster.example"_s);
    retype(field<QSpinBox>(panel, "port"), u"2222"_s);
    retype(field<QLineEdit>(panel, "user"), u"tanaka"_s);
    retype(field<QLineEdit>(panel, "identity"), u"~/.ssh/id_ed25519_hpc"_s);
    retype(field<QLineEdit>(panel, "workdir"), u"/scratch/tanaka/sweepline"_s);
    retype(field<QPlainTextEdit>(panel, "directives"), u"--partition=gpu\n--gres=gpu:1\n\n"_s);
    retype(field<QPlainTextEdit>(panel, "setup"), u"module load cuda/12\nsource ~/venv/bin/activate"_s);
    retype(field<QSpinBox>(panel, "pollInterval"), u"45"_s);
    retype(field<QSpinBox>(panel, "parallelSubmissions"), u"2"_s);
    retype(field<QSpinBox>(panel, "maxQueued"), u"150"_s);
    retype(field<QLineEdit>(panel, "knownHosts"), u"~/.ssh/known_hosts_hpc"_s);

    model::ClusterSettings expected;
    expected.scheduler = u"slurm"_s;
    expected.host = u"login.cluster.example"_s;
    expected.port = 2222;
    expected.user = u"tanaka"_s;
    expected.identity = u"~/.ssh/id_ed25519_hpc"_s;
    expected.workdir = u"/scratch/tanaka/sweepline"_s;
    expected.directives = {u"--partition=gpu"_s, u"--gres=gpu:1"_s};
    expected.setup = {u"module load cuda/12"_s, u"source ~/venv/bin/activate"_s};
    expected.pollIntervalSeconds = 45;
    expected.parallelSubmissions = 2;
    expected.maxQueued = 150;
    expected.knownHosts = u"~/.ssh/known_hosts_hpc"_s;
    QCOMPARE(QString::fromUtf8(campaignJsonOf(profiles.profile(u"Flow"_s))),
             QString::fromUtf8(campaignJsonOf(expected)));
    QVERIFY(field<QLabel>(panel, "profileIssues")->isHidden());
    ClusterProfiles reloaded(settingsFile());
    QCOMPARE(QString::fromUtf8(campaignJsonOf(reloaded.profile(u"Flow"_s))),
             QString::fromUtf8(campaignJsonOf(expected)));

    // Away and back: the form shows what was saved.
    panel.selectProfile(ClusterProfiles::builtInName());
    panel.selectProfile(u"Flow"_s);
    QCOMPARE(field<QPlainTextEdit>(panel, "directives")->toPlainText(), u"--partition=gpu\n--gres=gpu:1"_s);
    QCOMPARE(field<QSpinBox>(panel, "port")->value(), 2222);
    QCOMPARE(field<QSpinBox>(panel, "parallelSubmissions")->value(), 2);
    QCOMPARE(field<QSpinBox>(panel, "maxQueued")->value(), 150);
    // 0 is the form's "no cap": the profile then has no max_queued at all.
    retype(field<QSpinBox>(panel, "maxQueued"), u"0"_s);
    QVERIFY(!profiles.profile(u"Flow"_s).maxQueued);
    QVERIFY(!campaignJsonOf(profiles.profile(u"Flow"_s)).contains("max_queued"));
    panel.selectProfile(ClusterProfiles::builtInName());
    panel.selectProfile(u"Flow"_s);
    QCOMPARE(field<QSpinBox>(panel, "maxQueued")->text(), u"no cap"_s);

    QSignalSpy use(&panel, &ClusterProfilesPanel::useProfile);
    QTest::mouseClick(field<QPushButton>(panel, "useProfile"), Qt::LeftButton);
    QCOMPARE(use.count(), 1);
    QCOMPARE(use.first().first().toString(), u"Flow"_s);
    QTest::qWait(50); // let the layout settle before looking
    panel.grab().save(u"/tmp/sweepline_clusterpanel.png"_s);
}

void TestClusterProfilesPanel::builtInIsReadOnly()
{
    ClusterProfiles profiles(settingsFile());
    ClusterProfilesPanel panel(&profiles);
    QCOMPARE(panel.currentProfile(), ClusterProfiles::builtInName());
    QVERIFY(!field<QComboBox>(panel, "scheduler")->isEnabled());
    QVERIFY(!field<QComboBox>(panel, "host")->isEnabled());
    QVERIFY(field<QLineEdit>(panel, "profileName")->isReadOnly());
    QVERIFY(!field<QPushButton>(panel, "deleteProfile")->isEnabled());
    QVERIFY(!field<QPushButton>(panel, "testConnection")->isEnabled());
    QSignalSpy use(&panel, &ClusterProfilesPanel::useProfile);
    QTest::mouseClick(field<QPushButton>(panel, "useProfile"), Qt::LeftButton);
    QCOMPARE(use.first().first().toString(), ClusterProfiles::builtInName());
    QCOMPARE(profiles.names(), QStringList{ClusterProfiles::builtInName()});
}

void TestClusterProfilesPanel::newRenameDuplicateDelete()
{
    ClusterProfiles profiles(settingsFile());
    ClusterProfilesPanel panel(&profiles);
    panel.show();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    QTest::mouseClick(field<QPushButton>(panel, "newProfile"), Qt::LeftButton);
    QCOMPARE(panel.currentProfile(), u"Cluster"_s);
    auto* name = field<QLineEdit>(panel, "profileName");
    QTRY_VERIFY(name->hasFocus());
    QTest::keyClicks(name, u"Fugaku"_s); // the new name is selected: typing replaces it
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(panel.currentProfile(), u"Fugaku"_s);
    QCOMPARE(profiles.names(), (QStringList{ClusterProfiles::builtInName(), u"Fugaku"_s}));
    QCOMPARE(profiles.profile(u"Fugaku"_s).scheduler, u"slurm"_s);

    QTest::mouseClick(field<QPushButton>(panel, "duplicateProfile"), Qt::LeftButton);
    QCOMPARE(panel.currentProfile(), u"Fugaku copy"_s);
    // A rename onto a taken name is refused and undone in the field.
    retype(name, u"Fugaku"_s);
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(name->text(), u"Fugaku copy"_s);
    QVERIFY(field<QLabel>(panel, "connectionStatus")->text().contains(u"exists already"_s));

    QTest::mouseClick(field<QPushButton>(panel, "deleteProfile"), Qt::LeftButton);
    QMessageBox* confirm = nullptr;
    QTRY_VERIFY((confirm = panel.findChild<QMessageBox*>(u"deleteProfileDialog"_s)) != nullptr);
    QTest::mouseClick(confirm->findChild<QPushButton*>(u"confirmDelete"_s), Qt::LeftButton);
    QCOMPARE(profiles.names(), (QStringList{ClusterProfiles::builtInName(), u"Fugaku"_s}));
    QCOMPARE(panel.currentProfile(), ClusterProfiles::builtInName());
}

void TestClusterProfilesPanel::invalidFieldsAreMarked()
{
    ClusterProfiles profiles(settingsFile());
    ClusterProfilesPanel panel(&profiles);
    QTest::mouseClick(field<QPushButton>(panel, "newProfile"), Qt::LeftButton);
    auto* host = field<QComboBox>(panel, "host");
    auto* issues = field<QLabel>(panel, "profileIssues");
    QVERIFY(isMarkedInvalid(host));
    QCOMPARE(host->toolTip(), u"is required for scheduler \"slurm\""_s);
    QVERIFY(issues->text().contains(u"host: is required"_s));

    retype(host, u"-oProxyCommand=evil"_s);
    QCOMPARE(host->toolTip(), u"must be one word that does not start with \"-\""_s);
    retype(host, u"flow"_s);
    QVERIFY(!isMarkedInvalid(host));

    // The scheduler's own refusal, said before anything is submitted.
    auto* directives = field<QPlainTextEdit>(panel, "directives");
    retype(directives, u"--job-name=mine"_s);
    QVERIFY(isMarkedInvalid(directives));
    QVERIFY2(directives->toolTip().contains(u"--job-name"_s), qPrintable(directives->toolTip()));
    retype(directives, u"--partition=gpu"_s);
    QVERIFY(!isMarkedInvalid(directives));
    QVERIFY(issues->isHidden());
}

void TestClusterProfilesPanel::hostOffersSshConfigAliases()
{
    const QString config = m_dir->filePath(u"ssh_config"_s);
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("Host flow fugaku\n  User me\nHost *.internal\n");
    file.close();
    ClusterProfiles profiles(settingsFile());
    model::ClusterSettings settings;
    settings.scheduler = u"pjm"_s;
    settings.host = u"fugaku"_s;
    settings.sshConfig = config;
    QVERIFY_RESULT(profiles.setProfile(u"Fugaku"_s, settings));
    ClusterProfilesPanel panel(&profiles);
    panel.selectProfile(u"Fugaku"_s);
    auto* host = field<QComboBox>(panel, "host");
    QCOMPARE(host->count(), 2);
    QCOMPARE(host->itemText(0), u"flow"_s);
    QCOMPARE(host->itemText(1), u"fugaku"_s);
    QCOMPARE(host->currentText(), u"fugaku"_s);
}

void TestClusterProfilesPanel::promptsFromWorkerThread()
{
    QWidget window;
    window.show();
    GuiPrompter prompter(&window);
    std::optional<remote::ssh::SecretBuffer> passphrase;
    std::optional<std::vector<remote::ssh::SecretBuffer>> answers;
    QThread* worker = QThread::create([&] {
        passphrase = prompter.passphrase(u"/home/me/.ssh/id_ed25519"_s);
        answers = prompter.keyboardInteractive(u"Two-factor"_s, u"Nagoya University login"_s,
                                               {{u"Password: "_s, false}, {u"Verification code: "_s, true}});
    });
    worker->start();

    // The GUI thread keeps running: the dialog appears, and keys answer it.
    CredentialDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<CredentialDialog*>()) != nullptr && dialog->isVisible());
    QVERIFY(!worker->isFinished());
    auto* field0 = dialog->findChild<QLineEdit*>(u"credentialField0"_s);
    QCOMPARE(field0->echoMode(), QLineEdit::Password);
    QTest::keyClicks(field0, u"correct horse"_s);
    QTest::keyClick(field0, Qt::Key_Return);

    QTRY_VERIFY((dialog = window.findChild<CredentialDialog*>()) != nullptr && dialog->isVisible()
                && dialog->windowTitle() == u"Two-factor"_s);
    auto* password = dialog->findChild<QLineEdit*>(u"credentialField0"_s);
    auto* code = dialog->findChild<QLineEdit*>(u"credentialField1"_s);
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    QCOMPARE(code->echoMode(), QLineEdit::Normal); // the server asked to echo it
    QVERIFY(dialog->findChild<QLabel*>() && dialog->findChild<QLabel*>()->text() == u"Nagoya University login"_s);
    QTest::keyClicks(password, u"pw"_s);
    QTest::keyClicks(code, u"123456"_s);
    QTest::keyClick(code, Qt::Key_Return);

    QTRY_VERIFY(worker->isFinished());
    delete worker;
    QVERIFY(passphrase);
    QCOMPARE(QByteArray(passphrase->c_str()), QByteArray("correct horse"));
    QVERIFY(passphrase->excludedFromCoreDumps());
    QVERIFY(answers && answers->size() == 2);
    QCOMPARE(QByteArray(answers->at(0).c_str()), QByteArray("pw"));
    QCOMPARE(QByteArray(answers->at(1).c_str()), QByteArray("123456"));
}

void TestClusterProfilesPanel::hostKeyQuestion()
{
    QWidget window;
    window.show();
    GuiPrompter prompter(&window);
    remote::ssh::HostKeyInfo key;
    key.status = remote::ssh::HostKeyInfo::Status::Unknown;
    key.host = u"[flow.cc.nagoya-u.ac.jp]:22"_s;
    key.keyType = u"ssh-ed25519"_s;
    key.fingerprintSha256 = u"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"_s;
    key.knownHostsFile = u"/home/me/.ssh/known_hosts"_s;
    for (const bool trust : {false, true}) {
        std::optional<bool> accepted;
        QThread* worker = QThread::create([&] { accepted = prompter.acceptNewHostKey(key); });
        worker->start();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox*>(u"hostKeyDialog"_s)) != nullptr && box->isVisible());
        QVERIFY(box->informativeText().contains(key.fingerprintSha256));
        QVERIFY(box->informativeText().contains(key.knownHostsFile));
        if (trust)
            QTest::mouseClick(box->findChild<QPushButton*>(u"trustHostKey"_s), Qt::LeftButton);
        else
            QTest::keyClick(box, Qt::Key_Return); // the default is Cancel: a reflex Enter trusts nothing
        QTRY_VERIFY(worker->isFinished());
        delete worker;
        QCOMPARE(accepted, std::optional<bool>(trust));
        QTRY_VERIFY(!window.findChild<QMessageBox*>(u"hostKeyDialog"_s));
    }
}

void TestClusterProfilesPanel::declinedWhenPrompterGoes()
{
    QWidget window;
    auto prompter = std::make_unique<GuiPrompter>(&window);
    std::optional<remote::ssh::SecretBuffer> answer = remote::ssh::SecretBuffer::fromUtf16(u"unset");
    QThread* worker = QThread::create([&] { answer = prompter->password(u"me"_s, u"flow"_s); });
    worker->start();
    QTRY_VERIFY(window.findChild<CredentialDialog*>() != nullptr);
    prompter.reset(); // e.g. the window closes while a login waits
    QTRY_VERIFY(worker->isFinished());
    delete worker;
    QVERIFY(!answer);
    QTRY_VERIFY(!window.findChild<CredentialDialog*>()); // not left on screen
}

void TestClusterProfilesPanel::testConnectionReportsFailureWithoutBlocking()
{
    const int port = 1; // tcpmux: nothing listens there, the connection is refused at once
    ClusterProfiles profiles(settingsFile());
    model::ClusterSettings settings;
    settings.scheduler = u"slurm"_s;
    settings.host = u"127.0.0.1"_s;
    settings.port = port;
    settings.knownHosts = m_dir->filePath(u"known_hosts"_s);
    settings.sshConfig = m_dir->filePath(u"empty_config"_s);
    QFile config(settings.sshConfig);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.close();
    QVERIFY_RESULT(profiles.setProfile(u"Nowhere"_s, settings));
    ClusterProfilesPanel panel(&profiles);
    panel.selectProfile(u"Nowhere"_s);
    auto* test = field<QPushButton>(panel, "testConnection");
    auto* status = field<QLabel>(panel, "connectionStatus");
    QTest::mouseClick(test, Qt::LeftButton);
    QVERIFY(!test->isEnabled()); // one test at a time
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"No connection"_s), 40000);
    QVERIFY(status->text().contains(u"127.0.0.1:%1"_s.arg(port)));
    QVERIFY(test->isEnabled());
    QVERIFY(!QFile::exists(settings.knownHosts));
}

void TestClusterProfilesPanel::initTestCase()
{
    // Combos select by typed prefix ("sl" is slurm, "s" ssh); a loaded machine must not split a
    // word typed in one go into two searches.
    QApplication::setKeyboardInputInterval(10000);
}

QTEST_MAIN(TestClusterProfilesPanel)
#include "tst_clusterprofilespanel.moc"
