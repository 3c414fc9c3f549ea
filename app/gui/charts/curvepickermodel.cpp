#include "gui/charts/curvepickermodel.h"

#include "gui/charts/figuredata.h"
#include "gui/common/prunedtrials.h"

namespace sweepline::gui {

CurvePickerModel::CurvePickerModel(model::TrialTableModel* source, QObject* parent)
    : QSortFilterProxyModel(parent),
      m_source(source)
{
    setSourceModel(source);
    setDynamicSortFilter(true);
    sort(0);
}

const model::TrialRecord& CurvePickerModel::trialOf(const QModelIndex& proxyIndex) const
{
    return m_source->trialAt(mapToSource(proxyIndex).row());
}

bool CurvePickerModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    return !sourceParent.isValid() && !m_source->trialAt(sourceRow).intermediate.isEmpty();
}

bool CurvePickerModel::filterAcceptsColumn(int sourceColumn, const QModelIndex&) const
{
    return sourceColumn == m_source->trialColumn();
}

bool CurvePickerModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const model::TrialRecord& a = m_source->trialAt(left.row());
    const model::TrialRecord& b = m_source->trialAt(right.row());
    const bool aMeasured = a.state == model::TrialState::Done && a.value;
    const bool bMeasured = b.state == model::TrialState::Done && b.value;
    // Measured trials first, best first; then the rest by trial number.
    if (aMeasured != bMeasured)
        return aMeasured;
    if (aMeasured && *a.value != *b.value)
        return figures::isBetter(*a.value, *b.value, m_source->campaign().objective.direction);
    return a.id < b.id;
}

Qt::ItemFlags CurvePickerModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable | Qt::ItemNeverHasChildren;
}

QVariant CurvePickerModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const model::TrialRecord& t = trialOf(index);
    switch (role) {
    case Qt::DisplayRole: {
        QString value = t.state == model::TrialState::Done && t.value ? QString::number(*t.value, 'g', 5)
                                                                      : model::toString(t.state);
        if (const auto stop = stopPoint(t); stop && t.state == model::TrialState::Pruned)
            value = tr("pruned at step %1").arg(stop->step);
        const qsizetype reports = t.intermediate.size();
        return reports == 1 ? tr("Trial %1: %2, 1 report").arg(t.id).arg(value)
                            : tr("Trial %1: %2, %3 reports").arg(t.id).arg(value).arg(reports);
    }
    case Qt::CheckStateRole:
        return m_checked.contains(t.id) ? Qt::Checked : Qt::Unchecked;
    case Qt::ToolTipRole:
        return {};
    default:
        return QSortFilterProxyModel::data(index, role);
    }
}

bool CurvePickerModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || role != Qt::CheckStateRole)
        return false;
    const qint64 id = trialOf(index).id;
    const bool check = value.toInt() == Qt::Checked;
    if (check == m_checked.contains(id))
        return true;
    if (check)
        m_checked.append(id);
    else
        m_checked.removeAll(id);
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit checkedChanged(m_checked);
    return true;
}

void CurvePickerModel::setChecked(const QList<qint64>& ids)
{
    if (ids == m_checked)
        return;
    m_checked = ids;
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, 0), {Qt::CheckStateRole});
}

} // namespace sweepline::gui
