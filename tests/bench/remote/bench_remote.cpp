// Benchmark, not a test (never registered with ctest): submitting no-op Slurm jobs through
// ClusterBackend over one SSH session, against two references on the same machine:
//   - ssh loop: one `ssh -F <config> <alias> sbatch --parsable <job.sh>` per job (the OpenSSH
//     client, the same sshd, one login per job);
//   - floor:    the same sbatch calls run directly on the node, no SSH at all, one after another;
//   - parallel floor: the same, with as many sbatch calls at once as Sweepline runs (xargs -P), to
//     show what the session costs at equal concurrency.
// All of them submit equivalent job scripts (renderJobScript with the Slurm adapter's directives).
// Floor, parallel floor and Sweepline rounds rotate REPEATS times and their medians are compared, because the
// machine may be busy with other work; the ssh loop, which is slow, runs once. slurmctld's log
// dates every submission, which splits each round into "before the first sbatch", "the sbatch
// calls" and "after the last one". Starts and stops its own sshd and one-node Slurm on loopback,
// so it needs root, like the integration tests.
//
//   tests/bench/remote/run [TRIALS [REPEATS]]      (default 200 and 3; builds the release preset)

#include "engine/jobscript.h"
#include "model/campaign.h"
#include "remote/clusterbackend.h"
#include "remote/scheduler.h"
#include "remote/ssh/agentprotocol.h"
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshsession.h"
#include "support/refusingprompter.h"
#include "support/slurmfixture.h"
#include "support/sshserverfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

using namespace sweepline;
using namespace sweepline::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kAlias = u"sweepline-test"_s; // SshClientConfig's default alias
const QString kJobCommand = u"echo loss: 0"_s;
constexpr double kTarget = 1.5; // Sweepline's submission at most 1.5 x the floor
constexpr int kSlurmCpus = 64;  // no-op jobs: let the one node run many at once
constexpr int kPollIntervalMs = 1000;
const int kAtOnce = remote::ClusterOptions{}.parallelSubmissions; // Sweepline's default
constexpr int kRoundTimeoutMs = 20 * 60 * 1000;

void progress(const QString& text)
{
    std::fprintf(stderr, "# %s\n", qPrintable(text));
    std::fflush(stderr);
}

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

bool writeBytes(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

int acceptedLogins(const SshServerFixture& ssh)
{
    return int(ssh.log().count(u"Accepted publickey"_s));
}

QString loadAverage()
{
    return readText(u"/proc/loadavg"_s).section(u' ', 0, 2);
}

QString jobFolder(const QString& base, int trial)
{
    return u"%1/%2"_s.arg(base).arg(trial);
}

// The job folders a reference submits from, each with the job.sh ClusterBackend would upload.
QStringList prepareJobFolders(const QString& base, const QString& tokenPrefix, int trials)
{
    const auto slurm = remote::makeSchedulerAdapter(u"slurm"_s);
    QStringList folders;
    for (int i = 1; i <= trials; ++i) {
        const QString dir = jobFolder(base, i);
        remote::JobSpec spec;
        spec.token = u"%1-%2"_s.arg(tokenPrefix).arg(i);
        spec.jobDirectory = dir;
        engine::JobScriptInput script;
        script.campaign = u"bench"_s;
        script.trialId = i;
        script.token = spec.token;
        script.runDirectory = dir;
        script.directiveLines = slurm->directiveLines(spec);
        script.command = kJobCommand;
        if (!QDir().mkpath(dir) || !writeTextFile(dir + u"/job.sh"_s, engine::renderJobScript(script), 0755))
            return {};
        folders.append(dir);
    }
    return folders;
}

int countExitCodes(const QStringList& folders)
{
    int ok = 0;
    for (const QString& dir : folders)
        ok += sweepline::engine::parseExitCodeFile(readText(dir + u"/exit_code"_s).toUtf8()).exitCode == 0 ? 1 : 0;
    return ok;
}

// Every job of the previous round has left the queue (run or not): rounds do not overlap.
bool waitForIdleQueue(const SlurmFixture& slurm)
{
    return waitUntil(
        [&] {
            const ProcessResult r = slurm.run(
                u"squeue"_s,
                {u"--noheader"_s, u"--all"_s, u"--states=PENDING,CONFIGURING,RUNNING,COMPLETING"_s, u"--format=%i"_s});
            return r.ok() && r.out.trimmed().isEmpty();
        },
        kRoundTimeoutMs, 250);
}

struct Round {
    QString name;
    QDateTime startedAt;  // wall clock, to place slurmctld's log lines
    qint64 submitMs = -1; // until every job id is known
    QStringList jobIds;
    qint64 firstSbatchMs = -1; // slurmctld accepted the first / last job, from startedAt
    qint64 lastSbatchMs = -1;
    double medianGapMs = -1; // between consecutive submissions: the cost per job, robust to bursts
    int logins = 0;          // "Accepted publickey" in the sshd log
    QStringList folders;     // where the jobs write their exit codes
    int ranOk = 0;
    QString error;
};

// Places the round's submissions on its own clock from slurmctld's log ("[2026-11-23T19:35:15.806]
// _slurm_rpc_submit_batch_job: JobId=2 ...", local time with milliseconds).
void placeSubmissions(Round& round, const QString& controllerLog)
{
    static const QRegularExpression line(u"^\\[([0-9T:.-]+)\\] _slurm_rpc_submit_batch_job: JobId=([0-9]+) "_s,
                                         QRegularExpression::MultilineOption);
    const QSet<QString> ours(round.jobIds.cbegin(), round.jobIds.cend());
    QList<qint64> times;
    auto it = line.globalMatch(controllerLog);
    while (it.hasNext()) {
        const auto m = it.next();
        const QDateTime at = QDateTime::fromString(m.captured(1), Qt::ISODateWithMs);
        if (ours.contains(m.captured(2)) && at.isValid())
            times.append(round.startedAt.msecsTo(at));
    }
    if (times.size() < 2)
        return;
    std::sort(times.begin(), times.end());
    round.firstSbatchMs = times.first();
    round.lastSbatchMs = times.last();
    QList<qint64> gaps;
    for (qsizetype i = 1; i < times.size(); ++i)
        gaps.append(times.at(i) - times.at(i - 1));
    std::sort(gaps.begin(), gaps.end());
    round.medianGapMs = gaps.size() % 2 ? double(gaps.at(gaps.size() / 2))
                                        : double(gaps.at(gaps.size() / 2 - 1) + gaps.at(gaps.size() / 2)) / 2;
}

Round shellLoop(const QString& name, const QString& script, const QStringList& args, const QProcessEnvironment& env,
                int trials)
{
    Round r;
    r.name = name;
    QElapsedTimer clock;
    r.startedAt = QDateTime::currentDateTime();
    clock.start();
    const ProcessResult p = runProcess(u"bash"_s, QStringList{u"-c"_s, script, u"bash"_s} + args, env, kRoundTimeoutMs);
    r.submitMs = clock.elapsed();
    static const QRegularExpression id(u"^([0-9]+)(;.*)?$"_s);
    for (const QByteArray& line : p.out.split('\n')) {
        if (const auto m = id.match(QString::fromUtf8(line.trimmed())); m.hasMatch())
            r.jobIds.append(m.captured(1));
    }
    if (!p.ok())
        r.error = p.describe();
    else if (r.jobIds.size() != trials)
        r.error = u"%1 job ids for %2 jobs: %3"_s.arg(r.jobIds.size()).arg(trials).arg(p.describe());
    return r;
}

Round runFloor(int repeat, const QString& clusterDir, const SlurmFixture& slurm, int trials)
{
    const QString tag = u"floor%1"_s.arg(repeat);
    const QStringList folders = prepareJobFolders(clusterDir + u'/' + tag, u"bench-"_s + tag, trials);
    Round r =
        shellLoop(u"floor %1"_s.arg(repeat), u"for d in \"$@\"; do sbatch --parsable \"$d/job.sh\" || exit 1; done"_s,
                  folders, slurm.environment(), trials);
    r.folders = folders;
    return r;
}

Round runParallelFloor(int repeat, const QString& clusterDir, const SlurmFixture& slurm, int trials)
{
    const QString tag = u"pfloor%1"_s.arg(repeat);
    const QStringList folders = prepareJobFolders(clusterDir + u'/' + tag, u"bench-"_s + tag, trials);
    Round r = shellLoop(u"par. floor %1"_s.arg(repeat),
                        u"n=$1; shift; printf '%s\\0' \"$@\" | xargs -0 -P \"$n\" -I{} sbatch --parsable {}/job.sh"_s,
                        QStringList{QString::number(kAtOnce)} + folders, slurm.environment(), trials);
    r.folders = folders;
    return r;
}

// The helper alone, as the login node runs it but without SSH: the same sbatch calls from one request
// file (puts of the job scripts, then the submissions), to split its cost from the session's.
Round runHelperLocally(const QString& clusterDir, const QString& scratch, const SlurmFixture& slurm, int trials)
{
    Round r;
    r.name = u"helper alone"_s;
    const auto slurmAdapter = remote::makeSchedulerAdapter(u"slurm"_s);
    QList<remote::ssh::AgentOperation> puts, runs;
    for (int i = 1; i <= trials; ++i) {
        const QString dir = jobFolder(clusterDir + u"/helper"_s, i);
        remote::JobSpec spec;
        spec.token = u"bench-helper-%1"_s.arg(i);
        spec.jobDirectory = dir;
        engine::JobScriptInput script;
        script.campaign = u"bench"_s;
        script.trialId = i;
        script.token = spec.token;
        script.runDirectory = dir;
        script.directiveLines = slurmAdapter->directiveLines(spec);
        script.command = kJobCommand;
        puts.append(remote::ssh::AgentOperation::put(dir, u"job.sh"_s, 0755, engine::renderJobScript(script).toUtf8()));
        const remote::RemoteCommand submit = slurmAdapter->submitCommand(spec);
        runs.append(remote::ssh::AgentOperation::runConcurrently(submit.argv, submit.workingDirectory, kAtOnce));
        r.folders.append(dir);
    }
    const QString helper = scratch + u"/agent-local.sh"_s;
    const QString request = scratch + u"/agent-local.req"_s;
    const auto encoded = remote::ssh::encodeAgentRequest(puts + runs);
    if (!encoded || !writeBytes(helper, remote::ssh::agentScript()) || !writeBytes(request, encoded.value())) {
        r.error = u"cannot write the helper and its request"_s;
        return r;
    }
    QElapsedTimer clock;
    r.startedAt = QDateTime::currentDateTime();
    clock.start();
    const ProcessResult p = runProcess(u"bash"_s, {u"--norc"_s, helper, request}, slurm.environment(), kRoundTimeoutMs);
    r.submitMs = clock.elapsed();
    const auto results = remote::ssh::decodeAgentReply(p.out, puts.size() + runs.size());
    if (!results) {
        r.error = results.error();
        return r;
    }
    for (qsizetype i = puts.size(); i < results->size(); ++i) {
        const remote::ssh::AgentResult& result = results->at(i);
        auto id =
            slurmAdapter->parseSubmit(QString::fromUtf8(result.out), QString::fromUtf8(result.err), result.exitStatus);
        if (id.kind != remote::SubmitOutcome::Kind::Submitted) {
            r.error = id.message;
            return r;
        }
        r.jobIds.append(id.jobId);
    }
    return r;
}

Round runSshLoop(const QString& clusterDir, const QString& clientConfig, const SshServerFixture& ssh, int trials)
{
    const QStringList folders = prepareJobFolders(clusterDir + u"/ssh-loop"_s, u"bench-ssh"_s, trials);
    const int loginsBefore = acceptedLogins(ssh);
    Round r =
        shellLoop(u"ssh loop"_s,
                  u"cfg=$1 host=$2; shift 2\n"
                  "for d in \"$@\"; do ssh -n -F \"$cfg\" \"$host\" sbatch --parsable \"$d/job.sh\" || exit 1; done"_s,
                  QStringList{clientConfig, kAlias} + folders, {}, trials);
    r.logins = acceptedLogins(ssh) - loginsBefore;
    r.folders = folders;
    return r;
}

struct SweeplineRound : Round {
    qint64 connectedMs = -1; // "connected": login, SFTP channel, helper checked
    qint64 firstFinishedMs = -1;
    qint64 finishMs = -1;   // the last `finished`: collected, outputs downloaded
    int sessionLogins = -1; // ClusterBackend::logins()
    int channels = -1;
    int commands = -1;
    int commandsAtSubmitted = -1; // commandsSent() once every job was submitted
    int channelsAtSubmitted = -1;
    int polls = 0; // remote commands that ran squeue (from the squeue wrapper's log)
    int squeueCalls = 0;
    int maxJobsInOnePoll = 0;
    int badExits = 0;
};

SweeplineRound runSweepline(int repeat, const model::ClusterSettings& cluster, const QString& localBase,
                            const SshServerFixture& ssh, const QString& squeueLog, int trials)
{
    SweeplineRound r;
    r.name = u"sweepline %1"_s.arg(repeat);
    auto endpoint = remote::ssh::resolveEndpoint(cluster);
    if (!endpoint) {
        r.error = endpoint.error();
        return r;
    }
    remote::ClusterOptions options;
    options.campaign = u"sweepline%1"_s.arg(repeat);
    options.workdir = cluster.workdir;
    options.pollIntervalMs = kPollIntervalMs; // batchDelayMs: the default
    RefusingPrompter prompter;
    remote::ClusterBackend backend(std::move(endpoint).value(), remote::makeSchedulerAdapter(cluster.scheduler),
                                   options, prompter);
    const int loginsBefore = acceptedLogins(ssh);
    QFile::remove(squeueLog);

    QEventLoop loop;
    QElapsedTimer clock;
    int finished = 0;
    auto stop = [&](const QString& error) {
        if (r.error.isEmpty())
            r.error = error;
        loop.quit();
    };
    QObject::connect(&backend, &engine::JobBackend::connectionChanged, &loop, [&](const QString& state) {
        if (r.connectedMs < 0 && state.startsWith(u"connected"_s))
            r.connectedMs = clock.elapsed();
    });
    QObject::connect(&backend, &engine::JobBackend::submitted, &loop, [&](qint64, const QString& jobId) {
        r.jobIds.append(jobId);
        if (r.jobIds.size() == trials) {
            r.submitMs = clock.elapsed();
            r.commandsAtSubmitted = backend.commandsSent();
            r.channelsAtSubmitted = backend.channelsOpened();
        }
    });
    QObject::connect(&backend, &engine::JobBackend::finished, &loop, [&](qint64, const engine::JobEnd& end) {
        if (!end.exitCode || *end.exitCode != 0)
            ++r.badExits;
        if (r.firstFinishedMs < 0)
            r.firstFinishedMs = clock.elapsed();
        if (++finished == trials) {
            r.finishMs = clock.elapsed();
            loop.quit();
        }
    });
    QObject::connect(&backend, &engine::JobBackend::submitFailed, &loop,
                     [&](qint64 id, const QString& why) { stop(u"trial %1 refused: %2"_s.arg(id).arg(why)); });
    QObject::connect(&backend, &engine::JobBackend::notSubmitted, &loop,
                     [&](qint64 id, const QString& why) { stop(u"trial %1 not submitted: %2"_s.arg(id).arg(why)); });
    QObject::connect(&backend, &engine::JobBackend::fatalError, &loop, [&](const QString& why) { stop(why); });
    QTimer watchdog;
    watchdog.setSingleShot(true);
    QObject::connect(&watchdog, &QTimer::timeout, &loop, [&] {
        stop(u"gave up after %1 s: %2 of %3 submitted, %4 finished"_s.arg(kRoundTimeoutMs / 1000)
                 .arg(r.jobIds.size())
                 .arg(trials)
                 .arg(finished));
    });

    QList<engine::JobRequest> requests;
    const QString roundStore = u"b%1r%2"_s.arg(QDateTime::currentMSecsSinceEpoch(), 0, 36).arg(repeat);
    for (int i = 1; i <= trials; ++i) {
        engine::JobRequest request;
        request.trialId = i;
        request.token = u"bench-swl%1-%2"_s.arg(repeat).arg(i);
        request.runDirectory = jobFolder(localBase + u'/' + options.campaign, i);
        request.script.campaign = u"bench"_s;
        request.script.trialId = i;
        request.script.token = request.token;
        request.script.command = kJobCommand;
        // A store id of its own per round: the backend refuses folders another round claimed.
        request.storeId = roundStore;
        request.attempt = 1;
        requests.append(request);
        r.folders.append(u"%1/%2/%3/%4.1"_s.arg(cluster.workdir, options.campaign, roundStore).arg(i));
    }
    watchdog.start(kRoundTimeoutMs);
    r.startedAt = QDateTime::currentDateTime();
    clock.start();
    for (const engine::JobRequest& request : std::as_const(requests))
        backend.submit(request);
    loop.exec();

    r.sessionLogins = backend.logins();
    r.channels = backend.channelsOpened();
    r.commands = backend.commandsSent();
    r.logins = acceptedLogins(ssh) - loginsBefore;

    // One line per squeue run on the cluster: "<the helper's request file> <arguments>".
    static const QRegularExpression names(u"--name=(\\S+)"_s);
    QSet<QString> helperRequests;
    const QStringList lines = readText(squeueLog).split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        helperRequests.insert(line.section(u' ', 0, 0));
        if (const auto m = names.match(line); m.hasMatch())
            r.maxJobsInOnePoll = std::max(r.maxJobsInOnePoll, int(m.captured(1).count(u',')) + 1);
    }
    r.squeueCalls = int(lines.size());
    r.polls = int(helperRequests.size());
    return r;
}

// Where the time of one submission goes, measured piece by piece on the same sshd.
struct Breakdown {
    double connectMs = -1;     // login + SFTP channel (+ home folder)
    double execChannelMs = -1; // one exec channel running `true` through the login shell
    double bashrcMs = -1;      // bash started as sshd starts it, so it reads root's ~/.bashrc
    double bareBashMs = -1;    // bash without rc files
    double mkdirMs = -1;       // SshSession::makePath of a new job folder (only for files sent over SFTP)
    double uploadMs = -1;      // SshSession::writeFile of a job script
    double statMs = -1;        // one SFTP round trip (exists)
    double downloadMs = -1;    // readFileIfPresent of a small file (collecting: 2 per job)
    double saveFileMs = -1;    // QSaveFile write + commit (fdatasync) of a small local file (the former way)
    double plainFileMs = -1;   // writeLocalCopy: temporary file and rename, no sync (collecting: 3 per job)
    double helperPerOpMs = -1; // the helper running /bin/true N times, per operation
    double loopPerOpMs = -1;   // a bash loop running /bin/true N times, per iteration
    double helperPutMs = -1;   // the helper writing N job scripts (put) into N new folders, per file
    QString error;
};

template<typename F>
double meanMs(int times, F&& f)
{
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < times; ++i)
        f(i);
    return double(t.nsecsElapsed()) / 1e6 / times;
}

Breakdown measureBreakdown(const model::ClusterSettings& cluster, const QString& scratch, int trials)
{
    Breakdown b;
    auto endpoint = remote::ssh::resolveEndpoint(cluster);
    if (!endpoint) {
        b.error = endpoint.error();
        return b;
    }
    RefusingPrompter prompter;
    remote::ssh::SshSession session;
    QElapsedTimer t;
    t.start();
    if (auto connected = session.connect(endpoint.value(), prompter, false); !connected) {
        b.error = connected.error();
        return b;
    }
    b.connectMs = double(t.nsecsElapsed()) / 1e6;
    bool ok = true;
    // One exec channel through the login shell, run to its end: what every command cost before one
    // helper served the whole session, and what the session's first command still costs.
    const auto execToTheEnd = [&session](const QByteArray& commandLine) {
        if (!session.startService(commandLine))
            return false;
        bool ended = false;
        QElapsedTimer waited;
        waited.start();
        while (!ended && waited.elapsed() < 30000) {
            const auto read = session.readFromService(std::chrono::milliseconds(200));
            if (!read)
                return false;
            ended = read->ended;
        }
        session.stopService();
        return ended;
    };
    b.execChannelMs = meanMs(5, [&](int) { ok = execToTheEnd(QByteArrayLiteral("true")) && ok; });

    const QString probe = cluster.workdir + u"/probe"_s;
    const QByteArray script(700, '#'); // about the size of a rendered job script
    constexpr int samples = 50;
    b.mkdirMs = meanMs(samples, [&](int i) { ok = session.makePath(jobFolder(probe, i)).ok() && ok; });
    b.uploadMs = meanMs(
        samples, [&](int i) { ok = session.writeFile(jobFolder(probe, i) + u"/job.sh"_s, script, 0755).ok() && ok; });
    b.statMs = meanMs(samples, [&](int i) { ok = session.exists(jobFolder(probe, i) + u"/job.sh"_s).ok() && ok; });
    b.downloadMs = meanMs(samples, [&](int i) {
        const auto data = session.readFileIfPresent(jobFolder(probe, i) + u"/job.sh"_s, 1 << 20);
        ok = data.ok() && data->has_value() && ok;
    });
    session.disconnect();
    b.saveFileMs = meanMs(samples, [&](int i) {
        QSaveFile f(u"%1/saved-%2"_s.arg(scratch).arg(i));
        ok = f.open(QIODevice::WriteOnly) && f.write(script) == script.size() && f.commit() && ok;
    });
    b.plainFileMs = meanMs(samples, [&](int i) {
        ok = remote::ssh::writeLocalCopy(u"%1/plain-%2"_s.arg(scratch).arg(i), script).ok() && ok;
    });
    if (!ok)
        b.error = u"an SSH or file operation failed"_s;

    // bash reads ~/.bashrc when sshd starts it (SSH_CLIENT set, SHLVL unset), for every exec channel.
    QProcessEnvironment sshLike = QProcessEnvironment::systemEnvironment();
    sshLike.remove(u"SHLVL"_s);
    sshLike.insert(u"SSH_CLIENT"_s, u"127.0.0.1 40000 22"_s);
    b.bashrcMs = meanMs(5, [&](int) { ok = runProcess(u"bash"_s, {u"-c"_s, u"true"_s}, sshLike).ok() && ok; });
    b.bareBashMs = meanMs(5, [&](int) {
        ok = runProcess(u"bash"_s, {u"--norc"_s, u"--noprofile"_s, u"-c"_s, u"true"_s}).ok() && ok;
    });

    // The helper's own cost per operation: N runs of /bin/true through it, against a bash loop.
    const QString helper = scratch + u"/agent.sh"_s;
    const QString request = scratch + u"/agent.req"_s;
    QList<remote::ssh::AgentOperation> ops;
    for (int i = 0; i < trials; ++i)
        ops.append(remote::ssh::AgentOperation::run({u"/bin/true"_s}, scratch));
    const auto encoded = remote::ssh::encodeAgentRequest(ops);
    if (!encoded || !writeBytes(helper, remote::ssh::agentScript()) || !writeBytes(request, encoded.value())) {
        b.error = u"cannot write the helper and its request"_s;
        return b;
    }
    b.helperPerOpMs = meanMs(1,
                             [&](int) {
                                 const ProcessResult p = runProcess(u"bash"_s, {u"--norc"_s, helper, request});
                                 ok = p.ok() && remote::ssh::decodeAgentReply(p.out, trials).ok() && ok;
                             })
        / trials;
    QList<remote::ssh::AgentOperation> puts;
    for (int i = 0; i < trials; ++i)
        puts.append(remote::ssh::AgentOperation::put(jobFolder(scratch + u"/puts"_s, i), u"job.sh"_s, 0755, script));
    const auto encodedPuts = remote::ssh::encodeAgentRequest(puts);
    b.helperPutMs = meanMs(1,
                           [&](int) {
                               ok = encodedPuts.ok() && writeBytes(request, encodedPuts.value()) && ok;
                               const ProcessResult p = runProcess(u"bash"_s, {u"--norc"_s, helper, request});
                               ok = p.ok() && remote::ssh::decodeAgentReply(p.out, trials).ok() && ok;
                           })
        / trials;
    b.loopPerOpMs = meanMs(1,
                           [&](int) {
                               ok = runProcess(u"bash"_s,
                                               {u"--norc"_s, u"-c"_s,
                                                u"for ((i = 0; i < %1; i++)); do /bin/true; done"_s.arg(trials)})
                                        .ok()
                                   && ok;
                           })
        / trials;
    if (!ok && b.error.isEmpty())
        b.error = u"a local measurement failed"_s;
    return b;
}

QString ms(double v)
{
    return v < 0 ? u"-"_s : QString::number(v, 'f', v < 10 ? 2 : 0);
}

QString ms(qint64 v)
{
    return v < 0 ? u"-"_s : QString::number(v);
}

template<typename R>
qint64 medianSubmitMs(const QList<R>& rounds)
{
    QList<qint64> v;
    for (const R& r : rounds)
        v.append(r.submitMs);
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? -1 : v.at(v.size() / 2);
}

void tableRow(const QString& name, qint64 submitMs, int trials, qint64 floorMs, const QString& logins,
              const QString& channels, const QString& commands, const QString& perPoll)
{
    const QString ratio =
        submitMs > 0 && floorMs > 0 ? QString::number(double(submitMs) / double(floorMs), 'f', 2) : u"-"_s;
    std::printf("%-40s %9s %7s %8s %7s %9s %9s %10s\n", qPrintable(name), qPrintable(ms(submitMs)),
                qPrintable(ms(double(submitMs) / trials)), qPrintable(ratio), qPrintable(logins), qPrintable(channels),
                qPrintable(commands), qPrintable(perPoll));
}

void timelineRow(const Round& r, int trials)
{
    const qint64 after = r.submitMs - r.lastSbatchMs;
    const bool placed = r.firstSbatchMs >= 0;
    std::printf("  %-13s %9s %11s %11s %11s %9s %10s %8s\n", qPrintable(r.name), qPrintable(ms(r.submitMs)),
                qPrintable(ms(r.firstSbatchMs)), qPrintable(placed ? ms(r.lastSbatchMs - r.firstSbatchMs) : u"-"_s),
                qPrintable(placed ? ms(after) : u"-"_s),
                qPrintable(placed ? ms(double(r.lastSbatchMs - r.firstSbatchMs) / (trials - 1)) : u"-"_s),
                qPrintable(ms(r.medianGapMs)), qPrintable(u"%1/%2"_s.arg(r.ranOk).arg(trials)));
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int trials = args.size() > 1 ? args.at(1).toInt() : 200;
    const int repeats = args.size() > 2 ? args.at(2).toInt() : 3;
    if (trials < 2 || repeats < 1 || args.size() > 3) {
        std::fprintf(stderr, "usage: bench_remote [TRIALS [REPEATS]]   (default 200 and 3)\n");
        return 2;
    }
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_remote starts its own sshd and Slurm, which needs root\n");
        return 2;
    }
    const QString loadAtStart = loadAverage();

    QTemporaryDir tmp(QDir::tempPath() + u"/swlbench-XXXXXX"_s);
    if (!tmp.isValid())
        return 1;
    const QString clusterDir = tmp.filePath(u"cluster"_s); // the "cluster's" side of the files
    const QString wrappers = tmp.filePath(u"bin"_s);
    const QString squeueLog = tmp.filePath(u"squeue.log"_s);
    QDir().mkpath(clusterDir);
    QDir().mkpath(wrappers);
    // squeue on the cluster logs which request of the helper ran it (the request file, the helper's
    // fd 3), so polls are counted on the server's side too. sbatch is not wrapped: every round runs
    // the very same /usr/bin/sbatch.
    writeTextFile(wrappers + u"/squeue"_s,
                  u"#!/bin/sh\nprintf '%s %s\\n' \"$(readlink /proc/$PPID/fd/3 | tr ' ' _)\" \"$*\" >> %1\n"
                  "exec /usr/bin/squeue \"$@\"\n"_s.arg(squeueLog),
                  0755);

    progress(u"starting Slurm (one node, %1 CPUs) and sshd on loopback"_s.arg(kSlurmCpus));
    SlurmOptions slurmOptions;
    slurmOptions.cpus = kSlurmCpus;
    SlurmFixture slurm(slurmOptions);
    if (!slurm.start()) {
        std::fprintf(stderr, "Slurm fixture: %s\n", qPrintable(slurm.errorString()));
        return 1;
    }
    SshServerOptions sshOptions;
    sshOptions.sessionEnvironment = slurm.sessionEnvironment();
    sshOptions.sessionEnvironment.insert(u"PATH"_s, wrappers + u":/usr/local/bin:/usr/bin:/bin"_s);
    SshServerFixture ssh(sshOptions);
    if (!ssh.start()) {
        std::fprintf(stderr, "sshd fixture: %s\n", qPrintable(ssh.errorString()));
        return 1;
    }
    const QString clientConfig = ssh.writeClientConfig();

    model::ClusterSettings cluster;
    cluster.scheduler = u"slurm"_s;
    cluster.host = kAlias;
    cluster.sshConfig = clientConfig;
    cluster.workdir = clusterDir;
    cluster.pollIntervalSeconds = kPollIntervalMs / 1000;

    QStringList problems;
    auto finishRound = [&](Round& r) {
        if (!waitForIdleQueue(slurm))
            problems << r.name + u": the Slurm queue did not drain"_s;
        r.ranOk = countExitCodes(r.folders);
        placeSubmissions(r, readText(slurm.controllerLogPath()));
        if (!r.error.isEmpty())
            problems << r.name + u": "_s + r.error;
        if (r.ranOk != trials)
            problems << u"%1: only %2 of %3 jobs wrote exit code 0"_s.arg(r.name).arg(r.ranOk).arg(trials);
        progress(u"%1: %2 ms to submit %3 jobs"_s.arg(r.name, ms(r.submitMs)).arg(trials));
    };

    // Floor, parallel floor and Sweepline rotate (F P S, P S F, S F P, ...) so that a drift in the
    // machine's load weighs on all alike.
    QList<Round> floors;
    QList<Round> parallelFloors;
    QList<SweeplineRound> sweeplines;
    for (int k = 1; k <= repeats; ++k) {
        for (int step = 0; step < 3; ++step) {
            const int kind = (step + k - 1) % 3;
            if (kind == 0) {
                progress(u"floor %1: %2 x sbatch on the node"_s.arg(k).arg(trials));
                floors.append(runFloor(k, clusterDir, slurm, trials));
                finishRound(floors.last());
            } else if (kind == 1) {
                progress(u"parallel floor %1: %2 x sbatch on the node, %3 at once"_s.arg(k).arg(trials).arg(kAtOnce));
                parallelFloors.append(runParallelFloor(k, clusterDir, slurm, trials));
                finishRound(parallelFloors.last());
            } else {
                progress(u"sweepline %1: %2 jobs through ClusterBackend"_s.arg(k).arg(trials));
                sweeplines.append(runSweepline(k, cluster, tmp.filePath(u"local"_s), ssh, squeueLog, trials));
                finishRound(sweeplines.last());
            }
        }
    }
    progress(u"ssh loop: %1 x ssh ... sbatch, one login each (slow)"_s.arg(trials));
    Round sshLoop = runSshLoop(clusterDir, clientConfig, ssh, trials);
    finishRound(sshLoop);
    progress(u"helper alone: %1 x sbatch from one request file, locally"_s.arg(trials));
    Round helperRound = runHelperLocally(clusterDir, tmp.path(), slurm, trials);
    finishRound(helperRound);

    progress(u"breakdown: SSH, SFTP, helper and local file costs, piece by piece"_s);
    const Breakdown b = measureBreakdown(cluster, tmp.path(), trials);
    if (!b.error.isEmpty())
        problems << u"breakdown: "_s + b.error;

    // ---- report --------------------------------------------------------------------------------
    const qint64 floorMs = medianSubmitMs(floors);
    const qint64 swlMs = medianSubmitMs(sweeplines);
    const qint64 parallelFloorMs = medianSubmitMs(parallelFloors);
    int polls = 0;
    int pollCommands = 0;
    int maxLogins = 0;
    int maxChannels = 0;
    int maxCommands = 0;
    for (const SweeplineRound& r : std::as_const(sweeplines)) {
        polls += r.polls;
        pollCommands += r.commands - r.commandsAtSubmitted;
        maxLogins = std::max({maxLogins, r.logins, r.sessionLogins});
        maxChannels = std::max(maxChannels, r.channelsAtSubmitted);
        maxCommands = std::max(maxCommands, r.commandsAtSubmitted);
    }
    std::printf("\nSubmitting %d no-op jobs (`%s`) to a one-node Slurm 22.05 (%d CPUs) on loopback\n", trials,
                qPrintable(kJobCommand), kSlurmCpus);
    std::printf("machine: %d CPUs, load average %s at the start, %s at the end\n", QThread::idealThreadCount(),
                qPrintable(loadAtStart), qPrintable(loadAverage()));
    std::printf("floors and sweepline: median of %d interleaved rounds; channels and commands: up to all submitted\n",
                repeats);
    std::printf(
        "sweepline runs %d submissions at once on the login node (cluster.parallel_submissions, its default)\n\n",
        kAtOnce);
    std::printf("%-40s %9s %7s %8s %7s %9s %9s %10s\n", "", "submit ms", "ms/job", "x floor", "logins", "channels",
                "commands", "cmds/poll");
    tableRow(u"floor: sbatch on the node, no SSH"_s, floorMs, trials, floorMs, u"0"_s, u"0"_s, QString::number(trials),
             u"-"_s);
    tableRow(u"parallel floor: %1 sbatch at once, no SSH"_s.arg(kAtOnce), parallelFloorMs, trials, floorMs, u"0"_s,
             u"0"_s, QString::number(trials), u"-"_s);
    tableRow(u"ssh loop: `ssh alias sbatch` per job"_s, sshLoop.submitMs, trials, floorMs,
             QString::number(sshLoop.logins), QString::number(trials), QString::number(trials), u"-"_s);
    tableRow(u"sweepline: ClusterBackend, one session"_s, swlMs, trials, floorMs, QString::number(maxLogins),
             QString::number(maxChannels), QString::number(maxCommands),
             polls > 0 ? QString::number(double(pollCommands) / polls, 'f', 2) : u"-"_s);

    const bool measured = floorMs > 0 && swlMs > 0 && problems.isEmpty();
    const double ratio = measured ? double(swlMs) / double(floorMs) : 0;
    std::printf("\ntarget: submitting the %d jobs takes at most %.1f x the floor: %s\n", trials, kTarget,
                !measured              ? "NOT MEASURED (see the problems below)"
                    : ratio <= kTarget ? qPrintable(u"met (%1 x)"_s.arg(ratio, 0, 'f', 2))
                                       : qPrintable(u"NOT met (%1 x)"_s.arg(ratio, 0, 'f', 2)));
    if (measured && parallelFloorMs > 0)
        std::printf("at equal concurrency (%d at once, no SSH): %.2f x the parallel floor, %s ms more\n", kAtOnce,
                    double(swlMs) / double(parallelFloorMs), qPrintable(ms(swlMs - parallelFloorMs)));

    std::printf("\nevery round, placed by slurmctld's log of its submissions (ms from the round's start):\n");
    std::printf("  %-13s %9s %11s %11s %11s %9s %10s %8s\n", "round", "submit ms", "1st sbatch", "sbatch span",
                "after last", "ms/sbatch", "median gap", "ran ok");
    for (const Round& r : std::as_const(floors))
        timelineRow(r, trials);
    for (const Round& r : std::as_const(parallelFloors))
        timelineRow(r, trials);
    for (const SweeplineRound& r : std::as_const(sweeplines))
        timelineRow(r, trials);
    timelineRow(sshLoop, trials);
    timelineRow(helperRound, trials);

    std::printf("\nsweepline rounds in full (poll interval %d ms, default batch delay):\n", kPollIntervalMs);
    std::printf("  %-13s %10s %9s %12s %10s %13s %13s %9s %10s\n", "round", "connected", "submitted", "1st finished",
                "finished", "logins (log)", "channels", "commands", "polls");
    for (const SweeplineRound& r : std::as_const(sweeplines)) {
        std::printf("  %-13s %10s %9s %12s %10s %13s %13d %9d %10s\n", qPrintable(r.name),
                    qPrintable(ms(r.connectedMs)), qPrintable(ms(r.submitMs)), qPrintable(ms(r.firstFinishedMs)),
                    qPrintable(ms(r.finishMs)), qPrintable(u"%1 (%2)"_s.arg(r.sessionLogins).arg(r.logins)), r.channels,
                    r.commands, qPrintable(u"%1"_s.arg(r.polls)));
        if (r.badExits > 0)
            problems << u"%1: %2 jobs finished without exit code 0"_s.arg(r.name).arg(r.badExits);
        if (r.squeueCalls != r.polls)
            problems << u"%1: squeue ran %2 times in %3 polls"_s.arg(r.name).arg(r.squeueCalls).arg(r.polls);
    }
    int largestPoll = 0;
    for (const SweeplineRound& r : std::as_const(sweeplines))
        largestPoll = std::max(largestPoll, r.maxJobsInOnePoll);
    std::printf("  (times in ms from the first submit(); channels = 1 SFTP + 1 for the helper, which serves every "
                "command; every poll was one command "
                "running squeue once, the largest for %d jobs)\n",
                largestPoll);

    std::printf("\nwhere the time goes, measured piece by piece on the same sshd:\n");
    std::printf("  SSH login + SFTP channel:                               %s ms\n", qPrintable(ms(b.connectMs)));
    std::printf("  one exec channel running `true` via root's login shell: %s ms\n", qPrintable(ms(b.execChannelMs)));
    std::printf("    bash started as sshd starts it (reads ~/.bashrc, which runs `pyenv init`): %s ms; without rc "
                "files: %s ms\n",
                qPrintable(ms(b.bashrcMs)), qPrintable(ms(b.bareBashMs)));
    std::printf("  SFTP makePath of a new job folder (SFTP uploads only):   %s ms\n", qPrintable(ms(b.mkdirMs)));
    std::printf("  SFTP writeFile of a job script (SFTP uploads only):      %s ms\n", qPrintable(ms(b.uploadMs)));
    std::printf("  SFTP round trip (stat):                                  %s ms\n", qPrintable(ms(b.statMs)));
    std::printf("  SFTP download of a small file (no stat), 2 per job:      %s ms\n", qPrintable(ms(b.downloadMs)));
    std::printf("  local copy, temporary file + rename, 3 per job:          %s ms; QSaveFile (fdatasync): %s ms\n",
                qPrintable(ms(b.plainFileMs)), qPrintable(ms(b.saveFileMs)));
    std::printf("  helper (agent.sh) per operation running /bin/true:       %s ms; a bash loop: %s ms\n",
                qPrintable(ms(b.helperPerOpMs)), qPrintable(ms(b.loopPerOpMs)));
    std::printf("  helper writing a job script into a new folder (put):     %s ms per file, %d in one request\n",
                qPrintable(ms(b.helperPutMs)), trials);

    for (const QString& p : std::as_const(problems))
        std::printf("problem: %s\n", qPrintable(p));
    std::fflush(stdout);
    return problems.isEmpty() ? 0 : 1;
}
