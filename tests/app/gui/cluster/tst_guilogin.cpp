// The workbench's logins against a real sshd: a one-time password (PAM, libpam-oath) and a password
// asked in the GuiPrompter's dialog while the SSH session waits on its worker thread. The dialog
// shows the server's text without control characters, empties its fields as it hands the answers
// over, and a refused password is asked once and tried once. Needs root (the fixture).
#include "gui/cluster/credentialdialog.h"
#include "gui/cluster/guiprompter.h"
#include "remote/ssh/sshsession.h"
#include "support/sshserverfixture.h"
#include "support/verifyresult.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;
using sweepline::testing::SshServerFixture;
using sweepline::testing::SshServerOptions;

namespace {

remote::ssh::Endpoint endpointOf(const SshServerFixture& ssh)
{
    remote::ssh::Endpoint e;
    e.alias = u"sweepline-test"_s;
    e.hostName = ssh.host();
    e.port = ssh.port();
    e.user = ssh.passwordUserName();
    e.knownHostsFile = ssh.knownHostsPath();
    return e;
}

bool hasControlCharacters(const QString& text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c != u'\n' && (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format);
    });
}

CredentialDialog* shownDialog(QWidget& window)
{
    for (CredentialDialog* d : window.findChildren<CredentialDialog*>()) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

// Logs in on a worker thread, as the workbench does, with a GuiPrompter over a window; the GUI
// thread stays free for the dialogs.
struct Login {
    QWidget window;
    GuiPrompter prompter{&window};
    remote::ssh::SshSession session;
    sweepline::model::Status result = sweepline::model::Status::failure(u"not run"_s);
    std::unique_ptr<QThread> thread;

    explicit Login(const SshServerFixture& ssh)
    {
        window.show();
        const remote::ssh::Endpoint endpoint = endpointOf(ssh);
        thread.reset(QThread::create([this, endpoint] { result = session.connect(endpoint, prompter, false); }));
        thread->start();
    }
    ~Login()
    {
        prompter.declineAll();
        thread->wait();
    }
    CredentialDialog* dialog()
    {
        QDeadlineTimer deadline(30000);
        CredentialDialog* shown = nullptr;
        while (!(shown = shownDialog(window)) && !deadline.hasExpired())
            QTest::qWait(20);
        return shown;
    }
};

// Types text into the dialog's only field and confirms; returns what the field held right after
// the dialog handed its answer over (its finished signal, after the prompter's own handler).
QString answerDialog(CredentialDialog* dialog, const QString& text)
{
    auto* field = dialog->findChild<QLineEdit*>(u"credentialField0"_s);
    auto left = std::make_shared<QString>(u"<not finished>"_s);
    QObject::connect(dialog, &QDialog::finished, field, [field, left] { *left = field->text(); });
    QTest::keyClicks(field, text);
    QTest::keyClick(field, Qt::Key_Return);
    return *left;
}

} // namespace

class TestGuiLogin : public QObject {
    Q_OBJECT
private slots:
    void oneTimePasswordInADialog();
    void wrongPasswordInADialogIsTriedOnce();
};

void TestGuiLogin::oneTimePasswordInADialog()
{
    SshServerOptions options;
    options.oneTimePasswords = true;
    options.otpInfoText = "\x1b[2J\x1b]0;owned\x07"
                          "Cluster \xe2\x80\xae"
                          "login\r";
    SshServerFixture ssh(options);
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    Login login(ssh);
    CredentialDialog* dialog = login.dialog();
    QVERIFY(dialog);
    QStringList shown{dialog->windowTitle()};
    for (QLabel* label : dialog->findChildren<QLabel*>())
        shown << label->text();
    const QString all = shown.join(u'|');
    QVERIFY2(all.contains(u"One-time password (OATH)"_s), qPrintable(all));
    QVERIFY2(all.contains(u"[2J]0;ownedCluster login"_s), qPrintable(all));
    QVERIFY2(!hasControlCharacters(all), qPrintable(all));

    const testing::ProcessResult code = testing::runProcess(u"oathtool"_s, {u"--totp"_s, ssh.otpSecretHex()});
    QVERIFY2(code.ok(), qPrintable(code.describe()));
    QCOMPARE(answerDialog(dialog, QString::fromLatin1(code.out).trimmed()), QString());
    QTRY_VERIFY_WITH_TIMEOUT(login.thread->isFinished(), 30000);
    QVERIFY2(login.result, qPrintable(login.result.error() + ssh.log()));
    QVERIFY(ssh.log().contains(u"Accepted keyboard-interactive/pam for "_s + ssh.passwordUserName()));
}

void TestGuiLogin::wrongPasswordInADialogIsTriedOnce()
{
    SshServerOptions options;
    options.passwordAuthentication = true;
    options.createPasswordUser = true;
    SshServerFixture ssh(options);
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    Login login(ssh);
    CredentialDialog* dialog = login.dialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->windowTitle(), u"Password"_s);
    QCOMPARE(answerDialog(dialog, u"not-the-password"_s), QString());
    QTRY_VERIFY_WITH_TIMEOUT(login.thread->isFinished(), 30000);
    QVERIFY_FAILS_WITH(login.result, sweepline::model::ErrorCode::LoginRefused);
    QTRY_COMPARE(int(ssh.log().count(u"Failed password for "_s + ssh.passwordUserName())), 1);
    QTest::qWait(300);
    QVERIFY(!shownDialog(login.window)); // asked once: no second dialog
    QCOMPARE(int(ssh.log().count(u"Failed password for "_s)), 1);
}

QTEST_MAIN(TestGuiLogin)
#include "tst_guilogin.moc"
