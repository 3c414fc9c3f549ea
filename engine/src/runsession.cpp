#include "engine/runsession.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace sweepline::engine {

using model::ErrorCode;
using SessionResult = model::Result<std::unique_ptr<RunSession>>;

model::Result<std::unique_ptr<QLockFile>> lockStateDirectory(const QString& stateDirectory)
{
    using R = model::Result<std::unique_ptr<QLockFile>>;
    auto lock = std::make_unique<QLockFile>(QDir(stateDirectory).filePath(u"run.lock"_s));
    lock->setStaleLockTime(0); // a lock is stale only when its process is gone
    if (lock->tryLock(0))
        return lock;
    switch (lock->error()) {
    case QLockFile::LockFailedError: {
        qint64 pid = 0;
        QString host, app;
        if (!lock->getLockInfo(&pid, &host, &app))
            return R::failure(ErrorCode::StoreLocked,
                              u"%1 is in use by another run (its lock file cannot be read)"_s.arg(stateDirectory));
        return R::failure(ErrorCode::StoreLocked,
                          u"%1 is in use by another run (%2, pid %3 on %4)"_s
                              .arg(stateDirectory, app.isEmpty() ? u"unknown program"_s : app)
                              .arg(pid)
                              .arg(host));
    }
    case QLockFile::PermissionError:
        return R::failure(ErrorCode::Io,
                          u"%1 is read-only (or not writable by this user): a run needs to write its lock and "
                          "store there. Use --store to keep the state in another folder."_s.arg(stateDirectory));
    case QLockFile::NoError:
    case QLockFile::UnknownError:
        break;
    }
    const QFileInfo folder(stateDirectory);
    if (!folder.isDir())
        return R::failure(ErrorCode::Io, u"cannot lock %1: it is not a folder"_s.arg(stateDirectory));
    return R::failure(ErrorCode::Io, u"cannot lock %1: the lock file could not be written"_s.arg(stateDirectory));
}

RunSession::~RunSession()
{
    // Explicit, though the members are declared so: the runner refers to the backend and the
    // store, and the lock must outlive every write to the store.
    m_runner.reset();
    m_backend.reset();
    m_store.reset();
    m_lock.reset();
}

SessionResult RunSession::open(const model::Campaign& campaign, const QString& stateDirectory,
                               const ClusterBackendMaker& makeCluster, const RunSessionOptions& options)
{
    std::unique_ptr<RunSession> session(new RunSession);
    session->m_campaign = campaign;
    session->m_stateDirectory = stateDirectory;
    if (!QDir().mkpath(stateDirectory))
        return SessionResult::failure(ErrorCode::Io, u"cannot create the state folder %1"_s.arg(stateDirectory));
    auto lock = lockStateDirectory(stateDirectory);
    if (!lock)
        return lock.failureInfo();
    session->m_lock = std::move(lock).value();
    auto store = model::TrialStore::open(stateDirectory, campaign, options.definition);
    if (!store)
        return store.failureInfo();
    session->m_store = std::move(store).value();
    return finish(std::move(session), makeCluster, options.backend);
}

SessionResult RunSession::openRecorded(const QString& stateDirectory, const ClusterBackendMaker& makeCluster,
                                       const BackendOptions& options)
{
    std::unique_ptr<RunSession> session(new RunSession);
    session->m_stateDirectory = stateDirectory;
    // Checked before the lock: locking would create the folder's lock file for nothing.
    if (!model::TrialStore::exists(stateDirectory))
        return SessionResult::failure(ErrorCode::NotFound, u"no state for this campaign yet: %1"_s.arg(stateDirectory));
    auto lock = lockStateDirectory(stateDirectory);
    if (!lock)
        return lock.failureInfo();
    session->m_lock = std::move(lock).value();
    auto store = model::TrialStore::openExisting(stateDirectory);
    if (!store)
        return store.failureInfo();
    session->m_store = std::move(store).value();
    auto campaign = session->m_store->recordedCampaign();
    if (!campaign)
        return campaign.failureInfo();
    session->m_campaign = std::move(campaign).value();
    return finish(std::move(session), makeCluster, options);
}

SessionResult RunSession::finish(std::unique_ptr<RunSession> session, const ClusterBackendMaker& makeCluster,
                                 const BackendOptions& options)
{
    auto backend = makeBackend(session->m_campaign, makeCluster, options);
    if (!backend)
        return backend.failureInfo();
    session->m_backend = std::move(backend).value();
    session->m_runner = std::make_unique<CampaignRunner>(session->m_campaign, *session->m_store, *session->m_backend,
                                                         session->m_stateDirectory);
    return session;
}

} // namespace sweepline::engine
