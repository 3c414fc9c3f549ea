#include "remote/scheduler.h"

#include "remote/schedulers/pbsadapter.h"
#include "remote/schedulers/pjmadapter.h"
#include "remote/schedulers/slurmadapter.h"
#include "remote/schedulers/sshadapter.h"

namespace sweepline::remote {

std::unique_ptr<SchedulerAdapter> makeSchedulerAdapter(const QString& name)
{
    if (name == QLatin1String("slurm"))
        return std::make_unique<SlurmAdapter>();
    if (name == QLatin1String("pjm"))
        return std::make_unique<PjmAdapter>();
    if (name == QLatin1String("pbs"))
        return std::make_unique<PbsAdapter>();
    if (name == QLatin1String("ssh"))
        return std::make_unique<SshAdapter>();
    return nullptr;
}

} // namespace sweepline::remote
