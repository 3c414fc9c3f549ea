// The ssh adapter's commands for real, on this machine: launched through a login shell (sh and tcsh)
// the way the SSH backend sends them, against a job script that keeps the job.pid / exit_code contract.
#include "adaptertest.h"
#include "support/verifyresult.h"

#include "engine/jobscript.h"
#include "remote/schedulers/remotequote.h"
#include "remote/schedulers/sshadapter.h"

using namespace sweepline::engine;
using namespace sweepline::remote;
using namespace Qt::StringLiterals;

class TestSshAdapterLocal : public QObject {
    Q_OBJECT

    SshAdapter adapter;
    QStringList m_startedGroups; // stopped in cleanup() should a test fail half-way

    struct Output {
        QString out;
        QString err;
        int exitCode = -1;
    };

    static Output run(const QString& loginShell, const RemoteCommand& command)
    {
        const QString line = remoteCommandLine(command);
        QProcess process;
        const QStringList options =
            loginShell.endsWith(u"tcsh"_s) ? QStringList{u"-f"_s, u"-c"_s, line} : QStringList{u"-c"_s, line};
        process.start(loginShell, options);
        if (!process.waitForFinished(20000))
            return {{}, u"timeout"_s, -1};
        return {QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError()),
                process.exitCode()};
    }

    // The contract of the real job script (remote/jobscript.cpp): job.pid first, exit_code last.
    static void writeJobScript(const QString& directory, const QString& command)
    {
        QFile file(QDir(directory).filePath(QLatin1String(runfiles::script)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(u"#!/bin/bash\n"
                   "cd -- '%1' || exit 97\n"
                   "( set -o noclobber; echo \"$$\" > job.pid ) 2>/dev/null || exit 0\n"
                   "( %2 ) > stdout 2> stderr < /dev/null\n"
                   "rc=$?\n"
                   "printf '%d\\n' \"$rc\" > exit_code.tmp && mv -f exit_code.tmp exit_code\n"
                   "exit \"$rc\"\n"_s.arg(directory, command)
                       .toUtf8());
    }

    // A launch's job id, or why there is none.
    static sweepline::model::Result<QString> submittedId(const SubmitOutcome& outcome)
    {
        if (outcome.kind == SubmitOutcome::Kind::Submitted)
            return outcome.jobId;
        return sweepline::model::Result<QString>::failure(outcome.message);
    }

    static JobSpec specFor(const QString& directory)
    {
        JobSpec spec = adaptertest::makeSpec();
        spec.jobDirectory = directory;
        return spec;
    }

    static QString read(const QString& directory, const char* name)
    {
        QFile file(QDir(directory).filePath(QLatin1String(name)));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : u"<missing>"_s;
    }

    // Processes left in the job's process group.
    static QString groupMembers(const QString& pgid)
    {
        QProcess ps;
        ps.start(u"ps"_s, {u"-o"_s, u"pid=,stat="_s, u"-g"_s, pgid});
        ps.waitForFinished(5000);
        QStringList alive;
        for (const QString& line : QString::fromUtf8(ps.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts)) {
            if (!line.simplified().section(u' ', 1, 1).startsWith(u'Z'))
                alive.append(line.simplified());
        }
        return alive.join(u"; "_s);
    }

private slots:
    void cleanup()
    {
        for (const QString& pgid : std::as_const(m_startedGroups))
            QProcess::execute(u"kill"_s, {u"-KILL"_s, u"--"_s, u'-' + pgid});
        m_startedGroups.clear();
    }

    void lifecycle_data()
    {
        QTest::addColumn<QString>("loginShell");
        QTest::addRow("sh") << u"/bin/sh"_s;
        const QString tcsh = QStandardPaths::findExecutable(u"tcsh"_s);
        if (!tcsh.isEmpty())
            QTest::addRow("tcsh") << tcsh;
    }
    void lifecycle()
    {
        QFETCH(QString, loginShell);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString dir = tmp.path();
        writeJobScript(dir, u"sleep 60"_s);
        const JobSpec spec = specFor(dir);

        // Never launched: no pid file.
        Output lookup = run(loginShell, adapter.lookupCommand(spec));
        auto found = adapter.parseLookup(spec, lookup.out, lookup.err, lookup.exitCode);
        QVERIFY_RESULT(found);
        QCOMPARE(found.value(), QString());

        // Launch: the pid arrives, the launch itself returns at once.
        QElapsedTimer timer;
        timer.start();
        Output submit = run(loginShell, adapter.submitCommand(spec));
        QVERIFY2(timer.elapsed() < 10000, "the launch waited for the job");
        auto pid = submittedId(adapter.parseSubmit(submit.out, submit.err, submit.exitCode));
        QVERIFY_RESULT(pid);
        m_startedGroups.append(pid.value());
        QCOMPARE(read(dir, runfiles::pid).trimmed(), pid.value());

        // Running, and a session of its own (it survives the login shell).
        Output status = run(loginShell, adapter.statusCommand({pid.value()}, {spec.token}));
        auto jobs = adapter.parseStatus(status.out, status.err, status.exitCode);
        QVERIFY_RESULT(jobs);
        QCOMPARE(adaptertest::describe(jobs.value()).size(), 1);
        QCOMPARE(jobs->first().jobId, pid.value());
        QCOMPARE(jobs->first().state, SchedulerJobState::Running);
        QVERIFY2(jobs->first().rawState.contains(u's'), qPrintable(jobs->first().rawState)); // session leader

        // Looked up and launched again: the same job, not a second one.
        lookup = run(loginShell, adapter.lookupCommand(spec));
        found = adapter.parseLookup(spec, lookup.out, lookup.err, lookup.exitCode);
        QVERIFY(found);
        QCOMPARE(found.value(), pid.value());
        submit = run(loginShell, adapter.submitCommand(spec));
        auto again = submittedId(adapter.parseSubmit(submit.out, submit.err, submit.exitCode));
        QVERIFY(again);
        QCOMPARE(again.value(), pid.value());

        // Cancelled: the whole process group goes, sleep included, and no exit code is written.
        const Output cancel = run(loginShell, adapter.cancelCommand({pid.value()}));
        QCOMPARE(cancel.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(groupMembers(pid.value()), QString(), 10000);
        status = run(loginShell, adapter.statusCommand({pid.value()}, {spec.token}));
        jobs = adapter.parseStatus(status.out, status.err, status.exitCode);
        QVERIFY_RESULT(jobs);
        for (const SchedulerJobStatus& job : jobs.value())
            QCOMPARE(job.state, SchedulerJobState::Finished); // at most a zombie nobody reaped yet
        QCOMPARE(read(dir, runfiles::exitCode), u"<missing>"_s);
        m_startedGroups.clear();
    }

    void finishedJobLeavesItsExitCode()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        writeJobScript(tmp.path(), u"echo done; exit 3"_s);
        const JobSpec spec = specFor(tmp.path());
        const Output submit = run(u"/bin/sh"_s, adapter.submitCommand(spec));
        const auto pid = submittedId(adapter.parseSubmit(submit.out, submit.err, submit.exitCode));
        QVERIFY_RESULT(pid);
        m_startedGroups.append(pid.value());
        QTRY_COMPARE_WITH_TIMEOUT(read(tmp.path(), runfiles::exitCode), u"3\n"_s, 10000);
        QCOMPARE(read(tmp.path(), runfiles::stdoutFile), u"done\n"_s);
        QTRY_COMPARE_WITH_TIMEOUT(groupMembers(pid.value()), QString(), 10000);
        const Output status = run(u"/bin/sh"_s, adapter.statusCommand({pid.value()}, {spec.token}));
        const auto jobs = adapter.parseStatus(status.out, status.err, status.exitCode);
        QVERIFY_RESULT(jobs);
        for (const SchedulerJobStatus& job : jobs.value())
            QCOMPARE(job.state, SchedulerJobState::Finished);
        m_startedGroups.clear();
    }

    void launchWithoutScriptFails()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const Output submit = run(u"/bin/sh"_s, adapter.submitCommand(specFor(tmp.path())));
        const auto pid = submittedId(adapter.parseSubmit(submit.out, submit.err, submit.exitCode));
        QVERIFY(!pid);
        QVERIFY2(pid.error().contains(u"did not appear"_s), qPrintable(pid.error()));
    }

    // Pids are reused: the pid in job.pid may by now belong to another program, or even to the job
    // script of another trial. Neither counts as this trial's job, and neither is killed by its cancel.
    void reusedPidIsNotOurs()
    {
        QTemporaryDir ours;
        QTemporaryDir other;
        QVERIFY(ours.isValid() && other.isValid());
        writeJobScript(other.path(), u"sleep 60"_s);
        JobSpec otherSpec = specFor(other.path());
        otherSpec.token = u"sw1a2b3c4d-8"_s;
        const Output submit = run(u"/bin/sh"_s, adapter.submitCommand(otherSpec));
        const auto otherJob = submittedId(adapter.parseSubmit(submit.out, submit.err, submit.exitCode));
        QVERIFY_RESULT(otherJob);
        m_startedGroups.append(otherJob.value());
        qint64 foreignPid = 0;
        QVERIFY(QProcess::startDetached(u"setsid"_s, {u"sleep"_s, u"60"_s}, {}, &foreignPid));
        // setsid forks when it is a group leader already; it is not here, so the pid is sleep's.
        m_startedGroups.append(QString::number(foreignPid));
        QTRY_VERIFY_WITH_TIMEOUT(groupMembers(QString::number(foreignPid)).contains(u"S"_s), 5000);

        const JobSpec spec = specFor(ours.path());
        for (const QString& reused : {QString::number(foreignPid), otherJob.value()}) {
            const Output status = run(u"/bin/sh"_s, adapter.statusCommand({reused}, {spec.token}));
            const auto jobs = adapter.parseStatus(status.out, status.err, status.exitCode);
            QVERIFY_RESULT(jobs);
            QVERIFY2(jobs->isEmpty(), qPrintable(reused));
        }
        // The same pids with their own tokens are seen: the check is not blind.
        const Output status = run(u"/bin/sh"_s, adapter.statusCommand({otherJob.value()}, {otherSpec.token}));
        const auto jobs = adapter.parseStatus(status.out, status.err, status.exitCode);
        QVERIFY2(jobs && jobs->size() == 1 && jobs->first().state == SchedulerJobState::Running,
                 qPrintable(status.out));

        const Output cancel = run(u"/bin/sh"_s, adapter.cancelCommand({QString::number(foreignPid)}));
        QCOMPARE(cancel.exitCode, 0);
        // A trial's cancel spares another trial's job script behind its recorded pid.
        const Output cancelOurs = run(u"/bin/sh"_s, adapter.cancelJobCommand(otherJob.value(), spec.token));
        QCOMPARE(cancelOurs.exitCode, 0);
        QTest::qWait(500);
        QVERIFY2(!groupMembers(QString::number(foreignPid)).isEmpty(), "a foreign process was killed");
        QVERIFY2(!groupMembers(otherJob.value()).isEmpty(), "another trial's job was killed");
        // ...and stops its own trial's job: the check is not blind.
        const Output cancelOther = run(u"/bin/sh"_s, adapter.cancelJobCommand(otherJob.value(), otherSpec.token));
        QCOMPARE(cancelOther.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(groupMembers(otherJob.value()).isEmpty(), 5000);
        QVERIFY(adapter.cancelJobCommand(otherJob.value(), u"sw'; touch INJECTED; '"_s).argv.isEmpty());
    }

    void missingFolderFails()
    {
        const JobSpec spec = specFor(u"/nonexistent/sweepline/runs/7"_s);
        const Output submit = run(u"/bin/sh"_s, adapter.submitCommand(spec));
        QVERIFY(!submittedId(adapter.parseSubmit(submit.out, submit.err, submit.exitCode)));
        const Output lookup = run(u"/bin/sh"_s, adapter.lookupCommand(spec));
        const auto found = adapter.parseLookup(spec, lookup.out, lookup.err, lookup.exitCode);
        QVERIFY_RESULT(found);
        QCOMPARE(found.value(), QString());
    }
};

QTEST_GUILESS_MAIN(TestSshAdapterLocal)
#include "tst_sshadapterlocal.moc"
