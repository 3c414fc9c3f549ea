#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QString>

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

// Every trial of the model as model::exportCsv writes it (the CLI's `export --csv`).
QByteArray allTrialsCsv(const model::TrialTableModel& trials);

// Writes the whole file or nothing (QSaveFile): a failed export leaves an older file as it was.
// The error names the file and the reason, for the user to read.
model::Status writeExportFile(const QString& path, const QByteArray& bytes);

} // namespace sweepline::gui
