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
// asynchronous: rounds of direction and line searches from a base point, widening from 1-axis to
// n-axes directions, restarts once converged, every free slot filled. docs/dspline.md gives the
// exact rules: rounds, continuation, categorical axes, slot filling, labels and restore().
// A pruned trial counts as a failed one: its value is not a final value (docs/early-stopping.md).
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
        bool started = false; // given a point of its own: the round waits for it
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
    void remember();                                       // the finished round's lines, for restarts
    std::vector<Point> restartBases(std::size_t maxCount); // prunes the pool as it goes
    bool restart();                                        // false: nowhere to restart from
    std::optional<double> valueAt(const Point& p) const;
    bool isResolved(const Point& p) const;
    bool isKnown(const Point& p) const { return m_known.count(p) != 0; }
    const dspline::StepSet& searchedAt(const Point& base) const;

    void registerProposal(const Point& p, bool startsLine);
    bool proposeInto(std::vector<Proposal>& out, const Point& p, const Point& around, bool startsLine);
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
