#pragma once

#include <QWidget>

class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace sweepline::gui {

class CampaignEditor;
class IssueTargets;

// Strategy, budget (max_trials), parallel trials and seed, and the early-stopping rule with the
// options of the chosen rule only.
class SearchSection : public QWidget {
    Q_OBJECT
public:
    explicit SearchSection(CampaignEditor* editor, QWidget* parent = nullptr);
    void registerIssueTargets(IssueTargets& targets);

private:
    void buildEarlyStopping();
    void refresh();
    void refreshEarlyStopping();

    CampaignEditor* m_editor;
    QComboBox* m_strategy;
    QLabel* m_strategyHelp;
    QSpinBox* m_maxTrials;
    QSpinBox* m_parallel;
    QLineEdit* m_seed;
    QLabel* m_budgetHint;

    QGroupBox* m_earlyStopping;
    QFormLayout* m_stoppingForm;
    QComboBox* m_rule;
    QLabel* m_ruleHelp;
    QSpinBox* m_startupTrials;
    QSpinBox* m_warmupSteps;
    QSpinBox* m_minSteps;
    QSpinBox* m_reductionFactor;
    QSpinBox* m_maxSteps; // its minimum, 0, reads "auto"
};

} // namespace sweepline::gui
