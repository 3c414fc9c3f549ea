#pragma once

#include "engine/backendfactory.h"
#include "engine/campaignrunner.h"
#include "model/campaign.h"
#include "model/result.h"
#include "model/trialstore.h"

#include <QLockFile>
#include <QString>

#include <memory>

namespace sweepline::engine {

// Takes <stateDirectory>/run.lock, stale only when its process is gone. Fails with StoreLocked when
// another run holds it (the message names its pid, host and program), and with Io when the folder
// is read-only or the lock cannot be written for another reason, saying which.
model::Result<std::unique_ptr<QLockFile>> lockStateDirectory(const QString& stateDirectory);

struct RunSessionOptions {
    model::TrialStore::DefinitionPolicy definition = model::TrialStore::DefinitionPolicy::RequireSame;
    BackendOptions backend;
};

// One campaign opened for running, monitoring or cancelling: the lock of its state folder, its
// store with the definition checked, the backend and the runner, made in that order and released
// in reverse. Failures: StoreLocked, DefinitionChanged, NotFound, Io (and the backend's own codes).
// The runner is made but not started: the caller connects its signals first.
class RunSession {
public:
    // For a run or for monitoring: campaign is the definition to run, checked against the store
    // (created, with its folder, when there is none yet).
    static model::Result<std::unique_ptr<RunSession>> open(const model::Campaign& campaign,
                                                           const QString& stateDirectory,
                                                           const ClusterBackendMaker& makeCluster,
                                                           const RunSessionOptions& options = {});
    // For a cancel: the store must exist, and the definition it records is the campaign.
    static model::Result<std::unique_ptr<RunSession>> openRecorded(const QString& stateDirectory,
                                                                   const ClusterBackendMaker& makeCluster,
                                                                   const BackendOptions& options = {});

    ~RunSession();
    RunSession(const RunSession&) = delete;
    RunSession& operator=(const RunSession&) = delete;

    const model::Campaign& campaign() const { return m_campaign; }
    QString stateDirectory() const { return m_stateDirectory; }
    model::TrialStore& store() { return *m_store; }
    JobBackend& backend() { return *m_backend; }
    CampaignRunner& runner() { return *m_runner; }

private:
    RunSession() = default;
    static model::Result<std::unique_ptr<RunSession>>
    finish(std::unique_ptr<RunSession> session, const ClusterBackendMaker& makeCluster, const BackendOptions& options);

    model::Campaign m_campaign;
    QString m_stateDirectory;
    // Declared in the order they are made, so that they are destroyed in reverse.
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<model::TrialStore> m_store;
    std::unique_ptr<JobBackend> m_backend;
    std::unique_ptr<CampaignRunner> m_runner;
};

} // namespace sweepline::engine
