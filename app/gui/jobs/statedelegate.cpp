#include "gui/jobs/statedelegate.h"

#include "gui/common/statecolors.h"
#include "model/trialtablemodel.h"

#include <QApplication>
#include <QPainter>

namespace sweepline::gui {

namespace {

constexpr int Margin = 6;

int dotSize(const QFontMetrics& metrics)
{
    return std::max(6, metrics.height() * 3 / 5);
}

} // namespace

void StateDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    // Background, selection and focus exactly as every other cell, then the dot and the name.
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QVariant state = index.data(model::TrialTableModel::StateRole);
    const int size = dotSize(opt.fontMetrics);
    const QRect rect = opt.rect;
    const QRect dot(rect.left() + Margin, rect.center().y() - size / 2, size, size);

    painter->save();
    if (state.isValid()) {
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(stateColor(model::TrialState(state.toInt())));
        painter->drawEllipse(dot);
    }
    const QRect textRect = rect.adjusted(Margin + size + Margin, 0, -Margin, 0);
    const bool selected = opt.state & QStyle::State_Selected;
    painter->setPen(opt.palette.color(opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled,
                                      selected ? QPalette::HighlightedText : QPalette::Text));
    painter->setFont(opt.font);
    painter->drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
                      opt.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width()));
    painter->restore();
}

QSize StateDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.rwidth() += dotSize(option.fontMetrics) + 2 * Margin;
    return size;
}

} // namespace sweepline::gui
