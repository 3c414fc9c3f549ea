#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QScrollArea;

namespace sweepline::gui {

class CampaignEditor;
class IssueTargets;
class JobSection;
class ObjectiveSection;
class ParameterSection;
class SearchSection;

// The campaign form: name, parameter table, objective with its live test, search settings, job with
// the script preview, and the validator's messages under it. Each message is also shown at its field
// (red, with the message as tooltip); activating a message in the list goes to its field.
//
// The main window keeps Run enabled only while runAllowed(), following runAllowedChanged().
// Undo/redo: editor->undoStack() (createUndoAction/createRedoAction for the Edit menu).
class CampaignPanel : public QWidget {
    Q_OBJECT
public:
    explicit CampaignPanel(CampaignEditor* editor, QWidget* parent = nullptr);
    ~CampaignPanel() override;

    bool runAllowed() const;
    // Shows the field or table cell an issue's JSON path names; false when no field shows it.
    bool focusIssue(const QString& path);

signals:
    void runAllowedChanged(bool allowed);

private:
    void refresh();
    void showIssues();

    CampaignEditor* m_editor;
    std::unique_ptr<IssueTargets> m_targets;
    QScrollArea* m_scroll;
    QLineEdit* m_name;
    ParameterSection* m_parameters;
    ObjectiveSection* m_objective;
    SearchSection* m_search;
    JobSection* m_job;
    QLabel* m_status;
    QListWidget* m_issues;
};

} // namespace sweepline::gui
