#pragma once

#include "model/result.h"
#include "remote/ssh/credentialprompter.h"
#include "remote/ssh/endpoint.h"

#include <QByteArray>
#include <QSet>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace sweepline::remote::ssh {

// What one read of the service brought.
struct ServiceOutput {
    QByteArray out;     // stdout
    QByteArray err;     // stderr
    bool ended = false; // it will print nothing more (it exited or closed its output)
};

// One authenticated libssh session and its SFTP channel. Blocking: it lives on one worker thread,
// which owns it and all its channels. Every call is bounded by the session's timeout. A failure's
// code says what happened: Network (worth reconnecting), HostKeyChanged and LoginRefused (final),
// RemoteRefused (the server refused something it was asked, the connection is fine).
class SshSession {
public:
    explicit SshSession(std::chrono::seconds timeout = std::chrono::seconds(30));
    ~SshSession();
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    // Connects, checks the host key strictly, and logs in. acceptNewHostKey: UNKNOWN keys are
    // offered to the prompter (and recorded if it accepts); otherwise they are refused.
    model::Status connect(const Endpoint& endpoint, CredentialPrompter& prompter, bool acceptNewHostKey);
    void disconnect();
    bool isConnected() const;

    // One command that keeps running for the session and talks over its stdin and stdout (the
    // helper's --serve mode): a login shell starts once, not once per command. Starting one stops
    // the one before; disconnect() stops it too. The line must be built from fixed words and our
    // own identifiers only: no user value ever goes into it.
    model::Status startService(const QByteArray& commandLine);
    // Whether it still runs, as far as what has arrived says: it ended, or printed something
    // unasked, is false. Never blocks.
    bool serviceRunning();
    model::Status writeToService(const QByteArray& bytes);
    // What it printed since the last read, waiting up to `wait` for stdout.
    model::Result<ServiceOutput> readFromService(std::chrono::milliseconds wait);
    void stopService();

    model::Status writeFile(const QString& remotePath, const QByteArray& data, int mode);
    model::Result<QByteArray> readFile(const QString& remotePath, qint64 maxBytes);
    // Like readFile, without a separate stat: nullopt when the file does not exist.
    model::Result<std::optional<QByteArray>> readFileIfPresent(const QString& remotePath, qint64 maxBytes);
    model::Result<bool> exists(const QString& remotePath);

    // A trial's output file (stdout, stderr, exit_code), read without trusting the folder's
    // contents: nullopt when absent; `refused` says why it was not read when it is a symlink, not a
    // regular file, or owned by another user than the folder; over maxBytes only its LAST maxBytes
    // come back (a seek), so the last metric of a huge stdout is still there.
    struct OutputFile {
        QByteArray data;
        qint64 size = 0;        // of the whole file
        bool truncated = false; // data is its tail
        QString refused;
    };
    model::Result<std::optional<OutputFile>> readOutputFile(const QString& remotePath, qint64 maxBytes);
    // Like mkdir -p. It tries the folder itself first and climbs only where a parent is missing, and
    // remembers the folders it made or found in this session: a job folder costs one round trip.
    model::Status makePath(const QString& remotePath);
    // Renames over an existing target. libssh 0.10 sends no posix-rename@openssh.com, so an existing
    // target is renamed aside first (*atomic false): its name is briefly absent, never half-written.
    model::Status renameOver(const QString& from, const QString& to, bool* atomic = nullptr);
    model::Status setPermissions(const QString& remotePath, int mode);
    QString homeDirectory() const { return m_home; }
    std::chrono::seconds timeout() const { return m_timeout; }

    // Traffic that keeps NAT and firewalls from dropping an idle connection.
    model::Status keepAlive();

    const HostKeyInfo& hostKey() const { return m_hostKey; }

    // For benchmarks and tests: what the session cost the server.
    int logins() const { return m_logins; }
    int channelsOpened() const { return m_channels; }

private:
    // Network when the connection is gone, else RemoteRefused: the server said no.
    model::ErrorCode refusedOrLost() const;
    model::Status checkHostKey(const Endpoint& endpoint, CredentialPrompter& prompter, bool acceptNew);
    model::Status authenticate(const Endpoint& endpoint, CredentialPrompter& prompter);
    model::Status openSftp();
    model::Result<std::optional<QByteArray>> readRemote(const QString& remotePath, qint64 maxBytes,
                                                        bool missingIsError);
    QString sshError() const;

    struct Handles;
    std::unique_ptr<Handles> h;
    std::chrono::seconds m_timeout;
    QString m_home;
    QSet<QString> m_knownFolders; // folders that exist, made or found in this session
    HostKeyInfo m_hostKey;
    int m_logins = 0;
    int m_channels = 0;
};

} // namespace sweepline::remote::ssh
