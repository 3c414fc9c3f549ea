#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace sweepline::gui {

class CampaignEditor;
class IssueTargets;
class PlaceholderLineEdit;

// The job: its command (with {placeholder} completion), the files copied next to each trial, the time
// limit, where it runs, and a read-only preview of the job script for a chosen scheduler.
class JobSection : public QWidget {
    Q_OBJECT
public:
    explicit JobSection(CampaignEditor* editor, QWidget* parent = nullptr);
    void registerIssueTargets(IssueTargets& targets);

private:
    void refresh();
    void refreshPreview();
    void chooseFiles();
    void addFiles(const QStringList& absolutePaths);
    void removeSelectedFiles();

    CampaignEditor* m_editor;
    PlaceholderLineEdit* m_command;
    QLabel* m_placeholderHint;
    QListWidget* m_files;
    QPushButton* m_addFiles;
    QPushButton* m_removeFiles;
    QLineEdit* m_timeLimit;
    QLabel* m_cluster;
    QComboBox* m_previewScheduler;
    QPlainTextEdit* m_preview;
    QLabel* m_previewNotes;
    QString m_lastClusterScheduler;
};

} // namespace sweepline::gui
