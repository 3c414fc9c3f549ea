#include "support/fixtureprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sweepline::testing {

namespace {

QString localFile(const QByteArray& b)
{
    return QString::fromLocal8Bit(b);
}

struct ProcStat {
    pid_t pid = 0;
    pid_t ppid = 0;
    char state = '?';
    quint64 startTime = 0;
};

// Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last ')'.
bool readProcStat(pid_t pid, ProcStat* out)
{
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray s = f.readAll();
    const qsizetype close = s.lastIndexOf(')');
    if (close < 0)
        return false;
    const QList<QByteArray> fields = s.mid(close + 2).split(' ');
    // fields[0] is field 3 (state); field 4 is ppid; field 22 is starttime.
    if (fields.size() < 20)
        return false;
    out->pid = pid;
    out->state = fields.at(0).isEmpty() ? '?' : fields.at(0).at(0);
    out->ppid = static_cast<pid_t>(fields.at(1).toLong());
    out->startTime = fields.at(19).toULongLong();
    return true;
}

QList<ProcStat> listProcesses()
{
    QList<ProcStat> result;
    QDir proc(u"/proc"_s);
    const QStringList entries = proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& e : entries) {
        bool ok = false;
        const pid_t pid = static_cast<pid_t>(e.toInt(&ok));
        if (!ok)
            continue;
        ProcStat st;
        if (readProcStat(pid, &st))
            result.append(st);
    }
    return result;
}

// True if one of the process's environment values equals dir or lies under dir/.
bool environMentions(pid_t pid, const QByteArray& dir)
{
    QFile f(u"/proc/%1/environ"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray env = f.readAll();
    const QByteArray under = dir + '/';
    for (const QByteArray& entry : env.split('\0')) {
        const qsizetype eq = entry.indexOf('=');
        if (eq < 0)
            continue;
        const QByteArray value = entry.mid(eq + 1);
        if (value == dir || value.startsWith(under))
            return true;
    }
    return false;
}

// True if one of the process's open files (or its working directory) lies under dir/: sshd's
// connection processes, whose environment the process title overwrote, still log to sshd.log.
bool filesPointInto(pid_t pid, const QByteArray& dir)
{
    const QByteArray under = dir + '/';
    const QString base = u"/proc/%1/"_s.arg(pid);
    const auto inside = [&](const QString& link) {
        const QByteArray target = QFile::encodeName(QFile::symLinkTarget(link));
        return target == dir || target.startsWith(under);
    };
    if (inside(base + u"cwd"_s))
        return true;
    const QDir fds(base + u"fd"_s);
    const QStringList entries = fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
    for (const QString& fd : entries) {
        if (inside(fds.filePath(fd)))
            return true;
    }
    return false;
}

QSet<pid_t> selfAndAncestors()
{
    QSet<pid_t> result;
    pid_t p = getpid();
    for (int i = 0; i < 64 && p > 0 && !result.contains(p); ++i) {
        result.insert(p);
        ProcStat st;
        if (!readProcStat(p, &st))
            break;
        p = st.ppid;
    }
    return result;
}

QString safeTempBase()
{
    // Paths go unquoted into sshd_config, slurm.conf and a unix socket address (108 bytes max).
    static const QRegularExpression safe(u"^/[A-Za-z0-9/._-]*$"_s);
    QString t = QDir::tempPath();
    if (t.size() <= 60 && safe.match(t).hasMatch())
        return t;
    return u"/tmp"_s;
}

const QRegularExpression& fixtureDirPattern()
{
    static const QRegularExpression re(u"^swlfx-[a-z]+-(\\d+-\\d+)-[A-Za-z0-9]+$"_s);
    return re;
}

} // namespace

QString ProcessResult::describe() const
{
    QString what;
    if (failedToStart)
        what = u"failed to start"_s;
    else if (timedOut)
        what = u"timed out (killed)"_s;
    else if (crashed)
        what = u"killed by a signal"_s;
    else
        what = u"exit code %1"_s.arg(exitCode);
    return u"`%1`: %2\n--- stdout ---\n%3\n--- stderr ---\n%4"_s.arg(command, what, localFile(out), localFile(err));
}

ProcessResult runProcess(const QString& program, const QStringList& args, const QProcessEnvironment& env, int timeoutMs,
                         const QByteArray& stdinData)
{
    ProcessResult r;
    r.command = (QStringList{program} + args).join(u' ');
    QProcess p;
    if (!env.isEmpty())
        p.setProcessEnvironment(env);
    if (stdinData.isEmpty())
        p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        r.failedToStart = true;
        r.err = p.errorString().toLocal8Bit();
        return r;
    }
    if (!stdinData.isEmpty()) {
        p.write(stdinData);
        p.closeWriteChannel();
    }
    QElapsedTimer t;
    t.start();
    while (p.state() != QProcess::NotRunning) {
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0) {
            r.timedOut = true;
            p.kill();
            p.waitForFinished(5000);
            break;
        }
        p.waitForFinished(static_cast<int>(qMin<qint64>(left, 200)));
        r.out += p.readAllStandardOutput();
        r.err += p.readAllStandardError();
    }
    r.out += p.readAllStandardOutput();
    r.err += p.readAllStandardError();
    r.crashed = !r.timedOut && p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    return r;
}

bool waitUntil(const std::function<bool()>& check, int timeoutMs, int intervalMs)
{
    QElapsedTimer t;
    t.start();
    for (;;) {
        if (check())
            return true;
        if (t.elapsed() >= timeoutMs)
            return false;
        QThread::msleep(static_cast<unsigned long>(intervalMs));
    }
}

QString fileTail(const QString& path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return u"--- %1: (no such file) ---\n"_s.arg(path);
    const qint64 size = f.size();
    QString header = u"--- %1 ---\n"_s.arg(path);
    if (size > maxBytes) {
        f.seek(size - maxBytes);
        header = u"--- %1 (last %2 of %3 bytes) ---\n"_s.arg(path).arg(maxBytes).arg(size);
    }
    return header + QString::fromLocal8Bit(f.readAll()) + u'\n';
}

bool writeTextFile(const QString& path, const QString& text, int mode)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray data = text.toLocal8Bit();
    if (f.write(data) != data.size())
        return false;
    f.close();
    return ::chmod(QFile::encodeName(path).constData(), static_cast<mode_t>(mode)) == 0;
}

// ---- ports ----

namespace {

bool canBind(quint32 address, quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    // Like the daemons do: a TIME_WAIT left by an earlier run must not count as busy.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(address);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

int connectLoopback(quint16 port, int timeoutMs)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        if (errno != EINPROGRESS) {
            ::close(fd);
            return -1;
        }
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (::poll(&p, 1, timeoutMs) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

QPair<int, int> localPortRange()
{
    QFile f(u"/proc/sys/net/ipv4/ip_local_port_range"_s);
    if (f.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> parts = f.readAll().simplified().split(' ');
        if (parts.size() == 2)
            return {parts.at(0).toInt(), parts.at(1).toInt()};
    }
    return {32768, 60999};
}

} // namespace

bool tcpPortIsFree(quint16 port)
{
    return canBind(INADDR_ANY, port) && canBind(INADDR_LOOPBACK, port);
}

bool tcpPortAccepts(quint16 port, int timeoutMs)
{
    const int fd = connectLoopback(port, timeoutMs);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

QByteArray readBanner(quint16 port, int timeoutMs)
{
    const int fd = connectLoopback(port, timeoutMs);
    if (fd < 0)
        return {};
    QByteArray line;
    QElapsedTimer t;
    t.start();
    while (!line.contains('\n') && line.size() < 1024) {
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0)
            break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) != 1)
            break;
        char buf[256];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        line.append(buf, n);
    }
    ::close(fd);
    return line.left(line.indexOf('\n')).trimmed();
}

PortReservation::~PortReservation()
{
    release();
}

void PortReservation::release()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_port = 0;
}

bool PortReservation::reserve(QString* error)
{
    release();
    const QString lockDir = u"/tmp/sweepline-fixture-ports"_s;
    QDir().mkpath(lockDir);
    const auto [ephemeralLow, ephemeralHigh] = localPortRange();
    // Prefer ports below the ephemeral range; if it starts too low, use the range above it.
    int low = 20000;
    int high = ephemeralLow - 1;
    if (high - low < 2000) {
        low = qMax(ephemeralHigh + 1, 1024);
        high = 65535;
    }
    if (high - low < 100) {
        low = 10000;
        high = 65000;
    }
    auto* rng = QRandomGenerator::global();
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto port = static_cast<quint16>(rng->bounded(low, high + 1));
        const QByteArray lockPath = QFile::encodeName(u"%1/%2.lock"_s.arg(lockDir).arg(port));
        const int fd = ::open(lockPath.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            continue;
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            continue;
        }
        if (!tcpPortIsFree(port)) {
            ::close(fd);
            continue;
        }
        m_fd = fd;
        m_port = port;
        return true;
    }
    if (error)
        *error = u"no free TCP port found in %1-%2 after 200 attempts"_s.arg(low).arg(high);
    return false;
}

// ---- fixture directories and process ownership ----

QString ownerToken()
{
    ProcStat st;
    readProcStat(getpid(), &st);
    return u"%1-%2"_s.arg(getpid()).arg(st.startTime);
}

bool ownerAlive(const QString& token)
{
    const QStringList parts = token.split(u'-');
    if (parts.size() != 2)
        return false;
    ProcStat st;
    if (!readProcStat(static_cast<pid_t>(parts.at(0).toInt()), &st))
        return false;
    return st.state != 'Z' && st.state != 'X' && QString::number(st.startTime) == parts.at(1);
}

FixtureDirectory::FixtureDirectory(const QString& kind)
{
    cleanupStaleFixtures();
    m_dir = std::make_unique<QTemporaryDir>(u"%1/swlfx-%2-%3-XXXXXX"_s.arg(safeTempBase(), kind, ownerToken()));
    if (!m_dir->isValid()) {
        m_error = u"cannot create a temporary directory: %1"_s.arg(m_dir->errorString());
        return;
    }
    // Traversable by a dedicated test user (its home lives here); secrets inside are 0600.
    ::chmod(QFile::encodeName(m_dir->path()).constData(), 0755);
    if (qEnvironmentVariableIntValue("SWEEPLINE_KEEP_FIXTURES") == 1)
        m_dir->setAutoRemove(false);
}

bool FixtureDirectory::isValid() const
{
    return m_dir && m_dir->isValid();
}

QString FixtureDirectory::path() const
{
    return m_dir ? m_dir->path() : QString();
}

QString FixtureDirectory::filePath(const QString& name) const
{
    return m_dir ? m_dir->filePath(name) : QString();
}

QString FixtureDirectory::errorString() const
{
    return m_error;
}

void FixtureDirectory::setAutoRemove(bool b)
{
    if (m_dir)
        m_dir->setAutoRemove(b);
}

// SIGTERM first, SIGKILL only for what is still there after a grace period: a login shell killed
// outright cannot run its EXIT traps, and some leave locks behind that stall every later login
// (pyenv's rehash lock made each new SSH session of root wait 60 s).
static int terminationSignal(qint64 elapsedMs)
{
    constexpr qint64 kGraceMs = 1000;
    return elapsedMs < kGraceMs ? SIGTERM : SIGKILL;
}

int killFixtureProcesses(const QString& dir, int timeoutMs, const QString& onlyExecutable)
{
    if (dir.isEmpty() || dir == u"/"_s)
        return 0;
    const QByteArray marker = QFile::encodeName(QDir::cleanPath(dir));
    const QSet<pid_t> protectedPids = selfAndAncestors();
    int signalled = 0;
    QElapsedTimer t;
    t.start();
    for (;;) {
        const QList<ProcStat> procs = listProcesses();
        QHash<pid_t, QList<pid_t>> children;
        QList<pid_t> roots;
        for (const ProcStat& p : procs) {
            if (p.state == 'Z' || p.state == 'X')
                continue;
            children[p.ppid].append(p.pid);
            if (protectedPids.contains(p.pid) || !(environMentions(p.pid, marker) || filesPointInto(p.pid, marker)))
                continue;
            if (!onlyExecutable.isEmpty() && QFileInfo(u"/proc/%1/exe"_s.arg(p.pid)).symLinkTarget() != onlyExecutable)
                continue;
            roots.append(p.pid);
        }
        QSet<pid_t> targets;
        QList<pid_t> queue = roots;
        while (!queue.isEmpty()) {
            const pid_t p = queue.takeFirst();
            if (protectedPids.contains(p) || targets.contains(p))
                continue;
            targets.insert(p);
            queue.append(children.value(p));
        }
        if (targets.isEmpty())
            return signalled;
        const int sig = terminationSignal(t.elapsed());
        for (pid_t p : std::as_const(targets)) {
            if (::kill(p, sig) == 0)
                ++signalled;
        }
        if (t.elapsed() > timeoutMs) {
            qWarning("killFixtureProcesses(%s): processes still present after %d ms", marker.constData(), timeoutMs);
            return signalled;
        }
        QThread::msleep(50);
    }
}

QList<ProcessRef> processDescendants(qint64 pid)
{
    QHash<pid_t, QList<ProcStat>> children;
    for (const ProcStat& p : listProcesses()) {
        if (p.state != 'Z' && p.state != 'X')
            children[p.ppid].append(p);
    }
    QList<ProcessRef> result;
    QSet<pid_t> seen;
    QList<ProcStat> queue = children.value(static_cast<pid_t>(pid));
    while (!queue.isEmpty()) {
        const ProcStat p = queue.takeFirst();
        if (seen.contains(p.pid))
            continue;
        seen.insert(p.pid);
        result.append({p.pid, p.startTime});
        queue.append(children.value(p.pid));
    }
    return result;
}

void killProcesses(const QList<ProcessRef>& processes, int timeoutMs)
{
    const QSet<pid_t> protectedPids = selfAndAncestors();
    QElapsedTimer t;
    t.start();
    for (;;) {
        QList<ProcessRef> targets;
        for (const ProcessRef& r : processes) {
            ProcStat st;
            if (r.pid <= 0 || !readProcStat(static_cast<pid_t>(r.pid), &st) || st.startTime != r.startTime
                || st.state == 'Z' || st.state == 'X')
                continue;
            targets.append(r);
            targets.append(processDescendants(r.pid));
        }
        if (targets.isEmpty())
            return;
        const int sig = terminationSignal(t.elapsed());
        for (const ProcessRef& r : std::as_const(targets)) {
            if (!protectedPids.contains(static_cast<pid_t>(r.pid)))
                ::kill(static_cast<pid_t>(r.pid), sig);
        }
        if (t.elapsed() > timeoutMs) {
            qWarning("killProcesses: processes still present after %d ms", timeoutMs);
            return;
        }
        QThread::msleep(20);
    }
}

void cleanupStaleFixtures()
{
    const QDir base(safeTempBase());
    const QStringList entries = base.entryList({u"swlfx-*"_s}, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& name : entries) {
        const QRegularExpressionMatch m = fixtureDirPattern().match(name);
        if (!m.hasMatch() || ownerAlive(m.captured(1)))
            continue;
        const QString path = base.filePath(name);
        if (qEnvironmentVariableIntValue("SWEEPLINE_KEEP_FIXTURES") == 1) {
            killFixtureProcesses(path);
            continue;
        }
        const int killed = killFixtureProcesses(path);
        if (killed > 0)
            qWarning("sweepline fixtures: killed %d leftover process(es) of a dead test run in %s", killed,
                     qPrintable(path));
        QDir(path).removeRecursively();
    }
}

// ---- daemons ----

DaemonProcess::DaemonProcess(QString name, QString program, QStringList args, QString logPath)
    : m_name(std::move(name)),
      m_program(std::move(program)),
      m_args(std::move(args)),
      m_logPath(std::move(logPath))
{}

DaemonProcess::~DaemonProcess()
{
    kill();
}

bool DaemonProcess::start()
{
    m_error.clear();
    if (m_process && isRunning()) {
        m_error = u"%1 is already running"_s.arg(m_name);
        return false;
    }
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_program);
    m_process->setArguments(m_args);
    if (!m_env.isEmpty())
        m_process->setProcessEnvironment(m_env);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardOutputFile(m_logPath, QIODevice::Append);
    m_process->setStandardErrorFile(m_logPath, QIODevice::Append);
    const pid_t parent = getpid();
    m_process->setChildProcessModifier([parent] {
        // Never outlive the test, even when it is killed by a signal or ctest's timeout.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        ::setsid();
    });
    {
        QFile log(m_logPath);
        if (log.open(QIODevice::Append)) {
            log.write(u"=== %1: %2 %3 ===\n"_s.arg(m_name, m_program, m_args.join(u' ')).toLocal8Bit());
        }
    }
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        m_error = u"%1 (%2) did not start: %3"_s.arg(m_name, m_program, m_process->errorString());
        m_process.reset();
        m_pid = 0;
        return false;
    }
    m_pid = m_process->processId();
    return true;
}

bool DaemonProcess::isRunning()
{
    if (!m_process)
        return false;
    if (m_process->state() == QProcess::NotRunning)
        return false;
    m_process->waitForFinished(0); // reaps it if it has exited
    return m_process->state() != QProcess::NotRunning;
}

QString DaemonProcess::exitDescription()
{
    if (!m_process)
        return u"%1 was not started"_s.arg(m_name);
    if (isRunning())
        return u"%1 is running (pid %2)"_s.arg(m_name).arg(m_pid);
    if (m_process->exitStatus() == QProcess::CrashExit)
        return u"%1 was killed by a signal"_s.arg(m_name);
    return u"%1 exited with code %2"_s.arg(m_name).arg(m_process->exitCode());
}

void DaemonProcess::stop(int graceMs)
{
    if (!m_process)
        return;
    if (isRunning()) {
        m_process->terminate();
        if (!m_process->waitForFinished(graceMs)) {
            qWarning("%s did not exit within %d ms of SIGTERM; killing it", qPrintable(m_name), graceMs);
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

void DaemonProcess::kill()
{
    if (!m_process)
        return;
    if (isRunning()) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

} // namespace sweepline::testing
