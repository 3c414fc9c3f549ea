#pragma once

#include <QDateTime>
#include <QList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTextBrowser;

namespace sweepline::model {
class TrialTableModel;
struct TrialRecord;
} // namespace sweepline::model

namespace sweepline::gui {

// A trial's learning curve (every value of the metric it printed, in order) as a small line chart.
class LearningCurveView : public QWidget {
    Q_OBJECT
public:
    explicit LearningCurveView(QWidget* parent = nullptr);
    // stopIndex: the value the early-stopping rule stopped the trial at (marked, the later ones
    // greyed), or -1.
    void setValues(const QList<double>& values, qsizetype stopIndex = -1);
    const QList<double>& values() const { return m_values; }
    qsizetype stopIndex() const { return m_stopIndex; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<double> m_values;
    qsizetype m_stopIndex = -1;
};

// Everything about one trial: its parameter values (the defaults marked), the metric, job, attempt,
// labels (stage, direction, batch), timestamps, learning curve and the full error. Follows the
// trial as it changes in the model.
class TrialDetailsView : public QWidget {
    Q_OBJECT
public:
    explicit TrialDetailsView(model::TrialTableModel* trials, QWidget* parent = nullptr);

    qint64 trialId() const { return m_trialId; }

public slots:
    void showTrial(qint64 id); // 0: nothing selected
    // The clock for the queue and run times of an unfinished trial, as in the table.
    void setNow(const QDateTime& now);

private:
    void refresh();
    void refreshIfShown(int firstRow, int lastRow);
    QString detailsHtml(const model::TrialRecord& trial) const;

    model::TrialTableModel* m_trials;
    qint64 m_trialId = 0;
    QDateTime m_now;
    QLabel* m_title;
    QTextBrowser* m_details;
    QLabel* m_curveCaption;
    LearningCurveView* m_curve;
    QLabel* m_curveValues;
    QLabel* m_errorCaption;
    QPlainTextEdit* m_error;
};

} // namespace sweepline::gui
