#pragma once

#include <QStyledItemDelegate>

namespace sweepline::gui {

// Paints a trial's state as a dot of its colour (app/gui/common/statecolors.h) before the name.
// Reads TrialTableModel::StateRole, so it works on the trial model and on any proxy of it.
class StateDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace sweepline::gui
