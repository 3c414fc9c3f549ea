// Other users are there too: another account's jobs that carry this campaign's job names (pending,
// running, finished, failed) never change a trial, also while a submission is unclear and its name
// has to be looked up. Through the real sweepline-cli, a real OpenSSH sshd and a real one-node Slurm
// on loopback; the campaign logs in as one ordinary account (TestAccount), the neighbour is another.
// Every job logs the id Slurm gave it, so "its own job id" is checked against Slurm itself.
#include "support/accountcluster.h"

#include "support/testfiles.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline::testing;

namespace {

// The CSV's columns for a campaign of one parameter x.
enum Column { Trial, State, X, Loss, JobId };

} // namespace

class TestOtherUsers : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    AccountCluster m_cluster;
    std::unique_ptr<TestAccount> m_neighbour;
    QString m_home; // the campaign account's home, where its jobs and the sbatch wrapper live

    QString remotePath(const QString& name) const { return m_home + u'/' + name; }
    QString goFlag() const { return remotePath(u"sbatch-go"_s); }
    QString firstSubmission() const { return remotePath(u"sbatch-first"_s); }
    QString jobLog() const { return remotePath(u"jobs.log"_s); }

    ProcessResult neighbourSbatch(const QString& name, const QStringList& options, const QString& command)
    {
        return m_neighbour->run(u"sbatch"_s,
                                QStringList{u"--parsable"_s, u"--job-name="_s + name, u"--output=/dev/null"_s} + options
                                    + QStringList{u"--wrap="_s + command},
                                m_cluster.slurm().environment());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The campaign account's sbatch waits for the test's go (so the neighbour's jobs are there
        // first), and the first submission's reply loses its id while the job is queued: an unclear
        // submission, which the engine must look up by name among jobs of that name.
        const bool started = m_cluster.start([this](SshServerOptions& options) {
            m_home = m_cluster.account().home();
            const QString wrappers = remotePath(u"wrappers"_s);
            QDir().mkpath(wrappers);
            writeTextFile(wrappers + u"/sbatch"_s,
                          u"#!/bin/sh\nwhile [ ! -e %1 ]; do sleep 0.1; done\n"
                          "out=$(/usr/bin/sbatch \"$@\"); rc=$?\n"
                          "if [ \"$rc\" -eq 0 ] && mkdir %2 2>/dev/null; then echo \"$out\" > %2/id; "
                          "echo 'sbatch: the reply was cut short'; exit 0; fi\n"
                          "printf '%s\\n' \"$out\"; exit $rc\n"_s.arg(goFlag(), firstSubmission()),
                          0755);
            options.sessionEnvironment.insert(u"PATH"_s, wrappers + u":/usr/local/bin:/usr/bin:/bin"_s);
        });
        QVERIFY2(started, qPrintable(m_cluster.errorString()));
        TestAccountOptions quiet;
        quiet.noisyLoginFiles = false;
        m_neighbour = std::make_unique<TestAccount>(quiet);
        QVERIFY2(m_neighbour->create(), qPrintable(m_neighbour->errorString()));
    }

    void cleanupTestCase()
    {
        m_neighbour.reset(); // its jobs and processes first
        m_cluster.stop();
    }

    void neighboursJobsOfOurNamesChangeNothing()
    {
        const QString dir = m_tmp.filePath(u"campaign"_s);
        QDir().mkpath(dir);
        writeTextFile(
            dir + u"/objective.sh"_s,
            u"x=$1\nsleep 1\necho \"$x $SLURM_JOB_ID\" >> %1\necho \"loss: $(( 10 * x + 3 ))\"\n"_s.arg(jobLog()));
        const QString workdir = remotePath(u"remote"_s);
        const QString campaign = dir + u"/campaign.json"_s;
        writeTextFile(campaign, uR"({
  "name": "neighbours",
  "parameters": [{"name": "x", "type": "int", "range": {"min": 1, "max": 4}, "default": 1}],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": 4, "parallel": 2},
  "job": {"command": "bash objective.sh {x}", "files": ["objective.sh"]},
  "cluster": {"scheduler": "slurm", "host": "sweepline-test", "ssh_config": "%1", "workdir": "%2", "poll_interval_s": 1}
})"_s.arg(m_cluster.clientConfig(), workdir));

        QProcess run;
        run.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(run.waitForStarted());
        // The trial folders are claimed before sbatch runs: the store's id is the folder's name.
        const QString base = workdir + u"/neighbours"_s;
        QVERIFY2(waitUntil([&] { return !QDir(base).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty(); }, 60000),
                 run.readAllStandardError().constData());
        const QString storeId = QDir(base).entryList(QDir::Dirs | QDir::NoDotAndDotDot).value(0);
        const auto token = [&](int trial) { return u"sw%1-%2"_s.arg(storeId).arg(trial); };

        // The neighbour's jobs with our names: held (pending), running, finished, failed, for every
        // trial, submitted before ours, so they have the lower ids.
        QStringList neighbourIds;
        for (int trial = 1; trial <= 4; ++trial) {
            const ProcessResult held = neighbourSbatch(token(trial), {u"--hold"_s}, u"true"_s);
            const ProcessResult failed = neighbourSbatch(token(trial), {}, u"exit 3"_s);
            QVERIFY2(held.ok() && failed.ok(), qPrintable(held.describe() + failed.describe()));
            neighbourIds << QString::fromUtf8(held.out).trimmed() << QString::fromUtf8(failed.out).trimmed();
        }
        const ProcessResult running = neighbourSbatch(token(1), {}, u"sleep 300"_s);
        QVERIFY2(running.ok(), qPrintable(running.describe()));
        neighbourIds << QString::fromUtf8(running.out).trimmed();
        QVERIFY(waitUntil([&] { return m_cluster.slurm().jobState(neighbourIds.constLast()) == u"RUNNING"_s; }, 60000));
        QVERIFY(waitUntil([&] { return m_cluster.slurm().jobState(neighbourIds.at(1)) == u"FAILED"_s; }, 60000));

        QVERIFY(writeTextFile(goFlag(), QString(), 0644));
        QVERIFY(run.waitForFinished(300000));
        const QString err = QString::fromUtf8(run.readAllStandardError());
        QVERIFY2(run.exitStatus() == QProcess::NormalExit && run.exitCode() == 0, qPrintable(err));
        QVERIFY2(QFileInfo::exists(firstSubmission() + u"/id"_s), "no submission was unclear");

        // Every trial is done with its own value and the id Slurm gave its own job.
        const QString csv = dir + u"/trials.csv"_s;
        const ProcessResult exported =
            runProcess(QString::fromUtf8(SWEEPLINE_CLI), {u"export"_s, campaign, u"--csv"_s, csv});
        QVERIFY2(exported.ok(), qPrintable(exported.describe()));
        QMap<QString, QString> ownIdOfX; // x -> SLURM_JOB_ID, as the job itself logged it
        for (const QString& line : readLines(jobLog()))
            ownIdOfX.insert(line.section(u' ', 0, 0), line.section(u' ', 1, 1));
        QCOMPARE(ownIdOfX.size(), 4);
        const QStringList rows = readLines(csv).mid(1);
        QCOMPARE(rows.size(), 4);
        QStringList recordedIds;
        for (const QString& line : rows) {
            const QStringList row = line.split(u',');
            QVERIFY2(row.value(State) == u"done"_s, qPrintable(line + u'\n' + err));
            QCOMPARE(row.value(Loss).toInt(), 10 * row.value(X).toInt() + 3);
            QVERIFY2(row.value(JobId) == ownIdOfX.value(row.value(X)),
                     qPrintable(line + u' ' + ownIdOfX.value(row.value(X))));
            QVERIFY(!neighbourIds.contains(row.value(JobId)));
            recordedIds << row.value(JobId);
        }
        recordedIds.removeDuplicates();
        QCOMPARE(recordedIds.size(), 4);
        // The unclear submission's job is the one its trial recorded.
        QVERIFY(recordedIds.contains(fileText(firstSubmission() + u"/id"_s).trimmed()));
        // The neighbour's jobs were left alone.
        QCOMPARE(m_cluster.slurm().jobState(neighbourIds.constLast()), u"RUNNING"_s);
        QCOMPARE(m_cluster.slurm().jobState(neighbourIds.at(0)), u"PENDING"_s);
        QVERIFY2(err.contains(u"submissions: submissions paused"_s), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestOtherUsers)
#include "tst_otherusers.moc"
