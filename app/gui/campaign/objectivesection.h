#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace sweepline::gui {

class CampaignEditor;
class IssueTargets;

// Metric, direction, the optional pattern and step pattern, with a live test: paste a run's output and see which
// values the objective reads from it, the trial's value highlighted.
class ObjectiveSection : public QWidget {
    Q_OBJECT
public:
    explicit ObjectiveSection(CampaignEditor* editor, QWidget* parent = nullptr);
    void registerIssueTargets(IssueTargets& targets);

private:
    void refresh(); // from the campaign
    void runTest();

    CampaignEditor* m_editor;
    QLineEdit* m_metric;
    QComboBox* m_direction;
    QLineEdit* m_pattern;
    QLineEdit* m_stepPattern;
    QPlainTextEdit* m_output;
    QLabel* m_result;
};

} // namespace sweepline::gui
