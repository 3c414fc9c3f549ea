#pragma once
// A CredentialPrompter for unattended tests and benchmarks: the fixtures log in with a key and a
// known host key, so any question at all means something is wrong, and it is declined.

#include "remote/ssh/credentialprompter.h"

namespace sweepline::testing {

class RefusingPrompter final : public remote::ssh::CredentialPrompter {
public:
    bool acceptNewHostKey(const remote::ssh::HostKeyInfo&) override { return false; }
    std::optional<remote::ssh::SecretBuffer> passphrase(const QString&) override { return std::nullopt; }
    std::optional<remote::ssh::SecretBuffer> password(const QString&, const QString&) override { return std::nullopt; }
    std::optional<std::vector<remote::ssh::SecretBuffer>>
    keyboardInteractive(const QString&, const QString&, const QList<remote::ssh::InteractivePrompt>&) override
    {
        return std::nullopt;
    }
};

} // namespace sweepline::testing
