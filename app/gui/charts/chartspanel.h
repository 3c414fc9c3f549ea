#pragma once

#include "model/result.h"
#include "model/trialtablemodel.h"

#include <QList>
#include <QSize>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QChartView;
class QCheckBox;
class QComboBox;
class QListView;
class QRadioButton;
class QTabWidget;
QT_END_NAMESPACE

namespace sweepline::gui {

class CurvePickerModel;
class LearningCurveChart;
class ParameterChart;
class TimelineChart;
class TransitionChart;
class TrialChart;

// The figures of a campaign, live as trials finish, one tab each with its own options and an
// "Export..." button (PNG at 2x or SVG):
//   Objective       - the metric against a chosen parameter, best starred (the Xcrypt poster's Fig. 1)
//   Search transition - the metric in trial order with batch brackets, the best of each batch, the
//                     default's value and the search stages (the d-Spline poster's Fig. 3)
//   Execution time  - elapsed time against a chosen parameter (the Xcrypt poster's Fig. 2)
//   Timeline        - queued and running span of every job, and how many ran at once
//   Learning curves - the intermediate values of the best five trials and the latest, or chosen ones
// Everything follows the TrialTableModel it is given; the panel never changes the model. Only the
// chart on show redraws as trials arrive; the others catch up when their tab is opened.
class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    enum class ChartKind { Objective, Transition, ExecutionTime, Timeline, LearningCurves };
    Q_ENUM(ChartKind)

    static const QList<ChartKind>& allCharts();
    static QString title(ChartKind kind);
    // The size of an export when the chart has not been on screen yet.
    static constexpr QSize defaultExportSize{900, 560};

    explicit ChartsPanel(model::TrialTableModel* model, QWidget* parent = nullptr);
    ~ChartsPanel() override;

    ChartKind currentChart() const;
    void setCurrentChart(ChartKind kind);

    // Writes the chart by the suffix of path: .png (twice the logical size) or .svg. Size: as the
    // chart is on screen, or defaultExportSize when it has not been shown.
    model::Status exportChart(ChartKind kind, const QString& path);
    // "<campaign>-<chart>[-<parameter>]" without suffix, for the save dialog.
    QString suggestedFileName(ChartKind kind) const;

    // The figures themselves (options, series), for the main window's menus and for tests.
    ParameterChart* objectiveChart() const { return m_objective; }
    TransitionChart* transitionChart() const { return m_transition; }
    ParameterChart* executionTimeChart() const { return m_executionTime; }
    TimelineChart* timelineChart() const { return m_timeline; }
    LearningCurveChart* learningCurveChart() const { return m_curves; }
    TrialChart* chart(ChartKind kind) const;
    QChartView* view(ChartKind kind) const;

public slots:
    // Asks for a file name and exports the chart on show (the "Export..." button).
    void exportCurrentChart();

signals:
    void chartExported(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    struct ParameterOptions {
        QComboBox* parameter = nullptr;
        QCheckBox* logScale = nullptr;
    };
    QWidget* parameterPage(ParameterChart* chart, ParameterOptions& options, const QString& name);
    QWidget* transitionPage();
    QWidget* timelinePage();
    QWidget* curvesPage();
    QChartView* newView(TrialChart* chart);
    void syncParameterOptions(ParameterChart* chart, const ParameterOptions& options);
    void updateLiveness();

    model::TrialTableModel* m_model;
    QTabWidget* m_tabs = nullptr;
    ParameterChart* m_objective = nullptr;
    TransitionChart* m_transition = nullptr;
    ParameterChart* m_executionTime = nullptr;
    TimelineChart* m_timeline = nullptr;
    LearningCurveChart* m_curves = nullptr;
    QList<QChartView*> m_views; // in allCharts() order
    ParameterOptions m_objectiveOptions;
    ParameterOptions m_timeOptions;
    CurvePickerModel* m_picker = nullptr;
    QRadioButton* m_automaticCurves = nullptr;
    QRadioButton* m_chosenCurves = nullptr;
    QListView* m_pickerView = nullptr;
};

} // namespace sweepline::gui
