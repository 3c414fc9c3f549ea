#pragma once

#include "model/result.h"

#include <QList>
#include <QString>

namespace sweepline::engine {

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

// Why a folder is refused, naming it and what the user can do; the remote claim says the same.
model::Status refusedFolder(const QString& folder, const QString& why);

// The same rules for a folder on this computer (the local backend's run folders).
model::Status claimLocalFolder(const FolderClaim& claim);

} // namespace sweepline::engine
