#include "gui/campaign/placeholderlineedit.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

PlaceholderLineEdit::PlaceholderLineEdit(QWidget* parent)
    : QLineEdit(parent),
      m_completer(new QCompleter(this)),
      m_names(new QStringListModel(this))
{
    m_completer->setModel(m_names);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setWidget(this); // not setCompleter(): that would complete the whole line
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &PlaceholderLineEdit::insertCompletion);
    connect(this, &QLineEdit::textEdited, this, &PlaceholderLineEdit::updateCompletion);
}

void PlaceholderLineEdit::setPlaceholderNames(const QStringList& names)
{
    if (m_names->stringList() != names)
        m_names->setStringList(names);
}

void PlaceholderLineEdit::focusInEvent(QFocusEvent* event)
{
    m_completer->setWidget(this);
    QLineEdit::focusInEvent(event);
}

QString PlaceholderLineEdit::openPlaceholder() const
{
    const QString before = text().left(cursorPosition());
    const qsizetype open = before.lastIndexOf(u'{');
    if (open < 0 || before.indexOf(u'}', open) >= 0)
        return {};
    if (open > 0 && before.at(open - 1) == u'{')
        return {}; // "{{" is a literal brace
    const QString partial = before.mid(open + 1);
    for (const QChar c : partial) {
        if (!c.isLetterOrNumber() && c != u'_')
            return {};
    }
    return partial.isNull() ? u""_s : partial;
}

void PlaceholderLineEdit::updateCompletion()
{
    const QString partial = openPlaceholder();
    if (partial.isNull() || m_names->rowCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(partial);
    if (m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(std::max(160,
                           m_completer->popup()->sizeHintForColumn(0)
                               + m_completer->popup()->verticalScrollBar()->sizeHint().width()));
    m_completer->complete(rect);
}

void PlaceholderLineEdit::insertCompletion(const QString& name)
{
    const QString partial = openPlaceholder();
    if (partial.isNull())
        return;
    const int cursor = cursorPosition();
    QString line = text();
    // Complete the name and close the brace, unless the user already typed it.
    const bool closed = line.mid(cursor).startsWith(u'}');
    line.replace(cursor - int(partial.size()), int(partial.size()), name);
    int end = cursor - int(partial.size()) + int(name.size());
    if (!closed)
        line.insert(end, u'}');
    ++end;
    setText(line);
    setCursorPosition(end);
    emit textEdited(line); // an edit like any other: the campaign follows
}

bool PlaceholderLineEdit::event(QEvent* event)
{
    // QWidget::event turns Tab into focus navigation before keyPressEvent sees it; while the popup is
    // open Tab takes the highlighted name instead, as in a shell.
    if (event->type() == QEvent::KeyPress && m_completer->popup()->isVisible()) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Tab && key->modifiers() == Qt::NoModifier) {
            const QModelIndex current = m_completer->popup()->currentIndex();
            m_completer->popup()->hide();
            if (current.isValid())
                insertCompletion(current.data().toString());
            event->accept();
            return true;
        }
    }
    return QLineEdit::event(event);
}

void PlaceholderLineEdit::keyPressEvent(QKeyEvent* event)
{
    if (m_completer->popup()->isVisible()) {
        // The popup takes these; the line must not see them too.
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
            event->ignore();
            return;
        default:
            break;
        }
    }
    QLineEdit::keyPressEvent(event);
}

} // namespace sweepline::gui
