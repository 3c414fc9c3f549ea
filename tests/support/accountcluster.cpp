#include "support/accountcluster.h"

namespace sweepline::testing {

bool AccountCluster::start(const std::function<void(SshServerOptions&)>& adjust)
{
    m_account = std::make_unique<TestAccount>();
    if (!m_account->create()) {
        m_error = m_account->errorString();
        return false;
    }
    m_slurm = std::make_unique<SlurmFixture>();
    if (!m_slurm->start()) {
        m_error = m_slurm->errorString();
        return false;
    }
    SshServerOptions options;
    options.sessionEnvironment = m_slurm->sessionEnvironment();
    if (adjust)
        adjust(options);
    m_ssh = std::make_unique<SshServerFixture>(options);
    if (!m_ssh->start()) {
        m_error = m_ssh->errorString();
        return false;
    }
    SshClientConfig client;
    client.user = m_account->name();
    m_clientConfig = m_ssh->writeClientConfig(client);
    return true;
}

void AccountCluster::stop()
{
    m_account.reset();
    m_ssh.reset();
    m_slurm.reset();
}

} // namespace sweepline::testing
