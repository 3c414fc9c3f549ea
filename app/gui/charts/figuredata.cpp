#include "gui/charts/figuredata.h"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace sweepline::gui::figures {

QList<LabelRun> consecutiveRuns(const QList<LabelledTrial>& trials)
{
    QList<LabelRun> runs;
    for (const LabelledTrial& t : trials) {
        if (t.label == 0)
            continue;
        // A trial without a label between two with the same one does not split them: the run is
        // about proposal rounds, and the unlabelled trial belongs to none.
        if (!runs.isEmpty() && runs.last().label == t.label) {
            runs.last().lastTrial = t.id;
            ++runs.last().count;
        } else {
            runs.append({t.label, t.id, t.id, 1});
        }
    }
    return runs;
}

QList<Range> batchBrackets(const QList<LabelRun>& batches)
{
    QList<Range> brackets;
    for (const LabelRun& run : batches) {
        if (run.count >= 2)
            brackets.append({double(run.firstTrial) - 0.5, double(run.lastTrial) + 0.5});
    }
    return brackets;
}

QList<double> bracketLines(const QList<Range>& brackets)
{
    QList<double> lines;
    for (const Range& bracket : brackets) {
        if (lines.isEmpty() || lines.last() < bracket.min)
            lines.append(bracket.min);
        lines.append(bracket.max);
    }
    return lines;
}

QString stageName(int stage)
{
    return stage == 1 ? u"1-axis"_s : u"%1-axes"_s.arg(stage);
}

QList<int> restartNumbers(const QList<LabelRun>& stageRuns)
{
    QList<int> numbers;
    numbers.reserve(stageRuns.size());
    int restarts = 0;
    int previous = 0;
    for (const LabelRun& run : stageRuns) {
        numbers.append(previous > 0 && run.label < previous ? ++restarts : 0);
        previous = run.label;
    }
    return numbers;
}

bool isBetter(double candidate, double incumbent, model::Direction direction)
{
    return direction == model::Direction::Minimize ? candidate < incumbent : candidate > incumbent;
}

int bestIndex(const QList<double>& values, model::Direction direction)
{
    int best = -1;
    for (int i = 0; i < values.size(); ++i) {
        if (best < 0 || isBetter(values.at(i), values.at(best), direction))
            best = i;
    }
    return best;
}

QList<Measured> bestOfEachRun(const QList<LabelRun>& runs, const QList<Measured>& measuredInOrder,
                              model::Direction direction)
{
    QList<Measured> best;
    int m = 0;
    for (const LabelRun& run : runs) {
        while (m < measuredInOrder.size() && measuredInOrder.at(m).id < run.firstTrial)
            ++m;
        std::optional<Measured> winner;
        for (; m < measuredInOrder.size() && measuredInOrder.at(m).id <= run.lastTrial; ++m) {
            if (!winner || isBetter(measuredInOrder.at(m).value, winner->value, direction))
                winner = measuredInOrder.at(m);
        }
        if (winner)
            best.append(*winner);
    }
    return best;
}

namespace {

bool sameValue(const QVariant& a, const QVariant& b, model::ParameterType type)
{
    if (!a.isValid() || !b.isValid())
        return false;
    switch (type) {
    case model::ParameterType::Int:
        return a.toLongLong() == b.toLongLong();
    case model::ParameterType::Float: {
        const double x = a.toDouble();
        const double y = b.toDouble();
        return std::abs(x - y) <= 1e-9 * std::max(std::abs(x), std::abs(y));
    }
    case model::ParameterType::Choice:
        return a.toString() == b.toString();
    }
    return false;
}

} // namespace

bool isDefaultConfiguration(const model::Campaign& campaign, const QVariantList& values)
{
    if (campaign.parameters.isEmpty() || values.size() != campaign.parameters.size())
        return false;
    for (int i = 0; i < campaign.parameters.size(); ++i) {
        const model::Parameter& p = campaign.parameters.at(i);
        const QVariant wanted = p.defaultValue.isValid()
            ? p.defaultValue
            : (p.defaultIndex ? p.candidates.value(*p.defaultIndex) : QVariant());
        if (!sameValue(values.at(i), wanted, p.type))
            return false;
    }
    return true;
}

QList<QPointF> concurrencySteps(const QList<Interval>& intervals)
{
    // +1 at each start, -1 at each end; sorted, then summed per instant so that simultaneous events
    // make one step.
    std::vector<std::pair<double, int>> events;
    events.reserve(std::size_t(intervals.size()) * 2);
    for (const Interval& i : intervals) {
        if (!(i.end > i.start))
            continue;
        events.emplace_back(i.start, 1);
        events.emplace_back(i.end, -1);
    }
    std::sort(events.begin(), events.end());
    QList<QPointF> steps;
    int open = 0;
    for (std::size_t e = 0; e < events.size();) {
        const double at = events[e].first;
        int delta = 0;
        for (; e < events.size() && events[e].first == at; ++e)
            delta += events[e].second;
        if (delta == 0)
            continue;
        steps.append({at, double(open)});
        open += delta;
        steps.append({at, double(open)});
    }
    return steps;
}

int maxConcurrency(const QList<QPointF>& steps)
{
    double most = 0;
    for (const QPointF& p : steps)
        most = std::max(most, p.y());
    return int(std::lround(most));
}

Range paddedRange(double min, double max, double fraction)
{
    if (min > max)
        std::swap(min, max);
    double span = max - min;
    if (span <= 0) {
        // One distinct value: give it room proportional to its size (or 1 around zero).
        span = min == 0 ? 1.0 : std::abs(min) * 0.2;
        return {min - span / 2, max + span / 2};
    }
    return {min - span * fraction, max + span * fraction};
}

Range paddedLogRange(double min, double max, double fraction)
{
    const Range r = paddedRange(std::log10(min), std::log10(max), fraction);
    return {std::pow(10.0, r.min), std::pow(10.0, r.max)};
}

double niceStep(double span, int targetTicks)
{
    if (!(span > 0) || targetTicks < 1)
        return 1.0;
    const double raw = span / targetTicks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 2.5, 5.0}) {
        if (raw <= factor * magnitude * (1 + 1e-9))
            return factor * magnitude;
    }
    return 10.0 * magnitude;
}

TimeUnit timeUnitFor(double maxSeconds)
{
    if (maxSeconds < 600)
        return {u"s"_s, 1.0};
    if (maxSeconds < 600 * 60)
        return {u"min"_s, 60.0};
    if (maxSeconds < 4 * 86400)
        return {u"h"_s, 3600.0};
    return {u"d"_s, 86400.0};
}

double categoryJitter(qint64 trialId, double width)
{
    // The golden-ratio sequence spreads consecutive ids evenly without clumping.
    const double phi = 0.6180339887498949;
    const double frac = std::fmod(double(trialId) * phi, 1.0);
    return (frac - 0.5) * width;
}

QList<qint64> defaultCurveTrials(const QList<CurveCandidate>& candidates, model::Direction direction, int best)
{
    QList<CurveCandidate> withCurves;
    for (const CurveCandidate& c : candidates) {
        if (c.reports > 0)
            withCurves.append(c);
    }
    QList<CurveCandidate> measured;
    for (const CurveCandidate& c : withCurves) {
        if (c.value)
            measured.append(c);
    }
    std::stable_sort(measured.begin(), measured.end(), [direction](const CurveCandidate& a, const CurveCandidate& b) {
        return isBetter(*a.value, *b.value, direction);
    });
    QList<qint64> chosen;
    for (int i = 0; i < measured.size() && i < best; ++i)
        chosen.append(measured.at(i).id);
    const auto recent =
        std::max_element(withCurves.cbegin(), withCurves.cend(), [](const CurveCandidate& a, const CurveCandidate& b) {
            return std::pair(a.finishedAtMs, a.id) < std::pair(b.finishedAtMs, b.id);
        });
    if (recent != withCurves.cend() && !chosen.contains(recent->id))
        chosen.append(recent->id);
    return chosen;
}

} // namespace sweepline::gui::figures
