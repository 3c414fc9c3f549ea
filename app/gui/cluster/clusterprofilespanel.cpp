#include "gui/cluster/clusterprofilespanel.h"

#include "gui/cluster/clusterprofileform.h"
#include "gui/cluster/clusterprofiles.h"
#include "gui/cluster/connectiontester.h"
#include "gui/cluster/guiprompter.h"

#include <QFont>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

ClusterProfilesPanel::ClusterProfilesPanel(ClusterProfiles* profiles, QWidget* parent)
    : QWidget(parent),
      m_profiles(profiles),
      m_guiPrompter(new GuiPrompter(this)),
      m_prompter(m_guiPrompter),
      m_list(new QListWidget(this)),
      m_new(new QPushButton(u"&New"_s, this)),
      m_duplicate(new QPushButton(u"D&uplicate"_s, this)),
      m_delete(new QPushButton(u"&Delete"_s, this)),
      m_name(new QLineEdit(this)),
      m_form(new ClusterProfileForm(this)),
      m_use(new QPushButton(u"Use for this &campaign"_s, this)),
      m_test(new QPushButton(u"&Test connection"_s, this)),
      m_status(new QLabel(this))
{
    m_list->setObjectName(u"profileList"_s);
    m_new->setObjectName(u"newProfile"_s);
    m_duplicate->setObjectName(u"duplicateProfile"_s);
    m_delete->setObjectName(u"deleteProfile"_s);
    m_name->setObjectName(u"profileName"_s);
    m_use->setObjectName(u"useProfile"_s);
    m_use->setToolTip(u"Run the open campaign with these settings (its cluster section)"_s);
    m_test->setObjectName(u"testConnection"_s);
    m_test->setToolTip(u"Log in and look for the scheduler's commands; nothing is submitted"_s);
    m_status->setObjectName(u"connectionStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(m_new);
    listButtons->addWidget(m_duplicate);
    listButtons->addWidget(m_delete);
    auto* left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    left->addLayout(listButtons);

    auto* name = new QHBoxLayout;
    name->addWidget(new QLabel(u"Profile &name:"_s, this));
    name->addWidget(m_name, 1);
    qobject_cast<QLabel*>(name->itemAt(0)->widget())->setBuddy(m_name);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_use);
    actions->addWidget(m_test);
    actions->addStretch();
    auto* right = new QVBoxLayout;
    right->addLayout(name);
    right->addWidget(m_form);
    right->addLayout(actions);
    right->addWidget(m_status, 1);

    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 1);
    layout->addLayout(right, 3);

    connect(m_list, &QListWidget::currentTextChanged, this, &ClusterProfilesPanel::showCurrent);
    connect(m_form, &ClusterProfileForm::edited, this, &ClusterProfilesPanel::saveForm);
    connect(m_name, &QLineEdit::editingFinished, this, &ClusterProfilesPanel::renameCurrent);
    connect(m_new, &QPushButton::clicked, this, &ClusterProfilesPanel::addProfile);
    connect(m_duplicate, &QPushButton::clicked, this, &ClusterProfilesPanel::duplicateProfile);
    connect(m_delete, &QPushButton::clicked, this, &ClusterProfilesPanel::deleteProfile);
    connect(m_use, &QPushButton::clicked, this, [this] { emit useProfile(currentProfile()); });
    connect(m_test, &QPushButton::clicked, this, &ClusterProfilesPanel::testConnection);
    connect(m_profiles, &ClusterProfiles::changed, this, &ClusterProfilesPanel::refreshList);
    refreshList();
    selectProfile(ClusterProfiles::builtInName());
}

ClusterProfilesPanel::~ClusterProfilesPanel()
{
    // Children emit while ~QWidget deletes them (a focused line edit finishes editing): not to us.
    for (QObject* sender : std::initializer_list<QObject*>{m_name, m_list, m_form, m_profiles})
        sender->disconnect(this);
    // The tester waits for its thread, which may be waiting for an answer: decline first.
    m_guiPrompter->declineAll();
    m_tester.reset();
}

QString ClusterProfilesPanel::currentProfile() const
{
    return m_list->currentItem() ? m_list->currentItem()->text() : QString();
}

void ClusterProfilesPanel::selectProfile(const QString& name)
{
    const QList<QListWidgetItem*> found = m_list->findItems(name, Qt::MatchExactly);
    if (!found.isEmpty())
        m_list->setCurrentItem(found.first());
}

void ClusterProfilesPanel::setCredentialPrompter(remote::ssh::CredentialPrompter* prompter)
{
    m_prompter = prompter ? prompter : m_guiPrompter;
}

void ClusterProfilesPanel::refreshList()
{
    const QStringList names = m_profiles->names();
    QStringList shown;
    for (int i = 0; i < m_list->count(); ++i)
        shown.append(m_list->item(i)->text());
    if (shown == names)
        return; // a saved edit: the list is the same, the form must not be reloaded under the user
    const QString current = currentProfile();
    {
        const QSignalBlocker blocker(m_list);
        m_list->clear();
        for (const QString& name : names) {
            auto* item = new QListWidgetItem(name, m_list);
            if (ClusterProfiles::isBuiltIn(name)) {
                QFont font = item->font();
                font.setItalic(true);
                item->setFont(font);
                item->setToolTip(u"Built in: runs the trials on this computer"_s);
            }
        }
    }
    selectProfile(names.contains(current) ? current : ClusterProfiles::builtInName());
    if (currentProfile() != current)
        showCurrent();
}

void ClusterProfilesPanel::showCurrent()
{
    const QString name = currentProfile();
    const bool builtIn = ClusterProfiles::isBuiltIn(name);
    m_name->setText(name);
    m_name->setReadOnly(builtIn);
    m_form->setSettings(m_profiles->profile(name));
    m_form->setReadOnly(builtIn);
    m_delete->setEnabled(!builtIn && !name.isEmpty());
    m_test->setEnabled(!builtIn && (!m_tester || !m_tester->isRunning()));
    m_status->setText(builtIn ? u"<i>Runs the trials on this computer; no connection is needed.</i>"_s : QString());
}

void ClusterProfilesPanel::saveForm()
{
    const QString name = currentProfile();
    if (ClusterProfiles::isBuiltIn(name) || name.isEmpty())
        return;
    if (auto saved = m_profiles->setProfile(name, m_form->settings()); !saved)
        m_status->setText(saved.error().toHtmlEscaped());
    m_test->setEnabled(m_form->settings().isRemote() && (!m_tester || !m_tester->isRunning()));
}

void ClusterProfilesPanel::renameCurrent()
{
    const QString from = currentProfile();
    const QString to = m_name->text().trimmed();
    if (ClusterProfiles::isBuiltIn(from) || from == to)
        return;
    if (auto renamed = m_profiles->rename(from, to); !renamed) {
        m_status->setText(u"<span style=\"color:#b71c1c\">%1</span>"_s.arg(renamed.error().toHtmlEscaped()));
        m_name->setText(from);
        return;
    }
    selectProfile(to);
}

void ClusterProfilesPanel::addProfile()
{
    model::ClusterSettings settings;
    settings.scheduler = u"slurm"_s;
    const QString name = m_profiles->unusedName(u"Cluster"_s);
    (void)m_profiles->setProfile(name, settings);
    selectProfile(name);
    m_name->setFocus();
    m_name->selectAll();
}

void ClusterProfilesPanel::duplicateProfile()
{
    const QString from = currentProfile();
    if (!m_profiles->contains(from))
        return;
    const QString name = m_profiles->unusedName(ClusterProfiles::isBuiltIn(from) ? u"Cluster"_s : from + u" copy"_s);
    (void)m_profiles->setProfile(name, m_profiles->profile(from));
    selectProfile(name);
}

void ClusterProfilesPanel::deleteProfile()
{
    const QString name = currentProfile();
    if (ClusterProfiles::isBuiltIn(name))
        return;
    auto* box = new QMessageBox(QMessageBox::Question, u"Delete profile"_s,
                                u"Delete the cluster profile \"%1\"?"_s.arg(name), QMessageBox::Cancel, this);
    box->setObjectName(u"deleteProfileDialog"_s);
    box->addButton(u"Delete"_s, QMessageBox::DestructiveRole)->setObjectName(u"confirmDelete"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, name](QAbstractButton* button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_profiles->remove(name);
    });
    box->open();
}

void ClusterProfilesPanel::testConnection()
{
    if (m_tester && m_tester->isRunning())
        return;
    m_tester = std::make_unique<ConnectionTester>(*m_prompter);
    connect(m_tester.get(), &ConnectionTester::progress, m_status, &QLabel::setText);
    connect(m_tester.get(), &ConnectionTester::finished, this, &ClusterProfilesPanel::showReport);
    if (!m_tester->start(m_form->settings()))
        return;
    m_test->setEnabled(false);
    m_test->setText(u"Testing…"_s);
}

void ClusterProfilesPanel::showReport(const ConnectionReport& report)
{
    m_test->setText(u"&Test connection"_s);
    m_test->setEnabled(!ClusterProfiles::isBuiltIn(currentProfile()));
    if (!report.connected) {
        m_status->setText(u"<span style=\"color:#b71c1c\">✘ No connection%1: %2</span>"_s.arg(
            report.endpoint.isEmpty() ? QString() : u" to "_s + report.endpoint.toHtmlEscaped(),
            report.error.toHtmlEscaped()));
        return;
    }
    QString html = u"<span style=\"color:#2e7d32\">✔ Connected to %1</span>"_s.arg(report.endpoint.toHtmlEscaped());
    if (!report.loginNode.isEmpty())
        html += u" (login node <b>%1</b>)"_s.arg(report.loginNode.toHtmlEscaped());
    if (!report.home.isEmpty())
        html += u", home folder %1"_s.arg(report.home.toHtmlEscaped());
    html += u".<br>"_s;
    QStringList lines;
    for (const CommandCheck& check : report.commands) {
        lines.append(check.found()
                         ? u"<span style=\"color:#2e7d32\">✔</span> %1 <small>(%2)</small>"_s.arg(
                             check.name.toHtmlEscaped(), check.path.toHtmlEscaped())
                         : u"<span style=\"color:#b71c1c\">✘ %1 not found</span>"_s.arg(check.name.toHtmlEscaped()));
    }
    html += lines.join(u"<br>"_s);
    if (report.schedulerFound()) {
        html += u"<br>The %1 commands are there: this profile is ready."_s.arg(report.scheduler.toHtmlEscaped());
    } else {
        html += u"<br><span style=\"color:#b71c1c\">Sweepline runs these on the login node's PATH and cannot submit "
                "%1 jobs without them. Is the scheduler right for this cluster?</span>"_s.arg(
                    report.scheduler.toHtmlEscaped());
    }
    m_status->setText(html);
}

} // namespace sweepline::gui
