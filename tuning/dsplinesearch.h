#pragma once

#include "tuning/dsplinegeometry.h"
#include "tuning/dsplineline.h"
#include "tuning/dsplinememory.h"
#include "tuning/strategy.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

namespace sweepline::tuning {

struct DSplineSearchOptions {
    DSplineLineOptions line;             // alpha (0.1), ABIC, 30-point and 3-update stop rules
    std::size_t maxLinesPerRound = 4096; // caps the widening level in spaces with many parameters
    // Once the search has converged, restart it (see "Continuation" below) instead of stopping,
    // so that it keeps proposing until the caller's budget or the space runs out.
    // Off: the published method, which stops.
    bool continueAfterConvergence = true;
};

// The iterative one-dimensional d-Spline search (Mochizuki et al. 2017, with the widening
// directions of IPSJ 2018 and the parallel radial search of Fujika et al. / DSICE P_2024B), made
// asynchronous. See docs in dsplinesearch.cpp for the exact rules; in short:
//
// Rounds. A round has a base point and a level L (the widest direction it may use). Its lines are
// the grid lines through the base along every canonical direction of 1..L changed axes that was
// not searched from that base before. A round measures the base, then the direction search (the
// base's +-1 neighbours on those lines, listed by number of changed axes), then runs the
// one-dimensional d-Spline search (DSplineLineSearch) on lines: with one free slot only on the
// line through the best neighbour (the sequential method); with more free slots also on the other
// lines, interleaved round-robin, best neighbour first (the parallel method). The round ends when
// the direction search, the best neighbour's line and every line that was given a point have
// finished and none of their points is pending. Then: if the best point measured since the search
// (re)started is better than the base, the base moves there (same level); else the level widens
// (L+1, same base); at the last level the search has converged.
//
// Continuation (continueAfterConvergence; else the search stops at convergence). The search
// restarts from the best measured point that its memory (dspline::SearchMemory) does not explain:
// never a base, not dominated on any line a one-dimensional search ran on, and with a single-axis
// line no one-dimensional search has run on. A restart runs the same rounds from level 1 at that
// point, its lines skipping every line already line-searched; its first round line-searches every
// one of its lines, not only the best neighbour's (the restart is there to explore lines the
// search has not run on, and a known better neighbour would only lead back to explored ground);
// it then moves while it improves on its own start; it widens beyond level 1 only while its base is the best point measured overall (widening
// costs up to 3^D - 1 neighbours: it is spent where it can improve the result), else the next
// restart follows. With no such point left, the search walks rings around the best point, so it
// proposes every point of the space in the end; any walked point that qualifies restarts it.
// A restart's rounds see all earlier measurements (its lines are seeded with them).

//
// Categorical dimensions have no order: they take part only in single-axis directions, and such a
// line is measured exhaustively: all its values are the direction search's "neighbours".
//
// Free slots that the round cannot fill get, in this order: the points the predicted next rounds
// will certainly want (the base and neighbours of the likely next base, or of the next level, then
// the first points of its lines, round-robin; then of the level after); then unmeasured points of
// the round's lines whose fitted value beats the best measurement since the (re)start; with the
// continuation, the direction search and first line points of the next restarts, in their order;
// and, while no measurement has succeeded at all or with the continuation, a ring walk around the
// base. So with the continuation no slot idles while unproposed points remain. When every round is
// exhausted without any usable
// result the search keeps walking the rings (so failures never stall it) until a point succeeds,
// which starts the search afresh from that point at level 1.
//
// Labels: stage = the level of the round when the point was proposed (1..D; it never decreases,
// except on that fresh start after a run of nothing but failures and at each restart of the
// continuation, which begins again at 1), so the direction-search points of level k carry stage k;
// direction = the signs of the point's offset from the base it was proposed around ("+0,+1,-1";
// the base itself is all "+0"); batch = the round number: it increments whenever the base moves,
// the level widens, the search restarts, a ring walk begins, or the run is resumed, so batches are
// contiguous in proposal order and each lies within one stage.
//
// restore() replays the history: proposals in order, each registered as if this strategy had
// proposed it, and its outcome (when known) told at once. A sequential history (one pending at a
// time) is reproduced exactly; in a parallel one only the tell order is approximated. Every point
// of the history counts as proposed, so nothing is ever proposed twice.
class DSplineSearch final : public Strategy {
public:
    enum class Phase {
        Searching,  // rounds running
        Draining,   // converged, without the continuation: waiting for pending results
        Exploring,  // nothing has succeeded yet and every round is spent: ring walk
        Continuing, // converged, no point left to restart from: ring walk around the best
        Stopped,
    };

    explicit DSplineSearch(SearchSpace space, DSplineSearchOptions options = {});

    std::string_view name() const override { return "dspline"; }
    std::vector<Proposal> ask(std::size_t maxCount) override;
    void tell(const Point& point, const Outcome& outcome) override;
    bool exhausted() const override;
    void restore(const std::vector<HistoryEntry>& history) override;

    Phase phase() const { return m_phase; }
    const Point& base() const { return m_round.base; }
    std::size_t level() const { return m_round.level; }
    std::size_t maxLevel() const { return m_maxLevel; }
    int batch() const { return m_batch + m_batchOffset; }
    std::optional<Point> bestPoint() const;
    std::optional<double> bestValue() const;
    int restarts() const { return m_epoch; } // how many times the continuation restarted the search

private:
    struct Known {
        bool pending = true;
        bool failed = false;
        double value = 0.0;
    };
    struct RoundLine {
        dspline::GridLine geometry;
        bool categorical = false;
        std::vector<Point> probes; // its direction-search points
        DSplineLineSearch search;
        bool started = false;      // given a point of its own: the round waits for it
    };
    struct Round {
        Point base;
        std::size_t level = 1;
        std::vector<RoundLine> lines;
        std::vector<Point> probes;
        bool mainChosen = false;
        std::optional<std::size_t> mainLine;
        bool searchAll = false; // a restart's first round: every line is line-searched
    };
    struct Best {
        Point point;
        double value;
    };

    void startRound(Point base, std::size_t level); // by value: callers pass parts of m_round
    void moveTo(Point newBase);
    void settle();
    bool roundComplete();
    void finishRound();
    bool improves() const;
    bool mayWiden() const;
    void remember();                                      // the finished round's lines, for restarts
    std::vector<Point> restartBases(std::size_t maxCount); // prunes the pool as it goes
    bool restart();                                       // false: nowhere to restart from
    std::optional<double> valueAt(const Point& p) const;
    bool isResolved(const Point& p) const;
    bool isKnown(const Point& p) const { return m_known.count(p) != 0; }
    const dspline::StepSet& searchedAt(const Point& base) const;

    void registerProposal(const Point& p, bool startsLine);
    bool emit(std::vector<Proposal>& out, const Point& p, const Point& around, bool startsLine);
    void fillFromRound(std::vector<Proposal>& out, std::size_t maxCount);
    void fillSpeculative(std::vector<Proposal>& out, std::size_t maxCount);
    void fillFitted(std::vector<Proposal>& out, std::size_t maxCount);
    void fillRestarts(std::vector<Proposal>& out, std::size_t maxCount);
    void fillFromRing(std::vector<Proposal>& out, std::size_t maxCount, const Point& centre);
    bool emitNeighbourhood(std::vector<Proposal>& out, std::size_t maxCount, const Point& around,
                           const std::vector<dspline::GridLine>& lines);

    SearchSpace m_space;
    DSplineSearchOptions m_options;
    std::size_t m_maxLevel = 1;
    std::optional<std::uint64_t> m_cardinality;
    Phase m_phase = Phase::Searching;
    Round m_round;
    std::map<Point, Known> m_known;
    std::map<Point, dspline::StepSet> m_searched; // directions already searched from a base
    std::size_t m_pending = 0;
    std::uint64_t m_resolved = 0;
    std::optional<Best> m_best;      // over the whole run
    std::optional<Best> m_epochBest; // since the search (re)started: what a round must beat
    int m_epoch = 0;
    dspline::SearchMemory m_memory;
    // The measured points the memory does not explain yet, best first: the restart candidates
    // (kept incrementally: a run can hold thousands of points).
    std::set<std::pair<double, Point>> m_restartPool;
    std::vector<dspline::Step> m_axisSteps;
    int m_batch = 0;
    int m_batchOffset = 0;
    bool m_replaying = false;
    bool m_ringActive = false;
    dspline::RingWalker m_ring;
};

} // namespace sweepline::tuning
