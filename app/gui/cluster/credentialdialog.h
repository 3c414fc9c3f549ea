#pragma once

#include "remote/ssh/credentialprompter.h"

#include <QDialog>
#include <QList>

class QLineEdit;

namespace sweepline::gui {

// Asks for what a login needs: a key's passphrase, a password, or the answers to a server's
// keyboard-interactive prompts (shown verbatim, hidden input unless the server says to echo).
class CredentialDialog : public QDialog {
    Q_OBJECT
public:
    CredentialDialog(const QString& title, const QString& instruction,
                     const QList<remote::ssh::InteractivePrompt>& prompts, QWidget* parent = nullptr);
    ~CredentialDialog() override;

    // The answers in prompt order; the fields are cleared, so nothing lingers in the widgets.
    QStringList takeAnswers();

private:
    QList<QLineEdit*> m_fields;
};

} // namespace sweepline::gui
