#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

namespace sweepline::model {

// The life of a trial. Each change is committed to the store before the engine acts on it.
enum class TrialState {
    Planned,    // proposed by the strategy, not yet handed to a scheduler (may be cancelled from here)
    Submitting, // its token is recorded; the submit command may or may not have gone through
    Queued,     // the scheduler accepted it and gave a job id
    Running,
    Done,   // finished with a metric value
    Failed, // finished without a usable value; error says why
    Cancelled,
    Pruned, // stopped by the early-stopping rule while it ran; pruneAt says where. Counts against the budget
};

QString toString(TrialState state);
std::optional<TrialState> trialStateFromString(const QString& text);
bool isTerminal(TrialState state);
const QList<TrialState>& allTrialStates();

// One point of a learning curve: the step (the n-th value printed, from 1, or the number the run
// printed itself with objective.step_pattern) and the metric's value there.
struct CurvePoint {
    int step = 0;
    double value = 0.0;
    bool operator==(const CurvePoint&) const = default;
};

struct TrialLabels {
    int stage = 0;
    QString direction;
    int batch = 0;
};

struct TrialRecord {
    qint64 id = 0; // trial number, from 1, in proposal order
    QString token; // unique name of its job; what an unclear submit is looked up by
    TrialState state = TrialState::Planned;
    QVariantList values; // one per campaign parameter, in the campaign's order
    TrialLabels labels;
    std::optional<double> value; // the metric as the program printed it
    QList<double> intermediate;  // every match of the metric, in order (the learning curve)
    // The step of each intermediate value; empty: 1, 2, ..., n (no objective.step_pattern).
    QList<int> steps;
    // While running: how many bytes of stdout the curve above was read from (whole lines only), so a
    // resumed engine reads on from there. 0 once the trial has ended.
    qint64 curveOffset = 0;
    // Set when the early-stopping rule stopped the trial: the step and value it was judged on. While
    // the state is still Running (or Queued) the stop was asked for and the job's end is awaited; it
    // ends Pruned, or Done when it finished before the stop reached it.
    std::optional<CurvePoint> pruneAt;
    QString jobId;
    int attempt = 0; // how many times it was submitted
    QDateTime createdAt;
    QDateTime submittedAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString error;
    QString note; // e.g. the value came from the tail of a truncated stdout

    std::optional<double> elapsedSeconds() const; // finished - started, when both are known
    int stepAt(qsizetype index) const;            // the step of intermediate[index]
    QList<CurvePoint> curve() const;              // intermediate with its steps
};

// How many of the trials are in each state; every state has an entry, 0 when there is none.
QHash<TrialState, int> countByState(const QList<TrialRecord>& trials);
// How many of the trials have finished (done, failed, cancelled or pruned).
int countFinished(const QList<TrialRecord>& trials);

} // namespace sweepline::model
