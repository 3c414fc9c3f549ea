#include "remote/clusterbackendmaker.h"

#include "remote/clusterbackend.h"
#include "remote/scheduler.h"
#include "remote/ssh/endpoint.h"

using namespace Qt::StringLiterals;

namespace sweepline::remote {

engine::ClusterBackendMaker clusterBackendMaker(ssh::CredentialPrompter& prompter)
{
    return [&prompter](const model::Campaign& campaign, const engine::BackendOptions& options) {
        using R = engine::BackendResult;
        const model::ClusterSettings& cluster = campaign.cluster;
        auto scheduler = makeSchedulerAdapter(cluster.scheduler);
        if (!scheduler)
            return R::failure(u"cluster.scheduler: unknown scheduler \"%1\""_s.arg(cluster.scheduler));
        auto endpoint = ssh::resolveEndpoint(cluster);
        if (!endpoint)
            return R::failure(endpoint.error());
        ClusterOptions clusterOptions;
        clusterOptions.campaign = campaign.name;
        clusterOptions.workdir = cluster.workdir;
        clusterOptions.directives = cluster.directives;
        clusterOptions.pollIntervalMs = cluster.pollIntervalSeconds * 1000;
        clusterOptions.parallelSubmissions = cluster.parallelSubmissions;
        clusterOptions.maxQueued = cluster.maxQueued;
        clusterOptions.acceptNewHostKey = options.acceptNewHostKey;
        // For tests, which need not write 256 MiB to see a truncated stdout handled.
        if (const qint64 limit = qEnvironmentVariableIntValue("SWEEPLINE_MAX_DOWNLOAD_BYTES"); limit > 0)
            clusterOptions.maxDownloadBytes = limit;
        return R(std::make_unique<ClusterBackend>(std::move(endpoint).value(), std::move(scheduler),
                                                  std::move(clusterOptions), prompter));
    };
}

} // namespace sweepline::remote
