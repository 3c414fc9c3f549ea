#include "engine/folderclaim.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sweepline::engine {

model::Status refusedFolder(const QString& folder, const QString& why)
{
    return model::Status::failure(
        u"the trial folder %1 %2: refusing to use it (remove it, or give the campaign another workdir)"_s.arg(folder,
                                                                                                              why));
}

QString ownerMark(const QString& token, int attempt)
{
    return u"%1 attempt %2"_s.arg(token).arg(attempt);
}

model::Status claimLocalFolder(const FolderClaim& claim)
{
    const QString markPath = QDir(claim.folder).filePath(QLatin1String(kOwnerMarkFile));
    QDir().mkpath(QFileInfo(claim.folder).absolutePath());
    const QByteArray path = QFile::encodeName(claim.folder);
    if (::mkdir(path.constData(), 0700) != 0) {
        if (errno != EEXIST)
            return refusedFolder(claim.folder, u"cannot be created: "_s + QString::fromLocal8Bit(std::strerror(errno)));
        struct stat st {};
        if (::lstat(path.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
            return refusedFolder(claim.folder, u"exists and is not a folder"_s);
        if (st.st_uid != ::geteuid())
            return refusedFolder(claim.folder, u"belongs to another user"_s);
        const QFileInfo mark(markPath);
        if (mark.exists() || mark.isSymLink()) {
            QFile f(markPath);
            if (mark.isSymLink() || !mark.isFile() || mark.ownerId() != ::geteuid() || !f.open(QIODevice::ReadOnly))
                return refusedFolder(claim.folder, u"exists without this store's owner mark"_s);
            if (QString::fromUtf8(f.readAll()).trimmed() == claim.mark)
                return model::success(); // a retry of the same attempt
            return refusedFolder(claim.folder, u"was made by another store or attempt"_s);
        }
        // The run folder of a store made before owner marks, or holding only a cancel marker:
        // its own, unless a job already ran in it.
        for (const char* name : {"job.pid", "exit_code", "stdout"}) {
            if (QFileInfo::exists(QDir(claim.folder).filePath(QLatin1String(name))))
                return refusedFolder(claim.folder, u"holds the files of a job this store did not start"_s);
        }
    }
    QFile f(markPath);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly) || f.write((claim.mark + u'\n').toUtf8()) < 0)
        return refusedFolder(claim.folder, u"cannot take its owner mark: "_s + f.errorString());
    return model::success();
}

} // namespace sweepline::engine
