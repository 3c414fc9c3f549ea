#pragma once

#include "model/campaign.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace sweepline::gui {

class IssueTargets;

// The fields of one cluster profile. Checked as the campaign validator checks a cluster section, and
// the directives as the scheduler's adapter would refuse them; problems are marked at their field.
class ClusterProfileForm : public QWidget {
    Q_OBJECT
public:
    explicit ClusterProfileForm(QWidget* parent = nullptr);
    ~ClusterProfileForm() override;

    void setSettings(const model::ClusterSettings& settings); // emits nothing
    model::ClusterSettings settings() const;                  // remote keys left out for "local"
    void setReadOnly(bool readOnly);
    QStringList issues() const; // "host: is required ..."

signals:
    void edited(); // by the user

private:
    void updateEnabled();
    void refreshHostAliases();
    void validate();
    void chooseIdentity();
    void userEdit();

    std::unique_ptr<IssueTargets> m_targets;
    QComboBox* m_scheduler;
    QComboBox* m_host;
    QSpinBox* m_port;
    QLineEdit* m_user;
    QLineEdit* m_identity;
    QPushButton* m_browseIdentity;
    QLineEdit* m_workdir;
    QPlainTextEdit* m_directives;
    QPlainTextEdit* m_setup;
    QSpinBox* m_pollInterval;
    QSpinBox* m_parallelSubmissions;
    QSpinBox* m_maxQueued;
    QLineEdit* m_knownHosts;
    QLineEdit* m_sshConfig;
    QLabel* m_issueText;
    QStringList m_issues;
    bool m_readOnly = false;
    bool m_loading = false;
};

} // namespace sweepline::gui
