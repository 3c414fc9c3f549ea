// Kills a process writing to a trial store at random moments and checks that every change it
// acknowledged is on disk and that the file is intact.

#include "model/trialstore.h"
#include "support/verifyresult.h"

#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

namespace {

// The writer's path, in order of progress: the states and the two changes that keep the state
// (a recorded curve, a stop request). Odd trials end done, even ones pruned.
const QStringList progress{u"planned"_s, u"submitting"_s,      u"queued"_s, u"running"_s,
                           u"curve"_s,   u"prune-requested"_s, u"end"_s};
constexpr int endStep = 6;
// The fewest history entries a trial has at each step (a curve adds none; a done trial skips the request).
const QList<int> leastHistory{1, 2, 3, 4, 4, 5, 5};

struct Ack {
    qint64 id = 0;
    int step = 0; // in progress
};

int stepOf(const QString& event)
{
    if (event == u"done"_s || event == u"pruned"_s)
        return endStep;
    return int(progress.indexOf(event));
}

// How far the store says a trial got, in progress.
int reached(const TrialRecord& trial)
{
    switch (trial.state) {
    case TrialState::Planned:
    case TrialState::Submitting:
    case TrialState::Queued:
        return int(progress.indexOf(toString(trial.state)));
    case TrialState::Running:
        return trial.pruneAt ? 5 : trial.intermediate.isEmpty() ? 3 : 4;
    case TrialState::Done:
    case TrialState::Pruned:
        return endStep;
    default:
        return -1;
    }
}

// Complete lines only: a line cut off by the kill was never fully acknowledged.
QList<Ack> parseAcks(const QByteArray& output)
{
    QList<Ack> acks;
    const qsizetype end = output.lastIndexOf('\n');
    if (end < 0)
        return acks;
    for (const QByteArray& line : output.left(end).split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() != 3 || parts.at(0) != "ack")
            continue;
        const int step = stepOf(QString::fromLatin1(parts.at(2)));
        if (step >= 0)
            acks.append({parts.at(1).toLongLong(), step});
    }
    return acks;
}

} // namespace

class TestTrialStoreCrash : public QObject {
    Q_OBJECT

private slots:
    void acknowledgedChangesSurviveKills();

private:
    struct KillPlan {
        int delayMs = 0;   // kill this long after the start...
        int afterAcks = 0; // ...or, when not 0, the moment this many acknowledgements were read
    };
    KillPlan killPlan(int iteration);
    QByteArray runAndKill(const KillPlan& plan, QString* failure);
    void verifyStore(const QHash<qint64, int>& acked, qint64* maxId);
    static void verifyCurve(const TrialRecord& trial, int ackedStep);

    QTemporaryDir m_tmp;
    QString m_directory;
    QRandomGenerator m_random;
};

TestTrialStoreCrash::KillPlan TestTrialStoreCrash::killPlan(int iteration)
{
    // The first runs die at once, before or while the store is created; later ones anywhere.
    if (iteration < 3)
        return {};
    switch (m_random.bounded(5)) {
    case 0:
        return {m_random.bounded(0, 5), 0};
    case 1:
        return {m_random.bounded(5, 40), 0};
    case 2:
        return {m_random.bounded(40, 200), 0};
    case 3:
        return {m_random.bounded(200, 700), 0};
    // Right after an acknowledgement: the moment a premature "ack" would be caught.
    default:
        return {10000, m_random.bounded(1, 40)};
    }
}

QByteArray TestTrialStoreCrash::runAndKill(const KillPlan& plan, QString* failure)
{
    QProcess writer;
    writer.start(QString::fromUtf8(TRIALSTORE_WRITER), {m_directory});
    if (!writer.waitForStarted(10000)) {
        *failure = writer.errorString();
        return {};
    }
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    // Collect output until the moment of the kill; waiting for data is not sleeping.
    while (writer.state() == QProcess::Running) {
        const qint64 left = plan.delayMs - clock.elapsed();
        if (left <= 0 || (plan.afterAcks > 0 && output.count('\n') >= plan.afterAcks))
            break;
        if (writer.waitForReadyRead(int(left)))
            output += writer.readAllStandardOutput();
    }
    const bool exitedByItself = writer.state() != QProcess::Running;
    writer.kill(); // SIGKILL: no destructors, no flush, no commit of anything in flight
    writer.waitForFinished(10000);
    output += writer.readAllStandardOutput();
    if (exitedByItself)
        *failure = u"the writer stopped by itself: "_s + QString::fromLocal8Bit(writer.readAllStandardError());
    return output;
}

void TestTrialStoreCrash::verifyStore(const QHash<qint64, int>& acked, qint64* maxId)
{
    auto opened = TrialStore::openExisting(m_directory);
    if (!opened) {
        // Killed before the store was first committed: acceptable only while nothing was acknowledged.
        QVERIFY2(acked.isEmpty(), qPrintable(opened.error()));
        return;
    }
    const TrialStore& store = *opened.value();
    QCOMPARE(store.integrityCheck().value(), u"ok"_s);

    const auto trials = store.trials();
    QVERIFY_RESULT(trials);
    QSet<QString> tokens;
    qint64 expectedId = 1;
    for (const TrialRecord& trial : trials.value()) {
        QCOMPARE(trial.id, expectedId++); // no gaps, no duplicates
        QVERIFY2(!tokens.contains(trial.token), qPrintable(trial.token));
        tokens.insert(trial.token);
    }
    *maxId = trials->isEmpty() ? 0 : trials->last().id;

    for (auto it = acked.cbegin(); it != acked.cend(); ++it) {
        const auto trial = store.trial(it.key());
        QVERIFY_RESULT(trial);
        const int stored = reached(trial.value());
        QVERIFY2(stored >= it.value(),
                 qPrintable(u"trial %1 is %2 but was acknowledged as %3"_s.arg(it.key()).arg(toString(trial->state),
                                                                                             progress.at(it.value()))));
        const auto history = store.history(it.key());
        QVERIFY_RESULT(history);
        QVERIFY(history->size() >= leastHistory.at(it.value()));
        verifyCurve(trial.value(), it.value());
        if (QTest::currentTestFailed())
            return;
    }
}

// What the writer recorded: the curve while running, the stop point, and how the trial ended.
void TestTrialStoreCrash::verifyCurve(const TrialRecord& trial, int ackedStep)
{
    const double id = double(trial.id);
    const QList<double> curve{2.0 / id, 1.0 / id};
    const bool prunes = trial.id % 2 == 0;
    if (ackedStep < progress.indexOf(u"curve"_s))
        return;
    if (trial.state == TrialState::Running) {
        QCOMPARE(trial.intermediate, curve);
        QCOMPARE(trial.steps, (QList<int>{10, 20}));
        QCOMPARE(trial.curveOffset, 64);
    }
    if (prunes && ackedStep >= progress.indexOf(u"prune-requested"_s))
        QCOMPARE(trial.pruneAt, std::optional<CurvePoint>(CurvePoint{20, 1.0 / id}));
    if (ackedStep == endStep) {
        QCOMPARE(toString(trial.state), toString(prunes ? TrialState::Pruned : TrialState::Done));
        QCOMPARE(trial.curveOffset, 0);
        QCOMPARE(trial.steps, prunes ? (QList<int>{10, 20, 30}) : (QList<int>{10, 20}));
        QCOMPARE(trial.value.has_value(), !prunes);
    }
}

void TestTrialStoreCrash::acknowledgedChangesSurviveKills()
{
    QVERIFY(m_tmp.isValid());
    m_directory = m_tmp.filePath(u"crash.sweepline"_s);
    const quint32 seed = qEnvironmentVariableIsSet("SWEEPLINE_CRASH_SEED")
        ? quint32(qEnvironmentVariableIntValue("SWEEPLINE_CRASH_SEED"))
        : 20261123u;
    qInfo("seed %u (set SWEEPLINE_CRASH_SEED to repeat another run)", seed);
    m_random.seed(seed);

    QHash<qint64, int> acked; // trial id -> furthest acknowledged step in progress
    qint64 maxId = 0;
    int kills = 0;
    int doneAcks = 0;
    int prunedAcks = 0;
    int silentKills = 0;
    for (int iteration = 0; iteration < 24; ++iteration) {
        const KillPlan plan = killPlan(iteration);
        QString failure;
        const QList<Ack> acks = parseAcks(runAndKill(plan, &failure));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        ++kills;
        silentKills += acks.isEmpty() ? 1 : 0;

        // The writer resumes the store: its new trials continue after what is already there.
        qint64 lastNew = maxId;
        for (const Ack& ack : acks) {
            const int step = ack.step;
            if (step == 0) {
                QVERIFY2(ack.id > lastNew, qPrintable(u"trial %1 reused after %2"_s.arg(ack.id).arg(lastNew)));
                lastNew = ack.id;
            }
            acked[ack.id] = qMax(acked.value(ack.id, 0), step);
            doneAcks += step == endStep && ack.id % 2 == 1 ? 1 : 0;
            prunedAcks += step == endStep && ack.id % 2 == 0 ? 1 : 0;
        }
        verifyStore(acked, &maxId);
        if (QTest::currentTestFailed()) {
            qWarning("failed after kill %d (%d ms, %d acks)", iteration, plan.delayMs, plan.afterAcks);
            return;
        }
    }
    qInfo("%d kills (%d before any acknowledgement), %lld trials acknowledged, %d reached done, %d pruned", kills,
          silentKills, qint64(acked.size()), doneAcks, prunedAcks);
    QVERIFY(kills >= 20);
    QVERIFY2(silentKills >= 1, "some kills must come before the first acknowledgement");
    QVERIFY2(doneAcks > 0, "the writer never got a trial to done: kills too early to mean anything");
    QVERIFY2(prunedAcks > 0, "the writer never got a trial to pruned: kills too early to mean anything");

    // After all that, a writer still runs to completion on the same store.
    QProcess writer;
    writer.start(QString::fromUtf8(TRIALSTORE_WRITER), {m_directory, u"2"_s});
    QVERIFY(writer.waitForFinished(30000));
    QCOMPARE(writer.exitStatus(), QProcess::NormalExit);
    QVERIFY2(writer.exitCode() == 0, writer.readAllStandardError().constData());
    const QList<Ack> last = parseAcks(writer.readAllStandardOutput());
    // One trial ends done (6 acknowledgements), the other pruned (7).
    QCOMPARE(last.size(), 13);
    QCOMPARE(last.first().id, maxId + 1);
}

QTEST_GUILESS_MAIN(TestTrialStoreCrash)
#include "tst_trialstore_crash.moc"
