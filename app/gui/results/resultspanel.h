#pragma once

#include "model/result.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QSpinBox;
class QTableView;

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

class TopTrialsModel;

// The results of a campaign: the top N trials by its objective (N in a spin box, 5 by default)
// with the default configuration as the reference row and each trial's improvement over it, a
// sentence on the best trial and one on the default configuration ("the default configuration has
// not been measured" when no trial ran it), and CSV exports of this table and of all trials.
// Live: follows the trial model as trials finish.
class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    // trials is not owned and must outlive the panel.
    explicit ResultsPanel(model::TrialTableModel* trials, QWidget* parent = nullptr);

    TopTrialsModel* topTrials() const { return m_top; }

    // The exports behind the buttons, without dialogs.
    model::Status exportTable(const QString& path) const;     // TopTrialsModel::toCsv()
    model::Status exportAllTrials(const QString& path) const; // model::exportCsv, every trial

public slots:
    // Ask for a file name, export, and report the outcome in the panel (or a message box on error).
    void exportTableInteractively();
    void exportAllTrialsInteractively();

signals:
    void trialActivated(qint64 trialId); // double-click on a row

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateNotes();
    void fitTable();
    void exportInteractively(bool allTrials);
    QString suggestedPath(const QString& suffix) const;

    model::TrialTableModel* m_trials;
    TopTrialsModel* m_top;
    QLabel* m_headline;
    QSpinBox* m_limit;
    QPushButton* m_exportTable;
    QPushButton* m_exportAll;
    QLabel* m_bestNote;
    QLabel* m_referenceNote;
    QTableView* m_table;
    QLabel* m_status;
};

} // namespace sweepline::gui
