#include "gui/jobs/jobspanel.h"

#include "gui/jobs/jobscontroller.h"
#include "gui/jobs/statedelegate.h"
#include "gui/jobs/trialdetailsview.h"
#include "model/trialtablemodel.h"

#include <QAction>
#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

JobsPanel::JobsPanel(model::TrialTableModel* trials, QWidget* parent)
    : QWidget(parent),
      m_controller(new JobsController(trials, this)),
      m_summary(new QLabel(this)),
      m_stateButtons(new QButtonGroup(this)),
      m_filter(new QLineEdit(this)),
      m_table(new QTableView(this)),
      m_details(new TrialDetailsView(trials, this)),
      m_cancelAction(new QAction(style()->standardIcon(QStyle::SP_BrowserStop), tr("Cancel trial"), this)),
      m_copyAction(new QAction(tr("Copy rows"), this)),
      m_stateDelegate(new StateDelegate(this)),
      m_filterDelay(new QTimer(this))
{
    m_summary->setObjectName(u"summary"_s);
    m_filter->setObjectName(u"filter"_s);
    m_table->setObjectName(u"trialTable"_s);
    m_details->setObjectName(u"trialDetails"_s);
    m_cancelAction->setObjectName(u"cancelTrial"_s);
    m_copyAction->setObjectName(u"copyRows"_s);

    m_cancelAction->setToolTip(tr("Cancel the selected trials that have not finished"));
    m_copyAction->setShortcut(QKeySequence::Copy);
    m_copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copyAction->setToolTip(tr("Copy the selected rows as tab-separated text (%1)")
                                 .arg(QKeySequence(QKeySequence::Copy).toString(QKeySequence::NativeText)));
    connect(m_cancelAction, &QAction::triggered, this, &JobsPanel::cancelSelected);
    connect(m_copyAction, &QAction::triggered, this, &JobsPanel::copySelection);

    TrialProxyModel* proxy = m_controller->proxy();
    m_table->setModel(proxy);
    m_stateColumn = trials->stateColumn();
    m_table->setItemDelegateForColumn(m_stateColumn, m_stateDelegate);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(trials->trialColumn(), Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addAction(m_cancelAction);
    m_table->addAction(m_copyAction);
    // No per-row measuring: 10,000 rows open as fast as 10.
    QHeaderView* rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 8);
    QHeaderView* columns = m_table->horizontalHeader();
    columns->setStretchLastSection(true);
    columns->setResizeContentsPrecision(200);
    columns->setHighlightSections(false);

    m_filter->setPlaceholderText(tr("Filter: text, or hidden=32, loss<0.1, state=running"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(
        tr("Every word must match. Plain words match any column; <i>name=value</i>, <i>name&lt;value</i> "
           "(also != &lt;= &gt; &gt;=) compare one column: a parameter, the metric, trial, state, job, queued "
           "(s), elapsed (s) or error. \"Quotes\" keep a phrase together."));
    // Refiltering 10,000 rows on every keystroke would make typing lag: wait for a pause.
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(150);
    connect(m_filter, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    connect(m_filterDelay, &QTimer::timeout, this, [this] { m_controller->proxy()->setFilterText(m_filter->text()); });
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_filterDelay->stop();
        m_controller->proxy()->setFilterText(m_filter->text());
    });

    buildLayout();

    connect(m_controller, &JobsController::summaryChanged, this, &JobsPanel::updateSummary);
    connect(m_controller, &JobsController::clockTicked, m_details, &TrialDetailsView::setNow);
    m_details->setNow(m_controller->proxy()->now());
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobsPanel::updateActions);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                m_details->showTrial(current.isValid() ? m_controller->proxy()->trialIdAt(current.row()) : 0);
            });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (const qint64 id = m_controller->proxy()->trialIdAt(index.row()))
            emit trialActivated(id);
    });
    // A selected trial that finishes can no longer be cancelled.
    connect(proxy, &QAbstractItemModel::dataChanged, this, &JobsPanel::updateActions);
    connect(proxy, &QAbstractItemModel::modelReset, this, [this] {
        // Another campaign may have another number of parameters: the state column moves.
        m_table->setItemDelegateForColumn(m_stateColumn, nullptr);
        m_stateColumn = m_controller->trials()->stateColumn();
        m_table->setItemDelegateForColumn(m_stateColumn, m_stateDelegate);
        m_columnsFitted = false;
        fitColumns();
        updateActions();
    });
    connect(proxy, &QAbstractItemModel::rowsInserted, this, &JobsPanel::fitColumns);

    updateSummary();
    updateActions();
    fitColumns();
}

void JobsPanel::buildLayout()
{
    auto* chips = new QHBoxLayout;
    chips->setSpacing(2);
    m_stateButtons->setExclusive(true);
    for (StateGroup group : allStateGroups()) {
        auto* button = new QToolButton(this);
        button->setObjectName(u"state%1"_s.arg(displayName(group)));
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setChecked(group == StateGroup::All);
        m_stateButtons->addButton(button, int(group));
        chips->addWidget(button);
    }
    connect(m_stateButtons, &QButtonGroup::idClicked, this,
            [this](int id) { m_controller->proxy()->setStateGroup(StateGroup(id)); });

    auto* toolbar = new QHBoxLayout;
    toolbar->addLayout(chips);
    toolbar->addSpacing(8);
    toolbar->addWidget(m_filter, 1);
    for (QAction* action : {m_cancelAction, m_copyAction}) {
        auto* button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setAutoRaise(true);
        toolbar->addWidget(button);
    }

    m_details->setMinimumWidth(220);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setCollapsible(0, false);

    m_summary->setTextFormat(Qt::RichText);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_summary);
    layout->addLayout(toolbar);
    layout->addWidget(splitter, 1);
}

void JobsPanel::updateSummary()
{
    const TrialSummary& summary = m_controller->summary();
    m_summary->setText(summaryHtml(summary, m_controller->trials()->campaign()));
    for (StateGroup group : allStateGroups()) {
        QAbstractButton* button = m_stateButtons->button(int(group));
        button->setText(u"%1 %2"_s.arg(displayName(group)).arg(summary.count(group)));
    }
}

QList<int> JobsPanel::selectedProxyRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    rows.reserve(selected.size());
    for (const QModelIndex& index : selected)
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

QList<qint64> JobsPanel::selectedTrials() const
{
    QList<qint64> ids;
    for (int row : selectedProxyRows())
        ids.append(m_controller->proxy()->trialIdAt(row));
    return ids;
}

void JobsPanel::updateActions()
{
    const QList<int> rows = selectedProxyRows();
    const int cancellable = int(m_controller->cancellableTrials(rows).size());
    m_cancelAction->setEnabled(cancellable > 0);
    m_cancelAction->setText(cancellable > 1 ? tr("Cancel %1 trials").arg(cancellable) : tr("Cancel trial"));
    m_copyAction->setEnabled(!rows.isEmpty());
}

void JobsPanel::cancelSelected()
{
    for (qint64 id : m_controller->cancellableTrials(selectedProxyRows()))
        emit cancelTrialRequested(id);
}

void JobsPanel::copySelection()
{
    const QList<int> rows = selectedProxyRows();
    if (rows.isEmpty())
        return;
    // Columns as the user arranged them, hidden ones left out.
    QList<int> columns;
    const QHeaderView* header = m_table->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns.append(logical);
    }
    QApplication::clipboard()->setText(m_controller->rowsAsTsv(rows, columns));
}

void JobsPanel::selectTrial(qint64 id)
{
    TrialProxyModel* proxy = m_controller->proxy();
    if (m_controller->trials()->rowOfTrial(id) < 0)
        return;
    if (proxy->rowOfTrial(id) < 0) {
        m_filter->clear();
        m_filterDelay->stop();
        proxy->setFilterText({});
        m_stateButtons->button(int(StateGroup::All))->setChecked(true);
        proxy->setStateGroup(StateGroup::All);
    }
    const int row = proxy->rowOfTrial(id);
    if (row < 0)
        return;
    const QModelIndex index = proxy->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void JobsPanel::fitColumns()
{
    // Measured once there are rows to measure (at most 200 of them); after that the user's widths stay.
    if (m_columnsFitted || m_controller->proxy()->rowCount() == 0)
        return;
    m_columnsFitted = true;
    m_table->resizeColumnsToContents();
    const model::TrialTableModel* trials = m_controller->trials();
    QHeaderView* header = m_table->horizontalHeader();
    // Durations grow ("1:02:03" after "42.3 s"), so leave room; keep a long error from taking all.
    const int durationWidth = fontMetrics().horizontalAdvance(u"00:00:00"_s) + 16;
    for (int column : {trials->queuedColumn(), trials->elapsedColumn()})
        header->resizeSection(column, std::max(header->sectionSize(column), durationWidth));
    header->resizeSection(trials->errorColumn(), std::min(header->sectionSize(trials->errorColumn()), 400));
    // The first rows rarely hold the widest values: every candidate of a parameter may come, and
    // the metric (six digits, the best in bold) is not even known yet while they run.
    const QFontMetrics plain(m_table->font());
    QFont boldFont = m_table->font();
    boldFont.setBold(true);
    const int padding = 16;
    const auto& parameters = trials->campaign().parameters;
    for (qsizetype p = 0; p < parameters.size(); ++p) {
        int widest = 0;
        for (const QVariant& candidate : parameters.at(p).candidates)
            widest = std::max(widest, plain.horizontalAdvance(model::Campaign::formatValue(candidate)));
        const int column = trials->parameterColumn(int(p));
        header->resizeSection(column, std::max(header->sectionSize(column), std::min(widest + padding, 240)));
    }
    const int metricWidth = QFontMetrics(boldFont).horizontalAdvance(u"-0.000000"_s) + padding;
    const int metric = trials->metricColumn();
    header->resizeSection(metric, std::max(header->sectionSize(metric) + 12, metricWidth));
}

} // namespace sweepline::gui
