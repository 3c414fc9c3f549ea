// Closing the window while an SSH request hangs, against a real sshd whose session processes the
// test freezes (SIGSTOP): the window closes within a bound, the jobs stay on the cluster and every
// job id the engine learnt is in the store for the next run.
#include "gatedcampaign.h"
#include "gui/main/mainwindow.h"
#include "windowprobes.h"

#include "model/trialstore.h"
#include "support/fixtureprocess.h"
#include "support/sshserverfixture.h"
#include "support/verifyresult.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>
#include <thread>

using namespace sweepline;
using namespace sweepline::testing;
using namespace Qt::StringLiterals;
using gui::MainWindow;

namespace {

constexpr int kRunTimeoutMs = 60000;
// A frozen request holds its thread for the session timeout (30 s) and more; closing must not wait
// for it. Generous: this checks that close does not wait, not how fast it is.
constexpr qint64 kCloseBoundMs = 10000;

int withJobId(const model::TrialTableModel& trials)
{
    int n = 0;
    for (const model::TrialRecord& t : trials.trials())
        n += t.jobId.isEmpty() ? 0 : 1;
    return n;
}

// Sends a signal to every process under sshd's listener: the connection processes serving our session,
// its helper and the jobs started from it.
void signalSessions(const QList<ProcessRef>& processes, int signal)
{
    for (const ProcessRef& p : processes)
        ::kill(pid_t(p.pid), signal);
}

} // namespace

class TestWindowClose : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void closesWhileAnSshRequestHangs();

private:
    QTemporaryDir m_settings;
};

void TestWindowClose::initTestCase()
{
    QVERIFY(m_settings.isValid());
    isolateSettings(m_settings.path());
}

void TestWindowClose::closesWhileAnSshRequestHangs()
{
    SshServerFixture ssh;
    QVERIFY2(ssh.start(), qPrintable(ssh.errorString()));
    const QString config = ssh.writeClientConfig();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"hang.json"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(uR"({
  "name": "hang",
  "parameters": [{"name": "x", "type": "int", "values": [1, 2, 3, 4], "default": 1}],
  "objective": {"metric": "loss"},
  "search": {"strategy": "grid", "max_trials": 4, "parallel": 2, "seed": 1},
  "job": {"command": "sleep 600"},
  "cluster": {"scheduler": "ssh", "host": "sweepline-test", "ssh_config": "%1", "workdir": "%2",
              "poll_interval_s": 1}
}
)"_s.arg(config, ssh.directory() + u"/remote"_s)
                       .toUtf8());
    }
    const QString stateDirectory = dir.filePath(u"hang.sweepline"_s);

    MessageBoxAnswerer boxes;
    auto window = std::make_unique<MainWindow>();
    window->setUnattended(true);
    QVERIFY(window->openCampaign(path));
    QVERIFY(trialsShown(*window));
    window->startRun();
    const model::TrialTableModel& trials = *window->runController()->trials();
    QTRY_COMPARE_WITH_TIMEOUT(withJobId(trials), 2, kRunTimeoutMs);
    QList<model::TrialRecord> submitted;
    for (const model::TrialRecord& t : trials.trials()) {
        if (!t.jobId.isEmpty())
            submitted.append(t);
    }

    // The server stops answering mid-session; the engine polls every second, so a request is out.
    QFile pidFile(ssh.directory() + u"/sshd.pid"_s);
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    const qint64 listener = pidFile.readAll().trimmed().toLongLong();
    QVERIFY(listener > 0);
    const QList<ProcessRef> sessions = processDescendants(listener);
    QVERIFY(!sessions.isEmpty());
    signalSessions(sessions, SIGSTOP);
    // From another thread: a close that waits for the request blocks this one. Thawed past the bound,
    // such a close returns, late, and fails below instead of hanging the test.
    std::atomic<bool> thawed = false;
    std::thread thawer([&] {
        QDeadlineTimer deadline(kCloseBoundMs + 5000);
        while (!thawed && !deadline.hasExpired())
            QThread::msleep(20);
        signalSessions(sessions, SIGCONT);
    });
    auto thaw = qScopeGuard([&] {
        thawed = true;
        thawer.join();
    });
    QTest::qWait(2500);

    QElapsedTimer closing;
    closing.start();
    window.reset();
    const qint64 closedMs = closing.elapsed();
    QVERIFY2(closedMs < kCloseBoundMs, qPrintable(u"closing took %1 ms"_s.arg(closedMs)));

    // Every job id the engine learnt is in the store: the next run re-attaches to those jobs.
    auto store = model::TrialStore::openExisting(stateDirectory);
    QVERIFY_RESULT(store);
    auto recorded = store.value()->trials();
    QVERIFY_RESULT(recorded);
    for (const model::TrialRecord& t : submitted) {
        const auto it = std::find_if(recorded->cbegin(), recorded->cend(),
                                     [&](const model::TrialRecord& r) { return r.id == t.id; });
        QVERIFY(it != recorded->cend());
        QCOMPARE(it->jobId, t.jobId);
        QVERIFY2(!model::isTerminal(it->state), qPrintable(model::toString(it->state)));
    }
    store.value().reset();

    // The request left behind ends once the server answers again; its thread then goes.
    thawed = true;
    thawer.join();
    thaw.dismiss();
    QTest::qWait(500);
    QVERIFY2(boxes.seen().isEmpty(), qPrintable(boxes.seen().join(u'\n')));
}

QTEST_MAIN(TestWindowClose)
#include "tst_windowclose.moc"
