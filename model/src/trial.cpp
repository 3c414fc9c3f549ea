#include "model/trial.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::model {

QString toString(TrialState state)
{
    switch (state) {
    case TrialState::Planned:
        return u"planned"_s;
    case TrialState::Submitting:
        return u"submitting"_s;
    case TrialState::Queued:
        return u"queued"_s;
    case TrialState::Running:
        return u"running"_s;
    case TrialState::Done:
        return u"done"_s;
    case TrialState::Failed:
        return u"failed"_s;
    case TrialState::Cancelled:
        return u"cancelled"_s;
    case TrialState::Pruned:
        return u"pruned"_s;
    }
    return u"unknown"_s;
}

std::optional<TrialState> trialStateFromString(const QString& text)
{
    for (TrialState state : allTrialStates()) {
        if (toString(state) == text)
            return state;
    }
    return std::nullopt;
}

bool isTerminal(TrialState state)
{
    return state == TrialState::Done || state == TrialState::Failed || state == TrialState::Cancelled
        || state == TrialState::Pruned;
}

const QList<TrialState>& allTrialStates()
{
    static const QList<TrialState> states{TrialState::Planned,   TrialState::Submitting, TrialState::Queued,
                                          TrialState::Running,   TrialState::Done,       TrialState::Failed,
                                          TrialState::Cancelled, TrialState::Pruned};
    return states;
}

QHash<TrialState, int> countByState(const QList<TrialRecord>& trials)
{
    QHash<TrialState, int> counts;
    for (TrialState state : allTrialStates())
        counts.insert(state, 0);
    for (const TrialRecord& trial : trials)
        ++counts[trial.state];
    return counts;
}

int countFinished(const QList<TrialRecord>& trials)
{
    return int(std::count_if(trials.begin(), trials.end(), [](const TrialRecord& t) { return isTerminal(t.state); }));
}

std::optional<double> TrialRecord::elapsedSeconds() const
{
    if (!startedAt.isValid() || !finishedAt.isValid())
        return std::nullopt;
    return double(startedAt.msecsTo(finishedAt)) / 1000.0;
}

int TrialRecord::stepAt(qsizetype index) const
{
    return index < steps.size() ? steps.at(index) : int(index + 1);
}

QList<CurvePoint> TrialRecord::curve() const
{
    QList<CurvePoint> points;
    points.reserve(intermediate.size());
    for (qsizetype i = 0; i < intermediate.size(); ++i)
        points.append({stepAt(i), intermediate.at(i)});
    return points;
}

} // namespace sweepline::model
