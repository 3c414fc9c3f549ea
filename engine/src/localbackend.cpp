#include "engine/localbackend.h"

#include "engine/folderclaim.h"
#include "engine/jobscript.h"
#include "localprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sweepline::engine {

namespace lp = localprocess;

struct LocalBackend::Watch {
    qint64 trialId = 0;
    pid_t pid = 0;
    bool isChild = false; // started by this process, so waitpid() can reap it
    QString runDirectory;
    int pidFd = -1;
    std::unique_ptr<QSocketNotifier> exitNotifier;
    std::unique_ptr<QTimer> limitTimer;
    std::unique_ptr<QTimer> killTimer;
    QString stopReason; // set when we ended the job: time limit or cancel

    ~Watch()
    {
        exitNotifier.reset();
        if (pidFd >= 0)
            ::close(pidFd);
    }
};

namespace {

QString pathIn(const QString& dir, const char* name)
{
    return QDir(dir).filePath(QLatin1String(name));
}

model::Status writeRunDirectory(const JobRequest& request)
{
    using model::Status;
    QDir dir(request.runDirectory);
    if (!dir.mkpath(u"."_s))
        return Status::failure(u"cannot create %1"_s.arg(request.runDirectory));
    for (const QString& input : request.inputFiles) {
        const QString target = dir.filePath(QFileInfo(input).fileName());
        QFile::remove(target);
        if (!QFile::copy(input, target))
            return Status::failure(u"cannot copy %1 to %2"_s.arg(input, target));
    }
    QSaveFile script(pathIn(request.runDirectory, runfiles::script));
    JobScriptInput input = request.script;
    input.runDirectory = request.runDirectory;
    if (!script.open(QIODevice::WriteOnly) || script.write(renderJobScript(input).toUtf8()) < 0 || !script.commit())
        return Status::failure(u"cannot write %1: %2"_s.arg(script.fileName(), script.errorString()));
    QFile::setPermissions(script.fileName(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup);
    return model::success();
}

} // namespace

LocalBackend::LocalBackend(QObject* parent) : JobBackend(parent), m_pollTimer(new QTimer(this))
{
    // The pidfd reports exits at once; this slow poll only covers kernels without pidfds.
    m_pollTimer->setInterval(1000);
    connect(m_pollTimer, &QTimer::timeout, this, &LocalBackend::pollAll);
}

LocalBackend::~LocalBackend()
{
    detachAll();
}

void LocalBackend::submit(const JobRequest& request)
{
    const qint64 id = request.trialId;
    // The run folder lives in the store, but a store made anew beside old run folders must not
    // adopt their files: only a folder marked with this trial's token (or a new one) is used.
    if (auto claimed = claimLocalFolder({request.runDirectory, request.token}); !claimed) {
        emit submitFailed(id, claimed.error());
        return;
    }
    // A pid file means this trial was launched before: never launch it twice.
    if (QFile::exists(pathIn(request.runDirectory, runfiles::pid))) {
        track({id,
               request.token,
               request.runDirectory,
               {},
               request.timeLimitSeconds,
               {},
               request.storeId,
               request.attempt});
        return;
    }
    if (auto written = writeRunDirectory(request); !written) {
        emit submitFailed(id, written.error());
        return;
    }
    auto pid = lp::spawnScript(pathIn(request.runDirectory, runfiles::script), request.runDirectory);
    if (!pid) {
        emit submitFailed(id, pid.error());
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    emit submitted(id, QString::number(pid.value()), now);
    emit started(id, now);
    watch(id, pid.value(), true, request.runDirectory, request.timeLimitSeconds, now);
}

void LocalBackend::track(const TrackedJob& job)
{
    const qint64 id = job.trialId;
    const QString dir = job.runDirectory;
    auto pid = lp::readPidFile(pathIn(dir, runfiles::pid));
    // Between its launch and its first line the script has not written its pid file yet.
    if (!pid && job.jobId.toInt() > 0 && lp::isAliveIn(pid_t(job.jobId.toInt()), dir))
        pid = pid_t(job.jobId.toInt());
    const bool hasExitCode = QFile::exists(pathIn(dir, runfiles::exitCode));
    if (!pid && !hasExitCode) {
        emit notSubmitted(id, u"the job never started: no %1 in %2"_s.arg(QLatin1String(runfiles::pid), dir));
        return;
    }
    const QString jobId = pid ? QString::number(*pid) : job.jobId;
    const QDateTime startedAt = job.startedAt.isValid() ? job.startedAt
        : QFileInfo::exists(pathIn(dir, runfiles::pid)) ? QFileInfo(pathIn(dir, runfiles::pid)).lastModified().toUTC()
                                                        : QDateTime::currentDateTimeUtc();
    if (job.jobId.isEmpty())
        emit submitted(id, jobId, startedAt);
    if (!job.startedAt.isValid())
        emit started(id, startedAt);
    if (!hasExitCode && pid && lp::isAliveIn(*pid, dir)) {
        watch(id, *pid, false, dir, job.timeLimitSeconds, startedAt);
        return;
    }
    JobEnd end;
    const ExitRecord record = readExitCodeFile(pathIn(dir, runfiles::exitCode));
    end.exitCode = record.exitCode;
    if (!end.exitCode)
        end.reason = u"the job's process is gone and left no exit code"_s;
    end.stdoutPath = pathIn(dir, runfiles::stdoutFile);
    end.finishedAt = QFileInfo::exists(pathIn(dir, runfiles::exitCode))
        ? QFileInfo(pathIn(dir, runfiles::exitCode)).lastModified().toUTC()
        : QDateTime::currentDateTimeUtc();
    takeScriptTimes(end, record);
    emit finished(id, end);
}

void LocalBackend::watch(qint64 trialId, pid_t pid, bool isChild, const QString& runDirectory,
                         std::optional<qint64> timeLimitSeconds, const QDateTime& startedAt)
{
    auto w = std::make_shared<Watch>();
    w->trialId = trialId;
    w->pid = pid;
    w->isChild = isChild;
    w->runDirectory = runDirectory;
    w->pidFd = lp::openPidFd(pid);
    if (w->pidFd >= 0) {
        w->exitNotifier = std::make_unique<QSocketNotifier>(w->pidFd, QSocketNotifier::Read);
        connect(w->exitNotifier.get(), &QSocketNotifier::activated, this, [this, trialId] { checkExited(trialId); });
    }
    if (timeLimitSeconds) {
        const qint64 elapsedMs = startedAt.msecsTo(QDateTime::currentDateTimeUtc());
        const qint64 remainingMs = std::max<qint64>(0, *timeLimitSeconds * 1000 - elapsedMs);
        w->limitTimer = std::make_unique<QTimer>();
        w->limitTimer->setSingleShot(true);
        w->limitTimer->setTimerType(Qt::PreciseTimer);
        connect(w->limitTimer.get(), &QTimer::timeout, this, [this, trialId, limit = *timeLimitSeconds] {
            stop(trialId, u"killed after exceeding the time limit of %1"_s.arg(formatDuration(limit)));
        });
        w->limitTimer->start(int(std::min<qint64>(remainingMs, std::numeric_limits<int>::max())));
    }
    m_watches.insert(trialId, w);
    if (!m_pollTimer->isActive())
        m_pollTimer->start();
    checkExited(trialId); // it may have ended before the notifier existed
}

void LocalBackend::stop(qint64 trialId, const QString& reason)
{
    auto w = m_watches.value(trialId);
    if (!w || w->killTimer)
        return;
    w->stopReason = reason;
    lp::signalGroup(w->pid, SIGTERM);
    w->killTimer = std::make_unique<QTimer>();
    w->killTimer->setSingleShot(true);
    connect(w->killTimer.get(), &QTimer::timeout, this, [this, trialId] {
        if (auto still = m_watches.value(trialId))
            lp::signalGroup(still->pid, SIGKILL);
    });
    w->killTimer->start(m_graceMs);
}

void LocalBackend::cancel(qint64 trialId)
{
    stop(trialId, u"cancelled"_s);
}

void LocalBackend::checkExited(qint64 trialId)
{
    auto w = m_watches.value(trialId);
    if (!w)
        return;
    std::optional<int> signal;
    if (w->isChild) {
        bool reaped = false;
        signal = lp::reapChild(w->pid, &reaped);
        if (!reaped)
            return;
    } else if (lp::isAliveIn(w->pid, w->runDirectory)) {
        return;
    }
    finish(trialId, signal);
}

void LocalBackend::finish(qint64 trialId, std::optional<int> signalNumber)
{
    auto w = m_watches.take(trialId);
    if (m_watches.isEmpty())
        m_pollTimer->stop();
    // A stopped job's background processes outlive its script in the same group: they go too.
    if (!w->stopReason.isEmpty())
        lp::signalGroup(w->pid, SIGKILL);

    const QString pidPath = pathIn(w->runDirectory, runfiles::pid);
    const auto recordedPid = lp::readPidFile(pidPath);
    if (recordedPid && *recordedPid != w->pid && lp::isAliveIn(*recordedPid, w->runDirectory)) {
        // Our launch lost the race to an earlier launch of the same trial: watch the one that runs.
        watch(trialId, *recordedPid, false, w->runDirectory, std::nullopt, QDateTime::currentDateTimeUtc());
        return;
    }

    JobEnd end;
    end.finishedAt = QDateTime::currentDateTimeUtc();
    end.stdoutPath = pathIn(w->runDirectory, runfiles::stdoutFile);
    const ExitRecord record = readExitCodeFile(pathIn(w->runDirectory, runfiles::exitCode));
    end.exitCode = record.exitCode;
    takeScriptTimes(end, record);
    end.cancelled = w->stopReason == u"cancelled"_s
        || QFileInfo::exists(QDir(w->runDirectory).filePath(QLatin1String(kCancelMarker)));
    if (!w->stopReason.isEmpty())
        end.reason = w->stopReason;
    else if (end.cancelled)
        end.reason = u"cancelled"_s;
    else if (!end.exitCode && signalNumber)
        end.reason = u"the job was killed by %1"_s.arg(lp::signalName(*signalNumber));
    else if (!end.exitCode)
        end.reason = u"the job ended without writing its exit code"_s;
    emit finished(trialId, end);
}

void LocalBackend::pollAll()
{
    const auto ids = m_watches.keys();
    for (qint64 id : ids)
        checkExited(id);
}

void LocalBackend::detachAll()
{
    m_watches.clear();
    m_pollTimer->stop();
}

// ISSUE12-PLACEHOLDER: replaced by the real implementation in this work.
void LocalBackend::followOutput(qint64 trialId, qint64 fromOffset)
{
    Q_UNUSED(trialId);
    Q_UNUSED(fromOffset);
}

} // namespace sweepline::engine
