#pragma once

#include "tuning/dsplinegeometry.h"
#include "tuning/dsplineline.h"
#include "tuning/strategy.h"

#include <map>
#include <optional>

namespace sweepline::tuning {

struct DSplineSearchOptions {
    DSplineLineOptions line;             // alpha (0.1), ABIC, 30-point and 3-update stop rules
    std::size_t maxLinesPerRound = 4096; // caps the widening level in spaces with many parameters
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
// finished and none of their points is pending. Then: if the best measured point is better than
// the base, the base moves there (same level); else the level widens (L+1, same base); at the
// last level the search stops.
//
// Categorical dimensions have no order: they take part only in single-axis directions, and such a
// line is measured exhaustively: all its values are the direction search's "neighbours".
//
// Free slots that the round cannot fill get, in this order: the points the predicted next rounds
// will certainly want (the base and neighbours of the likely next base, or of the next level, then
// the first points of its lines, round-robin; then of the level after); then unmeasured points of
// the round's lines whose fitted value beats the best measurement; and, while no measurement has
// succeeded at all, a ring walk around the base. When every round is exhausted without any usable
// result the search keeps walking the rings (so failures never stall it) until a point succeeds,
// which starts the search afresh from that point at level 1.
//
// Labels: stage = the level of the round when the point was proposed (1..D; it never decreases,
// except on that fresh start after a run of nothing but failures), so the direction-search points
// of level k carry stage k; direction = the signs of the point's offset from the base it was
// proposed around ("+0,+1,-1"; the base itself is all "+0"); batch = the round number: it
// increments whenever the base moves, the level widens, the ring exploration begins, or the run is
// resumed, so batches are contiguous in proposal order and each lies within one stage.
//
// restore() replays the history: proposals in order, each registered as if this strategy had
// proposed it, and its outcome (when known) told at once. A sequential history (one pending at a
// time) is reproduced exactly; in a parallel one only the tell order is approximated. Every point
// of the history counts as proposed, so nothing is ever proposed twice.
class DSplineSearch final : public Strategy {
public:
    enum class Phase {
        Searching, // rounds running
        Draining,  // the last level found nothing better; waiting for pending results
        Exploring, // nothing has succeeded yet and every round is spent: ring walk
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
    std::optional<double> valueAt(const Point& p) const;
    bool isResolved(const Point& p) const;
    bool isKnown(const Point& p) const { return m_known.count(p) != 0; }
    const dspline::StepSet& searchedAt(const Point& base) const;

    void registerProposal(const Point& p, bool startsLine);
    bool emit(std::vector<Proposal>& out, const Point& p, const Point& around, bool startsLine);
    void fillFromRound(std::vector<Proposal>& out, std::size_t maxCount);
    void fillSpeculative(std::vector<Proposal>& out, std::size_t maxCount);
    void fillFitted(std::vector<Proposal>& out, std::size_t maxCount);
    void fillFromRing(std::vector<Proposal>& out, std::size_t maxCount);

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
    std::optional<Best> m_best;
    int m_batch = 0;
    int m_batchOffset = 0;
    bool m_replaying = false;
    bool m_ringActive = false;
    dspline::RingWalker m_ring;
};

} // namespace sweepline::tuning
