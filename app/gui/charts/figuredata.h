#pragma once

#include "model/campaign.h"

#include <QList>
#include <QPointF>
#include <QString>
#include <QVariantList>

#include <optional>

// The arithmetic behind the figures, kept free of widgets and charts so it is tested on its own.
namespace sweepline::gui::figures {

struct Range {
    double min = 0.0;
    double max = 0.0;
    bool operator==(const Range&) const = default;
};

// A run of consecutive trials (in trial order) that carry the same label: a parallel batch or a
// search stage. Label 0 means "not labelled" (grid and random search) and never forms a run.
struct LabelRun {
    int label = 0;
    qint64 firstTrial = 0;
    qint64 lastTrial = 0;
    int count = 0;

    bool operator==(const LabelRun&) const = default;
};

struct LabelledTrial {
    qint64 id = 0;
    int label = 0;
};

// trials must be in trial order.
QList<LabelRun> consecutiveRuns(const QList<LabelledTrial>& trials);

// The x extent of each batch of more than one trial: from half a trial before its first to half a
// trial after its last (a batch of one is not a parallel batch and gets no bracket).
QList<Range> batchBrackets(const QList<LabelRun>& batches);
// The x positions of the vertical lines that draw those brackets, each shared boundary once, ascending.
QList<double> bracketLines(const QList<Range>& brackets);

// "1-axis", "2-axes", ... as the d-Spline poster names its search stages.
QString stageName(int stage);

// For each stage run, the number of the search restart it begins (from 1), or 0. Within one
// d-Spline search the stage never decreases; its continuation after convergence starts again at
// stage 1, so a run whose stage is below the one before it begins a restart.
QList<int> restartNumbers(const QList<LabelRun>& stageRuns);

// For each batch run, the trial with the best value among those measured in it (none when nothing
// in the batch was measured). values: trial id -> measured value.
struct Measured {
    qint64 id = 0;
    double value = 0.0;
};
QList<Measured> bestOfEachRun(const QList<LabelRun>& runs, const QList<Measured>& measuredInOrder,
                              model::Direction direction);

bool isBetter(double candidate, double incumbent, model::Direction direction);
// Index of the best of values, or -1 for an empty list.
int bestIndex(const QList<double>& values, model::Direction direction);

// Whether these values are the campaign's default configuration: every parameter has a default and
// the trial's value equals it (floats compared to a relative 1e-9, ints and choices exactly).
bool isDefaultConfiguration(const model::Campaign& campaign, const QVariantList& values);

// A half-open time interval in seconds.
struct Interval {
    double start = 0.0;
    double end = 0.0;
};

// How many intervals are open at each moment, as the corners of a step line: for each instant the
// count changes, (t, before) then (t, after). Starts and ends at 0. Empty intervals are ignored.
QList<QPointF> concurrencySteps(const QList<Interval>& intervals);
int maxConcurrency(const QList<QPointF>& steps);

// [min, max] widened by fraction of the span on each side; a single value gets a span of its own.
Range paddedRange(double min, double max, double fraction = 0.05);
// The same in log10 space; min and max must be positive.
Range paddedLogRange(double min, double max, double fraction = 0.05);
// A round tick interval (1, 2, 2.5 or 5 times a power of ten) giving about targetTicks ticks.
double niceStep(double span, int targetTicks = 6);

// A unit for durations so that the largest reads between about 1 and 600 of it.
struct TimeUnit {
    QString name; // "s", "min", "h", "d"
    double seconds = 1.0;
};
TimeUnit timeUnitFor(double maxSeconds);

// A deterministic offset in [-width/2, width/2) that spreads trials on one category into a strip.
double categoryJitter(qint64 trialId, double width = 0.4);

// The learning curves shown by default: the best `best` finished trials that reported values, and
// the most recently finished one, best first, the recent one last (once, when not among the best).
struct CurveCandidate {
    qint64 id = 0;
    std::optional<double> value;
    qint64 finishedAtMs = 0;
    int reports = 0;
};
QList<qint64> defaultCurveTrials(const QList<CurveCandidate>& candidates, model::Direction direction, int best = 5);

} // namespace sweepline::gui::figures
