#pragma once

#include <QString>

namespace sweepline::gui {

class MainWindow;

// For the documentation: runs the open campaign to its end, then saves a picture of every panel
// (and of every chart) into a folder, and quits.
void captureAfterRun(MainWindow& window, const QString& directory);

} // namespace sweepline::gui
