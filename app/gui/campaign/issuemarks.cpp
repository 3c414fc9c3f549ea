#include "gui/campaign/issuemarks.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QHash>
#include <QLineEdit>
#include <QStyle>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

constexpr char kInvalid[] = "invalid";
constexpr char kOwnToolTip[] = "sweeplineOwnToolTip";
const QColor kInvalidBackground(0xff, 0xcd, 0xd2);

} // namespace

void IssueTargets::add(const QString& path, QWidget* widget)
{
    m_targets.append({path, widget});
}

bool IssueTargets::covers(const QString& registered, const QString& path)
{
    return path == registered
        || (path.startsWith(registered) && (path.at(registered.size()) == u'.' || path.at(registered.size()) == u'['));
}

void IssueTargets::show(const QList<model::ValidationIssue>& issues)
{
    // Each issue goes to its most specific widget only: "job.files[0]" to the files, not the command
    // that also stands for "job" as a whole.
    QHash<QWidget*, QStringList> messages;
    for (const model::ValidationIssue& issue : issues) {
        const Target* target = bestTarget(issue.path);
        if (target)
            messages[target->widget].append(issue.path == target->path ? issue.message : issue.toString());
    }
    for (const Target& target : std::as_const(m_targets)) {
        if (target.widget)
            markIssues(target.widget, messages.value(target.widget));
    }
}

const IssueTargets::Target* IssueTargets::bestTarget(const QString& path) const
{
    const Target* best = nullptr;
    for (const Target& target : m_targets) {
        if (target.widget && covers(target.path, path) && (!best || target.path.size() > best->path.size()))
            best = &target;
    }
    return best;
}

QWidget* IssueTargets::widgetFor(const QString& path) const
{
    const Target* target = bestTarget(path);
    return target ? target->widget.data() : nullptr;
}

void markIssues(QWidget* widget, const QStringList& messages)
{
    const bool invalid = !messages.isEmpty();
    if (!widget->property(kOwnToolTip).isValid())
        widget->setProperty(kOwnToolTip, widget->toolTip());
    const QString toolTip = invalid ? messages.join(u'\n') : widget->property(kOwnToolTip).toString();
    if (widget->toolTip() != toolTip)
        widget->setToolTip(toolTip);
    if (widget->property(kInvalid).toBool() == invalid)
        return;
    widget->setProperty(kInvalid, invalid);
    if (qobject_cast<QAbstractSpinBox*>(widget) || qobject_cast<QComboBox*>(widget)) {
        // A style sheet border would replace the arrows these draw natively: tint them instead.
        QPalette palette;
        if (invalid) {
            palette = widget->palette();
            palette.setColor(QPalette::Base, kInvalidBackground);
            palette.setColor(QPalette::Button, kInvalidBackground);
        }
        widget->setPalette(palette);
        for (QLineEdit* inner : widget->findChildren<QLineEdit*>(Qt::FindDirectChildrenOnly))
            inner->setPalette(palette); // the spin box's text field paints its own background
        return;
    }
    // Property selectors are evaluated when the style is applied: apply it again.
    widget->style()->unpolish(widget);
    widget->style()->polish(widget);
    widget->update();
}

bool isMarkedInvalid(const QWidget* widget)
{
    return widget->property(kInvalid).toBool();
}

QString invalidFieldStyleSheet()
{
    return u"QLineEdit[invalid=\"true\"], QPlainTextEdit[invalid=\"true\"], QListWidget[invalid=\"true\"],"
           " QLabel[invalid=\"true\"] { border: 1px solid #c62828; background-color: #ffebee; }"_s;
}

} // namespace sweepline::gui
