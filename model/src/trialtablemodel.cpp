#include "model/trialtablemodel.h"

namespace sweepline::model {

TrialTableModel::TrialTableModel(QObject* parent) : QAbstractTableModel(parent)
{}

void TrialTableModel::setCampaign(const Campaign& campaign)
{
    beginResetModel();
    m_campaign = campaign;
    m_trials.clear();
    m_rowById.clear();
    endResetModel();
}

void TrialTableModel::setTrials(const QList<TrialRecord>& trials)
{
    beginResetModel();
    m_trials = trials;
    std::sort(m_trials.begin(), m_trials.end(), [](const TrialRecord& a, const TrialRecord& b) { return a.id < b.id; });
    m_rowById.clear();
    for (int row = 0; row < m_trials.size(); ++row)
        m_rowById.insert(m_trials.at(row).id, row);
    endResetModel();
}

void TrialTableModel::upsert(const TrialRecord& trial)
{
    const int row = rowOfTrial(trial.id);
    if (row >= 0) {
        m_trials[row] = trial;
        emit dataChanged(index(row, 0), index(row, columnCount() - 1));
        return;
    }
    // Trials arrive in id order almost always; a late one is inserted where it belongs.
    int at = int(m_trials.size());
    while (at > 0 && m_trials.at(at - 1).id > trial.id)
        --at;
    beginInsertRows({}, at, at);
    m_trials.insert(at, trial);
    if (at == m_trials.size() - 1) {
        m_rowById.insert(trial.id, at);
    } else {
        for (int r = at; r < m_trials.size(); ++r)
            m_rowById.insert(m_trials.at(r).id, r);
    }
    endInsertRows();
}

int TrialTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_trials.size());
}

int TrialTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : errorColumn() + 1;
}

QVariant TrialTableModel::rawValue(const TrialRecord& t, int column) const
{
    if (column == trialColumn())
        return t.id;
    if (column < stateColumn()) {
        const int p = column - 1;
        return p < t.values.size() ? t.values.at(p) : QVariant();
    }
    if (column == stateColumn())
        return toString(t.state);
    if (column == jobIdColumn())
        return t.jobId.isEmpty() ? QVariant() : QVariant(t.jobId);
    if (column == queuedColumn()) {
        if (!t.submittedAt.isValid())
            return {};
        const QDateTime end = t.startedAt.isValid() ? t.startedAt : t.finishedAt;
        return end.isValid() ? QVariant(double(t.submittedAt.msecsTo(end)) / 1000.0) : QVariant();
    }
    if (column == elapsedColumn()) {
        const auto s = t.elapsedSeconds();
        return s ? QVariant(*s) : QVariant();
    }
    if (column == metricColumn()) // a pruned trial has no final value
        return t.value && t.state != TrialState::Pruned ? QVariant(*t.value) : QVariant();
    if (column == errorColumn()) {
        const QString text = message(t);
        return text.isEmpty() ? QVariant() : QVariant(text);
    }
    return {};
}

QString TrialTableModel::message(const TrialRecord& t) const
{
    if (!t.pruneAt)
        return t.error;
    if (t.state == TrialState::Pruned) {
        return tr("stopped at step %1 (%2 %3)")
            .arg(t.pruneAt->step)
            .arg(m_campaign.objective.metric, QString::number(t.pruneAt->value, 'g', 6));
    }
    if (!isTerminal(t.state))
        return tr("stop requested at step %1").arg(t.pruneAt->step);
    return t.error;
}

QVariant TrialTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_trials.size() || index.column() >= columnCount())
        return {};
    const TrialRecord& t = m_trials.at(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        const QVariant raw = rawValue(t, index.column());
        if (!raw.isValid())
            return QString();
        if (index.column() > trialColumn() && index.column() < stateColumn())
            return Campaign::formatValue(raw);
        if (index.column() == queuedColumn() || index.column() == elapsedColumn())
            return QString::number(raw.toDouble(), 'f', 1);
        if (index.column() == metricColumn())
            return QString::number(raw.toDouble(), 'g', 6);
        return raw.toString();
    }
    case Qt::EditRole:
    case SortRole:
        return rawValue(t, index.column());
    case Qt::ToolTipRole:
        return index.column() == errorColumn() ? QVariant(message(t)) : QVariant();
    case StateRole:
        return int(t.state);
    case TrialIdRole:
        return t.id;
    case StageRole:
        return t.labels.stage;
    case BatchRole:
        return t.labels.batch;
    case DirectionRole:
        return t.labels.direction;
    default:
        return {};
    }
}

QVariant TrialTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == trialColumn())
        return tr("Trial");
    if (section < stateColumn())
        return m_campaign.parameters.value(section - 1).name;
    if (section == stateColumn())
        return tr("State");
    if (section == jobIdColumn())
        return tr("Job ID");
    if (section == queuedColumn())
        return tr("Queued (s)");
    if (section == elapsedColumn())
        return tr("Elapsed (s)");
    if (section == metricColumn())
        return m_campaign.objective.metric;
    if (section == errorColumn())
        return tr("Error");
    return {};
}

QHash<int, QByteArray> TrialTableModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sort");
    names.insert(StateRole, "state");
    names.insert(TrialIdRole, "trialId");
    names.insert(StageRole, "stage");
    names.insert(BatchRole, "batch");
    names.insert(DirectionRole, "direction");
    return names;
}

} // namespace sweepline::model
