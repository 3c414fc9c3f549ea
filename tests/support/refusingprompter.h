#pragma once
// A CredentialPrompter for unattended tests and benchmarks: the fixtures log in with a key and a
// known host key, so any question at all means something is wrong, and it is declined.

#include "remote/ssh/credentialprompter.h"

namespace sweepline::testing {

class RefusingPrompter final : public remote::ssh::CredentialPrompter {
public:
    bool acceptNewHostKey(const remote::ssh::HostKeyInfo&) override { return false; }
    std::optional<QString> passphrase(const QString&) override { return std::nullopt; }
    std::optional<QString> password(const QString&, const QString&) override { return std::nullopt; }
    std::optional<QStringList> keyboardInteractive(const QString&, const QString&,
                                                   const QList<remote::ssh::InteractivePrompt>&) override
    {
        return std::nullopt;
    }
};

} // namespace sweepline::testing
