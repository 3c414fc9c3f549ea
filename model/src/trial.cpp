#include "model/trial.h"

namespace sweepline::model {

QString toString(TrialState state)
{
    switch (state) {
    case TrialState::Planned: return QStringLiteral("planned");
    case TrialState::Submitting: return QStringLiteral("submitting");
    case TrialState::Queued: return QStringLiteral("queued");
    case TrialState::Running: return QStringLiteral("running");
    case TrialState::Done: return QStringLiteral("done");
    case TrialState::Failed: return QStringLiteral("failed");
    case TrialState::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
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
    return state == TrialState::Done || state == TrialState::Failed || state == TrialState::Cancelled;
}

const QList<TrialState>& allTrialStates()
{
    static const QList<TrialState> states{TrialState::Planned, TrialState::Submitting, TrialState::Queued,
                                          TrialState::Running, TrialState::Done,       TrialState::Failed,
                                          TrialState::Cancelled};
    return states;
}

std::optional<double> TrialRecord::elapsedSeconds() const
{
    if (!startedAt.isValid() || !finishedAt.isValid())
        return std::nullopt;
    return double(startedAt.msecsTo(finishedAt)) / 1000.0;
}

} // namespace sweepline::model
