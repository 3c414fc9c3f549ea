#include "gui/campaign/parametersection.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/parameterdelegate.h"
#include "gui/campaign/parametertablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

ParameterSection::ParameterSection(CampaignEditor* editor, QWidget* parent)
    : QWidget(parent),
      m_editor(editor),
      m_model(new ParameterTableModel(editor, this)),
      m_view(new QTableView(this)),
      m_add(new QPushButton(u"&Add"_s, this)),
      m_remove(new QPushButton(u"&Remove"_s, this)),
      m_up(new QPushButton(u"Move &up"_s, this)),
      m_down(new QPushButton(u"Move do&wn"_s, this)),
      m_summary(new QLabel(this)),
      m_rejected(new QLabel(this))
{
    m_view->setObjectName(u"parameterTable"_s);
    m_view->setModel(m_model);
    m_view->setItemDelegate(new ParameterDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                            | QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    QHeaderView* header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ParameterTableModel::Values, QHeaderView::Stretch);
    const QList<std::pair<int, int>> widths{{ParameterTableModel::Name, 130},   {ParameterTableModel::Type, 70},
                                            {ParameterTableModel::Source, 70},  {ParameterTableModel::Min, 70},
                                            {ParameterTableModel::Max, 70},     {ParameterTableModel::Step, 60},
                                            {ParameterTableModel::Count, 55},   {ParameterTableModel::Log, 40},
                                            {ParameterTableModel::Default, 80}, {ParameterTableModel::Candidates, 80}};
    for (const auto& [column, width] : widths)
        m_view->setColumnWidth(column, width);
    m_view->setMinimumHeight(150);
    m_view->installEventFilter(this);

    m_add->setObjectName(u"addParameter"_s);
    m_remove->setObjectName(u"removeParameter"_s);
    m_up->setObjectName(u"moveParameterUp"_s);
    m_down->setObjectName(u"moveParameterDown"_s);
    m_add->setToolTip(u"Add a parameter after the selected one (Insert)"_s);
    m_remove->setToolTip(u"Remove the selected parameter (Delete)"_s);
    m_up->setToolTip(u"Move the selected parameter up (Alt+Up)"_s);
    m_down->setToolTip(u"Move the selected parameter down (Alt+Down)"_s);
    m_summary->setObjectName(u"searchSpaceSummary"_s);
    m_rejected->setObjectName(u"parameterInputRejected"_s);
    m_rejected->setStyleSheet(u"color: #b71c1c;"_s);
    m_rejected->setWordWrap(true);
    m_rejected->hide();

    auto* buttons = new QHBoxLayout;
    for (QPushButton* button : {m_add, m_remove, m_up, m_down})
        buttons->addWidget(button);
    buttons->addSpacing(12);
    buttons->addWidget(m_summary, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_rejected);
    layout->addLayout(buttons);

    connect(m_add, &QPushButton::clicked, this, &ParameterSection::addRow);
    connect(m_remove, &QPushButton::clicked, this, &ParameterSection::removeRow);
    connect(m_up, &QPushButton::clicked, this, [this] { moveRow(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveRow(+1); });
    connect(m_model, &ParameterTableModel::inputRejected, this, [this](const QString& message) {
        m_rejected->setText(message);
        m_rejected->show();
    });
    // The selection follows the row a command touched, so a row moved with Alt+Down can be moved again.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int first) {
        m_view->setCurrentIndex(m_model->index(first, ParameterTableModel::Name));
    });
    connect(m_model, &QAbstractItemModel::rowsMoved, this,
            [this](const QModelIndex&, int start, int, const QModelIndex&, int destination) {
                const int row = destination > start ? destination - 1 : destination;
                m_view->setCurrentIndex(m_model->index(row, std::max(0, m_view->currentIndex().column())));
            });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex&, int first) {
        if (m_model->rowCount() > 0)
            m_view->setCurrentIndex(
                m_model->index(std::min(first, m_model->rowCount() - 1), ParameterTableModel::Name));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ParameterSection::updateButtons);
    connect(m_editor, &CampaignEditor::changed, this, [this] {
        m_rejected->hide();
        updateButtons();
        updateSummary();
    });
    updateButtons();
    updateSummary();
}

ParameterSection::~ParameterSection()
{
    // The model and view go before this widget's base destructor ends; their last signals must not
    // reach a section that is already half gone.
    m_view->selectionModel()->disconnect(this);
    m_model->disconnect(this);
}

int ParameterSection::currentRow() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void ParameterSection::addRow()
{
    const int row = currentRow() < 0 ? -1 : currentRow() + 1;
    m_editor->addParameter(row);
    // A new parameter wants a name first.
    m_view->setFocus();
    m_view->edit(m_view->currentIndex());
}

void ParameterSection::removeRow()
{
    m_editor->removeParameter(currentRow());
}

void ParameterSection::moveRow(int delta)
{
    const int row = currentRow();
    if (row >= 0)
        m_editor->moveParameter(row, row + delta);
}

void ParameterSection::updateButtons()
{
    const int row = currentRow();
    const int count = m_model->rowCount();
    m_remove->setEnabled(row >= 0);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row + 1 < count);
}

void ParameterSection::updateSummary()
{
    QStringList factors;
    for (const model::Parameter& p : m_editor->campaign().parameters)
        factors.append(QString::number(p.candidates.size()));
    const double size = m_model->searchSpaceSize();
    if (size <= 0) {
        m_summary->setText(u"Search space: fix the parameters marked in red"_s);
        return;
    }
    const QString points = size < 1e15 ? QLocale().toString(qint64(size)) : QLocale().toString(size, 'g', 3);
    m_summary->setText(factors.size() > 1 ? u"%1 points in the search space (%2)"_s.arg(points, factors.join(u" × "_s))
                                          : u"%1 points in the search space"_s.arg(points));
}

bool ParameterSection::focusIssue(const QString& path)
{
    const auto cells = ParameterTableModel::cellsForIssuePath(path);
    if (!cells)
        return false;
    m_view->setFocus();
    if (!cells->isEmpty())
        m_view->setCurrentIndex(m_model->index(cells->first().y(), cells->first().x()));
    return true;
}

bool ParameterSection::eventFilter(QObject* watched, QEvent* event)
{
    // Keys an open cell editor did not take must not edit rows.
    if (watched != m_view || event->type() != QEvent::KeyPress || m_view->indexWidget(m_view->currentIndex()))
        return QWidget::eventFilter(watched, event);
    const auto* key = static_cast<QKeyEvent*>(event);
    const bool alt = key->modifiers() == Qt::AltModifier;
    if (key->key() == Qt::Key_Insert && key->modifiers() == Qt::NoModifier) {
        addRow();
        return true;
    }
    if (key->key() == Qt::Key_Delete && key->modifiers() == Qt::NoModifier) {
        removeRow();
        return true;
    }
    if (alt && (key->key() == Qt::Key_Up || key->key() == Qt::Key_Down)) {
        moveRow(key->key() == Qt::Key_Up ? -1 : +1);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace sweepline::gui
