// The contract every scheduler adapter keeps, run over each of them (one data row per adapter), fed
// with the recorded answers under data/ (the slurm "recorded_*" files come from a real Slurm 22.05;
// the others follow the documented formats, see SOURCES.md). What one scheduler alone does stays in
// its own tst_<name>adapter.
#include "adaptertest.h"

#include "remote/schedulers/remotequote.h"
#include "support/verifyresult.h"

#include <functional>

using namespace sweepline::remote;
using namespace sweepline;
using namespace adaptertest;
using namespace Qt::StringLiterals;

namespace {

// A command's recorded answer: fixture names (empty: no output) and the exit code.
struct Answer {
    QString out;
    QString err;
    int exitCode = 0;
};

struct Case {
    QString name;
    QString jobNameDirective; // a user directive that would take the job name over
    QString limitLine;        // the directive line for 25:01:01 (90061 s); empty: none (the backend enforces it)
    std::function<QString(int)> jobId; // the i-th job id in this scheduler's format

    Answer submitted;
    QString submittedId;
    Answer refused;
    QString refusedWords;
    std::optional<Answer> limited; // none: this scheduler has no known limit text
    QString limitedWords;
    std::optional<Answer> unclear; // none: every answer of this launcher is a yes or a no

    Answer status;        // a successful poll with several jobs
    Answer statusError;   // the scheduler's own error text
    Answer statusNothing; // a poll that mentions no job at all
    Answer unknownState;  // holds unknownJob in a state the adapter does not know
    QString unknownJob;

    Answer lookupFound;
    QString lookupId;
    QString lookupToken; // the token lookupFound was recorded for; empty: makeSpec()'s
    Answer lookupNone;
};

QString plainId(int i)
{
    return QString::number(48000 + i);
}

const QList<Case>& cases()
{
    static const QList<Case> all{
        {
            u"slurm"_s,
            u"--job-name=other"_s,
            u"#SBATCH --time=1-01:01:01"_s,
            plainId,
            {u"slurm/recorded_sbatch_22.05.out"_s, {}, 0},
            u"1"_s,
            {{}, u"slurm/recorded_sbatch_invalid_partition_22.05.err"_s, 1},
            u"Invalid partition name specified"_s,
            Answer{{}, u"slurm/recorded_sbatch_throttle_22.05.err"_s, 1},
            u"Reached jobs per hour limit"_s,
            Answer{{}, u"slurm/sbatch_timeout.err"_s, 1},
            {u"slurm/recorded_squeue_22.05.out"_s, {}, 0},
            {{}, u"slurm/recorded_squeue_controller_down_22.05.err"_s, 1},
            {{}, {}, 0},
            {u"slurm/squeue_array_and_unknown.out"_s, {}, 0},
            u"2002"_s,
            {u"slurm/recorded_lookup_22.05.out"_s, {}, 0},
            u"3"_s,
            u"swh4test0-3"_s,
            {{}, {}, 0},
        },
        {
            u"pjm"_s,
            u"-N other"_s,
            u"#PJM -L elapse=25:01:01"_s,
            plainId,
            {u"pjm/pjsub_ok.out"_s, {}, 0},
            u"12345"_s,
            {{}, u"pjm/pjsub_node_limit.err"_s, 1},
            u"PJM 0057"_s,
            std::nullopt, // no public pjsub text for a per-user limit (SOURCES.md)
            {},
            Answer{{}, {}, 0},
            {u"pjm/pjstat_combined.out"_s, {}, 0},
            {{}, u"pjm/pjstat_server_down.err"_s, 1},
            {{}, u"pjm/pjstat_invalid_jobid.err"_s, 1},
            {u"pjm/pjstat_unknown_state.out"_s, {}, 0},
            u"48969030"_s,
            {u"pjm/lookup_active.out"_s, {}, 0},
            u"48969050"_s,
            {},
            {u"pjm/lookup_none.out"_s, {}, 0},
        },
        {
            u"pbs"_s,
            u"-N other"_s,
            u"#PBS -l walltime=25:01:01"_s,
            [](int i) { return plainId(i) + u".pbs-server"_s; },
            {u"pbs/qsub_ok.out"_s, {}, 0},
            u"1234.pbs-server"_s,
            {{}, u"pbs/qsub_unknown_queue.err"_s, 170},
            u"qsub: Unknown queue"_s,
            Answer{{}, u"pbs/qsub_queue_user_limit.err"_s, 38},
            u"per-user limit"_s,
            Answer{{}, {}, 0},
            {u"pbs/qstat_all_states.json"_s, {}, 0},
            {{}, u"pbs/qstat_server_down.err"_s, 1},
            {{}, u"pbs/qstat_unknown.err"_s, 153},
            {u"pbs/qstat_all_states.json"_s, {}, 0},
            u"115.pbs-server"_s, // "M": moved to another server
            {u"pbs/qselect_one.out"_s, {}, 0},
            u"1300.pbs-server"_s,
            {},
            {{}, {}, 0},
        },
        {
            u"ssh"_s,
            u"-N other"_s, // any directive: nothing would read it
            {},
            [](int i) { return QString::number(4000 + i); },
            {u"ssh/submit_ok.out"_s, {}, 0},
            u"4242"_s,
            {{}, u"ssh/submit_no_folder.err"_s, 1},
            u"No such file"_s,
            std::nullopt,
            {},
            std::nullopt, // the launch waits for job.pid: a pid, or a refusal
            {u"ssh/status_mixed.out"_s, {}, 0},
            {{}, u"ssh/ps_syntax_error.err"_s, 1},
            {u"ssh/status_done.out"_s, {}, 0},
            {u"ssh/status_reused_pid.out"_s, {}, 0},
            u"4250"_s, // a pid now running another program
            {u"ssh/lookup_pid.out"_s, {}, 0},
            u"4242"_s,
            {},
            {u"ssh/lookup_none.out"_s, {}, 0},
        },
    };
    return all;
}

const Case& caseNamed(const QString& name)
{
    for (const Case& c : cases()) {
        if (c.name == name)
            return c;
    }
    qFatal("no contract case %s", qPrintable(name));
}

struct Adapter {
    const Case& c;
    std::unique_ptr<SchedulerAdapter> adapter;

    SubmitOutcome submit(const Answer& a) const
    {
        return adapter->parseSubmit(fixture(a.out), fixture(a.err), a.exitCode);
    }
    model::Result<QList<SchedulerJobStatus>> status(const Answer& a) const
    {
        return adapter->parseStatus(fixture(a.out), fixture(a.err), a.exitCode);
    }
    model::Result<QString> lookup(const Answer& a, const QString& token = {}) const
    {
        JobSpec spec = makeSpec();
        if (!token.isEmpty())
            spec.token = token;
        return adapter->parseLookup(spec, fixture(a.out), fixture(a.err), a.exitCode);
    }
};

// The arguments a command hands its program, apart from a fixed "sh -c SCRIPT" / "bash -c SCRIPT".
QStringList valueArguments(const RemoteCommand& command)
{
    const QStringList& argv = command.argv;
    if (argv.size() >= 3 && (argv.at(0) == u"sh"_s || argv.at(0) == u"bash"_s) && argv.at(1) == u"-c"_s)
        return argv.mid(3);
    return argv.mid(1);
}

// The words of a command's value arguments: "--name=a,b" and "jid=1+2" name a, b, 1 and 2.
QStringList words(const RemoteCommand& command)
{
    static const QRegularExpression separators(u"[=,+\\s]"_s);
    QStringList result;
    for (const QString& arg : valueArguments(command))
        result += arg.split(separators, Qt::SkipEmptyParts);
    return result;
}

// No value of a job inside a script or any other shell-interpreted text: a script is fixed text, the
// values travel as separate arguments, and the whole line suits any login shell.
void verifyArgvOnly(const RemoteCommand& command, const QStringList& values)
{
    QVERIFY2(!command.argv.isEmpty(), "no command");
    static const QRegularExpression program(u"^[a-z]+$"_s);
    QVERIFY2(program.match(command.argv.first()).hasMatch(), qPrintable(command.argv.first()));
    if (command.argv.value(1) == u"-c"_s) {
        for (const QString& value : values)
            QVERIFY2(!command.argv.at(2).contains(value), qPrintable(u"the script holds "_s + value));
    }
    QVERIFY2(!remoteCommandLine(command).isEmpty(), qPrintable(command.argv.join(u' ')));
}

bool isTerminal(SchedulerJobState state)
{
    return state == SchedulerJobState::Finished || state == SchedulerJobState::Cancelled
        || state == SchedulerJobState::Rejected;
}

} // namespace

class TestSchedulerContract : public QObject {
    Q_OBJECT

    static void addRows()
    {
        QTest::addColumn<QString>("scheduler");
        for (const Case& c : cases())
            QTest::addRow("%s", qPrintable(c.name)) << c.name;
    }

    static Adapter current()
    {
        QFETCH(QString, scheduler);
        return {caseNamed(scheduler), makeSchedulerAdapter(scheduler)};
    }

private slots:
    void factoryMakesIt_data() { addRows(); }
    void factoryMakesIt()
    {
        const Adapter a = current();
        QVERIFY(a.adapter);
        QCOMPARE(a.adapter->name(), a.c.name);
        QVERIFY(checkJobSpec(*a.adapter, makeSpec()));
    }

    // The job's values go to the program as arguments; the user's directives go to the job script, never
    // to a command line.
    void submitCommandIsArgvOnly_data() { addRows(); }
    void submitCommandIsArgvOnly()
    {
        const Adapter a = current();
        const JobSpec spec = makeSpec();
        const RemoteCommand command = a.adapter->submitCommand(spec);
        verifyArgvOnly(command, {spec.token, spec.jobDirectory});
        QVERIFY(command.argv.join(u' ').contains(spec.jobDirectory) || command.workingDirectory == spec.jobDirectory);

        if (a.c.name == u"ssh"_s)
            return; // takes no directives at all (refusesHostileSpecs)
        const QString hostileDirective = u"--comment='x' $(touch INJECTED) `id`; rm -rf ~ \"y\" \\ %j"_s;
        const JobSpec withDirective = makeSpec({hostileDirective});
        QVERIFY_RESULT(checkJobSpec(*a.adapter, withDirective));
        QVERIFY(a.adapter->directiveLines(withDirective).last().endsWith(hostileDirective));
        const RemoteCommand submit = a.adapter->submitCommand(withDirective);
        QVERIFY(carriesNone(submit, {u"INJECTED"_s, u"`id`"_s, u"rm -rf"_s}));
    }

    void refusesHostileSpecs_data() { addRows(); }
    void refusesHostileSpecs()
    {
        const Adapter a = current();
        QList<JobSpec> hostile;
        for (const QString& token : hostileTokens()) {
            hostile.append(makeSpec());
            hostile.last().token = token;
        }
        for (const QString& folder : {u"runs/7"_s, u"/home/a b/7"_s, u"/home/a'b"_s, u"/home/$(id)"_s, u"/x;y"_s}) {
            hostile.append(makeSpec());
            hostile.last().jobDirectory = folder;
        }
        hostile.append(makeSpec({u"-p gpu\n#SBATCH --wrap=x"_s}));
        hostile.append(makeSpec({a.c.jobNameDirective}));
        hostile.append(makeSpec({}, 0));
        hostile.append(makeSpec({}, -60));
        for (const JobSpec& spec : std::as_const(hostile)) {
            const QString what = rowName(spec.token + u' ' + spec.jobDirectory + u' ' + spec.directives.join(u' '));
            QVERIFY2(!checkJobSpec(*a.adapter, spec), qPrintable(what));
            QVERIFY2(a.adapter->directiveLines(spec).isEmpty(), qPrintable(what));
            QVERIFY2(a.adapter->submitCommand(spec).argv.isEmpty(), qPrintable(what));
        }
    }

    void timeLimitInSchedulerFormat_data() { addRows(); }
    void timeLimitInSchedulerFormat()
    {
        const Adapter a = current();
        const JobSpec spec = makeSpec({}, 86400 + 3600 + 61);
        QVERIFY_RESULT(checkJobSpec(*a.adapter, spec));
        const QStringList withLimit = a.adapter->directiveLines(spec);
        const QStringList without = a.adapter->directiveLines(makeSpec());
        if (a.c.limitLine.isEmpty()) {
            QCOMPARE(withLimit, without);
            return;
        }
        QCOMPARE(withLimit.count(a.c.limitLine), 1);
        QVERIFY(!without.contains(a.c.limitLine));
        QCOMPARE(withLimit.size(), without.size() + 1);
    }

    void jobIdFromRecordedSubmit_data() { addRows(); }
    void jobIdFromRecordedSubmit()
    {
        const Adapter a = current();
        verifyOutcome(a.submit(a.c.submitted), u"submitted"_s, a.c.submittedId);
        // The same answer with a failed exit is no submission.
        Answer failed = a.c.submitted;
        failed.exitCode = 1;
        QVERIFY(a.submit(failed).kind != SubmitOutcome::Kind::Submitted);
    }

    void submitOutcomes_data() { addRows(); }
    void submitOutcomes()
    {
        const Adapter a = current();
        verifyOutcome(a.submit(a.c.refused), u"refused"_s, a.c.refusedWords);
        // The login shell's words: the scheduler is not installed there, for good.
        verifyOutcome(a.submit({{}, u"slurm/not_found.err"_s, 127}), u"refused"_s, u"command not found"_s);
        if (a.c.limited)
            verifyOutcome(a.submit(*a.c.limited), u"limited"_s, a.c.limitedWords);
        // Without an id, a zero exit is never a submission: unclear where the job may exist.
        const QString noId = a.c.unclear ? u"unclear"_s : u"refused"_s;
        verifyOutcome(a.submit(a.c.unclear.value_or(Answer{})), noId, QString());
        const QString garbage = a.c.name + u"/garbage.out"_s;
        verifyOutcome(a.submit({garbage, {}, 0}), noId, schedulers::lines(fixture(garbage)).value(0));
    }

    // One command, whatever the number of jobs, and each job named in it.
    void statusIsOneCommand_data() { addRows(); }
    void statusIsOneCommand()
    {
        const Adapter a = current();
        QStringList ids;
        QStringList tokens;
        for (int i = 0; i < 200; ++i) {
            ids.append(a.c.jobId(i));
            tokens.append(u"sw1a2b3c4d-t%1"_s.arg(i)); // "-1" is one of the hostile ids
        }
        const RemoteCommand command = a.adapter->statusCommand(ids, tokens);
        verifyArgvOnly(command, ids.mid(0, 3) + tokens.mid(0, 3));
        const QStringList named = words(command);
        for (int i = 0; i < ids.size(); ++i)
            QVERIFY2(named.contains(ids.at(i)) || named.contains(tokens.at(i)), qPrintable(ids.at(i)));

        // Hostile ids beside good tokens, hostile tokens beside good ids: only the good job is asked about.
        QStringList mixedIds;
        QStringList mixedTokens;
        for (const QString& id : hostileIds()) {
            mixedIds << id;
            mixedTokens << tokens.at(1);
        }
        for (const QString& token : hostileTokens()) {
            mixedIds << ids.at(2);
            mixedTokens << token;
        }
        mixedIds << ids.at(0);
        mixedTokens << tokens.at(0);
        const RemoteCommand filtered = a.adapter->statusCommand(mixedIds, mixedTokens);
        QVERIFY(!filtered.argv.isEmpty());
        QVERIFY(carriesNone({valueArguments(filtered), {}}, hostileIds() + hostileTokens()));
        QVERIFY(a.adapter->statusCommand(hostileIds(), hostileTokens()).argv.isEmpty());
    }

    void recordedStatusIsRead_data() { addRows(); }
    void recordedStatusIsRead()
    {
        const Adapter a = current();
        const auto result = a.status(a.c.status);
        QVERIFY_RESULT(result);
        QVERIFY(!result->isEmpty());
        // Only jobs the answer mentions, each with its scheduler's own word for the state.
        const QString out = fixture(a.c.status.out);
        for (const SchedulerJobStatus& job : result.value()) {
            QVERIFY2(out.contains(job.jobId), qPrintable(job.jobId));
            QVERIFY2(out.contains(job.rawState.section(u' ', 0, 0)), qPrintable(job.rawState));
        }
        const auto nothing = a.status(a.c.statusNothing);
        QVERIFY_RESULT(nothing);
        QVERIFY(nothing->isEmpty());
    }

    // An error, garbage or a silent failure is a failed poll, from which nothing is concluded.
    void unclearStatusIsNoAnswer_data() { addRows(); }
    void unclearStatusIsNoAnswer()
    {
        const Adapter a = current();
        QVERIFY(!a.status(a.c.statusError));
        Answer errorButZero = a.c.statusError;
        errorButZero.exitCode = 0;
        QVERIFY(!a.status(errorButZero) || a.status(errorButZero)->isEmpty());
        QVERIFY(!a.status({a.c.name + u"/garbage.out"_s, {}, 0}));
        QVERIFY(!a.status({{}, {}, 137}));
        Answer failedRun = a.c.status;
        failedRun.exitCode = 2;
        QVERIFY(!a.status(failedRun));
    }

    // An answer cut short anywhere is a failed poll or a part of the full one: it never turns a job
    // terminal, nor changes its exit code.
    void cutShortStatusInventsNothing_data() { addRows(); }
    void cutShortStatusInventsNothing()
    {
        const Adapter a = current();
        const QString full = fixture(a.c.status.out);
        const auto whole = a.adapter->parseStatus(full, {}, 0);
        QVERIFY_RESULT(whole);
        const QStringList complete = describe(whole.value());
        for (qsizetype length = 0; length < full.size(); ++length) {
            const auto part = a.adapter->parseStatus(full.left(length), {}, 0);
            if (!part)
                continue;
            for (const QString& job : describe(part.value()))
                QVERIFY2(complete.contains(job), qPrintable(u"%1 after %2 characters"_s.arg(job).arg(length)));
        }
    }

    // A terminal state needs the scheduler's word for it: an unknown state is no state at all.
    void terminalNeedsEvidence_data() { addRows(); }
    void terminalNeedsEvidence()
    {
        const Adapter a = current();
        QVERIFY(fixture(a.c.unknownState.out).contains(a.c.unknownJob));
        const auto result = a.status(a.c.unknownState);
        QVERIFY_RESULT(result);
        for (const SchedulerJobStatus& job : result.value())
            QVERIFY2(job.jobId != a.c.unknownJob, qPrintable(stateName(job.state) + u' ' + job.rawState));
        const auto nothing = a.status(a.c.statusNothing);
        QVERIFY_RESULT(nothing);
        for (const SchedulerJobStatus& job : nothing.value())
            QVERIFY(!isTerminal(job.state));
    }

    void cancelNamesOnlyThisTrial_data() { addRows(); }
    void cancelNamesOnlyThisTrial()
    {
        const Adapter a = current();
        const QString mine = a.c.jobId(1);
        const QString other = a.c.jobId(10); // a prefix match of "1" would also hit it
        const RemoteCommand one = a.adapter->cancelJobCommand(mine, makeSpec().token);
        verifyArgvOnly(one, {mine, makeSpec().token});
        QVERIFY(valueArguments(one).contains(mine));
        QVERIFY(!words(one).contains(other));
        for (const QString& arg : valueArguments(one))
            QVERIFY2(arg == mine || !arg.contains(mine), qPrintable(arg)); // the id whole, not a pattern
        for (const QString& id : hostileIds())
            QVERIFY2(a.adapter->cancelJobCommand(id, makeSpec().token).argv.isEmpty(), qPrintable(rowName(id)));

        const RemoteCommand several = a.adapter->cancelCommand(hostileIds() + QStringList{mine, other});
        verifyArgvOnly(several, {mine, other});
        QCOMPARE(valueArguments(several).filter(mine).size(), 1);
        QCOMPARE(valueArguments(several).filter(other).size(), 1);
        QVERIFY(carriesNone({valueArguments(several), {}}, hostileIds()));
        QVERIFY(a.adapter->cancelCommand(hostileIds()).argv.isEmpty());
        QVERIFY(a.adapter->cancelCommand({}).argv.isEmpty());
    }

    // After an unclear submission: an id, a positive "none", or another unclear answer.
    void lookupAfterUnclear_data() { addRows(); }
    void lookupAfterUnclear()
    {
        const Adapter a = current();
        verifyArgvOnly(a.adapter->lookupCommand(makeSpec()), {makeSpec().token, makeSpec().jobDirectory});
        JobSpec hostile = makeSpec();
        hostile.token = u"x; rm -rf ~"_s;
        hostile.jobDirectory = u"/home/$(id)"_s;
        QVERIFY(a.adapter->lookupCommand(hostile).argv.isEmpty());

        const auto found = a.lookup(a.c.lookupFound, a.c.lookupToken);
        QVERIFY_RESULT(found);
        QCOMPARE(found.value(), a.c.lookupId);
        const auto none = a.lookup(a.c.lookupNone);
        QVERIFY_RESULT(none);
        QCOMPARE(none.value(), QString());
        QVERIFY_FAILS_WITH(a.lookup({a.c.name + u"/garbage.out"_s, {}, 0}), model::ErrorCode::UnclearSubmission);
        QVERIFY_FAILS_WITH(a.lookup({{}, {}, 143}), model::ErrorCode::UnclearSubmission);
    }
};

QTEST_GUILESS_MAIN(TestSchedulerContract)
#include "tst_schedulercontract.moc"
