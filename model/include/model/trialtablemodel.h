#pragma once

#include "model/campaign.h"
#include "model/trial.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace sweepline::model {

// The trials of one campaign as a table, kept live by upsert() as trial states change. Every view of
// trials (the jobs monitor, the charts, the results) is a proxy or a mapper over this one model.
//
// Columns: trial, <each parameter>, state, job id, queued (s), elapsed (s), <metric>, error.
// A pruned trial has no <metric>; its error column says where it was stopped ("stopped at step 20
// (loss 0.61)"), and a trial whose stop is still on its way says so ("stop requested at step 20").
// Qt::DisplayRole gives text; Qt::EditRole and SortRole give raw values (numbers stay numbers, an
// unknown value is an invalid QVariant), so sorting and chart mappers see numbers.
class TrialTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        SortRole = Qt::UserRole + 1,
        StateRole,   // model::TrialState as int, on every column
        TrialIdRole, // qint64, on every column
        StageRole,   // labels, on every column
        BatchRole,
        DirectionRole,
    };

    explicit TrialTableModel(QObject* parent = nullptr);

    // Sets the columns; keeps no trials of another campaign.
    void setCampaign(const Campaign& campaign);
    const Campaign& campaign() const { return m_campaign; }

    void setTrials(const QList<TrialRecord>& trials); // a reset: for opening a store
    void upsert(const TrialRecord& trial);            // one insert or one dataChanged for its row

    const TrialRecord& trialAt(int row) const { return m_trials.at(row); }
    const QList<TrialRecord>& trials() const { return m_trials; }
    int rowOfTrial(qint64 id) const { return m_rowById.value(id, -1); }

    int trialColumn() const { return 0; }
    int parameterColumn(int parameterIndex) const { return 1 + parameterIndex; }
    int stateColumn() const { return 1 + int(m_campaign.parameters.size()); }
    int jobIdColumn() const { return stateColumn() + 1; }
    int queuedColumn() const { return stateColumn() + 2; }
    int elapsedColumn() const { return stateColumn() + 3; }
    int metricColumn() const { return stateColumn() + 4; }
    int errorColumn() const { return stateColumn() + 5; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QVariant rawValue(const TrialRecord& t, int column) const;
    QString message(const TrialRecord& t) const; // the error column: the error, or the early stop

    Campaign m_campaign;
    QList<TrialRecord> m_trials; // ordered by id
    QHash<qint64, int> m_rowById;
};

} // namespace sweepline::model
