#pragma once

#include <QStyledItemDelegate>

namespace sweepline::gui {

// Editors of the parameter table: combos for the type, the source (list or range) and the default
// (its candidates, and "(none)"), line edits for the rest. Like every item editor, a combo commits
// on Enter, Tab or leaving it; typing a value's first characters selects it.
class ParameterDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;

    static QString noDefaultText();
};

} // namespace sweepline::gui
