#pragma once

#include "model/campaign.h"

#include <QString>
#include <QStringList>

namespace sweepline::gui {

struct ScriptPreview {
    QString script;    // what the first trial's job.sh would hold
    QStringList notes; // what was assumed or why something is missing, for the user to read
};

// The job script of a first trial (every parameter at its default, else its first candidate), as
// the engine renders it (engine::renderJobScript) with the directive lines of scheduler's adapter
// ("local" has none). Remote folders assume the home folder is /home/<user>.
// stateDirectory: where a local run's folders go (empty: beside the campaign file, as by default).
ScriptPreview previewJobScript(const model::Campaign& campaign, const QString& scheduler,
                               const QString& stateDirectory = {});

} // namespace sweepline::gui
