#include "remote/ssh/sshsession.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace sweepline::remote::ssh {

using model::Error;
using model::ErrorCode;
using model::Result;
using model::Status;

struct SshSession::Handles {
    ssh_session session = nullptr;
    sftp_session sftp = nullptr;
    ssh_channel service = nullptr;

    void closeService()
    {
        if (!service)
            return;
        if (ssh_channel_is_open(service))
            ssh_channel_close(service);
        ssh_channel_free(service);
        service = nullptr;
    }
    void reset()
    {
        closeService();
        if (sftp)
            sftp_free(sftp);
        sftp = nullptr;
        if (session) {
            if (ssh_is_connected(session))
                ssh_disconnect(session);
            ssh_free(session);
        }
        session = nullptr;
    }
    ~Handles() { reset(); }
};

namespace {

// Whether name resolves at all: what tells "unknown host" apart from a host that does not answer.
bool resolves(const QString& name)
{
    if (name.isEmpty())
        return false;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(name.toUtf8().constData(), nullptr, &hints, &found);
    if (found)
        ::freeaddrinfo(found);
    return rc == 0;
}

// Why ssh_connect failed, in words that name the cause where it can be found.
QString connectFailure(const Endpoint& endpoint, const QString& libsshError)
{
    for (const JumpHop& hop : endpoint.jumpHops) {
        if (!resolves(hop.hostName))
            return u"cannot connect to %1: its ProxyJump host \"%2\" (%3) cannot be resolved: "
                   "unknown host name. Check ProxyJump in the ssh configuration."_s.arg(endpoint.alias,
                                                                                        hop.toJumpSpec(), hop.hostName);
    }
    if (!endpoint.jumpHops.isEmpty())
        return u"cannot connect to %1 through ProxyJump %2: %3"_s.arg(
            endpoint.alias,
            std::accumulate(endpoint.jumpHops.cbegin(), endpoint.jumpHops.cend(), QString(),
                            [](const QString& all, const JumpHop& hop) {
                                return all.isEmpty() ? hop.toJumpSpec() : all + u',' + hop.toJumpSpec();
                            }),
            libsshError);
    if (endpoint.proxyCommand.isEmpty() && !resolves(endpoint.hostName))
        return u"cannot connect to %1: unknown host: \"%2\" cannot be resolved"_s.arg(endpoint.alias,
                                                                                      endpoint.hostName);
    return u"cannot connect to %1: %2"_s.arg(endpoint.alias, libsshError);
}

Error fail(ErrorCode code, QString message)
{
    return Error{code, std::move(message)};
}

struct KeyGuard {
    ssh_key key = nullptr;
    ~KeyGuard() { ssh_key_free(key); }
};

struct ChannelGuard {
    ssh_channel channel = nullptr;
    ~ChannelGuard()
    {
        if (!channel)
            return;
        if (ssh_channel_is_open(channel))
            ssh_channel_close(channel);
        ssh_channel_free(channel);
    }
};

struct FileGuard {
    sftp_file file = nullptr;
    ~FileGuard()
    {
        if (file)
            sftp_close(file);
    }
};

QString hostLabel(const Endpoint& e)
{
    return e.port == 22 ? e.hostName : u"[%1]:%2"_s.arg(e.hostName).arg(e.port);
}

} // namespace

SshSession::SshSession(std::chrono::seconds timeout) : h(std::make_unique<Handles>()), m_timeout(timeout)
{}

SshSession::~SshSession() = default;

ErrorCode SshSession::refusedOrLost() const
{
    return h->session && ssh_is_connected(h->session) ? ErrorCode::RemoteRefused : ErrorCode::Network;
}

QString SshSession::sshError() const
{
    return h->session ? QString::fromUtf8(ssh_get_error(h->session)) : QString();
}

bool SshSession::isConnected() const
{
    return h->session && ssh_is_connected(h->session) && h->sftp;
}

void SshSession::disconnect()
{
    h->reset();
    m_knownFolders.clear();
}

Status SshSession::connect(const Endpoint& endpoint, CredentialPrompter& prompter, bool acceptNewHostKey)
{
    h->reset();
    m_knownFolders.clear();
    h->session = ssh_new();
    if (!h->session)
        return fail(ErrorCode::Network, u"cannot create an SSH session"_s);
    ssh_session s = h->session;
    const QByteArray host = endpoint.hostName.toUtf8();
    const QByteArray user = endpoint.user.toUtf8();
    const QByteArray knownHosts = QFile::encodeName(endpoint.knownHostsFile);
    const QByteArray proxy = endpoint.proxyCommand.toUtf8();
    unsigned int port = unsigned(endpoint.port);
    long timeout = long(m_timeout.count());
    int noConfig = 0; // the endpoint is already resolved; libssh must not read ~/.ssh/config again
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &noConfig);
    ssh_options_set(s, SSH_OPTIONS_HOST, host.constData());
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    if (!user.isEmpty())
        ssh_options_set(s, SSH_OPTIONS_USER, user.constData());
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, knownHosts.constData());
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    if (!proxy.isEmpty())
        ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, proxy.constData());
    const QByteArray agent = QFile::encodeName(endpoint.identityAgent);
    if (!agent.isEmpty() && agent != "none")
        ssh_options_set(s, SSH_OPTIONS_IDENTITY_AGENT, agent.constData());

    if (ssh_connect(s) != SSH_OK)
        return fail(ErrorCode::Network, connectFailure(endpoint, sshError()));
    if (auto checked = checkHostKey(endpoint, prompter, acceptNewHostKey); !checked) {
        h->reset();
        return checked;
    }
    if (auto authenticated = authenticate(endpoint, prompter); !authenticated) {
        h->reset();
        return authenticated;
    }
    ++m_logins;
    if (auto sftp = openSftp(); !sftp) {
        h->reset();
        return Error{sftp.errorCode(), u"%1: %2"_s.arg(endpoint.alias, sftp.error())};
    }
    return model::success();
}

Status SshSession::checkHostKey(const Endpoint& endpoint, CredentialPrompter& prompter, bool acceptNew)
{
    ssh_session s = h->session;
    KeyGuard key;
    if (ssh_get_server_publickey(s, &key.key) != SSH_OK)
        return fail(ErrorCode::Network, u"%1 sent no host key: %2"_s.arg(endpoint.alias, sshError()));
    unsigned char* hash = nullptr;
    size_t hashLength = 0;
    if (ssh_get_publickey_hash(key.key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength) != SSH_OK)
        return fail(ErrorCode::HostKeyChanged, u"cannot hash the host key of %1"_s.arg(endpoint.alias));
    char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hashLength);
    ssh_clean_pubkey_hash(&hash);
    m_hostKey = {};
    m_hostKey.host = hostLabel(endpoint);
    m_hostKey.keyType = QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key.key)));
    m_hostKey.fingerprintSha256 = QString::fromLatin1(fingerprint);
    m_hostKey.knownHostsFile = endpoint.knownHostsFile;
    ssh_string_free_char(fingerprint);

    const QString seen = u"%1 key %2"_s.arg(m_hostKey.keyType, m_hostKey.fingerprintSha256);
    switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
        m_hostKey.status = HostKeyInfo::Status::Known;
        return model::success();
    case SSH_KNOWN_HOSTS_CHANGED:
        m_hostKey.status = HostKeyInfo::Status::Changed;
        return fail(ErrorCode::HostKeyChanged,
                    u"the host key of %1 has CHANGED: it now presents %2. This can mean someone is "
                    "intercepting the connection. Nothing was sent. Check %3 with your administrators "
                    "before replacing the recorded key."_s.arg(m_hostKey.host, seen, endpoint.knownHostsFile));
    case SSH_KNOWN_HOSTS_OTHER:
        m_hostKey.status = HostKeyInfo::Status::Other;
        return fail(ErrorCode::HostKeyChanged,
                    u"%1 presents %2, but %3 records a key of another type for it. Nothing was sent. "
                    "Check %3 with your administrators."_s.arg(m_hostKey.host, seen, endpoint.knownHostsFile));
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        m_hostKey.status = HostKeyInfo::Status::Unknown;
        if (!acceptNew || !prompter.acceptNewHostKey(m_hostKey))
            return fail(ErrorCode::HostKeyChanged,
                        u"%1 is not in %2 (it presents %3). Check the fingerprint with your "
                        "administrators, then accept it (sweepline-cli: --accept-new-host-key)."_s.arg(
                            m_hostKey.host, endpoint.knownHostsFile, seen));
        QDir().mkpath(QFileInfo(endpoint.knownHostsFile).absolutePath());
        if (ssh_session_update_known_hosts(s) != SSH_OK)
            return fail(ErrorCode::HostKeyChanged,
                        u"cannot record the host key in %1: %2"_s.arg(endpoint.knownHostsFile, sshError()));
        return model::success();
    case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    m_hostKey.status = HostKeyInfo::Status::Error;
    return fail(
        ErrorCode::HostKeyChanged,
        u"cannot check the host key of %1 against %2: %3"_s.arg(m_hostKey.host, endpoint.knownHostsFile, sshError()));
}

Status SshSession::authenticate(const Endpoint& endpoint, CredentialPrompter& prompter)
{
    ssh_session s = h->session;
    if (ssh_userauth_none(s, nullptr) == SSH_AUTH_SUCCESS)
        return model::success();
    const int methods = ssh_userauth_list(s, nullptr);
    QStringList tried;
    const QString who = endpoint.user.isEmpty() ? u"the default user"_s : endpoint.user;
    // What a person typed is tried once: a refused answer ends the login, it does not lead on to the
    // next method or a second try (which could lock the account or burn a one-time code).
    auto refused = [&](const QString& method) {
        return fail(ErrorCode::LoginRefused,
                    u"login refused: %1 did not accept the %2 for %3. Sweepline does not retry a "
                    "failed login by itself."_s.arg(endpoint.alias, method, who));
    };

    if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
        tried << u"publickey"_s;
        const bool agent = endpoint.identityAgent.isEmpty() ? qEnvironmentVariableIsSet("SSH_AUTH_SOCK")
                                                            : endpoint.identityAgent != u"none"_s;
        if (agent && ssh_userauth_agent(s, nullptr) == SSH_AUTH_SUCCESS)
            return model::success();
        for (const QString& file : endpoint.identityFiles) {
            const QByteArray path = QFile::encodeName(file);
            KeyGuard key;
            int rc = ssh_pki_import_privkey_file(path.constData(), nullptr, nullptr, nullptr, &key.key);
            if (rc != SSH_OK && QFileInfo(file).isReadable()) {
                // Encrypted: ask for the passphrase, which lives only for this import.
                const std::optional<SecretBuffer> passphrase = prompter.passphrase(file);
                if (!passphrase)
                    return fail(ErrorCode::LoginRefused, u"no passphrase given for %1"_s.arg(file));
                rc = ssh_pki_import_privkey_file(path.constData(), passphrase->c_str(), nullptr, nullptr, &key.key);
                if (rc != SSH_OK)
                    return fail(ErrorCode::LoginRefused,
                                u"cannot unlock %1: wrong passphrase or unreadable key"_s.arg(file));
            }
            if (rc == SSH_OK && ssh_userauth_publickey(s, nullptr, key.key) == SSH_AUTH_SUCCESS)
                return model::success();
        }
    }
    if (methods & SSH_AUTH_METHOD_INTERACTIVE) {
        tried << u"keyboard-interactive"_s;
        bool answered = false;
        int rc = ssh_userauth_kbdint(s, nullptr, nullptr);
        while (rc == SSH_AUTH_INFO) {
            const QString name = serverText(QString::fromUtf8(ssh_userauth_kbdint_getname(s)));
            const QString instruction = serverText(QString::fromUtf8(ssh_userauth_kbdint_getinstruction(s)), true);
            QList<InteractivePrompt> prompts;
            const int count = ssh_userauth_kbdint_getnprompts(s);
            for (int i = 0; i < count; ++i) {
                char echo = 0;
                const char* text = ssh_userauth_kbdint_getprompt(s, unsigned(i), &echo);
                // OpenSSH puts PAM's informational lines into the prompt itself, one per line.
                prompts.append({serverText(QString::fromUtf8(text), true), echo != 0});
            }
            if (count > 0) {
                std::optional<std::vector<SecretBuffer>> answers =
                    prompter.keyboardInteractive(name, instruction, prompts);
                if (!answers || answers->size() != std::size_t(count))
                    return fail(ErrorCode::LoginRefused, u"login to %1 cancelled"_s.arg(endpoint.alias));
                for (int i = 0; i < count; ++i)
                    ssh_userauth_kbdint_setanswer(s, unsigned(i), answers->at(std::size_t(i)).c_str());
                answered = true;
            }
            rc = ssh_userauth_kbdint(s, nullptr, nullptr);
        }
        if (rc == SSH_AUTH_SUCCESS)
            return model::success();
        if (answered)
            return refused(u"answers to its keyboard-interactive prompts"_s);
    }
    if (methods & SSH_AUTH_METHOD_PASSWORD) {
        tried << u"password"_s;
        if (const std::optional<SecretBuffer> password = prompter.password(endpoint.user, endpoint.alias)) {
            if (ssh_userauth_password(s, nullptr, password->c_str()) == SSH_AUTH_SUCCESS)
                return model::success();
            return refused(u"password"_s);
        }
    }
    return fail(ErrorCode::LoginRefused,
                u"login refused: authentication to %1 as %2 failed (tried: %3). Sweepline does not "
                "retry a failed login by itself."_s.arg(
                    endpoint.alias, who, tried.isEmpty() ? u"nothing the server offers"_s : tried.join(u", "_s)));
}

Status SshSession::openSftp()
{
    h->sftp = sftp_new(h->session);
    if (!h->sftp || sftp_init(h->sftp) != SSH_OK)
        return fail(ErrorCode::RemoteRefused,
                    u"no SFTP subsystem (the login worked, but the server refused SFTP, which "
                    "Sweepline needs; its sshd_config needs a \"Subsystem sftp\" line): %1"_s.arg(sshError()));
    ++m_channels;
    char* home = sftp_canonicalize_path(h->sftp, ".");
    if (!home)
        return fail(ErrorCode::RemoteRefused, u"cannot find the home folder over SFTP: %1"_s.arg(sshError()));
    m_home = QString::fromUtf8(home);
    ssh_string_free_char(home);
    return model::success();
}

Status SshSession::startService(const QByteArray& commandLine)
{
    h->closeService();
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    ChannelGuard ch;
    ch.channel = ssh_channel_new(h->session);
    if (!ch.channel || ssh_channel_open_session(ch.channel) != SSH_OK)
        return fail(ErrorCode::Network, u"cannot open a channel: %1"_s.arg(sshError()));
    ++m_channels;
    if (ssh_channel_request_exec(ch.channel, commandLine.constData()) != SSH_OK)
        return fail(ErrorCode::RemoteRefused, u"the server refused to run a command: %1"_s.arg(sshError()));
    h->service = std::exchange(ch.channel, nullptr);
    return model::success();
}

bool SshSession::serviceRunning()
{
    if (!h->service || !isConnected() || !ssh_channel_is_open(h->service))
        return false;
    // Handles what has arrived without waiting: an exit, an EOF or stray output since the last answer.
    const int available = ssh_channel_poll(h->service, 0);
    return available == 0 && !ssh_channel_is_eof(h->service);
}

Status SshSession::writeToService(const QByteArray& bytes)
{
    if (!h->service)
        return fail(ErrorCode::RemoteRefused, u"the helper is not running"_s);
    qsizetype written = 0;
    while (written < bytes.size()) {
        const int n = ssh_channel_write(h->service, bytes.constData() + written, uint32_t(bytes.size() - written));
        if (n == SSH_ERROR)
            return fail(refusedOrLost(), u"cannot write to the helper: %1"_s.arg(sshError()));
        written += n;
    }
    return model::success();
}

Result<ServiceOutput> SshSession::readFromService(std::chrono::milliseconds wait)
{
    if (!h->service)
        return fail(ErrorCode::RemoteRefused, u"the helper is not running"_s);
    ServiceOutput read;
    char buffer[16384];
    const int n = ssh_channel_read_timeout(h->service, buffer, sizeof buffer, 0, int(wait.count()));
    if (n == SSH_ERROR)
        return fail(ErrorCode::Network, u"connection lost: %1"_s.arg(sshError()));
    if (n > 0)
        read.out.append(buffer, n);
    int e = 0;
    while ((e = ssh_channel_read_nonblocking(h->service, buffer, sizeof buffer, 1)) > 0)
        read.err.append(buffer, e);
    if (e == SSH_ERROR)
        return fail(ErrorCode::Network, u"connection lost: %1"_s.arg(sshError()));
    if (ssh_channel_is_eof(h->service) || !ssh_channel_is_open(h->service)) {
        int rest = 0;
        while ((rest = ssh_channel_read_nonblocking(h->service, buffer, sizeof buffer, 0)) > 0)
            read.out.append(buffer, rest);
        read.ended = true;
    }
    return read;
}

void SshSession::stopService()
{
    h->closeService();
}

Status SshSession::writeFile(const QString& remotePath, const QByteArray& data, int mode)
{
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    const QByteArray path = remotePath.toUtf8();
    FileGuard f;
    f.file = sftp_open(h->sftp, path.constData(), O_WRONLY | O_CREAT | O_TRUNC, mode_t(mode));
    if (!f.file) {
        m_knownFolders.clear(); // someone may have removed a folder we made: the next makePath checks again
        return fail(refusedOrLost(), u"cannot write %1: %2"_s.arg(remotePath, sshError()));
    }
    qsizetype written = 0;
    while (written < data.size()) {
        const size_t chunk = size_t(std::min<qsizetype>(data.size() - written, 32768));
        const ssize_t n = sftp_write(f.file, data.constData() + written, chunk);
        if (n <= 0)
            return fail(ErrorCode::Network, u"cannot write %1: %2"_s.arg(remotePath, sshError()));
        written += n;
    }
    return model::success();
}

Result<QByteArray> SshSession::readFile(const QString& remotePath, qint64 maxBytes)
{
    auto data = readRemote(remotePath, maxBytes, true);
    if (!data)
        return data.failureInfo();
    return std::move(data).value().value_or(QByteArray());
}

Result<std::optional<QByteArray>> SshSession::readFileIfPresent(const QString& remotePath, qint64 maxBytes)
{
    return readRemote(remotePath, maxBytes, false);
}

Result<std::optional<SshSession::OutputFile>> SshSession::readOutputFile(const QString& remotePath, qint64 maxBytes)
{
    using R = Result<std::optional<OutputFile>>;
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    const auto remoteError = [&](const QString& what) {
        return fail(refusedOrLost(), u"cannot %1 %2: %3"_s.arg(what, remotePath, sshError()));
    };
    const auto refuse = [&](const QString& why) {
        OutputFile file;
        file.refused = u"%1 was not read: %2"_s.arg(remotePath, why);
        return R(std::optional<OutputFile>(std::move(file)));
    };
    const QByteArray path = remotePath.toUtf8();
    const QByteArray folder = QFileInfo(remotePath).path().toUtf8();
    std::unique_ptr<sftp_attributes_struct, void (*)(sftp_attributes)> link(sftp_lstat(h->sftp, path.constData()),
                                                                            sftp_attributes_free);
    if (!link) {
        if (ssh_is_connected(h->session) && sftp_get_error(h->sftp) == SSH_FX_NO_SUCH_FILE)
            return std::optional<OutputFile>();
        return remoteError(u"look at"_s);
    }
    std::unique_ptr<sftp_attributes_struct, void (*)(sftp_attributes)> dir(sftp_lstat(h->sftp, folder.constData()),
                                                                           sftp_attributes_free);
    if (!dir)
        return remoteError(u"look at the folder of"_s);
    if (link->type != SSH_FILEXFER_TYPE_REGULAR)
        return refuse(u"it is not a regular file (a symlink or a special file)"_s);
    if (link->uid != dir->uid)
        return refuse(u"it belongs to user %1, the folder to user %2"_s.arg(link->uid).arg(dir->uid));
    FileGuard f;
    f.file = sftp_open(h->sftp, path.constData(), O_RDONLY, 0);
    if (!f.file)
        return remoteError(u"read"_s);
    // What was opened, which a swap after the lstat could have changed: the same checks again.
    std::unique_ptr<sftp_attributes_struct, void (*)(sftp_attributes)> opened(sftp_fstat(f.file), sftp_attributes_free);
    if (!opened)
        return remoteError(u"look at"_s);
    if (opened->type != SSH_FILEXFER_TYPE_REGULAR || opened->uid != dir->uid)
        return refuse(u"it changed while it was opened"_s);
    OutputFile out;
    out.size = qint64(opened->size);
    if (out.size > maxBytes) {
        out.truncated = true;
        if (sftp_seek64(f.file, quint64(out.size - maxBytes)) != 0)
            return remoteError(u"seek in"_s);
    }
    char buffer[32768];
    while (out.data.size() < maxBytes) {
        const ssize_t n =
            sftp_read(f.file, buffer, size_t(std::min<qint64>(sizeof buffer, maxBytes - out.data.size())));
        if (n < 0)
            return fail(ErrorCode::Network, u"cannot read %1: %2"_s.arg(remotePath, sshError()));
        if (n == 0)
            break;
        out.data.append(buffer, n);
    }
    return std::optional<OutputFile>(std::move(out));
}

Result<std::optional<QByteArray>> SshSession::readRemote(const QString& remotePath, qint64 maxBytes,
                                                         bool missingIsError)
{
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    const QByteArray path = remotePath.toUtf8();
    FileGuard f;
    f.file = sftp_open(h->sftp, path.constData(), O_RDONLY, 0);
    if (!f.file) {
        if (!missingIsError && ssh_is_connected(h->session) && sftp_get_error(h->sftp) == SSH_FX_NO_SUCH_FILE)
            return std::optional<QByteArray>();
        return fail(refusedOrLost(), u"cannot read %1: %2"_s.arg(remotePath, sshError()));
    }
    QByteArray data;
    char buffer[32768];
    while (data.size() < maxBytes) {
        const ssize_t n = sftp_read(f.file, buffer, sizeof buffer);
        if (n < 0)
            return fail(ErrorCode::Network, u"cannot read %1: %2"_s.arg(remotePath, sshError()));
        if (n == 0)
            break;
        data.append(buffer, n);
    }
    return std::optional<QByteArray>(std::move(data));
}

Result<bool> SshSession::exists(const QString& remotePath)
{
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    sftp_attributes attributes = sftp_stat(h->sftp, remotePath.toUtf8().constData());
    if (attributes) {
        sftp_attributes_free(attributes);
        return true;
    }
    if (sftp_get_error(h->sftp) == SSH_FX_NO_SUCH_FILE)
        return false;
    return fail(refusedOrLost(), u"cannot look at %1: %2"_s.arg(remotePath, sshError()));
}

Status SshSession::makePath(const QString& remotePath)
{
    QString path = remotePath;
    while (path.size() > 1 && path.endsWith(u'/'))
        path.chop(1);
    if (path.isEmpty() || path == u"/"_s || path == u"."_s || m_knownFolders.contains(path))
        return model::success();
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    const QByteArray bytes = path.toUtf8();
    if (sftp_mkdir(h->sftp, bytes.constData(), 0755) != SSH_OK) {
        // OpenSSH answers a plain failure for an existing folder, "no such file" for a missing parent.
        if (sftp_get_error(h->sftp) == SSH_FX_NO_SUCH_FILE && path.lastIndexOf(u'/') > 0) {
            if (auto parent = makePath(path.left(path.lastIndexOf(u'/'))); !parent)
                return parent;
            if (sftp_mkdir(h->sftp, bytes.constData(), 0755) == SSH_OK) {
                m_knownFolders.insert(path);
                return model::success();
            }
        }
        sftp_attributes attributes = sftp_stat(h->sftp, bytes.constData());
        if (!attributes) {
            if (!ssh_is_connected(h->session))
                return fail(ErrorCode::Network, u"cannot create %1: %2"_s.arg(path, sshError()));
            return fail(ErrorCode::RemoteRefused, u"cannot create %1: %2"_s.arg(path, sshError()));
        }
        const bool folder = attributes->type == SSH_FILEXFER_TYPE_DIRECTORY;
        sftp_attributes_free(attributes);
        if (!folder)
            return fail(ErrorCode::RemoteRefused, u"cannot create %1: a file of that name is in the way"_s.arg(path));
    }
    m_knownFolders.insert(path);
    return model::success();
}

Status SshSession::renameOver(const QString& from, const QString& to, bool* atomic)
{
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    const QByteArray source = from.toUtf8();
    const QByteArray target = to.toUtf8();
    if (atomic)
        *atomic = true;
    // libssh 0.10's sftp_rename sends a plain SSH_FXP_RENAME (it has no posix-rename@openssh.com),
    // which OpenSSH refuses when the target exists. Then the old file is renamed aside first: the
    // name is briefly absent, but never names a half-written file.
    if (sftp_rename(h->sftp, source.constData(), target.constData()) == SSH_OK)
        return model::success();
    if (!ssh_is_connected(h->session))
        return fail(ErrorCode::Network, u"cannot rename %1 to %2: %3"_s.arg(from, to, sshError()));
    const QByteArray aside = target + ".old-" + QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    if (sftp_rename(h->sftp, target.constData(), aside.constData()) != SSH_OK
        || sftp_rename(h->sftp, source.constData(), target.constData()) != SSH_OK)
        return fail(refusedOrLost(), u"cannot rename %1 to %2: %3"_s.arg(from, to, sshError()));
    if (atomic)
        *atomic = false;
    sftp_unlink(h->sftp, aside.constData());
    return model::success();
}

Status SshSession::setPermissions(const QString& remotePath, int mode)
{
    if (!isConnected())
        return fail(ErrorCode::Network, u"not connected"_s);
    if (sftp_chmod(h->sftp, remotePath.toUtf8().constData(), mode_t(mode)) != SSH_OK)
        return fail(refusedOrLost(), u"cannot change the mode of %1: %2"_s.arg(remotePath, sshError()));
    return model::success();
}

Status SshSession::keepAlive()
{
    if (!isConnected() || ssh_send_ignore(h->session, "keepalive") != SSH_OK)
        return fail(ErrorCode::Network, u"connection lost: %1"_s.arg(sshError()));
    return model::success();
}

} // namespace sweepline::remote::ssh
