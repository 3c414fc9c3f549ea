#pragma once
// Building blocks shared by the integration-test fixtures: one-shot commands with a time limit,
// daemons that log to a file and never outlive the test, port reservations that parallel test
// runs respect, and per-fixture directories that mark every process a fixture started.

#include <QByteArray>
#include <QElapsedTimer>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QThread>

#include <functional>
#include <memory>

class QProcess;

namespace sweepline::testing {

// Result of a command run to completion (or killed at its time limit).
struct ProcessResult {
    int exitCode = -1;
    bool crashed = false;  // killed by a signal
    bool timedOut = false; // killed by runProcess at the time limit
    bool failedToStart = false;
    QByteArray out;
    QByteArray err;

    bool ok() const { return !failedToStart && !timedOut && !crashed && exitCode == 0; }
    // "program args: exit 1 (timed out)\n--- stdout ---\n...\n--- stderr ---\n..." for failure messages.
    QString describe() const;
    QString command; // what was run, for describe()
};

// Runs program to completion with a bounded wait (the process is killed at timeoutMs).
// An empty env means the test's own environment.
ProcessResult runProcess(const QString& program, const QStringList& args, const QProcessEnvironment& env = {},
                         int timeoutMs = 30000, const QByteArray& stdinData = {});

// Polls check() every intervalMs until it returns true or timeoutMs has passed.
bool waitUntil(const std::function<bool()>& check, int timeoutMs, int intervalMs = 100);

// The last maxBytes of a file, with a header naming it; "(no such file)" if it is missing.
QString fileTail(const QString& path, qint64 maxBytes = qint64{16} * 1024);

// Writes text to path (creating it 0600 unless mode is given). Returns false on failure.
bool writeTextFile(const QString& path, const QString& text, int mode = 0600);

// A TCP port on loopback reserved for the lifetime of this object: the reservation is an flock()ed
// file in /tmp/sweepline-fixture-ports, so fixtures in parallel test processes never pick the same
// port, and a fixture can stop and restart its daemon on the same port. Ports are chosen below the
// kernel's ephemeral range (ip_local_port_range), so outgoing connections cannot occupy them either.
class PortReservation {
public:
    PortReservation() = default;
    ~PortReservation();
    PortReservation(const PortReservation&) = delete;
    PortReservation& operator=(const PortReservation&) = delete;

    bool reserve(QString* error = nullptr);
    void release();
    quint16 port() const { return m_port; }
    bool isValid() const { return m_port != 0; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

// True if nothing listens on (and nothing is bound to) 0.0.0.0:port and 127.0.0.1:port.
bool tcpPortIsFree(quint16 port);
// True if something accepts TCP connections on 127.0.0.1:port.
bool tcpPortAccepts(quint16 port, int timeoutMs = 500);
// Connects to 127.0.0.1:port and returns the first line the server sends (an SSH banner), or empty.
QByteArray readBanner(quint16 port, int timeoutMs = 1000);

// Note: daemons that rewrite their process title (sshd) lose their original environment in
// /proc/<pid>/environ, so sshd's own processes are found through the listener's process tree;
// the commands of its sessions carry the marker through SetEnv.
//
// A fixture's working directory: <tmp>/swlfx-<kind>-<owner pid>-<owner start time>-XXXXXX, mode 0755.
// The name identifies the owning test process, so a later fixture can clean up after a test that
// crashed or was killed by ctest's timeout (see cleanupStaleFixtures()). Every process a fixture
// starts carries SWEEPLINE_FIXTURE_DIR=<path> in its environment (sshd sessions get it via SetEnv),
// which is how killFixtureProcesses() finds daemons, sessions, slurmstepd and jobs.
// Set SWEEPLINE_KEEP_FIXTURES=1 to keep the directory (logs, configs) after the test.
class FixtureDirectory {
public:
    explicit FixtureDirectory(const QString& kind);
    bool isValid() const;
    QString path() const;
    QString filePath(const QString& name) const;
    QString errorString() const;
    void setAutoRemove(bool b);

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_error;
};

inline constexpr char kFixtureMarkerVariable[] = "SWEEPLINE_FIXTURE_DIR";

// SIGKILLs every process (and its descendants) whose environment holds a value equal to dir or
// under dir/, or that has a file (or its working directory) under dir/, except this process and
// its ancestors. With onlyExecutable, only such processes
// running that executable (and their descendants) count: e.g. sshd's connection processes and the
// sessions under them, but not a job that left its session. Repeats until none is left (bounded
// by timeoutMs). Returns how many processes were signalled.
int killFixtureProcesses(const QString& dir, int timeoutMs = 5000, const QString& onlyExecutable = {});

// A process named so that a recycled pid is not mistaken for it.
struct ProcessRef {
    qint64 pid = 0;
    quint64 startTime = 0; // /proc/<pid>/stat field 22
};
// All descendants of pid (children, grandchildren, ...), from /proc.
QList<ProcessRef> processDescendants(qint64 pid);
// SIGKILLs those processes that are still alive (same pid and start time) and their descendants,
// until none is left (bounded by timeoutMs).
void killProcesses(const QList<ProcessRef>& processes, int timeoutMs = 5000);

// Kills the processes of fixture directories whose owning test process is gone, and removes the
// directories. Called by every fixture before it starts; cheap.
void cleanupStaleFixtures();

// "<pid>-<start time in clock ticks>" of this process: identifies it even after pid reuse.
QString ownerToken();
// True if the process named by an ownerToken() is still running.
bool ownerAlive(const QString& token);

// A long-running daemon started in the foreground (-D / --foreground), with stdout and stderr
// appended to a log file. The child gets PR_SET_PDEATHSIG(SIGKILL) (bound to the thread that calls
// start(): create and start fixtures on the test's main thread), its own session, stdin from
// /dev/null and the fixture marker in its environment.
class DaemonProcess {
public:
    DaemonProcess(QString name, QString program, QStringList args, QString logPath);
    ~DaemonProcess();
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    void setEnvironment(const QProcessEnvironment& env) { m_env = env; }
    void setArguments(const QStringList& args) { m_args = args; }

    // Starts the process; false (with errorString()) if exec fails or it exits within a moment.
    bool start();
    // True while the process runs (reaps it if it has exited).
    bool isRunning();
    // SIGTERM, up to graceMs for it to exit, then SIGKILL. Safe to call when not running.
    void stop(int graceMs = 5000);
    // SIGKILL at once.
    void kill();
    qint64 pid() const { return m_pid; }
    QString name() const { return m_name; }
    QString logPath() const { return m_logPath; }
    QString errorString() const { return m_error; }
    // "slurmctld exited with code 1" / "slurmctld was killed by signal 9" / "slurmctld is running".
    QString exitDescription();

private:
    QString m_name;
    QString m_program;
    QStringList m_args;
    QString m_logPath;
    QProcessEnvironment m_env;
    std::unique_ptr<QProcess> m_process;
    qint64 m_pid = 0;
    QString m_error;
};

} // namespace sweepline::testing
