#pragma once

#include "model/trialtablemodel.h"

#include <QSortFilterProxyModel>

namespace sweepline::gui {

// The trials that reported intermediate values, best first, each with a check box: the choice of
// learning curves. One column. Checking a box emits checkedChanged (the user's choice); setChecked()
// shows a choice made elsewhere (the chart's automatic one) without emitting.
class CurvePickerModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit CurvePickerModel(model::TrialTableModel* source, QObject* parent = nullptr);

    void setChecked(const QList<qint64>& ids);
    QList<qint64> checked() const { return m_checked; }

    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

signals:
    void checkedChanged(const QList<qint64>& ids);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    const model::TrialRecord& trialOf(const QModelIndex& proxyIndex) const;

    model::TrialTableModel* m_source;
    QList<qint64> m_checked;
};

} // namespace sweepline::gui
