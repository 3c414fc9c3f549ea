#pragma once
// An ordinary (non-root) local account for integration tests, with login files as sites write
// them: ~/.bashrc (and ~/.profile, ~/.bash_profile, ~/.tcshrc, ~/.login) print a banner on stdout
// AND on stderr, as `module` does, and change to another folder. Tests run as root; the product
// must work as this account.
//
//   TestAccount account;
//   QVERIFY2(account.create(), qPrintable(account.errorString()));
//   SshClientConfig c; c.user = account.name();
//   ssh.writeClientConfig(c);           // logs in with the fixture's user key (shared authorized_keys)
//   account.run("sbatch", {...}, slurm.environment());        // as the account (setpriv)
//
// Several accounts may exist at once (each has its own name, home and fixture directory). The home
// is <fixture dir>/<homeDirectoryName>, mode 0700 and owned by the account. The destructor kills
// every process of the account (sessions, detached children, Slurm jobs) and removes it (userdel);
// an account left behind by a crashed test is removed by the next TestAccount or SshServerFixture.
// Create and destroy accounts on the test's main thread.
//
// Logging in with the fixture's user key works because SshServerFixture's AuthorizedKeysFile is
// one shared, root-owned 0644 file in its 0755 directory, which sshd reads as the account. The
// fixture's sshd_config has StrictModes no: with yes, sshd also checks the folders on the file's
// path, and /tmp is world-writable (not tried here).

#include "support/fixtureprocess.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace sweepline::testing {

using namespace Qt::StringLiterals;

struct TestAccountOptions {
    // Login files that print kLoginBannerStdout / kLoginBannerStderr and cd to loginDirectory().
    bool noisyLoginFiles = true;
    // The login shell: /bin/bash, /bin/sh (dash: reads ~/.profile only as a login shell, so a
    // command run over ssh sees no noise) or /usr/bin/tcsh (~/.tcshrc).
    QString shell = u"/bin/bash"_s;
    // The home folder's name inside the fixture directory; a test may give it characters that a
    // shell command line would misread (spaces, quotes, $).
    QString homeDirectoryName = u"home"_s;
};

// What the noisy login files print. The stdout banner holds a line that looks like a helper reply
// and ends without a newline, so whatever the command prints next starts on the banner's last line.
inline constexpr char kLoginBannerStdout[] = "Welcome to the Sweepline test login node (stdout banner)\n"
                                             "A 0 this line only looks like a reply\n"
                                             "module: default environment loaded";
inline constexpr char kLoginBannerStderr[] =
    "Lmod: the following modules were loaded: gcc/12 openmpi/4 (stderr banner)\n";

class TestAccount {
public:
    explicit TestAccount(TestAccountOptions options = {});
    ~TestAccount();
    TestAccount(const TestAccount&) = delete;
    TestAccount& operator=(const TestAccount&) = delete;

    // useradd (no password: key logins only, the account is not locked), home and login files.
    // false: errorString() holds the reason; nothing is left behind.
    bool create();
    QString errorString() const { return m_error; }

    QString name() const { return m_name; }
    QString home() const { return m_home; }
    uint uid() const { return m_uid; }
    uint gid() const { return m_gid; }
    QString shell() const { return m_options.shell; }
    // The folder the login files cd to (empty without noisy login files).
    QString loginDirectory() const;
    // HOME, USER, LOGNAME, SHELL, PATH of the account, and the fixture marker.
    QProcessEnvironment environment() const;

    // Runs program as the account (setpriv: its uid, gid and groups; no login files), in its home,
    // with environment() plus env (env's values win, e.g. SLURM_CONF from SlurmFixture::environment()).
    ProcessResult run(const QString& program, const QStringList& args, const QProcessEnvironment& env = {},
                      int timeoutMs = 30000, const QByteArray& stdinData = {}) const;

    // SIGKILLs every process running as the account; returns how many were signalled.
    int killProcesses(int timeoutMs = 5000) const;

private:
    bool fail(const QString& message);
    bool writeLoginFiles();
    void remove();

    TestAccountOptions m_options;
    FixtureDirectory m_dir;
    QString m_name;
    QString m_home;
    uint m_uid = 0;
    uint m_gid = 0;
    QString m_error;
};

// Kills the processes of, and removes, accounts made by fixtures of test processes that are gone.
void removeStaleTestAccounts();

} // namespace sweepline::testing
