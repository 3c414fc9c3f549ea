#include "cli/cancelcommand.h"

#include "cli/campaignloader.h"
#include "cli/console.h"
#include "cli/consoleprompter.h"
#include "engine/backendfactory.h"
#include "engine/jobscript.h"
#include "engine/runsession.h"
#include "remote/clusterbackendmaker.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QThread>

using namespace Qt::StringLiterals;

namespace sweepline::cli {

namespace {

QList<qint64> targetTrials(const QList<model::TrialRecord>& trials, const std::optional<qint64>& only, QString* error)
{
    QList<qint64> ids;
    for (const model::TrialRecord& t : trials) {
        if (only && t.id != *only)
            continue;
        if (only && model::isTerminal(t.state)) {
            *error = u"trial %1 is already %2"_s.arg(t.id).arg(model::toString(t.state));
            return {};
        }
        if (!model::isTerminal(t.state))
            ids.append(t.id);
    }
    if (only && ids.isEmpty() && error->isEmpty())
        *error = u"there is no trial %1"_s.arg(*only);
    return ids;
}

// The marker tells whichever process watches the job that its end is a cancel, not a failure.
bool markForCancel(const QString& stateDir, qint64 id)
{
    const QString dir = engine::localRunDirectory(stateDir, id);
    QDir().mkpath(dir);
    QFile marker(QDir(dir).filePath(QLatin1String(engine::kCancelMarker)));
    return marker.open(QIODevice::WriteOnly);
}

// Another run holds the store: it sees the jobs end and records them. Wait for that, bounded.
int waitForRunningCampaign(model::TrialStore& store, const QList<qint64>& ids, int pollSeconds)
{
    QDeadlineTimer deadline(qint64(std::max(60, 3 * pollSeconds)) * 1000);
    while (!deadline.hasExpired()) {
        int open = 0;
        for (qint64 id : ids) {
            auto t = store.trial(id);
            open += (t && !model::isTerminal(t->state)) ? 1 : 0;
        }
        if (open == 0) {
            printOut(u"cancelled %1 trial(s)"_s.arg(ids.size()));
            return ExitDone;
        }
        QThread::msleep(250);
    }
    printErr(u"the cancel was sent; the running campaign has not recorded it yet"_s);
    return ExitRunFailure;
}

// Another run owns the store: stop the jobs here, and let that run record their end.
int cancelUnderRunningCampaign(model::TrialStore& store, engine::JobBackend& backend, const QString& stateDir,
                               const QList<qint64>& ids, int pollSeconds)
{
    int stopping = 0;
    QObject::connect(&backend, &engine::JobBackend::finished, &backend, [&stopping](qint64, const engine::JobEnd&) {
        if (--stopping == 0)
            QCoreApplication::exit(0);
    });
    QString fatal;
    QObject::connect(&backend, &engine::JobBackend::fatalError, &backend, [&fatal](const QString& message) {
        fatal = message;
        QCoreApplication::exit(1);
    });
    for (qint64 id : ids) {
        auto t = store.trial(id);
        if (!t || t->jobId.isEmpty())
            continue; // not submitted yet: the running campaign sees the marker before it submits
        ++stopping;
        backend.track({t->id, t->token, engine::localRunDirectory(stateDir, id), t->jobId, std::nullopt, t->startedAt,
                       store.storeId(), t->attempt});
        backend.cancel(id);
    }
    if (stopping > 0)
        QCoreApplication::exec();
    backend.detachAll();
    if (!fatal.isEmpty()) {
        printErr(fatal);
        return ExitRunFailure;
    }
    return waitForRunningCampaign(store, ids, pollSeconds);
}

} // namespace

int cancelTrials(const CancelOptions& options)
{
    const auto campaign = loadCampaign(options.campaignPath);
    if (!campaign)
        return ExitInvalidInput;
    const QString stateDir = stateDirectoryFor(options.campaignPath, options.storeDirectory);
    auto opened = openStoreForReading(stateDir);
    if (!opened)
        return ExitRunFailure;
    auto trials = opened->store->trials();
    if (!trials) {
        printErr(trials.error());
        return ExitRunFailure;
    }
    QString error;
    const QList<qint64> ids = targetTrials(trials.value(), options.trial, &error);
    if (!error.isEmpty()) {
        printErr(error);
        return ExitInvalidInput;
    }
    if (ids.isEmpty()) {
        printOut(u"nothing to cancel: every trial has finished"_s);
        return ExitDone;
    }
    for (qint64 id : ids) {
        if (!markForCancel(stateDir, id)) {
            printErr(u"cannot write to %1"_s.arg(stateDir));
            return ExitRunFailure;
        }
    }

    ConsolePrompter prompter(options.acceptNewHostKey);
    const engine::BackendOptions backendOptions{options.acceptNewHostKey};
    auto session = engine::RunSession::openRecorded(stateDir, remote::clusterBackendMaker(prompter), backendOptions);
    if (!session && session.errorCode() == model::ErrorCode::StoreLocked) {
        // Another run holds the lock: stop the jobs without it, and let that run record their end.
        auto backend = engine::makeBackend(opened->campaign, remote::clusterBackendMaker(prompter), backendOptions);
        if (!backend) {
            printErr(backend.error());
            return exitCodeFor(backend.errorCode());
        }
        return cancelUnderRunningCampaign(*opened->store, *backend.value(), stateDir, ids,
                                          opened->campaign.cluster.pollIntervalSeconds);
    }
    if (!session) {
        printErr(session.error());
        return exitCodeFor(session.errorCode());
    }
    opened.reset(); // the session's store is the one that records the cancels

    // No run watches the campaign: this process watches the jobs to their end and records them.
    engine::CampaignRunner& runner = session.value()->runner();
    runner.setSubmissionsEnabled(false);
    QSet<qint64> open(ids.begin(), ids.end());
    QObject::connect(&runner, &engine::CampaignRunner::trialChanged, &runner, [&](const model::TrialRecord& t) {
        if (model::isTerminal(t.state) && open.remove(t.id)) {
            printOut(u"trial %1 %2"_s.arg(t.id).arg(model::toString(t.state)));
            if (open.isEmpty())
                runner.detach();
        }
    });
    engine::RunSummary summary;
    QObject::connect(&runner, &engine::CampaignRunner::finished, &runner, [&](const engine::RunSummary& s) {
        summary = s;
        QCoreApplication::exit(0);
    });
    if (auto started = runner.start(); !started) {
        printErr(started.error());
        return ExitRunFailure;
    }
    for (qint64 id : ids)
        runner.cancelTrial(id);
    if (!open.isEmpty())
        QCoreApplication::exec();
    if (!summary.ok) {
        printErr(summary.error);
        return ExitRunFailure;
    }
    return open.isEmpty() ? ExitDone : ExitRunFailure;
}

} // namespace sweepline::cli
