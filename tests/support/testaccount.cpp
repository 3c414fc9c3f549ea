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

using namespace Qt::StringLiterals;

namespace sweepline::testing {

namespace {

// Same comment as SshServerFixture's password user, so either fixture removes the other's strays.
const QString kAccountComment = u"sweepline-fixture "_s;
const QString kLoginDirectoryName = u"elsewhere"_s;

QAtomicInt g_accountCounter;

// Processes whose real or effective uid is uid, from /proc/<pid>/status ("Uid: real eff saved fs").
QList<qint64> processesOfUid(uint uid)
{
    QList<qint64> pids;
    QDirIterator it(u"/proc"_s, QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        it.next();
        bool isPid = false;
        const qint64 pid = it.fileName().toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile status(it.filePath() + u"/status"_s);
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
        return 0; // never root's processes, whatever went wrong before
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
    const ProcessResult r = runProcess(u"userdel"_s, {u"-f"_s, name}, {}, 30000);
    if (!r.ok())
        qWarning("TestAccount: cannot remove the account %s: %s", qPrintable(name), qPrintable(r.describe()));
}

// A shell word for the login files: the texts written there are ours, but a single quote would end it.
QString singleQuoted(const QString& text)
{
    Q_ASSERT(!text.contains(u'\''));
    return u'\'' + text + u'\'';
}

} // namespace

void removeStaleTestAccounts()
{
    QFile passwd(u"/etc/passwd"_s);
    if (!passwd.open(QIODevice::ReadOnly))
        return;
    for (const QByteArray& entry : passwd.readAll().split('\n')) {
        // name:password:uid:gid:comment:home:shell
        const QStringList fields = QString::fromLocal8Bit(entry).split(u':');
        if (fields.size() < 7 || !fields.at(0).startsWith(u"swlfx"_s) || !fields.at(4).startsWith(kAccountComment)
            || ownerAlive(fields.at(4).mid(kAccountComment.size())))
            continue;
        killProcessesOfUid(fields.at(2).toUInt(), 5000);
        deleteAccount(fields.at(0));
    }
}

TestAccount::TestAccount(TestAccountOptions options) : m_options(std::move(options)), m_dir(u"account"_s)
{}

TestAccount::~TestAccount()
{
    remove();
}

bool TestAccount::fail(const QString& message)
{
    m_error = u"TestAccount %1 (%2): %3"_s.arg(m_name, m_dir.path(), message);
    qWarning("%s", qPrintable(m_error));
    remove();
    return false;
}

QString TestAccount::loginDirectory() const
{
    return m_options.noisyLoginFiles ? m_home + u'/' + kLoginDirectoryName : QString();
}

QProcessEnvironment TestAccount::environment() const
{
    QProcessEnvironment env;
    env.insert(u"HOME"_s, m_home);
    env.insert(u"USER"_s, m_name);
    env.insert(u"LOGNAME"_s, m_name);
    env.insert(u"SHELL"_s, m_options.shell);
    env.insert(u"PATH"_s, u"/usr/local/bin:/usr/bin:/bin"_s);
    env.insert(u"LANG"_s, u"C.UTF-8"_s);
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
        return fail(u"needs root (useradd, setpriv)"_s);
    if (!QFile::exists(m_options.shell))
        return fail(u"the login shell %1 is not installed"_s.arg(m_options.shell));
    removeStaleTestAccounts();
    // "a" keeps these names apart from SshServerFixture's password users (swlfx<pid>_<n>).
    const QString name = u"swlfx%1a%2"_s.arg(::getpid()).arg(g_accountCounter.fetchAndAddRelaxed(1));
    m_home = m_dir.filePath(m_options.homeDirectoryName);
    // -p '*': no password, yet not locked ('!'), which sshd without PAM would refuse even for a key.
    const ProcessResult added = runProcess(u"useradd"_s,
                                           {u"-M"_s, u"-l"_s, u"-U"_s, u"-p"_s, u"*"_s, u"-d"_s, m_home, u"-s"_s,
                                            m_options.shell, u"-c"_s, kAccountComment + ownerToken(), name},
                                           {}, 30000);
    if (!added.ok())
        return fail(u"cannot create the account %1: %2"_s.arg(name, added.describe()));
    m_name = name;
    const struct passwd* pw = ::getpwnam(QFile::encodeName(m_name).constData());
    if (!pw)
        return fail(u"useradd succeeded but getpwnam does not know the account"_s);
    m_uid = pw->pw_uid;
    m_gid = pw->pw_gid;
    if (m_uid == 0)
        return fail(u"the account got uid 0"_s);
    if (!QDir().mkpath(m_home))
        return fail(u"cannot create the home folder "_s + m_home);
    if (m_options.noisyLoginFiles && !writeLoginFiles())
        return false;
    const ProcessResult owned = runProcess(u"chown"_s, {u"-R"_s, u"%1:%2"_s.arg(m_uid).arg(m_gid), m_home});
    if (!owned.ok())
        return fail(u"cannot give the home folder to the account: "_s + owned.describe());
    if (!QFile::setPermissions(m_home, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        return fail(u"cannot make the home folder owner-only"_s);
    return true;
}

bool TestAccount::writeLoginFiles()
{
    if (!QDir().mkpath(loginDirectory()))
        return fail(u"cannot create "_s + loginDirectory());
    const QString out = singleQuoted(QString::fromLatin1(kLoginBannerStdout));
    const QString err = singleQuoted(QString::fromLatin1(kLoginBannerStderr));
    const QString header = u"# Written by TestAccount: noisy, as login files on real sites are.\n"_s;
    // bash reads ~/.bashrc for commands run by sshd, ~/.bash_profile as a login shell; sh reads
    // ~/.profile as a login shell.
    const QString posix =
        header + u"printf '%s' %1\nprintf '%s' %2 >&2\ncd \"$HOME\"/%3\n"_s.arg(out, err, kLoginDirectoryName);
    const QString bashProfile = header + u"echo 'bash_profile: login shell'\n. \"$HOME\"/.bashrc\n"_s;
    // tcsh reads ~/.tcshrc for every shell, commands over ssh included. Its quotes cannot hold a
    // newline, so the banner's newlines are printf(1)'s \n escapes; and stderr goes through sh, as
    // tcsh can only redirect it together with stdout (opening /dev/stderr fails on a foreign pipe).
    const auto escaped = [](const QString& quoted) { return QString(quoted).replace(u'\n', u"\\n"_s); };
    const QString tcsh = header
        + u"/usr/bin/printf '%b' %1\n/bin/sh -c \"printf '%b' %2 >&2\"\ncd \"$HOME\"/%3\n"_s.arg(
            escaped(out), escaped(err), kLoginDirectoryName);
    const struct {
        const char* name;
        const QString& text;
    } files[] = {{".bashrc", posix}, {".profile", posix}, {".bash_profile", bashProfile}, {".tcshrc", tcsh}};
    for (const auto& f : files) {
        if (!writeTextFile(m_home + u'/' + QLatin1String(f.name), f.text, 0644))
            return fail(u"cannot write ~/"_s + QLatin1String(f.name));
    }
    return true;
}

ProcessResult TestAccount::run(const QString& program, const QStringList& args, const QProcessEnvironment& env,
                               int timeoutMs, const QByteArray& stdinData) const
{
    if (m_uid == 0) { // not created: never run as root instead
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
    return runProcess(u"setpriv"_s,
                      QStringList{u"--reuid=%1"_s.arg(m_uid), u"--regid=%1"_s.arg(m_gid), u"--init-groups"_s, u"--"_s,
                                  u"/usr/bin/env"_s, u"-C"_s, m_home, program}
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
