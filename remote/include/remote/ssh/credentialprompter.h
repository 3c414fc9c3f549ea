#pragma once

#include "remote/ssh/secretbuffer.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace sweepline::remote::ssh {

struct HostKeyInfo {
    enum class Status { Known, Unknown, Changed, Other, Error };
    Status status = Status::Error;
    QString host;              // "[127.0.0.1]:2222" as known_hosts names it
    QString keyType;           // "ssh-ed25519"
    QString fingerprintSha256; // "SHA256:..."
    QString knownHostsFile;
};

struct InteractivePrompt {
    QString text; // the server's prompt, control characters removed (see serverText)
    bool echo = false;
};

// Text a server sent to be shown to a person (keyboard-interactive name, instruction and prompts),
// with every control and format character removed, so it cannot move the cursor, recolour or
// rewrite the terminal, or reorder what is shown (bidi overrides). keepLineBreaks keeps '\n' for
// an instruction of several lines.
inline QString serverText(const QString& text, bool keepLineBreaks = false)
{
    QString clean;
    clean.reserve(text.size());
    for (QChar c : text) {
        const QChar::Category category = c.category();
        if (c == u'\t')
            clean += u' ';
        else if ((keepLineBreaks && c == u'\n')
                 || (category != QChar::Other_Control && category != QChar::Other_Format
                     && category != QChar::Separator_Line && category != QChar::Separator_Paragraph))
            clean += c;
    }
    return clean;
}

// Everything a login may need to ask a person. Called on the SSH worker thread: a GUI
// implementation forwards to its own thread and waits there, never the other way round.
// Answers are used once and never stored: they travel as SecretBuffers, which wipe themselves.
class CredentialPrompter {
public:
    virtual ~CredentialPrompter() = default;

    // Whether to trust and record a host key seen for the first time.
    virtual bool acceptNewHostKey(const HostKeyInfo& key) = 0;
    // nullopt: the person declined.
    virtual std::optional<SecretBuffer> passphrase(const QString& keyFile) = 0;
    virtual std::optional<SecretBuffer> password(const QString& user, const QString& host) = 0;
    // One answer per prompt, in order. name, instruction and prompts are already serverText().
    virtual std::optional<std::vector<SecretBuffer>>
    keyboardInteractive(const QString& name, const QString& instruction, const QList<InteractivePrompt>& prompts) = 0;
};

} // namespace sweepline::remote::ssh
