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

LocalBackend::LocalBackend(QObject* parent)
    : JobBackend(parent),
      m_pollTimer(new QTimer(this)),
      m_followTimer(new QTimer(this))
{
    // The pidfd reports exits at once; this slow poll only covers kernels without pidfds.
    m_pollTimer->setInterval(1000);
    connect(m_pollTimer, &QTimer::timeout, this, &LocalBackend::pollAll);
    // A quarter second: a stop decision lands well within an epoch (seconds to hours), for one
    // stat() per followed job per check, which costs microseconds.
    m_followTimer->setInterval(250);
    connect(m_followTimer, &QTimer::timeout, this, &LocalBackend::followAll);
}

void LocalBackend::setOutputFollowing(int intervalMs, qint64 maxBytesPerCheck)
{
    m_followTimer->setInterval(intervalMs);
    m_followChunkBytes = std::max<qint64>(1, maxBytesPerCheck);
}

LocalBackend::~LocalBackend()
{
    detachAll();
}

void LocalBackend::submit(const JobRequest& request)
{
    const qint64 id = request.trialId;
    attachFollow(id, request.runDirectory);
    // The run folder lives in the store, but a store made anew beside old run folders must not
    // adopt their files: only a folder marked with this trial's token (or a new one) is used.
    if (auto claimed = claimLocalFolder({request.runDirectory, request.token}); !claimed) {
        dropFollow(id);
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
        dropFollow(id);
        emit submitFailed(id, written.error());
        return;
    }
    auto pid = lp::spawnScript(pathIn(request.runDirectory, runfiles::script), request.runDirectory);
    if (!pid) {
        dropFollow(id);
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
    attachFollow(id, dir);
    auto pid = lp::readPidFile(pathIn(dir, runfiles::pid));
    // Between its launch and its first line the script has not written its pid file yet.
    if (!pid && job.jobId.toInt() > 0 && lp::isAliveIn(pid_t(job.jobId.toInt()), dir))
        pid = pid_t(job.jobId.toInt());
    const bool hasExitCode = QFile::exists(pathIn(dir, runfiles::exitCode));
    if (!pid && !hasExitCode) {
        dropFollow(id);
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
    endFollowed(id, end);
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
    endFollowed(trialId, end);
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
    // A job whose end waited for its output is left for the next run's track(), like the rest.
    m_follows.clear();
    m_followTimer->stop();
}

void LocalBackend::followOutput(qint64 trialId, qint64 fromOffset)
{
    Follow follow;
    follow.offset = std::max<qint64>(0, fromOffset);
    if (const auto w = m_watches.value(trialId))
        follow.path = pathIn(w->runDirectory, runfiles::stdoutFile);
    if (const auto earlier = m_follows.constFind(trialId); earlier != m_follows.constEnd() && earlier->ending) {
        follow.path = earlier->path; // the job has ended: its finished() still waits for this output
        follow.ending = earlier->ending;
    }
    m_follows.insert(trialId, follow);
    if (!follow.path.isEmpty() && !m_followTimer->isActive())
        m_followTimer->start();
}

void LocalBackend::attachFollow(qint64 trialId, const QString& runDirectory)
{
    const auto it = m_follows.find(trialId);
    if (it == m_follows.end())
        return;
    it->path = pathIn(runDirectory, runfiles::stdoutFile);
    if (!m_followTimer->isActive())
        m_followTimer->start();
}

void LocalBackend::dropFollow(qint64 trialId)
{
    m_follows.remove(trialId);
    if (m_follows.isEmpty())
        m_followTimer->stop();
}

bool LocalBackend::readFollowed(qint64 trialId)
{
    const auto it = m_follows.find(trialId);
    if (it == m_follows.end() || it->path.isEmpty())
        return true;
    // The size check is all a quiet job costs; the file is opened only when it grew.
    const qint64 size = QFileInfo(it->path).size();
    if (size <= it->offset)
        return true;
    QFile file(it->path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(it->offset))
        return true; // gone or unreadable for now: the next check tries again
    const QByteArray bytes = file.read(std::min(size - it->offset, m_followChunkBytes));
    if (bytes.isEmpty())
        return true;
    const qint64 at = it->offset;
    it->offset += bytes.size();
    const bool reachedEnd = it->offset >= size;
    // Last: a receiver may cancel, detach or follow anew, which changes m_follows.
    emit outputArrived(trialId, at, bytes);
    return reachedEnd;
}

void LocalBackend::followAll()
{
    const auto ids = m_follows.keys();
    for (qint64 id : ids) {
        const auto it = m_follows.constFind(id);
        if (it != m_follows.constEnd() && !it->ending)
            readFollowed(id);
    }
    if (m_follows.isEmpty())
        m_followTimer->stop();
}

void LocalBackend::endFollowed(qint64 trialId, const JobEnd& end)
{
    const auto it = m_follows.find(trialId);
    if (it == m_follows.end()) {
        emit finished(trialId, end);
        return;
    }
    it->ending = end;
    drainThenFinish(trialId);
}

// The rest of an ended job's output goes out in bounded reads, one per turn of the event loop, and
// finished() after the last of them.
void LocalBackend::drainThenFinish(qint64 trialId)
{
    if (!m_follows.contains(trialId))
        return; // detached meanwhile
    if (!readFollowed(trialId)) {
        QTimer::singleShot(0, this, [this, trialId] { drainThenFinish(trialId); });
        return;
    }
    const auto it = m_follows.constFind(trialId);
    if (it == m_follows.constEnd() || !it->ending)
        return;                                    // detached by a receiver of the last bytes
    if (QFileInfo(it->path).size() > it->offset) { // followed anew from an earlier offset
        QTimer::singleShot(0, this, [this, trialId] { drainThenFinish(trialId); });
        return;
    }
    const JobEnd end = *it->ending;
    dropFollow(trialId);
    emit finished(trialId, end);
}

} // namespace sweepline::engine
