#include "gui/results/resultsexport.h"

#include "model/trialexport.h"
#include "model/trialtablemodel.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

namespace sweepline::gui {

QByteArray allTrialsCsv(const model::TrialTableModel& trials)
{
    return model::exportCsv(trials.campaign(), trials.trials());
}

model::Status writeExportFile(const QString& path, const QByteArray& bytes)
{
    auto failure = [&](const QString& reason) {
        return model::Status::failure(QCoreApplication::translate("ResultsExport", "Cannot write %1: %2")
                                          .arg(QDir::toNativeSeparators(path), reason));
    };
    if (path.isEmpty())
        return failure(QCoreApplication::translate("ResultsExport", "no file name"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return failure(file.errorString());
    if (file.write(bytes) != bytes.size())
        return failure(file.errorString());
    if (!file.commit())
        return failure(file.errorString());
    return model::success();
}

} // namespace sweepline::gui
