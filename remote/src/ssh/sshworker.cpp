#include "remote/ssh/sshworker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace sweepline::remote::ssh {

namespace {

const QString kHelperFolder = u".sweepline"_s;
constexpr int kOwnerOnlyFolder = 0700;
// Characters that mean the same in a command line of sh, bash, csh and tcsh (the login shell
// parses the helper's command line): a home of other characters is reached through "~/" instead.
const QRegularExpression kShellSafePath(u"^/[A-Za-z0-9._+,:@%/=-]*$"_s);
constexpr int kKeepAliveMs = 60000;
// The helper reports each operation as it ends; this bounds a whole command on top of the idle limit.
constexpr std::chrono::seconds kPerOperation(2);

} // namespace

model::Status writeLocalCopy(const QString& path, const QByteArray& data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QString part = path + u".part"_s;
    QFile f(part);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
        const QString why = f.errorString();
        f.close();
        QFile::remove(part);
        return model::Status::failure(model::ErrorCode::Io, u"cannot write %1: %2"_s.arg(path, why));
    }
    f.close();
    if (std::rename(QFile::encodeName(part).constData(), QFile::encodeName(path).constData()) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        QFile::remove(part);
        return model::Status::failure(model::ErrorCode::Io, u"cannot write %1: %2"_s.arg(path, why));
    }
    return model::success();
}

SshWorker::SshWorker(Endpoint endpoint, CredentialPrompter& prompter, bool acceptNewHostKey)
    : m_endpoint(std::move(endpoint)),
      m_prompter(prompter),
      m_acceptNewHostKey(acceptNewHostKey),
      m_session(std::make_unique<SshSession>()),
      m_agent(std::make_unique<AgentService>(*m_session, QByteArray())),
      m_clientId(QString::number(QRandomGenerator::global()->generate64(), 36))
{}

SshWorker::~SshWorker() = default;

void SshWorker::setState(ConnectionState state, const QString& detail)
{
    // A failed login is reported where it fails; the request that asked for it ends in the same state.
    if (state == m_state && state == ConnectionState::Disconnected && !detail.isEmpty() && detail == m_stateDetail)
        return;
    m_state = state;
    m_stateDetail = detail;
    emit stateChanged(state, detail);
}

model::Status SshWorker::ensureConnected()
{
    if (m_fatalError)
        return *m_fatalError;
    if (m_session->isConnected())
        return model::success();
    setState(ConnectionState::Connecting, m_endpoint.alias);
    auto connected = m_session->connect(m_endpoint, m_prompter, m_acceptNewHostKey);
    if (connected)
        connected = locateHelper();
    if (connected)
        connected = installAgent();
    // Its login shell starts now, while the first request is built and uploaded.
    if (connected)
        connected = m_agent->start();
    emit countersChanged(m_session->logins(), m_session->channelsOpened());
    if (!connected) {
        const model::ErrorCode code = connected.errorCode();
        if (code == model::ErrorCode::HostKeyChanged || code == model::ErrorCode::LoginRefused) {
            m_fatalError = connected.failureInfo();
            setState(ConnectionState::Failed, connected.error());
        } else {
            setState(ConnectionState::Disconnected, connected.error());
        }
        m_session->disconnect();
        return connected;
    }
    if (!m_keepAlive) {
        m_keepAlive = new QTimer(this);
        connect(m_keepAlive, &QTimer::timeout, this, &SshWorker::keepAlive);
        m_keepAlive->start(kKeepAliveMs);
    }
    setState(ConnectionState::Connected, m_endpoint.alias);
    return model::success();
}

// Absolute paths, from the home folder SFTP reported: the login shell's rc files may cd anywhere.
model::Status SshWorker::locateHelper()
{
    const QString home = m_session->homeDirectory();
    if (!home.startsWith(u'/') || home.contains(u'\n') || home.contains(u'\r'))
        return model::Status::failure(
            u"the home folder the server reports (%1) is not an absolute path of one line: Sweepline "
            "cannot place its helper there"_s.arg(home));
    m_helperFolder = (home == u"/"_s ? QString() : home) + u'/' + kHelperFolder;
    // The command line goes through the login shell's parser (sh, bash or tcsh): only a path of
    // safe characters goes into it verbatim. Otherwise "~/", which every one of them expands to the
    // same home (sshd sets HOME), without splitting or evaluating what it expands to.
    const QString helperInCommand =
        kShellSafePath.match(m_helperFolder).hasMatch() ? m_helperFolder : u"~/"_s + kHelperFolder;
    m_agent->setCommandLine(u"bash %1/%2"_s.arg(helperInCommand, agentFileName()).toUtf8());
    // A helper that ended (a reaper, a pkill) may have been damaged too: checked again before it restarts.
    m_agent->setBeforeRestart([this] { return installAgent(); });
    return model::success();
}

// The helper is checked against its text at every login and (re)installed when it is missing,
// truncated or changed: written to a temporary name, then renamed over the old one.
model::Status SshWorker::installAgent()
{
    const QString path = m_helperFolder + u'/' + agentFileName();
    if (auto made = makeOwnerOnlyFolder(m_helperFolder); !made)
        return made;
    if (auto made = makeOwnerOnlyFolder(requestsFolder()); !made)
        return made;
    auto installed = m_session->readFileIfPresent(path, agentScript().size() + 1);
    if (!installed)
        return installed.failureInfo();
    if (installed->has_value() && installed->value() == agentScript())
        return model::success();
    const QString temporary = u"%1.%2.tmp"_s.arg(path, m_clientId);
    if (auto written = m_session->writeFile(temporary, agentScript(), 0700); !written)
        return written;
    return m_session->renameOver(temporary, path);
}

model::Status SshWorker::makeOwnerOnlyFolder(const QString& path)
{
    if (auto made = m_session->makePath(path); !made)
        return made;
    return m_session->setPermissions(path, kOwnerOnlyFolder);
}

QString SshWorker::requestsFolder() const
{
    return m_helperFolder + u"/requests"_s;
}

RemoteResponse SshWorker::failure(model::Error error, bool mayHaveRun)
{
    RemoteResponse r;
    r.error = std::move(error);
    r.operationsMayHaveRun = mayHaveRun;
    return r;
}

RemoteResponse SshWorker::serve(const RemoteRequest& request)
{
    if (auto connected = ensureConnected(); !connected)
        return failure(connected.failureInfo(), false);
    for (const QString& dir : request.directories) {
        if (auto made = m_session->makePath(dir); !made)
            return failure(made.failureInfo(), false);
    }
    for (const RemoteUpload& upload : request.uploads) {
        if (auto written = m_session->writeFile(upload.remotePath, upload.data, upload.mode); !written)
            return failure(written.failureInfo(), false);
    }
    RemoteResponse response;
    if (!request.operations.isEmpty()) {
        auto encoded = encodeAgentRequest(request.operations);
        if (!encoded)
            return failure(encoded.failureInfo(), false);
        // Only our own fixed names go into the command line; the operations travel in the file.
        const QString requestFile = u"%1/%2-%3.req"_s.arg(requestsFolder(), m_clientId).arg(++m_requestFiles);
        auto written = m_session->writeFile(requestFile, encoded.value(), 0600);
        if (!written && written.errorCode() == model::ErrorCode::RemoteRefused) {
            // Someone removed the requests folder during the session: make it again, once.
            if (auto made = makeOwnerOnlyFolder(requestsFolder()); made)
                written = m_session->writeFile(requestFile, encoded.value(), 0600);
        }
        if (!written)
            return failure(written.failureInfo(), false);
        const AgentAnswer answer =
            m_agent->ask(requestFile, m_session->timeout() + kPerOperation * request.operations.size());
        if (!answer.ok)
            return failure(answer.error, answer.taken);
        qsizetype stoppedAt = -1;
        auto results = decodeAgentReply(answer.reply, request.operations.size(), &stoppedAt);
        if (!results) {
            // The helper stops before anything after a failed put: only what came before may have run.
            const auto ranBefore = [&](qsizetype end) {
                return std::any_of(request.operations.cbegin(), request.operations.cbegin() + end,
                                   [](const AgentOperation& op) { return op.kind == AgentOperation::Kind::Run; });
            };
            const bool mayHaveRun = stoppedAt >= 0 ? ranBefore(stoppedAt) : ranBefore(request.operations.size());
            const QString detail = QString::fromUtf8(answer.err.left(300)).trimmed();
            return failure({model::ErrorCode::RemoteRefused,
                            detail.isEmpty() ? results.error() : results.error() + u" ("_s + detail + u')'},
                           mayHaveRun);
        }
        response.results = std::move(results).value();
    }
    for (const RemoteDownload& download : request.downloads) {
        // A trial's outputs: a file planted there by someone else is not read (see readOutputFile).
        auto data = m_session->readOutputFile(download.remotePath, std::max<qint64>(1, request.maxDownloadBytes));
        if (!data)
            return failure(data.failureInfo(), !request.operations.isEmpty());
        if (!data->has_value())
            continue;
        if (!data.value()->refused.isEmpty()) {
            response.refusedDownloads.insert(download.localPath, data.value()->refused);
            continue;
        }
        if (data.value()->truncated)
            response.truncatedDownloads.insert(download.localPath, data.value()->size);
        if (auto written = writeLocalCopy(download.localPath, data.value()->data); !written)
            return failure(written.failureInfo(), false);
        response.downloaded.append(download.localPath);
    }
    for (const LocalCopy& copy : request.localCopies) {
        if (auto written = writeLocalCopy(copy.localPath, copy.data); !written)
            return failure(written.failureInfo(), false);
        response.downloaded.append(copy.localPath);
    }
    response.ok = true;
    response.home = m_session->homeDirectory();
    return response;
}

void SshWorker::execute(quint64 requestId, const RemoteRequest& request)
{
    // Its owner is closing (ClusterBackend's destructor): requests still queued would each hold the
    // thread for up to the session timeout, and nobody waits for their answers any more.
    if (QThread::currentThread()->isInterruptionRequested())
        return;
    RemoteResponse response = serve(request);
    const model::ErrorCode code = response.error.code;
    if (!response.ok && (code == model::ErrorCode::Network || code == model::ErrorCode::Timeout)) {
        m_session->disconnect(); // a half-open connection is worse than none: the next request logs in anew
        setState(ConnectionState::Disconnected, response.error.message);
    }
    emit countersChanged(m_session->logins(), m_session->channelsOpened());
    emit done(requestId, response);
}

void SshWorker::keepAlive()
{
    if (QThread::currentThread()->isInterruptionRequested())
        return;
    if (m_session->isConnected() && !m_session->keepAlive()) {
        m_session->disconnect();
        setState(ConnectionState::Disconnected, u"the connection was lost"_s);
    }
}

void SshWorker::shutdown()
{
    delete m_keepAlive;
    m_keepAlive = nullptr;
    m_session->disconnect();
    setState(ConnectionState::Disconnected, {});
}

} // namespace sweepline::remote::ssh
