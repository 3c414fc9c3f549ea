#pragma once

#include "model/result.h"
#include "remote/scheduler.h"

#include <QList>
#include <QString>

namespace sweepline::remote {

// A trial folder is claimed before any of its files is written: made owner-only and exclusively,
// with an owner mark (token and attempt) inside. A folder that already exists is accepted only as a
// retry of the same attempt: a real folder (not a symlink), owned by the user, holding exactly our
// mark. Anything else (another store's folder, another user's, a planted one) is refused, so
// nothing left there can be read as this attempt's result.
struct FolderClaim {
    QString folder; // absolute
    QString mark;   // ownerMark() of the trial
};

inline constexpr char kOwnerMarkFile[] = ".sweepline-owner";

QString ownerMark(const QString& token, int attempt);

// One command for a whole batch: a fixed bash script, each folder and mark only a positional argument.
RemoteCommand claimCommand(const QList<FolderClaim>& claims);

// Per claim, in order: success, or why the folder is refused (naming it). A failure of the whole
// answer (the script did not run to its end) means nothing is known: ask again.
model::Result<QList<model::Status>> parseClaims(const QList<FolderClaim>& claims, const QString& out,
                                                const QString& err, int exitCode);

// The same rules for a folder on this computer (the local backend's run folders).
model::Status claimLocalFolder(const FolderClaim& claim);

} // namespace sweepline::remote
