#include "support/slurmfixture.h"

#include "fixturetemplates.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <unistd.h>

namespace sweepline::testing {

namespace {

constexpr int kMungeTimeoutMs = 10000;
constexpr int kControllerTimeoutMs = 30000;
constexpr int kNodeTimeoutMs = 30000;
constexpr int kCheckJobTimeoutMs = 30000;
constexpr int kControllerStopGraceMs = 15000;

const QString kMunged = QStringLiteral("/usr/sbin/munged");
const QString kSlurmctld = QStringLiteral("/usr/sbin/slurmctld");
const QString kSlurmd = QStringLiteral("/usr/sbin/slurmd");
const QString kMungekey = QStringLiteral("/usr/sbin/mungekey");

bool makeDir(const QString& path, QFile::Permissions perms)
{
    return QDir().mkpath(path) && QFile::setPermissions(path, perms);
}

constexpr QFile::Permissions kDir0755 = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
    | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
constexpr QFile::Permissions kDir0700 = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;

} // namespace

SlurmFixture::SlurmFixture(SlurmOptions options)
    : m_options(std::move(options)), m_dir(QStringLiteral("slurm"))
{
}

SlurmFixture::~SlurmFixture()
{
    stop();
}

QString SlurmFixture::slurmConfPath() const
{
    return m_dir.filePath(QStringLiteral("slurm.conf"));
}

QString SlurmFixture::mungeSocketPath() const
{
    return m_dir.filePath(QStringLiteral("run/munge.socket"));
}

QString SlurmFixture::controllerLogPath() const
{
    return m_dir.filePath(QStringLiteral("log/slurmctld.log"));
}

QString SlurmFixture::nodeLogPath() const
{
    return m_dir.filePath(QStringLiteral("log/slurmd.log"));
}

QString SlurmFixture::mungeLogPath() const
{
    return m_dir.filePath(QStringLiteral("log/munged.log"));
}

QString SlurmFixture::logs() const
{
    QString s;
    for (const QString& name : {QStringLiteral("slurmctld.stderr"), QStringLiteral("slurmctld.log"),
                                QStringLiteral("slurmd.stderr"), QStringLiteral("slurmd.log"),
                                QStringLiteral("munged.log")})
        s += fileTail(m_dir.filePath(QStringLiteral("log/") + name), 8 * 1024);
    return s;
}

bool SlurmFixture::logsMention(const QByteArray& text) const
{
    for (const QString& name : {QStringLiteral("slurmctld.stderr"), QStringLiteral("slurmctld.log"),
                                QStringLiteral("slurmd.stderr"), QStringLiteral("slurmd.log")}) {
        QFile f(m_dir.filePath(QStringLiteral("log/") + name));
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(text))
            return true;
    }
    return false;
}

bool SlurmFixture::fail(const QString& message)
{
    m_error = QStringLiteral("SlurmFixture (%1): %2\n%3").arg(m_dir.path(), message, logs());
    qWarning("%s", qPrintable(m_error));
    return false;
}

QProcessEnvironment SlurmFixture::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLURM_CONF"), slurmConfPath());
    return env;
}

QMap<QString, QString> SlurmFixture::sessionEnvironment() const
{
    return {{QStringLiteral("SLURM_CONF"), slurmConfPath()}};
}

ProcessResult SlurmFixture::run(const QString& program, const QStringList& args, int timeoutMs) const
{
    return runProcess(program, args, environment(), timeoutMs);
}

QString SlurmFixture::nodeState() const
{
    const ProcessResult r = run(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-N"),
                                                          QStringLiteral("-n"), QStringLiteral("localhost"),
                                                          QStringLiteral("-o"), QStringLiteral("%T")},
                                10000);
    return r.ok() ? QString::fromLocal8Bit(r.out).trimmed() : QString();
}

QString SlurmFixture::jobState(const QString& jobId) const
{
    const ProcessResult r = run(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("job"),
                                                             QStringLiteral("-o"), jobId},
                                10000);
    static const QRegularExpression re(QStringLiteral("\\bJobState=(\\S+)"));
    const QRegularExpressionMatch m = re.match(QString::fromLocal8Bit(r.out));
    return r.ok() && m.hasMatch() ? m.captured(1) : QString();
}

bool SlurmFixture::isRunning() const
{
    return m_munged && m_munged->isRunning() && m_ctld && m_ctld->isRunning() && m_slurmd && m_slurmd->isRunning();
}

bool SlurmFixture::prepare()
{
    if (m_prepared)
        return true;
    if (!m_dir.isValid())
        return fail(m_dir.errorString());
    if (::geteuid() != 0)
        return fail(QStringLiteral("needs root (SlurmUser=root, jobs of any user)"));
    for (const QString& tool : {kMunged, kSlurmctld, kSlurmd, QStringLiteral("/usr/bin/sbatch"),
                                QStringLiteral("/usr/bin/munge")}) {
        if (!QFile::exists(tool))
            return fail(tool + QStringLiteral(" is missing: install slurm-wlm and munge"));
    }
    m_cpus = m_options.cpus > 0 ? m_options.cpus : qMax(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
    // munged insists: key directory private, socket directory traversable by all.
    if (!makeDir(m_dir.filePath(QStringLiteral("munge")), kDir0700)
        || !makeDir(m_dir.filePath(QStringLiteral("run")), kDir0755)
        || !makeDir(m_dir.filePath(QStringLiteral("log")), kDir0755)
        || !makeDir(m_dir.filePath(QStringLiteral("state")), kDir0755)
        || !makeDir(m_dir.filePath(QStringLiteral("spool")), kDir0755))
        return fail(QStringLiteral("cannot create the fixture's directories"));
    const QString key = m_dir.filePath(QStringLiteral("munge/munge.key"));
    if (QFile::exists(kMungekey)) {
        const ProcessResult r = runProcess(kMungekey, {QStringLiteral("--create"), QStringLiteral("--keyfile=") + key});
        if (!r.ok())
            return fail(QStringLiteral("cannot create the munge key: ") + r.describe());
    } else {
        // munge < 0.5.14 has no mungekey: 1 KiB of random bytes is what create-munge-key wrote.
        QByteArray bytes;
        for (int i = 0; i < 1024; ++i)
            bytes.append(static_cast<char>(QRandomGenerator::system()->bounded(256)));
        QFile f(key);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()
            || !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner))
            return fail(QStringLiteral("cannot write the munge key ") + key);
    }
    if (!writeTextFile(m_dir.filePath(QStringLiteral("plugstack.conf")), QString(), 0644))
        return fail(QStringLiteral("cannot write plugstack.conf"));
    QString error;
    if (!m_ctldPort.reserve(&error) || !m_slurmdPort.reserve(&error))
        return fail(error);
    m_daemonEnv = QProcessEnvironment::systemEnvironment();
    m_daemonEnv.insert(QStringLiteral("SLURM_CONF"), slurmConfPath());
    m_daemonEnv.insert(QString::fromLatin1(kFixtureMarkerVariable), m_dir.path());
    if (!writeConfig())
        return false;
    m_prepared = true;
    return true;
}

bool SlurmFixture::writeConfig()
{
    QString text = QString::fromLatin1(kSlurmConfTemplate);
    const QMap<QString, QString> fields{
        {QStringLiteral("CTLD_PORT"), QString::number(controllerPort())},
        {QStringLiteral("SLURMD_PORT"), QString::number(nodePort())},
        {QStringLiteral("MUNGE_SOCKET"), mungeSocketPath()},
        {QStringLiteral("STATE_DIR"), m_dir.filePath(QStringLiteral("state"))},
        {QStringLiteral("SPOOL_DIR"), m_dir.filePath(QStringLiteral("spool"))},
        {QStringLiteral("RUN_DIR"), m_dir.filePath(QStringLiteral("run"))},
        {QStringLiteral("LOG_DIR"), m_dir.filePath(QStringLiteral("log"))},
        {QStringLiteral("DIR"), m_dir.path()},
        {QStringLiteral("CPUS"), QString::number(m_cpus)},
        {QStringLiteral("EXTRA_LINES"), m_options.extraConfigLines.join(QLatin1Char('\n'))},
    };
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        text.replace(QStringLiteral("{{%1}}").arg(it.key()), it.value());
    if (m_options.jobsPerUserPerHour > 0) {
        // One SchedulerParameters line: a second one would not add to the first.
        const QString schedulerLine = QStringLiteral("\nSchedulerParameters=");
        if (!text.contains(schedulerLine))
            return fail(QStringLiteral("the slurm.conf template has no SchedulerParameters line"));
        text.replace(schedulerLine, schedulerLine + QStringLiteral("jobs_per_user_per_hour=%1,").arg(m_options.jobsPerUserPerHour));
        text += QStringLiteral("\nJobSubmitPlugins=throttle\n");
    }
    if (!writeTextFile(slurmConfPath(), text, 0644))
        return fail(QStringLiteral("cannot write ") + slurmConfPath());
    return true;
}

bool SlurmFixture::startMunge()
{
    const QString dir = m_dir.path();
    m_munged = std::make_unique<DaemonProcess>(
        QStringLiteral("munged"), kMunged,
        QStringList{QStringLiteral("--foreground"), QStringLiteral("--socket=") + mungeSocketPath(),
                    QStringLiteral("--key-file=") + dir + QStringLiteral("/munge/munge.key"),
                    QStringLiteral("--pid-file=") + dir + QStringLiteral("/run/munged.pid"),
                    QStringLiteral("--seed-file=") + dir + QStringLiteral("/munge/munged.seed"),
                    QStringLiteral("--log-file=") + mungeLogPath(), QStringLiteral("--num-threads=4")},
        mungeLogPath());
    m_munged->setEnvironment(m_daemonEnv);
    if (!m_munged->start())
        return fail(m_munged->errorString());
    ProcessResult last;
    const bool up = waitUntil(
        [&] {
            if (!m_munged->isRunning())
                return true;
            if (!QFile::exists(mungeSocketPath()))
                return false;
            last = runProcess(QStringLiteral("munge"), {QStringLiteral("-n"), QStringLiteral("-S"), mungeSocketPath()},
                              {}, 5000);
            return last.ok();
        },
        kMungeTimeoutMs, 50);
    if (up && m_munged->isRunning())
        return true;
    return fail(m_munged->isRunning() ? QStringLiteral("munged does not answer on %1: %2")
                                            .arg(mungeSocketPath(), last.describe())
                                      : m_munged->exitDescription());
}

bool SlurmFixture::startController()
{
    m_error.clear();
    if (!m_prepared)
        return fail(QStringLiteral("startController() before start()"));
    if (m_ctld && m_ctld->isRunning())
        return true;
    m_ctld = std::make_unique<DaemonProcess>(
        QStringLiteral("slurmctld"), kSlurmctld,
        QStringList{QStringLiteral("-D"), QStringLiteral("-f"), slurmConfPath()},
        m_dir.filePath(QStringLiteral("log/slurmctld.stderr")));
    m_ctld->setEnvironment(m_daemonEnv);
    if (!m_ctld->start())
        return fail(m_ctld->errorString());
    ProcessResult last;
    const bool up = waitUntil(
        [&] {
            if (!m_ctld->isRunning())
                return true;
            last = run(QStringLiteral("scontrol"), {QStringLiteral("ping")}, 10000);
            return last.ok() && last.out.contains("is UP");
        },
        kControllerTimeoutMs, 100);
    if (!up || !m_ctld->isRunning()) {
        const QString why = m_ctld->isRunning()
            ? QStringLiteral("slurmctld not UP within %1 ms: %2").arg(kControllerTimeoutMs).arg(last.describe())
            : m_ctld->exitDescription();
        m_ctld->kill();
        return fail(why);
    }
    // After a restart the node must be responding again before tests go on ("idle*" means not).
    if (m_slurmd && m_slurmd->isRunning()) {
        QString state;
        const bool back = waitUntil(
            [&] {
                state = nodeState();
                return !state.isEmpty() && !state.endsWith(QLatin1Char('*')) && state != QLatin1String("unknown");
            },
            kNodeTimeoutMs, 100);
        if (!back)
            return fail(QStringLiteral("node not responding after slurmctld started (state \"%1\")").arg(state));
    }
    return true;
}

bool SlurmFixture::stopController()
{
    if (!m_ctld)
        return true;
    const bool wasRunning = m_ctld->isRunning();
    const qint64 pid = m_ctld->pid();
    const QList<ProcessRef> helpers = wasRunning ? processDescendants(pid) : QList<ProcessRef>{};
    m_ctld->stop(kControllerStopGraceMs);
    m_ctld.reset();
    // slurmscriptd normally leaves with slurmctld; make sure.
    killProcesses(helpers);
    return true;
}

bool SlurmFixture::startNode()
{
    m_error.clear();
    if (!m_prepared)
        return fail(QStringLiteral("startNode() before start()"));
    if (m_slurmd && m_slurmd->isRunning())
        return true;
    m_slurmd = std::make_unique<DaemonProcess>(
        QStringLiteral("slurmd"), kSlurmd,
        QStringList{QStringLiteral("-D"), QStringLiteral("-N"), QStringLiteral("localhost"), QStringLiteral("-f"),
                    slurmConfPath()},
        m_dir.filePath(QStringLiteral("log/slurmd.stderr")));
    m_slurmd->setEnvironment(m_daemonEnv);
    if (!m_slurmd->start())
        return fail(m_slurmd->errorString());
    QString state;
    static const QRegularExpression usable(QStringLiteral("^(idle|mixed|allocated|completing)$"));
    const bool up = waitUntil(
        [&] {
            if (!m_slurmd->isRunning())
                return true;
            state = nodeState();
            return usable.match(state).hasMatch();
        },
        kNodeTimeoutMs, 100);
    if (!up || !m_slurmd->isRunning()) {
        const QString why = m_slurmd->isRunning()
            ? QStringLiteral("node not idle within %1 ms (sinfo state \"%2\")").arg(kNodeTimeoutMs).arg(state)
            : m_slurmd->exitDescription();
        m_slurmd->kill();
        return fail(why);
    }
    return true;
}

bool SlurmFixture::stopNode()
{
    if (m_slurmd) {
        m_slurmd->stop(10000);
        m_slurmd.reset();
    }
    return true;
}

bool SlurmFixture::startAll()
{
    QElapsedTimer t;
    t.start();
    m_startupTimings.clear();
    const auto phase = [&](const char* name) {
        m_startupTimings += QStringLiteral("%1 %2 ms, ").arg(QLatin1String(name)).arg(t.restart());
    };
    if (!startMunge())
        return false;
    phase("munged");
    if (!startController())
        return false;
    phase("slurmctld");
    if (!startNode())
        return false;
    phase("slurmd (node idle)");
    if (!m_options.verifyWithJob)
        return true;
    const ProcessResult submit = run(QStringLiteral("sbatch"),
                                     {QStringLiteral("--parsable"), QStringLiteral("--job-name=sweepline-fixture-check"),
                                      QStringLiteral("--chdir=") + m_dir.path(), QStringLiteral("--output=/dev/null"),
                                      QStringLiteral("--wrap=true")},
                                     30000);
    if (!submit.ok())
        return fail(QStringLiteral("the check job was not accepted: ") + submit.describe());
    const QString jobId = QString::fromLocal8Bit(submit.out).trimmed().section(QLatin1Char(';'), 0, 0);
    QString state;
    static const QRegularExpression pendingOrRunning(QStringLiteral("^(PENDING|CONFIGURING|RUNNING|COMPLETING|)$"));
    waitUntil(
        [&] {
            state = jobState(jobId);
            return !pendingOrRunning.match(state).hasMatch();
        },
        kCheckJobTimeoutMs, 100);
    if (state != QLatin1String("COMPLETED")) {
        const ProcessResult show = run(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("job"), jobId});
        return fail(QStringLiteral("the check job %1 did not complete within %2 ms (state \"%3\")\n%4")
                        .arg(jobId).arg(kCheckJobTimeoutMs).arg(state, QString::fromLocal8Bit(show.out)));
    }
    phase("check job");
    m_startupTimings.chop(2);
    return true;
}

bool SlurmFixture::start()
{
    m_error.clear();
    if (isRunning())
        return true;
    const bool firstStart = !m_prepared;
    if (!prepare())
        return false;
    for (int attempt = 0;; ++attempt) {
        if (startAll())
            return true;
        const QString error = m_error;
        const bool portConflict = logsMention("Address already in use");
        stop();
        m_error = error;
        if (!firstStart || !portConflict || attempt >= 1)
            return false;
        // A process outside the fixtures took one of the ports: choose new ones and try again.
        QString reserveError;
        if (!m_ctldPort.reserve(&reserveError) || !m_slurmdPort.reserve(&reserveError) || !writeConfig())
            return fail(reserveError);
    }
}

void SlurmFixture::stop()
{
    // Fast and complete: state is not kept (stopController() is the graceful one).
    if (m_slurmd)
        m_slurmd->kill();
    if (m_ctld)
        m_ctld->kill();
    if (m_munged)
        m_munged->kill();
    m_slurmd.reset();
    m_ctld.reset();
    m_munged.reset();
    // slurmstepd, jobs, slurmscriptd: everything carrying SLURM_CONF or the marker of this directory.
    if (m_dir.isValid())
        killFixtureProcesses(m_dir.path());
}

} // namespace sweepline::testing
