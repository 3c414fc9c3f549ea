#include "gui/cluster/guiprompter.h"

#include "gui/cluster/credentialdialog.h"

#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QSemaphore>
#include <QThread>

#include <utility>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

struct GuiPrompter::Question {
    bool hostKey = false; // a yes/no question about a host key, else a CredentialDialog
    remote::ssh::HostKeyInfo key;
    QString title;
    QString instruction;
    QList<remote::ssh::InteractivePrompt> prompts;
};

// One open question: the worker waits on done; the GUI thread answers once.
struct GuiPrompter::Pending {
    QSemaphore done;
    QMutex mutex;
    bool answered = false;
    std::optional<std::vector<remote::ssh::SecretBuffer>> answer; // a trusted host key: empty

    bool isAnswered()
    {
        QMutexLocker lock(&mutex);
        return answered;
    }

    void finish(std::optional<std::vector<remote::ssh::SecretBuffer>> value)
    {
        {
            QMutexLocker lock(&mutex);
            if (answered)
                return;
            answered = true;
            answer = std::move(value);
        }
        done.release();
    }
};

GuiPrompter::GuiPrompter(QWidget* parent) : QObject(parent), m_dialogParent(parent)
{}

GuiPrompter::~GuiPrompter()
{
    declineAll();
}

void GuiPrompter::declineAll()
{
    QList<std::weak_ptr<Pending>> open;
    {
        QMutexLocker lock(&m_mutex);
        m_declining = true;
        open.swap(m_open);
    }
    for (const std::weak_ptr<Pending>& weak : std::as_const(open)) {
        if (const auto pending = weak.lock())
            pending->finish(std::nullopt);
    }
    if (QThread::currentThread() == thread()) {
        // Questions nobody waits for any more must not stay on screen.
        const QList<QPointer<QDialog>> dialogs = std::exchange(m_dialogs, {});
        for (const QPointer<QDialog>& dialog : dialogs) {
            if (dialog) {
                dialog->disconnect(this);
                dialog->close();
            }
        }
    }
}

std::optional<std::vector<remote::ssh::SecretBuffer>> GuiPrompter::ask(const Question& question)
{
    if (QThread::currentThread() == thread()) {
        // Waiting here would freeze the very thread that must show the dialog.
        qWarning("GuiPrompter: asked on the GUI thread; declining");
        return std::nullopt;
    }
    auto pending = std::make_shared<Pending>();
    {
        // Registered before it is posted, so declineAll() can always release this worker.
        QMutexLocker lock(&m_mutex);
        if (m_declining)
            return std::nullopt;
        m_open.removeIf([](const std::weak_ptr<Pending>& weak) { return weak.expired(); });
        m_open.append(pending);
    }
    QMetaObject::invokeMethod(
        this, [this, question, pending] { open(question, pending); }, Qt::QueuedConnection);
    pending->done.acquire();
    return std::move(pending->answer);
}

void GuiPrompter::open(const Question& question, const std::shared_ptr<Pending>& pending)
{
    if (pending->isAnswered())
        return; // declined before its dialog could open
    QDialog* dialog = nullptr;
    if (question.hostKey) {
        const remote::ssh::HostKeyInfo& key = question.key;
        auto* box = new QMessageBox(QMessageBox::Question, u"New host key"_s,
                                    u"This is the first connection to %1."_s.arg(key.host), QMessageBox::NoButton,
                                    m_dialogParent);
        box->setObjectName(u"hostKeyDialog"_s);
        box->setInformativeText(
            u"Its %1 key has the fingerprint\n\n%2\n\nCompare it with the one your site publishes before you trust "
            "it. A trusted key is recorded in %3 and checked at every later connection."_s.arg(
                key.keyType, key.fingerprintSha256, key.knownHostsFile));
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        box->addButton(u"Trust and connect"_s, QMessageBox::AcceptRole)->setObjectName(u"trustHostKey"_s);
        QPushButton* cancel = box->addButton(QMessageBox::Cancel);
        box->setDefaultButton(cancel); // trusting must be a decision, not a reflex Enter
        connect(box, &QDialog::finished, this, [box, pending] {
            const bool trusted = box->buttonRole(box->clickedButton()) == QMessageBox::AcceptRole;
            pending->finish(trusted ? std::optional<std::vector<remote::ssh::SecretBuffer>>(std::in_place)
                                    : std::nullopt);
        });
        dialog = box;
    } else {
        auto* credentials =
            new CredentialDialog(question.title, question.instruction, question.prompts, m_dialogParent);
        connect(credentials, &QDialog::finished, this, [credentials, pending](int result) {
            // takeAnswers() empties the fields; every answer then goes into a SecretBuffer and its
            // last QString copy, no longer shared with a widget, is overwritten in place.
            QStringList answers = credentials->takeAnswers();
            std::optional<std::vector<remote::ssh::SecretBuffer>> secrets;
            if (result == QDialog::Accepted) {
                secrets.emplace();
                for (const QString& answer : std::as_const(answers))
                    secrets->push_back(remote::ssh::SecretBuffer::fromUtf16(answer));
            }
            for (QString& answer : answers)
                answer.fill(u'\0');
            pending->finish(std::move(secrets));
        });
        dialog = credentials;
    }
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialogs.removeAll(nullptr);
    m_dialogs.append(dialog);
    // A dialog torn down with its parent never finishes: decline, so the worker goes on.
    connect(dialog, &QObject::destroyed, this, [pending] { pending->finish(std::nullopt); });
    dialog->setWindowModality(m_dialogParent ? Qt::WindowModal : Qt::ApplicationModal);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

bool GuiPrompter::acceptNewHostKey(const remote::ssh::HostKeyInfo& key)
{
    Question question;
    question.hostKey = true;
    question.key = key;
    return ask(question).has_value();
}

std::optional<remote::ssh::SecretBuffer> GuiPrompter::askOne(const Question& question)
{
    auto answer = ask(question);
    if (!answer || answer->size() != 1)
        return std::nullopt;
    return std::move(answer->front());
}

std::optional<remote::ssh::SecretBuffer> GuiPrompter::passphrase(const QString& keyFile)
{
    Question question;
    question.title = u"Key passphrase"_s;
    question.instruction = u"The key %1 is protected by a passphrase."_s.arg(keyFile);
    question.prompts = {{u"Passphrase:"_s, false}};
    return askOne(question);
}

std::optional<remote::ssh::SecretBuffer> GuiPrompter::password(const QString& user, const QString& host)
{
    Question question;
    question.title = u"Password"_s;
    question.instruction = u"Log in to %1 as %2."_s.arg(host, user);
    question.prompts = {{u"Password:"_s, false}};
    return askOne(question);
}

std::optional<std::vector<remote::ssh::SecretBuffer>>
GuiPrompter::keyboardInteractive(const QString& name, const QString& instruction,
                                 const QList<remote::ssh::InteractivePrompt>& prompts)
{
    if (prompts.isEmpty())
        return std::vector<remote::ssh::SecretBuffer>{}; // an informational round: nothing to answer
    Question question;
    question.title = name.isEmpty() ? u"Login"_s : name;
    question.instruction = instruction;
    question.prompts = prompts;
    return ask(question);
}

} // namespace sweepline::gui
