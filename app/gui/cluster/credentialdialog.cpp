#include "gui/cluster/credentialdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

CredentialDialog::CredentialDialog(const QString& title, const QString& instruction,
                                   const QList<remote::ssh::InteractivePrompt>& prompts, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(u"credentialDialog"_s);
    setWindowTitle(title);
    auto* layout = new QVBoxLayout(this);
    if (!instruction.isEmpty()) {
        auto* text = new QLabel(instruction, this);
        text->setTextFormat(Qt::PlainText); // the server's words, not markup
        text->setWordWrap(true);
        layout->addWidget(text);
    }
    auto* form = new QFormLayout;
    for (const remote::ssh::InteractivePrompt& prompt : prompts) {
        auto* field = new QLineEdit(this);
        field->setObjectName(u"credentialField%1"_s.arg(m_fields.size()));
        field->setEchoMode(prompt.echo ? QLineEdit::Normal : QLineEdit::Password);
        auto* label = new QLabel(prompt.text.trimmed(), this);
        label->setTextFormat(Qt::PlainText);
        label->setBuddy(field);
        form->addRow(label, field);
        m_fields.append(field);
    }
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(380);
}

CredentialDialog::~CredentialDialog()
{
    for (QLineEdit* field : std::as_const(m_fields))
        field->clear();
}

QStringList CredentialDialog::takeAnswers()
{
    QStringList answers;
    for (QLineEdit* field : std::as_const(m_fields)) {
        answers.append(field->text());
        field->clear();
    }
    return answers;
}

} // namespace sweepline::gui
