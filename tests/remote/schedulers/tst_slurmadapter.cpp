// The Slurm adapter against recorded sbatch and squeue output.
#include "adaptertest.h"

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
        const auto made = makeSchedulerAdapter(QStringLiteral("slurm"));
        QVERIFY(made);
        QCOMPARE(made->name(), QStringLiteral("slurm"));
        QVERIFY(dynamic_cast<SlurmAdapter*>(made.get()));
        QVERIFY(!makeSchedulerAdapter(QStringLiteral("Slurm")));
        QVERIFY(!makeSchedulerAdapter(QStringLiteral("lsf")));
    }

    void directiveLines_data()
    {
        QTest::addColumn<QStringList>("directives");
        QTest::addColumn<std::optional<qint64>>("limit");
        QTest::addColumn<QStringList>("expected");
        const QStringList head{
            QStringLiteral("#SBATCH --job-name=sw1a2b3c4d-7"),
            QStringLiteral("#SBATCH --output=/home/alice/sweepline/demo/runs/7/stdout.slurm"),
            QStringLiteral("#SBATCH --error=/home/alice/sweepline/demo/runs/7/stderr.slurm"),
        };
        const QString chdir = QStringLiteral("#SBATCH --chdir=/home/alice/sweepline/demo/runs/7");
        QTest::addRow("no limit, no directives") << QStringList() << std::optional<qint64>() << head + QStringList{chdir};
        QTest::addRow("30 minutes") << QStringList() << std::optional<qint64>(1800)
                                    << head + QStringList{QStringLiteral("#SBATCH --time=00:30:00"), chdir};
        QTest::addRow("just under a day") << QStringList() << std::optional<qint64>(86399)
                                          << head + QStringList{QStringLiteral("#SBATCH --time=23:59:59"), chdir};
        QTest::addRow("a day and a second") << QStringList() << std::optional<qint64>(86401)
                                            << head + QStringList{QStringLiteral("#SBATCH --time=1-00:00:01"), chdir};
        QTest::addRow("three days") << QStringList() << std::optional<qint64>(3 * 86400 + 3723)
                                    << head + QStringList{QStringLiteral("#SBATCH --time=3-01:02:03"), chdir};
        QTest::addRow("user directives verbatim, after ours")
            << QStringList{QStringLiteral("--partition=gpu"), QStringLiteral("--gres=gpu:1"),
                           QStringLiteral("-A proj 'quoted' $HOME")}
            << std::optional<qint64>(60)
            << head + QStringList{QStringLiteral("#SBATCH --time=00:01:00"), chdir,
                                  QStringLiteral("#SBATCH --partition=gpu"), QStringLiteral("#SBATCH --gres=gpu:1"),
                                  QStringLiteral("#SBATCH -A proj 'quoted' $HOME")};
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
            << with([](JobSpec& s) { s.directives = {QStringLiteral("--partition=gpu\n#SBATCH --wrap=x")}; })
            << QStringLiteral("line break");
        QTest::addRow("carriage return") << with([](JobSpec& s) { s.directives = {QStringLiteral("-p gpu\r")}; })
                                         << QStringLiteral("line break");
        QTest::addRow("NUL") << with([](JobSpec& s) { s.directives = {QStringLiteral("-p gpu") + QChar(0)}; })
                             << QStringLiteral("line break");
        QTest::addRow("empty directive") << with([](JobSpec& s) { s.directives = {QStringLiteral("  ")}; })
                                         << QStringLiteral("empty");
        QTest::addRow("job name override") << with([](JobSpec& s) { s.directives = {QStringLiteral("--job-name=x")}; })
                                           << QStringLiteral("--job-name");
        QTest::addRow("job name abbreviated") << with([](JobSpec& s) { s.directives = {QStringLiteral("--job=x")}; })
                                              << QStringLiteral("--job-name");
        QTest::addRow("-J attached") << with([](JobSpec& s) { s.directives = {QStringLiteral("-Jx")}; })
                                     << QStringLiteral("-J");
        QTest::addRow("output") << with([](JobSpec& s) { s.directives = {QStringLiteral("--output=/tmp/x")}; })
                                << QStringLiteral("--output");
        QTest::addRow("-e") << with([](JobSpec& s) { s.directives = {QStringLiteral("-e /tmp/x")}; })
                            << QStringLiteral("-e");
        QTest::addRow("chdir") << with([](JobSpec& s) { s.directives = {QStringLiteral("-D /tmp")}; })
                               << QStringLiteral("-D");
        QTest::addRow("relative folder") << with([](JobSpec& s) { s.jobDirectory = QStringLiteral("runs/7"); })
                                         << QStringLiteral("absolute");
        QTest::addRow("space in folder") << with([](JobSpec& s) { s.jobDirectory = QStringLiteral("/home/a b/7"); })
                                         << QStringLiteral("absolute");
        QTest::addRow("percent in folder") << with([](JobSpec& s) { s.jobDirectory = QStringLiteral("/home/%j/7"); })
                                           << QStringLiteral("absolute");
        QTest::addRow("quote in folder") << with([](JobSpec& s) { s.jobDirectory = QStringLiteral("/home/a'b"); })
                                         << QStringLiteral("absolute");
        QTest::addRow("bad token") << with([](JobSpec& s) { s.token = QStringLiteral("x; rm -rf ~"); })
                                   << QStringLiteral("token");
        QTest::addRow("zero time limit") << with([](JobSpec& s) { s.timeLimitSeconds = 0; })
                                         << QStringLiteral("positive");
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
        QTest::addRow("--exclusive") << QStringLiteral("--exclusive");
        QTest::addRow("--export") << QStringLiteral("--export=NONE");
        QTest::addRow("--open-mode") << QStringLiteral("--open-mode=append");
        QTest::addRow("--dependency") << QStringLiteral("--dependency=afterok:1");
        QTest::addRow("tab inside") << QStringLiteral("-p\tgpu");
        QTest::addRow("unicode") << QStringLiteral("--comment=日本語");
    }
    void allowedDirectivesThatLookAlike()
    {
        QFETCH(QString, directive);
        const auto status = adapter.checkJobSpec(makeSpec({directive}));
        QVERIFY2(status, qPrintable(status.error()));
    }

    void submitCommand()
    {
        const RemoteCommand command = adapter.submitCommand(makeSpec());
        QCOMPARE(command.argv, (QStringList{QStringLiteral("sbatch"), QStringLiteral("--parsable"),
                                            QStringLiteral("/home/alice/sweepline/demo/runs/7/job.sh")}));
        QCOMPARE(command.workingDirectory, QStringLiteral("/home/alice/sweepline/demo/runs/7"));
    }

    void parseSubmit_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("kind");   // submitted, refused, limited, unclear
        QTest::addColumn<QString>("detail"); // the job id, or a part of the message
        QTest::addRow("plain") << "slurm/sbatch_plain.out" << "" << 0 << "submitted" << "12345";
        QTest::addRow("with cluster") << "slurm/sbatch_cluster.out" << "" << 0 << "submitted" << "12346";
        QTest::addRow("warning line on stdout") << "slurm/sbatch_warning.out" << "" << 0 << "submitted" << "12347";
        QTest::addRow("retried, then accepted") << "slurm/sbatch_retried.out" << "slurm/sbatch_retried.err" << 0
                                                << "submitted" << "12348";
        QTest::addRow("invalid partition") << "" << "slurm/sbatch_invalid_partition.err" << 1 << "refused"
                                           << "Invalid partition name specified";
        QTest::addRow("time limit") << "" << "slurm/sbatch_time_limit.err" << 1 << "refused"
                                    << "Requested time limit is invalid";
        QTest::addRow("socket timeout") << "" << "slurm/sbatch_timeout.err" << 1 << "unclear" << "Socket timed out";
        QTest::addRow("not installed") << "" << "slurm/not_found.err" << 127 << "refused" << "command not found";
        QTest::addRow("id but non-zero exit") << "slurm/sbatch_plain.out" << "" << 1 << "refused" << "exited with code 1";
        // Exit 0 is sbatch's yes: without one readable id the job may still be queued.
        QTest::addRow("empty output") << "" << "" << 0 << "unclear" << "no job id";
        QTest::addRow("garbage") << "slurm/garbage.out" << "" << 0 << "unclear" << "Service Unavailable";
        QTest::addRow("two ids") << "slurm/sbatch_two_ids.out" << "" << 0 << "unclear" << "several";
        // Site limits: nothing was queued, so the trial waits instead of failing.
        QTest::addRow("QOS per-user submit limit") << "" << "slurm/sbatch_qos_submit_limit.err" << 1 << "limited"
                                                   << "Job violates accounting/QOS policy";
        QTest::addRow("controller full (EAGAIN)") << "" << "slurm/sbatch_eagain.err" << 1 << "limited"
                                                  << "Resource temporarily unavailable";
        // Recorded from the real slurmctld with job_submit/throttle (tst_sitelimits checks it still says so).
        QTest::addRow("recorded per-user throttle") << "" << "slurm/recorded_sbatch_throttle_22.05.err" << 1 << "limited"
                                                    << "Reached jobs per hour limit";
        QTest::addRow("gave up retrying") << "" << "slurm/sbatch_retried.err" << 1 << "limited"
                                          << "temporarily unable to accept job";
        // Recorded from Debian 12's Slurm 22.05 on a one-node test cluster.
        QTest::addRow("recorded") << "slurm/recorded_sbatch_22.05.out" << "" << 0 << "submitted" << "1";
        QTest::addRow("recorded invalid partition") << "" << "slurm/recorded_sbatch_invalid_partition_22.05.err" << 1
                                                    << "refused" << "Invalid partition name specified";
        QTest::addRow("recorded controller down") << "" << "slurm/recorded_sbatch_controller_down_22.05.err" << 1
                                                  << "refused" << "Unable to contact slurm controller";
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
        const RemoteCommand command = adapter.statusCommand(
            {QStringLiteral("1001"), QStringLiteral("1002")},
            {QStringLiteral("sw1a2b3c4d-1"), QStringLiteral("sw1a2b3c4d-2"), QStringLiteral("sw1a2b3c4d-1")});
        // --me: another user's job of the same name is never in the answer.
        QCOMPARE(command.argv, (QStringList{QStringLiteral("squeue"), QStringLiteral("--noheader"), QStringLiteral("--me"),
                                            QStringLiteral("--all"), QStringLiteral("--states=all"),
                                            QStringLiteral("--name=sw1a2b3c4d-1,sw1a2b3c4d-2"),
                                            QStringLiteral("--format=%i|%j|%T|%S")}));
    }

    void statusCommandTakesOnlyTokens()
    {
        const RemoteCommand command =
            adapter.statusCommand({}, hostileTokens() + QStringList{QStringLiteral("sw1a2b3c4d-3")});
        QCOMPARE(command.argv.value(5), QStringLiteral("--name=sw1a2b3c4d-3"));
        QVERIFY(carriesNone(command, hostileTokens()));
        QVERIFY(adapter.statusCommand({QStringLiteral("1")}, hostileTokens()).argv.isEmpty());
        QVERIFY(adapter.statusCommand({}, {}).argv.isEmpty());
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("every state")
            << "slurm/squeue_all_states.out" << "" << 0
            << QStringList{
                   u"1001 Queued - PENDING"_s,         u"1002 Queued - CONFIGURING"_s,
                   u"1003 Queued - REQUEUED"_s,        u"1004 Queued - RESV_DEL_HOLD"_s,
                   u"1005 Queued - SUSPENDED"_s,       u"1006 Running - RUNNING"_s,
                   u"1007 Running - COMPLETING"_s,     u"1008 Running - STAGE_OUT"_s,
                   u"1009 Running - SIGNALING"_s,      u"1010 Finished - COMPLETED"_s,
                   u"1011 Finished - FAILED"_s,        u"1012 Finished - TIMEOUT"_s,
                   u"1013 Finished - NODE_FAIL"_s,     u"1014 Finished - OUT_OF_MEMORY"_s,
                   u"1015 Finished - BOOT_FAIL"_s,     u"1016 Finished - DEADLINE"_s,
                   u"1017 Finished - PREEMPTED"_s,     u"1018 Cancelled - CANCELLED"_s,
                   u"1019 Cancelled - CANCELLED by 1234"_s, u"1020 Queued - REQUEUE_HOLD"_s,
               };
        QTest::addRow("arrays, heterogeneous and unknown states left out")
            << "slurm/squeue_array_and_unknown.out" << "" << 0
            << QStringList{u"2001_1 Running - RUNNING"_s, u"2004 Running - RUNNING"_s};
        QTest::addRow("nothing in the queue") << "" << "" << 0 << QStringList();
        QTest::addRow("recorded from Slurm 22.05")
            << "slurm/recorded_squeue_22.05.out" << "" << 0
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
        QVERIFY2(result, qPrintable(result.error()));
        QCOMPARE(describe(result.value()), expected);
    }

    void parseStatusKeepsNamesAndStartTimes()
    {
        const auto result = adapter.parseStatus(fixture(QStringLiteral("slurm/squeue_all_states.out")), {}, 0);
        QVERIFY(result);
        const auto jobs = result.value();
        QCOMPARE(jobs.at(0).jobName, QStringLiteral("sw1a2b3c4d-1"));
        QVERIFY(!jobs.at(0).startedAt.isValid()); // pending: %S is only a forecast
        QVERIFY(!jobs.at(1).startedAt.isValid());
        QCOMPARE(jobs.at(5).startedAt, QDateTime(QDate(2024, 5, 1), QTime(10, 0, 6)));
        QCOMPARE(jobs.at(9).startedAt, QDateTime(QDate(2024, 5, 1), QTime(10, 0, 10)));
        QVERIFY(!jobs.at(15).startedAt.isValid()); // "N/A"
        QVERIFY(!jobs.at(17).startedAt.isValid()); // cancelled: perhaps while pending
        const auto unknownStart = adapter.parseStatus(fixture(QStringLiteral("slurm/squeue_array_and_unknown.out")), {}, 0);
        QVERIFY(unknownStart);
        QVERIFY(!unknownStart->last().startedAt.isValid()); // "Unknown"
    }

    void parseStatusFailures_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("invalid job id") << "" << "slurm/squeue_invalid_job_id.err" << 1 << "Invalid job id specified";
        QTest::addRow("controller down") << "" << "slurm/squeue_controller_down.err" << 1
                                         << "Unable to contact slurm controller";
        QTest::addRow("error but exit 0") << "" << "slurm/squeue_controller_down.err" << 0
                                          << "Unable to contact slurm controller";
        QTest::addRow("squeue: error, exit 0") << "" << "slurm/squeue_error_exit0.err" << 0 << "Invalid user";
        QTest::addRow("not installed") << "" << "slurm/not_found.err" << 127 << "command not found";
        QTest::addRow("killed, no words") << "" << "" << 137 << "exited with code 137";
        QTest::addRow("garbage") << "slurm/garbage.out" << "" << 0 << "Unexpected squeue output";
        QTest::addRow("missing field") << "slurm/squeue_missing_field.out" << "" << 0 << "Unexpected squeue output";
        QTest::addRow("bad id") << "slurm/squeue_bad_id.out" << "" << 0 << "Unexpected squeue output";
        QTest::addRow("recorded: --jobs with a purged id") << "" << "slurm/recorded_squeue_jobs_unknown_22.05.err" << 1
                                                           << "Invalid job id specified";
        QTest::addRow("recorded: controller down") << "" << "slurm/recorded_squeue_controller_down_22.05.err" << 1
                                                   << "Unable to contact slurm controller";
        QTest::addRow("rows after garbage") << "slurm/squeue_all_states.out" << "" << 0 << "";
    }
    void parseStatusFailures()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QString, errorPart);
        QString text = fixture(out);
        if (errorPart.isEmpty()) { // good rows do not excuse a garbage line among them
            text += QStringLiteral("Segmentation fault\n");
            errorPart = QStringLiteral("Segmentation fault");
        }
        const auto result = adapter.parseStatus(text, fixture(err), exitCode);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(errorPart), qPrintable(result.error()));
    }

    void stateFor()
    {
        QCOMPARE(SlurmAdapter::stateFor(QStringLiteral("CANCELLED+")), SchedulerJobState::Cancelled);
        QCOMPARE(SlurmAdapter::stateFor(QStringLiteral("RESIZING")), SchedulerJobState::Running);
        QCOMPARE(SlurmAdapter::stateFor(QStringLiteral("SPECIAL_EXIT")), SchedulerJobState::Queued);
        QVERIFY(!SlurmAdapter::stateFor(QStringLiteral("running")));
        QVERIFY(!SlurmAdapter::stateFor(QStringLiteral("R")));
        QVERIFY(!SlurmAdapter::stateFor(QString()));
    }

    void cancelCommand()
    {
        QCOMPARE(adapter.cancelCommand({QStringLiteral("12345"), QStringLiteral("12346_7"), QStringLiteral("12345")}).argv,
                 (QStringList{QStringLiteral("scancel"), QStringLiteral("12345"), QStringLiteral("12346_7")}));
        const RemoteCommand command = adapter.cancelCommand(hostileIds() + QStringList{QStringLiteral("777")});
        QCOMPARE(command.argv, (QStringList{QStringLiteral("scancel"), QStringLiteral("777")}));
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
                 (QStringList{QStringLiteral("squeue"), QStringLiteral("--noheader"), QStringLiteral("--me"),
                              QStringLiteral("--all"), QStringLiteral("--states=all"), QStringLiteral("--name=sw1a2b3c4d-7"),
                              QStringLiteral("--format=%i|%j")}));
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
        QTest::addRow("found") << "slurm/lookup_one.out" << "" << 0 << true << "3001";
        QTest::addRow("two: the first submitted") << "slurm/lookup_two.out" << "" << 0 << true << "3002";
        QTest::addRow("none") << "" << "" << 0 << true << "";
        QTest::addRow("other name") << "slurm/lookup_other_name.out" << "" << 0 << false << "Unexpected";
        QTest::addRow("array range") << "slurm/lookup_array.out" << "" << 0 << false << "Unexpected";
        QTest::addRow("controller down") << "" << "slurm/squeue_controller_down.err" << 1 << false
                                         << "Unable to contact";
        QTest::addRow("error, exit 0") << "" << "slurm/squeue_controller_down.err" << 0 << false
                                       << "Unable to contact";
        QTest::addRow("garbage") << "slurm/garbage.out" << "" << 0 << false << "Unexpected";
        QTest::addRow("killed") << "" << "" << 143 << false << "143";
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
        QVERIFY2(result, qPrintable(result.error()));
        QCOMPARE(result.value(), u"3"_s);
        QVERIFY(!adapter.parseLookup(makeSpec(), fixture(u"slurm/recorded_lookup_22.05.out"_s), {}, 0));
    }
};

QTEST_GUILESS_MAIN(TestSlurmAdapter)
#include "tst_slurmadapter.moc"
