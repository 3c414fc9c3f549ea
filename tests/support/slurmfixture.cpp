#include "support/slurmfixture.h"

#include "fixturetemplates.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sweepline::testing {

namespace {

constexpr int kMungeTimeoutMs = 10000;
constexpr int kControllerTimeoutMs = 30000;
constexpr int kNodeTimeoutMs = 30000;
constexpr int kCheckJobTimeoutMs = 30000;
constexpr int kControllerStopGraceMs = 15000;

const QString kMunged = u"/usr/sbin/munged"_s;
const QString kSlurmctld = u"/usr/sbin/slurmctld"_s;
const QString kSlurmd = u"/usr/sbin/slurmd"_s;
const QString kMungekey = u"/usr/sbin/mungekey"_s;

bool makeDir(const QString& path, QFile::Permissions perms)
{
    return QDir().mkpath(path) && QFile::setPermissions(path, perms);
}

constexpr QFile::Permissions kDir0755 = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
    | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
constexpr QFile::Permissions kDir0700 = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;

} // namespace

SlurmFixture::SlurmFixture(SlurmOptions options) : m_options(std::move(options)), m_dir(u"slurm"_s)
{}

SlurmFixture::~SlurmFixture()
{
    stop();
}

QString SlurmFixture::slurmConfPath() const
{
    return m_dir.filePath(u"slurm.conf"_s);
}

QString SlurmFixture::mungeSocketPath() const
{
    return m_dir.filePath(u"run/munge.socket"_s);
}

QString SlurmFixture::controllerLogPath() const
{
    return m_dir.filePath(u"log/slurmctld.log"_s);
}

QString SlurmFixture::nodeLogPath() const
{
    return m_dir.filePath(u"log/slurmd.log"_s);
}

QString SlurmFixture::mungeLogPath() const
{
    return m_dir.filePath(u"log/munged.log"_s);
}

QString SlurmFixture::logs() const
{
    QString s;
    for (const QString& name :
         {u"slurmctld.stderr"_s, u"slurmctld.log"_s, u"slurmd.stderr"_s, u"slurmd.log"_s, u"munged.log"_s})
        s += fileTail(m_dir.filePath(u"log/"_s + name), qint64{8} * 1024);
    return s;
}

bool SlurmFixture::logsMention(const QByteArray& text) const
{
    for (const QString& name : {u"slurmctld.stderr"_s, u"slurmctld.log"_s, u"slurmd.stderr"_s, u"slurmd.log"_s}) {
        QFile f(m_dir.filePath(u"log/"_s + name));
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(text))
            return true;
    }
    return false;
}

bool SlurmFixture::fail(const QString& message)
{
    m_error = u"SlurmFixture (%1): %2\n%3"_s.arg(m_dir.path(), message, logs());
    qWarning("%s", qPrintable(m_error));
    return false;
}

QProcessEnvironment SlurmFixture::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"SLURM_CONF"_s, slurmConfPath());
    return env;
}

QMap<QString, QString> SlurmFixture::sessionEnvironment() const
{
    return {{u"SLURM_CONF"_s, slurmConfPath()}};
}

ProcessResult SlurmFixture::run(const QString& program, const QStringList& args, int timeoutMs) const
{
    return runProcess(program, args, environment(), timeoutMs);
}

QString SlurmFixture::nodeState() const
{
    const ProcessResult r = run(u"sinfo"_s, {u"-h"_s, u"-N"_s, u"-n"_s, u"localhost"_s, u"-o"_s, u"%T"_s}, 10000);
    return r.ok() ? QString::fromLocal8Bit(r.out).trimmed() : QString();
}

QString SlurmFixture::jobState(const QString& jobId) const
{
    const ProcessResult r = run(u"scontrol"_s, {u"show"_s, u"job"_s, u"-o"_s, jobId}, 10000);
    static const QRegularExpression re(u"\\bJobState=(\\S+)"_s);
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
        return fail(u"needs root (SlurmUser=root, jobs of any user)"_s);
    for (const QString& tool : {kMunged, kSlurmctld, kSlurmd, u"/usr/bin/sbatch"_s, u"/usr/bin/munge"_s}) {
        if (!QFile::exists(tool))
            return fail(tool + u" is missing: install slurm-wlm and munge"_s);
    }
    m_cpus = m_options.cpus > 0 ? m_options.cpus : qMax(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
    // munged insists: key directory private, socket directory traversable by all.
    if (!makeDir(m_dir.filePath(u"munge"_s), kDir0700) || !makeDir(m_dir.filePath(u"run"_s), kDir0755)
        || !makeDir(m_dir.filePath(u"log"_s), kDir0755) || !makeDir(m_dir.filePath(u"state"_s), kDir0755)
        || !makeDir(m_dir.filePath(u"spool"_s), kDir0755))
        return fail(u"cannot create the fixture's directories"_s);
    const QString key = m_dir.filePath(u"munge/munge.key"_s);
    if (QFile::exists(kMungekey)) {
        const ProcessResult r = runProcess(kMungekey, {u"--create"_s, u"--keyfile="_s + key});
        if (!r.ok())
            return fail(u"cannot create the munge key: "_s + r.describe());
    } else {
        // munge < 0.5.14 has no mungekey: 1 KiB of random bytes is what create-munge-key wrote.
        QByteArray bytes;
        for (int i = 0; i < 1024; ++i)
            bytes.append(static_cast<char>(QRandomGenerator::system()->bounded(256)));
        QFile f(key);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()
            || !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner))
            return fail(u"cannot write the munge key "_s + key);
    }
    if (!writeTextFile(m_dir.filePath(u"plugstack.conf"_s), QString(), 0644))
        return fail(u"cannot write plugstack.conf"_s);
    QString error;
    if (!m_ctldPort.reserve(&error) || !m_slurmdPort.reserve(&error))
        return fail(error);
    m_daemonEnv = QProcessEnvironment::systemEnvironment();
    m_daemonEnv.insert(u"SLURM_CONF"_s, slurmConfPath());
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
        {u"CTLD_PORT"_s, QString::number(controllerPort())},
        {u"SLURMD_PORT"_s, QString::number(nodePort())},
        {u"MUNGE_SOCKET"_s, mungeSocketPath()},
        {u"STATE_DIR"_s, m_dir.filePath(u"state"_s)},
        {u"SPOOL_DIR"_s, m_dir.filePath(u"spool"_s)},
        {u"RUN_DIR"_s, m_dir.filePath(u"run"_s)},
        {u"LOG_DIR"_s, m_dir.filePath(u"log"_s)},
        {u"DIR"_s, m_dir.path()},
        {u"CPUS"_s, QString::number(m_cpus)},
        {u"EXTRA_LINES"_s, m_options.extraConfigLines.join(u'\n')},
    };
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        text.replace(u"{{%1}}"_s.arg(it.key()), it.value());
    if (m_options.jobsPerUserPerHour > 0) {
        // One SchedulerParameters line: a second one would not add to the first.
        const QString schedulerLine = u"\nSchedulerParameters="_s;
        if (!text.contains(schedulerLine))
            return fail(u"the slurm.conf template has no SchedulerParameters line"_s);
        text.replace(schedulerLine, schedulerLine + u"jobs_per_user_per_hour=%1,"_s.arg(m_options.jobsPerUserPerHour));
        text += u"\nJobSubmitPlugins=throttle\n"_s;
    }
    if (!writeTextFile(slurmConfPath(), text, 0644))
        return fail(u"cannot write "_s + slurmConfPath());
    return true;
}

bool SlurmFixture::startMunge()
{
    const QString dir = m_dir.path();
    m_munged = std::make_unique<DaemonProcess>(u"munged"_s, kMunged,
                                               QStringList{u"--foreground"_s, u"--socket="_s + mungeSocketPath(),
                                                           u"--key-file="_s + dir + u"/munge/munge.key"_s,
                                                           u"--pid-file="_s + dir + u"/run/munged.pid"_s,
                                                           u"--seed-file="_s + dir + u"/munge/munged.seed"_s,
                                                           u"--log-file="_s + mungeLogPath(), u"--num-threads=4"_s},
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
            last = runProcess(u"munge"_s, {u"-n"_s, u"-S"_s, mungeSocketPath()}, {}, 5000);
            return last.ok();
        },
        kMungeTimeoutMs, 50);
    if (up && m_munged->isRunning())
        return true;
    return fail(m_munged->isRunning() ? u"munged does not answer on %1: %2"_s.arg(mungeSocketPath(), last.describe())
                                      : m_munged->exitDescription());
}

bool SlurmFixture::startController()
{
    m_error.clear();
    if (!m_prepared)
        return fail(u"startController() before start()"_s);
    if (m_ctld && m_ctld->isRunning())
        return true;
    m_ctld = std::make_unique<DaemonProcess>(u"slurmctld"_s, kSlurmctld, QStringList{u"-D"_s, u"-f"_s, slurmConfPath()},
                                             m_dir.filePath(u"log/slurmctld.stderr"_s));
    m_ctld->setEnvironment(m_daemonEnv);
    if (!m_ctld->start())
        return fail(m_ctld->errorString());
    ProcessResult last;
    const bool up = waitUntil(
        [&] {
            if (!m_ctld->isRunning())
                return true;
            last = run(u"scontrol"_s, {u"ping"_s}, 10000);
            return last.ok() && last.out.contains("is UP");
        },
        kControllerTimeoutMs, 100);
    if (!up || !m_ctld->isRunning()) {
        const QString why = m_ctld->isRunning()
            ? u"slurmctld not UP within %1 ms: %2"_s.arg(kControllerTimeoutMs).arg(last.describe())
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
                return !state.isEmpty() && !state.endsWith(u'*') && state != u"unknown"_s;
            },
            kNodeTimeoutMs, 100);
        if (!back)
            return fail(u"node not responding after slurmctld started (state \"%1\")"_s.arg(state));
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
        return fail(u"startNode() before start()"_s);
    if (m_slurmd && m_slurmd->isRunning())
        return true;
    m_slurmd = std::make_unique<DaemonProcess>(u"slurmd"_s, kSlurmd,
                                               QStringList{u"-D"_s, u"-N"_s, u"localhost"_s, u"-f"_s, slurmConfPath()},
                                               m_dir.filePath(u"log/slurmd.stderr"_s));
    m_slurmd->setEnvironment(m_daemonEnv);
    if (!m_slurmd->start())
        return fail(m_slurmd->errorString());
    QString state;
    static const QRegularExpression usable(u"^(idle|mixed|allocated|completing)$"_s);
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
            ? u"node not idle within %1 ms (sinfo state \"%2\")"_s.arg(kNodeTimeoutMs).arg(state)
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
        m_startupTimings += u"%1 %2 ms, "_s.arg(QLatin1String(name)).arg(t.restart());
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
    const ProcessResult submit = run(u"sbatch"_s,
                                     {u"--parsable"_s, u"--job-name=sweepline-fixture-check"_s,
                                      u"--chdir="_s + m_dir.path(), u"--output=/dev/null"_s, u"--wrap=true"_s},
                                     30000);
    if (!submit.ok())
        return fail(u"the check job was not accepted: "_s + submit.describe());
    const QString jobId = QString::fromLocal8Bit(submit.out).trimmed().section(u';', 0, 0);
    QString state;
    static const QRegularExpression pendingOrRunning(u"^(PENDING|CONFIGURING|RUNNING|COMPLETING|)$"_s);
    waitUntil(
        [&] {
            state = jobState(jobId);
            return !pendingOrRunning.match(state).hasMatch();
        },
        kCheckJobTimeoutMs, 100);
    if (state != u"COMPLETED"_s) {
        const ProcessResult show = run(u"scontrol"_s, {u"show"_s, u"job"_s, jobId});
        return fail(u"the check job %1 did not complete within %2 ms (state \"%3\")\n%4"_s.arg(jobId)
                        .arg(kCheckJobTimeoutMs)
                        .arg(state, QString::fromLocal8Bit(show.out)));
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
