#pragma once
// A real OpenSSH sshd on 127.0.0.1 for integration tests of the remote layer (tests run as root).
//
//   SshServerFixture ssh;
//   QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
//   const QString config = ssh.writeClientConfig();            // Host "sweepline-test"
//   runProcess("ssh", {"-F", config, "sweepline-test", "echo hello"});
//
// Everything (keys, config, pid file, log, known_hosts, the dedicated user's home) lives in the
// fixture's own temporary directory; the port is reserved for the fixture's lifetime so stop() and
// start() reuse it. The destructor kills sshd, every session, every process started from a session
// (even one that detached, like a Slurm job submitted over ssh), and removes the optional password
// user. Create, start and destroy fixtures on the test's main thread.

#include "support/fixtureprocess.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>

namespace sweepline::testing {

using namespace Qt::StringLiterals;

class SshServerFixture;

struct SshServerOptions {
    // PasswordAuthentication in sshd_config. Root has no known password: use createPasswordUser.
    bool passwordAuthentication = false;
    // KbdInteractiveAuthentication. Without PAM, OpenSSH on Linux has no keyboard-interactive
    // device, so enabling this also sets UsePAM yes (Debian's /etc/pam.d/sshd: one "Password: " prompt).
    bool keyboardInteractiveAuthentication = false;
    // Creates a dedicated local user (useradd, random password via chpasswd, home in the fixture
    // directory) for password / keyboard-interactive tests, removed (userdel) by the destructor.
    // Root's password is never touched. A user left behind by a crashed test is removed by the next
    // fixture that starts.
    bool createPasswordUser = false;
    // Keyboard-interactive one-time passwords (TOTP, RFC 6238, 30 s) through PAM with libpam-oath,
    // for the password user (implies createPasswordUser and keyboardInteractiveAuthentication).
    // sshd runs through a symlink of its own name, and OpenSSH names its PAM service after the
    // program, so /etc/pam.d/<that name> applies to this sshd alone; /etc/pam.d/sshd is untouched.
    // The file is removed by the destructor (a crashed test's by the next fixture).
    bool oneTimePasswords = false;
    // With oneTimePasswords: shown before the code is asked (pam_echo), verbatim, control
    // characters included, for tests of how a client shows server text.
    QByteArray otpInfoText;
    // "Subsystem sftp internal-sftp"; false: no SFTP, as on a site that disabled it.
    bool sftpSubsystem = true;
    // Variables set in every session (sshd_config SetEnv), e.g. SlurmFixture::sessionEnvironment().
    QMap<QString, QString> sessionEnvironment;
    int maxSessions = 10;
    // Appended verbatim to sshd_config.
    QStringList extraConfigLines;
};

// Options for writeClientConfig(): an ssh_config usable by the OpenSSH client (ssh -F) and by libssh
// (ssh_options_parse_config).
struct SshClientConfig {
    QString path; // empty: <fixture dir>/ssh_config
    QString alias = u"sweepline-test"_s;
    QString user;          // empty: userName()
    QString identityFile;  // empty: userKeyPath()
    bool batchMode = true; // BatchMode yes (no prompts)
    // Reach this server through a second fixture acting as bastion.
    const SshServerFixture* jumpHost = nullptr;
    QString jumpAlias = u"sweepline-bastion"_s;
    // ProxyJump <jumpAlias> (OpenSSH), or ProxyCommand ssh -F <this file> -W [%h]:%p <jumpAlias>.
    // libssh 0.10 turns ProxyJump into a ProxyCommand running `ssh` WITHOUT -F, so the inner ssh would
    // not know the alias, the bastion's key or known_hosts: use ProxyCommand for libssh tests.
    enum class Jump { ProxyJump, ProxyCommand } jumpStyle = Jump::ProxyJump;
    QStringList extraLines; // added to the alias's Host block
};

class SshServerFixture {
public:
    explicit SshServerFixture(SshServerOptions options = {});
    ~SshServerFixture();
    SshServerFixture(const SshServerFixture&) = delete;
    SshServerFixture& operator=(const SshServerFixture&) = delete;

    // First call: creates keys, reserves a port, (optionally) the user; then starts sshd and waits
    // (10 s max) for its SSH banner. Later calls restart sshd on the same port with the same keys.
    // false: errorString() holds the reason and sshd's log; nothing is left running.
    bool start();
    enum class StopMode { KillSessions, KeepSessions };
    // Stops the listening sshd. KillSessions (default) also kills every open connection and the
    // commands running in them, like a server going away; KeepSessions is a gentle restart.
    void stop(StopMode mode = StopMode::KillSessions);
    bool restart()
    {
        stop();
        return start();
    }
    bool isRunning() const;
    QString errorString() const { return m_error; }

    QString host() const { return u"127.0.0.1"_s; }
    quint16 port() const { return m_port.port(); }
    QString userName() const { return u"root"_s; }
    QString userKeyPath() const; // ed25519, no passphrase
    QString userPublicKeyPath() const { return userKeyPath() + u".pub"_s; }
    QString passphraseKeyPath() const; // ed25519, encrypted with passphrase()
    QString passphrase() const { return u"correct horse"_s; }
    QString passwordUserName() const { return m_passwordUser; } // empty unless createPasswordUser
    QString password() const { return m_password; }
    QString otpSecretHex() const { return m_otpSecret; }    // for oathtool --totp
    QString pamServiceName() const { return m_pamService; } // empty unless oneTimePasswords

    // known_hosts with "[127.0.0.1]:PORT ssh-ed25519 ..." for the host key at the first start (or at
    // the last updateKnownHosts()): regenerateHostKey() deliberately leaves it alone.
    QString knownHostsPath() const;
    // Rewrites knownHostsPath() with the current host key.
    bool updateKnownHosts();
    QString knownHostsLine() const;                           // for the current host key
    QString hostPublicKey() const { return m_hostPublicKey; } // "ssh-ed25519 AAAA..."
    QString hostKeyFingerprintSha256() const;                 // "SHA256:..." as ssh-keygen -lf prints it
    // A new host key; sshd is restarted on the same port if it was running.
    bool regenerateHostKey();

    // Session environment (SetEnv); takes effect at the next start().
    void setSessionEnvironment(const QMap<QString, QString>& env) { m_options.sessionEnvironment = env; }
    void addSessionEnvironment(const QString& name, const QString& value)
    {
        m_options.sessionEnvironment.insert(name, value);
    }

    // Writes an ssh_config with a Host alias for this server (and the bastion's alias if
    // config.jumpHost is set) and returns its path. The jump host must have been started.
    QString writeClientConfig(const SshClientConfig& config = {}) const;
    // The Host block writeClientConfig() writes for this server (user and identity empty: root and
    // userKeyPath()), for configs of several servers, e.g. a chain of jump hosts.
    QString clientConfigBlock(const QString& alias, const QString& user = {}, const QString& identity = {},
                              const QStringList& extraLines = {}, bool batchMode = true) const;

    QString directory() const { return m_dir.path(); }
    QString sshdConfigPath() const;
    QString logPath() const;
    QString log() const; // sshd's stderr (-e) since the fixture was created

private:
    bool prepare();
    bool generateHostKey();
    bool writeSshdConfig();
    bool startOnce(bool* portConflict);
    bool createPasswordUser();
    void removePasswordUser();
    bool installOneTimePasswords();
    void removeOneTimePasswords();
    bool fail(const QString& message);

    SshServerOptions m_options;
    FixtureDirectory m_dir;
    PortReservation m_port;
    std::unique_ptr<DaemonProcess> m_sshd;
    QList<ProcessRef> m_detachedSessions; // left running by stop(KeepSessions)
    bool m_prepared = false;
    QString m_hostPublicKey;
    QString m_passwordUser;
    QString m_password;
    QString m_otpSecret;
    QString m_pamService;
    QString m_error;
};

} // namespace sweepline::testing
