#include "support/testaccount.h"

#include <QAtomicInt>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

namespace sweepline::testing {

namespace {

// Same comment as SshServerFixture's password user, so either fixture removes the other's strays.
const QString kAccountComment = QStringLiteral("sweepline-fixture ");
const QString kLoginDirectoryName = QStringLiteral("elsewhere");

QAtomicInt g_accountCounter;

// Processes whose real or effective uid is uid, from /proc/<pid>/status ("Uid: real eff saved fs").
QList<qint64> processesOfUid(uint uid)
{
    QList<qint64> pids;
    QDirIterator it(QStringLiteral("/proc"), QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        it.next();
        bool isPid = false;
        const qint64 pid = it.fileName().toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile status(it.filePath() + QStringLiteral("/status"));
        if (!status.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray& line : status.readAll().split('\n')) {
            if (!line.startsWith("Uid:"))
                continue;
            const QList<QByteArray> ids = line.mid(4).simplified().split(' ');
            if (ids.size() >= 2 && (ids.at(0).toUInt() == uid || ids.at(1).toUInt() == uid))
                pids << pid;
            break;
        }
    }
    return pids;
}

int killProcessesOfUid(uint uid, int timeoutMs)
{
    if (uid == 0)
        return 0;   // never root's processes, whatever went wrong before
    int signalled = 0;
    QElapsedTimer t;
    t.start();
    for (;;) {
        const QList<qint64> pids = processesOfUid(uid);
        if (pids.isEmpty() || t.elapsed() > timeoutMs)
            break;
        for (qint64 pid : pids) {
            if (::kill(static_cast<pid_t>(pid), SIGKILL) == 0)
                ++signalled;
        }
        QThread::msleep(20);
    }
    return signalled;
}

void deleteAccount(const QString& name)
{
    const ProcessResult r = runProcess(QStringLiteral("userdel"), {QStringLiteral("-f"), name}, {}, 30000);
    if (!r.ok())
        qWarning("TestAccount: cannot remove the account %s: %s", qPrintable(name), qPrintable(r.describe()));
}

// A shell word for the login files: the texts written there are ours, but a single quote would end it.
QString singleQuoted(const QString& text)
{
    Q_ASSERT(!text.contains(QLatin1Char('\'')));
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

} // namespace

void removeStaleTestAccounts()
{
    QFile passwd(QStringLiteral("/etc/passwd"));
    if (!passwd.open(QIODevice::ReadOnly))
        return;
    for (const QByteArray& entry : passwd.readAll().split('\n')) {
        // name:password:uid:gid:comment:home:shell
        const QStringList fields = QString::fromLocal8Bit(entry).split(QLatin1Char(':'));
        if (fields.size() < 7 || !fields.at(0).startsWith(QLatin1String("swlfx"))
            || !fields.at(4).startsWith(kAccountComment) || ownerAlive(fields.at(4).mid(kAccountComment.size())))
            continue;
        killProcessesOfUid(fields.at(2).toUInt(), 5000);
        deleteAccount(fields.at(0));
    }
}

TestAccount::TestAccount(TestAccountOptions options)
    : m_options(std::move(options)), m_dir(QStringLiteral("account"))
{
}

TestAccount::~TestAccount()
{
    remove();
}

bool TestAccount::fail(const QString& message)
{
    m_error = QStringLiteral("TestAccount %1 (%2): %3").arg(m_name, m_dir.path(), message);
    qWarning("%s", qPrintable(m_error));
    remove();
    return false;
}

QString TestAccount::loginDirectory() const
{
    return m_options.noisyLoginFiles ? m_home + QLatin1Char('/') + kLoginDirectoryName : QString();
}

QProcessEnvironment TestAccount::environment() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), m_home);
    env.insert(QStringLiteral("USER"), m_name);
    env.insert(QStringLiteral("LOGNAME"), m_name);
    env.insert(QStringLiteral("SHELL"), m_options.shell);
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    env.insert(QString::fromLatin1(kFixtureMarkerVariable), m_dir.path());
    return env;
}

bool TestAccount::create()
{
    m_error.clear();
    if (!m_name.isEmpty())
        return true;
    if (!m_dir.isValid())
        return fail(m_dir.errorString());
    if (::geteuid() != 0)
        return fail(QStringLiteral("needs root (useradd, setpriv)"));
    if (!QFile::exists(m_options.shell))
        return fail(QStringLiteral("the login shell %1 is not installed").arg(m_options.shell));
    removeStaleTestAccounts();
    // "a" keeps these names apart from SshServerFixture's password users (swlfx<pid>_<n>).
    const QString name = QStringLiteral("swlfx%1a%2").arg(::getpid()).arg(g_accountCounter.fetchAndAddRelaxed(1));
    m_home = m_dir.filePath(m_options.homeDirectoryName);
    // -p '*': no password, yet not locked ('!'), which sshd without PAM would refuse even for a key.
    const ProcessResult added = runProcess(
        QStringLiteral("useradd"),
        {QStringLiteral("-M"), QStringLiteral("-l"), QStringLiteral("-U"), QStringLiteral("-p"), QStringLiteral("*"),
         QStringLiteral("-d"), m_home, QStringLiteral("-s"), m_options.shell, QStringLiteral("-c"),
         kAccountComment + ownerToken(), name},
        {}, 30000);
    if (!added.ok())
        return fail(QStringLiteral("cannot create the account %1: %2").arg(name, added.describe()));
    m_name = name;
    const struct passwd* pw = ::getpwnam(QFile::encodeName(m_name).constData());
    if (!pw)
        return fail(QStringLiteral("useradd succeeded but getpwnam does not know the account"));
    m_uid = pw->pw_uid;
    m_gid = pw->pw_gid;
    if (m_uid == 0)
        return fail(QStringLiteral("the account got uid 0"));
    if (!QDir().mkpath(m_home))
        return fail(QStringLiteral("cannot create the home folder ") + m_home);
    if (m_options.noisyLoginFiles && !writeLoginFiles())
        return false;
    const ProcessResult owned = runProcess(QStringLiteral("chown"),
        {QStringLiteral("-R"), QStringLiteral("%1:%2").arg(m_uid).arg(m_gid), m_home});
    if (!owned.ok())
        return fail(QStringLiteral("cannot give the home folder to the account: ") + owned.describe());
    if (!QFile::setPermissions(m_home, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        return fail(QStringLiteral("cannot make the home folder owner-only"));
    return true;
}

bool TestAccount::writeLoginFiles()
{
    if (!QDir().mkpath(loginDirectory()))
        return fail(QStringLiteral("cannot create ") + loginDirectory());
    const QString out = singleQuoted(QString::fromLatin1(kLoginBannerStdout));
    const QString err = singleQuoted(QString::fromLatin1(kLoginBannerStderr));
    const QString header = QStringLiteral("# Written by TestAccount: noisy, as login files on real sites are.\n");
    // bash reads ~/.bashrc for commands run by sshd, ~/.bash_profile as a login shell; sh reads
    // ~/.profile as a login shell.
    const QString posix = header
        + QStringLiteral("printf '%s' %1\nprintf '%s' %2 >&2\ncd \"$HOME\"/%3\n").arg(out, err, kLoginDirectoryName);
    const QString bashProfile = header + QStringLiteral("echo 'bash_profile: login shell'\n. \"$HOME\"/.bashrc\n");
    // tcsh reads ~/.tcshrc for every shell, commands over ssh included. Its quotes cannot hold a
    // newline, so the banner's newlines are printf(1)'s \n escapes; and stderr goes through sh, as
    // tcsh can only redirect it together with stdout (opening /dev/stderr fails on a foreign pipe).
    const auto escaped = [](const QString& quoted) { return QString(quoted).replace(QLatin1Char('\n'), QLatin1String("\\n")); };
    const QString tcsh = header
        + QStringLiteral("/usr/bin/printf '%b' %1\n/bin/sh -c \"printf '%b' %2 >&2\"\ncd \"$HOME\"/%3\n")
              .arg(escaped(out), escaped(err), kLoginDirectoryName);
    const struct {
        const char* name;
        const QString& text;
    } files[] = {{".bashrc", posix}, {".profile", posix}, {".bash_profile", bashProfile}, {".tcshrc", tcsh}};
    for (const auto& f : files) {
        if (!writeTextFile(m_home + QLatin1Char('/') + QLatin1String(f.name), f.text, 0644))
            return fail(QStringLiteral("cannot write ~/") + QLatin1String(f.name));
    }
    return true;
}

ProcessResult TestAccount::run(const QString& program, const QStringList& args, const QProcessEnvironment& env,
                               int timeoutMs, const QByteArray& stdinData) const
{
    if (m_uid == 0) {   // not created: never run as root instead
        ProcessResult notCreated;
        notCreated.failedToStart = true;
        notCreated.command = program;
        notCreated.err = "TestAccount::run before a successful create()";
        return notCreated;
    }
    QProcessEnvironment all = environment();
    for (const QString& key : env.keys())
        all.insert(key, env.value(key));
    // env -C: start in the home folder, not in the test's (maybe unreadable) working folder.
    return runProcess(QStringLiteral("setpriv"),
                      QStringList{QStringLiteral("--reuid=%1").arg(m_uid), QStringLiteral("--regid=%1").arg(m_gid),
                                  QStringLiteral("--init-groups"), QStringLiteral("--"), QStringLiteral("/usr/bin/env"),
                                  QStringLiteral("-C"), m_home, program}
                          + args,
                      all, timeoutMs, stdinData);
}

int TestAccount::killProcesses(int timeoutMs) const
{
    return m_uid != 0 ? killProcessesOfUid(m_uid, timeoutMs) : 0;
}

void TestAccount::remove()
{
    if (m_name.isEmpty())
        return;
    killProcesses();
    deleteAccount(m_name);
    m_name.clear();
    m_uid = 0;
    m_gid = 0;
}

} // namespace sweepline::testing
