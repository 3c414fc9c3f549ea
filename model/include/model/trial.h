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
};

QString toString(TrialState state);
std::optional<TrialState> trialStateFromString(const QString& text);
bool isTerminal(TrialState state);
const QList<TrialState>& allTrialStates();

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
    QString jobId;
    int attempt = 0; // how many times it was submitted
    QDateTime createdAt;
    QDateTime submittedAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString error;
    QString note; // e.g. the value came from the tail of a truncated stdout

    std::optional<double> elapsedSeconds() const; // finished - started, when both are known
};

// How many of the trials are in each state; every state has an entry, 0 when there is none.
QHash<TrialState, int> countByState(const QList<TrialRecord>& trials);
// How many of the trials have finished (done, failed or cancelled).
int countFinished(const QList<TrialRecord>& trials);

} // namespace sweepline::model
