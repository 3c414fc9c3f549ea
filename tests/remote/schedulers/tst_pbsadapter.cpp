// The PBS Pro / OpenPBS adapter against recorded qsub, qstat (JSON) and qselect output.
#include "adaptertest.h"
#include "support/verifyresult.h"

#include "remote/schedulers/pbsadapter.h"

using namespace sweepline::remote;
using namespace adaptertest;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(std::optional<qint64>)

class TestPbsAdapter : public QObject {
    Q_OBJECT

    PbsAdapter adapter;

    static QStringList argv(std::initializer_list<const char*> words)
    {
        QStringList list;
        for (const char* word : words)
            list.append(QString::fromUtf8(word));
        return list;
    }

private slots:
    void factoryKnowsIt()
    {
        const auto made = makeSchedulerAdapter(u"pbs"_s);
        QVERIFY(made);
        QCOMPARE(made->name(), u"pbs"_s);
        QVERIFY(dynamic_cast<PbsAdapter*>(made.get()));
    }

    void directiveLines_data()
    {
        QTest::addColumn<QStringList>("directives");
        QTest::addColumn<std::optional<qint64>>("limit");
        QTest::addColumn<QStringList>("expected");
        const QStringList head{
            u"#PBS -N sw1a2b3c4d-7"_s,
            u"#PBS -o /home/alice/sweepline/demo/runs/7/stdout.pbs"_s,
            u"#PBS -e /home/alice/sweepline/demo/runs/7/stderr.pbs"_s,
        };
        QTest::addRow("no limit") << QStringList() << std::optional<qint64>() << head;
        QTest::addRow("90 seconds") << QStringList() << std::optional<qint64>(90)
                                    << head + QStringList{u"#PBS -l walltime=00:01:30"_s};
        QTest::addRow("two days: hours past 24") << QStringList() << std::optional<qint64>(2 * 86400 + 1)
                                                 << head + QStringList{u"#PBS -l walltime=48:00:01"_s};
        QTest::addRow("a long one") << QStringList() << std::optional<qint64>(1000 * 3600)
                                    << head + QStringList{u"#PBS -l walltime=1000:00:00"_s};
        QTest::addRow("user directives verbatim, after ours")
            << QStringList{u"-q rt_G.small"_s, u"-l select=1:ncpus=4:ngpus=1"_s, u"-P grpname"_s, u"-j oe"_s}
            << std::optional<qint64>()
            << head
                + QStringList{u"#PBS -q rt_G.small"_s, u"#PBS -l select=1:ncpus=4:ngpus=1"_s, u"#PBS -P grpname"_s,
                              u"#PBS -j oe"_s};
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
        QTest::addColumn<QStringList>("directives");
        QTest::addColumn<QString>("why");
        QTest::addRow("newline") << QStringList{u"-q x\n#PBS -q y"_s} << u"line break"_s;
        QTest::addRow("name") << QStringList{u"-N other"_s} << u"-N"_s;
        QTest::addRow("output") << QStringList{u"-o host:/tmp/out"_s} << u"-o"_s;
        QTest::addRow("error") << QStringList{u"-e /tmp/err"_s} << u"-e"_s;
    }
    void refusesBadSpecs()
    {
        QFETCH(QStringList, directives);
        QFETCH(QString, why);
        const JobSpec spec = makeSpec(directives);
        const auto status = adapter.checkJobSpec(spec);
        QVERIFY(!status);
        QVERIFY2(status.error().contains(why), qPrintable(status.error()));
        QVERIFY(adapter.directiveLines(spec).isEmpty());
        QVERIFY(adapter.submitCommand(spec).argv.isEmpty());
    }

    void tokenMustStartWithALetter()
    {
        JobSpec spec = makeSpec();
        spec.token = u"7sw"_s;
        QVERIFY(!adapter.checkJobSpec(spec));
        QVERIFY(adapter.directiveLines(spec).isEmpty());
    }

    void submitCommand()
    {
        const RemoteCommand command = adapter.submitCommand(makeSpec());
        QCOMPARE(command.argv, argv({"qsub", "/home/alice/sweepline/demo/runs/7/job.sh"}));
        QCOMPARE(command.workingDirectory, u"/home/alice/sweepline/demo/runs/7"_s);
    }

    void parseSubmit_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("kind");   // submitted, refused, limited, unclear
        QTest::addColumn<QString>("detail"); // the job id, or a part of the message
        QTest::addRow("short server") << "pbs/qsub_ok.out"
                                      << "" << 0 << "submitted"
                                      << "1234.pbs-server";
        QTest::addRow("full server name, spaces") << "pbs/qsub_fqdn.out"
                                                  << "" << 0 << "submitted"
                                                  << "1235.pbs01.cluster.example.org";
        QTest::addRow("array") << "pbs/qsub_array.out"
                               << "" << 0 << "submitted"
                               << "1236[].pbs-server";
        QTest::addRow("warning before the id") << "pbs/qsub_warning.out"
                                               << "" << 0 << "submitted"
                                               << "1237.pbs-server";
        QTest::addRow("unknown queue") << ""
                                       << "pbs/qsub_unknown_queue.err" << 170 << "refused"
                                       << "qsub: Unknown queue";
        QTest::addRow("limits") << ""
                                << "pbs/qsub_limits.err" << 188 << "refused"
                                << "resource limits";
        QTest::addRow("server down") << ""
                                     << "pbs/qsub_server_down.err" << 1 << "refused"
                                     << "cannot connect";
        QTest::addRow("empty") << ""
                               << "" << 0 << "unclear"
                               << "no job id";
        QTest::addRow("garbage") << "pbs/garbage.out"
                                 << "" << 0 << "unclear"
                                 << "no job id";
        QTest::addRow("id but non-zero exit") << "pbs/qsub_ok.out"
                                              << "" << 1 << "refused"
                                              << "exited with code 1";
        QTest::addRow("two ids") << "pbs/qselect_two.out"
                                 << "" << 0 << "unclear"
                                 << "several";
        QTest::addRow("hostile") << "pbs/qselect_hostile.out"
                                 << "" << 0 << "unclear"
                                 << "no job id";
        // Per-user queue limits clear as the user's jobs leave the queue: wait, do not fail.
        QTest::addRow("server's queued-job limit") << ""
                                                   << "pbs/qsub_maxqueued.err" << 1 << "limited"
                                                   << "Maximum number of jobs already in queue";
        QTest::addRow("queued-job limit for the user") << ""
                                                       << "pbs/qsub_maxuserqueued.err" << 1 << "limited"
                                                       << "already in queue for user";
        QTest::addRow("queue's per-user limit") << ""
                                                << "pbs/qsub_queue_user_limit.err" << 38 << "limited"
                                                << "would exceed queue generic's per-user limit";
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
        QCOMPARE(adapter.statusCommand({u"101.pbs-server"_s, u"108[].pbs-server"_s, u"108[1].pbs-server"_s}, {}).argv,
                 argv({"qstat", "-f", "-F", "json", "-x", "101.pbs-server", "108[].pbs-server", "108[1].pbs-server"}));
        const QStringList ids = hostileIds() + QStringList{u"777.s"_s};
        for (const RemoteCommand& command : {adapter.statusCommand(ids, {}), adapter.cancelCommand(ids)}) {
            QCOMPARE(command.argv.last(), u"777.s"_s);
            QVERIFY(carriesNone(command, hostileIds()));
        }
        QVERIFY(adapter.statusCommand(hostileIds(), {}).argv.isEmpty());
        QVERIFY(adapter.cancelCommand(hostileIds()).argv.isEmpty());
    }

    void jobIdPattern_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::addRow("bare number") << "1234" << true;
        QTest::addRow("server") << "1234.pbs-server" << true;
        QTest::addRow("full name") << "1234.pbs01.cluster.example.org" << true;
        QTest::addRow("array") << "1234[].pbs" << true;
        QTest::addRow("subjob") << "1234[7].pbs" << true;
        QTest::addRow("empty server part") << "1234." << false;
        QTest::addRow("server starting with a dash") << "1234.-x" << false;
        QTest::addRow("double dot") << "1234..x" << false;
        QTest::addRow("range") << "1234[1-3].pbs" << false;
        for (const QString& id : hostileIds())
            QTest::addRow("hostile %s", qPrintable(rowName(id))) << id << false;
    }
    void jobIdPattern()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(adapter.isValidJobId(id), valid);
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("every state")
            << "pbs/qstat_all_states.json"
            << "" << 0
            << QStringList{
                   u"101.pbs-server Queued - Q"_s,
                   u"102.pbs-server Queued - H"_s,
                   u"103.pbs-server Queued - W"_s,
                   u"104.pbs-server Queued - T"_s,
                   u"105.pbs-server Queued - S"_s,
                   u"106.pbs-server Running - R"_s,
                   u"107.pbs-server Running - E"_s,
                   u"108[].pbs-server Running - B"_s,
                   u"108[1].pbs-server Finished 0 X"_s,
                   u"109.pbs-server Finished 0 F"_s,
                   u"110.pbs-server Finished 3 F"_s,
                   u"111.pbs-server Finished 271 F (exit status 271: killed by signal 15)"_s,
                   u"112.pbs-server Rejected -1 F (exit status -1: the job could not start)"_s,
                   u"113.pbs-server Finished -29 F (exit status -29: killed for exceeding a limit)"_s,
                   u"114.pbs-server Finished - F"_s,
                   u"116.pbs-server Queued - U"_s,
               };
        QTest::addRow("unknown ids beside known ones")
            << "pbs/qstat_some_unknown.json"
            << "pbs/qstat_unknown.err" << 153 << QStringList{u"106.pbs-server Running - R"_s};
        QTest::addRow("only unknown ids") << ""
                                          << "pbs/qstat_unknown.err" << 153 << QStringList();
        QTest::addRow("no Jobs key") << "pbs/qstat_no_jobs.json"
                                     << "" << 0 << QStringList();
        QTest::addRow("empty") << ""
                               << "" << 0 << QStringList();
    }
    void parseStatus()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QStringList, expected);
        const auto result = adapter.parseStatus(fixture(out), fixture(err), exitCode);
        QVERIFY_RESULT(result);
        QStringList jobs = describe(result.value());
        jobs.sort(); // JSON objects carry no order
        expected.sort();
        QCOMPARE(jobs, expected);
    }

    void parseStatusKeepsNamesAndStartTimes()
    {
        const auto result = adapter.parseStatus(fixture(u"pbs/qstat_all_states.json"_s), {}, 0);
        QVERIFY(result);
        bool sawRunning = false;
        for (const SchedulerJobStatus& job : result.value()) {
            if (job.jobId == u"106.pbs-server"_s) {
                sawRunning = true;
                QCOMPARE(job.jobName, u"sw1a2b3c4d-6"_s);
                QCOMPARE(job.startedAt, QDateTime(QDate(2024, 5, 1), QTime(10, 0, 6)));
            }
            if (job.jobId == u"105.pbs-server"_s)
                QVERIFY(!job.startedAt.isValid()); // suspended counts as queued
        }
        QVERIFY(sawRunning);
    }

    void parseStatusFailures_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("server down") << ""
                                     << "pbs/qstat_server_down.err" << 2 << "cannot connect";
        QTest::addRow("unknown ids and a busy server") << "pbs/qstat_some_unknown.json"
                                                       << "pbs/qstat_unknown_and_busy.err" << 153 << "Server is busy";
        QTest::addRow("non-zero, silent") << "pbs/qstat_some_unknown.json"
                                          << "" << 1 << "exited with code 1";
        QTest::addRow("garbage") << "pbs/garbage.out"
                                 << "" << 0 << "not its JSON";
        QTest::addRow("truncated JSON") << "pbs/truncated.json"
                                        << "" << 0 << "not its JSON";
        QTest::addRow("Jobs not an object") << "pbs/qstat_jobs_not_object.json"
                                            << "" << 0 << "no job table";
        QTest::addRow("not installed") << ""
                                       << "slurm/not_found.err" << 127 << "command not found";
    }
    void parseStatusFailures()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QString, errorPart);
        const auto result = adapter.parseStatus(fixture(out), fixture(err), exitCode);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(errorPart), qPrintable(result.error()));
    }

    void cancelCommand()
    {
        QCOMPARE(adapter.cancelCommand({u"1234.pbs-server"_s, u"1235.pbs-server"_s}).argv,
                 argv({"qdel", "1234.pbs-server", "1235.pbs-server"}));
    }

    void lookupCommand()
    {
        // The user's own jobs only; the token is an argument of a fixed script, never part of it.
        QCOMPARE(adapter.lookupCommand(makeSpec()).argv,
                 argv({"sh", "-c", "exec qselect -x -u \"$(id -un)\" -N \"$1\"", "sweepline-qselect", "sw1a2b3c4d-7"}));
        for (const QString& token : hostileTokens()) {
            JobSpec spec = makeSpec();
            spec.token = token;
            QVERIFY2(adapter.lookupCommand(spec).argv.isEmpty(), qPrintable(rowName(token)));
        }
    }

    void parseLookup_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");
        QTest::addRow("found") << "pbs/qselect_one.out"
                               << "" << 0 << true << "1300.pbs-server";
        QTest::addRow("two: the first") << "pbs/qselect_two.out"
                                        << "" << 0 << true << "1301.pbs-server";
        QTest::addRow("none") << ""
                              << "" << 0 << true << "";
        QTest::addRow("error") << ""
                               << "pbs/qselect_error.err" << 2 << false << "illegal -N value";
        QTest::addRow("hostile line") << "pbs/qselect_hostile.out"
                                      << "" << 0 << false << "Unexpected";
        QTest::addRow("garbage") << "pbs/garbage.out"
                                 << "" << 0 << false << "Unexpected";
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
};

QTEST_GUILESS_MAIN(TestPbsAdapter)
#include "tst_pbsadapter.moc"
