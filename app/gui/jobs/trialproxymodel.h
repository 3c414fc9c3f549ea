#pragma once

#include "gui/jobs/stategroup.h"
#include "gui/jobs/trialfilter.h"

#include <QCollator>
#include <QDateTime>
#include <QSortFilterProxyModel>

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

// The jobs monitor's view of the trial table: filtered by state group and filter text (see
// TrialFilter), sorted by raw values (numbers as numbers, states in life-cycle order, trials with
// no value last in either order, ties by trial id).
//
// What it changes from the source: queue and run times are shown as durations ("1:02:03") that
// keep growing for unfinished trials (setNow), the error column shows the first line (the tooltip
// keeps it all), and the best trial's metric is bold.
class TrialProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TrialProxyModel(model::TrialTableModel* trials, QObject* parent = nullptr);

    model::TrialTableModel* trialModel() const { return m_trials; }
    qint64 trialIdAt(int proxyRow) const;
    int rowOfTrial(qint64 id) const; // -1 when filtered out or absent

    void setStateGroup(StateGroup group);
    StateGroup stateGroup() const { return m_group; }

    void setFilterText(const QString& text);
    QString filterText() const { return m_filterText; }

    // The clock of live durations; invalid (the default) shows only finished ones.
    void setNow(const QDateTime& now);
    QDateTime now() const { return m_now; }

    void setBestTrial(qint64 id); // 0: none
    qint64 bestTrial() const { return m_bestTrial; }

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QVariant sortValue(const QModelIndex& sourceIndex) const;
    void reparseFilter();
    void emitColumnChanged(int sourceColumn, const QList<int>& roles);

    model::TrialTableModel* m_trials;
    StateGroup m_group = StateGroup::All;
    QString m_filterText;
    TrialFilter m_filter;
    QDateTime m_now;
    qint64 m_bestTrial = 0;
    QCollator m_collator; // job ids and choices: "job9" before "job10"
};

} // namespace sweepline::gui
