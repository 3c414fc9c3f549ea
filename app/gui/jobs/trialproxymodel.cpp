#include "gui/jobs/trialproxymodel.h"

#include "gui/jobs/trialtimes.h"
#include "model/trialtablemodel.h"

#include <QFont>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

using model::TrialTableModel;

bool isNumber(const QVariant& value)
{
    const int type = value.typeId();
    return type == QMetaType::Double || type == QMetaType::LongLong || type == QMetaType::Int
        || type == QMetaType::Float || type == QMetaType::ULongLong || type == QMetaType::UInt;
}

QString firstLine(const QString& text)
{
    const qsizetype end = text.indexOf(u'\n');
    return end < 0 ? text : text.left(end) + u" …"_s;
}

} // namespace

TrialProxyModel::TrialProxyModel(TrialTableModel* trials, QObject* parent)
    : QSortFilterProxyModel(parent),
      m_trials(trials)
{
    Q_ASSERT(trials);
    m_collator.setNumericMode(true);
    m_collator.setCaseSensitivity(Qt::CaseInsensitive);
    setSortRole(TrialTableModel::SortRole);
    setDynamicSortFilter(true);
    setSourceModel(trials);
    // Another campaign names its columns differently: the same filter text may now mean more.
    connect(trials, &QAbstractItemModel::modelReset, this, &TrialProxyModel::reparseFilter);
}

qint64 TrialProxyModel::trialIdAt(int proxyRow) const
{
    const QModelIndex source = mapToSource(index(proxyRow, 0));
    return source.isValid() ? m_trials->trialAt(source.row()).id : 0;
}

int TrialProxyModel::rowOfTrial(qint64 id) const
{
    const int sourceRow = m_trials->rowOfTrial(id);
    if (sourceRow < 0)
        return -1;
    return mapFromSource(m_trials->index(sourceRow, 0)).row();
}

void TrialProxyModel::setStateGroup(StateGroup group)
{
    if (group == m_group)
        return;
    m_group = group;
    invalidateFilter();
}

void TrialProxyModel::setFilterText(const QString& text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    reparseFilter();
}

void TrialProxyModel::reparseFilter()
{
    const bool wasEmpty = m_filter.isEmpty();
    m_filter = TrialFilter::parse(m_filterText, *m_trials);
    if (!(wasEmpty && m_filter.isEmpty()))
        invalidateFilter();
}

void TrialProxyModel::setNow(const QDateTime& now)
{
    m_now = now;
    const int queued = m_trials->queuedColumn();
    const int elapsed = m_trials->elapsedColumn();
    bool filterUsesTime = false;
    for (const TrialFilter::Term& term : m_filter.terms())
        filterUsesTime = filterUsesTime || term.column == queued || term.column == elapsed;
    // Rows move only when their order or membership depends on the clock.
    if (filterUsesTime || sortColumn() == queued || sortColumn() == elapsed)
        invalidate();
    const QList<int> roles{Qt::DisplayRole, Qt::EditRole, TrialTableModel::SortRole};
    emitColumnChanged(queued, roles);
    emitColumnChanged(elapsed, roles);
}

void TrialProxyModel::setBestTrial(qint64 id)
{
    if (id == m_bestTrial)
        return;
    const qint64 previous = m_bestTrial;
    m_bestTrial = id;
    const int column = m_trials->metricColumn();
    for (qint64 trial : {previous, id}) {
        const int row = rowOfTrial(trial);
        if (row >= 0)
            emit dataChanged(index(row, column), index(row, column), {Qt::FontRole, Qt::ToolTipRole});
    }
}

void TrialProxyModel::emitColumnChanged(int sourceColumn, const QList<int>& roles)
{
    const int rows = rowCount();
    if (rows > 0 && sourceColumn < columnCount()) // columns map one to one: none is filtered
        emit dataChanged(index(0, sourceColumn), index(rows - 1, sourceColumn), roles);
}

QVariant TrialProxyModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const QModelIndex source = mapToSource(index);
    const int column = source.column();
    const bool isDuration = column == m_trials->queuedColumn() || column == m_trials->elapsedColumn();

    if (isDuration && (role == Qt::DisplayRole || role == Qt::EditRole || role == TrialTableModel::SortRole)) {
        const model::TrialRecord& trial = m_trials->trialAt(source.row());
        const auto seconds =
            column == m_trials->queuedColumn() ? queuedSeconds(trial, m_now) : elapsedSeconds(trial, m_now);
        if (role == Qt::DisplayRole)
            return seconds ? formatDuration(*seconds) : QString();
        return seconds ? QVariant(*seconds) : QVariant();
    }
    if (role == Qt::TextAlignmentRole) {
        const int parameter = column - m_trials->parameterColumn(0);
        const auto& parameters = m_trials->campaign().parameters;
        const bool numericParameter = parameter >= 0 && parameter < parameters.size()
            && parameters.at(parameter).type != model::ParameterType::Choice;
        const bool numeric =
            isDuration || numericParameter || column == m_trials->trialColumn() || column == m_trials->metricColumn();
        return numeric ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    }
    if (column == m_trials->errorColumn() && role == Qt::DisplayRole)
        return firstLine(source.data(Qt::DisplayRole).toString());
    if (column == m_trials->metricColumn() && m_bestTrial != 0 && m_trials->trialAt(source.row()).id == m_bestTrial) {
        if (role == Qt::FontRole) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        if (role == Qt::ToolTipRole)
            return tr("Best so far");
    }
    return QSortFilterProxyModel::data(index, role);
}

QVariant TrialProxyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal) {
        if (section == m_trials->queuedColumn()) {
            if (role == Qt::DisplayRole)
                return tr("Queued");
            if (role == Qt::ToolTipRole)
                return tr("Time from submission to start; it keeps counting while the job waits");
        } else if (section == m_trials->elapsedColumn()) {
            if (role == Qt::DisplayRole)
                return tr("Elapsed");
            if (role == Qt::ToolTipRole)
                return tr("Run time from start to finish; it keeps counting while the job runs");
        } else if (section == m_trials->metricColumn() && role == Qt::ToolTipRole) {
            return m_trials->campaign().objective.direction == model::Direction::Maximize
                ? tr("%1, higher is better").arg(m_trials->campaign().objective.metric)
                : tr("%1, lower is better").arg(m_trials->campaign().objective.metric);
        }
    }
    return QSortFilterProxyModel::headerData(section, orientation, role);
}

bool TrialProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    if (!isInGroup(m_trials->trialAt(sourceRow).state, m_group))
        return false;
    return m_filter.matches(*m_trials, sourceRow, m_now);
}

QVariant TrialProxyModel::sortValue(const QModelIndex& sourceIndex) const
{
    const int column = sourceIndex.column();
    const model::TrialRecord& trial = m_trials->trialAt(sourceIndex.row());
    if (column == m_trials->stateColumn())
        return int(trial.state); // life-cycle order, not alphabetical
    if (column == m_trials->queuedColumn()) {
        const auto seconds = queuedSeconds(trial, m_now);
        return seconds ? QVariant(*seconds) : QVariant();
    }
    if (column == m_trials->elapsedColumn()) {
        const auto seconds = elapsedSeconds(trial, m_now);
        return seconds ? QVariant(*seconds) : QVariant();
    }
    return sourceIndex.data(TrialTableModel::SortRole);
}

bool TrialProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    QVariant a = sortValue(left);
    QVariant b = sortValue(right);
    // NaN has no order: it goes with the missing values.
    if (isNumber(a) && std::isnan(a.toDouble()))
        a = QVariant();
    if (isNumber(b) && std::isnan(b.toDouble()))
        b = QVariant();

    // The comparison is reversed for a descending sort; these answers keep missing values at the
    // bottom and ties in trial order either way.
    const bool descending = sortOrder() == Qt::DescendingOrder;
    if (a.isValid() != b.isValid())
        return a.isValid() ? !descending : descending;
    if (a.isValid()) {
        int order = 0;
        if (isNumber(a) && isNumber(b)) {
            const double x = a.toDouble();
            const double y = b.toDouble();
            order = x < y ? -1 : (y < x ? 1 : 0);
        } else {
            order = m_collator.compare(a.toString(), b.toString());
        }
        if (order != 0)
            return order < 0;
    }
    const qint64 idA = m_trials->trialAt(left.row()).id;
    const qint64 idB = m_trials->trialAt(right.row()).id;
    return descending ? idA > idB : idA < idB;
}

} // namespace sweepline::gui
