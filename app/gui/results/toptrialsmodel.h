#pragma once

#include "gui/results/defaultreference.h"
#include "model/trial.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QList>

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

// The best N finished trials by the campaign's objective, then the default configuration as a
// reference row when it has been measured, as in "Top five batch sizes by smallest loss":
//
//   Rank | Trial | <each parameter> | <metric> | Execution time (s) | Improvement | Improvement (%)
//   1st    210     ...                8.4305     71.3                 0.0739        0.87
//   ...
//   default 1      ...                8.5044     95
//
// Improvement is over the default, positive when better whichever the direction. Ties rank by
// trial id. Live: rows are inserted, removed and changed in place as trials finish (no reset).
class TopTrialsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        TrialIdRole = Qt::UserRole + 1, // qint64 on every column
        IsReferenceRole,                // bool: the default configuration's row
    };

    // trials is not owned and must outlive this model.
    explicit TopTrialsModel(model::TrialTableModel* trials, QObject* parent = nullptr);

    void setLimit(int count); // how many ranked rows at most, from 1
    int limit() const { return m_limit; }

    const DefaultReference& reference() const { return m_reference; }
    int rankedCount() const { return int(m_ranked.size()); }
    int finishedCount() const { return m_finished; } // trials with a value: what the ranking is of
    qint64 trialIdAt(int row) const;
    bool isReferenceRow(int row) const { return m_reference.isMeasured() && row == rankedCount(); }

    int rankColumn() const { return 0; }
    int trialColumn() const { return 1; }
    int parameterColumn(int parameterIndex) const { return 2 + parameterIndex; }
    int metricColumn() const { return 2 + m_parameterCount; }
    int timeColumn() const { return metricColumn() + 1; }
    int improvementColumn() const { return metricColumn() + 2; }
    int improvementPercentColumn() const { return metricColumn() + 3; }

    // The table as shown, RFC 4180 with CRLF line ends, numbers at full precision:
    // rank,trial,<each parameter>,<metric>,execution_time_s,improvement,improvement_percent
    // ranks are 1, 2, ... and "default" for the reference row.
    QByteArray toCsv() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    void referenceChanged(); // reference() or finishedCount() changed: the panel's notes follow

private:
    void recompute();
    void reset();
    const model::TrialRecord* recordAt(int row) const;
    QVariant rawValue(int row, int column) const;
    std::optional<Improvement> improvementAt(int row) const;

    model::TrialTableModel* m_trials;
    int m_limit = 5;
    int m_parameterCount = 0;
    int m_finished = 0;
    QList<model::TrialRecord> m_ranked;  // best first; copies, as the source's rows move
    model::TrialRecord m_referenceTrial; // valid when m_reference.isMeasured()
    DefaultReference m_reference;
};

} // namespace sweepline::gui
