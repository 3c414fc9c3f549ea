#include "localprocess.h"

#include "engine/jobscript.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

extern char** environ;

namespace sweepline::engine::localprocess {

using model::Result;

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// RAII for the posix_spawn attribute objects, which must be destroyed on every path.
struct SpawnSetup {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnSetup()
    {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnSetup()
    {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

} // namespace

Result<pid_t> spawnScript(const QString& scriptPath, const QString& workingDirectory)
{
    SpawnSetup s;
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT})
        sigaddset(&defaults, sig);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&s.attr, &defaults);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&s.actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&s.actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
    const QByteArray dir = QFile::encodeName(workingDirectory);
    posix_spawn_file_actions_addchdir_np(&s.actions, dir.constData());

    const QByteArray script = QFile::encodeName(scriptPath);
    char bash[] = "/bin/bash";
    char* argv[] = {bash, const_cast<char*>(script.constData()), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, bash, &s.actions, &s.attr, argv, environ);
    if (rc != 0)
        return Result<pid_t>::failure(u"cannot start /bin/bash %1: %2"_s.arg(scriptPath, errnoText(rc)));
    return pid;
}

bool isAliveIn(pid_t pid, const QString& runDirectory)
{
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH))
        return false;
    // A zombie still answers kill(); its state letter in /proc says it is gone.
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        const qsizetype close = text.lastIndexOf(')');
        if (close > 0 && close + 2 < text.size() && text.at(close + 2) == 'Z')
            return false;
    }
    const QString cwd = QFileInfo(u"/proc/%1/cwd"_s.arg(pid)).symLinkTarget();
    return !cwd.isEmpty() && QDir(cwd) == QDir(runDirectory);
}

int openPidFd(pid_t pid)
{
#ifdef SYS_pidfd_open
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        ::fcntl(int(fd), F_SETFD, FD_CLOEXEC);
        return int(fd);
    }
#else
    Q_UNUSED(pid);
#endif
    return -1;
}

void signalGroup(pid_t pid, int signalNumber)
{
    if (pid > 0)
        ::kill(-pid, signalNumber);
}

std::optional<int> reapChild(pid_t pid, bool* reaped)
{
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    *reaped = r == pid;
    if (*reaped && WIFSIGNALED(status))
        return WTERMSIG(status);
    return std::nullopt;
}

std::optional<pid_t> readPidFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool ok = false;
    const int pid = f.readAll().trimmed().toInt(&ok);
    if (!ok || pid <= 0)
        return std::nullopt;
    return pid_t(pid);
}

QString signalName(int signalNumber)
{
    if (const char* abbrev = sigabbrev_np(signalNumber))
        return u"SIG"_s + QLatin1String(abbrev);
    return u"signal %1"_s.arg(signalNumber);
}

} // namespace sweepline::engine::localprocess
