#include "gui/campaign/parameterdelegate.h"

#include "gui/campaign/parametertablemodel.h"

#include <QComboBox>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

bool usesCombo(const QModelIndex& index)
{
    const int column = index.column();
    if (column == ParameterTableModel::Default) // the model offers no list when it would be too long
        return !index.data(ParameterTableModel::ChoicesRole).toStringList().isEmpty();
    return column == ParameterTableModel::Type || column == ParameterTableModel::Source;
}

} // namespace

QString ParameterDelegate::noDefaultText()
{
    return u"(none)"_s;
}

QWidget* ParameterDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                         const QModelIndex& index) const
{
    if (!usesCombo(index))
        return QStyledItemDelegate::createEditor(parent, option, index);
    auto* combo = new QComboBox(parent);
    if (index.column() == ParameterTableModel::Default)
        combo->addItem(noDefaultText(), QVariant()); // no data: no default
    for (const QString& choice : index.data(ParameterTableModel::ChoicesRole).toStringList())
        combo->addItem(choice, choice);
    return combo;
}

void ParameterDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const
{
    auto* combo = qobject_cast<QComboBox*>(editor);
    if (!combo) {
        QStyledItemDelegate::setEditorData(editor, index);
        return;
    }
    const QString text = index.data(Qt::EditRole).toString();
    if (index.column() == ParameterTableModel::Default && text.isEmpty()) {
        combo->setCurrentIndex(0); // "(none)"
        return;
    }
    int found = combo->findData(text);
    if (found < 0) {
        // A value that is no candidate (from a file being fixed) stays visible and selected.
        combo->insertItem(1, text, text);
        found = 1;
    }
    combo->setCurrentIndex(found);
}

void ParameterDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const
{
    auto* combo = qobject_cast<QComboBox*>(editor);
    if (!combo) {
        QStyledItemDelegate::setModelData(editor, model, index);
        return;
    }
    // Invalid data is "(none)": the model reads it as no default.
    model->setData(index, combo->currentData(), Qt::EditRole);
}

} // namespace sweepline::gui
