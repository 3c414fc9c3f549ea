// The early-stopping rules, each against cases worked out by hand in the comments, and their options.
#include "tuning/pruner.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using namespace sweepline::tuning;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

EarlyStoppingOptions medianOptions(int startupTrials, int warmupSteps)
{
    EarlyStoppingOptions o;
    o.rule = "median";
    o.startupTrials = startupTrials;
    o.warmupSteps = warmupSteps;
    return o;
}

EarlyStoppingOptions ashaOptions(int minSteps, int reductionFactor)
{
    EarlyStoppingOptions o;
    o.rule = "asha";
    o.minSteps = minSteps;
    o.reductionFactor = reductionFactor;
    return o;
}

EarlyStoppingOptions hyperbandOptions(int minSteps, int reductionFactor, std::optional<int> maxSteps)
{
    EarlyStoppingOptions o;
    o.rule = "hyperband";
    o.minSteps = minSteps;
    o.reductionFactor = reductionFactor;
    o.maxSteps = maxSteps;
    return o;
}

// Reports the whole curve (steps 1, 2, ...) and ends the trial as completed; no answer may be "stop".
bool completeRun(Pruner& p, TrialKey trial, const std::vector<double>& curve)
{
    bool stopped = false;
    for (std::size_t i = 0; i < curve.size(); ++i)
        stopped = p.report(trial, int(i + 1), curve[i]) || stopped;
    p.end(trial, Pruner::End::Completed);
    return !stopped;
}

// A campaign replayed through a rule: trial 0 alone, then pairs of trials running side by side (the
// even one reporting each step first), each stopped as soon as the rule says so, trial 5 failing at
// step 4. Completed trials end after both of their pair have printed step 9.
struct Event {
    TrialKey trial;
    int step = 0; // 0: the end
    double value = 0.0;
    Pruner::End end = Pruner::End::Completed;
    bool answer = false;
};

double curveValue(TrialKey trial, int step)
{
    // Distinct, crossing curves: a final level plus a decaying part, both varying with the trial.
    const double level = 1.0 + double((trial * 7) % 11) / 10.0;
    const double start = 2.0 + double((trial * 5) % 13) / 6.0;
    return level + start / double(step);
}

std::vector<Event> runCampaign(Pruner& p, int trials)
{
    std::vector<Event> events;
    const auto runGroup = [&](std::vector<TrialKey> group) {
        std::vector<TrialKey> completed;
        for (int step = 1; step <= 9 && !group.empty(); ++step) {
            for (auto it = group.begin(); it != group.end();) {
                const TrialKey t = *it;
                if (t == 5 && step == 4) {
                    p.end(t, Pruner::End::Failed);
                    events.push_back({t, 0, 0.0, Pruner::End::Failed, false});
                    it = group.erase(it);
                    continue;
                }
                const double v = curveValue(t, step);
                const bool stop = p.report(t, step, v);
                events.push_back({t, step, v, Pruner::End::Completed, stop});
                if (stop) {
                    p.end(t, Pruner::End::Pruned);
                    events.push_back({t, 0, 0.0, Pruner::End::Pruned, false});
                    it = group.erase(it);
                    continue;
                }
                if (step == 9)
                    completed.push_back(t);
                ++it;
            }
        }
        for (TrialKey t : completed) {
            p.end(t, Pruner::End::Completed);
            events.push_back({t, 0, 0.0, Pruner::End::Completed, false});
        }
    };
    runGroup({0});
    for (TrialKey t = 1; t + 1 < trials; t += 2)
        runGroup({t, t + 1});
    return events;
}

// What the store would hold after the first cut events: each trial's curve, in trial order.
std::vector<Pruner::Recorded> recordedBefore(const std::vector<Event>& events, std::size_t cut)
{
    std::map<TrialKey, Pruner::Recorded> byTrial;
    for (std::size_t i = 0; i < cut; ++i) {
        const Event& e = events[i];
        Pruner::Recorded& r = byTrial[e.trial];
        r.trial = e.trial;
        if (e.step == 0)
            r.end = e.end;
        else
            r.curve.emplace_back(e.step, e.value);
    }
    std::vector<Pruner::Recorded> out;
    out.reserve(byTrial.size());
    for (auto& [trial, r] : byTrial)
        out.push_back(std::move(r));
    return out;
}

} // namespace

class TestPruner : public QObject {
    Q_OBJECT

private slots:
    void noneMakesNoPruner()
    {
        QVERIFY(!makePruner({}));
        QCOMPARE(earlyStoppingRules(), (std::vector<std::string>{"none", "median", "asha", "hyperband"}));
        for (const auto& rule : earlyStoppingRules()) {
            EarlyStoppingOptions o;
            o.rule = rule;
            QCOMPARE(earlyStoppingProblem(o), std::string());
            auto p = makePruner(o);
            QCOMPARE(bool(p), rule != "none");
            if (p)
                QCOMPARE(std::string(p->name()), rule);
        }
    }

    void medianWaitsForStartupTrials()
    {
        // startup_trials 2. A completes with 1.0 at steps 1 and 2.
        auto p = makePruner(medianOptions(2, 0));
        QVERIFY(completeRun(*p, 1, {1.0, 1.0}));
        // B's 9.0 is worse than A's 1.0, but only one trial has completed: B goes on.
        QVERIFY(!p->report(2, 1, 9.0));
        // C completes with 3.0, 3.0: two completed trials now.
        QVERIFY(completeRun(*p, 3, {3.0, 3.0}));
        // Step 2: median of {1.0, 3.0} = 2.0; B's best 9.0 > 2.0: stop.
        QVERIFY(p->report(2, 2, 9.0));
    }

    void medianNeedsOneCompletedTrialEvenWithoutStartup()
    {
        // startup_trials 0: Optuna still compares against nothing until a trial has completed.
        auto p = makePruner(medianOptions(0, 0));
        QVERIFY(!p->report(1, 1, 1e9));
        QVERIFY(!p->report(1, 2, 1e9));
        QVERIFY(completeRun(*p, 2, {1.0, 1.0, 1.0}));
        QVERIFY(p->report(1, 3, 1e9));
    }

    void medianSkipsWarmupSteps()
    {
        // warmup_steps 2 is Optuna's n_warmup_steps 2: its steps 0 and 1 are ours 1 and 2.
        auto p = makePruner(medianOptions(1, 2));
        QVERIFY(completeRun(*p, 1, {1.0, 1.0, 1.0}));
        QVERIFY(!p->report(2, 1, 5.0)); // 5 > 1, but step 1 <= 2
        QVERIFY(!p->report(2, 2, 5.0)); // step 2 <= 2
        QVERIFY(p->report(2, 3, 5.0));  // step 3: 5 > median 1
    }

    void medianInterpolatesAnEvenCount()
    {
        // Completed values at step 1: 10, 4, 2, 1 (each at most the median before it, so none is told
        // to stop). numpy's median of {1, 2, 4, 10}: (2 + 4) / 2 = 3.
        auto p = makePruner(medianOptions(1, 0));
        QVERIFY(completeRun(*p, 1, {10.0}));
        QVERIFY(completeRun(*p, 2, {4.0}));
        QVERIFY(completeRun(*p, 3, {2.0}));
        QVERIFY(completeRun(*p, 4, {1.0}));
        QVERIFY(!p->report(10, 1, 3.0)); // 3 > 3 is false: equal goes on
        QVERIFY(!p->report(11, 1, 2.9));
        QVERIFY(p->report(12, 1, 3.1));
        // With a fifth value, 0: the median is the middle one of {0, 1, 2, 4, 10}, 2.
        QVERIFY(completeRun(*p, 5, {0.0}));
        QVERIFY(!p->report(13, 1, 1.9));
        QVERIFY(p->report(14, 1, 2.1));
    }

    void medianComparesTheBestValueSoFar()
    {
        // Completed: A 1.0, 3.0; B 1.0, 3.0. Median 1.0 at step 1, 3.0 at step 2.
        auto p = makePruner(medianOptions(1, 0));
        QVERIFY(completeRun(*p, 1, {1.0, 3.0}));
        QVERIFY(completeRun(*p, 2, {1.0, 3.0}));
        // C: 0.5 then 100: its best, 0.5, is below 3.0, so a bad value after a good one does not stop it.
        QVERIFY(!p->report(3, 1, 0.5));
        QVERIFY(!p->report(3, 2, 100.0));
        // D: 2.0 at step 1 (> 1.0): stopped.
        QVERIFY(p->report(4, 1, 2.0));
    }

    void medianIgnoresStepsNoCompletedTrialReached()
    {
        // A completed with steps 1 and 3 only (a step_pattern run); nothing at 2 or 4.
        auto p = makePruner(medianOptions(1, 0));
        QVERIFY(!p->report(1, 1, 1.0));
        QVERIFY(!p->report(1, 3, 1.0));
        p->end(1, Pruner::End::Completed);
        QVERIFY(!p->report(2, 2, 50.0)); // no completed value at step 2: not judged
        QVERIFY(p->report(2, 3, 50.0));  // step 3: 50 > 1
        QVERIFY(!p->report(3, 4, 50.0)); // step 4: nobody completed it
    }

    void medianCountsOnlyCompletedTrials()
    {
        // startup_trials 2. A completes with 1.0; P is pruned at 0.1, F fails at 0.0, R runs at 0.2.
        auto p = makePruner(medianOptions(2, 0));
        QVERIFY(completeRun(*p, 1, {1.0}));
        p->report(2, 1, 0.1);
        p->end(2, Pruner::End::Pruned);
        p->report(3, 1, 0.0);
        p->end(3, Pruner::End::Failed);
        p->report(4, 1, 0.2);
        // One completed trial, less than 2: even 1e9 goes on.
        QVERIFY(!p->report(5, 1, 1e9));
        QVERIFY(completeRun(*p, 6, {1.0}));
        // Median of the completed {1.0, 1.0} = 1.0; 0.5 goes on. Had P, F and R counted, the median of
        // {0.0, 0.1, 0.2, 1.0, 1.0} would be 0.2 and 0.5 would stop.
        QVERIFY(!p->report(7, 1, 0.5));
        QVERIFY(p->report(8, 1, 1.5));
    }

    void medianKeepsTheCurveOfAStoppedTrialThatCompleted()
    {
        // B is told to stop at step 1 but finishes before the cancel lands: its curve counts.
        auto p = makePruner(medianOptions(1, 0));
        QVERIFY(completeRun(*p, 1, {1.0, 1.0}));
        QVERIFY(p->report(2, 1, 5.0));
        QVERIFY(p->report(2, 2, 0.0)); // still stopping
        p->end(2, Pruner::End::Completed);
        // Step 2: median of {1.0, 0.0} = 0.5. C's 0.7 stops; it would not against A alone (1.0).
        QVERIFY(!p->report(3, 1, 0.7)); // step 1: median of {1.0, 5.0} = 3.0
        QVERIFY(p->report(3, 2, 0.7));
    }

    void medianLeavesOutNaNsOfCompletedTrials()
    {
        // B prints NaN at step 2 and is told to stop, but completes. At step 2 the completed values
        // are A's 1.0 and B's NaN: numpy's nanpercentile leaves the NaN out, so the median is 1.0.
        auto p = makePruner(medianOptions(1, 0));
        QVERIFY(completeRun(*p, 1, {2.0, 1.0}));
        QVERIFY(!p->report(2, 1, 2.0));
        QVERIFY(p->report(2, 2, kNaN));
        p->end(2, Pruner::End::Completed);
        QVERIFY(!p->report(3, 1, 1.5)); // step 1: median of {2, 2}
        QVERIFY(p->report(3, 2, 1.5));  // best 1.5 > 1.0
    }

    void ashaPromotesAsynchronouslyOverSeveralRungs()
    {
        // eta 3, min_steps 1: rungs at steps 1, 3, 9. A trial goes on at a rung when its value is at
        // most the (max(n / 3, 1))-th smallest of the n values recorded there, its own included.
        auto p = makePruner(ashaOptions(1, 3));
        // Rung 1, in arrival order:
        QVERIFY(!p->report(1, 1, 5.0)); // {5}: n 1, best 1 -> 5 <= 5 goes on
        QVERIFY(!p->report(2, 1, 3.0)); // {3, 5}: n 2 -> 3 <= 3
        QVERIFY(p->report(3, 1, 4.0));  // {3, 4, 5}: n 3 -> 4 <= 3? stop
        QVERIFY(!p->report(4, 1, 1.0)); // {1, 3, 4, 5} -> 1 <= 1
        QVERIFY(p->report(5, 1, 2.0));  // {1, 2, 3, 4, 5}: n 5 -> 2 <= 1? stop
        QVERIFY(!p->report(6, 1, 2.0)); // {1, 2, 2, 3, 4, 5}: n 6, second smallest 2 -> 2 <= 2
        // Step 2 is no rung.
        QVERIFY(!p->report(1, 2, 40.0));
        QVERIFY(!p->report(2, 2, 40.0));
        // Rung 3:
        QVERIFY(!p->report(1, 3, 3.5)); // {3.5}
        QVERIFY(!p->report(2, 3, 2.0)); // {2, 3.5} -> 2 <= 2
        QVERIFY(!p->report(4, 2, 9.0));
        QVERIFY(p->report(4, 3, 3.0));  // {2, 3, 3.5} -> 3 <= 2? stop
        QVERIFY(!p->report(6, 3, 1.0)); // {1, 2, 3, 3.5} -> 1 <= 1
        // Rung 9:
        for (int step = 4; step < 9; ++step) {
            QVERIFY(!p->report(2, step, 1.5));
            QVERIFY(!p->report(6, step, 0.5));
            QVERIFY(!p->report(1, step, 1.0));
        }
        QVERIFY(!p->report(2, 9, 1.5)); // {1.5}
        QVERIFY(!p->report(6, 9, 0.5)); // {0.5, 1.5}
        QVERIFY(p->report(1, 9, 1.0));  // {0.5, 1, 1.5} -> 1 <= 0.5? stop
        // A late trial printing steps 1 and 10 only: step 1 against the seven values recorded there,
        // stopped trials' included: {0.8, 1, 2, 2, 3, 4, 5}: n 7, second smallest 1 -> 0.8 goes on.
        QVERIFY(!p->report(7, 1, 0.8));
        // Step 10 passed rungs 3 and 9: checked at each in turn with 0.7. Rung 3: {0.7, 1, 2, 3, 3.5}
        // -> 0.7 <= 0.7 goes on; rung 9: {0.5, 0.7, 1, 1.5} -> 0.7 <= 0.5? stop.
        QVERIFY(p->report(7, 10, 0.7));
        // Another late one at rung 1: {0.8, 1, 1, 2, 2, 3, 4, 5}: n 8, second smallest 1 -> 1 <= 1.
        QVERIFY(!p->report(8, 1, 1.0));
        // And a third: {0.8, 1, 1, 1.2, 2, 2, 3, 4, 5}: n 9, third smallest 1 -> 1.2 <= 1? stop.
        QVERIFY(p->report(9, 1, 1.2));
    }

    void ashaKeepsTheValuesOfEndedTrials()
    {
        // eta 2. A records 1.0 at rung 1 and is pruned; B's 2.0 still competes against it.
        auto p = makePruner(ashaOptions(1, 2));
        QVERIFY(!p->report(1, 1, 1.0));
        p->end(1, Pruner::End::Pruned);
        QVERIFY(p->report(2, 1, 2.0)); // {1, 2}: n 2, best 1 -> 2 <= 1? stop
    }

    void ashaWaitsForTheFirstRung()
    {
        // min_steps 3, eta 2: rungs at 3, 6, 12. Nothing is judged before step 3.
        auto p = makePruner(ashaOptions(3, 2));
        QVERIFY(!p->report(1, 3, 1.0));
        QVERIFY(!p->report(2, 1, 100.0));
        QVERIFY(!p->report(2, 2, 100.0));
        QVERIFY(p->report(2, 3, 100.0)); // {1, 100} -> stop
        QVERIFY(!p->report(1, 5, 1.0));
        QVERIFY(!p->report(1, 6, 1.0)); // rung 6: {1}
    }

    void hyperbandComparesWithinABracket()
    {
        // min_steps 1, eta 3, max_steps 3: floor(log3(3 / 1)) + 1 = 2 brackets. Bracket 0's rungs are at
        // 1, 3, 9...; bracket 1's at 3, 9... Budgets: s = 1: ceil(2 * 3 / 2) = 3; s = 0: ceil(2 * 1 / 1)
        // = 2; total 5. Weighted round robin (3, 2): credits (3, 2) -> 0, (-2, 2); (1, 4) -> 1, (1, -1);
        // (4, 1) -> 0, (-1, 1); (2, 3) -> 1, (2, -2); (5, 0) -> 0, (0, 0). Trials 0..4 go to brackets
        // 0, 1, 0, 1, 0, and trial n to that of n mod 5.
        auto p = makePruner(hyperbandOptions(1, 3, 3));
        QVERIFY(!p->report(0, 1, 1.0)); // bracket 0, rung 1: {1}
        QVERIFY(!p->report(1, 1, 5.0)); // bracket 1: no rung at 1 (in bracket 0 it would stop)
        QVERIFY(p->report(2, 1, 4.0));  // bracket 0: {1, 4} -> stop
        QVERIFY(!p->report(3, 1, 0.5)); // bracket 1: not judged
        QVERIFY(!p->report(4, 1, 0.9)); // bracket 0: {0.9, 1, 4}: 0.9 <= 0.9; had 0.5 counted, a stop
        QVERIFY(!p->report(0, 2, 0.2));
        QVERIFY(!p->report(0, 3, 0.2)); // bracket 0, rung 3: {0.2}
        QVERIFY(!p->report(1, 2, 5.0));
        QVERIFY(!p->report(1, 3, 5.0)); // bracket 1, rung 3: {5}; against bracket 0's 0.2 it would stop
        QVERIFY(!p->report(3, 2, 6.0));
        QVERIFY(p->report(3, 3, 6.0));  // bracket 1: {5, 6} -> stop
        QVERIFY(p->report(5, 1, 2.0));  // 5 mod 5 = 0, bracket 0: {0.9, 1, 2, 4}: n 4 -> 2 <= 0.9? stop
        QVERIFY(!p->report(6, 1, 9.0)); // bracket 1
    }

    void hyperbandBreaksRoundRobinTiesTowardsTheFirstBracket()
    {
        // eta 2, max_steps 2: brackets 0 (rungs at 1, 2, 4...) and 1 (rungs at 2, 4...), budgets
        // ceil(2 * 2 / 2) = 2 and ceil(2 * 1 / 1) = 2. Credits (2, 2): a tie, bracket 0 first, (-2, 2);
        // (0, 4) -> 1, (0, 0). Trials 0, 2 in bracket 0; 1, 3 in bracket 1.
        auto p = makePruner(hyperbandOptions(1, 2, 2));
        QVERIFY(!p->report(0, 1, 1.0)); // {1}
        QVERIFY(!p->report(1, 1, 0.0)); // bracket 1: no rung at 1
        QVERIFY(!p->report(3, 1, 5.0));
        QVERIFY(p->report(2, 1, 2.0)); // {1, 2}: n 2, best 1 -> stop
    }

    void hyperbandLearnsMaxStepsFromTheFirstCompletedTrial()
    {
        // min_steps 1, eta 3, max_steps unset. Until a trial completes nothing is stopped but NaN, and
        // nothing is recorded at the rungs (Optuna's HyperbandPruner only starts its brackets then).
        auto p = makePruner(hyperbandOptions(1, 3, std::nullopt));
        QVERIFY(!p->report(2, 1, 7.0));
        QVERIFY(!p->report(1, 1, 100.0));
        QVERIFY(p->report(9, 1, kNaN));
        p->end(7, Pruner::End::Completed); // printed nothing: says nothing about the length
        // Trial 0 completes with 3 steps: max_steps 3, two brackets, trials n mod 5 = 0, 2, 4 in
        // bracket 0 and 1, 3 in bracket 1 (as in hyperbandComparesWithinABracket).
        QVERIFY(completeRun(*p, 0, {1.0, 1.0, 1.0}));
        // Trial 2 (bracket 0) now checked at rung 1 with its current value: {7}, alone, goes on.
        QVERIFY(!p->report(2, 2, 7.0));
        // Trial 6 (bracket 1): rung 3: {9}. Trial 8 (bracket 1): {9, 10} -> stop at 3. With max_steps 9
        // (three brackets, cycle 0 1 0 2 0 1 0 2 0 ...), 6 and 8 would be in bracket 0 and 6 would stop
        // at step 1 against trial 2's 7.
        QVERIFY(!p->report(6, 1, 9.0));
        QVERIFY(!p->report(6, 2, 9.0));
        QVERIFY(!p->report(6, 3, 9.0));
        QVERIFY(!p->report(8, 1, 10.0));
        QVERIFY(!p->report(8, 2, 10.0));
        QVERIFY(p->report(8, 3, 10.0));
        // Trial 4 (bracket 0) at rung 1: {7, 8} -> stop.
        QVERIFY(p->report(4, 1, 8.0));
    }

    void hyperbandWithMoreBrackets()
    {
        // max_steps 9: 3 brackets, budgets s = 2: ceil(3 * 9 / 3) = 9, s = 1: ceil(3 * 3 / 2) = 5,
        // s = 0: 3; total 17. Round robin (9, 5, 3): credits (9,5,3) -> 0; (1,10,6) -> 1; (10,-2,9) -> 0;
        // (2,3,12) -> 2; so trials 0..3 go to brackets 0, 1, 0, 2.
        auto p = makePruner(hyperbandOptions(1, 3, 9));
        for (int step = 1; step <= 8; ++step)
            QVERIFY(!p->report(3, step, 100.0)); // bracket 2: first rung at 9
        QVERIFY(!p->report(3, 9, 100.0));        // {100}
        for (int step = 1; step <= 2; ++step)
            QVERIFY(!p->report(1, step, 50.0)); // bracket 1: first rung at 3
        QVERIFY(!p->report(1, 3, 50.0));        // {50}
        QVERIFY(!p->report(0, 1, 1.0));         // bracket 0: {1}
        QVERIFY(p->report(2, 1, 1.5));          // bracket 0: {1, 1.5} -> stop
    }

    void nanAlwaysStops()
    {
        for (const auto& options : {medianOptions(5, 10), ashaOptions(3, 3), hyperbandOptions(1, 3, std::nullopt)}) {
            auto p = makePruner(options);
            QVERIFY2(!p->report(1, 1, 1.0), options.rule.c_str());
            QVERIFY2(p->report(1, 2, kNaN), options.rule.c_str());
            QVERIFY2(p->report(1, 3, 1.0), options.rule.c_str()); // and goes on stopping
        }
        // A NaN is not recorded at the rung: B's 5.0 is then alone there.
        auto p = makePruner(ashaOptions(1, 2));
        QVERIFY(p->report(1, 1, kNaN));
        QVERIFY(!p->report(2, 1, 5.0));
    }

    void repeatedAndSmallerStepsAreIgnored()
    {
        auto p = makePruner(medianOptions(1, 0));
        QVERIFY(!p->report(1, 1, 1.0));
        QVERIFY(!p->report(1, 1, 100.0)); // ignored: not in A's curve
        QVERIFY(!p->report(1, 0, kNaN));  // ignored, even a NaN
        QVERIFY(!p->report(1, 2, 1.0));
        QVERIFY(!p->report(1, 1, kNaN));
        p->end(1, Pruner::End::Completed);
        // Step 1: median of A's {1.0} (with the ignored 100, {1, 100} -> 50.5, and 50 would go on).
        QVERIFY(p->report(2, 1, 50.0));
        QVERIFY(p->report(2, 1, 0.0)); // a repeated step gives the previous answer
        QVERIFY(p->report(2, 2, 0.0)); // once stopped, always stopped
        // A trial's first step must be at least 1.
        QVERIFY(!p->report(3, 0, 1e9));
        QVERIFY(!p->report(3, -4, kNaN));
    }

    void restoreDecidesLikeTheUninterruptedRun_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<int>("cut"); // per mille of the events
        for (const char* rule : {"median", "asha", "hyperband", "hyperband-auto"}) {
            for (int cut : {150, 400, 555, 700, 910})
                QTest::addRow("%s/%d", rule, cut) << QString::fromLatin1(rule) << cut;
        }
    }
    void restoreDecidesLikeTheUninterruptedRun()
    {
        QFETCH(QString, rule);
        QFETCH(int, cut);
        EarlyStoppingOptions options;
        if (rule == u"median")
            options = medianOptions(2, 1);
        else if (rule == u"asha")
            options = ashaOptions(1, 3);
        else
            options = hyperbandOptions(1, 3, rule == u"hyperband" ? std::optional<int>(9) : std::nullopt);

        auto uninterrupted = makePruner(options);
        const std::vector<Event> events = runCampaign(*uninterrupted, 25);
        const std::size_t cutAt = events.size() * std::size_t(cut) / 1000;

        auto resumed = makePruner(options);
        resumed->restore(recordedBefore(events, cutAt));
        int stopsAfterCut = 0;
        for (std::size_t i = cutAt; i < events.size(); ++i) {
            const Event& e = events[i];
            if (e.step == 0) {
                resumed->end(e.trial, e.end);
                continue;
            }
            const bool answer = resumed->report(e.trial, e.step, e.value);
            QVERIFY2(
                answer == e.answer,
                qPrintable(
                    u"trial %1 step %2: %3 after restore, %4 uninterrupted"_s.arg(e.trial).arg(e.step).arg(answer).arg(
                        e.answer)));
            stopsAfterCut += answer ? 1 : 0;
        }
        QVERIFY(stopsAfterCut > 0); // the state restored mattered
    }

    void restoreDoesNotActOnDecisions()
    {
        // A trial the store says was pruned stays pruned; one still running that the replay stops
        // keeps being stopped on its next value.
        auto p = makePruner(ashaOptions(1, 2));
        p->restore(
            {{1, {{1, 1.0}}, Pruner::End::Completed}, {2, {{1, 2.0}}, Pruner::End::Pruned}, {3, {{1, 3.0}}, {}}});
        QVERIFY(p->report(3, 2, 0.0));
        // Trial 2's 2.0 is still recorded at rung 1: {1, 2, 3, 1.5}: n 4, second smallest 1.5 -> goes on.
        QVERIFY(!p->report(4, 1, 1.5));
    }

    void problemsNameTheKey_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("problem");
        QTest::newRow("min_steps 0") << u"min_steps"_s << 0 << u"min_steps must be at least 1"_s;
        QTest::newRow("min_steps big") << u"min_steps"_s << 1000001 << u"min_steps must be at most 1000000"_s;
        QTest::newRow("reduction_factor 1") << u"reduction_factor"_s << 1 << u"reduction_factor must be at least 2"_s;
        QTest::newRow("reduction_factor big")
            << u"reduction_factor"_s << 101 << u"reduction_factor must be at most 100"_s;
        QTest::newRow("startup_trials -1") << u"startup_trials"_s << -1 << u"startup_trials must be at least 0"_s;
        QTest::newRow("startup_trials big")
            << u"startup_trials"_s << 1000001 << u"startup_trials must be at most 1000000"_s;
        QTest::newRow("warmup_steps -1") << u"warmup_steps"_s << -1 << u"warmup_steps must be at least 0"_s;
        QTest::newRow("warmup_steps big") << u"warmup_steps"_s << 1000001 << u"warmup_steps must be at most 1000000"_s;
        // min_steps 1 and reduction_factor 3 by default
        QTest::newRow("max_steps short") << u"max_steps"_s << 2
                                         << u"max_steps must be at least min_steps * reduction_factor (3)"_s;
        QTest::newRow("max_steps big") << u"max_steps"_s << 10000001 << u"max_steps must be at most 10000000"_s;
        QTest::newRow("max_steps negative")
            << u"max_steps"_s << -3 << u"max_steps must be at least min_steps * reduction_factor (3)"_s;
        QTest::newRow("min_steps ok") << u"min_steps"_s << 1000000 << u""_s;
        QTest::newRow("reduction_factor ok") << u"reduction_factor"_s << 100 << u""_s;
        QTest::newRow("startup_trials ok") << u"startup_trials"_s << 0 << u""_s;
        QTest::newRow("warmup_steps ok") << u"warmup_steps"_s << 1000000 << u""_s;
        QTest::newRow("max_steps lowest") << u"max_steps"_s << 3 << u""_s;
        QTest::newRow("max_steps highest") << u"max_steps"_s << 10000000 << u""_s;
    }
    void problemsNameTheKey()
    {
        QFETCH(QString, field);
        QFETCH(int, value);
        QFETCH(QString, problem);
        EarlyStoppingOptions o;
        o.rule = "hyperband";
        if (field == u"min_steps")
            o.minSteps = value;
        else if (field == u"reduction_factor")
            o.reductionFactor = value;
        else if (field == u"startup_trials")
            o.startupTrials = value;
        else if (field == u"warmup_steps")
            o.warmupSteps = value;
        else
            o.maxSteps = value;
        QCOMPARE(QString::fromStdString(earlyStoppingProblem(o)), problem);
    }

    void maxStepsFollowsTheOtherOptions()
    {
        EarlyStoppingOptions o = hyperbandOptions(4, 5, 19);
        QCOMPARE(earlyStoppingProblem(o), std::string("max_steps must be at least min_steps * reduction_factor (20)"));
        o.maxSteps = 20;
        QCOMPARE(earlyStoppingProblem(o), std::string());
        // The largest factors do not overflow.
        o = hyperbandOptions(1000000, 100, 10000000);
        QCOMPARE(earlyStoppingProblem(o),
                 std::string("max_steps must be at least min_steps * reduction_factor (100000000)"));
    }

    void badRules()
    {
        for (const char* rule : {"", "Median", "asha ", "successive_halving", "percentile"}) {
            EarlyStoppingOptions o;
            o.rule = rule;
            QCOMPARE(QString::fromStdString(earlyStoppingProblem(o)),
                     u"rule \"%1\" is not one of none, median, asha, hyperband"_s.arg(QString::fromLatin1(rule)));
            QVERIFY(!makePruner(o));
        }
    }
};

QTEST_GUILESS_MAIN(TestPruner)
#include "tst_pruner.moc"
