#include "engine/backendfactory.h"

#include "engine/localbackend.h"

using namespace Qt::StringLiterals;

namespace sweepline::engine {

BackendResult makeBackend(const model::Campaign& campaign, const ClusterBackendMaker& makeCluster,
                          const BackendOptions& options)
{
    if (!campaign.cluster.isRemote())
        return BackendResult(std::make_unique<LocalBackend>());
    if (!makeCluster)
        return BackendResult::failure(u"cluster.host: this program cannot reach login nodes"_s);
    return makeCluster(campaign, options);
}

} // namespace sweepline::engine
