#pragma once
// What the window tests read off the main window and its run controller.

#include "gui/main/mainwindow.h"

#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>

using namespace Qt::StringLiterals;

// The text of the status bar's label of that object name, or a marker that it is missing.
inline QString statusText(const sweepline::gui::MainWindow& window, const char* name)
{
    const auto* label = window.statusBar()->findChild<QLabel*>(QString::fromLatin1(name));
    return label ? label->text() : u"<no label %1>"_s.arg(QString::fromLatin1(name));
}

// The summary carried by the first RunController::finished a spy caught.
inline sweepline::engine::RunSummary firstSummary(const QSignalSpy& finished)
{
    return finished.at(0).at(0).value<sweepline::engine::RunSummary>();
}

// Waits until the store of the campaign last opened is read (on the engine thread) and shown.
inline bool trialsShown(const sweepline::gui::MainWindow& window, int timeoutMs = 30000)
{
    return QTest::qWaitFor([&] { return !window.runController()->isLoading(); }, timeoutMs);
}
