// The adapter for hosts without a scheduler against recorded ps and launch output.
#include "adaptertest.h"
#include "support/verifyresult.h"

#include "remote/schedulers/sshadapter.h"

using namespace sweepline::remote;
using namespace adaptertest;
using namespace Qt::StringLiterals;

class TestSshAdapter : public QObject {
    Q_OBJECT

    SshAdapter adapter;

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
        const auto made = makeSchedulerAdapter(u"ssh"_s);
        QVERIFY(made);
        QCOMPARE(made->name(), u"ssh"_s);
        QVERIFY(dynamic_cast<SshAdapter*>(made.get()));
    }

    void noDirectives()
    {
        QVERIFY(adapter.directiveLines(makeSpec({}, 3600)).isEmpty());
        const JobSpec withDirective = makeSpec({u"--partition=gpu"_s});
        const auto status = adapter.checkJobSpec(withDirective);
        QVERIFY(!status);
        QVERIFY2(status.error().contains(u"no directives"_s), qPrintable(status.error()));
        QCOMPARE(checkJobSpec(adapter, withDirective).error(), status.error());
        QVERIFY(adapter.submitCommand(withDirective).argv.isEmpty());
    }

    void submitCommand()
    {
        const RemoteCommand command = adapter.submitCommand(makeSpec());
        QCOMPARE(command.argv,
                 (QStringList{u"bash"_s, u"-c"_s, SshAdapter::submitScript(), u"sweepline-submit"_s,
                              u"/home/alice/sweepline/demo/runs/7"_s, makeSpec().token}));
        // The script is fixed text: no value of the job inside, one line.
        QVERIFY(!SshAdapter::submitScript().contains(u"alice"_s));
        QVERIFY(!SshAdapter::submitScript().contains(u'\n'));
        JobSpec bad = makeSpec();
        bad.jobDirectory = u"/home/alice/x; rm -rf ~"_s;
        QVERIFY(adapter.submitCommand(bad).argv.isEmpty());
    }

    void parseSubmit_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("jobId");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("pid") << "ssh/submit_ok.out"
                             << "" << 0 << "4242"
                             << "";
        QTest::addRow("pid file never appeared") << ""
                                                 << "ssh/submit_no_pid.err" << 1 << ""
                                                 << "did not appear";
        QTest::addRow("no folder") << ""
                                   << "ssh/submit_no_folder.err" << 1 << ""
                                   << "No such file";
        QTest::addRow("empty") << ""
                               << "" << 0 << ""
                               << "no process id";
        QTest::addRow("garbage") << "ssh/garbage.out"
                                 << "" << 0 << ""
                                 << "no process id";
        QTest::addRow("pid 1") << "ssh/submit_pid1.out"
                               << "" << 0 << ""
                               << "no process id";
    }
    void parseSubmit()
    {
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, exitCode);
        QFETCH(QString, jobId);
        QFETCH(QString, errorPart);
        // The launcher knows no site limits: an answer is a pid or a refusal.
        verifyOutcome(adapter.parseSubmit(fixture(out), fixture(err), exitCode),
                      jobId.isEmpty() ? u"refused"_s : u"submitted"_s, jobId.isEmpty() ? errorPart : jobId);
    }

    void jobIdPattern_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::addRow("pid") << "4242" << true;
        QTest::addRow("2") << "2" << true;
        QTest::addRow("1: would be every process") << "1" << false;
        QTest::addRow("0: our own group") << "0" << false;
        QTest::addRow("leading zero") << "042" << false;
        QTest::addRow("huge") << "12345678901" << false;
        for (const QString& id : hostileIds())
            QTest::addRow("hostile %s", qPrintable(rowName(id))) << id << false;
    }
    void jobIdPattern()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(adapter.isValidJobId(id), valid);
    }

    // Each pid travels with its trial's token, so the script can tell our job from a reused pid.
    void statusCommand()
    {
        const RemoteCommand command =
            adapter.statusCommand({u"4242"_s, u"4243"_s}, {u"sw1a2b3c4d-7"_s, u"sw1a2b3c4d-8"_s});
        QCOMPARE(command.argv.mid(0, 2), argv({"bash", "-c"}));
        QCOMPARE(command.argv.mid(3), argv({"sweepline-status", "4242", "sw1a2b3c4d-7", "4243", "sw1a2b3c4d-8"}));
        QVERIFY(!command.argv.at(2).contains(u"4242"_s));
        // A pid without a token, or either of them hostile, stays out.
        QStringList ids = hostileIds() + QStringList{u"1"_s, u"777"_s, u"778"_s, u"779"_s};
        QStringList tokens;
        for (qsizetype i = 0; i < ids.size(); ++i)
            tokens.append(u"swtrial-"_s + QChar(char16_t(u'a' + i)));
        tokens[ids.size() - 2] = u"x; rm -rf ~"_s;
        tokens.removeLast();
        const RemoteCommand filtered = adapter.statusCommand(ids, tokens);
        QCOMPARE(filtered.argv.mid(3), (QStringList{u"sweepline-status"_s, u"777"_s, tokens.at(ids.size() - 3)}));
        QVERIFY(carriesNone({filtered.argv.mid(3), {}}, hostileIds() + hostileTokens())); // the script is fixed text
        QVERIFY(adapter.statusCommand(hostileIds() + QStringList{u"1"_s}, tokens).argv.isEmpty());
        QVERIFY(adapter.statusCommand({u"4242"_s}, {hostileTokens()}).argv.isEmpty());
        QVERIFY(adapter.statusCommand({u"4242"_s}, {}).argv.isEmpty());
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("running, by absolute path, stopped")
            << "ssh/status_mixed.out"
            << "" << 0 << QStringList{u"4242 Running - Ss"_s, u"4245 Running - Ss"_s, u"4246 Running - Ts"_s};
        QTest::addRow("none left") << "ssh/status_done.out"
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
        QCOMPARE(describe(result.value()), expected);
    }

    void parseStatusFailures_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("syntax error") << ""
                                      << "ssh/ps_syntax_error.err" << 1 << "syntax error";
        QTest::addRow("killed") << ""
                                << "" << 137 << "exited with code 137";
        QTest::addRow("garbage") << "ssh/status_garbage.out"
                                 << "" << 0 << "Unexpected ps output";
        QTest::addRow("rows, then exit 1") << "ssh/status_mixed.out"
                                           << "" << 1 << "exited with code 1";
        QTest::addRow("cut short") << "ssh/status_cut_short.out"
                                   << "" << 0 << "cut short";
        QTest::addRow("nothing") << ""
                                 << "" << 0 << "cut short";
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
        const RemoteCommand command = adapter.cancelCommand({u"4242"_s, u"4243"_s});
        QCOMPARE(command.argv.mid(0, 2), argv({"bash", "-c"}));
        QCOMPARE(command.argv.mid(3), argv({"sweepline-cancel", "4242", "4243"}));
        const RemoteCommand filtered = adapter.cancelCommand(hostileIds() + QStringList{u"1"_s, u"0"_s, u"777"_s});
        QCOMPARE(filtered.argv.mid(3), argv({"sweepline-cancel", "777"}));
        QVERIFY(adapter.cancelCommand(hostileIds() + QStringList{u"1"_s, u"0"_s}).argv.isEmpty());
    }

    void lookupCommand()
    {
        const RemoteCommand command = adapter.lookupCommand(makeSpec());
        QCOMPARE(command.argv.mid(0, 2), argv({"bash", "-c"}));
        QCOMPARE(command.argv.mid(3), argv({"sweepline-lookup", "/home/alice/sweepline/demo/runs/7"}));
        JobSpec bad = makeSpec();
        bad.jobDirectory = u"/home/alice/$(id)"_s;
        QVERIFY(adapter.lookupCommand(bad).argv.isEmpty());
    }

    void parseLookup_data()
    {
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");
        QTest::addRow("pid") << "ssh/lookup_pid.out"
                             << "" << 0 << true << "4242";
        QTest::addRow("no pid file") << "ssh/lookup_none.out"
                                     << "" << 0 << true << "";
        QTest::addRow("empty pid file") << ""
                                        << "" << 0 << false << "no process id yet";
        QTest::addRow("garbage") << "ssh/garbage.out"
                                 << "" << 0 << false << "no process id yet";
        QTest::addRow("bash missing") << ""
                                      << "slurm/not_found.err" << 127 << false << "command not found";
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

QTEST_GUILESS_MAIN(TestSshAdapter)
#include "tst_sshadapter.moc"
