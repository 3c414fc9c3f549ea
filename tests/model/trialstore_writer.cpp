// Drives a trial store through the whole lifecycle, forever, acknowledging each committed change on
// stdout. tst_trialstore_crash kills it at random moments and checks that every acknowledged change
// survived. Usage: trialstore_writer <state directory> [max trials]

#include "model/trialstore.h"

#include <QCoreApplication>
#include <QDateTime>

#include <cstdio>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

namespace {

Campaign crashCampaign()
{
    Campaign campaign;
    campaign.name = u"crash"_s;
    Parameter size;
    size.name = u"size"_s;
    size.type = ParameterType::Int;
    size.listedValues = {qint64(1), qint64(2), qint64(3)};
    size.candidates = size.listedValues;
    campaign.parameters = {size};
    campaign.objective.metric = u"loss"_s;
    campaign.job.command = u"./run {size}"_s;
    return campaign;
}

// Printed only after the call returned, i.e. after the change was committed. event is a state, or
// "curve" and "prune-requested", which keep it.
void ack(qint64 id, const QString& event)
{
    std::printf("ack %lld %s\n", static_cast<long long>(id), qPrintable(event));
    std::fflush(stdout);
}

void ack(qint64 id, TrialState state)
{
    ack(id, toString(state));
}

bool check(const Status& status)
{
    if (!status)
        std::fprintf(stderr, "error %s\n", qPrintable(status.error()));
    return status.ok();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: trialstore_writer <state directory> [max trials]\n");
        return 2;
    }
    // A bound, so a writer whose test died does not fill the disk.
    const qint64 maxTrials = args.size() > 2 ? args.at(2).toLongLong() : 5000;

    auto opened = TrialStore::open(args.at(1), crashCampaign());
    if (!opened) {
        std::fprintf(stderr, "error %s\n", qPrintable(opened.error()));
        return 2;
    }
    TrialStore& store = *opened.value();

    for (qint64 n = 0; n < maxTrials; ++n) {
        auto trial = store.addTrial({qint64(n % 3 + 1)}, {});
        if (!check(trial.ok() ? success() : Status::failure(trial.error())))
            return 1;
        const qint64 id = trial->id;
        ack(id, TrialState::Planned);
        const auto now = [] { return QDateTime::currentDateTimeUtc(); };
        if (!check(store.markSubmitting(id)))
            return 1;
        ack(id, TrialState::Submitting);
        if (!check(store.markQueued(id, QString::number(100000 + id), now())))
            return 1;
        ack(id, TrialState::Queued);
        if (!check(store.markRunning(id, now())))
            return 1;
        ack(id, TrialState::Running);
        // The curve so far, as the engine records it while the job runs (tst_trialstore_crash checks it).
        const QList<double> curve{2.0 / double(id), 1.0 / double(id)};
        if (!check(store.recordCurve(id, curve, {10, 20}, 64)))
            return 1;
        ack(id, u"curve"_s);
        if (id % 2 == 0) { // every other trial is stopped by the early-stopping rule
            if (!check(store.markPruneRequested(id, {20, curve.last()})))
                return 1;
            ack(id, u"prune-requested"_s);
            if (!check(store.markPruned(id, curve + QList<double>{0.5 / double(id)}, {10, 20, 30}, now())))
                return 1;
            ack(id, TrialState::Pruned);
            continue;
        }
        if (!check(store.markDone(id, 1.0 / double(id), curve, now(), {}, {10, 20})))
            return 1;
        ack(id, TrialState::Done);
    }
    return 0;
}
