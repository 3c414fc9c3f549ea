#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace sweepline::gui {

class CampaignEditor;
class ParameterTableModel;

// The parameter table with its buttons. Keyboard: Insert adds a row after the current one, Delete
// removes the current row, Alt+Up / Alt+Down move it; F2 or typing edits a cell.
class ParameterSection : public QWidget {
    Q_OBJECT
public:
    explicit ParameterSection(CampaignEditor* editor, QWidget* parent = nullptr);
    ~ParameterSection() override;

    ParameterTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    // Selects the cell an issue path names and gives it focus; false for a path it does not know.
    bool focusIssue(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void addRow();
    void removeRow();
    void moveRow(int delta);
    int currentRow() const;
    void updateButtons();
    void updateSummary();

    CampaignEditor* m_editor;
    ParameterTableModel* m_model;
    QTableView* m_view;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_up;
    QPushButton* m_down;
    QLabel* m_summary;
    QLabel* m_rejected;
};

} // namespace sweepline::gui
