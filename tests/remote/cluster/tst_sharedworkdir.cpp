// A result belongs to its trial: campaigns that share a name and a workdir on the cluster (a copy of
// the campaign file, a store made anew) each run every trial of their own and record their own
// values; a trial folder someone else made is refused, and what was planted in it is never read.
// Through the real sweepline-cli, a real OpenSSH sshd and a real one-node Slurm on loopback. Every job
// appends one line to its campaign's measurement log, so "really ran" is checked directly. The
// campaigns log in as an ordinary account (TestAccount, with noisy login files); root remains the
// test's own (it makes the account, the fixtures, and plays the neighbour who plants files).
#include "model/trialstore.h"
#include "support/accountcluster.h"

#include "support/testfiles.h"
#include "support/verifyresult.h"
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <QtTest>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

using namespace sweepline::testing;

namespace {

ProcessResult cli(const QStringList& args, const QProcessEnvironment& env = {})
{
    return runProcess(QString::fromUtf8(SWEEPLINE_CLI), args, env, 300000);
}

void schedulerRows(const QStringList& schedulers)
{
    QTest::addColumn<QString>("scheduler");
    for (const QString& scheduler : schedulers)
        QTest::addRow("%s", qPrintable(scheduler)) << scheduler;
}

// The CSV's columns for a campaign of one parameter x.
enum Column { Trial, State, X, Loss, JobId, SubmittedAt, StartedAt, FinishedAt, ElapsedS };

} // namespace

class TestSharedWorkdir : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    AccountCluster m_cluster;
    int m_folders = 0;

    QString path(const QString& name) const { return QDir(m_tmp.path()).filePath(name); }
    // On the "cluster": in the account's home, where its jobs may write.
    QString remotePath(const QString& name) { return m_cluster.account().home() + u'/' + name; }
    QString workdir() { return remotePath(u"remote"_s); }
    QString measuredLog(const QString& campaign)
    {
        return remotePath(u"measured-%1.log"_s.arg(QFileInfo(folderOf(campaign)).fileName()));
    }

    struct CampaignOptions {
        QString name = u"shared"_s;
        QString scheduler = u"slurm"_s;
        int maxTrials = 4;
        int offset = 0; // each campaign's jobs print loss = 10 * x + offset: whose value it is shows
        int pollSeconds = 1;
        int sleepSeconds = 0;
        QString timeLimit;
        QString beforeValue; // shell lines the job runs before it prints its value
    };

    // A campaign file in a folder of its own; its jobs log "x offset trial" to measuredLog().
    QString writeCampaign(const CampaignOptions& o, QString dir = {})
    {
        if (dir.isEmpty())
            dir = path(u"c%1"_s.arg(++m_folders));
        QDir().mkpath(dir);
        writeTextFile(dir + u"/objective.sh"_s,
                      u"x=$1; log=$2\n"
                      "sleep %2\n"
                      "echo \"$x %1 $SWEEPLINE_TRIAL\" >> \"$log\"\n"
                      "%3\n"
                      "echo \"loss: $(( 10 * x + %1 ))\"\n"_s.arg(o.offset)
                          .arg(o.sleepSeconds)
                          .arg(o.beforeValue));
        const QString cluster = o.scheduler == u"local"_s
            ? uR"("scheduler": "local")"_s
            : uR"("scheduler": "%1", "host": "sweepline-test", "ssh_config": "%2", "workdir": "%3",
              "poll_interval_s": %4)"_s.arg(o.scheduler, m_cluster.clientConfig(), workdir())
                  .arg(o.pollSeconds);
        QString file = dir + u"/campaign.json"_s;
        writeTextFile(file,
                      uR"({
  "name": "%1",
  "parameters": [{"name": "x", "type": "int", "range": {"min": 1, "max": 8}, "default": 1}],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": %2, "parallel": 2},
  "job": {"command": "bash objective.sh {x} %3", "files": ["objective.sh"]%5},
  "cluster": {%4}
})"_s.arg(o.name)
                          .arg(o.maxTrials)
                          .arg(remotePath(u"measured-%1.log"_s.arg(QFileInfo(dir).fileName())), cluster,
                               o.timeLimit.isEmpty() ? QString() : u", \"time_limit\": \"%1\""_s.arg(o.timeLimit)));
        return file;
    }

    static QString folderOf(const QString& campaign) { return QFileInfo(campaign).absolutePath(); }
    static QString storeOf(const QString& campaign) { return folderOf(campaign) + u"/campaign.sweepline"_s; }

    QList<QStringList> exportRows(const QString& campaign)
    {
        const QString csv = folderOf(campaign) + u"/trials.csv"_s;
        const ProcessResult r = cli({u"export"_s, campaign, u"--csv"_s, csv});
        QList<QStringList> rows;
        const QStringList lines = r.exitCode == 0 ? readLines(csv) : QStringList{};
        for (qsizetype i = 1; i < lines.size(); ++i)
            rows.append(lines.at(i).trimmed().split(u','));
        return rows;
    }

    // Every trial of this campaign ran once, in this campaign, and holds the value its own run printed.
    void verifyOwnResults(const QString& campaign, int trials, int offset)
    {
        const QList<QStringList> rows = exportRows(campaign);
        QCOMPARE(rows.size(), trials);
        for (const QStringList& row : rows) {
            QVERIFY2(row.value(State) == u"done"_s, qPrintable(row.join(u',')));
            QCOMPARE(row.value(Loss).toInt(), 10 * row.value(X).toInt() + offset);
        }
        const QStringList measured = readLines(measuredLog(campaign));
        QCOMPARE(measured.size(), trials);
        for (const QString& line : measured)
            QCOMPARE(line.split(u' ').value(1).toInt(), offset);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(m_cluster.start(), qPrintable(m_cluster.errorString()));
    }

    void cleanupTestCase() { m_cluster.stop(); }

    void twoCampaignsOfOneNameShareAWorkdir_data() { schedulerRows({u"slurm"_s, u"ssh"_s}); }
    void twoCampaignsOfOneNameShareAWorkdir()
    {
        QFETCH(QString, scheduler);
        CampaignOptions first;
        first.name = u"twins-"_s + scheduler;
        first.scheduler = scheduler;
        const QString one = writeCampaign(first);
        const ProcessResult a = cli({u"run"_s, one});
        QVERIFY2(a.ok(), qPrintable(a.describe()));
        verifyOwnResults(one, 4, 0);

        CampaignOptions second = first;
        second.offset = 1000;
        const QString two = writeCampaign(second); // a copy of the campaign in another folder
        const ProcessResult b = cli({u"run"_s, two});
        QVERIFY2(b.ok(), qPrintable(b.describe()));
        verifyOwnResults(two, 4, 1000);
        verifyOwnResults(one, 4, 0); // and the first one's record is untouched
        QCOMPARE(QFileInfo(measuredLog(two)).ownerId(), m_cluster.account().uid()); // the jobs ran as the account
        QVERIFY(!m_cluster.ssh().log().contains(u"Accepted publickey for root"_s));
    }

    void campaignStartedOverWithAFreshStore()
    {
        CampaignOptions o;
        o.name = u"again"_s;
        const QString campaign = writeCampaign(o);
        const ProcessResult a = cli({u"run"_s, campaign});
        QVERIFY2(a.ok(), qPrintable(a.describe()));
        verifyOwnResults(campaign, 4, 0);

        // Started over: the store goes, the remote folders of its trials stay where they were.
        QVERIFY(QDir(storeOf(campaign)).removeRecursively());
        QVERIFY(QFile::remove(measuredLog(campaign)));
        o.offset = 500;
        writeCampaign(o, folderOf(campaign));
        const ProcessResult b = cli({u"run"_s, campaign});
        QVERIFY2(b.ok(), qPrintable(b.describe()));
        verifyOwnResults(campaign, 4, 500);
    }

    // A CLI killed while its jobs run resumes with the folders of the attempts it recorded: each job
    // is collected from its own folder, none runs twice, none is lost. (The second campaign of the
    // same name in the same workdir, before it, leaves folders the resumed run must not confuse.)
    void killedRunResumesWithItsAttempts()
    {
        CampaignOptions o;
        o.name = u"resumed"_s;
        o.sleepSeconds = 2;
        o.offset = 7;
        const QString campaign = writeCampaign(o);
        QProcess run;
        run.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(run.waitForStarted());
        QVERIFY(waitUntil(
            [&] { return !readLines(measuredLog(campaign)).isEmpty() || run.state() == QProcess::NotRunning; },
            120000));
        QVERIFY2(run.state() == QProcess::Running, run.readAllStandardError().constData());
        ::kill(pid_t(run.processId()), SIGKILL);
        run.waitForFinished();
        const ProcessResult again = cli({u"run"_s, campaign});
        QVERIFY2(again.ok(), qPrintable(again.describe()));
        verifyOwnResults(campaign, 4, 7);
    }

    // Folders that are not this store's (one without a mark, one with a planted result and another
    // store's mark, a symlink, another user's holding our very mark) are refused: those trials fail
    // naming the folder, the others run, and no planted value is recorded. Root plants them.
    void foreignTrialFoldersAreRefused()
    {
        CampaignOptions o;
        o.name = u"refusing"_s;
        o.maxTrials = 1;
        const QString campaign = writeCampaign(o);
        const ProcessResult a = cli({u"run"_s, campaign});
        QVERIFY2(a.ok(), qPrintable(a.describe()));
        auto store = sweepline::model::TrialStore::openExisting(storeOf(campaign));
        QVERIFY_RESULT(store);
        const QString base = workdir() + u"/refusing/"_s + store.value()->storeId();
        store.value().reset();

        const QString madeBySomeone = base + u"/2.1"_s;
        QVERIFY(QDir().mkpath(madeBySomeone));
        const QString planted = base + u"/3.1"_s;
        QVERIFY(QDir().mkpath(planted));
        writeTextFile(planted + u"/.sweepline-owner"_s, u"swdeadbeef-3 attempt 1\n"_s);
        writeTextFile(planted + u"/exit_code"_s, u"0\n"_s);
        writeTextFile(planted + u"/stdout"_s, u"loss: -1000\n"_s);
        writeTextFile(planted + u"/job.pid"_s, u"1234\n"_s);
        for (const QString& own : {madeBySomeone, planted}) {
            for (const QString& name : QDir(own).entryList(QDir::Files | QDir::Hidden) + QStringList{u"."_s})
                QVERIFY(::chown(QFile::encodeName(QDir(own).filePath(name)).constData(), m_cluster.account().uid(),
                                m_cluster.account().gid())
                        == 0);
        }
        const QString elsewhere = remotePath(u"elsewhere"_s);
        QVERIFY(QDir().mkpath(elsewhere));
        QVERIFY(QFile::link(elsewhere, base + u"/4.1"_s));
        const QString foreign = base + u"/5.1"_s;
        QVERIFY(QDir().mkpath(foreign));
        writeTextFile(foreign + u"/.sweepline-owner"_s, u"sw%1-5 attempt 1\n"_s.arg(QFileInfo(base).fileName()), 0644);

        o.maxTrials = 6; // the budget may grow between runs
        writeCampaign(o, folderOf(campaign));
        const ProcessResult b = cli({u"run"_s, campaign});
        const QList<QStringList> rows = exportRows(campaign);
        QCOMPARE(rows.size(), 6);
        const QString all = fileText(folderOf(campaign) + u"/trials.csv"_s);
        for (int trial : {2, 3, 4, 5}) {
            const QStringList& row = rows.at(trial - 1);
            QVERIFY2(row.value(State) == u"failed"_s, qPrintable(row.join(u',')));
            QVERIFY(row.value(Loss).isEmpty());
            QVERIFY2(all.contains(u"%1/%2.1"_s.arg(base).arg(trial)), qPrintable(all));
        }
        QVERIFY2(all.contains(u"exists without this store's owner mark"_s), qPrintable(all));
        QVERIFY2(all.contains(u"was made by another store or attempt"_s), qPrintable(all));
        QVERIFY2(all.contains(u"exists and is not a folder"_s), qPrintable(all));
        QVERIFY2(all.contains(u"belongs to another user"_s), qPrintable(all));
        QVERIFY(!all.contains(u"-1000"_s));
        QCOMPARE(rows.at(5).value(State), u"done"_s);
        // Nothing of ours went into the refused folders.
        QVERIFY(!QFileInfo::exists(madeBySomeone + u"/job.sh"_s));
        QVERIFY(!QFileInfo::exists(planted + u"/job.sh"_s));
        QVERIFY(QDir(elsewhere).isEmpty());
        QVERIFY(!QFileInfo::exists(foreign + u"/job.sh"_s));
        QCOMPARE(readLines(measuredLog(campaign)).size(), 2);
        QVERIFY2(b.exitCode == 0 || b.exitCode == 1, qPrintable(b.describe())); // it ran to its end
    }

    // The plain host's jobs are seen running only when ps shows this trial's own job script behind
    // the pid; the engine then stops them at their time limit (nobody else would).
    void sshSchedulerSeesItsOwnJobsAndStopsThem()
    {
        CampaignOptions o;
        o.name = u"limited"_s;
        o.scheduler = u"ssh"_s;
        o.maxTrials = 2;
        o.sleepSeconds = 60;
        o.timeLimit = u"00:00:03"_s;
        const QString campaign = writeCampaign(o);
        QElapsedTimer timer;
        timer.start();
        const ProcessResult r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(r.describe()));
        QVERIFY2(timer.elapsed() < 40000, "the jobs ran past their time limit");
        const QList<QStringList> rows = exportRows(campaign);
        QCOMPARE(rows.size(), 2);
        for (const QStringList& row : rows)
            QVERIFY2(row.value(State) == u"failed"_s, qPrintable(row.join(u',')));
        QCOMPARE(int(fileText(folderOf(campaign) + u"/trials.csv"_s).count(u"time limit"_s)), 2);
        QVERIFY(readLines(measuredLog(campaign)).isEmpty());
    }

    // A stdout over the download limit (set low here) comes back as its tail: the last value is the
    // run's true one, the learning curve is the part in the tail, and the trial says so.
    void hugeStdoutYieldsItsLastValue()
    {
        CampaignOptions o;
        o.name = u"chatty"_s;
        o.maxTrials = 2;
        o.offset = 3;
        o.beforeValue = u"for i in $(seq 1 3000); do echo \"epoch $i loss: $((i + 100000))\"; done"_s;
        const QString campaign = writeCampaign(o);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"SWEEPLINE_MAX_DOWNLOAD_BYTES"_s, u"4096"_s);
        const ProcessResult r = cli({u"run"_s, campaign}, env);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        verifyOwnResults(campaign, 2, 3);
        const QString csv = fileText(folderOf(campaign) + u"/trials.csv"_s);
        QCOMPARE(int(csv.count(u"over the download limit"_s)), 2);
        const ProcessResult status = cli({u"status"_s, campaign});
        QVERIFY2(status.ok() && status.out.count("note: trial ") == 2, qPrintable(status.describe()));
        const QString json = folderOf(campaign) + u"/trials.json"_s;
        QVERIFY(cli({u"export"_s, campaign, u"--json"_s, json}).ok());
        const QJsonArray trials =
            QJsonDocument::fromJson(fileText(json).toUtf8()).object().value(u"trials"_s).toArray();
        QCOMPARE(trials.size(), 2);
        for (const auto& trial : trials) {
            const QJsonArray curve = trial.toObject().value(u"intermediate"_s).toArray();
            QVERIFY2(curve.size() > 50 && curve.size() < 300, qPrintable(QString::number(curve.size())));
            QCOMPARE(curve.last().toDouble(), trial.toObject().value(u"value"_s).toDouble());
            QCOMPARE(curve.at(curve.size() - 2).toDouble(), 103000.0); // the tail, in order, to its end
        }
    }

    // Outputs swapped for a symlink to another file (the job does it), or for a file of another user
    // (root does it, as a neighbour with access could), after the run wrote them: not read, and the
    // trial fails saying why.
    void plantedOutputsAreNotRead()
    {
        const QString fake = remotePath(u"fake-stdout"_s);
        writeTextFile(fake, u"loss: -1000\n"_s, 0644);
        const QString ready = remotePath(u"planted-ready"_s);
        const QString go = remotePath(u"planted-go"_s);
        CampaignOptions o;
        o.name = u"planted"_s;
        o.maxTrials = 2;
        o.beforeValue = u"echo 'loss: 5'; if [ \"$x\" = 1 ]; then rm -f stdout; ln -s %1 stdout; "
                        "else pwd > %2; for i in $(seq 600); do [ -e %3 ] && break; sleep 0.1; done; fi; exit 0"_s.arg(
                            fake, ready, go);
        const QString campaign = writeCampaign(o);
        QProcess run;
        run.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(run.waitForStarted());
        QVERIFY(waitUntil([&] { return !fileText(ready).trimmed().isEmpty(); }, 120000));
        const QString folder = fileText(ready).trimmed();
        QVERIFY(writeTextFile(folder + u"/stdout.planted"_s, u"loss: -1000\n"_s, 0644));
        QVERIFY(::rename(QFile::encodeName(folder + u"/stdout.planted"_s).constData(),
                         QFile::encodeName(folder + u"/stdout"_s).constData())
                == 0);
        QVERIFY(writeTextFile(go, {}));
        QVERIFY(run.waitForFinished(300000));
        QVERIFY2(run.exitCode() == 0 || run.exitCode() == 1, run.readAllStandardError().constData());
        const QList<QStringList> rows = exportRows(campaign);
        QCOMPARE(rows.size(), 2);
        for (const QStringList& row : rows) {
            QVERIFY2(row.value(State) == u"failed"_s, qPrintable(row.join(u',')));
            QVERIFY(row.value(Loss).isEmpty());
        }
        const QString csv = fileText(folderOf(campaign) + u"/trials.csv"_s);
        QVERIFY2(csv.contains(u"not a regular file"_s), qPrintable(csv));
        QVERIFY2(csv.contains(u"belongs to user 0, the folder to user %1"_s.arg(m_cluster.account().uid())),
                 qPrintable(csv));
        QVERIFY(!csv.contains(u"-1000"_s));
    }

    // Jobs far shorter than the poll interval are never seen running: their scripts' own clocks give
    // the start and end, so queue time and run time are known.
    void shortJobsGetTheirScriptsTimes_data() { schedulerRows({u"slurm"_s, u"ssh"_s, u"local"_s}); }
    void shortJobsGetTheirScriptsTimes()
    {
        QFETCH(QString, scheduler);
        CampaignOptions o;
        o.name = u"short-"_s + scheduler;
        o.scheduler = scheduler;
        o.pollSeconds = 6;
        const QString campaign = writeCampaign(o);
        const ProcessResult r = cli({u"run"_s, campaign});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        for (const QStringList& row : exportRows(campaign)) {
            QVERIFY2(!row.value(StartedAt).isEmpty(), qPrintable(row.join(u',')));
            QVERIFY2(!row.value(ElapsedS).isEmpty(), qPrintable(row.join(u',')));
            const QDateTime submitted = QDateTime::fromString(row.value(SubmittedAt), Qt::ISODateWithMs);
            const QDateTime started = QDateTime::fromString(row.value(StartedAt), Qt::ISODateWithMs);
            const QDateTime finished = QDateTime::fromString(row.value(FinishedAt), Qt::ISODateWithMs);
            QVERIFY2(submitted.isValid() && started.isValid() && finished.isValid(), qPrintable(row.join(u',')));
            QVERIFY(submitted <= started && started <= finished);
            // Well under the poll interval: the times are the script's, not the polls'.
            QVERIFY2(row.value(ElapsedS).toDouble() < 3, qPrintable(row.join(u',')));
        }
    }
};

QTEST_GUILESS_MAIN(TestSharedWorkdir)
#include "tst_sharedworkdir.moc"
