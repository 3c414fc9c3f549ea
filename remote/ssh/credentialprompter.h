#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace sweepline::remote::ssh {

struct HostKeyInfo {
    enum class Status { Known, Unknown, Changed, Other, Error };
    Status status = Status::Error;
    QString host;                 // "[127.0.0.1]:2222" as known_hosts names it
    QString keyType;              // "ssh-ed25519"
    QString fingerprintSha256;    // "SHA256:..."
    QString knownHostsFile;
};

struct InteractivePrompt {
    QString text;  // the server's prompt, shown verbatim
    bool echo = false;
};

// Everything a login may need to ask a person. Called on the SSH worker thread: a GUI
// implementation forwards to its own thread and waits there, never the other way round.
// Answers are used once and never stored.
class CredentialPrompter {
public:
    virtual ~CredentialPrompter() = default;

    // Whether to trust and record a host key seen for the first time.
    virtual bool acceptNewHostKey(const HostKeyInfo& key) = 0;
    // nullopt: the person declined.
    virtual std::optional<QString> passphrase(const QString& keyFile) = 0;
    virtual std::optional<QString> password(const QString& user, const QString& host) = 0;
    virtual std::optional<QStringList> keyboardInteractive(const QString& name, const QString& instruction,
                                                           const QList<InteractivePrompt>& prompts) = 0;
};

} // namespace sweepline::remote::ssh
