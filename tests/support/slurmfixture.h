#pragma once
// A real one-node Slurm 22.05 on localhost for integration tests (tests run as root): its own munged
// (own key and socket), slurmctld and slurmd, all under the fixture's temporary directory, on ports
// reserved for the fixture's lifetime.
//
//   SlurmFixture slurm;
//   QVERIFY2(slurm.start(), qPrintable(slurm.errorString()));
//   runProcess("sbatch", {...}, slurm.environment());          // SLURM_CONF set
//   SshServerOptions o; o.sessionEnvironment = slurm.sessionEnvironment();   // for ssh sessions
//
// start() returns once the node is idle and a trivial batch job (named "sweepline-fixture-check",
// visible to `squeue -t all` / `scontrol show job` for MinJobAge=300 s) has completed, so job
// launch (munge credentials included) is known to work. Job output goes to the submission's
// working directory unless the test passes -o/--chdir: over ssh that is root's home, so pass them.
// The destructor kills the daemons, slurmstepd and every job process. Create, start and destroy
// fixtures on the test's main thread.

#include "support/fixtureprocess.h"

#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>

namespace sweepline::testing {

struct SlurmOptions {
    int cpus = 0;                 // CPUs of the node (each counts as a core); 0: the machine's
    bool verifyWithJob = true;    // start() runs `sbatch --wrap true` to completion
    QStringList extraConfigLines; // appended to slurm.conf
    // A real per-user submission limit without accounting (no slurmdbd): Slurm's job_submit/throttle
    // refuses a user's submissions beyond this many per hour, with ESLURM_ACCOUNTING_POLICY. Its
    // counts live in slurmctld's memory, so stopController() + startController() clears them. 0: off.
    int jobsPerUserPerHour = 0;
};

class SlurmFixture {
public:
    explicit SlurmFixture(SlurmOptions options = {});
    ~SlurmFixture();
    SlurmFixture(const SlurmFixture&) = delete;
    SlurmFixture& operator=(const SlurmFixture&) = delete;

    // munged, slurmctld, slurmd; waits (bounded) for an idle node and a completed trivial job.
    // false: errorString() holds the reason and the daemons' logs; nothing is left running.
    bool start();
    // Kills everything (daemons, slurmstepd, jobs). State is not kept.
    void stop();
    bool isRunning() const;
    QString errorString() const { return m_error; }

    // Restarts of slurmctld alone, keeping its state (jobs, node): SIGTERM, so it saves state.
    bool stopController();
    bool startController(); // waits until `scontrol ping` reports it UP and the node responds
    // slurmd alone; running jobs (their slurmstepd) survive, as on a real node.
    bool stopNode();
    bool startNode(); // waits until the node is back (idle, mixed or allocated)

    QString slurmConfPath() const;
    QProcessEnvironment environment() const;           // the test's environment + SLURM_CONF
    QMap<QString, QString> sessionEnvironment() const; // {SLURM_CONF: path}, for SshServerFixture
    QString mungeSocketPath() const;
    QString directory() const { return m_dir.path(); }
    quint16 controllerPort() const { return m_ctldPort.port(); }
    quint16 nodePort() const { return m_slurmdPort.port(); }
    int cpus() const { return m_cpus; }

    // Runs a Slurm client command (sbatch, squeue, scontrol, scancel, sinfo) against this cluster.
    ProcessResult run(const QString& program, const QStringList& args, int timeoutMs = 30000) const;
    // `sinfo -h -N -o %T` for the node: "idle", "mixed", "allocated", "down*", ...
    QString nodeState() const;
    // JobState from `scontrol show job -o ID` ("PENDING", "RUNNING", "COMPLETED", ...), empty if unknown.
    QString jobState(const QString& jobId) const;

    QString controllerLogPath() const;
    QString nodeLogPath() const;
    QString mungeLogPath() const;
    // How long the last start() took per phase: "munged 12 ms, slurmctld 150 ms, ...".
    QString startupTimings() const { return m_startupTimings; }
    // Tails of every log (slurmctld, slurmd with slurmstepd, munged, and the daemons' stderr).
    QString logs() const;

private:
    bool prepare();
    bool writeConfig();
    bool startMunge();
    bool startAll();
    bool fail(const QString& message);
    bool logsMention(const QByteArray& text) const;

    SlurmOptions m_options;
    FixtureDirectory m_dir;
    PortReservation m_ctldPort;
    PortReservation m_slurmdPort;
    std::unique_ptr<DaemonProcess> m_munged;
    std::unique_ptr<DaemonProcess> m_ctld;
    std::unique_ptr<DaemonProcess> m_slurmd;
    QProcessEnvironment m_daemonEnv;
    int m_cpus = 1;
    bool m_prepared = false;
    QString m_error;
    QString m_startupTimings;
};

} // namespace sweepline::testing
