#include "remote/scheduler.h"

#include "remote/schedulers/pbsadapter.h"
#include "remote/schedulers/pjmadapter.h"
#include "remote/schedulers/slurmadapter.h"
#include "remote/schedulers/sshadapter.h"

using namespace Qt::StringLiterals;

namespace sweepline::remote {

std::unique_ptr<SchedulerAdapter> makeSchedulerAdapter(const QString& name)
{
    if (name == u"slurm"_s)
        return std::make_unique<SlurmAdapter>();
    if (name == u"pjm"_s)
        return std::make_unique<PjmAdapter>();
    if (name == u"pbs"_s)
        return std::make_unique<PbsAdapter>();
    if (name == u"ssh"_s)
        return std::make_unique<SshAdapter>();
    return nullptr;
}

} // namespace sweepline::remote
