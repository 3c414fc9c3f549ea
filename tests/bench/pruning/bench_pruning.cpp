// Benchmark (not a test): replays learning-curve tables made from real training runs through the
// loop the engine runs with early stopping, for every rule, side by side with Optuna's pruners and
// TPE sampler (replayed by optuna_pruning_replay.py). Run it through tests/bench/pruning/run.
//
//   bench_pruning [--tables DIR] [--optuna FILE.json] [--runs 10] [--parallel 8] [--max-trials 100]
//                 [--cap 400] [--strategies tpe,random] [--rules a,b,...] [--verbose] [--diagnose]
//   --diagnose: instead of the comparison, where TPE's compute to quality goes per rule (no Optuna needed)
//
// The loop (the same in optuna_pruning_replay.py): P job slots, filled at once whenever one frees;
// a job prints its steps at the seconds its table row recorded; every printed value goes to the
// rule (Pruner::report), in simulated time order across all running jobs; a stopped job frees its
// slot at that moment and the strategy is told Outcome::prunedAt(step, value). The last step's
// value ends the job as it is printed (it is reported, and the trial is done whatever the answer);
// a nan loss fails the job at that step. Budget: max_trials trials proposed, pruned and failed
// ones included. Compute: the sum of the seconds of every step run; wall: when the last job ended;
// best: the best final loss over the trials that ran to their last step.
//
// Two framings. Fixed budget: every method gets max_trials trials and is judged on compute and best
// final loss. Compute to quality (the ASHA / Hyperband papers' measure): every method runs with TPE
// up to --cap trials, and is judged on the compute and wall time it took until a completed trial
// first reached a quality target: within 1% of the mean over seeds of no early stopping's best final
// loss at the budget, and within 1% of the grid's optimum. Compute at that moment counts every step
// run plus the elapsed part of the running jobs' current steps.
#include "tuning/pruner.h"
#include "tuning/strategy.h"
#include "tuning/tpe.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace sweepline::tuning;
namespace fs = std::filesystem;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kQuality = 0.01; // "within 1%": of the best final loss
constexpr double kSaving = 3.0;   // the compute target against no early stopping

// ---------------------------------------------------------------------------------------------
// Tables: parameter columns, loss_1..loss_N, seconds_1..seconds_N (scripts/make-curve-tables)

struct CurveTable {
    std::string name;
    std::vector<Dimension> dims;
    std::vector<std::vector<double>> loss;    // by rank, per step; shorter when the run failed (last is NaN)
    std::vector<std::vector<double>> seconds; // by rank, per step run
    int steps = 0;
    double optimum = kInf; // best final loss of the whole grid
};

std::vector<std::string> fieldsOf(const std::string& line)
{
    std::vector<std::string> out(1);
    for (char c : line) {
        if (c == ',')
            out.emplace_back();
        else if (c != '\r')
            out.back() += c;
    }
    return out;
}

std::optional<double> parseNumber(const std::string& text)
{
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
        return std::nullopt;
    return v;
}

// Evenly spaced in log rather than in value: the spread of the gaps, relative to their mean.
double gapSpread(const std::vector<double>& x)
{
    double sum = 0.0, squares = 0.0;
    for (std::size_t i = 1; i < x.size(); ++i) {
        sum += x[i] - x[i - 1];
        squares += (x[i] - x[i - 1]) * (x[i] - x[i - 1]);
    }
    const double n = double(x.size() - 1), mean = sum / n;
    return std::sqrt(std::max(0.0, squares / n - mean * mean)) / std::abs(mean);
}

// A numeric column is an ordinal dimension (distinct values ascending, log-scaled when they are more
// evenly spaced in log), a text one categorical (choices in order of first appearance): the rules
// of bench_search, which optuna_pruning_replay.py follows too.
Dimension dimensionOf(const std::string& name, const std::vector<std::string>& cells,
                      std::map<std::string, std::size_t>& indexOf)
{
    Dimension d;
    d.name = name;
    const bool numeric = std::all_of(cells.begin(), cells.end(), [](const auto& s) { return parseNumber(s); });
    if (!numeric) {
        d.kind = DimensionKind::Categorical;
        for (const auto& s : cells)
            indexOf.emplace(s, indexOf.size());
        d.size = indexOf.size();
        return d;
    }
    std::set<double> distinct;
    for (const auto& s : cells)
        distinct.insert(*parseNumber(s));
    d.kind = DimensionKind::Ordinal;
    d.numericValues.assign(distinct.begin(), distinct.end());
    d.size = d.numericValues.size();
    for (const auto& s : cells)
        indexOf[s] = std::size_t(std::distance(distinct.begin(), distinct.find(*parseNumber(s))));
    if (d.size >= 3 && d.numericValues.front() > 0.0) {
        std::vector<double> logs;
        for (double v : d.numericValues)
            logs.push_back(std::log10(v));
        d.logScale = gapSpread(logs) < gapSpread(d.numericValues);
    }
    return d;
}

CurveTable loadCurves(const fs::path& path)
{
    std::ifstream in(path);
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        if (line.find_first_not_of('\r') != std::string::npos) // fieldsOf drops the '\r' of CRLF
            rows.push_back(fieldsOf(line));
    }
    if (rows.size() < 2)
        throw std::runtime_error(path.string() + ": no rows");
    const auto& header = rows[0];
    std::vector<std::size_t> params, lossCols, timeCols;
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (header[c].rfind("loss_", 0) == 0)
            lossCols.push_back(c);
        else if (header[c].rfind("seconds_", 0) == 0)
            timeCols.push_back(c);
        else
            params.push_back(c);
    }
    if (lossCols.empty() || lossCols.size() != timeCols.size())
        throw std::runtime_error(path.string() + ": needs as many loss_N as seconds_N columns");

    CurveTable t;
    t.name = path.stem().string();
    t.steps = int(lossCols.size());
    std::vector<std::map<std::string, std::size_t>> indexOf(params.size());
    for (std::size_t k = 0; k < params.size(); ++k) {
        std::vector<std::string> cells;
        for (std::size_t r = 1; r < rows.size(); ++r)
            cells.push_back(rows[r].at(params[k]));
        t.dims.push_back(dimensionOf(header[params[k]], cells, indexOf[k]));
    }
    const SearchSpace space(t.dims);
    const std::uint64_t size = *space.cardinality();
    t.loss.resize(size);
    t.seconds.resize(size);
    std::vector<bool> seen(size, false);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        Point p;
        for (std::size_t k = 0; k < params.size(); ++k)
            p.push_back(indexOf[k].at(rows[r].at(params[k])));
        const auto rank = space.rank(p);
        seen[rank] = true;
        for (std::size_t s = 0; s < lossCols.size(); ++s) {
            const auto loss = parseNumber(rows[r].at(lossCols[s]));
            const auto secs = parseNumber(rows[r].at(timeCols[s]));
            if (!loss || !secs)
                break; // the run failed at the step before
            t.loss[rank].push_back(std::isfinite(*loss) ? *loss : std::nan(""));
            t.seconds[rank].push_back(*secs);
        }
        if (t.loss[rank].empty() || (int(t.loss[rank].size()) < t.steps && !std::isnan(t.loss[rank].back())))
            throw std::runtime_error(path.string() + ": row " + std::to_string(r) + " stops without failing");
        if (int(t.loss[rank].size()) == t.steps && !std::isnan(t.loss[rank].back()))
            t.optimum = std::min(t.optimum, t.loss[rank].back());
    }
    if (std::find(seen.begin(), seen.end(), false) != seen.end())
        throw std::runtime_error(path.string() + ": the grid is not complete");
    return t;
}

// ---------------------------------------------------------------------------------------------
// The simulated-time loop

// The moment a completed trial beat the best final loss so far.
struct Improvement {
    double value = kInf;
    double compute = 0.0; // every step run, plus the elapsed part of the running jobs' current steps
    double wall = 0.0;
};

struct RunResult {
    std::vector<Improvement> improvements;
    double compute = 0.0;
    double wall = 0.0;
    double best = kInf; // over the trials that ran to their last step
    std::size_t trials = 0, completed = 0, pruned = 0, failed = 0;
    std::vector<int> prunedSteps;
};

// Where a run's compute went, against a quality threshold (--diagnose): when the first point within it
// was proposed, what became of it, and what the strategy's good group held then.
struct Diagnosis {
    double threshold = kInf;
    TpeOptions tpe;                      // the strategy's, for its good group
    std::vector<double> finalPercentile; // by rank: the share of the grid with a better final loss
    std::size_t proposedAt = 0;          // 1-based trial number of the first target point; 0: never
    double computeAtProposal = 0.0;      // compute run when it was proposed
    int fate = 0;                        // 0 never proposed or still running, -1 completed, else the pruned step
    bool reached = false;
    double computePruned = 0.0, computeCompleted = 0.0; // until the target was reached (or the end)
    std::size_t trialsAtReach = 0, prunedAtReach = 0;
    // The good group (tpeGoodGroup over the trials told so far) when trial 50 was proposed: its size,
    // how many were pruned, and its members' mean final-loss percentile in the grid.
    std::size_t goodSize = 0, goodPruned = 0;
    double goodPercentile = 0.0;
    double goodCompletedPercentile = kInf, goodPrunedPercentile = kInf; // the same, per kind (inf: none of it)
    double proposalPercentile = 0.0; // mean final-loss percentile of trials 11..100 as proposed
};

RunResult simulate(Strategy& strategy, Pruner* pruner, const CurveTable& t, std::size_t slots, std::size_t maxTrials,
                   Diagnosis* diag = nullptr)
{
    const SearchSpace space(t.dims);
    struct Job {
        Point point;
        std::size_t rank;
        int step;         // the next step it prints, from 1
        double stepStart; // when it began that step
        bool running;
        double spent = 0.0;
        int end = 0; // 0 running, -1 completed, -2 failed, else the pruned step
    };
    std::vector<std::pair<std::size_t, TpeObservation>> told; // for the diagnosis: job, as TPE models it
    double proposalPercentiles = 0.0;
    std::size_t proposalsCounted = 0;
    struct Event {
        double time;
        std::size_t sequence;
        std::size_t job;
        bool operator>(const Event& o) const { return std::tie(time, sequence) > std::tie(o.time, o.sequence); }
    };
    std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
    std::vector<Job> jobs;
    std::size_t sequence = 0, running = 0;
    double now = 0.0;
    RunResult r;

    auto schedule = [&](std::size_t j) {
        Job& job = jobs[j];
        job.stepStart = now;
        events.push({now + t.seconds[job.rank][std::size_t(job.step - 1)], sequence++, j});
    };
    auto fill = [&] {
        while (running < slots && jobs.size() < maxTrials && !strategy.exhausted()) {
            const auto proposals = strategy.ask(std::min(slots - running, maxTrials - jobs.size()));
            if (proposals.empty())
                return; // the strategy waits for results
            for (const auto& p : proposals) {
                jobs.push_back({p.point, std::size_t(space.rank(p.point)), 1, now, true});
                if (diag) {
                    const std::size_t rank = jobs.back().rank, number = jobs.size();
                    const auto& curve = t.loss[rank];
                    if (!diag->proposedAt && int(curve.size()) == t.steps && curve.back() <= diag->threshold) {
                        diag->proposedAt = number;
                        diag->computeAtProposal = r.compute;
                    }
                    if (number > 10 && number <= 100) {
                        proposalPercentiles += diag->finalPercentile[rank];
                        ++proposalsCounted;
                    }
                    if (number == 50) {
                        std::vector<TpeObservation> observations;
                        observations.reserve(told.size());
                        for (const auto& [job, o] : told)
                            observations.push_back(o);
                        const auto good = tpeGoodGroup(observations, TpeOptions{});
                        diag->goodSize = good.size();
                        double ofCompleted = 0.0, ofPruned = 0.0;
                        for (std::size_t g : good) {
                            const double pct = diag->finalPercentile[jobs[told[g].first].rank];
                            diag->goodPruned += observations[g].pruned ? 1 : 0;
                            (observations[g].pruned ? ofPruned : ofCompleted) += pct;
                        }
                        if (!good.empty())
                            diag->goodPercentile = (ofCompleted + ofPruned) / double(good.size());
                        if (diag->goodPruned > 0)
                            diag->goodPrunedPercentile = ofPruned / double(diag->goodPruned);
                        if (diag->goodPruned < good.size())
                            diag->goodCompletedPercentile = ofCompleted / double(good.size() - diag->goodPruned);
                    }
                }
                ++running;
                schedule(jobs.size() - 1);
            }
        }
    };

    fill();
    while (!events.empty()) {
        const Event e = events.top();
        events.pop();
        now = e.time;
        Job& job = jobs[e.job];
        const auto key = TrialKey(e.job + 1);
        const std::size_t i = std::size_t(job.step - 1);
        const double value = t.loss[job.rank][i];
        r.compute += t.seconds[job.rank][i];
        job.spent += t.seconds[job.rank][i];
        bool ended = true;
        if (std::isnan(value)) {
            if (pruner)
                pruner->end(key, Pruner::End::Failed);
            strategy.tell(job.point, Outcome::failure());
            ++r.failed;
            job.end = -2;
        } else if (job.step == t.steps) {
            job.end = -1;
            told.push_back({e.job, {value, false, 0}});
            if (diag && !diag->reached && value <= diag->threshold) {
                diag->reached = true;
                diag->trialsAtReach = jobs.size();
                for (const Job& other : jobs) {
                    diag->prunedAtReach += other.end > 0 ? 1 : 0;
                    (other.end > 0 ? diag->computePruned : diag->computeCompleted) += other.spent;
                }
            }
            if (pruner) {
                pruner->report(key, job.step, value); // the job has ended as it printed this
                pruner->end(key, Pruner::End::Completed);
            }
            strategy.tell(job.point, Outcome::success(value));
            ++r.completed;
            if (value < r.best) {
                double computeNow = r.compute;
                for (std::size_t other = 0; other < jobs.size(); ++other) {
                    if (other != e.job && jobs[other].running)
                        computeNow += now - jobs[other].stepStart;
                }
                r.improvements.push_back({value, computeNow, now});
            }
            r.best = std::min(r.best, value);
        } else if (pruner && pruner->report(key, job.step, value)) {
            pruner->end(key, Pruner::End::Pruned);
            strategy.tell(job.point, Outcome::prunedAt(job.step, value));
            told.push_back({e.job, {value, true, job.step}});
            job.end = job.step;
            ++r.pruned;
            r.prunedSteps.push_back(job.step);
        } else {
            ++job.step;
            schedule(e.job);
            ended = false;
        }
        if (ended) {
            job.running = false;
            --running;
            fill();
        }
    }
    r.wall = now;
    r.trials = jobs.size();
    if (diag) {
        if (diag->proposedAt)
            diag->fate = jobs[diag->proposedAt - 1].end;
        if (!diag->reached) {
            diag->trialsAtReach = jobs.size();
            for (const Job& other : jobs) {
                diag->prunedAtReach += other.end > 0 ? 1 : 0;
                (other.end > 0 ? diag->computePruned : diag->computeCompleted) += other.spent;
            }
        }
        diag->proposalPercentile = proposalsCounted ? proposalPercentiles / double(proposalsCounted) : 0.0;
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Rules, summaries

struct Rule {
    std::string label;
    EarlyStoppingOptions options;
    std::string note;
};

std::vector<Rule> ourRules()
{
    auto rule = [](std::string name, int a, int b) {
        EarlyStoppingOptions o;
        o.rule = std::move(name);
        if (o.rule == "median") {
            o.startupTrials = a;
            o.warmupSteps = b;
        } else {
            o.minSteps = a;
            o.reductionFactor = b;
        }
        return o;
    };
    return {
        {"none", rule("none", 0, 0), "no early stopping: the baseline"},
        {"median", rule("median", 5, 0), "startup_trials 5, warmup_steps 0 (= Optuna's MedianPruner defaults)"},
        {"asha-1-3", rule("asha", 1, 3), "min_steps 1, reduction_factor 3 (= optuna-sha-1-3)"},
        {"asha-3-3", rule("asha", 3, 3), "min_steps 3, reduction_factor 3, the issue's example (= optuna-sha-3-3)"},
        {"asha-1-4", rule("asha", 1, 4), "min_steps 1, reduction_factor 4 (Optuna SHA's default factor)"},
        {"hyperband-1-3", rule("hyperband", 1, 3),
         "min_steps 1, reduction_factor 3, max_steps auto (= optuna-hyperband, Optuna's defaults)"},
    };
}

struct Summary {
    std::vector<RunResult> runs;
    double mean(double RunResult::*field) const
    {
        double sum = 0.0;
        for (const auto& r : runs)
            sum += r.*field;
        return sum / double(runs.size());
    }
    double meanCount(std::size_t RunResult::*field) const
    {
        double sum = 0.0;
        for (const auto& r : runs)
            sum += double(r.*field);
        return sum / double(runs.size());
    }
    double compute() const { return mean(&RunResult::compute); }
    double wall() const { return mean(&RunResult::wall); }
    double best() const { return mean(&RunResult::best); } // infinite when a run completed nothing
};

RunResult fromJson(const nlohmann::json& j)
{
    RunResult r;
    r.compute = j.at("compute").get<double>();
    r.wall = j.at("wall").get<double>();
    r.best = j.at("best").is_null() ? kInf : j.at("best").get<double>();
    r.trials = j.at("trials").get<std::size_t>();
    r.completed = j.at("completed").get<std::size_t>();
    r.pruned = j.at("pruned").get<std::size_t>();
    r.failed = j.at("failed").get<std::size_t>();
    r.prunedSteps = j.at("pruned_steps").get<std::vector<int>>();
    for (const auto& i : j.at("improvements"))
        r.improvements.push_back({i.at(0).get<double>(), i.at(1).get<double>(), i.at(2).get<double>()});
    return r;
}

// Proposes a recorded sequence of points, in order, whatever it is told: to replay the trials an
// Optuna run asked for through our rule, so that the two rules' decisions can be compared one by one.
class RecordedOrder final : public Strategy {
public:
    explicit RecordedOrder(std::vector<Point> points) : m_points(std::move(points)) {}
    std::string_view name() const override { return "recorded"; }
    std::vector<Proposal> ask(std::size_t maxCount) override
    {
        std::vector<Proposal> out;
        while (out.size() < maxCount && m_next < m_points.size())
            out.push_back({m_points[m_next++], {}});
        return out;
    }
    void tell(const Point&, const Outcome&) override {}
    bool exhausted() const override { return m_next == m_points.size(); }
    void restore(const std::vector<HistoryEntry>&) override {}

private:
    std::vector<Point> m_points;
    std::size_t m_next = 0;
};

// The same improvements of the best final loss, at the same compute and wall time: the two sides'
// compute-to-quality accounting agrees when their decisions do.
bool sameImprovements(const RunResult& a, const RunResult& b)
{
    auto close = [](double x, double y) { return std::abs(x - y) <= 1e-9 * std::max(1.0, std::abs(y)); };
    return a.improvements.size() == b.improvements.size()
        && std::equal(a.improvements.begin(), a.improvements.end(), b.improvements.begin(),
                      [&](const Improvement& x, const Improvement& y) {
                          return x.value == y.value && close(x.compute, y.compute) && close(x.wall, y.wall);
                      });
}

// Our rule against Optuna's, decision by decision: each Optuna run's trials replayed in its order
// through our rule. The same semantics give the same pruned steps, in the same order, and the same
// improvements at the same compute and wall time.
void checkAgreement(const CurveTable& t, const std::vector<Rule>& rules, const nlohmann::json& runs,
                    const std::string& ours, const std::string& theirs, std::size_t slots, std::size_t maxTrials)
{
    const auto rule = std::find_if(rules.begin(), rules.end(), [&](const Rule& r) { return r.label == ours; });
    if (rule == rules.end() || !runs.contains(theirs))
        return;
    std::size_t same = 0, sameTiming = 0, total = 0;
    for (const auto& j : runs.at(theirs)) {
        RecordedOrder order(j.at("points").get<std::vector<Point>>());
        const auto pruner = makePruner(rule->options);
        const RunResult mine = simulate(order, pruner.get(), t, slots, maxTrials);
        const RunResult optuna = fromJson(j);
        ++total;
        const bool decisions = mine.prunedSteps == optuna.prunedSteps && mine.completed == optuna.completed;
        same += decisions;
        sameTiming += decisions && sameImprovements(mine, optuna);
    }
    std::printf("  %s on %s's trials, in its order (%zu trials): the same decisions (every pruned step) in %zu of "
                "%zu runs, and also the same compute and wall time at each improvement in %zu\n",
                ours.c_str(), theirs.c_str(), maxTrials, same, total, sameTiming);
}

std::string fmt(double v, const char* format)
{
    if (!std::isfinite(v))
        return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

double gapPercent(double best, double reference)
{
    return 100.0 * (best - reference) / std::abs(reference);
}

// Within kQuality of the reference, or better.
bool asGood(double best, double reference)
{
    return std::isfinite(best) && best <= reference + kQuality * std::abs(reference);
}

void printRow(const std::string& label, const Summary& s, const Summary& base)
{
    std::printf(
        "  %-19s %10s %7s %10s %6s %10s %8s %9s %9s %7.1f %7.1f %6.1f\n", label.c_str(),
        fmt(s.compute(), "%.2f").c_str(), fmt(base.compute() / s.compute(), "%.2fx").c_str(),
        fmt(s.wall(), "%.2f").c_str(), fmt(base.wall() / s.wall(), "%.2fx").c_str(), fmt(s.best(), "%.6f").c_str(),
        fmt(gapPercent(s.best(), base.best()), "%+.2f%%").c_str(),
        fmt(std::max_element(s.runs.begin(), s.runs.end(), [](const auto& a, const auto& b) { return a.best < b.best; })
                ->best,
            "%.6f")
            .c_str(),
        fmt(std::min_element(s.runs.begin(), s.runs.end(), [](const auto& a, const auto& b) { return a.best < b.best; })
                ->best,
            "%.6f")
            .c_str(),
        s.meanCount(&RunResult::completed), s.meanCount(&RunResult::pruned), s.meanCount(&RunResult::failed));
}

// "a,b,,c" -> {"a", "b", "c"}
std::vector<std::string> listOf(const std::string& text)
{
    std::vector<std::string> out(1);
    for (char c : text) {
        if (c != ',')
            out.back() += c;
        else if (!out.back().empty())
            out.emplace_back();
    }
    if (out.back().empty())
        out.pop_back();
    return out;
}

struct Args {
    fs::path tables = fs::path(SWEEPLINE_SOURCE_DIR) / "resources" / "benchmarks" / "curves";
    std::optional<fs::path> optuna;
    std::size_t runs = 10;
    std::size_t parallel = 8;
    std::size_t maxTrials = 100;
    std::size_t cap = 400; // trials of the compute-to-quality runs
    std::vector<std::string> strategies{"tpe", "random"};
    std::vector<std::string> rules; // labels of ourRules(); empty: all
    bool verbose = false;
    bool diagnose = false;
};

Args parseArgs(int argc, char** argv)
{
    Args a;
    const std::map<std::string, std::function<void(const std::string&)>> options{
        {"--tables", [&](const std::string& v) { a.tables = v; }},
        {"--optuna", [&](const std::string& v) { a.optuna = fs::path(v); }},
        {"--runs", [&](const std::string& v) { a.runs = std::stoul(v); }},
        {"--parallel", [&](const std::string& v) { a.parallel = std::stoul(v); }},
        {"--max-trials", [&](const std::string& v) { a.maxTrials = std::stoul(v); }},
        {"--cap", [&](const std::string& v) { a.cap = std::stoul(v); }},
        {"--strategies", [&](const std::string& v) { a.strategies = listOf(v); }},
        {"--rules", [&](const std::string& v) { a.rules = listOf(v); }},
    };
    for (int i = 1; i < argc; ++i) {
        const std::string option = argv[i];
        if (option == "--verbose" || option == "--diagnose") {
            (option == "--verbose" ? a.verbose : a.diagnose) = true;
            continue;
        }
        const auto handler = options.find(option);
        if (handler == options.end())
            throw std::runtime_error("unknown option " + option + " (see the comment at the top of bench_pruning.cpp)");
        if (i + 1 >= argc)
            throw std::runtime_error("missing value for " + option);
        handler->second(argv[++i]);
    }
    if (a.runs == 0 || a.parallel == 0 || a.maxTrials == 0)
        throw std::runtime_error("--runs, --parallel and --max-trials must be positive");
    if (a.cap < a.maxTrials)
        throw std::runtime_error("--cap must be at least --max-trials");
    return a;
}

struct Verdicts {
    std::vector<std::string> first, second, both;
    bool secondJudged = false; // false without Optuna results
    void add(const std::string& rule, bool metFirst, bool metSecond)
    {
        if (metFirst)
            first.push_back(rule);
        if (metSecond)
            second.push_back(rule);
        if (metFirst && metSecond)
            both.push_back(rule);
    }
};

// Target 1: >= kSaving x less compute than none, best final loss within 1% of none's. Target 2: less
// compute than the best Optuna pruner at equal quality. The best Optuna pruner is the one with the
// least compute among those whose best final loss is within 1% of our none's (the bar of target 1);
// when none clears that bar, the one with the best loss. Equal quality: our rule's mean best final
// loss is within 1% of that pruner's, or better.
Verdicts judgeTargets(const CurveTable& t, const std::vector<Rule>& rules, const std::map<std::string, Summary>& ours,
                      const std::map<std::string, Summary>& optuna)
{
    Verdicts v;
    const Summary& none = ours.at("none");
    const Summary* bestOptuna = nullptr;
    std::string bestOptunaLabel;
    v.secondJudged = std::any_of(optuna.begin(), optuna.end(), [](const auto& o) { return o.first != "optuna-none"; });
    for (const auto& [label, s] : optuna) {
        if (label == "optuna-none")
            continue;
        const bool clears = asGood(s.best(), none.best());
        const bool bestClears = bestOptuna && asGood(bestOptuna->best(), none.best());
        if (!bestOptuna || (clears && (!bestClears || s.compute() < bestOptuna->compute()))
            || (!clears && !bestClears && s.best() < bestOptuna->best())) {
            bestOptuna = &s;
            bestOptunaLabel = label;
        }
    }
    std::printf(
        "\n  Targets on %s (TPE, P and budget as above; means over the seeds). 1) at least %.0fx less compute "
        "than none,\n  with a best final loss within 1%% of none's. 2) less compute than the best Optuna pruner "
        "at equal quality: the best\n  Optuna pruner is the one with the least compute among those within 1%% "
        "of our none's loss (when none is,\n  the one with the best loss); equal quality: our loss within 1%% "
        "of that pruner's, or better.\n",
        t.name.c_str(), kSaving);
    if (bestOptuna)
        std::printf("  best Optuna pruner: %s (compute %.2f s, best final loss %.6f, %s of our none's)\n",
                    bestOptunaLabel.c_str(), bestOptuna->compute(), bestOptuna->best(),
                    asGood(bestOptuna->best(), none.best()) ? "within 1%" : "NOT within 1%");
    else
        std::printf("  no Optuna results: the second target cannot be judged (run through tests/bench/pruning/run)\n");
    for (const auto& rule : rules) {
        if (rule.label == "none")
            continue;
        const Summary& s = ours.at(rule.label);
        const double saving = none.compute() / s.compute();
        const bool first = saving >= kSaving && asGood(s.best(), none.best());
        std::printf("  %-14s 1) %.2fx less compute than none (>= %.0fx: %s), best final loss %+.2f%% of none's "
                    "(<= +1%%: %s): %s",
                    rule.label.c_str(), saving, kSaving, saving >= kSaving ? "yes" : "no",
                    gapPercent(s.best(), none.best()), asGood(s.best(), none.best()) ? "yes" : "no",
                    first ? "met" : "NOT met");
        bool second = false;
        if (bestOptuna) {
            const bool equal = asGood(s.best(), bestOptuna->best());
            second = equal && s.compute() < bestOptuna->compute();
            std::printf("; 2) compute %.2fx of %s's, loss %+.2f%% of its (equal quality: %s): %s",
                        s.compute() / bestOptuna->compute(), bestOptunaLabel.c_str(),
                        gapPercent(s.best(), bestOptuna->best()), equal ? "yes" : "no", second ? "met" : "NOT met");
        }
        std::printf("\n");
        v.add(rule.label, first, second);
    }
    return v;
}

std::string joined(const std::vector<std::string>& v)
{
    std::string out;
    for (const auto& s : v)
        out.append(out.empty() ? "" : ", ").append(s);
    return out.empty() ? "none of our rules" : out;
}

// ---------------------------------------------------------------------------------------------
// Compute to quality

// Linear between order statistics (numpy's default); a seed that never reached the target is
// infinite, so a quantile that needs it is infinite too: "not reached".
double quantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    const double h = q * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(h)), hi = std::size_t(std::ceil(h));
    if (lo == hi)
        return v[lo];
    if (!std::isfinite(v[hi]))
        return kInf;
    return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

struct ToTarget {
    std::size_t reached = 0, seeds = 0;
    double computeQ1 = kInf, compute = kInf, computeQ3 = kInf; // median and quartiles over the seeds
    double wallQ1 = kInf, wall = kInf, wallQ3 = kInf;
};

// When a completed trial first had a final loss at or below the threshold, per seed.
ToTarget toTarget(const Summary& s, double threshold)
{
    std::vector<double> compute, wall;
    for (const auto& r : s.runs) {
        const auto hit = std::find_if(r.improvements.begin(), r.improvements.end(),
                                      [&](const Improvement& i) { return i.value <= threshold; });
        compute.push_back(hit == r.improvements.end() ? kInf : hit->compute);
        wall.push_back(hit == r.improvements.end() ? kInf : hit->wall);
    }
    ToTarget t;
    t.seeds = s.runs.size();
    t.reached = std::size_t(std::count_if(compute.begin(), compute.end(), [](double c) { return std::isfinite(c); }));
    t.computeQ1 = quantile(compute, 0.25);
    t.compute = quantile(compute, 0.5);
    t.computeQ3 = quantile(compute, 0.75);
    t.wallQ1 = quantile(wall, 0.25);
    t.wall = quantile(wall, 0.5);
    t.wallQ3 = quantile(wall, 0.75);
    return t;
}

std::string median(double v)
{
    return std::isfinite(v) ? fmt(v, "%.2f") : "not reached";
}

std::string spread(double q1, double q3)
{
    std::string out(1, '['); // appended, not "[" + ...: GCC 12 warns falsely (-Wrestrict) on that
    out.append(median(q1)).append(", ").append(median(q3)).append("]");
    return out;
}

// "a / b" when both reached the target, else "-".
std::string ratio(double a, double b)
{
    return std::isfinite(a) && std::isfinite(b) ? fmt(a / b, "%.2fx") : "-";
}

void printToTargetRow(const std::string& label, const Summary& s, const ToTarget& t, const ToTarget& none)
{
    double worst = -kInf;
    for (const auto& r : s.runs)
        worst = std::max(worst, r.best);
    std::printf("  %-19s %5zu/%-3zu %11s %-26s %6s %11s %-26s %6s %10s %9s %6.1f %6.1f\n", label.c_str(), t.reached,
                t.seeds, median(t.compute).c_str(), spread(t.computeQ1, t.computeQ3).c_str(),
                ratio(none.compute, t.compute).c_str(), median(t.wall).c_str(), spread(t.wallQ1, t.wallQ3).c_str(),
                ratio(none.wall, t.wall).c_str(), fmt(s.best(), "%.6f").c_str(), fmt(worst, "%.6f").c_str(),
                s.meanCount(&RunResult::completed), s.meanCount(&RunResult::pruned));
}

// For one quality target: the table of every method, then the targets. 1) at least kSaving x less
// median compute to the target than our none; 2) less median compute to the same target than the
// best Optuna pruner, the one with the least (optuna-none is not a pruner). Equal quality holds by
// construction: every method is timed to the same threshold.
Verdicts judgeToQuality(const std::string& targetName, double threshold, const std::vector<Rule>& rules,
                        const std::map<std::string, Summary>& ours, const std::map<std::string, Summary>& optuna)
{
    std::printf("\n  Target: %s, final loss <= %.6f\n", targetName.c_str(), threshold);
    std::printf("  %-19s %9s %11s %-26s %6s %11s %-26s %6s %10s %9s %6s %6s\n", "rule", "reached", "compute s",
                "(quartiles)", "x none", "wall s", "(quartiles)", "x none", "best loss", "worst", "done", "pruned");
    std::printf("  %-19s %9s %11s %-26s %6s %11s %-26s %6s %10s %9s %6s %6s\n", "", "seeds", "(median)", "", "",
                "(median)", "", "", "at cap", "seed", "(mean)", "(mean)");
    const ToTarget none = toTarget(ours.at("none"), threshold);
    std::map<std::string, ToTarget> mine, theirs;
    for (const auto& rule : rules) {
        mine[rule.label] = toTarget(ours.at(rule.label), threshold);
        printToTargetRow(rule.label, ours.at(rule.label), mine[rule.label], none);
    }
    if (!optuna.empty())
        std::printf("  -- Optuna TPESampler (x none: against our none) --\n");
    std::string bestOptuna;
    for (const auto& [label, s] : optuna) {
        theirs[label] = toTarget(s, threshold);
        printToTargetRow(label, s, theirs[label], none);
        if (label != "optuna-none" && (bestOptuna.empty() || theirs[label].compute < theirs.at(bestOptuna).compute))
            bestOptuna = label;
    }

    Verdicts v;
    std::printf("  1) at least %.0fx less median compute to the target than none (median %s, %zu/%zu seeds reached);\n"
                "  2) less median compute to the same target than the best Optuna pruner",
                kSaving, median(none.compute).c_str(), none.reached, none.seeds);
    if (bestOptuna.empty())
        std::printf(": no Optuna results, not judged\n");
    else
        std::printf(" (%s: median %s, %zu/%zu seeds reached)\n", bestOptuna.c_str(),
                    median(theirs.at(bestOptuna).compute).c_str(), theirs.at(bestOptuna).reached,
                    theirs.at(bestOptuna).seeds);
    for (const auto& rule : rules) {
        if (rule.label == "none")
            continue;
        const ToTarget& t = mine.at(rule.label);
        const double saving = none.compute / t.compute;
        const bool first = std::isfinite(t.compute) && std::isfinite(none.compute) && saving >= kSaving;
        const std::string unreached =
            "median not reached (" + std::to_string(t.reached) + "/" + std::to_string(t.seeds) + " seeds reached)";
        std::printf("  %-14s 1) %s: %s", rule.label.c_str(),
                    std::isfinite(t.compute) ? fmt(saving, "%.2fx less compute than none").c_str() : unreached.c_str(),
                    first ? "met" : "NOT met");
        bool second = false;
        if (!bestOptuna.empty()) {
            const ToTarget& o = theirs.at(bestOptuna);
            second = std::isfinite(t.compute) && t.compute < o.compute;
            std::string against;
            if (!std::isfinite(t.compute))
                against = unreached;
            else if (std::isfinite(o.compute))
                against = fmt(t.compute / o.compute, "compute %.2fx of ") + bestOptuna + "'s";
            else
                against = "reached, where " + bestOptuna + "'s median is not";
            std::printf("; 2) %s: %s", against.c_str(), second ? "met" : "NOT met");
        }
        std::printf("\n");
        v.add(rule.label, first, second);
    }
    return v;
}

// The tables, in name order.
std::vector<fs::path> csvFilesIn(const fs::path& folder)
{
    std::set<fs::path> found;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".csv")
            found.insert(entry.path());
    }
    if (found.empty())
        throw std::runtime_error("no tables in " + folder.string() + " (make them with scripts/make-curve-tables)");
    return {found.begin(), found.end()};
}

} // namespace

// --diagnose: where the compute to quality goes, per rule with TPE, against the target of the
// compute-to-quality framing (within 1% of none's mean best final loss at the budget).
void diagnose(const CurveTable& t, const std::vector<Rule>& rules, const Args& a)
{
    const SearchSpace space(t.dims);
    double reference = 0.0;
    for (std::size_t seed = 1; seed <= a.runs; ++seed) {
        auto strategy = makeStrategy("tpe", space, StrategyOptions{seed});
        reference += simulate(*strategy, nullptr, t, a.parallel, a.maxTrials).best / double(a.runs);
    }
    Diagnosis prototype;
    prototype.threshold = reference + kQuality * std::abs(reference);
    std::vector<double> finals;
    for (const auto& curve : t.loss)
        finals.push_back(int(curve.size()) == t.steps ? curve.back() : kInf);
    std::vector<double> sorted = finals;
    std::sort(sorted.begin(), sorted.end());
    for (double f : finals)
        prototype.finalPercentile.push_back(
            100.0 * double(std::lower_bound(sorted.begin(), sorted.end(), f) - sorted.begin()) / double(finals.size()));
    std::printf("\n== %s, P = %zu, cap %zu, target final loss <= %.6f ==\n", t.name.c_str(), a.parallel, a.cap,
                prototype.threshold);
    std::printf("  %-14s %8s %9s %9s %9s %-22s %7s %8s %8s %8s %7s %6s %6s %6s %6s %6s %6s\n", "rule", "proposed",
                "at trial", "compute", "completed", "pruned at steps", "reached", "trials", "pruned", "compute",
                "of it", "good", "good", "good", "done", "pruned", "props");
    std::printf("  %-14s %8s %9s %9s %9s %-22s %7s %8s %8s %8s %7s %6s %6s %6s %6s %6s %6s\n", "", "seeds", "(median)",
                "then", "", "", "", "to reach", "to reach", "to reach", "pruned", "size", "pruned", "pctl", "pctl",
                "pctl", "pctl");
    for (const auto& rule : rules) {
        std::vector<Diagnosis> ds;
        for (std::size_t seed = 1; seed <= a.runs; ++seed) {
            auto strategy = makeStrategy("tpe", space, StrategyOptions{seed});
            const auto pruner = makePruner(rule.options);
            Diagnosis d = prototype;
            simulate(*strategy, pruner.get(), t, a.parallel, a.cap, &d);
            ds.push_back(d);
        }
        std::vector<double> at, atCompute, trials, pruned, compute, share;
        std::size_t completed = 0, reached = 0;
        std::string steps;
        double goodSize = 0, goodPruned = 0, goodPct = 0, propPct = 0;
        std::vector<double> ofCompleted, ofPruned; // per seed, where the good group had such members
        for (const auto& d : ds) {
            at.push_back(d.proposedAt ? double(d.proposedAt) : kInf);
            atCompute.push_back(d.proposedAt ? d.computeAtProposal : kInf);
            completed += d.fate == -1 ? 1 : 0;
            if (d.fate > 0)
                steps.append(steps.empty() ? "" : " ").append(std::to_string(d.fate));
            reached += d.reached ? 1 : 0;
            trials.push_back(d.reached ? double(d.trialsAtReach) : kInf);
            pruned.push_back(d.reached ? double(d.prunedAtReach) : kInf);
            const double total = d.computePruned + d.computeCompleted;
            compute.push_back(d.reached ? total : kInf);
            share.push_back(total > 0 ? 100.0 * d.computePruned / total : 0.0);
            goodSize += double(d.goodSize) / double(ds.size());
            goodPruned += double(d.goodPruned) / double(ds.size());
            goodPct += d.goodPercentile / double(ds.size());
            if (std::isfinite(d.goodCompletedPercentile))
                ofCompleted.push_back(d.goodCompletedPercentile);
            if (std::isfinite(d.goodPrunedPercentile))
                ofPruned.push_back(d.goodPrunedPercentile);
            propPct += d.proposalPercentile / double(ds.size());
        }
        const auto proposed = std::size_t(std::count_if(at.begin(), at.end(), [](double v) { return v < kInf; }));
        const auto meanOf = [](const std::vector<double>& v) {
            return v.empty() ? std::string("-")
                             : fmt(std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()), "%.1f");
        };
        std::printf("  %-14s %5zu/%-2zu %9s %9s %9zu %-22s %4zu/%-2zu %8s %8s %8s %6.0f%% %6.1f %6.1f %6.1f %6s %6s "
                    "%6.1f\n",
                    rule.label.c_str(), proposed, ds.size(), median(quantile(at, 0.5)).c_str(),
                    median(quantile(atCompute, 0.5)).c_str(), completed, steps.empty() ? "-" : steps.c_str(), reached,
                    ds.size(), median(quantile(trials, 0.5)).c_str(), median(quantile(pruned, 0.5)).c_str(),
                    median(quantile(compute, 0.5)).c_str(), quantile(share, 0.5), goodSize, goodPruned, goodPct,
                    meanOf(ofCompleted).c_str(), meanOf(ofPruned).c_str(), propPct);
    }
    std::printf(
        "  proposed: seeds whose run proposed a target point (one per grid) within the cap, and when; completed / "
        "pruned at: what became of it;\n  compute then: median compute run when it was proposed; to reach: median "
        "trials, pruned trials and compute s until a "
        "completed trial reached the target (a seed that never did: infinite);\n  of it pruned: median share "
        "of the compute (to the target, or to the cap) spent on trials later pruned; good: TPE's good group "
        "when\n  trial 50 was proposed (size, pruned members, members' mean final-loss percentile in the grid, "
        "0 = best;\n  then the same for its completed and its pruned members, mean over the seeds that had "
        "such members); props pctl: mean\n  final-loss percentile of trials 11 to 100 as proposed.\n");
}

int main(int argc, char** argv)
try {
    const Args a = parseArgs(argc, argv);
    const std::vector<fs::path> paths = csvFilesIn(a.tables);

    std::vector<Rule> rules;
    for (const auto& r : ourRules()) {
        if (a.rules.empty() || r.label == "none" || std::find(a.rules.begin(), a.rules.end(), r.label) != a.rules.end())
            rules.push_back(r);
    }
    for (const auto& label : a.rules) {
        if (std::none_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.label == label; }))
            throw std::runtime_error("unknown rule " + label);
    }

    if (a.diagnose) {
        for (const auto& path : paths)
            diagnose(loadCurves(path), rules, a);
        return 0;
    }

    nlohmann::json optuna;
    if (a.optuna) {
        std::ifstream in(*a.optuna);
        optuna = nlohmann::json::parse(in);
        if (optuna.at("parallel").get<std::size_t>() != a.parallel
            || optuna.at("max_trials").get<std::size_t>() != a.maxTrials
            || optuna.at("cap").get<std::size_t>() != a.cap)
            throw std::runtime_error("the Optuna results were made with another --parallel, --max-trials or --cap");
    }

    std::printf("Early-stopping benchmark: %zu seeds (1..%zu) per row, P = %zu job slots, budget %zu trials "
                "(pruned and failed included).\n",
                a.runs, a.runs, a.parallel, a.maxTrials);
    std::printf("compute: simulated seconds of the steps actually run (the tables' seconds_N); wall: when the last "
                "job ended;\nbest: best final loss over the trials that ran to their last step (mean over seeds; "
                "the worst and the luckiest seed beside it);\nx and gap: against the none row of the same side (ours: "
                "our none; "
                "Optuna's: optuna-none), mean against mean.\nOur rules:\n");
    for (const auto& r : rules)
        std::printf("  %-14s %s\n", r.label.c_str(), r.note.c_str());
    if (a.optuna) {
        std::printf("Optuna %s (TPESampler, constant_liar when P > 1):\n",
                    optuna.at("optuna_version").get<std::string>().c_str());
        for (const auto& [label, note] : optuna.at("pruners").items())
            std::printf("  %-19s %s\n", label.c_str(), note.get<std::string>().c_str());
    }

    std::map<std::string, Verdicts> verdicts;
    std::map<std::string, std::pair<Verdicts, Verdicts>> qualityVerdicts; // none's best, optimum
    for (const auto& path : paths) {
        const CurveTable t = loadCurves(path);
        std::string shape;
        for (const auto& d : t.dims)
            shape.append(shape.empty() ? "" : " x ").append(std::to_string(d.size));
        std::printf("\n== %s: %s = %zu runs of %d steps, grid optimum (best final loss) %.6f ==\n", t.name.c_str(),
                    shape.c_str(), t.loss.size(), t.steps, t.optimum);
        std::printf("  %-19s %10s %7s %10s %6s %10s %8s %9s %9s %7s %7s %6s\n", "rule", "compute s", "saving", "wall s",
                    "faster", "best loss", "gap", "worst", "luckiest", "done", "pruned", "failed");
        std::printf("  %-19s %10s %7s %10s %6s %10s %8s %9s %9s %7s %7s %6s\n", "", "(mean)", "", "(mean)", "",
                    "(mean)", "", "seed", "seed", "(mean)", "(mean)", "(mean)");
        std::map<std::string, Summary> tpe, optunaRows;
        for (const auto& strategyName : a.strategies) {
            std::printf("  -- strategy %s --\n", strategyName.c_str());
            std::map<std::string, Summary> rows;
            for (const auto& rule : rules) {
                Summary s;
                for (std::size_t seed = 1; seed <= a.runs; ++seed) {
                    const SearchSpace space(t.dims);
                    auto strategy = makeStrategy(strategyName, space, StrategyOptions{seed});
                    if (!strategy)
                        throw std::runtime_error("unknown strategy " + strategyName);
                    const auto pruner = makePruner(rule.options);
                    s.runs.push_back(simulate(*strategy, pruner.get(), t, a.parallel, a.maxTrials));
                    if (a.verbose) {
                        const auto& r = s.runs.back();
                        std::string steps;
                        for (int step : r.prunedSteps)
                            steps.append(steps.empty() ? "" : " ").append(std::to_string(step));
                        std::fprintf(
                            stderr,
                            "%s %s %s seed %zu: compute %.3f wall %.3f best %.6f, %zu done, %zu pruned at: %s\n",
                            t.name.c_str(), strategyName.c_str(), rule.label.c_str(), seed, r.compute, r.wall, r.best,
                            r.completed, r.pruned, steps.c_str());
                    }
                }
                rows[rule.label] = s;
                printRow(rule.label, s, rows.at("none"));
            }
            if (strategyName == "tpe")
                tpe = rows;
        }
        if (a.optuna && optuna.at("tables").contains(t.name)) {
            std::printf("  -- Optuna TPESampler --\n");
            for (const auto& [label, runs] : optuna.at("tables").at(t.name).items()) {
                Summary s;
                for (const auto& j : runs)
                    s.runs.push_back(fromJson(j));
                if (s.runs.size() != a.runs)
                    throw std::runtime_error("the Optuna results were made with another --runs");
                optunaRows[label] = s;
            }
            const Summary& base = optunaRows.count("optuna-none") ? optunaRows.at("optuna-none") : tpe.at("none");
            for (const auto& [label, s] : optunaRows)
                printRow(label, s, base);
        }
        if (a.optuna && optuna.at("tables").contains(t.name)) {
            std::printf("\n  Rules against Optuna's on the same trials (hyperband differs by design: Optuna hashes the "
                        "study name and\n  trial number into a bracket, we deal brackets round robin):\n");
            const auto& runs = optuna.at("tables").at(t.name);
            checkAgreement(t, rules, runs, "median", "optuna-median", a.parallel, a.maxTrials);
            checkAgreement(t, rules, runs, "asha-1-3", "optuna-sha-1-3", a.parallel, a.maxTrials);
            checkAgreement(t, rules, runs, "asha-3-3", "optuna-sha-3-3", a.parallel, a.maxTrials);
            checkAgreement(t, rules, runs, "hyperband-1-3", "optuna-hyperband", a.parallel, a.maxTrials);
            const auto& capped = optuna.at("capped").at(t.name);
            checkAgreement(t, rules, capped, "median", "optuna-median", a.parallel, a.cap);
            checkAgreement(t, rules, capped, "asha-1-3", "optuna-sha-1-3", a.parallel, a.cap);
            checkAgreement(t, rules, capped, "asha-3-3", "optuna-sha-3-3", a.parallel, a.cap);
        }
        if (!tpe.empty())
            verdicts[t.name] = judgeTargets(t, rules, tpe, optunaRows);

        if (tpe.empty())
            continue;
        // One bar per table for every method and seed: the seeds of two methods share no randomness,
        // so pairing them would not make the comparison fairer, only the bar noisier.
        const double reference = tpe.at("none").best();
        std::printf("\n  Compute to quality on %s: TPE, P = %zu, up to %zu trials (pruned and failed included), "
                    "%zu seeds;\n  compute and wall time when a completed trial first reached the target "
                    "(compute: the steps run, plus the\n  elapsed part of the running jobs' steps); median "
                    "over the seeds and quartiles, a seed that never reached\n  it counting as infinite; "
                    "x none: our none's median against the row's.\n",
                    t.name.c_str(), a.parallel, a.cap, a.runs);
        std::map<std::string, Summary> capped, optunaCapped;
        for (const auto& rule : rules) {
            Summary& s = capped[rule.label];
            for (std::size_t seed = 1; seed <= a.runs; ++seed) {
                const SearchSpace space(t.dims);
                auto strategy = makeStrategy("tpe", space, StrategyOptions{seed});
                const auto pruner = makePruner(rule.options);
                s.runs.push_back(simulate(*strategy, pruner.get(), t, a.parallel, a.cap));
            }
        }
        if (a.optuna && optuna.at("capped").contains(t.name)) {
            for (const auto& [label, runs] : optuna.at("capped").at(t.name).items()) {
                for (const auto& j : runs)
                    optunaCapped[label].runs.push_back(fromJson(j));
            }
        }
        char name[160];
        std::snprintf(name, sizeof name, "within 1%% of none's best final loss at %zu trials (mean over seeds %.6f)",
                      a.maxTrials, reference);
        const Verdicts ofNone =
            judgeToQuality(name, reference + kQuality * std::abs(reference), rules, capped, optunaCapped);
        Verdicts ofOptimum = ofNone;
        if (std::abs(reference - t.optimum) <= 1e-9 * std::abs(t.optimum)) { // a mean of equal values
            std::printf("\n  Target: within 1%% of the grid optimum %.6f: the same threshold (none reached the "
                        "optimum in every seed at %zu trials)\n",
                        t.optimum, a.maxTrials);
        } else {
            std::snprintf(name, sizeof name, "within 1%% of the grid optimum %.6f", t.optimum);
            ofOptimum = judgeToQuality(name, t.optimum + kQuality * std::abs(t.optimum), rules, capped, optunaCapped);
        }
        qualityVerdicts[t.name] = {ofNone, ofOptimum};
    }

    std::printf("\nSummary (TPE):\n");
    for (const auto& [table, v] : verdicts) {
        std::printf("  %s: target 1 (>= 3x less compute, loss within 1%% of none) met by %s; target 2 (less compute "
                    "than the best Optuna pruner at equal quality) met by %s; both: %s\n",
                    table.c_str(), joined(v.first).c_str(),
                    v.secondJudged ? joined(v.second).c_str() : "nobody: not judged, no Optuna results",
                    v.secondJudged ? joined(v.both).c_str() : "not judged");
    }
    std::printf("Summary, compute to quality (TPE, up to %zu trials, medians over seeds):\n", a.cap);
    for (const auto& [table, v] : qualityVerdicts) {
        const auto& [ofNone, ofOptimum] = v;
        std::printf("  %s, to within 1%% of none's best: target 1 (>= 3x less compute than none) met by %s; target 2 "
                    "(less compute than the best Optuna pruner) met by %s; both: %s\n",
                    table.c_str(), joined(ofNone.first).c_str(),
                    a.optuna ? joined(ofNone.second).c_str() : "nobody: not judged, no Optuna results",
                    joined(ofNone.both).c_str());
        std::printf("  %s, to within 1%% of the grid optimum: >= 3x less compute than none: %s; less than the best "
                    "Optuna pruner: %s; both: %s\n",
                    table.c_str(), joined(ofOptimum.first).c_str(),
                    a.optuna ? joined(ofOptimum.second).c_str() : "not judged", joined(ofOptimum.both).c_str());
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_pruning: %s\n", e.what());
    return 1;
}
