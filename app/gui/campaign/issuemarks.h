#pragma once

#include "model/campaign.h"

#include <QList>
#include <QPointer>
#include <QString>
#include <QWidget>

namespace sweepline::gui {

// Which widget shows which part of the campaign, by the validator's JSON paths: "search.parallel" is
// the parallel spin box. A widget registered for "job.files" also takes "job.files[2]"; an issue goes
// to the most specific registration only.
// Marked widgets get the dynamic property "invalid" (the panel's style sheet draws it red) and the
// messages as their tooltip; clearing brings their own tooltip back.
class IssueTargets {
public:
    void add(const QString& path, QWidget* widget);
    // Marks every registered widget with the messages of its paths, unmarks the others.
    void show(const QList<model::ValidationIssue>& issues);
    // The widget an issue belongs to, or nullptr.
    QWidget* widgetFor(const QString& path) const;

    static bool covers(const QString& registered, const QString& path);

private:
    struct Target {
        QString path;
        QPointer<QWidget> widget;
    };
    const Target* bestTarget(const QString& path) const; // the most specific registration
    QList<Target> m_targets;
};

void markIssues(QWidget* widget, const QStringList& messages);
bool isMarkedInvalid(const QWidget* widget);

// The style sheet that draws marked widgets, for the panel that holds them.
QString invalidFieldStyleSheet();

} // namespace sweepline::gui
