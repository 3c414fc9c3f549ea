#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace sweepline::gui {

class CampaignEditor;
class IssueTargets;

// Strategy, budget (max_trials), parallel trials and seed.
class SearchSection : public QWidget {
    Q_OBJECT
public:
    explicit SearchSection(CampaignEditor* editor, QWidget* parent = nullptr);
    void registerIssueTargets(IssueTargets& targets);

private:
    void refresh();

    CampaignEditor* m_editor;
    QComboBox* m_strategy;
    QLabel* m_strategyHelp;
    QSpinBox* m_maxTrials;
    QSpinBox* m_parallel;
    QLineEdit* m_seed;
    QLabel* m_budgetHint;
};

} // namespace sweepline::gui
