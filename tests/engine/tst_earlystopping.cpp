// Early stopping with real local runs: the runner follows each job's stdout while it runs, commits
// its learning curve as it grows, and stops the runs the rule judges hopeless.
#include "engine/campaignrunner.h"
#include "engine/jobscript.h"
#include "engine/localbackend.h"
#include "model/trialstore.h"
#include "support/verifyresult.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline;
using model::TrialState;

namespace {

// Prints "epoch N <metric>=V" for each value of the curve its kind names, sleeping between epochs,
// and appends the trial id to launches.log beside the state folder as it starts. "burst" prints every epoch at once and exits.
const char kCurveScript[] = R"(kind=$1; metric=$2; pause=${3:-0.3}
echo "$SWEEPLINE_TRIAL" >> ../../../launches.log
case "$kind" in
  good)   values="1.0 0.8 0.6 0.5 0.4 0.35 0.3 0.25" ;;
  bad)    values="5.0 4.9 4.8 4.7 4.6 4.5 4.4 4.3" ;;
  rising) values="0.5 0.6 0.7 0.75 0.8 0.85 0.9 0.95" ;;
  flat)   values="0.1 0.11 0.12 0.13 0.14 0.15 0.16 0.17" ;;
  burst)  for n in 1 2 3 4 5 6 7 8; do echo "epoch $n $metric=9.$n"; done; exit 0 ;;
esac
n=0
for v in $values; do
  n=$((n + 1))
  echo "epoch $n $metric=$v"
  sleep "$pause"
done
)";

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestEarlyStopping : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    int m_campaigns = 0;

    struct Setup {
        QString stateDirectory;
        model::Campaign campaign;
    };

    // A campaign over kinds of curve, run one at a time in grid order (the kinds' order).
    Setup makeCampaign(const QString& kinds, model::EarlyStoppingRule rule, const QString& direction = u"minimize"_s,
                       const QString& metric = u"loss"_s, const QString& pause = u"0.3"_s, int parallel = 1)
    {
        const QString folder = QDir(m_tmp.path()).filePath(u"c%1"_s.arg(++m_campaigns));
        QDir().mkpath(folder);
        const QString script = QDir(folder).filePath(u"curve.sh"_s);
        QFile f(script);
        if (!f.open(QIODevice::WriteOnly) || f.write(kCurveScript) < 0)
            qFatal("cannot write %s", qPrintable(script));
        f.close();
        const QByteArray json = uR"({
  "name": "curves",
  "parameters": [{"name": "kind", "type": "choice", "values": [%1]}],
  "objective": {"metric": "%2", "direction": "%3"},
  "search": {"strategy": "grid", "max_trials": 20, "parallel": %6},
  "job": {"command": "bash %4 {kind} %2 %5"}
})"_s.arg(kinds, metric, direction, script, pause)
                                    .arg(parallel)
                                    .toUtf8();
        auto parsed = model::parseCampaign(json);
        if (!parsed.campaign)
            qFatal("the test campaign is invalid: %s", qPrintable(parsed.issues.value(0).toString()));
        Setup s{QDir(folder).filePath(u"state"_s), *parsed.campaign};
        s.campaign.search.earlyStopping.rule = rule;
        // asha: rungs at steps 2, 4, 8, the better half going on; median: from the first completed trial.
        s.campaign.search.earlyStopping.minSteps = 2;
        s.campaign.search.earlyStopping.reductionFactor = 2;
        s.campaign.search.earlyStopping.startupTrials = 1;
        s.campaign.search.earlyStopping.warmupSteps = 1;
        return s;
    }

    static QString stdoutOf(const Setup& s, qint64 trialId)
    {
        return QString::fromUtf8(
            readFile(QDir(engine::localRunDirectory(s.stateDirectory, trialId)).filePath(u"stdout"_s)));
    }

    static QStringList launches(const Setup& s)
    {
        return QString::fromUtf8(readFile(QDir(s.stateDirectory).filePath(u"../launches.log"_s)))
            .split(u'\n', Qt::SkipEmptyParts);
    }

    // One engine on a campaign's state: its store, a local backend with a fast follower, the runner
    // (not started), declared so that they go in reverse.
    struct Engine {
        std::unique_ptr<model::TrialStore> store;
        engine::LocalBackend backend;
        std::unique_ptr<engine::CampaignRunner> runner;
        std::unique_ptr<QSignalSpy> finished;

        explicit Engine(const Setup& s, int followIntervalMs = 50)
        {
            auto opened = model::TrialStore::open(s.stateDirectory, s.campaign);
            if (!opened)
                qFatal("%s", qPrintable(opened.error()));
            store = std::move(opened).value();
            backend.setKillGracePeriod(2000);
            backend.setOutputFollowing(followIntervalMs, 1 << 20);
            runner = std::make_unique<engine::CampaignRunner>(s.campaign, *store, backend, s.stateDirectory);
            finished = std::make_unique<QSignalSpy>(runner.get(), &engine::CampaignRunner::finished);
        }
        model::TrialRecord trial(qint64 id) const
        {
            auto t = store->trial(id);
            return t ? t.value() : model::TrialRecord{};
        }
    };

    // Runs the campaign to its end; returns the store's trials.
    QList<model::TrialRecord> runToEnd(const Setup& s, int followIntervalMs = 50,
                                       QList<model::TrialRecord>* seen = nullptr)
    {
        Engine e(s, followIntervalMs);
        if (seen)
            connect(e.runner.get(), &engine::CampaignRunner::trialChanged, this,
                    [seen](const model::TrialRecord& t) { seen->append(t); });
        const auto started = e.runner->start();
        if (!started)
            qFatal("%s", qPrintable(started.error()));
        if (!e.finished->wait(60000))
            qFatal("the campaign did not finish");
        const auto summary = e.finished->at(0).at(0).value<engine::RunSummary>();
        if (!summary.ok)
            qFatal("%s", qPrintable(summary.error));
        return e.store->trials().value();
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<engine::JobEnd>();
        qRegisterMetaType<engine::RunSummary>();
        qRegisterMetaType<model::TrialRecord>();
        QVERIFY(m_tmp.isValid());
    }

    void aBadRunIsStoppedMidRunAndAGoodOneRunsToTheEnd_data()
    {
        QTest::addColumn<model::EarlyStoppingRule>("rule");
        QTest::addColumn<int>("stopStep");
        QTest::addColumn<double>("stopValue");
        // asha: at the rung of step 2 the bad run's 4.9 is not in the better half of {0.8, 4.9}.
        QTest::addRow("asha") << model::EarlyStoppingRule::Asha << 2 << 4.9;
        // median: step 1 is warm-up; at step 2 the bad run's best, 4.9, is worse than the good one's 0.8.
        QTest::addRow("median") << model::EarlyStoppingRule::Median << 2 << 4.9;
    }
    void aBadRunIsStoppedMidRunAndAGoodOneRunsToTheEnd()
    {
        QFETCH(model::EarlyStoppingRule, rule);
        QFETCH(int, stopStep);
        QFETCH(double, stopValue);
        const Setup s = makeCampaign(u"\"good\", \"bad\""_s, rule);
        const auto trials = runToEnd(s);
        QCOMPARE(trials.size(), 2);

        const model::TrialRecord& good = trials.at(0);
        QCOMPARE(good.values.value(0).toString(), u"good"_s);
        QCOMPARE(model::toString(good.state), model::toString(TrialState::Done));
        QCOMPARE(good.value, std::optional<double>(0.25));
        QCOMPARE(good.intermediate.size(), 8);
        QVERIFY(!good.pruneAt);
        QVERIFY(stdoutOf(s, good.id).contains(u"epoch 8 loss=0.25"_s));

        const model::TrialRecord& bad = trials.at(1);
        QCOMPARE(bad.values.value(0).toString(), u"bad"_s);
        QCOMPARE(model::toString(bad.state), model::toString(TrialState::Pruned));
        QVERIFY(!bad.value);
        QVERIFY(bad.pruneAt);
        QCOMPARE(bad.pruneAt->step, stopStep);
        QCOMPARE(bad.pruneAt->value, stopValue);
        QVERIFY(bad.finishedAt.isValid());
        // Stopped mid-run: its stdout never holds its last epochs, and the curve is what it holds.
        const QString out = stdoutOf(s, bad.id);
        QVERIFY2(out.contains(u"epoch %1 loss=%2"_s.arg(stopStep).arg(stopValue)), qPrintable(out));
        QVERIFY2(!out.contains(u"epoch 7"_s) && !out.contains(u"epoch 8"_s), qPrintable(out));
        QVERIFY(bad.intermediate.size() >= stopStep && bad.intermediate.size() < 7);
        QCOMPARE(bad.intermediate.mid(0, 2), (QList<double>{5.0, 4.9}));
        QVERIFY(!QFileInfo::exists(QDir(engine::localRunDirectory(s.stateDirectory, bad.id)).filePath(u"exit_code"_s)));
        QCOMPARE(launches(s), (QStringList{u"1"_s, u"2"_s}));
    }

    // The curve of a running trial is in the store while it runs, a commit at a time, read by
    // another connection as a resumed engine or the GUI would.
    void intermediateValuesAreCommittedWhileTheJobRuns()
    {
        const Setup s = makeCampaign(u"\"good\""_s, model::EarlyStoppingRule::Asha, u"minimize"_s, u"loss"_s, u"0.4"_s);
        Engine e(s);
        QList<qsizetype> publishedCurveSizes;
        connect(e.runner.get(), &engine::CampaignRunner::trialChanged, this, [&](const model::TrialRecord& t) {
            if (t.state == TrialState::Running)
                publishedCurveSizes.append(t.intermediate.size());
        });
        QVERIFY_RESULT(e.runner->start());

        auto reader = model::TrialStore::openExisting(s.stateDirectory, model::TrialStore::Access::ReadOnly);
        QVERIFY_RESULT(reader);
        const QString exitCode = QDir(engine::localRunDirectory(s.stateDirectory, 1)).filePath(u"exit_code"_s);
        const auto readRecorded = [&reader] {
            auto t = reader.value()->trial(1);
            return t ? t.value() : model::TrialRecord{};
        };
        model::TrialRecord running;
        QTRY_VERIFY_WITH_TIMEOUT((running = readRecorded()).intermediate.size() >= 3, 20000);
        QCOMPARE(model::toString(running.state), model::toString(TrialState::Running));
        QVERIFY(!QFileInfo::exists(exitCode)); // the job has not ended
        QCOMPARE(running.intermediate.mid(0, 3), (QList<double>{1.0, 0.8, 0.6}));
        // Whole lines only: the offset ends at a line end of what the job printed.
        const QByteArray printed = readFile(QDir(engine::localRunDirectory(s.stateDirectory, 1)).filePath(u"stdout"_s));
        QVERIFY(running.curveOffset > 0 && running.curveOffset <= printed.size());
        QCOMPARE(printed.at(running.curveOffset - 1), '\n');

        QVERIFY(e.finished->wait(30000));
        const model::TrialRecord done = e.trial(1);
        QCOMPARE(model::toString(done.state), model::toString(TrialState::Done));
        QCOMPARE(done.intermediate.size(), 8);
        QCOMPARE(done.curveOffset, qint64(0));
        // The GUI saw the curve grow, a published trial per new value or more.
        QVERIFY2(publishedCurveSizes.size() >= 4, qPrintable(QString::number(publishedCurveSizes.size())));
        QVERIFY(std::is_sorted(publishedCurveSizes.begin(), publishedCurveSizes.end()));
    }

    // Output only arrives after the job ended (a follower slower than the job): the stop is decided
    // on values of a run that already finished, and the trial is done, not pruned.
    void aRunThatFinishedBeforeItsStopLandedIsDone()
    {
        const Setup s =
            makeCampaign(u"\"good\", \"burst\""_s, model::EarlyStoppingRule::Asha, u"minimize"_s, u"loss"_s, u"0.05"_s);
        QList<model::TrialRecord> seen;
        const auto trials = runToEnd(s, 3600 * 1000, &seen);
        QCOMPARE(trials.size(), 2);
        const model::TrialRecord& burst = trials.at(1);
        QCOMPARE(burst.values.value(0).toString(), u"burst"_s);
        // The rule did ask to stop it (its 9.2 at step 2 is behind 0.8)...
        const bool stopAsked = std::any_of(seen.cbegin(), seen.cend(), [&](const model::TrialRecord& t) {
            return t.id == burst.id && t.pruneAt && !model::isTerminal(t.state);
        });
        QVERIFY(stopAsked);
        // ...but it had exited 0 with its value: that is its result.
        QCOMPARE(model::toString(burst.state), model::toString(TrialState::Done));
        QCOMPARE(burst.value, std::optional<double>(9.8));
        QCOMPARE(burst.intermediate.size(), 8);
    }

    void maximisedMetricsAreStoppedWhenTheyFallBehind()
    {
        const Setup s =
            makeCampaign(u"\"rising\", \"flat\""_s, model::EarlyStoppingRule::Asha, u"maximize"_s, u"acc"_s);
        const auto trials = runToEnd(s);
        QCOMPARE(trials.size(), 2);
        QCOMPARE(model::toString(trials.at(0).state), model::toString(TrialState::Done));
        QCOMPARE(trials.at(0).value, std::optional<double>(0.95));
        const model::TrialRecord& flat = trials.at(1);
        QCOMPARE(model::toString(flat.state), model::toString(TrialState::Pruned));
        QVERIFY(flat.pruneAt);
        // Recorded as the run printed it, not negated.
        QCOMPARE(flat.pruneAt->step, 2);
        QCOMPARE(flat.pruneAt->value, 0.11);
        QVERIFY(!stdoutOf(s, flat.id).contains(u"epoch 8"_s));
    }

    // Without early stopping a bad curve runs to its end, as before.
    void withoutEarlyStoppingNothingIsStopped()
    {
        const Setup s =
            makeCampaign(u"\"good\", \"bad\""_s, model::EarlyStoppingRule::None, u"minimize"_s, u"loss"_s, u"0.05"_s);
        const auto trials = runToEnd(s);
        QCOMPARE(trials.size(), 2);
        for (const model::TrialRecord& t : trials) {
            QCOMPARE(model::toString(t.state), model::toString(TrialState::Done));
            QCOMPARE(t.intermediate.size(), 8);
            QVERIFY(!t.pruneAt);
        }
    }

    // A run killed after its stop was committed, while the job still ran: the next run cancels the
    // job and records it pruned, at the recorded point, without launching it again.
    void aResumedRunFinishesTheStop()
    {
        const Setup s = makeCampaign(u"\"bad\""_s, model::EarlyStoppingRule::Asha, u"minimize"_s, u"loss"_s, u"0.5"_s);
        {
            Engine e(s);
            QVERIFY_RESULT(e.runner->start());
            QTRY_VERIFY_WITH_TIMEOUT(e.trial(1).intermediate.size() >= 2, 20000);
            e.runner->detach(); // the engine is gone; the job runs on
            // What a run killed between the commit and the cancel leaves behind.
            QVERIFY_RESULT(e.store->markPruneRequested(1, {2, 4.9}));
        }
        const QString out = QDir(engine::localRunDirectory(s.stateDirectory, 1)).filePath(u"stdout"_s);
        const auto trials = runToEnd(s);
        QCOMPARE(trials.size(), 1);
        QCOMPARE(model::toString(trials.at(0).state), model::toString(TrialState::Pruned));
        QCOMPARE(trials.at(0).pruneAt, std::optional<model::CurvePoint>(model::CurvePoint{2, 4.9}));
        QVERIFY2(!readFile(out).contains("epoch 8"), readFile(out).constData());
        QCOMPARE(launches(s), QStringList{u"1"_s});
    }

    // A run killed while a trial ran: the next run reads its stdout on from the recorded offset,
    // judges it with the recorded curve, and stops it.
    void aResumedRunFollowsFromTheRecordedCurve()
    {
        const Setup s =
            makeCampaign(u"\"good\", \"bad\""_s, model::EarlyStoppingRule::Asha, u"minimize"_s, u"loss"_s, u"0.4"_s);
        {
            Engine e(s);
            QVERIFY_RESULT(e.runner->start());
            // The bad run has printed its first value only: nothing to judge before step 2.
            QTRY_VERIFY_WITH_TIMEOUT(e.trial(2).intermediate.size() == 1, 30000);
            e.runner->detach();
        }
        const auto trials = runToEnd(s);
        QCOMPARE(trials.size(), 2);
        QCOMPARE(model::toString(trials.at(0).state), model::toString(TrialState::Done));
        const model::TrialRecord& bad = trials.at(1);
        QCOMPARE(model::toString(bad.state), model::toString(TrialState::Pruned));
        QCOMPARE(bad.pruneAt, std::optional<model::CurvePoint>(model::CurvePoint{2, 4.9}));
        QCOMPARE(bad.intermediate.mid(0, 2), (QList<double>{5.0, 4.9})); // nothing read twice, nothing lost
        QCOMPARE(launches(s), (QStringList{u"1"_s, u"2"_s}));
    }

    // A user's cancel of a running trial is a cancel, even with early stopping on.
    void aUsersCancelStaysACancel()
    {
        const Setup s = makeCampaign(u"\"good\""_s, model::EarlyStoppingRule::Asha, u"minimize"_s, u"loss"_s, u"0.5"_s);
        Engine e(s);
        QVERIFY_RESULT(e.runner->start());
        QTRY_VERIFY_WITH_TIMEOUT(e.trial(1).intermediate.size() >= 1, 20000);
        e.runner->cancelTrial(1);
        QVERIFY(e.finished->wait(20000));
        QCOMPARE(model::toString(e.trial(1).state), model::toString(TrialState::Cancelled));
    }

    void badEarlyStoppingOptionsAreRefusedAtStart()
    {
        Setup s = makeCampaign(u"\"good\""_s, model::EarlyStoppingRule::Asha);
        s.campaign.search.earlyStopping.reductionFactor = 1;
        Engine e(s);
        const auto started = e.runner->start();
        QVERIFY_FAILS_WITH(started, model::ErrorCode::InvalidInput);
        QVERIFY2(started.error().startsWith(u"search.early_stopping"_s), qPrintable(started.error()));
        QVERIFY(launches(s).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEarlyStopping)
#include "tst_earlystopping.moc"
