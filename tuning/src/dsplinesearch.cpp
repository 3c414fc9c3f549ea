#include "tuning/dsplinesearch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

// Details of the rules summarised in dsplinesearch.h.
//
// Direction search. The probes of a round are, line by line in the listed order of directions,
// base + step then base - step (those inside the grid); for a categorical line, every other value.
// The "best neighbour" is the probe with the lowest successful value; its line is the main line,
// chosen once every probe is measured (failed probes simply do not compete). Without any usable
// probe there is no main line and the round ends once the lines it started have ended.
//
// Proposal order within a round: the base (if unmeasured), the probes, then the lines'
// candidate lists (DSplineLineSearch::candidates) interleaved round-robin: one from each line in
// turn, lines ordered main line first, then by their best probe value, lines with no usable probe
// last, ties in listed order. With a single free slot and nothing pending this is exactly the
// sequential method: the probes come first, and afterwards the main line always has a candidate
// until it stops, at which point the round ends. With several free slots every line gets points:
// the parallel radial method, where a finished result frees its slot at once.
//
// Searched directions are remembered per base: when a round ends, all its directions (they were
// direction-searched); when the base moves, the direction of the move at the new base (the line
// it came along). A widened round therefore holds exactly the newly allowed directions, as in
// DSICE's S_2018, and a move keeps the level. Lines a one-dimensional search ran on are also
// remembered geometrically (dspline::SearchMemory): no later round, from any base, runs them again.
//
// Convergence: at the last level (all D axes, or fewer when the number of lines would exceed
// maxLinesPerRound) a round without improvement. Without the continuation the search then stops
// once no result is pending; a pending result that turns out better than the base starts a new
// round from it instead. With it, the search restarts at once (pending results are simply told
// later: one better than the restart's base moves it there, and any other becomes a candidate
// for a later restart). The search stops once every point of the space is measured.

namespace sweepline::tuning {

using dspline::GridLine;
using dspline::Step;
using dspline::StepSet;

namespace {

bool categoricalLine(const SearchSpace& space, const Step& step)
{
    if (dspline::axisCount(step) != 1)
        return false;
    const auto axis = std::size_t(std::find(step.begin(), step.end(), 1) - step.begin());
    return space.dimensions()[axis].kind == DimensionKind::Categorical;
}

// The direction search's points on a line: base + step, then base - step; on a categorical line
// every other value.
std::vector<std::size_t> probeIndices(const GridLine& g, bool categorical)
{
    std::vector<std::size_t> out;
    const std::size_t b = g.baseIndex;
    if (categorical) {
        for (std::size_t j = 0; j < g.count; ++j) {
            if (j != b)
                out.push_back(j);
        }
    } else {
        if (b + 1 < g.count)
            out.push_back(b + 1);
        if (b > 0)
            out.push_back(b - 1);
    }
    return out;
}

} // namespace

DSplineSearch::DSplineSearch(SearchSpace space, DSplineSearchOptions options)
    : m_space(std::move(space)),
      m_options(options),
      m_maxLevel(dspline::maxLevel(m_space, options.maxLinesPerRound)),
      m_cardinality(m_space.cardinality()),
      m_axisSteps(dspline::enumerateSteps(m_space, 1, 1))
{
    if (m_cardinality && *m_cardinality == 0) {
        m_phase = Phase::Stopped;
        return;
    }
    Point base = m_space.basePoint();
    for (std::size_t i = 0; i < base.size(); ++i)
        base[i] = std::min(base[i], m_space.dimensions()[i].size - 1);
    startRound(base, 1);
}

std::optional<Point> DSplineSearch::bestPoint() const
{
    if (!m_best)
        return std::nullopt;
    return m_best->point;
}

std::optional<double> DSplineSearch::bestValue() const
{
    if (!m_best)
        return std::nullopt;
    return m_best->value;
}

bool DSplineSearch::exhausted() const
{
    return m_phase == Phase::Stopped;
}

std::optional<double> DSplineSearch::valueAt(const Point& p) const
{
    const auto it = m_known.find(p);
    if (it == m_known.end() || it->second.pending || it->second.failed)
        return std::nullopt;
    return it->second.value;
}

bool DSplineSearch::isResolved(const Point& p) const
{
    const auto it = m_known.find(p);
    return it != m_known.end() && !it->second.pending;
}

const StepSet& DSplineSearch::searchedAt(const Point& base) const
{
    static const StepSet empty;
    const auto it = m_searched.find(base);
    return it == m_searched.end() ? empty : it->second;
}

bool DSplineSearch::improves() const
{
    if (!m_epochBest)
        return false;
    const auto baseValue = valueAt(m_round.base);
    return !baseValue || m_epochBest->value < *baseValue;
}

bool DSplineSearch::mayWiden() const
{
    if (m_round.level >= m_maxLevel)
        return false;
    if (m_epoch == 0)
        return true;
    const auto baseValue = valueAt(m_round.base);
    return baseValue && m_best && *baseValue <= m_best->value;
}

void DSplineSearch::startRound(Point base, std::size_t level)
{
    ++m_batch;
    m_round = Round{};
    m_round.base = std::move(base);
    const Point& origin = m_round.base;
    m_round.level = level;
    m_memory.addBase(origin);
    if (const auto v = valueAt(origin))
        m_restartPool.erase({*v, origin});
    const StepSet& searched = searchedAt(origin);
    for (auto& step : dspline::enumerateSteps(m_space, 1, level)) {
        if (searched.count(step))
            continue;
        GridLine geometry = dspline::lineThrough(m_space, origin, step);
        if (geometry.count < 2 || m_memory.lineSearched(geometry))
            continue;
        const bool categorical = categoricalLine(m_space, step);
        const auto mode = categorical ? DSplineLineSearch::Mode::Exhaustive : DSplineLineSearch::Mode::Spline;
        const std::size_t count = geometry.count;
        RoundLine line{std::move(geometry), categorical, {}, DSplineLineSearch(count, mode, m_options.line), false};
        for (std::size_t j : probeIndices(line.geometry, categorical))
            line.probes.push_back(line.geometry.at(j));

        std::vector<std::pair<std::size_t, DSplineLineSearch::Result>> known;
        std::vector<std::size_t> pending;
        for (std::size_t j = 0; j < line.geometry.count; ++j) {
            const auto it = m_known.find(line.geometry.at(j));
            if (it == m_known.end())
                continue;
            if (it->second.pending)
                pending.push_back(j);
            else if (it->second.failed)
                known.emplace_back(j, std::nullopt);
            else
                known.emplace_back(j, it->second.value);
        }
        line.search.seed(known, pending);

        m_round.probes.insert(m_round.probes.end(), line.probes.begin(), line.probes.end());
        m_round.lines.push_back(std::move(line));
    }
}

void DSplineSearch::moveTo(Point newBase)
{
    if (auto along = dspline::stepBetween(m_space, m_round.base, newBase))
        m_searched[newBase].insert(*along);
    startRound(std::move(newBase), m_round.level);
}

bool DSplineSearch::roundComplete()
{
    if (!isResolved(m_round.base))
        return false;
    for (const auto& p : m_round.probes) {
        if (!isResolved(p))
            return false;
    }
    if (!m_round.mainChosen) {
        std::optional<double> best;
        for (std::size_t i = 0; i < m_round.lines.size(); ++i) {
            for (const auto& p : m_round.lines[i].probes) {
                const auto v = valueAt(p);
                if (v && (!best || *v < *best)) {
                    best = v;
                    m_round.mainLine = i;
                }
            }
        }
        m_round.mainChosen = true;
    }
    if (m_round.mainLine && !m_round.lines[*m_round.mainLine].search.finished())
        return false;
    if (m_round.searchAll)
        return std::all_of(m_round.lines.begin(), m_round.lines.end(),
                           [](const RoundLine& l) { return l.search.finished(); });
    return std::all_of(m_round.lines.begin(), m_round.lines.end(),
                       [](const RoundLine& l) { return !l.started || l.search.finished(); });
}

void DSplineSearch::remember()
{
    auto& searched = m_searched[m_round.base];
    for (std::size_t i = 0; i < m_round.lines.size(); ++i) {
        const auto& line = m_round.lines[i];
        searched.insert(line.geometry.step);
        if (!line.started && m_round.mainLine != i && !m_round.searchAll)
            continue;
        // The line search found its best point: the line's other measured points are dominated.
        m_memory.addSearchedLine(line.geometry);
        const auto best = line.search.bestMeasured();
        for (std::size_t j = 0; j < line.geometry.count; ++j) {
            if (best && j == *best)
                continue;
            const Point p = line.geometry.at(j);
            if (!isResolved(p))
                continue;
            m_memory.dominate(p);
            if (const auto v = valueAt(p))
                m_restartPool.erase({*v, p});
        }
    }
}

std::vector<Point> DSplineSearch::restartBases(std::size_t maxCount)
{
    std::vector<Point> out;
    for (auto it = m_restartPool.begin(); it != m_restartPool.end() && out.size() < maxCount;) {
        // Lines are only ever added to the memory: a point without a new line never gets one.
        if (!m_memory.hasNewLine(m_space, it->second, m_axisSteps)) {
            it = m_restartPool.erase(it);
            continue;
        }
        out.push_back(it->second);
        ++it;
    }
    return out;
}

bool DSplineSearch::restart()
{
    auto next = restartBases(1);
    if (next.empty())
        return false;
    ++m_epoch;
    m_epochBest = Best{next.front(), *valueAt(next.front())};
    m_phase = Phase::Searching;
    startRound(std::move(next.front()), 1);
    m_round.searchAll = true;
    return true;
}

void DSplineSearch::finishRound()
{
    remember();
    if (improves()) {
        moveTo(m_epochBest->point);
    } else if (mayWiden()) {
        startRound(m_round.base, m_round.level + 1);
    } else if (!m_best) {
        m_phase = Phase::Exploring;
        ++m_batch;
    } else if (!m_options.continueAfterConvergence) {
        m_phase = Phase::Draining;
    } else if (!restart()) {
        m_phase = Phase::Continuing;
        m_ringActive = false;
        ++m_batch;
    }
}

void DSplineSearch::settle()
{
    // Every transition moves the base to a strictly better point, widens the level or changes the
    // phase, so this loop ends; the bound is only a safety net.
    for (int guard = 0; guard < 1000000; ++guard) {
        if (m_phase == Phase::Stopped)
            return;
        if (m_cardinality && m_resolved >= *m_cardinality) {
            m_phase = Phase::Stopped;
            return;
        }
        switch (m_phase) {
        case Phase::Exploring:
            if (!m_best)
                return;
            m_phase = Phase::Searching;
            m_epochBest = m_best;
            startRound(m_best->point, 1); // a fresh start: nothing before it told us anything
            continue;
        case Phase::Continuing:
            if (restart())
                continue;
            return;
        case Phase::Draining:
            if (improves()) {
                m_phase = Phase::Searching;
                moveTo(m_epochBest->point);
                continue;
            }
            if (m_pending == 0 && !m_replaying)
                m_phase = Phase::Stopped;
            return;
        case Phase::Searching:
            if (!roundComplete())
                return;
            finishRound();
            continue;
        case Phase::Stopped:
            return;
        }
    }
}

void DSplineSearch::registerProposal(const Point& p, bool startsLine)
{
    m_known[p] = Known{};
    ++m_pending;
    for (auto& line : m_round.lines) {
        if (const auto j = line.geometry.indexOf(p)) {
            line.search.markPending(*j);
            if (startsLine)
                line.started = true;
        }
    }
}

bool DSplineSearch::proposeInto(std::vector<Proposal>& out, const Point& p, const Point& around, bool startsLine)
{
    if (isKnown(p))
        return false;
    registerProposal(p, startsLine);
    out.push_back({p, Labels{int(m_round.level), dspline::directionLabel(around, p), batch()}});
    return true;
}

void DSplineSearch::fillFromRound(std::vector<Proposal>& out, std::size_t maxCount)
{
    const Point base = m_round.base;
    if (out.size() < maxCount)
        proposeInto(out, base, base, false);
    for (const auto& p : m_round.probes) {
        if (out.size() >= maxCount)
            return;
        proposeInto(out, p, base, false);
    }
    if (out.size() >= maxCount)
        return;

    // Lines in turn: the main line, then by their best probe value.
    const double none = std::numeric_limits<double>::infinity();
    std::vector<std::tuple<int, double, std::size_t>> order;
    for (std::size_t i = 0; i < m_round.lines.size(); ++i) {
        const auto& line = m_round.lines[i];
        if (line.search.stopped())
            continue;
        double best = none;
        for (const auto& p : line.probes) {
            if (const auto v = valueAt(p))
                best = std::min(best, *v);
        }
        order.emplace_back(m_round.mainLine == i ? 0 : 1, best, i);
    }
    std::sort(order.begin(), order.end());

    const std::size_t room = maxCount - out.size();
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> lists;
    std::size_t longest = 0;
    for (const auto& entry : order) {
        const std::size_t i = std::get<2>(entry);
        auto c = m_round.lines[i].search.candidates(room);
        longest = std::max(longest, c.size());
        if (!c.empty())
            lists.emplace_back(i, std::move(c));
    }
    for (std::size_t rank = 0; rank < longest; ++rank) {
        for (const auto& [i, list] : lists) {
            if (out.size() >= maxCount)
                return;
            if (rank < list.size())
                proposeInto(out, m_round.lines[i].geometry.at(list[rank]), base, true);
        }
    }
}

bool DSplineSearch::emitNeighbourhood(std::vector<Proposal>& out, std::size_t maxCount, const Point& around,
                                      const std::vector<GridLine>& lines)
{
    if (out.size() >= maxCount)
        return false;
    proposeInto(out, around, around, false);
    // Its direction search...
    for (const auto& g : lines) {
        for (std::size_t j : probeIndices(g, categoricalLine(m_space, g.step))) {
            if (out.size() >= maxCount)
                return false;
            proposeInto(out, g.at(j), around, false);
        }
    }
    // ...then the first points of its lines, round-robin.
    for (std::size_t rank = 0; rank < 4; ++rank) {
        for (const auto& g : lines) {
            if (out.size() >= maxCount)
                return false;
            const auto first = DSplineLineSearch::firstPoints(g.count);
            if (rank < first.size())
                proposeInto(out, g.at(first[rank]), around, false);
        }
    }
    return out.size() < maxCount;
}

void DSplineSearch::fillSpeculative(std::vector<Proposal>& out, std::size_t maxCount)
{
    // The likely next round: from the best point if it beats the base, else the next level here.
    Point predicted;
    std::size_t level = 0;
    StepSet excluded;
    if (improves() && m_epochBest->point != m_round.base) {
        predicted = m_epochBest->point;
        level = m_round.level;
        excluded = searchedAt(predicted);
        if (auto along = dspline::stepBetween(m_space, m_round.base, predicted))
            excluded.insert(*along);
    } else if (mayWiden()) {
        predicted = m_round.base;
        level = m_round.level + 1;
        excluded = searchedAt(predicted);
        for (const auto& line : m_round.lines)
            excluded.insert(line.geometry.step);
    } else {
        return;
    }

    while (out.size() < maxCount) {
        std::vector<GridLine> lines;
        for (auto& step : dspline::enumerateSteps(m_space, 1, level)) {
            if (excluded.count(step))
                continue;
            GridLine g = dspline::lineThrough(m_space, predicted, step);
            if (g.count >= 2 && !m_memory.lineSearched(g))
                lines.push_back(std::move(g));
        }
        if (!emitNeighbourhood(out, maxCount, predicted, lines))
            return;
        if (level >= m_maxLevel || (m_epoch > 0 && predicted != m_round.base))
            return; // a restart widens only at the best point overall: not predictable here
        for (const auto& g : lines)
            excluded.insert(g.step);
        ++level;
    }
}

void DSplineSearch::fillRestarts(std::vector<Proposal>& out, std::size_t maxCount)
{
    // The next restarts, in the order they would come: their direction search and first points.
    for (const Point& q : restartBases(maxCount + 1)) {
        if (q == m_round.base)
            continue;
        std::vector<GridLine> lines;
        for (const auto& step : m_axisSteps) {
            GridLine g = dspline::lineThrough(m_space, q, step);
            if (g.count >= 2 && !m_memory.lineSearched(g))
                lines.push_back(std::move(g));
        }
        if (!emitNeighbourhood(out, maxCount, q, lines))
            return;
    }
}

void DSplineSearch::fillFitted(std::vector<Proposal>& out, std::size_t maxCount)
{
    if (!m_epochBest)
        return;
    std::vector<std::pair<double, Point>> promising;
    for (const auto& line : m_round.lines) {
        for (std::size_t j = 0; j < line.geometry.count; ++j) {
            if (!line.search.isUnknown(j))
                continue;
            const auto f = line.search.fittedValue(j);
            if (f && *f < m_epochBest->value)
                promising.emplace_back(*f, line.geometry.at(j));
        }
    }
    std::sort(promising.begin(), promising.end());
    for (const auto& [f, p] : promising) {
        if (out.size() >= maxCount)
            return;
        proposeInto(out, p, m_round.base, false);
    }
}

void DSplineSearch::fillFromRing(std::vector<Proposal>& out, std::size_t maxCount, const Point& centre)
{
    if (!m_ringActive) {
        m_ring = dspline::RingWalker(m_space, centre);
        m_ringActive = true;
    }
    while (out.size() < maxCount) {
        const auto p = m_ring.next();
        if (!p)
            return;
        proposeInto(out, *p, m_ring.centre(), false);
    }
}

std::vector<Proposal> DSplineSearch::ask(std::size_t maxCount)
{
    std::vector<Proposal> out;
    if (maxCount == 0)
        return out;
    settle();
    switch (m_phase) {
    case Phase::Stopped:
    case Phase::Draining:
        return out;
    case Phase::Exploring:
        fillFromRing(out, maxCount, m_round.base);
        return out;
    case Phase::Continuing:
        fillFromRing(out, maxCount, m_best->point);
        return out;
    case Phase::Searching:
        break;
    }
    fillFromRound(out, maxCount);
    if (out.size() < maxCount)
        fillSpeculative(out, maxCount);
    if (out.size() < maxCount)
        fillFitted(out, maxCount);
    if (out.size() < maxCount && m_best && m_options.continueAfterConvergence)
        fillRestarts(out, maxCount);
    if (out.size() < maxCount && (!m_best || m_options.continueAfterConvergence))
        fillFromRing(out, maxCount, m_best ? m_best->point : m_round.base);
    return out;
}

void DSplineSearch::tell(const Point& point, const Outcome& outcome)
{
    if (!m_space.contains(point))
        return;
    auto it = m_known.find(point);
    if (it != m_known.end() && !it->second.pending)
        return; // already measured: a repeated report changes nothing
    if (it == m_known.end())
        it = m_known.emplace(point, Known{}).first;
    else
        --m_pending;
    // A pruned trial is failed too (Outcome::prunedAt): its value is where it stood when stopped,
    // not a final value, and the splines fit final values, so it neither competes nor is fitted.
    const bool usable = !outcome.failed && std::isfinite(outcome.value);
    it->second = Known{false, !usable, usable ? outcome.value : 0.0};
    ++m_resolved;
    if (usable && (!m_best || outcome.value < m_best->value))
        m_best = Best{point, outcome.value};
    if (usable && (!m_epochBest || outcome.value < m_epochBest->value))
        m_epochBest = Best{point, outcome.value};
    if (usable && !m_memory.wasBase(point) && !m_memory.dominated(point))
        m_restartPool.emplace(outcome.value, point);

    const DSplineLineSearch::Result result = usable ? DSplineLineSearch::Result(outcome.value) : std::nullopt;
    for (auto& line : m_round.lines) {
        if (const auto j = line.geometry.indexOf(point))
            line.search.record(*j, result);
    }
    settle();
}

void DSplineSearch::restore(const std::vector<HistoryEntry>& history)
{
    m_replaying = true;
    int lastBatch = 0;
    for (const auto& entry : history) {
        lastBatch = std::max(lastBatch, entry.proposal.labels.batch);
        const Point& p = entry.proposal.point;
        if (!m_space.contains(p) || isKnown(p))
            continue;
        settle();
        const bool ownLinePoint = m_phase == Phase::Searching && p != m_round.base
            && std::find(m_round.probes.begin(), m_round.probes.end(), p) == m_round.probes.end();
        registerProposal(p, ownLinePoint);
        if (entry.outcome)
            tell(p, *entry.outcome);
    }
    m_replaying = false;
    settle();
    // A resumed run starts a new batch, numbered after everything in the history.
    if (batch() <= lastBatch)
        m_batchOffset += lastBatch + 1 - batch();
}

} // namespace sweepline::tuning
