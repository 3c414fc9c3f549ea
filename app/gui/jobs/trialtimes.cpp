#include "gui/jobs/trialtimes.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

double secondsBetween(const QDateTime& from, const QDateTime& to)
{
    return double(from.msecsTo(to)) / 1000.0;
}

} // namespace

std::optional<double> queuedSeconds(const model::TrialRecord& trial, const QDateTime& now)
{
    if (!trial.submittedAt.isValid())
        return std::nullopt;
    if (trial.startedAt.isValid())
        return secondsBetween(trial.submittedAt, trial.startedAt);
    if (trial.finishedAt.isValid()) // ended (cancelled, failed) before it ever ran
        return secondsBetween(trial.submittedAt, trial.finishedAt);
    if (!model::isTerminal(trial.state) && now.isValid())
        return std::max(0.0, secondsBetween(trial.submittedAt, now));
    return std::nullopt;
}

std::optional<double> elapsedSeconds(const model::TrialRecord& trial, const QDateTime& now)
{
    if (const auto finished = trial.elapsedSeconds())
        return finished;
    if (trial.state == model::TrialState::Running && trial.startedAt.isValid() && now.isValid())
        return std::max(0.0, secondsBetween(trial.startedAt, now));
    return std::nullopt;
}

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds))
        return {};
    const qint64 total = qRound64(std::max(0.0, seconds));
    const qint64 days = total / 86400;
    const QString clock = u"%1:%2:%3"_s.arg(total / 3600 % 24, days > 0 ? 2 : 1, 10, QChar(u'0'))
                              .arg(total / 60 % 60, 2, 10, QChar(u'0'))
                              .arg(total % 60, 2, 10, QChar(u'0'));
    return days > 0 ? u"%1 d %2"_s.arg(days).arg(clock) : clock;
}

} // namespace sweepline::gui
