#pragma once
// A "cluster" for whole-campaign tests: a one-node Slurm, an sshd whose sessions see it, and an
// ordinary account (TestAccount, noisy login files) to log in as, with a client config for it.
// Torn down in the order that is safe: the account's jobs and sessions first, then sshd, then Slurm.

#include "support/slurmfixture.h"
#include "support/sshserverfixture.h"
#include "support/testaccount.h"

#include <functional>
#include <memory>

namespace sweepline::testing {

class AccountCluster {
public:
    AccountCluster() = default;
    ~AccountCluster() { stop(); }
    AccountCluster(const AccountCluster&) = delete;
    AccountCluster& operator=(const AccountCluster&) = delete;

    // adjust may change the sshd's options (a PATH of wrappers, say) before it starts.
    bool start(const std::function<void(SshServerOptions&)>& adjust = {});
    void stop();
    QString errorString() const { return m_error; }

    TestAccount& account() { return *m_account; }
    SlurmFixture& slurm() { return *m_slurm; }
    SshServerFixture& ssh() { return *m_ssh; }
    QString clientConfig() const { return m_clientConfig; } // logs in as the account

private:
    std::unique_ptr<TestAccount> m_account;
    std::unique_ptr<SlurmFixture> m_slurm;
    std::unique_ptr<SshServerFixture> m_ssh;
    QString m_clientConfig;
    QString m_error;
};

} // namespace sweepline::testing
