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

namespace sweepline::testing {

namespace {

constexpr int kStartTimeoutMs = 10000;
const QString kSshd = QStringLiteral("/usr/sbin/sshd");
const QString kSshKeygen = QStringLiteral("/usr/bin/ssh-keygen");
const QString kPasswordUserComment = QStringLiteral("sweepline-fixture ");

QAtomicInt g_userCounter;

QString randomPassword()
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString s = QStringLiteral("Swl-");
    for (int i = 0; i < 16; ++i)
        s += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof alphabet) - 1)]);
    return s;
}

// Users created by fixtures of test processes that are gone (crash, ctest timeout).
void removeStalePasswordUsers()
{
    QFile passwd(QStringLiteral("/etc/passwd"));
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
        const ProcessResult r = runProcess(QStringLiteral("userdel"), {QStringLiteral("-f"),
                                           QString::fromLocal8Bit(f.at(0))}, {}, 30000);
        if (!r.ok())
            qWarning("sweepline fixtures: could not remove stale user: %s", qPrintable(r.describe()));
    }
}

const QString kPamDirectory = QStringLiteral("/etc/pam.d");
const QString kPamServicePrefix = QStringLiteral("swlfx-otp-");

// PAM services of fixtures whose test process is gone: the file's first line names its owner.
void removeStalePamServices()
{
    const QStringList names = QDir(kPamDirectory).entryList({kPamServicePrefix + QLatin1Char('*')}, QDir::Files);
    for (const QString& name : names) {
        QFile f(kPamDirectory + QLatin1Char('/') + name);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QString owner = QString::fromLocal8Bit(f.readLine()).trimmed().remove(QStringLiteral("# owner "));
        f.close();
        if (!ownerAlive(owner))
            QFile::remove(f.fileName());
    }
}

} // namespace

SshServerFixture::SshServerFixture(SshServerOptions options)
    : m_options(std::move(options)), m_dir(QStringLiteral("ssh"))
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
    return m_dir.filePath(QStringLiteral("id_ed25519"));
}

QString SshServerFixture::passphraseKeyPath() const
{
    return m_dir.filePath(QStringLiteral("id_ed25519_passphrase"));
}

QString SshServerFixture::knownHostsPath() const
{
    return m_dir.filePath(QStringLiteral("known_hosts"));
}

QString SshServerFixture::sshdConfigPath() const
{
    return m_dir.filePath(QStringLiteral("sshd_config"));
}

QString SshServerFixture::logPath() const
{
    return m_dir.filePath(QStringLiteral("sshd.log"));
}

QString SshServerFixture::log() const
{
    QFile f(logPath());
    return f.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(f.readAll()) : QString();
}

bool SshServerFixture::fail(const QString& message)
{
    m_error = QStringLiteral("SshServerFixture (%1): %2\n%3")
                  .arg(m_dir.path(), message, fileTail(logPath()));
    qWarning("%s", qPrintable(m_error));
    return false;
}

bool SshServerFixture::isRunning() const
{
    return m_sshd && m_sshd->isRunning();
}

QString SshServerFixture::knownHostsLine() const
{
    return QStringLiteral("[%1]:%2 %3").arg(host()).arg(port()).arg(m_hostPublicKey);
}

bool SshServerFixture::updateKnownHosts()
{
    return writeTextFile(knownHostsPath(), knownHostsLine() + QLatin1Char('\n'), 0644);
}

QString SshServerFixture::hostKeyFingerprintSha256() const
{
    // ssh-keygen -lf: SHA256 of the key blob (the base64 field), base64 without '=' padding.
    const QStringList fields = m_hostPublicKey.split(QLatin1Char(' '));
    if (fields.size() < 2)
        return {};
    const QByteArray blob = QByteArray::fromBase64(fields.at(1).toLatin1());
    const QByteArray digest = QCryptographicHash::hash(blob, QCryptographicHash::Sha256);
    return QStringLiteral("SHA256:")
        + QString::fromLatin1(digest.toBase64(QByteArray::OmitTrailingEquals));
}

bool SshServerFixture::generateHostKey()
{
    const QString key = m_dir.filePath(QStringLiteral("ssh_host_ed25519_key"));
    QFile::remove(key);
    QFile::remove(key + QStringLiteral(".pub"));
    const ProcessResult r = runProcess(kSshKeygen, {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                    QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                                                    QStringLiteral("sweepline-test-host"), QStringLiteral("-f"), key});
    if (!r.ok())
        return fail(QStringLiteral("cannot generate the host key: ") + r.describe());
    QFile pub(key + QStringLiteral(".pub"));
    if (!pub.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the host public key"));
    const QStringList fields = QString::fromLatin1(pub.readAll()).simplified().split(QLatin1Char(' '));
    if (fields.size() < 2)
        return fail(QStringLiteral("malformed host public key"));
    m_hostPublicKey = fields.at(0) + QLatin1Char(' ') + fields.at(1);
    return true;
}

bool SshServerFixture::prepare()
{
    if (m_prepared)
        return true;
    if (!m_dir.isValid())
        return fail(m_dir.errorString());
    if (::geteuid() != 0)
        return fail(QStringLiteral("needs root (sshd privilege separation, PAM, useradd)"));
    for (const QString& tool : {kSshd, kSshKeygen}) {
        if (!QFile::exists(tool))
            return fail(tool + QStringLiteral(" is missing: install openssh-server and openssh-client"));
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
    } keys[] = {{userKeyPath(), QString(), QStringLiteral("sweepline-test-user")},
                {passphraseKeyPath(), passphrase(), QStringLiteral("sweepline-test-passphrase")}};
    QString authorized;
    for (const auto& k : keys) {
        const ProcessResult r = runProcess(kSshKeygen, {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                        QStringLiteral("-N"), k.passphrase, QStringLiteral("-C"),
                                                        k.comment, QStringLiteral("-f"), k.path});
        if (!r.ok())
            return fail(QStringLiteral("cannot generate a user key: ") + r.describe());
        QFile pub(k.path + QStringLiteral(".pub"));
        if (!pub.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read ") + pub.fileName());
        authorized += QString::fromLatin1(pub.readAll()).trimmed() + QLatin1Char('\n');
    }
    if (!writeTextFile(m_dir.filePath(QStringLiteral("authorized_keys")), authorized, 0644))
        return fail(QStringLiteral("cannot write authorized_keys"));
    if (!updateKnownHosts())
        return fail(QStringLiteral("cannot write known_hosts"));
    if (m_options.createPasswordUser && !createPasswordUser())
        return false;
    if (m_options.oneTimePasswords && !installOneTimePasswords())
        return false;
    // sshd's privilege separation directory (normally made by systemd's RuntimeDirectory).
    if (!QDir().mkpath(QStringLiteral("/run/sshd")))
        return fail(QStringLiteral("cannot create /run/sshd"));
    m_prepared = true;
    return true;
}

bool SshServerFixture::createPasswordUser()
{
    removeStalePasswordUsers();
    m_passwordUser = QStringLiteral("swlfx%1_%2").arg(::getpid()).arg(g_userCounter.fetchAndAddRelaxed(1));
    m_password = randomPassword();
    const QString home = m_dir.filePath(QStringLiteral("home-") + m_passwordUser);
    ProcessResult r = runProcess(QStringLiteral("useradd"),
                                 {QStringLiteral("-M"), QStringLiteral("-l"), QStringLiteral("-U"),
                                  QStringLiteral("-d"), home, QStringLiteral("-s"), QStringLiteral("/bin/bash"),
                                  QStringLiteral("-c"), kPasswordUserComment + ownerToken(), m_passwordUser},
                                 {}, 30000);
    if (!r.ok()) {
        const QString user = m_passwordUser;
        m_passwordUser.clear();
        return fail(QStringLiteral("cannot create the test user %1: %2").arg(user, r.describe()));
    }
    if (!QDir().mkpath(home)
        || !runProcess(QStringLiteral("chown"), {m_passwordUser + QStringLiteral(":") + m_passwordUser, home}).ok())
        return fail(QStringLiteral("cannot create the home directory ") + home);
    QFile::setPermissions(home, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    r = runProcess(QStringLiteral("chpasswd"), {}, {}, 30000,
                   (m_passwordUser + QLatin1Char(':') + m_password + QLatin1Char('\n')).toLocal8Bit());
    if (!r.ok())
        return fail(QStringLiteral("cannot set the test user's password: ") + r.describe());
    return true;
}

bool SshServerFixture::installOneTimePasswords()
{
    removeStalePamServices();
    const QString module = QStringLiteral("/lib/x86_64-linux-gnu/security/pam_oath.so");
    if (!QFile::exists(module) && !QFile::exists(QStringLiteral("/usr/lib/x86_64-linux-gnu/security/pam_oath.so")))
        return fail(QStringLiteral("pam_oath.so is missing: install libpam-oath (scripts/deps --test)"));
    QByteArray secret(20, '\0');
    for (char& byte : secret)
        byte = char(QRandomGenerator::global()->bounded(256));
    m_otpSecret = QString::fromLatin1(secret.toHex());
    const QString users = m_dir.filePath(QStringLiteral("users.oath"));
    if (!writeTextFile(users, QStringLiteral("HOTP/T30 %1 - %2\n").arg(m_passwordUser, m_otpSecret), 0600))
        return fail(QStringLiteral("cannot write ") + users);
    QString info;
    if (!m_options.otpInfoText.isEmpty()) {
        QFile text(m_dir.filePath(QStringLiteral("otp_info.txt")));
        if (!text.open(QIODevice::WriteOnly) || text.write(m_options.otpInfoText) != m_options.otpInfoText.size())
            return fail(QStringLiteral("cannot write ") + text.fileName());
        info = QStringLiteral("auth optional pam_echo.so file=%1\n").arg(text.fileName());
    }
    m_pamService = kPamServicePrefix + QStringLiteral("%1-%2").arg(::getpid()).arg(g_userCounter.fetchAndAddRelaxed(1));
    // window=4: codes of the neighbouring 30 s steps still count, so a test at a step's edge passes.
    const QString service = QStringLiteral("# owner %1\n%2auth required pam_oath.so usersfile=%3 window=4\n"
                                           "account required pam_permit.so\nsession required pam_permit.so\n")
                                .arg(ownerToken(), info, users);
    if (!writeTextFile(kPamDirectory + QLatin1Char('/') + m_pamService, service, 0644)) {
        m_pamService.clear();
        return fail(QStringLiteral("cannot write the PAM service in ") + kPamDirectory);
    }
    const QString link = m_dir.filePath(m_pamService);
    if (!QFile::link(kSshd, link))
        return fail(QStringLiteral("cannot link %1 to %2").arg(link, kSshd));
    return true;
}

void SshServerFixture::removeOneTimePasswords()
{
    if (m_pamService.isEmpty())
        return;
    QFile::remove(kPamDirectory + QLatin1Char('/') + m_pamService);
    m_pamService.clear();
}

void SshServerFixture::removePasswordUser()
{
    if (m_passwordUser.isEmpty())
        return;
    const ProcessResult r = runProcess(QStringLiteral("userdel"), {QStringLiteral("-f"), m_passwordUser}, {}, 30000);
    if (!r.ok())
        qWarning("SshServerFixture: cannot remove the test user: %s", qPrintable(r.describe()));
    m_passwordUser.clear();
}

bool SshServerFixture::writeSshdConfig()
{
    QMap<QString, QString> env = m_options.sessionEnvironment;
    env.insert(QString::fromLatin1(kFixtureMarkerVariable), m_dir.path());
    QStringList setEnv;
    static const QRegularExpression safeValue(QStringLiteral("^[A-Za-z0-9/._:,=+@%-]*$"));
    for (auto it = env.cbegin(); it != env.cend(); ++it) {
        if (!safeValue.match(it.value()).hasMatch())
            return fail(QStringLiteral("session variable %1 has characters sshd_config cannot hold: %2")
                            .arg(it.key(), it.value()));
        setEnv << it.key() + QLatin1Char('=') + it.value();
    }
    const bool pam = m_options.keyboardInteractiveAuthentication;
    auto yesNo = [](bool b) { return b ? QStringLiteral("yes") : QStringLiteral("no"); };
    QString text = QString::fromLatin1(kSshdConfigTemplate);
    const QMap<QString, QString> fields{
        {QStringLiteral("PORT"), QString::number(port())},
        {QStringLiteral("HOST_KEY"), m_dir.filePath(QStringLiteral("ssh_host_ed25519_key"))},
        {QStringLiteral("PID_FILE"), m_dir.filePath(QStringLiteral("sshd.pid"))},
        {QStringLiteral("AUTHORIZED_KEYS"), m_dir.filePath(QStringLiteral("authorized_keys"))},
        {QStringLiteral("USE_PAM"), yesNo(pam)},
        {QStringLiteral("PASSWORD_AUTHENTICATION"), yesNo(m_options.passwordAuthentication)},
        {QStringLiteral("KBD_INTERACTIVE_AUTHENTICATION"), yesNo(m_options.keyboardInteractiveAuthentication)},
        {QStringLiteral("MAX_SESSIONS"), QString::number(m_options.maxSessions)},
        {QStringLiteral("SET_ENV"), setEnv.join(QLatin1Char(' '))},
        {QStringLiteral("EXTRA_LINES"), m_options.extraConfigLines.join(QLatin1Char('\n'))},
        {QStringLiteral("SFTP_SUBSYSTEM"), m_options.sftpSubsystem ? QStringLiteral("Subsystem sftp internal-sftp")
                                                                   : QStringLiteral("# no SFTP subsystem")},
    };
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        text.replace(QStringLiteral("{{%1}}").arg(it.key()), it.value());
    if (!writeTextFile(sshdConfigPath(), text, 0644))
        return fail(QStringLiteral("cannot write ") + sshdConfigPath());
    const ProcessResult check = runProcess(kSshd, {QStringLiteral("-t"), QStringLiteral("-f"), sshdConfigPath()});
    if (!check.ok())
        return fail(QStringLiteral("sshd -t rejects the generated configuration: ") + check.describe());
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
    m_sshd = std::make_unique<DaemonProcess>(QStringLiteral("sshd"), program,
                                             QStringList{QStringLiteral("-D"), QStringLiteral("-e"),
                                                         QStringLiteral("-f"), sshdConfigPath()},
                                             logPath());
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
        ? QStringLiteral("sshd gave no SSH banner on port %1 within %2 ms (got \"%3\")")
              .arg(port()).arg(kStartTimeoutMs).arg(QString::fromLatin1(banner))
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
    QFile::remove(m_dir.filePath(QStringLiteral("sshd.pid")));
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
        QStringLiteral("Host ") + alias,
        QStringLiteral("    HostName ") + host(),
        QStringLiteral("    Port %1").arg(port()),
        QStringLiteral("    User ") + (user.isEmpty() ? userName() : user),
        QStringLiteral("    IdentityFile ") + (identity.isEmpty() ? userKeyPath() : identity),
        QStringLiteral("    IdentitiesOnly yes"),
        QStringLiteral("    IdentityAgent none"),
        QStringLiteral("    StrictHostKeyChecking yes"),
        QStringLiteral("    UserKnownHostsFile ") + knownHostsPath(),
        QStringLiteral("    GlobalKnownHostsFile /dev/null"),
        QStringLiteral("    CheckHostIP no"),
        QStringLiteral("    UpdateHostKeys no"),
        QStringLiteral("    ControlMaster no"),
        QStringLiteral("    ConnectTimeout 10"),
        QStringLiteral("    BatchMode %1").arg(batchMode ? QStringLiteral("yes") : QStringLiteral("no")),
    };
    for (const QString& line : extraLines)
        b << QStringLiteral("    ") + line;
    return b.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString SshServerFixture::writeClientConfig(const SshClientConfig& config) const
{
    const QString path = config.path.isEmpty() ? m_dir.filePath(QStringLiteral("ssh_config")) : config.path;
    QStringList extra = config.extraLines;
    QString text = QStringLiteral("# Written by SshServerFixture::writeClientConfig for a test.\n");
    if (config.jumpHost) {
        if (config.jumpStyle == SshClientConfig::Jump::ProxyJump)
            extra.prepend(QStringLiteral("ProxyJump ") + config.jumpAlias);
        else
            extra.prepend(QStringLiteral("ProxyCommand /usr/bin/ssh -F %1 -W [%h]:%p %2").arg(path, config.jumpAlias));
    }
    text += clientConfigBlock(config.alias, config.user, config.identityFile, extra, config.batchMode);
    if (config.jumpHost) {
        text += QLatin1Char('\n');
        text += config.jumpHost->clientConfigBlock(config.jumpAlias, {}, {}, {}, config.batchMode);
    }
    if (!writeTextFile(path, text, 0644)) {
        qWarning("SshServerFixture: cannot write %s", qPrintable(path));
        return {};
    }
    return path;
}

} // namespace sweepline::testing
