#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace sweepline::remote::ssh {
class CredentialPrompter;
}

namespace sweepline::gui {

class ClusterProfileForm;
class ClusterProfiles;
struct ConnectionReport;
class ConnectionTester;
class GuiPrompter;

// The list of cluster profiles and the form of the selected one. Edits are saved as they are made;
// "This computer" is shown read-only. "Use for this campaign" emits useProfile(name): the main
// window connects it to CampaignEditor::setCluster(*profiles->profile(name)).
// "Test connection" logs in on a worker thread and reports whether the scheduler's commands exist;
// host keys, passphrases and passwords are asked in dialogs (GuiPrompter) and never stored.
class ClusterProfilesPanel : public QWidget {
    Q_OBJECT
public:
    explicit ClusterProfilesPanel(ClusterProfiles* profiles, QWidget* parent = nullptr);
    ~ClusterProfilesPanel() override;

    QString currentProfile() const;
    void selectProfile(const QString& name);
    // Who answers the login's questions during Test connection; by default a GuiPrompter over this
    // panel. Takes effect at the next test. The prompter must outlive the panel.
    void setCredentialPrompter(remote::ssh::CredentialPrompter* prompter);

signals:
    void useProfile(const QString& name);

private:
    void refreshList();
    void showCurrent();
    void saveForm();
    void renameCurrent();
    void addProfile();
    void duplicateProfile();
    void deleteProfile();
    void testConnection();
    void showReport(const ConnectionReport& report);

    ClusterProfiles* m_profiles;
    GuiPrompter* m_guiPrompter; // a child; declined before the tester is waited for
    remote::ssh::CredentialPrompter* m_prompter;
    std::unique_ptr<ConnectionTester> m_tester;
    QListWidget* m_list;
    QPushButton* m_new;
    QPushButton* m_duplicate;
    QPushButton* m_delete;
    QLineEdit* m_name;
    ClusterProfileForm* m_form;
    QPushButton* m_use;
    QPushButton* m_test;
    QLabel* m_status;
};

} // namespace sweepline::gui
