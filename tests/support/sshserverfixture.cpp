#include "support/sshserverfixture.h"

#include "fixturetemplates.h"

#include <QAtomicInt>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sweepline::testing {

namespace {

constexpr int kStartTimeoutMs = 10000;
const QString kSshd = u"/usr/sbin/sshd"_s;
const QString kSshKeygen = u"/usr/bin/ssh-keygen"_s;
const QString kPasswordUserComment = u"sweepline-fixture "_s;

QAtomicInt g_userCounter;

QString randomPassword()
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString s = u"Swl-"_s;
    for (int i = 0; i < 16; ++i)
        s += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof alphabet) - 1)]);
    return s;
}

// Users created by fixtures of test processes that are gone (crash, ctest timeout).
void removeStalePasswordUsers()
{
    QFile passwd(u"/etc/passwd"_s);
    if (!passwd.open(QIODevice::ReadOnly))
        return;
    const QList<QByteArray> lines = passwd.readAll().split('\n');
    for (const QByteArray& line : lines) {
        const QList<QByteArray> f = line.split(':');
        if (f.size() < 5 || !f.at(0).startsWith("swlfx"))
            continue;
        const QString comment = QString::fromLocal8Bit(f.at(4));
        if (!comment.startsWith(kPasswordUserComment))
            continue;
        if (ownerAlive(comment.mid(kPasswordUserComment.size())))
            continue;
        const ProcessResult r = runProcess(u"userdel"_s, {u"-f"_s, QString::fromLocal8Bit(f.at(0))}, {}, 30000);
        if (!r.ok())
            qWarning("sweepline fixtures: could not remove stale user: %s", qPrintable(r.describe()));
    }
}

const QString kPamDirectory = u"/etc/pam.d"_s;
const QString kPamServicePrefix = u"swlfx-otp-"_s;

// PAM services of fixtures whose test process is gone: the file's first line names its owner.
void removeStalePamServices()
{
    const QStringList names = QDir(kPamDirectory).entryList({kPamServicePrefix + u'*'}, QDir::Files);
    for (const QString& name : names) {
        QFile f(kPamDirectory + u'/' + name);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QString owner = QString::fromLocal8Bit(f.readLine()).trimmed().remove(u"# owner "_s);
        f.close();
        if (!ownerAlive(owner))
            QFile::remove(f.fileName());
    }
}

} // namespace

SshServerFixture::SshServerFixture(SshServerOptions options) : m_options(std::move(options)), m_dir(u"ssh"_s)
{
    if (m_options.oneTimePasswords) {
        m_options.createPasswordUser = true;
        m_options.keyboardInteractiveAuthentication = true;
    }
}

SshServerFixture::~SshServerFixture()
{
    stop(StopMode::KillSessions);
    // What the sessions started and left running (nohup, setsid, Slurm jobs submitted over ssh):
    // their environment holds SWEEPLINE_FIXTURE_DIR from SetEnv.
    if (m_dir.isValid())
        killFixtureProcesses(m_dir.path());
    removeOneTimePasswords();
    removePasswordUser();
}

QString SshServerFixture::userKeyPath() const
{
    return m_dir.filePath(u"id_ed25519"_s);
}

QString SshServerFixture::passphraseKeyPath() const
{
    return m_dir.filePath(u"id_ed25519_passphrase"_s);
}

QString SshServerFixture::knownHostsPath() const
{
    return m_dir.filePath(u"known_hosts"_s);
}

QString SshServerFixture::sshdConfigPath() const
{
    return m_dir.filePath(u"sshd_config"_s);
}

QString SshServerFixture::logPath() const
{
    return m_dir.filePath(u"sshd.log"_s);
}

QString SshServerFixture::log() const
{
    QFile f(logPath());
    return f.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(f.readAll()) : QString();
}

bool SshServerFixture::fail(const QString& message)
{
    m_error = u"SshServerFixture (%1): %2\n%3"_s.arg(m_dir.path(), message, fileTail(logPath()));
    qWarning("%s", qPrintable(m_error));
    return false;
}

bool SshServerFixture::isRunning() const
{
    return m_sshd && m_sshd->isRunning();
}

QString SshServerFixture::knownHostsLine() const
{
    return u"[%1]:%2 %3"_s.arg(host()).arg(port()).arg(m_hostPublicKey);
}

bool SshServerFixture::updateKnownHosts()
{
    return writeTextFile(knownHostsPath(), knownHostsLine() + u'\n', 0644);
}

QString SshServerFixture::hostKeyFingerprintSha256() const
{
    // ssh-keygen -lf: SHA256 of the key blob (the base64 field), base64 without '=' padding.
    const QStringList fields = m_hostPublicKey.split(u' ');
    if (fields.size() < 2)
        return {};
    const QByteArray blob = QByteArray::fromBase64(fields.at(1).toLatin1());
    const QByteArray digest = QCryptographicHash::hash(blob, QCryptographicHash::Sha256);
    return u"SHA256:"_s + QString::fromLatin1(digest.toBase64(QByteArray::OmitTrailingEquals));
}

bool SshServerFixture::generateHostKey()
{
    const QString key = m_dir.filePath(u"ssh_host_ed25519_key"_s);
    QFile::remove(key);
    QFile::remove(key + u".pub"_s);
    const ProcessResult r = runProcess(
        kSshKeygen,
        {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-C"_s, u"sweepline-test-host"_s, u"-f"_s, key});
    if (!r.ok())
        return fail(u"cannot generate the host key: "_s + r.describe());
    QFile pub(key + u".pub"_s);
    if (!pub.open(QIODevice::ReadOnly))
        return fail(u"cannot read the host public key"_s);
    const QStringList fields = QString::fromLatin1(pub.readAll()).simplified().split(u' ');
    if (fields.size() < 2)
        return fail(u"malformed host public key"_s);
    m_hostPublicKey = fields.at(0) + u' ' + fields.at(1);
    return true;
}

bool SshServerFixture::prepare()
{
    if (m_prepared)
        return true;
    if (!m_dir.isValid())
        return fail(m_dir.errorString());
    if (::geteuid() != 0)
        return fail(u"needs root (sshd privilege separation, PAM, useradd)"_s);
    for (const QString& tool : {kSshd, kSshKeygen}) {
        if (!QFile::exists(tool))
            return fail(tool + u" is missing: install openssh-server and openssh-client"_s);
    }
    QString error;
    if (!m_port.reserve(&error))
        return fail(error);
    if (!generateHostKey())
        return false;
    const struct {
        QString path;
        QString passphrase;
        QString comment;
    } keys[] = {{userKeyPath(), QString(), u"sweepline-test-user"_s},
                {passphraseKeyPath(), passphrase(), u"sweepline-test-passphrase"_s}};
    QString authorized;
    for (const auto& k : keys) {
        const ProcessResult r = runProcess(
            kSshKeygen, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, k.passphrase, u"-C"_s, k.comment, u"-f"_s, k.path});
        if (!r.ok())
            return fail(u"cannot generate a user key: "_s + r.describe());
        QFile pub(k.path + u".pub"_s);
        if (!pub.open(QIODevice::ReadOnly))
            return fail(u"cannot read "_s + pub.fileName());
        authorized += QString::fromLatin1(pub.readAll()).trimmed() + u'\n';
    }
    if (!writeTextFile(m_dir.filePath(u"authorized_keys"_s), authorized, 0644))
        return fail(u"cannot write authorized_keys"_s);
    if (!updateKnownHosts())
        return fail(u"cannot write known_hosts"_s);
    if (m_options.createPasswordUser && !createPasswordUser())
        return false;
    if (m_options.oneTimePasswords && !installOneTimePasswords())
        return false;
    // sshd's privilege separation directory (normally made by systemd's RuntimeDirectory).
    if (!QDir().mkpath(u"/run/sshd"_s))
        return fail(u"cannot create /run/sshd"_s);
    m_prepared = true;
    return true;
}

bool SshServerFixture::createPasswordUser()
{
    removeStalePasswordUsers();
    m_passwordUser = u"swlfx%1_%2"_s.arg(::getpid()).arg(g_userCounter.fetchAndAddRelaxed(1));
    m_password = randomPassword();
    const QString home = m_dir.filePath(u"home-"_s + m_passwordUser);
    ProcessResult r = runProcess(u"useradd"_s,
                                 {u"-M"_s, u"-l"_s, u"-U"_s, u"-d"_s, home, u"-s"_s, u"/bin/bash"_s, u"-c"_s,
                                  kPasswordUserComment + ownerToken(), m_passwordUser},
                                 {}, 30000);
    if (!r.ok()) {
        const QString user = m_passwordUser;
        m_passwordUser.clear();
        return fail(u"cannot create the test user %1: %2"_s.arg(user, r.describe()));
    }
    if (!QDir().mkpath(home) || !runProcess(u"chown"_s, {m_passwordUser + u":"_s + m_passwordUser, home}).ok())
        return fail(u"cannot create the home directory "_s + home);
    QFile::setPermissions(home, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    r = runProcess(u"chpasswd"_s, {}, {}, 30000, (m_passwordUser + u':' + m_password + u'\n').toLocal8Bit());
    if (!r.ok())
        return fail(u"cannot set the test user's password: "_s + r.describe());
    return true;
}

bool SshServerFixture::installOneTimePasswords()
{
    removeStalePamServices();
    const QString module = u"/lib/x86_64-linux-gnu/security/pam_oath.so"_s;
    if (!QFile::exists(module) && !QFile::exists(u"/usr/lib/x86_64-linux-gnu/security/pam_oath.so"_s))
        return fail(u"pam_oath.so is missing: install libpam-oath (scripts/deps --test)"_s);
    QByteArray secret(20, '\0');
    for (char& byte : secret)
        byte = char(QRandomGenerator::global()->bounded(256));
    m_otpSecret = QString::fromLatin1(secret.toHex());
    const QString users = m_dir.filePath(u"users.oath"_s);
    if (!writeTextFile(users, u"HOTP/T30 %1 - %2\n"_s.arg(m_passwordUser, m_otpSecret), 0600))
        return fail(u"cannot write "_s + users);
    QString info;
    if (!m_options.otpInfoText.isEmpty()) {
        QFile text(m_dir.filePath(u"otp_info.txt"_s));
        if (!text.open(QIODevice::WriteOnly) || text.write(m_options.otpInfoText) != m_options.otpInfoText.size())
            return fail(u"cannot write "_s + text.fileName());
        info = u"auth optional pam_echo.so file=%1\n"_s.arg(text.fileName());
    }
    m_pamService = kPamServicePrefix + u"%1-%2"_s.arg(::getpid()).arg(g_userCounter.fetchAndAddRelaxed(1));
    // window=4: codes of the neighbouring 30 s steps still count, so a test at a step's edge passes.
    const QString service =
        u"# owner %1\n%2auth required pam_oath.so usersfile=%3 window=4\n"
        "account required pam_permit.so\nsession required pam_permit.so\n"_s.arg(ownerToken(), info, users);
    if (!writeTextFile(kPamDirectory + u'/' + m_pamService, service, 0644)) {
        m_pamService.clear();
        return fail(u"cannot write the PAM service in "_s + kPamDirectory);
    }
    const QString link = m_dir.filePath(m_pamService);
    if (!QFile::link(kSshd, link))
        return fail(u"cannot link %1 to %2"_s.arg(link, kSshd));
    return true;
}

void SshServerFixture::removeOneTimePasswords()
{
    if (m_pamService.isEmpty())
        return;
    QFile::remove(kPamDirectory + u'/' + m_pamService);
    m_pamService.clear();
}

void SshServerFixture::removePasswordUser()
{
    if (m_passwordUser.isEmpty())
        return;
    const ProcessResult r = runProcess(u"userdel"_s, {u"-f"_s, m_passwordUser}, {}, 30000);
    if (!r.ok())
        qWarning("SshServerFixture: cannot remove the test user: %s", qPrintable(r.describe()));
    m_passwordUser.clear();
}

bool SshServerFixture::writeSshdConfig()
{
    QMap<QString, QString> env = m_options.sessionEnvironment;
    env.insert(QString::fromLatin1(kFixtureMarkerVariable), m_dir.path());
    QStringList setEnv;
    static const QRegularExpression safeValue(u"^[A-Za-z0-9/._:,=+@%-]*$"_s);
    for (auto it = env.cbegin(); it != env.cend(); ++it) {
        if (!safeValue.match(it.value()).hasMatch())
            return fail(u"session variable %1 has characters sshd_config cannot hold: %2"_s.arg(it.key(), it.value()));
        setEnv << it.key() + u'=' + it.value();
    }
    const bool pam = m_options.keyboardInteractiveAuthentication;
    auto yesNo = [](bool b) { return b ? u"yes"_s : u"no"_s; };
    QString text = QString::fromLatin1(kSshdConfigTemplate);
    const QMap<QString, QString> fields{
        {u"PORT"_s, QString::number(port())},
        {u"HOST_KEY"_s, m_dir.filePath(u"ssh_host_ed25519_key"_s)},
        {u"PID_FILE"_s, m_dir.filePath(u"sshd.pid"_s)},
        {u"AUTHORIZED_KEYS"_s, m_dir.filePath(u"authorized_keys"_s)},
        {u"USE_PAM"_s, yesNo(pam)},
        {u"PASSWORD_AUTHENTICATION"_s, yesNo(m_options.passwordAuthentication)},
        {u"KBD_INTERACTIVE_AUTHENTICATION"_s, yesNo(m_options.keyboardInteractiveAuthentication)},
        {u"MAX_SESSIONS"_s, QString::number(m_options.maxSessions)},
        {u"SET_ENV"_s, setEnv.join(u' ')},
        {u"EXTRA_LINES"_s, m_options.extraConfigLines.join(u'\n')},
        {u"SFTP_SUBSYSTEM"_s, m_options.sftpSubsystem ? u"Subsystem sftp internal-sftp"_s : u"# no SFTP subsystem"_s},
    };
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        text.replace(u"{{%1}}"_s.arg(it.key()), it.value());
    if (!writeTextFile(sshdConfigPath(), text, 0644))
        return fail(u"cannot write "_s + sshdConfigPath());
    const ProcessResult check = runProcess(kSshd, {u"-t"_s, u"-f"_s, sshdConfigPath()});
    if (!check.ok())
        return fail(u"sshd -t rejects the generated configuration: "_s + check.describe());
    return true;
}

bool SshServerFixture::startOnce(bool* portConflict)
{
    *portConflict = false;
    if (!writeSshdConfig())
        return false;
    const qint64 logStart = QFileInfo(logPath()).size();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(kFixtureMarkerVariable), m_dir.path());
    // Through its own symlink, sshd's PAM service is the one installOneTimePasswords() wrote.
    const QString program = m_pamService.isEmpty() ? kSshd : m_dir.filePath(m_pamService);
    m_sshd = std::make_unique<DaemonProcess>(u"sshd"_s, program,
                                             QStringList{u"-D"_s, u"-e"_s, u"-f"_s, sshdConfigPath()}, logPath());
    m_sshd->setEnvironment(env);
    if (!m_sshd->start())
        return fail(m_sshd->errorString());
    QByteArray banner;
    const bool up = waitUntil(
        [&] {
            if (!m_sshd->isRunning())
                return true;
            banner = readBanner(port(), 1000);
            return banner.startsWith("SSH-2.0-");
        },
        kStartTimeoutMs, 50);
    if (up && m_sshd->isRunning())
        return true;
    const QString why = m_sshd->isRunning()
        ? u"sshd gave no SSH banner on port %1 within %2 ms (got \"%3\")"_s.arg(port())
              .arg(kStartTimeoutMs)
              .arg(QString::fromLatin1(banner))
        : m_sshd->exitDescription();
    m_sshd->kill();
    QFile log(logPath());
    if (log.open(QIODevice::ReadOnly)) {
        log.seek(logStart);
        *portConflict = log.readAll().contains("Address already in use");
    }
    return fail(why);
}

bool SshServerFixture::start()
{
    m_error.clear();
    if (isRunning())
        return true;
    const bool firstStart = !m_prepared;
    if (!prepare())
        return false;
    for (int attempt = 0;; ++attempt) {
        bool portConflict = false;
        if (startOnce(&portConflict))
            return true;
        // Someone outside the fixtures took the port between reservation and bind: pick another
        // (only before the tests have seen the port).
        if (!firstStart || !portConflict || attempt >= 2)
            break;
        QString error;
        if (!m_port.reserve(&error))
            return fail(error);
        updateKnownHosts();
    }
    killFixtureProcesses(m_dir.path());
    return false;
}

void SshServerFixture::stop(StopMode mode)
{
    if (m_sshd) {
        // sshd's connection processes are the listener's descendants (their environment in /proc is
        // overwritten by the process title); take them, with the commands still attached to them.
        if (m_sshd->isRunning()) {
            const qint64 listener = m_sshd->pid();
            if (mode == StopMode::KillSessions) {
                for (int round = 0; round < 20; ++round) {
                    const QList<ProcessRef> tree = processDescendants(listener);
                    if (tree.isEmpty())
                        break;
                    killProcesses(tree);
                }
            } else {
                m_detachedSessions += processDescendants(listener);
            }
        }
        m_sshd->stop(5000);
        m_sshd.reset();
    }
    if (mode == StopMode::KillSessions) {
        killProcesses(m_detachedSessions);
        m_detachedSessions.clear();
    }
    QFile::remove(m_dir.filePath(u"sshd.pid"_s));
}

bool SshServerFixture::regenerateHostKey()
{
    const bool wasRunning = isRunning();
    if (wasRunning)
        stop(StopMode::KillSessions);
    if (!generateHostKey())
        return false;
    return wasRunning ? start() : true;
}

QString SshServerFixture::clientConfigBlock(const QString& alias, const QString& user, const QString& identity,
                                            const QStringList& extraLines, bool batchMode) const
{
    QStringList b{
        u"Host "_s + alias,
        u"    HostName "_s + host(),
        u"    Port %1"_s.arg(port()),
        u"    User "_s + (user.isEmpty() ? userName() : user),
        u"    IdentityFile "_s + (identity.isEmpty() ? userKeyPath() : identity),
        u"    IdentitiesOnly yes"_s,
        u"    IdentityAgent none"_s,
        u"    StrictHostKeyChecking yes"_s,
        u"    UserKnownHostsFile "_s + knownHostsPath(),
        u"    GlobalKnownHostsFile /dev/null"_s,
        u"    CheckHostIP no"_s,
        u"    UpdateHostKeys no"_s,
        u"    ControlMaster no"_s,
        u"    ConnectTimeout 10"_s,
        u"    BatchMode %1"_s.arg(batchMode ? u"yes"_s : u"no"_s),
    };
    for (const QString& line : extraLines)
        b << u"    "_s + line;
    return b.join(u'\n') + u'\n';
}

QString SshServerFixture::writeClientConfig(const SshClientConfig& config) const
{
    QString path = config.path.isEmpty() ? m_dir.filePath(u"ssh_config"_s) : config.path;
    QStringList extra = config.extraLines;
    QString text = u"# Written by SshServerFixture::writeClientConfig for a test.\n"_s;
    if (config.jumpHost) {
        if (config.jumpStyle == SshClientConfig::Jump::ProxyJump)
            extra.prepend(u"ProxyJump "_s + config.jumpAlias);
        else
            extra.prepend(u"ProxyCommand /usr/bin/ssh -F %1 -W [%h]:%p %2"_s.arg(path, config.jumpAlias));
    }
    text += clientConfigBlock(config.alias, config.user, config.identityFile, extra, config.batchMode);
    if (config.jumpHost) {
        text += u'\n';
        text += config.jumpHost->clientConfigBlock(config.jumpAlias, {}, {}, {}, config.batchMode);
    }
    if (!writeTextFile(path, text, 0644)) {
        qWarning("SshServerFixture: cannot write %s", qPrintable(path));
        return {};
    }
    return path;
}

} // namespace sweepline::testing
