#pragma once

#include "engine/folderclaim.h"
#include "model/result.h"
#include "remote/scheduler.h"

#include <QList>
#include <QString>

namespace sweepline::remote {

// The claim of engine/folderclaim.h, made on a login node.
// One command for a whole batch: a fixed bash script, each folder and mark only a positional argument.
RemoteCommand claimCommand(const QList<engine::FolderClaim>& claims);

// Per claim, in order: success, or why the folder is refused (naming it). A failure of the whole
// answer (the script did not run to its end) means nothing is known: ask again.
model::Result<QList<model::Status>> parseClaims(const QList<engine::FolderClaim>& claims, const QString& out,
                                                const QString& err, int exitCode);

} // namespace sweepline::remote
