#pragma once

#include "remote/ssh/agentprotocol.h"
#include "remote/ssh/agentservice.h"
#include "remote/ssh/credentialprompter.h"
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshsession.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QTimer;

namespace sweepline::remote::ssh {

struct RemoteUpload {
    QString remotePath;
    QByteArray data;
    int mode = 0644;
};

// The most of one file a download brings back; a larger file comes back as its last this many bytes.
inline constexpr qint64 kDefaultMaxDownload = qint64(256) << 20;

struct RemoteDownload {
    QString remotePath;
    QString localPath;
};

struct LocalCopy {
    QString localPath;
    QByteArray data; // what an operation of the same session already read, e.g. an exit code
};

// Everything one step of the engine needs from the cluster, done over the one session in order:
// folders, uploads, then every operation in ONE command, then downloads and local copies.
struct RemoteRequest {
    QStringList directories;
    QList<RemoteUpload> uploads;
    QList<AgentOperation> operations;
    QList<RemoteDownload> downloads; // a missing remote file is skipped, not an error
    QList<LocalCopy> localCopies;    // written with the downloads
    qint64 maxDownloadBytes = kDefaultMaxDownload;
};

struct RemoteResponse {
    bool ok = false;
    model::Error error;                // !ok: its code says what happened (HostKeyChanged, Network, ...)
    bool operationsMayHaveRun = false; // the command was sent: when !ok its effects are unknown
    QList<AgentResult> results;
    QStringList downloaded;                    // local paths written
    QHash<QString, qint64> truncatedDownloads; // local path -> size of the whole remote file
    QHash<QString, QString> refusedDownloads;  // local path -> why the remote file was not read
    QString home;                              // the account's home folder, once logged in
};

enum class ConnectionState { Disconnected, Connecting, Connected, Failed };

// A local copy of a remote file (runs/<trial>/stdout, ...): written to a temporary name and renamed,
// so a reader never sees half a file. No fsync: the store's crash safety lives in SQLite, and a copy
// lost to a power cut is fetched again, since its trial was not committed yet.
model::Status writeLocalCopy(const QString& path, const QByteArray& data);

// Owns one SSH session on its own thread and serves requests one after another. It logs in once and
// reuses the session; after a lost connection the next request logs in again. A host-key or
// authentication failure is final: every later request fails with it, nothing retries.
class SshWorker : public QObject {
    Q_OBJECT
public:
    SshWorker(Endpoint endpoint, CredentialPrompter& prompter, bool acceptNewHostKey);
    ~SshWorker() override;

    int logins() const { return m_session ? m_session->logins() : 0; }
    int channelsOpened() const { return m_session ? m_session->channelsOpened() : 0; }
    int helperStarts() const { return m_agent ? m_agent->starts() : 0; }

public slots:
    void execute(quint64 requestId, const sweepline::remote::ssh::RemoteRequest& request);
    void shutdown();

signals:
    void done(quint64 requestId, const sweepline::remote::ssh::RemoteResponse& response);
    void stateChanged(sweepline::remote::ssh::ConnectionState state, const QString& detail);
    void countersChanged(int logins, int channels);

private:
    model::Status ensureConnected();
    model::Status locateHelper();
    model::Status installAgent();
    model::Status makeOwnerOnlyFolder(const QString& path);
    QString requestsFolder() const;
    RemoteResponse serve(const RemoteRequest& request);
    static RemoteResponse failure(model::Error error, bool mayHaveRun);
    void setState(ConnectionState state, const QString& detail);
    void keepAlive();

    Endpoint m_endpoint;
    CredentialPrompter& m_prompter;
    bool m_acceptNewHostKey;
    std::unique_ptr<SshSession> m_session;
    std::unique_ptr<AgentService> m_agent; // uses m_session: declared after it, destroyed before it
    QTimer* m_keepAlive = nullptr;
    std::optional<model::Error> m_fatalError; // set once on a host-key or login failure
    QString m_clientId;                       // names this client's request files on the cluster
    QString m_helperFolder;                   // absolute: <home>/.sweepline
    quint64 m_requestFiles = 0;
    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_stateDetail;
};

} // namespace sweepline::remote::ssh

Q_DECLARE_METATYPE(sweepline::remote::ssh::RemoteRequest)
Q_DECLARE_METATYPE(sweepline::remote::ssh::RemoteResponse)
Q_DECLARE_METATYPE(sweepline::remote::ssh::ConnectionState)
