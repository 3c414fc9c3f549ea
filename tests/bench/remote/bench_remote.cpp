// Benchmark, not a test (never registered with ctest): submitting no-op Slurm jobs through
// ClusterBackend over one SSH session, against two references on the same machine:
//   - ssh loop: one `ssh -F <config> <alias> sbatch --parsable <job.sh>` per job (OpenSSH client,
//     the same sshd, one login per job);
//   - floor:    the same sbatch calls run directly on the node, no SSH at all.
// All three submit equivalent job scripts (rendered by renderJobScript with the Slurm adapter's
// directives). Starts and stops its own sshd and one-node Slurm on loopback, so it needs root, like
// the integration tests.
//
//   tests/bench/remote/run [TRIALS]        (default 200; builds the release preset first)

#include "model/campaign.h"
#include "remote/clusterbackend.h"
#include "remote/jobscript.h"
#include "remote/scheduler.h"
#include "remote/ssh/agentprotocol.h"
#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshsession.h"
#include "support/slurmfixture.h"
#include "support/sshserverfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <unistd.h>

using namespace sweepline;
using namespace sweepline::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kAlias = u"sweepline-test"_s;   // SshClientConfig's default alias
const QString kJobCommand = u"echo loss: 0"_s;
constexpr double kTarget = 1.5;                 // Sweepline's submission at most 1.5 x the floor
constexpr int kSlurmCpus = 64;                  // no-op jobs: let the one node run many at once
constexpr int kPollIntervalMs = 1000;
constexpr int kRoundTimeoutMs = 20 * 60 * 1000;

void progress(const QString& text)
{
    std::fprintf(stderr, "# %s\n", qPrintable(text));
    std::fflush(stderr);
}

class NoPrompts final : public remote::ssh::CredentialPrompter {
public:
    bool acceptNewHostKey(const remote::ssh::HostKeyInfo&) override { return false; }
    std::optional<QString> passphrase(const QString&) override { return std::nullopt; }
    std::optional<QString> password(const QString&, const QString&) override { return std::nullopt; }
    std::optional<QStringList> keyboardInteractive(const QString&, const QString&,
                                                   const QList<remote::ssh::InteractivePrompt>&) override
    {
        return std::nullopt;
    }
};

bool writeBytes(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

int countOf(const QString& text, const QString& what)
{
    return int(text.count(what));
}

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// The job folders a reference submits from, each with the job.sh ClusterBackend would upload.
QStringList prepareJobFolders(const QString& base, const QString& tokenPrefix, int trials)
{
    const auto slurm = remote::makeSchedulerAdapter(u"slurm"_s);
    QStringList folders;
    for (int i = 1; i <= trials; ++i) {
        const QString dir = QStringLiteral("%1/%2").arg(base).arg(i);
        QDir().mkpath(dir);
        remote::JobSpec spec;
        spec.token = QStringLiteral("%1-%2").arg(tokenPrefix).arg(i);
        spec.jobDirectory = dir;
        remote::JobScriptInput script;
        script.campaign = u"bench"_s;
        script.trialId = i;
        script.token = spec.token;
        script.runDirectory = dir;
        script.directiveLines = slurm->directiveLines(spec);
        script.command = kJobCommand;
        if (!writeTextFile(dir + u"/job.sh"_s, remote::renderJobScript(script), 0755))
            return {};
        folders.append(dir);
    }
    return folders;
}

int countExitCodes(const QStringList& folders)
{
    int ok = 0;
    for (const QString& dir : folders)
        ok += readText(dir + u"/exit_code"_s).trimmed() == u"0"_s ? 1 : 0;
    return ok;
}

int countJobIds(const QByteArray& out)
{
    static const QRegularExpression id(u"^[0-9]+(;.*)?$"_s);
    int n = 0;
    for (const QByteArray& line : out.split('\n'))
        n += id.match(QString::fromUtf8(line.trimmed())).hasMatch() ? 1 : 0;
    return n;
}

// Every job of the previous round has left the queue (run or not): rounds do not overlap.
bool waitForIdleQueue(const SlurmFixture& slurm)
{
    return waitUntil(
        [&] {
            const ProcessResult r = slurm.run(u"squeue"_s, {u"--noheader"_s, u"--all"_s,
                                                            u"--states=PENDING,CONFIGURING,RUNNING,COMPLETING"_s,
                                                            u"--format=%i"_s});
            return r.ok() && r.out.trimmed().isEmpty();
        },
        kRoundTimeoutMs, 250);
}

struct Round {
    qint64 submitMs = -1;
    int logins = -1;       // from the sshd log
    int channels = -1;
    int commands = -1;
    int ranOk = 0;         // exit_code 0 written by the job
    QString error;
};

Round shellLoop(const QString& script, const QStringList& args, const QProcessEnvironment& env, int trials)
{
    Round r;
    QElapsedTimer clock;
    clock.start();
    const ProcessResult p = runProcess(u"bash"_s, QStringList{u"-c"_s, script, u"bash"_s} + args, env, kRoundTimeoutMs);
    r.submitMs = clock.elapsed();
    if (!p.ok())
        r.error = p.describe();
    else if (const int ids = countJobIds(p.out); ids != trials)
        r.error = QStringLiteral("%1 job ids for %2 jobs: %3").arg(ids).arg(trials).arg(p.describe());
    return r;
}

struct SweeplineRound : Round {
    qint64 loginMs = -1;             // from the first submit() to "connected" (login, SFTP, agent)
    qint64 finishMs = -1;            // from the first submit() to the last `finished`
    int sessionLogins = -1;          // ClusterBackend::logins()
    int commandsAtSubmitted = -1;    // commandsSent() once every job was submitted
    int channelsAtSubmitted = -1;
    int polls = 0;                   // remote commands that ran squeue (the squeue wrapper's log)
    int squeueCalls = 0;
    int maxJobsInOnePoll = 0;
    int badExits = 0;
};

SweeplineRound runSweepline(const model::ClusterSettings& cluster, const QString& localBase, int trials,
                            const SshServerFixture& ssh, const QString& squeueLog, QStringList* remoteFolders)
{
    SweeplineRound r;
    auto endpoint = remote::ssh::resolveEndpoint(cluster);
    if (!endpoint) {
        r.error = endpoint.error();
        return r;
    }
    remote::ClusterOptions options;
    options.campaign = u"sweepline"_s;
    options.workdir = cluster.workdir;
    options.pollIntervalMs = kPollIntervalMs;   // batchDelayMs: the default
    NoPrompts prompter;
    remote::ClusterBackend backend(std::move(endpoint).value(), remote::makeSchedulerAdapter(cluster.scheduler),
                                   options, prompter);
    const int loginsBefore = countOf(ssh.log(), u"Accepted publickey"_s);
    QFile::remove(squeueLog);

    QEventLoop loop;
    QElapsedTimer clock;
    int submitted = 0;
    int finished = 0;
    auto stop = [&](const QString& error) {
        if (r.error.isEmpty())
            r.error = error;
        loop.quit();
    };
    QObject::connect(&backend, &remote::JobBackend::connectionChanged, &loop, [&](const QString& state) {
        if (r.loginMs < 0 && state.startsWith(u"connected"_s))
            r.loginMs = clock.elapsed();
    });
    QObject::connect(&backend, &remote::JobBackend::submitted, &loop, [&] {
        if (++submitted == trials) {
            r.submitMs = clock.elapsed();
            r.commandsAtSubmitted = backend.commandsSent();
            r.channelsAtSubmitted = backend.channelsOpened();
        }
    });
    QObject::connect(&backend, &remote::JobBackend::finished, &loop, [&](qint64, const remote::JobEnd& end) {
        if (!end.exitCode || *end.exitCode != 0)
            ++r.badExits;
        if (++finished == trials) {
            r.finishMs = clock.elapsed();
            loop.quit();
        }
    });
    QObject::connect(&backend, &remote::JobBackend::submitFailed, &loop, [&](qint64 id, const QString& why) {
        stop(QStringLiteral("trial %1 refused: %2").arg(id).arg(why));
    });
    QObject::connect(&backend, &remote::JobBackend::notSubmitted, &loop, [&](qint64 id, const QString& why) {
        stop(QStringLiteral("trial %1 not submitted: %2").arg(id).arg(why));
    });
    QObject::connect(&backend, &remote::JobBackend::fatalError, &loop, [&](const QString& why) { stop(why); });
    QTimer watchdog;
    watchdog.setSingleShot(true);
    QObject::connect(&watchdog, &QTimer::timeout, &loop, [&] {
        stop(QStringLiteral("gave up after %1 s: %2 of %3 submitted, %4 finished")
                 .arg(kRoundTimeoutMs / 1000).arg(submitted).arg(trials).arg(finished));
    });

    watchdog.start(kRoundTimeoutMs);
    clock.start();
    for (int i = 1; i <= trials; ++i) {
        remote::JobRequest request;
        request.trialId = i;
        request.token = QStringLiteral("bench-swl-%1").arg(i);
        request.runDirectory = QStringLiteral("%1/%2").arg(localBase).arg(i);
        request.script.campaign = u"bench"_s;
        request.script.trialId = i;
        request.script.token = request.token;
        request.script.command = kJobCommand;
        backend.submit(request);
    }
    loop.exec();

    r.sessionLogins = backend.logins();
    r.channels = backend.channelsOpened();
    r.commands = backend.commandsSent();
    r.logins = countOf(ssh.log(), u"Accepted publickey"_s) - loginsBefore;

    // One line per squeue run on the cluster: "<pid of the agent that ran it> <arguments>".
    QSet<QString> agents;
    const QStringList lines = readText(squeueLog).split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        agents.insert(line.section(u' ', 0, 0));
        static const QRegularExpression names(u"--name=(\\S+)"_s);
        if (const auto m = names.match(line); m.hasMatch())
            r.maxJobsInOnePoll = std::max(r.maxJobsInOnePoll, int(m.captured(1).count(u',')) + 1);
    }
    r.squeueCalls = int(lines.size());
    r.polls = int(agents.size());
    for (int i = 1; i <= trials; ++i)
        remoteFolders->append(QStringLiteral("%1/%2/%3").arg(cluster.workdir, options.campaign).arg(i));
    return r;
}

// Where the time of one submission goes, measured piece by piece on the same sshd.
struct Breakdown {
    double connectMs = -1;        // login + SFTP channel (+ home folder)
    double execChannelMs = -1;    // one exec channel running `true` through the login shell
    double bashrcMs = -1;         // root's ~/.bashrc, which that shell reads (locally, as sshd's bash would)
    double bareBashMs = -1;       // bash without rc files
    double mkdirMs = -1;          // SshSession::makePath of a new job folder (as ClusterBackend calls it)
    double uploadMs = -1;         // SshSession::writeFile of a job script
    double statMs = -1;           // one SFTP round trip (exists)
    double downloadMs = -1;       // exists + readFile of a small file (collecting: 3 per job)
    double agentPerOpMs = -1;     // the helper running `true` N times, per operation
    double loopPerOpMs = -1;      // a bash loop running `true` N times, per iteration
    QString error;
};

template <typename F>
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
    NoPrompts prompter;
    remote::ssh::SshSession session;
    QElapsedTimer t;
    t.start();
    if (auto connected = session.connect(endpoint.value(), prompter, false); !connected) {
        b.error = connected.error();
        return b;
    }
    b.connectMs = double(t.nsecsElapsed()) / 1e6;
    bool ok = true;
    b.execChannelMs = meanMs(5, [&](int) { ok = session.run(QByteArrayLiteral("true")).ok() && ok; });

    const QString probe = cluster.workdir + u"/probe"_s;
    const QByteArray script(700, '#');    // about the size of a rendered job script
    constexpr int samples = 50;
    b.mkdirMs = meanMs(samples, [&](int i) { ok = session.makePath(QStringLiteral("%1/%2").arg(probe).arg(i)).ok() && ok; });
    b.uploadMs = meanMs(samples, [&](int i) {
        ok = session.writeFile(QStringLiteral("%1/%2/job.sh").arg(probe).arg(i), script, 0755).ok() && ok;
    });
    b.statMs = meanMs(samples, [&](int i) { ok = session.exists(QStringLiteral("%1/%2/job.sh").arg(probe).arg(i)).ok() && ok; });
    b.downloadMs = meanMs(samples, [&](int i) {
        const QString file = QStringLiteral("%1/%2/job.sh").arg(probe).arg(i);
        ok = session.exists(file).ok() && session.readFile(file, 1 << 20).ok() && ok;
    });
    session.disconnect();
    if (!ok)
        b.error = u"an SSH operation failed during the breakdown"_s;

    // The login shell's start-up, locally: bash reads ~/.bashrc when sshd runs it (SSH_CLIENT set,
    // SHLVL unset), exactly as for every exec channel.
    QProcessEnvironment sshLike = QProcessEnvironment::systemEnvironment();
    sshLike.remove(u"SHLVL"_s);
    sshLike.insert(u"SSH_CLIENT"_s, u"127.0.0.1 40000 22"_s);
    b.bashrcMs = meanMs(5, [&](int) { ok = runProcess(u"bash"_s, {u"-c"_s, u"true"_s}, sshLike).ok() && ok; });
    b.bareBashMs = meanMs(5, [&](int) {
        ok = runProcess(u"bash"_s, {u"--norc"_s, u"--noprofile"_s, u"-c"_s, u"true"_s}).ok() && ok;
    });

    // The helper's own cost per operation: N runs of /bin/true through it, against a bash loop.
    const QString agent = scratch + u"/agent.sh"_s;
    const QString request = scratch + u"/agent.req"_s;
    QList<remote::ssh::AgentOperation> ops;
    for (int i = 0; i < trials; ++i)
        ops.append(remote::ssh::AgentOperation::run({u"/bin/true"_s}, scratch));
    const auto encoded = remote::ssh::encodeAgentRequest(ops);
    if (!encoded || !writeBytes(agent, remote::ssh::agentScript()) || !writeBytes(request, encoded.value())) {
        b.error = u"cannot write the helper and its request"_s;
        return b;
    }
    b.agentPerOpMs = meanMs(1, [&](int) {
        const ProcessResult p = runProcess(u"bash"_s, {u"--norc"_s, agent, request});
        ok = p.ok() && remote::ssh::decodeAgentReply(p.out, trials).ok() && ok;
    }) / trials;
    b.loopPerOpMs = meanMs(1, [&](int) {
        ok = runProcess(u"bash"_s, {u"--norc"_s, u"-c"_s, QStringLiteral("for ((i = 0; i < %1; i++)); do /bin/true; done").arg(trials)}).ok() && ok;
    }) / trials;
    if (!ok && b.error.isEmpty())
        b.error = u"a local measurement failed during the breakdown"_s;
    return b;
}

QString ms(double v)
{
    return v < 0 ? u"-"_s : QString::number(v, 'f', v < 10 ? 2 : 0);
}

void row(const char* name, const Round& r, int trials, qint64 floorMs, const QString& channels,
         const QString& commands)
{
    const QString ratio = (r.submitMs > 0 && floorMs > 0) ? QString::number(double(r.submitMs) / double(floorMs), 'f', 2)
                                                         : u"-"_s;
    std::printf("%-36s %9s %8s %8s %7s %9s %10s %7s\n", name, qPrintable(ms(double(r.submitMs))),
                qPrintable(ms(double(r.submitMs) / trials)), qPrintable(ratio),
                qPrintable(r.logins < 0 ? u"-"_s : QString::number(r.logins)), qPrintable(channels),
                qPrintable(commands), qPrintable(QStringLiteral("%1/%2").arg(r.ranOk).arg(trials)));
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int trials = args.size() > 1 ? args.at(1).toInt() : 200;
    if (trials < 1 || args.size() > 2) {
        std::fprintf(stderr, "usage: bench_remote [TRIALS]   (default 200)\n");
        return 2;
    }
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_remote starts its own sshd and Slurm, which needs root\n");
        return 2;
    }

    QTemporaryDir tmp(QDir::tempPath() + u"/swlbench-XXXXXX"_s);
    if (!tmp.isValid())
        return 1;
    const QString clusterDir = tmp.filePath(u"cluster"_s);  // the "cluster's" side of the files
    const QString wrappers = tmp.filePath(u"bin"_s);
    const QString squeueLog = tmp.filePath(u"squeue.log"_s);
    QDir().mkpath(clusterDir);
    QDir().mkpath(wrappers);
    // squeue on the cluster logs who ran it, to count polls from the server's side. sbatch is not
    // wrapped: every submission path runs the very same /usr/bin/sbatch.
    writeTextFile(wrappers + u"/squeue"_s,
                  QStringLiteral("#!/bin/sh\nprintf '%s %s\\n' \"$PPID\" \"$*\" >> %1\nexec /usr/bin/squeue \"$@\"\n").arg(squeueLog),
                  0755);

    progress(QStringLiteral("starting Slurm (one node, %1 CPUs) and sshd on loopback").arg(kSlurmCpus));
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

    const QStringList floorFolders = prepareJobFolders(clusterDir + u"/floor"_s, u"bench-floor"_s, trials);
    const QStringList sshFolders = prepareJobFolders(clusterDir + u"/ssh-loop"_s, u"bench-ssh"_s, trials);
    if (floorFolders.size() != trials || sshFolders.size() != trials) {
        std::fprintf(stderr, "cannot write the job folders under %s\n", qPrintable(clusterDir));
        return 1;
    }

    // Floor: sbatch on the node itself.
    progress(QStringLiteral("floor: %1 x sbatch, locally").arg(trials));
    Round floor = shellLoop(u"for d in \"$@\"; do sbatch --parsable \"$d/job.sh\" || exit 1; done"_s, floorFolders,
                            slurm.environment(), trials);
    floor.commands = trials;
    const bool floorIdle = waitForIdleQueue(slurm);
    floor.ranOk = countExitCodes(floorFolders);

    // Sweepline: ClusterBackend through the sshd, until every job has finished and been collected.
    progress(QStringLiteral("sweepline: %1 jobs through ClusterBackend").arg(trials));
    QStringList swlFolders;
    SweeplineRound swl = runSweepline(cluster, tmp.filePath(u"local"_s), trials, ssh, squeueLog, &swlFolders);
    const bool swlIdle = waitForIdleQueue(slurm);
    swl.ranOk = countExitCodes(swlFolders);

    // Reference: one OpenSSH login per job.
    progress(QStringLiteral("ssh loop: %1 x ssh ... sbatch (one login each)").arg(trials));
    const int loginsBefore = countOf(ssh.log(), u"Accepted publickey"_s);
    Round sshLoop = shellLoop(u"cfg=$1 host=$2; shift 2\n"
                              "for d in \"$@\"; do ssh -n -F \"$cfg\" \"$host\" sbatch --parsable \"$d/job.sh\" || exit 1; done"_s,
                              QStringList{clientConfig, kAlias} + sshFolders, {}, trials);
    sshLoop.logins = countOf(ssh.log(), u"Accepted publickey"_s) - loginsBefore;
    sshLoop.channels = trials;
    sshLoop.commands = trials;
    const bool sshIdle = waitForIdleQueue(slurm);
    sshLoop.ranOk = countExitCodes(sshFolders);

    progress(u"breakdown: SSH, SFTP and helper costs piece by piece"_s);
    const Breakdown b = measureBreakdown(cluster, tmp.path(), trials);

    // ---- report --------------------------------------------------------------------------------
    std::printf("\nSubmitting %d no-op jobs (`%s`) to a one-node Slurm 22.05 (%d CPUs) on loopback\n", trials,
                qPrintable(kJobCommand), kSlurmCpus);
    std::printf("%-36s %9s %8s %8s %7s %9s %10s %7s\n", "", "submit ms", "ms/job", "x floor", "logins", "channels",
                "commands", "ran ok");
    row("floor: sbatch on the node, no SSH", floor, trials, floor.submitMs, u"-"_s, QString::number(floor.commands));
    row("ssh loop: ssh alias sbatch, per job", sshLoop, trials, floor.submitMs, QString::number(sshLoop.channels),
        QString::number(sshLoop.commands));
    row("sweepline: ClusterBackend", swl, trials, floor.submitMs,
        QStringLiteral("%1").arg(swl.channelsAtSubmitted), QStringLiteral("%1").arg(swl.commandsAtSubmitted));

    std::printf("\nsweepline, whole run (poll interval %d ms, default batch delay):\n", kPollIntervalMs);
    std::printf("  login, SFTP and helper check (to \"connected\"): %s ms\n", qPrintable(ms(double(swl.loginMs))));
    std::printf("  all %d submitted:                             %s ms\n", trials, qPrintable(ms(double(swl.submitMs))));
    std::printf("  all %d finished and collected:                %s ms (%d with a non-zero or missing exit code)\n", trials,
                qPrintable(ms(double(swl.finishMs))), swl.badExits);
    std::printf("  SSH logins: %d by ClusterBackend::logins(), %d \"Accepted publickey\" in the sshd log\n",
                swl.sessionLogins, swl.logins);
    std::printf("  channels opened: %d (1 SFTP + 1 per command); remote commands: %d (%d to submit)\n", swl.channels,
                swl.commands, swl.commandsAtSubmitted);
    const int pollCommands = swl.commands - swl.commandsAtSubmitted;
    std::printf("  polls seen on the cluster: %d (squeue ran %d times); commands while polling: %d -> %s per poll; "
                "largest poll covered %d jobs\n",
                swl.polls, swl.squeueCalls, pollCommands,
                qPrintable(swl.polls > 0 ? QString::number(double(pollCommands) / swl.polls, 'f', 2) : u"-"_s),
                swl.maxJobsInOnePoll);

    std::printf("\nwhere the time goes (same sshd, measured piece by piece):\n");
    if (!b.error.isEmpty())
        std::printf("  (incomplete: %s)\n", qPrintable(b.error));
    std::printf("  SSH login + SFTP channel:                        %s ms\n", qPrintable(ms(b.connectMs)));
    std::printf("  one exec channel (`true` via root's login shell): %s ms\n", qPrintable(ms(b.execChannelMs)));
    std::printf("    of which ~/.bashrc (pyenv init), bash as sshd runs it: %s ms vs %s ms without rc files\n",
                qPrintable(ms(b.bashrcMs)), qPrintable(ms(b.bareBashMs)));
    std::printf("  SFTP per job folder, makePath (mkdir -p):        %s ms\n", qPrintable(ms(b.mkdirMs)));
    std::printf("  SFTP per job script, writeFile:                  %s ms\n", qPrintable(ms(b.uploadMs)));
    std::printf("  SFTP round trip (stat):                          %s ms\n", qPrintable(ms(b.statMs)));
    std::printf("  SFTP download (stat + read), 3 per finished job: %s ms\n", qPrintable(ms(b.downloadMs)));
    std::printf("  helper per operation (run /bin/true):            %s ms vs %s ms in a bash loop\n",
                qPrintable(ms(b.agentPerOpMs)), qPrintable(ms(b.loopPerOpMs)));
    const double floorPerJob = double(floor.submitMs) / trials;
    const double model = b.connectMs + b.execChannelMs
                         + trials * (b.mkdirMs + b.uploadMs + floorPerJob + (b.agentPerOpMs - b.loopPerOpMs));
    std::printf("  model of sweepline's submission: login + 1 channel + %d x (mkdir + upload + floor sbatch + helper "
                "overhead) = %s ms (measured %s ms)\n",
                trials, qPrintable(ms(model)), qPrintable(ms(double(swl.submitMs))));

    QStringList problems;
    auto check = [&](const char* name, const Round& r) {
        if (!r.error.isEmpty())
            problems << QStringLiteral("%1: %2").arg(QLatin1String(name), r.error);
        if (r.ranOk != trials)
            problems << QStringLiteral("%1: only %2 of %3 jobs wrote exit code 0").arg(QLatin1String(name)).arg(r.ranOk).arg(trials);
    };
    check("floor", floor);
    check("ssh loop", sshLoop);
    check("sweepline", swl);
    if (!floorIdle || !swlIdle || !sshIdle)
        problems << u"the Slurm queue did not drain between rounds"_s;

    const bool measured = swl.submitMs > 0 && floor.submitMs > 0 && problems.isEmpty();
    const double ratio = measured ? double(swl.submitMs) / double(floor.submitMs) : 0;
    std::printf("\ntarget: submitting the %d jobs takes at most %.1f x the floor: %s (%s)\n", trials, kTarget,
                !measured ? "NOT MEASURED" : ratio <= kTarget ? "met" : "NOT met",
                measured ? qPrintable(QStringLiteral("%1 x").arg(ratio, 0, 'f', 2)) : "see the problems below");
    for (const QString& p : std::as_const(problems))
        std::printf("problem: %s\n", qPrintable(p));
    std::fflush(stdout);
    return problems.isEmpty() ? 0 : 1;
}
