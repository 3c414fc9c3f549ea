#pragma once

#include <QList>
#include <QWidget>

class QAction;
class QButtonGroup;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

class JobsController;
class StateDelegate;
class TrialDetailsView;

// The jobs monitor: every trial of the campaign, live, in a sortable and filterable table.
//
//   - a summary line: how many trials are in each state, and the best so far;
//   - state buttons (All, Active, Done, Pruned, Failed, Cancelled, each with its count) and a filter field
//     (plain text matches any column; "hidden=32", "loss<0.1", "state=running" one column);
//   - the table: trial, parameters, state (coloured), job id, queue and run time (counting while
//     unfinished), metric (the best in bold), error (the first line; the tooltip has all of it);
//   - "Cancel trial" on the toolbar and the context menu, for selected unfinished trials;
//   - Ctrl+C copies the selected rows as tab-separated text with a header line;
//   - a details pane for the current trial: values, labels, timestamps, learning curve, error.
//
// Rows change in place as the model's trials change: no reset, selection and scroll position kept.
class JobsPanel : public QWidget {
    Q_OBJECT
public:
    // trials is not owned and must outlive the panel.
    explicit JobsPanel(model::TrialTableModel* trials, QWidget* parent = nullptr);

    JobsController* controller() const { return m_controller; }
    QList<qint64> selectedTrials() const; // in displayed order

public slots:
    // Selects the trial and scrolls to it, clearing the filters if they hide it.
    void selectTrial(qint64 id);
    void copySelection();
    // Emits cancelTrialRequested for each selected trial that has not finished.
    void cancelSelected();

signals:
    // The user asked to cancel this trial; the run controller does it, and the trial's new state
    // comes back through the model.
    void cancelTrialRequested(qint64 trialId);
    // Double-click on a trial.
    void trialActivated(qint64 trialId);

private:
    void buildLayout();
    void updateSummary();
    void updateActions();
    void fitColumns();
    QList<int> selectedProxyRows() const;

    JobsController* m_controller;
    QLabel* m_summary;
    QButtonGroup* m_stateButtons;
    QLineEdit* m_filter;
    QTableView* m_table;
    TrialDetailsView* m_details;
    QAction* m_cancelAction;
    QAction* m_copyAction;
    StateDelegate* m_stateDelegate;
    int m_stateColumn = -1;
    QTimer* m_filterDelay;
    bool m_columnsFitted = false;
};

} // namespace sweepline::gui
