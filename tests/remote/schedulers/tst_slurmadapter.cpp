// The Slurm adapter against recorded sbatch and squeue output.
#include "adaptertest.h"
#include "support/verifyresult.h"

#include "remote/schedulers/slurmadapter.h"

using namespace sweepline::remote;
using namespace adaptertest;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(sweepline::remote::JobSpec)
Q_DECLARE_METATYPE(std::optional<qint64>)

class TestSlurmAdapter : public QObject {
    Q_OBJECT

    SlurmAdapter adapter;

private slots:
    void factoryKnowsIt()
    {
        const auto made = makeSchedulerAdapter(u"slurm"_s);
        QVERIFY(made);
        QCOMPARE(made->name(), u"slurm"_s);
        QVERIFY(dynamic_cast<SlurmAdapter*>(made.get()));
        QVERIFY(!makeSchedulerAdapter(u"Slurm"_s));
        QVERIFY(!makeSchedulerAdapter(u"lsf"_s));
    }

    void directiveLines_data()
    {
        QTest::addColumn<QStringList>("directives");
        QTest::addColumn<std::optional<qint64>>("limit");
        QTest::addColumn<QStringList>("expected");
        const QStringList head{
            u"#SBATCH --job-name=sw1a2b3c4d-7"_s,
            u"#SBATCH --output=/home/alice/sweepline/demo/runs/7/stdout.slurm"_s,
            u"#SBATCH --error=/home/alice/sweepline/demo/runs/7/stderr.slurm"_s,
        };
        const QString chdir = u"#SBATCH --chdir=/home/alice/sweepline/demo/runs/7"_s;
        QTest::addRow("no limit, no directives")
            << QStringList() << std::optional<qint64>() << head + QStringList{chdir};
        QTest::addRow("30 minutes") << QStringList() << std::optional<qint64>(1800)
                                    << head + QStringList{u"#SBATCH --time=00:30:00"_s, chdir};
        QTest::addRow("just under a day")
            << QStringList() << std::optional<qint64>(86399) << head + QStringList{u"#SBATCH --time=23:59:59"_s, chdir};
        QTest::addRow("a day and a second") << QStringList() << std::optional<qint64>(86401)
                                            << head + QStringList{u"#SBATCH --time=1-00:00:01"_s, chdir};
        QTest::addRow("three days") << QStringList() << std::optional<qint64>(3 * 86400 + 3723)
                                    << head + QStringList{u"#SBATCH --time=3-01:02:03"_s, chdir};
        QTest::addRow("user directives verbatim, after ours")
            << QStringList{u"--partition=gpu"_s, u"--gres=gpu:1"_s, u"-A proj 'quoted' $HOME"_s}
            << std::optional<qint64>(60)
            << head
                + QStringList{u"#SBATCH --time=00:01:00"_s, chdir, u"#SBATCH --partition=gpu"_s,
                              u"#SBATCH --gres=gpu:1"_s, u"#SBATCH -A proj 'quoted' $HOME"_s};
    }
    void directiveLines()
    {
        QFETCH(QStringList, directives);
        QFETCH(std::optional<qint64>, limit);
        QFETCH(QStringList, expected);
        const JobSpec spec = makeSpec(directives, limit);
        QVERIFY(adapter.checkJobSpec(spec));
        QCOMPARE(adapter.directiveLines(spec), expected);
    }

    void refusesBadSpecs_data()
    {
        QTest::addColumn<JobSpec>("spec");
        QTest::addColumn<QString>("why");
        const auto with = [](auto change) {
            JobSpec spec = makeSpec();
            change(spec);
            return spec;
        };
        QTest::addRow("newline in a directive")
            << with([](JobSpec& s) { s.directives = {u"--partition=gpu\n#SBATCH --wrap=x"_s}; }) << u"line break"_s;
        QTest::addRow("carriage return") << with([](JobSpec& s) { s.directives = {u"-p gpu\r"_s}; }) << u"line break"_s;
        QTest::addRow("NUL") << with([](JobSpec& s) { s.directives = {u"-p gpu"_s + QChar(0)}; }) << u"line break"_s;
        QTest::addRow("empty directive") << with([](JobSpec& s) { s.directives = {u"  "_s}; }) << u"empty"_s;
        QTest::addRow("job name override")
            << with([](JobSpec& s) { s.directives = {u"--job-name=x"_s}; }) << u"--job-name"_s;
        QTest::addRow("job name abbreviated")
            << with([](JobSpec& s) { s.directives = {u"--job=x"_s}; }) << u"--job-name"_s;
        QTest::addRow("-J attached") << with([](JobSpec& s) { s.directives = {u"-Jx"_s}; }) << u"-J"_s;
        QTest::addRow("output") << with([](JobSpec& s) { s.directives = {u"--output=/tmp/x"_s}; }) << u"--output"_s;
        QTest::addRow("-e") << with([](JobSpec& s) { s.directives = {u"-e /tmp/x"_s}; }) << u"-e"_s;
        QTest::addRow("chdir") << with([](JobSpec& s) { s.directives = {u"-D /tmp"_s}; }) << u"-D"_s;
        QTest::addRow("relative folder") << with([](JobSpec& s) { s.jobDirectory = u"runs/7"_s; }) << u"absolute"_s;
        QTest::addRow("space in folder") << with([](JobSpec& s) { s.jobDirectory = u"/home/a b/7"_s; })
                                         << u"absolute"_s;
        QTest::addRow("percent in folder")
            << with([](JobSpec& s) { s.jobDirectory = u"/home/%j/7"_s; }) << u"absolute"_s;
        QTest::addRow("quote in folder") << with([](JobSpec& s) { s.jobDirectory = u"/home/a'b"_s; }) << u"absolute"_s;
        QTest::addRow("bad token") << with([](JobSpec& s) { s.token = u"x; rm -rf ~"_s; }) << u"token"_s;
        QTest::addRow("zero time limit") << with([](JobSpec& s) { s.timeLimitSeconds = 0; }) << u"positive"_s;
    }
    void refusesBadSpecs()
    {
        QFETCH(JobSpec, spec);
        QFETCH(QString, why);
        const auto status = adapter.checkJobSpec(spec);
        QVERIFY(!status);
        QVERIFY2(status.error().contains(why), qPrintable(status.error()));
        QCOMPARE(checkJobSpec(adapter, spec).error(), status.error());
        QVERIFY(adapter.directiveLines(spec).isEmpty());
        QVERIFY(adapter.submitCommand(spec).argv.isEmpty());
    }

    void allowedDirectivesThatLookAlike_data()
    {
        QTest::addColumn<QString>("directive");
        QTest::addRow("--exclusive") << u"--exclusive"_s;
        QTest::addRow("--export") << u"--export=NONE"_s;
        QTest::addRow("--open-mode") << u"--open-mode=append"_s;
        QTest::addRow("--dependency") << u"--dependency=afterok:1"_s;
        QTest::addRow("tab inside") << u"-p\tgpu"_s;
        QTest::addRow("unicode") << u"--comment=日本語"_s;
    }
    void allowedDirectivesThatLookAlike()
    {
        QFETCH(QString, directive);
        const auto status = adapter.checkJobSpec(makeSpec({directive}));
        QVERIFY_RESULT(status);
    }

    void submitCommand()
    {
        const RemoteCommand command = adapter.submitCommand(makeSpec());
        QCOMPARE(command.argv,
                 (QStringList{u"sbatch"_s, u"--parsable"_s, u"/home/alice/sweepline/demo/runs/7/job.sh"_s}));
        QCOMPARE(command.workingDirectory, u"/home/alice/sweepline/demo/runs/7"_s);
    }

    void parseSubmit_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("kind");   // submitted, refused, limited, unclear
        QTest::addColumn<QString>("detail"); // the job id, or a part of the message
        QTest::addRow("plain") << "slurm/sbatch_plain.out"
                               << "" << 0 << "submitted"
                               << "12345";
        QTest::addRow("with cluster") << "slurm/sbatch_cluster.out"
                                      << "" << 0 << "submitted"
                                      << "12346";
        QTest::addRow("warning line on stdout") << "slurm/sbatch_warning.out"
                                                << "" << 0 << "submitted"
                                                << "12347";
        QTest::addRow("retried, then accepted") << "slurm/sbatch_retried.out"
                                                << "slurm/sbatch_retried.err" << 0 << "submitted"
                                                << "12348";
        QTest::addRow("invalid partition") << ""
                                           << "slurm/sbatch_invalid_partition.err" << 1 << "refused"
                                           << "Invalid partition name specified";
        QTest::addRow("time limit") << ""
                                    << "slurm/sbatch_time_limit.err" << 1 << "refused"
                                    << "Requested time limit is invalid";
        QTest::addRow("socket timeout") << ""
                                        << "slurm/sbatch_timeout.err" << 1 << "unclear"
                                        << "Socket timed out";
        QTest::addRow("not installed") << ""
                                       << "slurm/not_found.err" << 127 << "refused"
                                       << "command not found";
        QTest::addRow("id but non-zero exit") << "slurm/sbatch_plain.out"
                                              << "" << 1 << "refused"
                                              << "exited with code 1";
        // Exit 0 is sbatch's yes: without one readable id the job may still be queued.
        QTest::addRow("empty output") << ""
                                      << "" << 0 << "unclear"
                                      << "no job id";
        QTest::addRow("garbage") << "slurm/garbage.out"
                                 << "" << 0 << "unclear"
                                 << "Service Unavailable";
        QTest::addRow("two ids") << "slurm/sbatch_two_ids.out"
                                 << "" << 0 << "unclear"
                                 << "several";
        // Site limits: nothing was queued, so the trial waits instead of failing.
        QTest::addRow("QOS per-user submit limit") << ""
                                                   << "slurm/sbatch_qos_submit_limit.err" << 1 << "limited"
                                                   << "Job violates accounting/QOS policy";
        QTest::addRow("controller full (EAGAIN)") << ""
                                                  << "slurm/sbatch_eagain.err" << 1 << "limited"
                                                  << "Resource temporarily unavailable";
        // Recorded from the real slurmctld with job_submit/throttle (tst_sitelimits checks it still says so).
        QTest::addRow("recorded per-user throttle") << ""
                                                    << "slurm/recorded_sbatch_throttle_22.05.err" << 1 << "limited"
                                                    << "Reached jobs per hour limit";
        QTest::addRow("gave up retrying") << ""
                                          << "slurm/sbatch_retried.err" << 1 << "limited"
                                          << "temporarily unable to accept job";
        // Recorded from Debian 12's Slurm 22.05 on a one-node test cluster.
        QTest::addRow("recorded") << "slurm/recorded_sbatch_22.05.out"
                                  << "" << 0 << "submitted"
                                  << "1";
        QTest::addRow("recorded invalid partition")
            << ""
            << "slurm/recorded_sbatch_invalid_partition_22.05.err" << 1 << "refused"
            << "Invalid partition name specified";
        QTest::addRow("recorded controller down") << ""
                                                  << "slurm/recorded_sbatch_controller_down_22.05.err" << 1 << "refused"
                                                  << "Unable to contact slurm controller";
    }
    void parseSubmit()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QString, kind);
        QFETCH(QString, detail);
        verifyOutcome(adapter.parseSubmit(fixture(out), fixture(err), exitCode), kind, detail);
    }

    void statusCommand()
    {
        const RemoteCommand command =
            adapter.statusCommand({u"1001"_s, u"1002"_s}, {u"sw1a2b3c4d-1"_s, u"sw1a2b3c4d-2"_s, u"sw1a2b3c4d-1"_s});
        // --me: another user's job of the same name is never in the answer.
        QCOMPARE(command.argv,
                 (QStringList{u"squeue"_s, u"--noheader"_s, u"--me"_s, u"--all"_s, u"--states=all"_s,
                              u"--name=sw1a2b3c4d-1,sw1a2b3c4d-2"_s, u"--format=%i|%j|%T|%S"_s}));
    }

    void statusCommandTakesOnlyTokens()
    {
        const RemoteCommand command = adapter.statusCommand({}, hostileTokens() + QStringList{u"sw1a2b3c4d-3"_s});
        QCOMPARE(command.argv.value(5), u"--name=sw1a2b3c4d-3"_s);
        QVERIFY(carriesNone(command, hostileTokens()));
        QVERIFY(adapter.statusCommand({u"1"_s}, hostileTokens()).argv.isEmpty());
        QVERIFY(adapter.statusCommand({}, {}).argv.isEmpty());
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("every state") << "slurm/squeue_all_states.out"
                                     << "" << 0
                                     << QStringList{
                                            u"1001 Queued - PENDING"_s,
                                            u"1002 Queued - CONFIGURING"_s,
                                            u"1003 Queued - REQUEUED"_s,
                                            u"1004 Queued - RESV_DEL_HOLD"_s,
                                            u"1005 Queued - SUSPENDED"_s,
                                            u"1006 Running - RUNNING"_s,
                                            u"1007 Running - COMPLETING"_s,
                                            u"1008 Running - STAGE_OUT"_s,
                                            u"1009 Running - SIGNALING"_s,
                                            u"1010 Finished - COMPLETED"_s,
                                            u"1011 Finished - FAILED"_s,
                                            u"1012 Finished - TIMEOUT"_s,
                                            u"1013 Finished - NODE_FAIL"_s,
                                            u"1014 Finished - OUT_OF_MEMORY"_s,
                                            u"1015 Finished - BOOT_FAIL"_s,
                                            u"1016 Finished - DEADLINE"_s,
                                            u"1017 Finished - PREEMPTED"_s,
                                            u"1018 Cancelled - CANCELLED"_s,
                                            u"1019 Cancelled - CANCELLED by 1234"_s,
                                            u"1020 Queued - REQUEUE_HOLD"_s,
                                        };
        QTest::addRow("arrays, heterogeneous and unknown states left out")
            << "slurm/squeue_array_and_unknown.out"
            << "" << 0 << QStringList{u"2001_1 Running - RUNNING"_s, u"2004 Running - RUNNING"_s};
        QTest::addRow("nothing in the queue") << ""
                                              << "" << 0 << QStringList();
        QTest::addRow("recorded from Slurm 22.05")
            << "slurm/recorded_squeue_22.05.out"
            << "" << 0
            << QStringList{u"4 Cancelled - CANCELLED"_s, u"5 Cancelled - CANCELLED"_s, u"1 Finished - COMPLETED"_s,
                           u"2 Finished - FAILED"_s,     u"7 Queued - PENDING"_s,      u"6 Queued - PENDING"_s,
                           u"3 Finished - TIMEOUT"_s};
    }
    void parseStatus()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QStringList, expected);
        const auto result = adapter.parseStatus(fixture(out), fixture(err), exitCode);
        QVERIFY_RESULT(result);
        QCOMPARE(describe(result.value()), expected);
    }

    void parseStatusKeepsNamesAndStartTimes()
    {
        const auto result = adapter.parseStatus(fixture(u"slurm/squeue_all_states.out"_s), {}, 0);
        QVERIFY(result);
        const auto& jobs = result.value();
        QCOMPARE(jobs.at(0).jobName, u"sw1a2b3c4d-1"_s);
        QVERIFY(!jobs.at(0).startedAt.isValid()); // pending: %S is only a forecast
        QVERIFY(!jobs.at(1).startedAt.isValid());
        QCOMPARE(jobs.at(5).startedAt, QDateTime(QDate(2024, 5, 1), QTime(10, 0, 6)));
        QCOMPARE(jobs.at(9).startedAt, QDateTime(QDate(2024, 5, 1), QTime(10, 0, 10)));
        QVERIFY(!jobs.at(15).startedAt.isValid()); // "N/A"
        QVERIFY(!jobs.at(17).startedAt.isValid()); // cancelled: perhaps while pending
        const auto unknownStart = adapter.parseStatus(fixture(u"slurm/squeue_array_and_unknown.out"_s), {}, 0);
        QVERIFY(unknownStart);
        QVERIFY(!unknownStart->last().startedAt.isValid()); // "Unknown"
    }

    void parseStatusFailures_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("invalid job id") << ""
                                        << "slurm/squeue_invalid_job_id.err" << 1 << "Invalid job id specified";
        QTest::addRow("controller down") << ""
                                         << "slurm/squeue_controller_down.err" << 1
                                         << "Unable to contact slurm controller";
        QTest::addRow("error but exit 0")
            << ""
            << "slurm/squeue_controller_down.err" << 0 << "Unable to contact slurm controller";
        QTest::addRow("squeue: error, exit 0") << ""
                                               << "slurm/squeue_error_exit0.err" << 0 << "Invalid user";
        QTest::addRow("not installed") << ""
                                       << "slurm/not_found.err" << 127 << "command not found";
        QTest::addRow("killed, no words") << ""
                                          << "" << 137 << "exited with code 137";
        QTest::addRow("garbage") << "slurm/garbage.out"
                                 << "" << 0 << "Unexpected squeue output";
        QTest::addRow("missing field") << "slurm/squeue_missing_field.out"
                                       << "" << 0 << "Unexpected squeue output";
        QTest::addRow("bad id") << "slurm/squeue_bad_id.out"
                                << "" << 0 << "Unexpected squeue output";
        QTest::addRow("recorded: --jobs with a purged id")
            << ""
            << "slurm/recorded_squeue_jobs_unknown_22.05.err" << 1 << "Invalid job id specified";
        QTest::addRow("recorded: controller down")
            << ""
            << "slurm/recorded_squeue_controller_down_22.05.err" << 1 << "Unable to contact slurm controller";
        QTest::addRow("rows after garbage") << "slurm/squeue_all_states.out"
                                            << "" << 0 << "";
    }
    void parseStatusFailures()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QString, errorPart);
        QString text = fixture(out);
        if (errorPart.isEmpty()) { // good rows do not excuse a garbage line among them
            text += u"Segmentation fault\n"_s;
            errorPart = u"Segmentation fault"_s;
        }
        const auto result = adapter.parseStatus(text, fixture(err), exitCode);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(errorPart), qPrintable(result.error()));
    }

    void stateFor()
    {
        QCOMPARE(SlurmAdapter::stateFor(u"CANCELLED+"_s), SchedulerJobState::Cancelled);
        QCOMPARE(SlurmAdapter::stateFor(u"RESIZING"_s), SchedulerJobState::Running);
        QCOMPARE(SlurmAdapter::stateFor(u"SPECIAL_EXIT"_s), SchedulerJobState::Queued);
        QVERIFY(!SlurmAdapter::stateFor(u"running"_s));
        QVERIFY(!SlurmAdapter::stateFor(u"R"_s));
        QVERIFY(!SlurmAdapter::stateFor(QString()));
    }

    void cancelCommand()
    {
        QCOMPARE(adapter.cancelCommand({u"12345"_s, u"12346_7"_s, u"12345"_s}).argv,
                 (QStringList{u"scancel"_s, u"12345"_s, u"12346_7"_s}));
        const RemoteCommand command = adapter.cancelCommand(hostileIds() + QStringList{u"777"_s});
        QCOMPARE(command.argv, (QStringList{u"scancel"_s, u"777"_s}));
        QVERIFY(carriesNone(command, hostileIds()));
        QVERIFY(adapter.cancelCommand(hostileIds()).argv.isEmpty());
        QVERIFY(adapter.cancelCommand({}).argv.isEmpty());
    }

    void jobIdPattern_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::addRow("plain") << "12345" << true;
        QTest::addRow("array element") << "12345_7" << true;
        QTest::addRow("array range") << "12345_[1-3]" << false;
        QTest::addRow("het") << "12345+0" << false;
        QTest::addRow("with cluster") << "12345;c" << false;
        QTest::addRow("pbs style") << "12345.server" << false;
        for (const QString& id : hostileIds())
            QTest::addRow("hostile %s", qPrintable(rowName(id))) << id << false;
    }
    void jobIdPattern()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(adapter.isValidJobId(id), valid);
    }

    void lookupCommand()
    {
        QCOMPARE(adapter.lookupCommand(makeSpec()).argv,
                 (QStringList{u"squeue"_s, u"--noheader"_s, u"--me"_s, u"--all"_s, u"--states=all"_s,
                              u"--name=sw1a2b3c4d-7"_s, u"--format=%i|%j"_s}));
        for (const QString& token : hostileTokens()) {
            JobSpec spec = makeSpec();
            spec.token = token;
            QVERIFY2(adapter.lookupCommand(spec).argv.isEmpty(), qPrintable(token));
        }
    }

    void parseLookup_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected"); // the id, or a part of the failure
        QTest::addRow("found") << "slurm/lookup_one.out"
                               << "" << 0 << true << "3001";
        QTest::addRow("two: the first submitted") << "slurm/lookup_two.out"
                                                  << "" << 0 << true << "3002";
        QTest::addRow("none") << ""
                              << "" << 0 << true << "";
        QTest::addRow("other name") << "slurm/lookup_other_name.out"
                                    << "" << 0 << false << "Unexpected";
        QTest::addRow("array range") << "slurm/lookup_array.out"
                                     << "" << 0 << false << "Unexpected";
        QTest::addRow("controller down") << ""
                                         << "slurm/squeue_controller_down.err" << 1 << false << "Unable to contact";
        QTest::addRow("error, exit 0") << ""
                                       << "slurm/squeue_controller_down.err" << 0 << false << "Unable to contact";
        QTest::addRow("garbage") << "slurm/garbage.out"
                                 << "" << 0 << false << "Unexpected";
        QTest::addRow("killed") << ""
                                << "" << 143 << false << "143";
    }
    void parseLookup()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        const auto result = adapter.parseLookup(makeSpec(), fixture(out), fixture(err), exitCode);
        QCOMPARE(result.ok(), ok);
        if (ok)
            QCOMPARE(result.value(), expected);
        else
            QVERIFY2(result.error().contains(expected), qPrintable(result.error()));
    }

    void parseRecordedLookup()
    {
        JobSpec spec = makeSpec();
        spec.token = u"swh4test0-3"_s; // as recorded from Slurm 22.05
        const auto result = adapter.parseLookup(spec, fixture(u"slurm/recorded_lookup_22.05.out"_s), {}, 0);
        QVERIFY_RESULT(result);
        QCOMPARE(result.value(), u"3"_s);
        QVERIFY(!adapter.parseLookup(makeSpec(), fixture(u"slurm/recorded_lookup_22.05.out"_s), {}, 0));
    }
};

QTEST_GUILESS_MAIN(TestSlurmAdapter)
#include "tst_slurmadapter.moc"
