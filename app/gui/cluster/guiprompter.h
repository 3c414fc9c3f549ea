#pragma once

#include "remote/ssh/credentialprompter.h"

#include <QDialog>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QWidget>

#include <memory>

namespace sweepline::gui {

// The CredentialPrompter of the workbench. Its methods are called on an SSH worker thread: each one
// posts the question to the GUI thread (QMetaObject::invokeMethod), where a window-modal dialog
// opens, and blocks the worker, never the GUI thread, until the person answers. The GUI thread runs
// no nested event loop: the dialog reports through its finished signal.
// The call is queued rather than blocking-queued on purpose: a GUI thread that waits for a worker
// at shutdown (after declineAll()) would otherwise deadlock with a worker about to ask.
// Answers are handed to the SSH layer once and never kept.
// Create it on the GUI thread; dialogs open over parent (a window). Before waiting for a thread that
// may ask (at shutdown), call declineAll(); destroying the prompter declines too.
class GuiPrompter : public QObject, public remote::ssh::CredentialPrompter {
    Q_OBJECT
public:
    explicit GuiPrompter(QWidget* parent = nullptr);
    ~GuiPrompter() override;

    bool acceptNewHostKey(const remote::ssh::HostKeyInfo& key) override;
    std::optional<remote::ssh::SecretBuffer> passphrase(const QString& keyFile) override;
    std::optional<remote::ssh::SecretBuffer> password(const QString& user, const QString& host) override;
    std::optional<std::vector<remote::ssh::SecretBuffer>>
    keyboardInteractive(const QString& name, const QString& instruction,
                        const QList<remote::ssh::InteractivePrompt>& prompts) override;

    // Declines every open question and every later one, from any thread's point of view at once.
    void declineAll();

    struct Question;
    struct Pending;

private:
    std::optional<std::vector<remote::ssh::SecretBuffer>> ask(const Question& question);
    std::optional<remote::ssh::SecretBuffer> askOne(const Question& question);
    void open(const Question& question, const std::shared_ptr<Pending>& pending);

    QPointer<QWidget> m_dialogParent;
    QMutex m_mutex; // guards the two below: workers and the GUI thread use them
    bool m_declining = false;
    QList<std::weak_ptr<Pending>> m_open;
    QList<QPointer<QDialog>> m_dialogs; // GUI thread only
};

} // namespace sweepline::gui
