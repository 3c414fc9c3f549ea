#pragma once

#include "remote/ssh/credentialprompter.h"

namespace sweepline::cli {

// Asks on the terminal (/dev/tty), with echo off for secrets. Without a terminal (a batch job, CI)
// every question is declined, so nothing ever waits for an answer that cannot come.
class ConsolePrompter final : public remote::ssh::CredentialPrompter {
public:
    explicit ConsolePrompter(bool acceptNewHostKeys) : m_acceptNewHostKeys(acceptNewHostKeys) {}

    bool acceptNewHostKey(const remote::ssh::HostKeyInfo& key) override;
    std::optional<remote::ssh::SecretBuffer> passphrase(const QString& keyFile) override;
    std::optional<remote::ssh::SecretBuffer> password(const QString& user, const QString& host) override;
    std::optional<std::vector<remote::ssh::SecretBuffer>>
    keyboardInteractive(const QString& name, const QString& instruction,
                        const QList<remote::ssh::InteractivePrompt>& prompts) override;

private:
    bool m_acceptNewHostKeys;
};

} // namespace sweepline::cli
