#include "gui/charts/chartspanel.h"

#include "gui/charts/chartexport.h"
#include "gui/charts/curvepickermodel.h"
#include "gui/charts/learningcurvechart.h"
#include "gui/charts/parameterchart.h"
#include "gui/charts/timelinechart.h"
#include "gui/charts/transitionchart.h"

#include <QButtonGroup>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QHBoxLayout* optionsRow(QVBoxLayout* page)
{
    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 2, 4, 2);
    page->addLayout(row);
    return row;
}

QVBoxLayout* newPageLayout(QWidget* page)
{
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    return layout;
}

QString fileSafe(QString text)
{
    static const QRegularExpression unsafe(u"[^A-Za-z0-9_.-]+"_s);
    return text.replace(unsafe, u"_"_s);
}

} // namespace

const QList<ChartsPanel::ChartKind>& ChartsPanel::allCharts()
{
    static const QList<ChartKind> kinds{ChartKind::Objective, ChartKind::Transition, ChartKind::ExecutionTime,
                                        ChartKind::Timeline, ChartKind::LearningCurves};
    return kinds;
}

QString ChartsPanel::title(ChartKind kind)
{
    switch (kind) {
    case ChartKind::Objective:
        return tr("Objective");
    case ChartKind::Transition:
        return tr("Search transition");
    case ChartKind::ExecutionTime:
        return tr("Execution time");
    case ChartKind::Timeline:
        return tr("Timeline");
    case ChartKind::LearningCurves:
        return tr("Learning curves");
    }
    return {};
}

ChartsPanel::ChartsPanel(model::TrialTableModel* model, QWidget* parent) : QWidget(parent), m_model(model)
{
    m_objective = new ParameterChart(ParameterChart::Measure::Objective, model, this);
    m_transition = new TransitionChart(model, this);
    m_executionTime = new ParameterChart(ParameterChart::Measure::ExecutionTime, model, this);
    m_timeline = new TimelineChart(model, this);
    m_curves = new LearningCurveChart(model, this);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    for (ChartKind kind : allCharts()) {
        QWidget* page = nullptr;
        switch (kind) {
        case ChartKind::Objective:
            page = parameterPage(m_objective, m_objectiveOptions, u"objective"_s);
            break;
        case ChartKind::Transition:
            page = transitionPage();
            break;
        case ChartKind::ExecutionTime:
            page = parameterPage(m_executionTime, m_timeOptions, u"executionTime"_s);
            break;
        case ChartKind::Timeline:
            page = timelinePage();
            break;
        case ChartKind::LearningCurves:
            page = curvesPage();
            break;
        }
        m_tabs->addTab(page, title(kind));
    }
    auto* exportButton = new QPushButton(tr("Export…"), m_tabs);
    exportButton->setToolTip(tr("Save the chart on show as PNG or SVG"));
    connect(exportButton, &QPushButton::clicked, this, &ChartsPanel::exportCurrentChart);
    m_tabs->setCornerWidget(exportButton, Qt::TopRightCorner);
    connect(m_tabs, &QTabWidget::currentChanged, this, &ChartsPanel::updateLiveness);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    updateLiveness();
}

ChartsPanel::~ChartsPanel()
{
    // The views own the charts through their scenes; the figure objects must not outlive them.
    delete m_tabs;
}

QChartView* ChartsPanel::newView(TrialChart* chart)
{
    auto* view = new QChartView(chart->chart());
    view->setRenderHint(QPainter::Antialiasing);
    // Chart items move whenever an axis range changes; a BSP index would be rebuilt each time.
    view->scene()->setItemIndexMethod(QGraphicsScene::NoIndex);
    view->setFrameShape(QFrame::NoFrame);
    view->setMinimumSize(360, 240);
    m_views.append(view);
    return view;
}

QWidget* ChartsPanel::parameterPage(ParameterChart* chart, ParameterOptions& options, const QString& name)
{
    auto* page = new QWidget;
    QVBoxLayout* layout = newPageLayout(page);
    QHBoxLayout* row = optionsRow(layout);
    auto* label = new QLabel(tr("&Parameter:"), page);
    options.parameter = new QComboBox(page);
    options.parameter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    label->setBuddy(options.parameter);
    options.logScale = new QCheckBox(tr("&Log scale"), page);
    options.parameter->setObjectName(name + u"Parameter"_s);
    options.logScale->setObjectName(name + u"LogScale"_s);
    options.logScale->setToolTip(tr("On by default when the campaign spaces the parameter's range logarithmically"));
    row->addWidget(label);
    row->addWidget(options.parameter);
    row->addSpacing(12);
    row->addWidget(options.logScale);
    row->addStretch();
    layout->addWidget(newView(chart), 1);

    connect(options.parameter, &QComboBox::currentIndexChanged, chart, &ParameterChart::setParameter);
    connect(options.logScale, &QCheckBox::toggled, chart, &ParameterChart::setLogScale);
    connect(chart, &ParameterChart::optionsChanged, this,
            [this, chart, options] { syncParameterOptions(chart, options); });
    syncParameterOptions(chart, options);
    return page;
}

void ChartsPanel::syncParameterOptions(ParameterChart* chart, const ParameterOptions& options)
{
    const QSignalBlocker blockCombo(options.parameter);
    const QSignalBlocker blockLog(options.logScale);
    QStringList names;
    for (const model::Parameter& p : m_model->campaign().parameters)
        names.append(p.name);
    QStringList shown;
    for (int i = 0; i < options.parameter->count(); ++i)
        shown.append(options.parameter->itemText(i));
    if (shown != names) {
        options.parameter->clear();
        options.parameter->addItems(names);
    }
    options.parameter->setCurrentIndex(chart->parameter());
    options.parameter->setEnabled(!names.isEmpty());
    options.logScale->setEnabled(chart->logScaleAvailable());
    options.logScale->setChecked(chart->logScale());
}

QWidget* ChartsPanel::transitionPage()
{
    auto* page = new QWidget;
    QVBoxLayout* layout = newPageLayout(page);
    QHBoxLayout* row = optionsRow(layout);
    auto* bestSoFar = new QCheckBox(tr("&Best so far"), page);
    bestSoFar->setObjectName(u"bestSoFar"_s);
    bestSoFar->setToolTip(tr("A step line through the best value found up to each trial"));
    row->addWidget(bestSoFar);
    row->addStretch();
    connect(bestSoFar, &QCheckBox::toggled, m_transition, &TransitionChart::setShowBestSoFar);
    layout->addWidget(newView(m_transition), 1);
    return page;
}

QWidget* ChartsPanel::timelinePage()
{
    auto* page = new QWidget;
    QVBoxLayout* layout = newPageLayout(page);
    layout->addWidget(newView(m_timeline), 1);
    return page;
}

QWidget* ChartsPanel::curvesPage()
{
    auto* page = new QWidget;
    QVBoxLayout* layout = newPageLayout(page);
    QHBoxLayout* row = optionsRow(layout);
    m_automaticCurves = new QRadioButton(tr("B&est %1 and the latest").arg(LearningCurveChart::defaultBestCount), page);
    m_chosenCurves = new QRadioButton(tr("&Chosen trials"), page);
    m_automaticCurves->setObjectName(u"automaticCurves"_s);
    m_chosenCurves->setObjectName(u"chosenCurves"_s);
    auto* group = new QButtonGroup(page);
    group->addButton(m_automaticCurves);
    group->addButton(m_chosenCurves);
    m_automaticCurves->setChecked(true);
    row->addWidget(m_automaticCurves);
    row->addWidget(m_chosenCurves);
    row->addStretch();

    auto* body = new QHBoxLayout;
    body->setSpacing(4);
    body->addWidget(newView(m_curves), 1);
    m_picker = new CurvePickerModel(m_model, this);
    m_pickerView = new QListView(page);
    m_pickerView->setObjectName(u"curveTrials"_s);
    m_pickerView->setModel(m_picker);
    m_pickerView->setUniformItemSizes(true);
    m_pickerView->setFixedWidth(
        m_pickerView->fontMetrics().horizontalAdvance(u"Trial 00000: 0.00000e-00, 000 reports"_s) + 30);
    m_pickerView->setToolTip(tr("Trials that reported intermediate values, best first"));
    body->addWidget(m_pickerView);
    layout->addLayout(body, 1);

    connect(m_automaticCurves, &QRadioButton::toggled, this, [this](bool automatic) {
        if (automatic)
            m_curves->setAutomaticSelection();
        else
            m_curves->setSelectedTrials(m_curves->shownTrials());
    });
    // Ticking a trial makes the choice the user's own; the automatic choice shows as ticks.
    connect(m_picker, &CurvePickerModel::checkedChanged, this, [this](const QList<qint64>& ids) {
        {
            const QSignalBlocker block(m_chosenCurves);
            m_chosenCurves->setChecked(true);
        }
        m_curves->setSelectedTrials(ids);
    });
    connect(m_curves, &LearningCurveChart::shownTrialsChanged, m_picker, &CurvePickerModel::setChecked);
    return page;
}

ChartsPanel::ChartKind ChartsPanel::currentChart() const
{
    return allCharts().value(m_tabs->currentIndex(), ChartKind::Objective);
}

void ChartsPanel::setCurrentChart(ChartKind kind)
{
    m_tabs->setCurrentIndex(int(allCharts().indexOf(kind)));
}

TrialChart* ChartsPanel::chart(ChartKind kind) const
{
    switch (kind) {
    case ChartKind::Objective:
        return m_objective;
    case ChartKind::Transition:
        return m_transition;
    case ChartKind::ExecutionTime:
        return m_executionTime;
    case ChartKind::Timeline:
        return m_timeline;
    case ChartKind::LearningCurves:
        return m_curves;
    }
    return nullptr;
}

QChartView* ChartsPanel::view(ChartKind kind) const
{
    return m_views.value(allCharts().indexOf(kind));
}

void ChartsPanel::updateLiveness()
{
    const bool shown = isVisible();
    for (ChartKind kind : allCharts())
        chart(kind)->setLive(shown && kind == currentChart());
}

void ChartsPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    updateLiveness();
}

void ChartsPanel::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    updateLiveness();
}

QString ChartsPanel::suggestedFileName(ChartKind kind) const
{
    static const QStringList slugs{u"objective"_s, u"transition"_s, u"execution-time"_s, u"timeline"_s,
                                   u"learning-curves"_s};
    QString name = m_model->campaign().name.isEmpty() ? u"campaign"_s : m_model->campaign().name;
    name += u'-' + slugs.value(int(allCharts().indexOf(kind)));
    const ParameterChart* byParameter = kind == ChartKind::Objective ? m_objective
        : kind == ChartKind::ExecutionTime                           ? m_executionTime
                                                                     : nullptr;
    if (byParameter && byParameter->parameter() >= 0)
        name += u"-vs-"_s + m_model->campaign().parameters.at(byParameter->parameter()).name;
    return fileSafe(name);
}

model::Status ChartsPanel::exportChart(ChartKind kind, const QString& path)
{
    TrialChart* figure = chart(kind);
    figure->flush(); // up to date even when its tab is hidden
    const QChartView* v = view(kind);
    // A view that has been laid out on screen exports what the user sees; otherwise a paper size.
    const bool laidOut = v->isVisible() && v->width() >= 320 && v->height() >= 200;
    const QSize size = laidOut ? v->size() : defaultExportSize;
    return exportChartFile(figure->chart(), path, size, title(kind));
}

void ChartsPanel::exportCurrentChart()
{
    const ChartKind kind = currentChart();
    QString selectedFilter;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export %1").arg(title(kind)), suggestedFileName(kind) + u".png"_s,
                                     tr("PNG image (*.png);;SVG drawing (*.svg)"), &selectedFilter);
    if (path.isEmpty())
        return;
    QString target = path;
    if (!target.endsWith(u".png"_s, Qt::CaseInsensitive) && !target.endsWith(u".svg"_s, Qt::CaseInsensitive))
        target += selectedFilter.contains(u"svg"_s) ? u".svg"_s : u".png"_s;
    const model::Status status = exportChart(kind, target);
    if (!status) {
        QMessageBox::warning(this, tr("Export failed"), status.error());
        return;
    }
    emit chartExported(target);
}

} // namespace sweepline::gui
