#include "remote/folderclaim.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

namespace {

// Prints "<index> ok" or "<index> <why>" for each (folder, mark) pair; "done" once all are through,
// so an answer cut short is never mistaken for a refusal. Values arrive only as "$@".
// A batch claims hundreds of folders at once, so the script forks twice in all (one mkdir -p of the
// parents, one mkdir -m 700 of the new folders), not per folder: the rest is bash builtins. A folder
// counts as new only when nothing was there before the mkdir and it is then an empty folder of
// ours; anything else is judged by its owner mark.
QString claimScript()
{
    return uR"sh(umask 077; set -o noclobber; shopt -s nullglob dotglob; ds=(); ms=(); fresh=(); parents=(); new=(); )sh"
           uR"sh(while [ "$#" -ge 2 ]; do ds+=("$1"); ms+=("$2"); shift 2; done; )sh"
           uR"sh(for d in "${ds[@]}"; do parents+=("${d%/*}"); )sh"
           uR"sh(if [ -e "$d" ] || [ -L "$d" ]; then fresh+=(0); else fresh+=(1); new+=("$d"); fi; done; )sh"
           uR"sh([ "${#parents[@]}" -gt 0 ] && mkdir -p -- "${parents[@]}" 2>/dev/null; )sh"
           uR"sh([ "${#new[@]}" -gt 0 ] && mkdir -m 700 -- "${new[@]}" 2>/dev/null; )sh"
           uR"sh(for k in "${!ds[@]}"; do i=$((k+1)); d=${ds[k]}; m=${ms[k]}; f="$d/%1"; )sh"
           uR"sh(if [ "${fresh[k]}" = 1 ]; then )sh"
           uR"sh(if [ ! -e "$d" ] && [ ! -L "$d" ]; then echo "$i cannot be created"; )sh"
           uR"sh(elif [ -L "$d" ] || [ ! -d "$d" ]; then echo "$i exists and is not a folder"; )sh"
           uR"sh(elif [ ! -O "$d" ]; then echo "$i belongs to another user"; )sh"
           uR"sh(else e=("$d"/*); if [ "${#e[@]}" -ne 0 ]; then echo "$i was filled by someone else as it was made"; )sh"
           uR"sh(elif { printf '%s\n' "$m" > "$f"; } 2>/dev/null; then echo "$i ok"; )sh"
           uR"sh(else echo "$i its owner mark cannot be written"; fi; fi; )sh"
           uR"sh(elif [ -L "$d" ] || [ ! -d "$d" ]; then echo "$i exists and is not a folder"; )sh"
           uR"sh(elif [ ! -O "$d" ]; then echo "$i belongs to another user"; )sh"
           uR"sh(elif [ -L "$f" ] || [ ! -f "$f" ] || [ ! -O "$f" ]; then echo "$i exists without this store's owner mark"; )sh"
           uR"sh(elif IFS= read -r line < "$f" && [ "$line" = "$m" ]; then echo "$i ok"; )sh"
           uR"sh(else echo "$i was made by another store or attempt"; fi; done; echo done)sh"_s.arg(
               QLatin1String(engine::kOwnerMarkFile));
}

} // namespace

RemoteCommand claimCommand(const QList<engine::FolderClaim>& claims)
{
    QStringList argv{u"bash"_s, u"-c"_s, claimScript(), u"sweepline-claim"_s};
    for (const engine::FolderClaim& claim : claims)
        argv << claim.folder << claim.mark;
    return {argv, {}};
}

model::Result<QList<model::Status>> parseClaims(const QList<engine::FolderClaim>& claims, const QString& out,
                                                const QString& err, int exitCode)
{
    using R = model::Result<QList<model::Status>>;
    const QStringList lines = out.split(u'\n', Qt::SkipEmptyParts);
    if (exitCode != 0 || lines.isEmpty() || lines.constLast().trimmed() != u"done"_s) {
        return R::failure(u"the trial folder claim did not finish (exit %1): %2"_s.arg(exitCode).arg(
            (err.trimmed().isEmpty() ? out : err).trimmed().left(300)));
    }
    QList<model::Status> results(claims.size(), model::Status::failure(u"no answer"_s));
    QList<bool> answered(claims.size(), false);
    for (const QString& line : lines.first(lines.size() - 1)) {
        const qsizetype space = line.indexOf(u' ');
        bool ok = false;
        const qsizetype index = line.left(space).toLongLong(&ok) - 1;
        if (!ok || space < 0 || index < 0 || index >= claims.size() || answered.at(index))
            return R::failure(u"unexpected answer from the trial folder claim: "_s + line.left(200));
        answered[index] = true;
        const QString why = line.mid(space + 1).trimmed();
        results[index] = why == u"ok"_s ? model::success() : engine::refusedFolder(claims.at(index).folder, why);
    }
    if (answered.contains(false))
        return R::failure(u"the trial folder claim left folders unanswered"_s);
    return results;
}

} // namespace sweepline::remote
