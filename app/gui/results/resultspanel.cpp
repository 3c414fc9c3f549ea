#include "gui/results/resultspanel.h"

#include "gui/results/resultsexport.h"
#include "gui/results/toptrialsmodel.h"
#include "model/trialtablemodel.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

ResultsPanel::ResultsPanel(model::TrialTableModel* trials, QWidget* parent)
    : QWidget(parent),
      m_trials(trials),
      m_top(new TopTrialsModel(trials, this)),
      m_headline(new QLabel(this)),
      m_limit(new QSpinBox(this)),
      m_exportTable(new QPushButton(tr("Export table…"), this)),
      m_exportAll(new QPushButton(tr("Export all trials…"), this)),
      m_bestNote(new QLabel(this)),
      m_referenceNote(new QLabel(this)),
      m_table(new QTableView(this)),
      m_status(new QLabel(this))
{
    m_headline->setObjectName(u"headline"_s);
    m_limit->setObjectName(u"limit"_s);
    m_exportTable->setObjectName(u"exportTable"_s);
    m_exportAll->setObjectName(u"exportAll"_s);
    m_bestNote->setObjectName(u"bestNote"_s);
    m_referenceNote->setObjectName(u"referenceNote"_s);
    m_table->setObjectName(u"topTable"_s);
    m_status->setObjectName(u"exportStatus"_s);

    m_limit->setRange(1, 100);
    m_limit->setValue(m_top->limit());
    m_limit->setToolTip(tr("How many of the best trials to list"));
    connect(m_limit, &QSpinBox::valueChanged, m_top, &TopTrialsModel::setLimit);
    m_exportTable->setToolTip(tr("Save this table as CSV"));
    m_exportAll->setToolTip(tr("Save every trial of the campaign as CSV, as sweepline-cli export does"));
    connect(m_exportTable, &QPushButton::clicked, this, &ResultsPanel::exportTableInteractively);
    connect(m_exportAll, &QPushButton::clicked, this, &ResultsPanel::exportAllTrialsInteractively);

    m_table->setModel(m_top);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    connect(m_table->verticalScrollBar(), &QScrollBar::rangeChanged, this, &ResultsPanel::fitTable);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (const qint64 id = m_top->trialIdAt(index.row()))
            emit trialActivated(id);
    });

    for (QLabel* label : {m_bestNote, m_referenceNote}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_headline->setTextFormat(Qt::RichText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* top = new QHBoxLayout;
    top->addWidget(m_headline, 1);
    auto* limitLabel = new QLabel(tr("Show top"), this);
    limitLabel->setBuddy(m_limit);
    top->addWidget(limitLabel);
    top->addWidget(m_limit);
    top->addSpacing(12);
    top->addWidget(m_exportTable);
    top->addWidget(m_exportAll);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(m_bestNote);
    layout->addWidget(m_referenceNote);
    layout->addWidget(m_table);
    layout->addWidget(m_status);
    layout->addStretch(1);

    connect(m_top, &TopTrialsModel::referenceChanged, this, &ResultsPanel::updateNotes);
    connect(m_top, &QAbstractItemModel::dataChanged, this, &ResultsPanel::updateNotes);
    connect(m_top, &QAbstractItemModel::rowsInserted, this, &ResultsPanel::updateNotes);
    connect(m_top, &QAbstractItemModel::rowsRemoved, this, &ResultsPanel::updateNotes);
    connect(m_top, &QAbstractItemModel::modelReset, this, &ResultsPanel::updateNotes);
    updateNotes();
}

void ResultsPanel::updateNotes()
{
    const model::Campaign& campaign = m_trials->campaign();
    const QString metric = campaign.objective.metric.toHtmlEscaped();
    const QString better =
        campaign.objective.direction == model::Direction::Maximize ? tr("higher is better") : tr("lower is better");
    const int finished = m_top->finishedCount();
    if (finished == 0) {
        m_headline->setText(tr("<b>No finished trials yet</b>: the best appear here as trials finish."));
    } else if (finished == 1) {
        m_headline->setText(tr("<b>The one finished trial</b> by %1, %2").arg(metric, better));
    } else if (finished <= m_top->limit()) {
        m_headline->setText(tr("<b>All %1 finished trials</b> by %2, %3").arg(finished).arg(metric, better));
    } else {
        m_headline->setText(
            tr("<b>Top %1 of %2 finished trials</b> by %3, %4").arg(m_top->limit()).arg(finished).arg(metric, better));
    }

    if (m_top->rankedCount() > 0) {
        const qint64 bestId = m_top->trialIdAt(0);
        const QModelIndex value = m_top->index(0, m_top->metricColumn());
        QString text = tr("Best: trial %1, %2 %3").arg(bestId).arg(campaign.objective.metric, value.data().toString());
        const QVariant improvement = m_top->index(0, m_top->improvementColumn()).data(Qt::EditRole);
        const QVariant percent = m_top->index(0, m_top->improvementPercentColumn()).data(Qt::EditRole);
        if (improvement.isValid()) {
            const double amount = improvement.toDouble();
            const QString size = QString::number(std::abs(amount), 'g', 4)
                + (percent.isValid() ? u" (%1 %)"_s.arg(std::abs(percent.toDouble()), 0, 'f', 2) : QString());
            text += amount > 0 ? tr(", %1 better than the default configuration.").arg(size)
                : amount < 0   ? tr(", %1 worse than the default configuration.").arg(size)
                               : tr(", the same as the default configuration.");
        } else {
            text += u'.';
        }
        m_bestNote->setText(text);
        m_bestNote->show();
    } else {
        m_bestNote->hide();
    }
    m_referenceNote->setText(m_top->reference().description(campaign));
    // Without a measured default there is nothing to improve on: no empty columns. Every column is
    // set, since the improvement columns move when the campaign's parameters change.
    for (int column = 0; column < m_top->columnCount(); ++column) {
        const bool improvement = column == m_top->improvementColumn() || column == m_top->improvementPercentColumn();
        m_table->setColumnHidden(column, improvement && !m_top->reference().isMeasured());
    }
    fitTable();
    m_exportTable->setEnabled(m_top->rowCount() > 0);
    m_exportAll->setEnabled(!m_trials->trials().isEmpty());
}

void ResultsPanel::fitTable()
{
    // As tall as its rows and as wide as its columns, so the notes and the table read as one block
    // with no empty band; a long top-N or a narrow panel scrolls. Measured here from every row
    // (at most 101): the view's own measuring sees only the rows in view, which depend on the size.
    if (!layout())
        return; // still being built
    const QFontMetrics metrics(m_table->font());
    QHeaderView* header = m_table->horizontalHeader();
    const int padding = 2 * m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_table) + 14;
    int width = 0;
    for (int column = 0; column < m_top->columnCount(); ++column) {
        if (m_table->isColumnHidden(column))
            continue;
        int columnWidth = header->sectionSizeHint(column);
        for (int row = 0; row < m_top->rowCount(); ++row)
            columnWidth =
                std::max(columnWidth, metrics.horizontalAdvance(m_top->index(row, column).data().toString()) + padding);
        m_table->setColumnWidth(column, columnWidth);
        width += columnWidth;
    }
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    const int frame = 2 * m_table->frameWidth();
    const int rows = std::max(1, m_top->rowCount());
    const QScrollBar* vertical = m_table->verticalScrollBar();
    const int headerHeight = header->sizeHint().height();
    const int fullWidth = width + frame + (vertical->maximum() > 0 ? vertical->sizeHint().width() : 0);
    const QMargins margins = layout()->contentsMargins();
    const bool scrollsSideways = fullWidth > contentsRect().width() - margins.left() - margins.right();
    const int height = headerHeight + rows * rowHeight + frame
        + (scrollsSideways ? m_table->horizontalScrollBar()->sizeHint().height() : 0);
    m_table->setMaximumHeight(height);
    m_table->setMinimumHeight(std::min(height, headerHeight + 3 * rowHeight + frame));
    m_table->setMaximumWidth(fullWidth);
}

void ResultsPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitTable(); // narrower than the table: room for its horizontal scroll bar
}

model::Status ResultsPanel::exportTable(const QString& path) const
{
    return writeExportFile(path, m_top->toCsv());
}

model::Status ResultsPanel::exportAllTrials(const QString& path) const
{
    return writeExportFile(path, allTrialsCsv(*m_trials));
}

void ResultsPanel::exportTableInteractively()
{
    exportInteractively(false);
}

void ResultsPanel::exportAllTrialsInteractively()
{
    exportInteractively(true);
}

QString ResultsPanel::suggestedPath(const QString& suffix) const
{
    const model::Campaign& campaign = m_trials->campaign();
    const QString folder =
        campaign.sourcePath.isEmpty() ? QDir::homePath() : QFileInfo(campaign.sourcePath).absolutePath();
    const QString base = campaign.name.isEmpty() ? u"campaign"_s : campaign.name;
    return QDir(folder).filePath(base + suffix + u".csv"_s);
}

void ResultsPanel::exportInteractively(bool allTrials)
{
    const QString suffix = allTrials ? u"-trials"_s : u"-top%1"_s.arg(m_top->limit());
    const QString path = QFileDialog::getSaveFileName(this, allTrials ? tr("Export all trials") : tr("Export table"),
                                                      suggestedPath(suffix), tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    const model::Status status = allTrials ? exportAllTrials(path) : exportTable(path);
    if (!status) {
        m_status->clear();
        QMessageBox::warning(this, tr("Export failed"), status.error());
        return;
    }
    const int rows = allTrials ? int(m_trials->trials().size()) : m_top->rowCount();
    m_status->setText(tr("Saved %n row(s) to %1", nullptr, rows).arg(QDir::toNativeSeparators(path)));
}

} // namespace sweepline::gui
