#pragma once

#include "engine/jobbackend.h"
#include "model/campaign.h"
#include "model/result.h"

#include <functional>
#include <memory>

namespace sweepline::engine {

struct BackendOptions {
    bool acceptNewHostKey = false;
};

using BackendResult = model::Result<std::unique_ptr<JobBackend>>;

// Makes the backend of a campaign whose cluster section names a login node. remote/ provides it
// (remote::clusterBackendMaker), so the engine itself never links SSH.
using ClusterBackendMaker = std::function<BackendResult(const model::Campaign&, const BackendOptions&)>;

// The backend a campaign's cluster section asks for: this computer, or a login node through
// makeCluster. Without a maker a remote campaign is refused, naming why.
BackendResult makeBackend(const model::Campaign& campaign, const ClusterBackendMaker& makeCluster,
                          const BackendOptions& options);

} // namespace sweepline::engine
