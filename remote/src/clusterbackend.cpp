#include "remote/clusterbackend.h"

#include "engine/threadstop.h"
#include "remote/folderclaim.h"
#include "remote/schedulers/adapterbase.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <chrono>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

namespace {

constexpr int kAbsentPollsBeforeGivingUp = 10;    // the scheduler forgot the job and no exit code came
constexpr int kTerminalPollsBeforeCollecting = 2; // a shared file system may show the exit code late
constexpr int kMaxBackoffMs = 5 * 60 * 1000;
constexpr int kMorePollMs = 1000; // the next poll after one that brought a full 64 KiB of a job's output
// How long closing waits for the SSH thread: well under the session timeout a stalled call may take.
constexpr std::chrono::milliseconds kWorkerStopDeadline(2000);
// Files that travel inside the request file, written by the helper: no SFTP round trip per file.
// Larger ones, or ones holding a NUL, go over SFTP; the cap per request bounds the helper's memory.
constexpr qsizetype kMaxPutFile = qsizetype(1) << 20;
constexpr qsizetype kMaxPutPerRequest = qsizetype(32) << 20;

QString joinPath(const QString& a, const QString& b)
{
    return a.endsWith(u'/') ? a + b : a + u'/' + b;
}

} // namespace

struct ClusterBackend::Job {
    enum class Phase { Waiting, Submitting, Unclear, Active, Collecting };
    qint64 trialId = 0;
    QString token;
    QString storeId;
    int attempt = 0;
    QString localRunDirectory;
    engine::JobScriptInput script;
    QStringList inputFiles;
    std::optional<qint64> timeLimitSeconds;
    QString jobId;
    Phase phase = Phase::Waiting;
    bool startedReported = false;
    QDateTime startedAt;
    bool cancelRequested = false;
    bool folderClaimed = false; // its remote folder is ours for this attempt: files may go in
    QString stopReason;         // why we cancelled it ourselves
    int absentPolls = 0;
    int terminalPolls = 0;
    std::optional<qint64> outputOffset; // followed: the next byte of its stdout to deliver
};

ClusterBackend::ClusterBackend(ssh::Endpoint endpoint, std::unique_ptr<SchedulerAdapter> scheduler,
                               ClusterOptions options, ssh::CredentialPrompter& prompter, QObject* parent)
    : engine::JobBackend(parent),
      m_scheduler(std::move(scheduler)),
      m_options(std::move(options)),
      m_thread(new QThread(this)),
      m_batchTimer(new QTimer(this)),
      m_pollTimer(new QTimer(this)),
      m_lookupTimer(new QTimer(this)),
      m_submitRetryTimer(new QTimer(this))
{
    qRegisterMetaType<ssh::RemoteRequest>();
    qRegisterMetaType<ssh::RemoteResponse>();
    qRegisterMetaType<ssh::ConnectionState>();
    m_worker = new ssh::SshWorker(std::move(endpoint), prompter, m_options.acceptNewHostKey);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ssh::SshWorker::done, this, &ClusterBackend::onDone);
    connect(m_worker, &ssh::SshWorker::countersChanged, this, [this](int logins, int channels) {
        m_logins = logins;
        m_channels = channels;
    });
    connect(m_worker, &ssh::SshWorker::stateChanged, this, [this](ssh::ConnectionState state, const QString& detail) {
        static const char* names[] = {"disconnected", "connecting", "connected", "failed"};
        emit connectionChanged(
            u"%1%2"_s.arg(QLatin1String(names[int(state)]), detail.isEmpty() ? QString() : u": "_s + detail));
    });
    m_thread->setObjectName(u"ssh"_s);
    m_thread->start();

    m_batchTimer->setSingleShot(true);
    connect(m_batchTimer, &QTimer::timeout, this, &ClusterBackend::flushSubmissions);
    m_pollTimer->setSingleShot(true);
    connect(m_pollTimer, &QTimer::timeout, this, &ClusterBackend::poll);
    m_lookupTimer->setSingleShot(true);
    connect(m_lookupTimer, &QTimer::timeout, this, &ClusterBackend::lookUpUnclear);
    m_submitRetryTimer->setSingleShot(true);
    connect(m_submitRetryTimer, &QTimer::timeout, this, &ClusterBackend::flushSubmissions);
}

ClusterBackend::~ClusterBackend()
{
    detachAll();
    // The worker may sit in a blocking libssh call for up to the session timeout. It skips what is
    // still queued (SshWorker::execute checks the interruption), and is given a short while to end
    // the call in flight; past that it is left to end on its own: nothing it does reaches us any more.
    // The jobs stay on the cluster and every submission was committed before it was sent, so the
    // next run re-attaches to all of them.
    m_thread->requestInterruption();
    engine::stopThreadWithin(
        m_thread, m_worker, [worker = m_worker] { worker->shutdown(); }, kWorkerStopDeadline,
        "ClusterBackend: the SSH request in flight");
}

QString ClusterBackend::name() const
{
    return m_scheduler->name();
}

void ClusterBackend::send(ssh::RemoteRequest request, const Callback& callback)
{
    const quint64 id = ++m_nextRequest;
    m_callbacks.insert(id, callback);
    if (!request.operations.isEmpty())
        ++m_commands;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id, request = std::move(request)] { worker->execute(id, request); },
        Qt::QueuedConnection);
}

void ClusterBackend::onDone(quint64 requestId, const ssh::RemoteResponse& response)
{
    if (!response.home.isEmpty())
        m_home = response.home;
    if (response.ok)
        m_failures = 0;
    if (Callback callback = m_callbacks.take(requestId))
        callback(response);
}

bool ClusterBackend::handleFailure(const ssh::RemoteResponse& response)
{
    if (response.ok)
        return false;
    const model::ErrorCode code = response.error.code;
    if (code == model::ErrorCode::HostKeyChanged || code == model::ErrorCode::LoginRefused) {
        emit fatalError(response.error.message);
        return true;
    }
    // Never logged in (no home folder yet): an unknown host, a missing SFTP subsystem or a dead jump
    // host does not heal by waiting, so a few attempts settle it. Once connected, drops back off.
    if (m_home.isEmpty() && ++m_attemptsWithoutLogin >= kAttemptsBeforeFirstLogin) {
        emit fatalError(u"never connected (%1 attempts): %2"_s.arg(m_attemptsWithoutLogin).arg(response.error.message));
        return true;
    }
    ++m_failures;
    return true;
}

void ClusterBackend::scheduleRetry(QTimer* timer)
{
    const int delay = std::min(kMaxBackoffMs, 1000 << std::min(m_failures, 10));
    if (!timer->isActive())
        timer->start(delay);
}

QString ClusterBackend::remoteDirectory(const Job& job) const
{
    QString base = m_options.workdir;
    if (base == u"~"_s)
        base.clear();
    else if (base.startsWith(u"~/"_s))
        base = base.mid(2);
    if (!base.startsWith(u'/'))
        base = base.isEmpty() ? m_home : joinPath(m_home, base);
    // One folder per store and attempt: another store of this campaign (a copy of the campaign file,
    // a fresh start) or an earlier attempt of this trial never shares it, so nothing it left behind
    // can be read as this attempt's result.
    return joinPath(joinPath(joinPath(base, m_options.campaign), job.storeId),
                    u"%1.%2"_s.arg(job.trialId).arg(job.attempt));
}

JobSpec ClusterBackend::specFor(const Job& job) const
{
    JobSpec spec;
    spec.token = job.token;
    spec.jobDirectory = remoteDirectory(job);
    spec.timeLimitSeconds = job.timeLimitSeconds;
    spec.directives = m_options.directives;
    return spec;
}

void ClusterBackend::submit(const engine::JobRequest& request)
{
    auto job = std::make_shared<Job>();
    job->trialId = request.trialId;
    job->token = request.token;
    job->storeId = request.storeId;
    job->attempt = request.attempt;
    job->localRunDirectory = request.runDirectory;
    job->script = request.script;
    job->inputFiles = request.inputFiles;
    job->timeLimitSeconds = request.timeLimitSeconds;
    if (m_pendingFollows.contains(job->trialId))
        job->outputOffset = m_pendingFollows.take(job->trialId);
    m_jobs.insert(job->trialId, job);
    m_toSubmit.append(job->trialId);
    if (!m_batchTimer->isActive() && !m_submitRetryTimer->isActive()) {
        m_batchTimer->start(m_options.batchDelayMs);
        // The login takes longer than the batch window: both run at once.
        if (m_home.isEmpty())
            logIn();
    }
}

void ClusterBackend::logIn()
{
    if (m_loginInFlight)
        return;
    m_loginInFlight = true;
    // Remote paths are absolute, so the first request only logs in and learns the home folder.
    send({}, [this](const ssh::RemoteResponse& r) {
        m_loginInFlight = false;
        if (handleFailure(r))
            scheduleRetry(m_submitRetryTimer);
        else if (!m_batchTimer->isActive())
            flushSubmissions();
    });
}

void ClusterBackend::flushSubmissions()
{
    if (m_toSubmit.isEmpty())
        return;
    if (m_submitRetryTimer->isActive())
        return; // paused (a limit, a busy scheduler, a failed request): the timer flushes
    if (m_home.isEmpty()) {
        logIn(); // which flushes once logged in
        return;
    }
    if (claimFolders())
        return; // the claim's answer flushes again
    ssh::RemoteRequest request;
    QList<ssh::AgentOperation> puts; // all the files first: the helper makes every folder at once
    QList<ssh::AgentOperation> submits;
    qsizetype putBytes = 0;
    QList<qint64> batch;
    const QList<qint64> ids = std::exchange(m_toSubmit, {});
    // cluster.max_queued: the rest wait, in order, until jobs leave the queue (flushCollections).
    const int room = m_options.maxQueued ? std::max(0, *m_options.maxQueued - jobsInQueue()) : int(ids.size());
    bool capped = false;
    for (qint64 id : ids) {
        auto job = m_jobs.value(id);
        if (!job || job->phase != Job::Phase::Waiting)
            continue;
        if (batch.size() >= room) {
            m_toSubmit.append(id);
            capped = true;
            continue;
        }
        if (!job->folderClaimed) {
            m_toSubmit.append(id); // joined the queue while its batch was being claimed: next round
            continue;
        }
        const JobSpec spec = specFor(*job); // checked by claimFolders() before its folder was claimed
        engine::JobScriptInput script = job->script;
        script.runDirectory = spec.jobDirectory;
        script.directiveLines = m_scheduler->directiveLines(spec);
        struct File {
            QString name;
            QByteArray data;
            int mode;
        };
        QList<File> files{{QLatin1String(engine::runfiles::script), engine::renderJobScript(script).toUtf8(), 0755}};
        QString unreadable;
        for (const QString& input : job->inputFiles) {
            QFile f(input);
            if (!f.open(QIODevice::ReadOnly)) {
                unreadable = u"cannot read %1: %2"_s.arg(input, f.errorString());
                break;
            }
            files.append({QFileInfo(input).fileName(), f.readAll(), QFileInfo(input).isExecutable() ? 0755 : 0644});
        }
        if (!unreadable.isEmpty()) {
            m_jobs.remove(id);
            emit submitFailed(id, unreadable);
            continue;
        }
        bool folderOverSftp = false;
        for (File& file : files) {
            if (ssh::AgentOperation::canPut(file.data) && file.data.size() <= kMaxPutFile
                && putBytes + file.data.size() <= kMaxPutPerRequest) {
                putBytes += file.data.size();
                puts.append(ssh::AgentOperation::put(spec.jobDirectory, file.name, file.mode, std::move(file.data)));
                continue;
            }
            if (!folderOverSftp)
                request.directories.append(spec.jobDirectory);
            folderOverSftp = true;
            request.uploads.append({joinPath(spec.jobDirectory, file.name), std::move(file.data), file.mode});
        }
        const RemoteCommand command = m_scheduler->submitCommand(spec);
        submits.append(ssh::AgentOperation::runConcurrently(command.argv, command.workingDirectory,
                                                            std::max(1, m_options.parallelSubmissions)));
        job->phase = Job::Phase::Submitting;
        batch.append(id);
    }
    request.operations = puts + submits;
    if (capped)
        setPauseReason(u"cluster.max_queued: %1 jobs in the queue; the next one is submitted when one leaves"_s.arg(
            *m_options.maxQueued));
    else if (!batch.isEmpty() && m_limitedRounds == 0)
        setPauseReason({});
    if (batch.isEmpty())
        return;
    send(std::move(request), [this, batch](const ssh::RemoteResponse& r) { onSubmitted(batch, r); });
}

// One request claims the folders of every waiting job before any of their files is written (see
// folderclaim.h). A claim is idempotent for its attempt, so an answer lost on the way is just asked again.
bool ClusterBackend::claimFolders()
{
    if (m_claimInFlight)
        return true;
    QList<qint64> ids;
    QList<engine::FolderClaim> claims;
    QList<std::pair<qint64, QString>> refusals;
    for (qint64 id : std::as_const(m_toSubmit)) {
        auto job = m_jobs.value(id);
        if (!job || job->phase != Job::Phase::Waiting || job->folderClaimed)
            continue;
        if (job->storeId.isEmpty() || job->attempt < 1) {
            refusals.append({id, u"the trial's folder cannot be named: no store id or attempt"_s});
            continue;
        }
        const JobSpec spec = specFor(*job);
        if (auto valid = checkJobSpec(*m_scheduler, spec); !valid) {
            refusals.append({id, valid.error()});
            continue;
        }
        ids.append(id);
        claims.append({spec.jobDirectory, engine::ownerMark(job->token, job->attempt)});
    }
    refuseBeforeSubmission(refusals);
    if (ids.isEmpty())
        return false;
    ssh::RemoteRequest request;
    const RemoteCommand command = claimCommand(claims);
    request.operations.append(ssh::AgentOperation::run(command.argv, command.workingDirectory));
    m_claimInFlight = true;
    send(std::move(request), [this, ids, claims](const ssh::RemoteResponse& response) {
        m_claimInFlight = false;
        if (handleFailure(response)) {
            scheduleRetry(m_submitRetryTimer);
            return;
        }
        const ssh::AgentResult& result = response.results.at(0);
        auto answers =
            parseClaims(claims, QString::fromUtf8(result.out), QString::fromUtf8(result.err), result.exitStatus);
        if (!answers) {
            ++m_failures;
            emit connectionChanged(answers.error());
            scheduleRetry(m_submitRetryTimer);
            return;
        }
        QList<std::pair<qint64, QString>> refused;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            auto job = m_jobs.value(ids.at(i));
            if (!job)
                continue;
            if (answers->at(i))
                job->folderClaimed = true;
            else
                refused.append({ids.at(i), answers->at(i).error()});
        }
        refuseBeforeSubmission(refused);
        flushSubmissions();
    });
    return true;
}

// After the loop that found them: a slot of submitFailed may call back into this backend.
void ClusterBackend::refuseBeforeSubmission(const QList<std::pair<qint64, QString>>& refusals)
{
    for (const auto& [id, why] : refusals) {
        m_toSubmit.removeAll(id);
        m_jobs.remove(id);
        emit submitFailed(id, why);
    }
}

void ClusterBackend::onSubmitted(const QList<qint64>& ids, const ssh::RemoteResponse& response)
{
    if (handleFailure(response)) {
        for (qint64 id : ids) {
            auto job = m_jobs.value(id);
            if (!job)
                continue;
            if (response.operationsMayHaveRun) {
                job->phase = Job::Phase::Unclear; // maybe submitted: look the token up before anything else
            } else {
                job->phase = Job::Phase::Waiting; // certainly not submitted: try again later
                m_toSubmit.append(id);
            }
        }
        if (response.operationsMayHaveRun)
            scheduleRetry(m_lookupTimer);
        else
            scheduleRetry(m_submitRetryTimer);
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qsizetype firstSubmit = response.results.size() - ids.size(); // after the puts
    QList<qint64> limited;
    bool unclear = false;
    bool accepted = false;
    QString pauseWhy;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        auto job = m_jobs.value(ids.at(i));
        if (!job)
            continue;
        const ssh::AgentResult& result = response.results.at(firstSubmit + i);
        const SubmitOutcome outcome =
            m_scheduler->parseSubmit(QString::fromUtf8(result.out), QString::fromUtf8(result.err), result.exitStatus);
        switch (outcome.kind) {
        case SubmitOutcome::Kind::Refused:
            m_jobs.remove(job->trialId);
            emit submitFailed(job->trialId, outcome.message);
            continue;
        case SubmitOutcome::Kind::Limited:
            // Nothing was queued: the trial waits at the head of the line, its folder still claimed.
            job->phase = Job::Phase::Waiting;
            limited.append(job->trialId);
            pauseWhy = outcome.message;
            continue;
        case SubmitOutcome::Kind::Unclear:
            job->phase = Job::Phase::Unclear; // looked up by its token before it may be submitted again
            unclear = true;
            pauseWhy = outcome.message;
            continue;
        case SubmitOutcome::Kind::Submitted:
            break;
        }
        accepted = true;
        job->jobId = outcome.jobId;
        job->phase = Job::Phase::Active;
        emit submitted(job->trialId, job->jobId, now);
        if (job->cancelRequested)
            cancel(job->trialId);
    }
    if (unclear)
        scheduleRetry(m_lookupTimer);
    if (!limited.isEmpty() || unclear) {
        m_toSubmit = limited + m_toSubmit;
        const int delay = std::min(kMaxBackoffMs, 2000 << std::min(m_limitedRounds++, 10));
        m_submitRetryTimer->start(delay);
        setPauseReason(u"submissions paused for %1 s: %2"_s.arg(delay / 1000).arg(pauseWhy));
    } else if (accepted) {
        m_limitedRounds = 0;
        setPauseReason({});
    }
    if (!m_pollTimer->isActive())
        m_pollTimer->start(m_options.pollIntervalMs);
    if (!m_toSubmit.isEmpty() && !m_batchTimer->isActive() && !m_submitRetryTimer->isActive())
        m_batchTimer->start(m_options.batchDelayMs);
}

int ClusterBackend::jobsInQueue() const
{
    int count = 0;
    for (const auto& job : m_jobs) {
        const auto phase = job->phase;
        count += phase == Job::Phase::Submitting || phase == Job::Phase::Unclear || phase == Job::Phase::Active;
    }
    return count;
}

void ClusterBackend::setPauseReason(const QString& reason)
{
    if (reason == m_pauseReason)
        return;
    m_pauseReason = reason;
    emit submissionsPaused(reason);
}

void ClusterBackend::track(const engine::TrackedJob& tracked)
{
    auto job = std::make_shared<Job>();
    job->trialId = tracked.trialId;
    job->token = tracked.token;
    job->storeId = tracked.storeId;
    job->attempt = tracked.attempt;
    job->localRunDirectory = tracked.runDirectory;
    job->timeLimitSeconds = tracked.timeLimitSeconds;
    job->jobId = tracked.jobId;
    job->startedReported = tracked.startedAt.isValid();
    job->phase = tracked.jobId.isEmpty() ? Job::Phase::Unclear : Job::Phase::Active;
    if (m_pendingFollows.contains(job->trialId))
        job->outputOffset = m_pendingFollows.take(job->trialId);
    m_jobs.insert(job->trialId, job);
    if (job->phase == Job::Phase::Unclear) {
        if (!m_lookupTimer->isActive())
            m_lookupTimer->start(0);
    } else if (!m_pollTimer->isActive()) {
        m_pollTimer->start(0);
    }
}

void ClusterBackend::lookUpUnclear()
{
    if (m_lookupInFlight)
        return;
    if (m_home.isEmpty()) {
        send({}, [this](const ssh::RemoteResponse& r) {
            if (handleFailure(r))
                scheduleRetry(m_lookupTimer);
            else
                lookUpUnclear();
        });
        return;
    }
    ssh::RemoteRequest request;
    QList<qint64> ids;
    QList<qint64> unlookable;
    // Removing from m_jobs, or emitting (a slot may call back into us), would invalidate this loop.
    for (const auto& job : std::as_const(m_jobs)) {
        if (job->phase != Job::Phase::Unclear)
            continue;
        const JobSpec spec = specFor(*job);
        const RemoteCommand lookup = m_scheduler->lookupCommand(spec);
        if (lookup.argv.isEmpty()) {
            unlookable.append(job->trialId);
            continue;
        }
        request.operations.append(ssh::AgentOperation::run(lookup.argv, lookup.workingDirectory));
        // A scheduler forgets finished jobs: the files the job script writes are evidence too.
        request.operations.append(
            ssh::AgentOperation::read(joinPath(spec.jobDirectory, QLatin1String(engine::runfiles::exitCode))));
        request.operations.append(
            ssh::AgentOperation::read(joinPath(spec.jobDirectory, QLatin1String(engine::runfiles::pid))));
        ids.append(job->trialId);
    }
    for (qint64 id : unlookable) {
        m_jobs.remove(id);
        emit submitFailed(id, u"the job cannot be looked up: its token or folder is invalid"_s);
    }
    if (ids.isEmpty())
        return;
    m_lookupInFlight = true;
    send(std::move(request), [this, ids](const ssh::RemoteResponse& response) {
        m_lookupInFlight = false;
        if (handleFailure(response)) {
            scheduleRetry(m_lookupTimer);
            return;
        }
        bool retry = false;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            auto job = m_jobs.value(ids.at(i));
            if (!job || job->phase != Job::Phase::Unclear)
                continue;
            const ssh::AgentResult& found = response.results.at(3 * i);
            const ssh::AgentResult& exitFile = response.results.at(3 * i + 1);
            const ssh::AgentResult& pidFile = response.results.at(3 * i + 2);
            auto jobId = m_scheduler->parseLookup(specFor(*job), QString::fromUtf8(found.out),
                                                  QString::fromUtf8(found.err), found.exitStatus);
            if (!jobId) {
                retry = true; // unclear again: ask again later, never submit meanwhile
                continue;
            }
            if (!jobId->isEmpty() || exitFile.exists || pidFile.exists) {
                // It went through. A job the scheduler already forgot left its exit code behind.
                job->jobId = jobId->isEmpty() ? u"unknown"_s : jobId.value();
                job->phase = Job::Phase::Active;
                emit submitted(job->trialId, job->jobId, QDateTime::currentDateTimeUtc());
                if (!m_pollTimer->isActive())
                    m_pollTimer->start(0);
                continue;
            }
            m_jobs.remove(job->trialId);
            emit notSubmitted(job->trialId, u"no job named %1 on the cluster"_s.arg(job->token));
        }
        if (retry)
            scheduleRetry(m_lookupTimer);
    });
}

void ClusterBackend::poll()
{
    if (m_pollInFlight)
        return;
    QList<qint64> ids;
    QStringList jobIds, tokens;
    for (const auto& job : std::as_const(m_jobs)) {
        if (job->phase == Job::Phase::Active) {
            ids.append(job->trialId);
            jobIds.append(job->jobId);
            tokens.append(job->token);
        }
    }
    if (ids.isEmpty())
        return;
    ssh::RemoteRequest request;
    // Jobs known only by their files (the scheduler had forgotten them) have no id to ask about.
    const RemoteCommand status = m_scheduler->statusCommand(jobIds, tokens);
    const bool askScheduler = !status.argv.isEmpty();
    if (askScheduler)
        request.operations.append(ssh::AgentOperation::run(status.argv, status.workingDirectory));
    for (qint64 id : ids)
        request.operations.append(ssh::AgentOperation::read(
            joinPath(remoteDirectory(*m_jobs.value(id)), QLatin1String(engine::runfiles::exitCode))));
    // The followed jobs' new output, after every exit code: a job whose exit code this poll sees had
    // closed its stdout before, so what is read here is all of it (up to 64 KiB more).
    QList<OutputRead> outputReads;
    for (qint64 id : ids) {
        const Job& job = *m_jobs.value(id);
        if (!job.outputOffset)
            continue;
        outputReads.append({id, *job.outputOffset});
        request.operations.append(ssh::AgentOperation::readFrom(
            joinPath(remoteDirectory(job), QLatin1String(engine::runfiles::stdoutFile)), *job.outputOffset));
    }
    m_pollInFlight = true;
    send(std::move(request), [this, ids, outputReads, askScheduler](const ssh::RemoteResponse& r) {
        onPolled(ids, outputReads, askScheduler, r);
    });
}

// The scheduler's start time where it gave one, else now: the first sign of a start is reported once.
void ClusterBackend::reportStarted(Job& job, const QDateTime& schedulerStart)
{
    job.startedReported = true;
    job.startedAt = schedulerStart.isValid() ? schedulerStart : QDateTime::currentDateTimeUtc();
    emit started(job.trialId, job.startedAt);
}

bool ClusterBackend::deliverOutput(Job& job, qint64 askedOffset, const ssh::AgentResult& read,
                                   const QDateTime& startedAt)
{
    if (job.outputOffset != askedOffset || !read.exists || read.out.isEmpty())
        return false; // followed anew since it was asked, or nothing new
    if (!job.startedReported) {
        // Output is proof of a start the scheduler's answer may not show yet.
        reportStarted(job, startedAt);
        if (job.outputOffset != askedOffset)
            return false; // a slot followed it anew
    }
    job.outputOffset = askedOffset + read.out.size();
    emit outputArrived(job.trialId, askedOffset, read.out);
    return read.out.size() >= ssh::kMaxAgentReadBytes;
}

void ClusterBackend::deliverRestOfOutput(Job& job, const QString& localStdout, std::optional<qint64> truncatedFrom)
{
    if (!job.outputOffset)
        return;
    QFile f(localStdout);
    if (!f.open(QIODevice::ReadOnly))
        return;
    // A truncated copy holds only the end of the stdout: its first byte is the stdout's byte `first`.
    const qint64 first = truncatedFrom ? *truncatedFrom - f.size() : 0;
    const qint64 offset = *job.outputOffset;
    if (offset < first || offset >= first + f.size() || !f.seek(offset - first))
        return; // nothing new, or what is missing is not in the copy: no gap is ever delivered
    const QByteArray rest = f.readAll();
    if (rest.isEmpty())
        return;
    job.outputOffset = offset + rest.size();
    emit outputArrived(job.trialId, offset, rest);
}

void ClusterBackend::onPolled(const QList<qint64>& ids, const QList<OutputRead>& outputReads, bool askedScheduler,
                              const ssh::RemoteResponse& response)
{
    m_pollInFlight = false;
    const bool failed = handleFailure(response); // then nothing is delivered, and every offset stays
    bool moreOutput = false;
    if (!failed) {
        const qsizetype first = askedScheduler ? 1 : 0;
        const qsizetype firstOutput = first + ids.size();
        QHash<qint64, qsizetype> outputAt;
        for (qsizetype k = 0; k < outputReads.size(); ++k)
            outputAt.insert(outputReads.at(k).trialId, k);
        // A poll the scheduler could not answer still counts exit-code files; it proves nothing else.
        auto statuses = askedScheduler
            ? m_scheduler->parseStatus(QString::fromUtf8(response.results.at(0).out),
                                       QString::fromUtf8(response.results.at(0).err), response.results.at(0).exitStatus)
            : model::Result<QList<SchedulerJobStatus>>::failure(u"not asked"_s);
        for (qsizetype i = 0; i < ids.size(); ++i) {
            auto job = m_jobs.value(ids.at(i));
            if (!job || job->phase != Job::Phase::Active)
                continue;
            const SchedulerJobStatus* status = nullptr;
            // By id only: a row of the same name may be another user's job (the status query asks for
            // the user's own jobs, and this guards a site where that filter is missing) or a
            // duplicate of this trial, and neither may change it.
            if (statuses) {
                for (const SchedulerJobStatus& s : statuses.value()) {
                    if (s.jobId == job->jobId)
                        status = &s;
                }
            }
            // Output before anything that may end the job: a slot hears it before finished().
            if (const auto k = outputAt.constFind(job->trialId); k != outputAt.constEnd()) {
                moreOutput = deliverOutput(*job, outputReads.at(*k).offset, response.results.at(firstOutput + *k),
                                           status ? status->startedAt : QDateTime())
                    || moreOutput;
                if (m_jobs.value(ids.at(i)) != job || job->phase != Job::Phase::Active)
                    continue; // a slot detached it
            }
            const ssh::AgentResult& exitFile = response.results.at(first + i);
            if (exitFile.exists) {
                const std::optional<int> code = engine::parseExitCodeFile(exitFile.out).exitCode;
                collect(job->trialId, code, code ? QString() : u"unreadable exit code file"_s, exitFile.out);
                continue;
            }
            if (!statuses)
                continue;
            if (!status) {
                // After our own cancel, a job that left the queue is gone for sure.
                const int limit = job->cancelRequested ? kTerminalPollsBeforeCollecting : kAbsentPollsBeforeGivingUp;
                if (++job->absentPolls >= limit && job->cancelRequested)
                    collect(job->trialId, std::nullopt, u"cancelled"_s);
                else if (job->absentPolls >= limit)
                    collect(job->trialId, std::nullopt,
                            u"the scheduler no longer knows job %1 and it left no exit code"_s.arg(job->jobId));
                continue;
            }
            job->absentPolls = 0;
            if (status->state != SchedulerJobState::Queued && !job->startedReported)
                reportStarted(*job, status->startedAt);
            enforceTimeLimit(*job);
            const bool terminal = status->state == SchedulerJobState::Finished
                || status->state == SchedulerJobState::Cancelled || status->state == SchedulerJobState::Rejected;
            if (terminal && ++job->terminalPolls >= kTerminalPollsBeforeCollecting) {
                if (status->state == SchedulerJobState::Cancelled)
                    job->cancelRequested = true;
                collect(job->trialId, std::nullopt,
                        status->state == SchedulerJobState::Cancelled
                            ? u"cancelled"_s
                            : u"the job ended (%1) without writing its exit code"_s.arg(status->rawState));
            }
        }
    }
    flushCollections();
    bool active = false;
    for (const auto& job : std::as_const(m_jobs))
        active = active || job->phase == Job::Phase::Active;
    if (active && !m_pollTimer->isActive()) {
        int interval = failed ? std::min(kMaxBackoffMs, m_options.pollIntervalMs << std::min(m_failures, 5))
                              : m_options.pollIntervalMs;
        // A full answer: more output waits, and a chatty job should not fall behind by 64 KiB a poll.
        if (moreOutput)
            interval = std::min(interval, kMorePollMs);
        m_pollTimer->start(interval);
    }
}

// Batch schedulers enforce the time limit from the job's directives; a plain host has nobody to.
void ClusterBackend::enforceTimeLimit(Job& job)
{
    if (m_scheduler->name() != u"ssh"_s || !job.timeLimitSeconds || !job.startedAt.isValid() || job.cancelRequested)
        return;
    if (job.startedAt.secsTo(QDateTime::currentDateTimeUtc()) <= *job.timeLimitSeconds)
        return;
    job.stopReason =
        u"killed after exceeding the time limit of %1"_s.arg(engine::formatDuration(*job.timeLimitSeconds));
    sendCancel(job);
}

void ClusterBackend::collect(qint64 trialId, std::optional<int> exitCode, const QString& reason,
                             std::optional<QByteArray> exitCodeFile)
{
    auto job = m_jobs.value(trialId);
    if (!job)
        return;
    job->phase = Job::Phase::Collecting;
    m_toCollect.append({trialId, exitCode, reason, std::move(exitCodeFile)});
}

void ClusterBackend::flushCollections()
{
    if (m_toCollect.isEmpty())
        return;
    const QList<Collection> batch = std::exchange(m_toCollect, {});
    ssh::RemoteRequest request;
    request.maxDownloadBytes = m_options.maxDownloadBytes;
    for (const Collection& c : batch) {
        auto job = m_jobs.value(c.trialId);
        if (!job)
            continue;
        const QString remote = remoteDirectory(*job);
        const QDir local(job->localRunDirectory);
        // A download skips a missing file: a copy left by an earlier store in this folder must not stand in.
        for (const char* name :
             {engine::runfiles::stdoutFile, engine::runfiles::stderrFile, engine::runfiles::exitCode})
            QFile::remove(local.filePath(QLatin1String(name)));
        for (const char* name : {engine::runfiles::stdoutFile, engine::runfiles::stderrFile}) {
            request.downloads.append({joinPath(remote, QLatin1String(name)), local.filePath(QLatin1String(name))});
        }
        if (c.exitCodeFile)
            request.localCopies.append({local.filePath(QLatin1String(engine::runfiles::exitCode)), *c.exitCodeFile});
        else
            request.downloads.append({joinPath(remote, QLatin1String(engine::runfiles::exitCode)),
                                      local.filePath(QLatin1String(engine::runfiles::exitCode))});
    }
    send(std::move(request), [this, batch](const ssh::RemoteResponse& response) {
        const bool failed = handleFailure(response);
        for (const Collection& c : batch) {
            auto collected = m_jobs.value(c.trialId);
            if (!collected)
                continue;
            const QDir local(collected->localRunDirectory);
            if (failed) {
                collected->phase = Job::Phase::Active; // the next poll finds the evidence again
                continue;
            }
            engine::JobEnd end;
            end.exitCode = c.exitCode;
            end.reason = c.reason;
            end.stdoutPath = local.filePath(QLatin1String(engine::runfiles::stdoutFile));
            if (response.truncatedDownloads.contains(end.stdoutPath))
                end.stdoutTruncatedFrom = response.truncatedDownloads.value(end.stdoutPath);
            const engine::ExitRecord record =
                engine::readExitCodeFile(local.filePath(QLatin1String(engine::runfiles::exitCode)));
            // Its exit code came after the poll that saw it leave the queue (a cancel that reached
            // a job already done, say): what the job recorded stands.
            if (!end.exitCode && record.exitCode
                && !response.refusedDownloads.contains(local.filePath(QLatin1String(engine::runfiles::exitCode)))) {
                end.exitCode = record.exitCode;
                end.reason.clear();
            }
            // A planted output is no result: the trial fails, saying which file and why.
            for (const char* name : {engine::runfiles::stdoutFile, engine::runfiles::exitCode}) {
                const QString refused = response.refusedDownloads.value(local.filePath(QLatin1String(name)));
                if (!refused.isEmpty() && end.reason.isEmpty())
                    end.reason = refused;
            }
            end.finishedAt = QDateTime::currentDateTimeUtc();
            engine::takeScriptTimes(end, record);
            end.cancelled = (collected->cancelRequested && collected->stopReason.isEmpty())
                || QFileInfo::exists(local.filePath(QLatin1String(engine::kCancelMarker)));
            if (!collected->stopReason.isEmpty())
                end.reason = collected->stopReason;
            else if (end.cancelled && end.reason.isEmpty())
                end.reason = u"cancelled"_s;
            // The end is settled before its last output goes out: a slot that cancels on it changes nothing.
            deliverRestOfOutput(*collected, end.stdoutPath, end.stdoutTruncatedFrom);
            if (m_jobs.value(c.trialId) != collected)
                continue; // a slot detached it
            m_jobs.remove(c.trialId);
            emit finished(c.trialId, end);
        }
        if (failed && !m_pollTimer->isActive())
            m_pollTimer->start(m_options.pollIntervalMs);
        // Jobs left the queue: cluster.max_queued may have room again.
        if (!failed && !m_toSubmit.isEmpty() && !m_batchTimer->isActive() && !m_submitRetryTimer->isActive())
            m_batchTimer->start(m_options.batchDelayMs);
    });
}

void ClusterBackend::cancel(qint64 trialId)
{
    auto job = m_jobs.value(trialId);
    if (!job)
        return;
    job->cancelRequested = true;
    if (job->phase == Job::Phase::Waiting) {
        m_toSubmit.removeAll(trialId);
        m_jobs.remove(trialId);
        engine::JobEnd end;
        end.reason = u"cancelled before submission"_s;
        end.cancelled = true;
        end.finishedAt = QDateTime::currentDateTimeUtc();
        emit finished(trialId, end);
        return;
    }
    if (job->phase != Job::Phase::Active || job->jobId == u"unknown"_s)
        return; // cancelled as soon as its id is known (see onSubmitted)
    sendCancel(*job);
}

void ClusterBackend::sendCancel(Job& job)
{
    job.cancelRequested = true;
    ssh::RemoteRequest request;
    const RemoteCommand command = m_scheduler->cancelJobCommand(job.jobId, job.token);
    if (command.argv.isEmpty())
        return;
    request.operations.append(ssh::AgentOperation::run(command.argv, command.workingDirectory));
    send(std::move(request), [this](const ssh::RemoteResponse& response) {
        handleFailure(response);
        if (!m_pollTimer->isActive())
            m_pollTimer->start(std::min(m_options.pollIntervalMs, 2000));
    });
}

void ClusterBackend::detachAll()
{
    m_batchTimer->stop();
    m_pollTimer->stop();
    m_lookupTimer->stop();
    m_submitRetryTimer->stop();
    m_toSubmit.clear();
    m_toCollect.clear();
    m_jobs.clear();
    m_pendingFollows.clear();
    m_callbacks.clear();
}

void ClusterBackend::followOutput(qint64 trialId, qint64 fromOffset)
{
    fromOffset = std::max<qint64>(0, fromOffset);
    if (auto job = m_jobs.value(trialId)) {
        job->outputOffset = fromOffset; // an answer in flight for an older offset is dropped
        return;
    }
    m_pendingFollows.insert(trialId, fromOffset);
}

} // namespace sweepline::remote
