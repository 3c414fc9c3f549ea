// Benchmark (not a test) of the charts panel. Run it through tests/bench/gui/run.
//
//   bench_gui [--trials 10000] [--updates 1000] [--burst 8] [--burst-ms 80] [--store DIR]
//
// --store DIR keeps the store in DIR (written there when DIR has none yet) to save the minute it
// takes to write one when running again; by default it lives in a temporary folder.
//
// (a) A store of N finished trials of a realistic 5-parameter campaign (made with model::TrialStore
//     on tmpfs, then copied to a folder on disk) is opened as the workbench opens one: openExisting,
//     the campaign parsed from it, trials(), TrialTableModel::setTrials; then every chart of the
//     panel is brought up to date and drawn into an offscreen image, as when each tab is opened.
//     Each step is timed, and the total is held against the 1 s target.
// (b) With the panel on show (offscreen platform) and that store loaded, a 10 ms repeating timer
//     measures how late the event loop serves it, first with nothing happening (the baseline), then
//     while U trial updates arrive in bursts (new trials queued, then running, then done, a burst of
//     B upserts every M ms), once with each chart on show.
#include "gui/charts/chartspanel.h"
#include "gui/charts/trialchart.h"
#include "model/trialstore.h"
#include "samplecampaigns.h"

#include <QApplication>
#include <QChartView>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

using namespace sweepline;
using gui::ChartsPanel;

namespace {

struct Options {
    int trials = 10000;
    int updates = 1000;
    int burst = 8;
    int burstMs = 80;
    QString store;
};

double ms(qint64 nanoseconds)
{
    return double(nanoseconds) / 1e6;
}

[[noreturn]] void fail(const QString& message)
{
    std::fprintf(stderr, "bench_gui: %s\n", qPrintable(message));
    std::exit(1);
}

// Writes the trials as the engine would, state change by state change, into a store under `dir`.
void writeStore(const QString& dir, const model::Campaign& campaign, const QList<model::TrialRecord>& trials)
{
    auto store = model::TrialStore::open(dir, campaign);
    if (!store)
        fail(store.error());
    for (const model::TrialRecord& t : trials) {
        auto added = store.value()->addTrial(t.values, t.labels);
        if (!added)
            fail(added.error());
        const qint64 id = added->id;
        bool ok = store.value()->markSubmitting(id).ok() && store.value()->markQueued(id, t.jobId, t.submittedAt).ok()
            && store.value()->markRunning(id, t.startedAt).ok();
        if (t.state == model::TrialState::Done)
            ok = ok && store.value()->markDone(id, *t.value, t.intermediate, t.finishedAt).ok();
        else
            ok = ok && store.value()->markFailed(id, t.error, t.intermediate, t.finishedAt).ok();
        if (!ok)
            fail(u"cannot record trial %1"_s.arg(id));
    }
}

struct Latency {
    double median = 0;
    double p95 = 0;
    double max = 0;
    int samples = 0;
};

Latency summarize(QList<double> lateness)
{
    if (lateness.isEmpty())
        return {};
    std::sort(lateness.begin(), lateness.end());
    auto at = [&](double q) {
        return lateness.at(std::min<qsizetype>(lateness.size() - 1, qsizetype(q * double(lateness.size()))));
    };
    return {at(0.5), at(0.95), lateness.last(), int(lateness.size())};
}

// How late a 10 ms timer fires while `pump` (if any) delivers updates, for `durationMs`.
Latency measureLatency(int durationMs, const std::function<bool()>& pump, int pumpMs)
{
    QEventLoop loop;
    QList<double> lateness;
    QElapsedTimer clock;
    qint64 previous = -1;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (previous >= 0)
            lateness.append(std::max(0.0, ms(now - previous) - 10.0));
        previous = now;
    });
    QTimer pumper;
    pumper.setTimerType(Qt::PreciseTimer);
    pumper.setInterval(pumpMs);
    QObject::connect(&pumper, &QTimer::timeout, [&] {
        if (!pump())
            pumper.stop();
    });
    QTimer::singleShot(durationMs, &loop, &QEventLoop::quit);
    clock.start();
    tick.start();
    if (pump)
        pumper.start();
    loop.exec();
    return summarize(lateness);
}

// The updates of a running campaign: trials after the stored ones, queued, then running, then done,
// one kind of change per burst (a batch is submitted, starts, finishes).
QList<model::TrialRecord> liveUpdates(const model::Campaign& campaign, int stored, int updates, int burst)
{
    const int trialCount = (updates + 2) / 3 + burst;
    const QList<model::TrialRecord> finals = samples::fiveParameterTrials(campaign, stored + trialCount).mid(stored);
    QList<model::TrialRecord> sequence;
    for (int first = 0; first < finals.size() && sequence.size() < updates; first += burst) {
        const int last = std::min<int>(int(finals.size()), first + burst);
        for (model::TrialState stage :
             {model::TrialState::Queued, model::TrialState::Running, model::TrialState::Done}) {
            for (int i = first; i < last && sequence.size() < updates; ++i) {
                model::TrialRecord t = finals.at(i);
                if (stage != model::TrialState::Done || t.state != model::TrialState::Failed)
                    t.state = stage;
                if (stage != model::TrialState::Done || t.state != model::TrialState::Done) {
                    if (t.state != model::TrialState::Failed) {
                        t.value.reset();
                        t.intermediate.clear();
                        t.finishedAt = QDateTime();
                    }
                }
                if (stage == model::TrialState::Queued)
                    t.startedAt = QDateTime();
                sequence.append(t);
            }
        }
    }
    return sequence;
}

void printLatencyRow(const char* label, const Latency& l)
{
    std::printf("  %-32s %8.2f %8.2f %8.2f   (%d ticks)\n", label, l.median, l.p95, l.max, l.samples);
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    Options options;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const int value = args.at(i + 1).toInt();
        if (args.at(i) == u"--trials"_s)
            options.trials = value;
        else if (args.at(i) == u"--updates"_s)
            options.updates = value;
        else if (args.at(i) == u"--burst"_s)
            options.burst = value;
        else if (args.at(i) == u"--burst-ms"_s)
            options.burstMs = value;
        else if (args.at(i) == u"--store"_s)
            options.store = args.at(i + 1);
        else
            fail(u"unknown option %1"_s.arg(args.at(i)));
    }
    if (options.trials < 1 || options.updates < 0 || options.burst < 1 || options.burstMs < 1)
        fail(u"usage: bench_gui [--trials N] [--updates N] [--burst N] [--burst-ms MS]"_s);

    // The store, written on tmpfs (thousands of fsyncs) and copied to disk to be opened from there.
    const model::Campaign sample = samples::fiveParameterCampaign();
    const auto reparsed = model::parseCampaign(model::toJson(sample));
    if (!reparsed.campaign)
        fail(u"the sample campaign does not parse: %1"_s.arg(reparsed.issues.value(0).toString()));
    const QList<model::TrialRecord> history = samples::fiveParameterTrials(*reparsed.campaign, options.trials);
    const auto scratchDir = QFileInfo(u"/dev/shm"_s).isDir()
        ? std::make_unique<QTemporaryDir>(u"/dev/shm/bench_gui-XXXXXX"_s)
        : std::make_unique<QTemporaryDir>();
    QTemporaryDir temporary;
    const QString storeDir = options.store.isEmpty() ? temporary.path() : options.store;
    if (!scratchDir->isValid() || !temporary.isValid())
        fail(u"no temporary folder"_s);
    if (!model::TrialStore::exists(storeDir)) {
        std::fprintf(stderr, "bench_gui: writing %d trials...\n", options.trials);
        writeStore(scratchDir->path(), *reparsed.campaign, history);
        QDir().mkpath(storeDir);
        for (const QString& name : QDir(scratchDir->path()).entryList(QDir::Files)) {
            if (!QFile::copy(QDir(scratchDir->path()).filePath(name), QDir(storeDir).filePath(name)))
                fail(u"cannot copy %1"_s.arg(name));
        }
    }

    // The workbench is up, the panel on show, when the user opens the store.
    model::TrialTableModel model;
    ChartsPanel panel(&model);
    panel.resize(1200, 800);
    panel.show();
    QCoreApplication::processEvents();

    std::printf(
        "bench_gui: %d trials of a 5-parameter campaign, batches of 8, stages 1-5; store on disk, page cache warm\n",
        options.trials);
    std::printf("Qt %s, platform %s, panel %dx%d, OpenGL off\n\n", qVersion(),
                qPrintable(QGuiApplication::platformName()), panel.width(), panel.height());
    std::printf("(a) open the store and draw every chart              ms\n");
    QElapsedTimer step;
    qint64 total = 0;
    auto report = [&](const QString& what) {
        const qint64 spent = step.nsecsElapsed();
        total += spent;
        std::printf("  %-46s %8.1f\n", qPrintable(what), ms(spent));
        step.restart();
    };
    step.start();
    auto store = model::TrialStore::openExisting(storeDir);
    if (!store)
        fail(store.error());
    const auto campaign = model::parseCampaign(store.value()->campaignJson());
    if (!campaign.campaign)
        fail(u"stored campaign does not parse"_s);
    report(u"TrialStore::openExisting + parse campaign"_s);
    auto trials = store.value()->trials();
    if (!trials)
        fail(trials.error());
    report(u"trials() (%1 records)"_s.arg(trials->size()));
    model.setCampaign(*campaign.campaign);
    model.setTrials(trials.value());
    report(u"TrialTableModel::setTrials"_s);
    for (ChartsPanel::ChartKind kind : ChartsPanel::allCharts()) {
        panel.setCurrentChart(kind);
        panel.chart(kind)->flush();
        QChartView* view = panel.view(kind);
        QImage image(view->size(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        {
            QPainter painter(&image);
            view->render(&painter);
        }
        report(u"%1: update + draw %2x%3"_s.arg(ChartsPanel::title(kind)).arg(view->width()).arg(view->height()));
    }
    std::printf("  %-46s %8.1f   target 1000 ms: %s\n\n", "total", ms(total), ms(total) <= 1000 ? "met" : "NOT met");

    // (b) latency with the panel on show.
    const QList<model::TrialRecord> updates =
        liveUpdates(*campaign.campaign, options.trials, options.updates, options.burst);
    const int bursts = int((updates.size() + options.burst - 1) / options.burst);
    const int durationMs = bursts * options.burstMs + 300;
    std::printf(
        "(b) event-loop latency: a 10 ms timer's lateness, panel on show; %lld updates in bursts of %d every %d ms\n",
        static_cast<long long>(updates.size()), options.burst, options.burstMs);
    std::printf("    (%.0f updates/s over %.1f s; the model holds the %d stored trials first)\n",
                1000.0 * options.burst / options.burstMs, durationMs / 1000.0, options.trials);
    std::printf("  %-32s %8s %8s %8s   ms late\n", "chart on show", "median", "p95", "max");
    for (ChartsPanel::ChartKind kind : ChartsPanel::allCharts()) {
        model.setTrials(trials.value());
        panel.setCurrentChart(kind);
        panel.chart(kind)->flush();
        QCoreApplication::processEvents();
        const Latency idle = measureLatency(durationMs, {}, options.burstMs);
        int next = 0;
        const Latency busy = measureLatency(
            durationMs,
            [&] {
                for (int i = 0; i < options.burst && next < updates.size(); ++i)
                    model.upsert(updates.at(next++));
                return next < updates.size();
            },
            options.burstMs);
        const QByteArray title = ChartsPanel::title(kind).toUtf8();
        printLatencyRow(QByteArray(title + ", no updates").constData(), idle);
        printLatencyRow(QByteArray(title + ", updates").constData(), busy);
    }
    return 0;
}
