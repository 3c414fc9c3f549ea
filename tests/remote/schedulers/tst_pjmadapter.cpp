// The Fujitsu PJM adapter against recorded pjsub and pjstat output, and its two-query status script
// against a stand-in pjstat.
#include "adaptertest.h"
#include "support/verifyresult.h"

#include "remote/schedulers/pjmadapter.h"
#include "remote/schedulers/remotequote.h"

using namespace sweepline::remote;
using namespace adaptertest;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(std::optional<qint64>)

class TestPjmAdapter : public QObject {
    Q_OBJECT

    PjmAdapter adapter;

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
        const auto made = makeSchedulerAdapter(u"pjm"_s);
        QVERIFY(made);
        QCOMPARE(made->name(), u"pjm"_s);
        QVERIFY(dynamic_cast<PjmAdapter*>(made.get()));
    }

    void directiveLines_data()
    {
        QTest::addColumn<QStringList>("directives");
        QTest::addColumn<std::optional<qint64>>("limit");
        QTest::addColumn<QStringList>("expected");
        const QStringList head{
            u"#PJM -N sw1a2b3c4d-7"_s,
            u"#PJM -o /home/alice/sweepline/demo/runs/7/stdout.pjm"_s,
            u"#PJM -e /home/alice/sweepline/demo/runs/7/stderr.pjm"_s,
        };
        QTest::addRow("no limit") << QStringList() << std::optional<qint64>() << head;
        QTest::addRow("30 minutes") << QStringList() << std::optional<qint64>(1800)
                                    << head + QStringList{u"#PJM -L elapse=0:30:00"_s};
        QTest::addRow("a day and more: hours, no D- form")
            << QStringList() << std::optional<qint64>(86400 + 3723) << head + QStringList{u"#PJM -L elapse=25:02:03"_s};
        QTest::addRow("a week") << QStringList() << std::optional<qint64>(7 * 86400)
                                << head + QStringList{u"#PJM -L elapse=168:00:00"_s};
        QTest::addRow("user directives verbatim, after ours")
            << QStringList{u"-L rscgrp=cx-share"_s, u"-L node=1"_s, u"-L jobenv=singularity"_s, u"-g GROUP"_s, u"-j"_s}
            << std::optional<qint64>(59)
            << head + QStringList{u"#PJM -L elapse=0:00:59"_s,     u"#PJM -L rscgrp=cx-share"_s, u"#PJM -L node=1"_s,
                                  u"#PJM -L jobenv=singularity"_s, u"#PJM -g GROUP"_s,           u"#PJM -j"_s};
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
        QTest::addRow("newline") << QStringList{u"-L node=1\n#PJM -L node=1000"_s} << u"line break"_s;
        QTest::addRow("name") << QStringList{u"-N other"_s} << u"-N"_s;
        QTest::addRow("output") << QStringList{u"-o /tmp/out"_s} << u"-o"_s;
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

    void submitCommand()
    {
        const RemoteCommand command = adapter.submitCommand(makeSpec());
        QCOMPARE(command.argv, argv({"pjsub", "/home/alice/sweepline/demo/runs/7/job.sh"}));
        QCOMPARE(command.workingDirectory, u"/home/alice/sweepline/demo/runs/7"_s);
        JobSpec bad = makeSpec();
        bad.jobDirectory = u"/home/alice/$(id)"_s;
        QVERIFY(adapter.submitCommand(bad).argv.isEmpty());
    }

    void parseSubmit_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("kind");   // submitted, refused, limited, unclear
        QTest::addColumn<QString>("detail"); // the job id, or a part of the message
        QTest::addRow("submitted") << "pjm/pjsub_ok.out"
                                   << "" << 0 << "submitted"
                                   << "12345";
        QTest::addRow("step job") << "pjm/pjsub_step.out"
                                  << "" << 0 << "submitted"
                                  << "932267_1";
        QTest::addRow("bulk job") << "pjm/pjsub_bulk.out"
                                  << "" << 0 << "submitted"
                                  << "123456[2]";
        QTest::addRow("warning first") << "pjm/pjsub_warning.out"
                                       << "" << 0 << "submitted"
                                       << "12346";
        QTest::addRow("message on stderr") << ""
                                           << "pjm/pjsub_ok.out" << 0 << "submitted"
                                           << "12345";
        QTest::addRow("node limit") << ""
                                    << "pjm/pjsub_node_limit.err" << 1 << "refused"
                                    << "[ERR.] PJM 0057 pjsub node=32 is greater than the upper limit (24).";
        QTest::addRow("node limit, exit 0") << ""
                                            << "pjm/pjsub_node_limit.err" << 0 << "refused"
                                            << "PJM 0057";
        QTest::addRow("resource group, on stdout") << "pjm/pjsub_rscgrp.out"
                                                   << "" << 2 << "refused"
                                                   << "PJM 0007";
        QTest::addRow("hostile id") << "pjm/pjsub_hostile_id.out"
                                    << "" << 0 << "unclear"
                                    << "no job id";
        QTest::addRow("not installed") << ""
                                       << "pjm/not_found.err" << 127 << "refused"
                                       << "not found";
        QTest::addRow("empty") << ""
                               << "" << 0 << "unclear"
                               << "no job id";
        QTest::addRow("garbage") << "pjm/garbage.out"
                                 << "" << 0 << "unclear"
                                 << "Segmentation fault";
        QTest::addRow("id but non-zero exit") << "pjm/pjsub_ok.out"
                                              << "" << 1 << "refused"
                                              << "exited with code 1";
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

    void statusCommands()
    {
        const QStringList ids{u"48969021"_s, u"932267_1"_s, u"123456[2]"_s};
        QCOMPARE(adapter.activeStatusCommand(ids).argv,
                 argv({"pjstat", "-v", "--choose", "jid,st,ec,sn", "--filter", "jid=48969021+932267_1+123456[2]"}));
        QCOMPARE(adapter.historyCommand(ids).argv,
                 argv({"pjstat", "-H", "day=3", "-v", "--choose", "jid,st,ec,sn", "--filter",
                       "jid=48969021+932267_1+123456[2]"}));
        const RemoteCommand both = adapter.statusCommand(ids, {});
        QCOMPARE(both.argv.size(), 6);
        QCOMPARE(both.argv.mid(0, 2), argv({"sh", "-c"}));
        QCOMPARE(both.argv.mid(3), argv({"sweepline-pjstat", "jid,st,ec,sn", "jid=48969021+932267_1+123456[2]"}));
        QVERIFY(!quoteForRemoteShell(both.argv).isEmpty()); // one line, fit for any login shell
    }

    void commandsTakeOnlyValidIds()
    {
        const QStringList ids = hostileIds() + QStringList{u"777"_s};
        for (const RemoteCommand& command : {adapter.statusCommand(ids, {}), adapter.activeStatusCommand(ids),
                                             adapter.historyCommand(ids), adapter.cancelCommand(ids)}) {
            QVERIFY2(command.argv.last().endsWith(u"777"_s), qPrintable(command.argv.join(u' ')));
            QVERIFY(!command.argv.last().contains(u'+'));
            QVERIFY(carriesNone(command, hostileIds()));
        }
        QVERIFY(adapter.statusCommand(hostileIds(), {}).argv.isEmpty());
        QVERIFY(adapter.historyCommand(hostileIds()).argv.isEmpty());
        QVERIFY(adapter.cancelCommand(hostileIds()).argv.isEmpty());
        QVERIFY(adapter.statusCommand({}, {u"sw1a2b3c4d-7"_s}).argv.isEmpty());
    }

    void jobIdPattern_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::addRow("plain") << "48969021" << true;
        QTest::addRow("step") << "932267_1" << true;
        QTest::addRow("bulk") << "123456[2]" << true;
        QTest::addRow("bulk, empty index") << "123456[]" << false;
        QTest::addRow("step and bulk") << "1_2[3]" << false;
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
        QTest::addRow("banner, then active states")
            << "pjm/pjstat_banner_active.out"
            << "" << 0
            << QStringList{u"48969021 Queued - ACC"_s,  u"48969022 Queued - QUE"_s,  u"48969023 Queued - RNA"_s,
                           u"48969024 Queued - HLD"_s,  u"48969025 Queued - SPD"_s,  u"48969026 Running - RUN"_s,
                           u"48969027 Running - RNE"_s, u"48969028 Running - RNO"_s, u"48969029 Running - RNP"_s,
                           u"932267_1 Running - RUN"_s, u"123456[2] Queued - QUE"_s};
        QTest::addRow("active and history, banners before both")
            << "pjm/pjstat_combined.out"
            << "" << 0 << QStringList{u"48969026 Running - RUN"_s,
                                      u"48969040 Running - RUN"_s, // the active row wins over an older history row
                                      u"48969030 Finished 0 EXT"_s,
                                      u"48969031 Finished 1 EXT"_s,
                                      u"48969032 Finished 137 EXT (signal 9)"_s,
                                      u"48969033 Cancelled - CCL"_s,
                                      u"48969034 Rejected - ERR"_s,
                                      u"48969035 Rejected - RJT"_s};
        QTest::addRow("invalid jobid, exit 0")
            << "pjm/pjstat_history_only.out"
            << "pjm/pjstat_invalid_jobid.err" << 0 << QStringList{u"48969030 Finished 0 EXT"_s};
        QTest::addRow("invalid jobid, exit 1")
            << "pjm/pjstat_history_only.out"
            << "pjm/pjstat_invalid_jobid.err" << 1 << QStringList{u"48969030 Finished 0 EXT"_s};
        QTest::addRow("only invalid jobids") << ""
                                             << "pjm/pjstat_invalid_jobid.err" << 1 << QStringList();
        QTest::addRow("nothing at all") << ""
                                        << "" << 0 << QStringList();
        QTest::addRow("header alone") << "pjm/pjstat_header_only.out"
                                      << "" << 0 << QStringList();
        QTest::addRow("unknown state left out") << "pjm/pjstat_unknown_state.out"
                                                << "" << 0 << QStringList{u"48969031 Running - RUN"_s};
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

    void parseStatusFailures_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("server down") << ""
                                     << "pjm/pjstat_server_down.err" << 1 << "PJM 0020";
        QTest::addRow("server down, exit 0") << ""
                                             << "pjm/pjstat_server_down.err" << 0 << "PJM 0020";
        QTest::addRow("server down among good rows") << "pjm/pjstat_combined.out"
                                                     << "pjm/pjstat_server_down.err" << 0 << "PJM 0020";
        QTest::addRow("not installed") << ""
                                       << "pjm/not_found.err" << 127 << "not found";
        QTest::addRow("non-zero, silent") << "pjm/pjstat_history_only.out"
                                          << "" << 1 << "exited with code 1";
        QTest::addRow("garbage") << "pjm/garbage.out"
                                 << "" << 0 << "no job table";
        QTest::addRow("bad exit code column") << "pjm/pjstat_bad_ec.out"
                                              << "" << 0 << "Unexpected pjstat row";
        QTest::addRow("short row") << "pjm/pjstat_short_row.out"
                                   << "" << 0 << "Unexpected pjstat row";
        QTest::addRow("other columns") << "pjm/pjstat_wrong_columns.out"
                                       << "" << 0 << "Unexpected pjstat columns";
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

    void stateFor()
    {
        QCOMPARE(PjmAdapter::stateFor(u"SPP"_s), SchedulerJobState::Queued);
        QCOMPARE(PjmAdapter::stateFor(u"RSM"_s), SchedulerJobState::Running);
        QVERIFY(!PjmAdapter::stateFor(u"run"_s));
        QVERIFY(!PjmAdapter::stateFor(u"EXIT"_s));
    }

    void cancelCommand()
    {
        QCOMPARE(adapter.cancelCommand({u"48969021"_s, u"932267_1"_s}).argv, argv({"pjdel", "48969021", "932267_1"}));
    }

    void lookupCommand()
    {
        const RemoteCommand command = adapter.lookupCommand(makeSpec());
        QCOMPARE(command.argv.size(), 6);
        QCOMPARE(command.argv.mid(3), argv({"sweepline-pjstat", "jid,st,ec,sn,jnam", "jnam=sw1a2b3c4d-7"}));
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
        QTest::addRow("queued, after a banner") << "pjm/lookup_active.out"
                                                << "" << 0 << true << "48969050";
        QTest::addRow("two in history: the first") << "pjm/lookup_history.out"
                                                   << "" << 0 << true << "48969049";
        QTest::addRow("none: headers only") << "pjm/lookup_none.out"
                                            << "" << 0 << true << "";
        QTest::addRow("none: nothing printed") << ""
                                               << "" << 0 << true << "";
        QTest::addRow("truncated name") << "pjm/lookup_truncated.out"
                                        << "" << 0 << false << "Unexpected";
        QTest::addRow("status columns") << "pjm/pjstat_history_only.out"
                                        << "" << 0 << false << "columns";
        QTest::addRow("server down") << ""
                                     << "pjm/pjstat_server_down.err" << 1 << false << "PJM 0020";
        QTest::addRow("garbage") << "pjm/garbage.out"
                                 << "" << 0 << false << "no job table";
        QTest::addRow("non-zero, silent") << ""
                                          << "" << 1 << false << "exited with code 1";
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

    // The two-query script, run by sh against a stand-in pjstat that records its arguments and
    // answers like the real one: the exit code is the first failure's, and both outputs arrive.
    void bothQueriesScript_data()
    {
        QTest::addColumn<int>("activeExit");
        QTest::addColumn<int>("historyExit");
        QTest::addColumn<int>("expectedExit");
        QTest::addRow("both fine") << 0 << 0 << 0;
        QTest::addRow("active fails") << 1 << 0 << 1;
        QTest::addRow("history fails") << 0 << 2 << 2;
        QTest::addRow("both fail: the first") << 3 << 4 << 3;
    }
    void bothQueriesScript()
    {
        QFETCH(int, activeExit);
        QFETCH(int, historyExit);
        QFETCH(int, expectedExit);
        QTemporaryDir bin;
        QVERIFY(bin.isValid());
        const QString log = bin.filePath(u"args.log"_s);
        QFile fake(bin.filePath(u"pjstat"_s));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write(u"#!/bin/sh\n"
                   "printf '%s|' \"$@\" >> '%1'; echo >> '%1'\n"
                   "if [ \"$1\" = -H ]; then echo ' JOB_ID ST EC SN'; echo ' 2 EXT 0 0'; exit %3; fi\n"
                   "echo ' JOB_ID ST EC SN'; echo ' 1 RUN - -'; exit %2\n"_s.arg(log)
                       .arg(activeExit)
                       .arg(historyExit)
                       .toUtf8());
        fake.close();
        fake.setPermissions(fake.permissions() | QFile::ExeOwner);

        const RemoteCommand command = adapter.statusCommand({u"1"_s, u"2"_s}, {});
        QProcess shell;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"PATH"_s, bin.path() + u':' + env.value(u"PATH"_s));
        shell.setProcessEnvironment(env);
        shell.start(u"/bin/sh"_s, {u"-c"_s, quoteForRemoteShell(command.argv)});
        QVERIFY(shell.waitForFinished(10000));
        QCOMPARE(shell.exitCode(), expectedExit);

        QFile logFile(log);
        QVERIFY(logFile.open(QIODevice::ReadOnly));
        QCOMPARE(
            QString::fromUtf8(logFile.readAll()),
            u"-v|--choose|jid,st,ec,sn|--filter|jid=1+2|\n-H|day=3|-v|--choose|jid,st,ec,sn|--filter|jid=1+2|\n"_s);
        const auto result = adapter.parseStatus(QString::fromUtf8(shell.readAllStandardOutput()),
                                                QString::fromUtf8(shell.readAllStandardError()), shell.exitCode());
        if (expectedExit == 0) {
            QVERIFY_RESULT(result);
            QCOMPARE(describe(result.value()), (QStringList{u"1 Running - RUN"_s, u"2 Finished 0 EXT"_s}));
        } else {
            QVERIFY(!result); // a failed query, even with rows printed
        }
    }
};

QTEST_GUILESS_MAIN(TestPjmAdapter)
#include "tst_pjmadapter.moc"
