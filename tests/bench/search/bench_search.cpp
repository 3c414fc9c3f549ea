// Benchmark (not a test): replays tabular benchmarks made from real training runs through every
// strategy's ask/tell loop, with simulated job durations, and prints the results side by side with
// Optuna's TPE (replayed by optuna_replay.py). Run it through tests/bench/search/run.
//
//   bench_search [--tables DIR] [--optuna FILE.json] [--runs 11] [--parallel 1,4,8]
//                [--budget 200] [--max-evals 1000] [--strategies a,b,...] [--verbose] [--trace]
//
// --verbose also prints every run (base point, evaluations, when it reached 1%, best) on stderr;
// --trace also every proposal of every run (point, labels, loss), in proposal order.
//
// The loop (the same in optuna_replay.py): P job slots; a job lasts its row's elapsed_s; whenever a
// job finishes its result is told and ask(free slots) is called at once. A run stops issuing when it
// has reached 1% of the table's optimum and issued the budget, or at --max-evals, or when the
// strategy is exhausted; the jobs still running then finish and count.
#include "tuning/strategy.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace sweepline::tuning;
namespace fs = std::filesystem;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();
const std::size_t kBudgets[] = {25, 50, 100, 200};

// ---------------------------------------------------------------------------------------------
// Tables

struct Table {
    std::string name;
    std::vector<Dimension> dims;
    std::vector<double> loss;    // by rank; NaN: the run failed
    std::vector<double> seconds; // by rank
    double optimum = kInf;
    std::size_t near = 0; // points within 1% of the optimum
    std::size_t failed = 0;

    std::size_t size() const { return loss.size(); }
    bool withinOnePercent(double v) const
    {
        return std::isfinite(v) && std::abs(v - optimum) <= 0.01 * std::abs(optimum);
    }
};

std::vector<std::string> splitCsv(const std::string& line)
{
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ','))
        out.push_back(field);
    if (!line.empty() && line.back() == ',')
        out.emplace_back();
    return out;
}

std::optional<double> number(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size())
        return std::nullopt;
    return v;
}

double spread(const std::vector<double>& x) // coefficient of variation of the gaps
{
    std::vector<double> gaps;
    for (std::size_t i = 1; i < x.size(); ++i)
        gaps.push_back(x[i] - x[i - 1]);
    const double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / double(gaps.size());
    double var = 0.0;
    for (double g : gaps)
        var += (g - mean) * (g - mean);
    return std::sqrt(var / double(gaps.size())) / std::abs(mean);
}

// Parameter columns are all but loss and elapsed_s. A numeric column becomes an ordinal dimension
// with its distinct values ascending, log-scaled when they are more evenly spaced in log than in
// value; a text column becomes a categorical one, choices in order of first appearance.
// (optuna_replay.py reads the tables by the same rules.)
Table loadTable(const fs::path& path)
{
    std::ifstream in(path);
    std::string line;
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!line.empty())
            rows.push_back(splitCsv(line));
    }
    if (rows.size() < 2)
        throw std::runtime_error(path.string() + ": no rows");
    const auto& header = rows[0];
    const auto lossCol = std::size_t(std::find(header.begin(), header.end(), "loss") - header.begin());
    const auto timeCol = std::size_t(std::find(header.begin(), header.end(), "elapsed_s") - header.begin());
    if (lossCol == header.size() || timeCol == header.size())
        throw std::runtime_error(path.string() + ": needs the columns loss and elapsed_s");
    std::vector<std::size_t> params;
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (c != lossCol && c != timeCol)
            params.push_back(c);
    }

    Table t;
    t.name = path.stem().string();
    std::vector<std::map<std::string, std::size_t>> indexOf(params.size());
    for (std::size_t k = 0; k < params.size(); ++k) {
        const std::size_t c = params[k];
        Dimension d;
        d.name = header[c];
        bool numeric = true;
        std::vector<std::string> texts;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            texts.push_back(rows[r].at(c));
            numeric = numeric && number(texts.back()).has_value();
        }
        if (numeric) {
            std::set<double> values;
            for (const auto& s : texts)
                values.insert(*number(s));
            d.numericValues.assign(values.begin(), values.end());
            for (const auto& s : texts)
                indexOf[k][s] = std::size_t(std::lower_bound(d.numericValues.begin(), d.numericValues.end(), *number(s))
                                            - d.numericValues.begin());
            d.kind = DimensionKind::Ordinal;
            if (d.numericValues.size() >= 3 && d.numericValues.front() > 0.0) {
                std::vector<double> logs;
                for (double v : d.numericValues)
                    logs.push_back(std::log10(v));
                d.logScale = spread(logs) < spread(d.numericValues);
            }
        } else {
            d.kind = DimensionKind::Categorical;
            for (const auto& s : texts)
                indexOf[k].emplace(s, indexOf[k].size());
        }
        d.size = numeric ? d.numericValues.size() : indexOf[k].size();
        t.dims.push_back(d);
    }
    const SearchSpace space(t.dims);
    const std::uint64_t size = *space.cardinality();
    t.loss.assign(size, std::nan(""));
    t.seconds.assign(size, -1.0);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        Point p;
        for (std::size_t k = 0; k < params.size(); ++k)
            p.push_back(indexOf[k].at(rows[r].at(params[k])));
        const auto rank = space.rank(p);
        const auto loss = number(rows[r].at(lossCol));
        t.loss[rank] = loss && std::isfinite(*loss) ? *loss : std::nan("");
        t.seconds[rank] = number(rows[r].at(timeCol)).value_or(0.0);
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (t.seconds[i] < 0.0)
            throw std::runtime_error(path.string() + ": the grid is not complete");
        if (std::isnan(t.loss[i]))
            ++t.failed;
        else
            t.optimum = std::min(t.optimum, t.loss[i]);
    }
    for (double v : t.loss)
        t.near += t.withinOnePercent(v);
    return t;
}

// ---------------------------------------------------------------------------------------------
// The simulated-time loop

struct Run {
    std::vector<std::pair<double, double>> completions; // (loss, NaN when failed; finish time)
    std::vector<bool> repeats; // per completion: the point had been measured before (Optuna only)
    double activeTime = 0.0;   // until the search stopped wanting points
    double busyTime = 0.0;     // slot-seconds of jobs within the active time
    std::size_t slots = 1;
};

Run simulate(Strategy& s, const Table& t, std::size_t slots, std::size_t budget, std::size_t maxEvals,
             bool trace = false)
{
    const SearchSpace space(t.dims);
    const std::size_t cap = std::min(maxEvals, t.size());
    struct Job {
        double finish;
        std::size_t seq;
        Point point;
        double start;
    };
    auto later = [](const Job& a, const Job& b) {
        return a.finish > b.finish || (a.finish == b.finish && a.seq > b.seq);
    };
    std::priority_queue<Job, std::vector<Job>, decltype(later)> running(later);
    std::vector<std::pair<double, double>> jobs; // (start, finish)
    Run run;
    run.slots = slots;
    double now = 0.0;
    std::size_t issued = 0;
    bool reached = false;
    std::optional<double> stop;

    auto wanted = [&] { return (!reached || issued < budget) && issued < cap && !s.exhausted(); };
    auto fill = [&](std::size_t free) {
        while (free > 0 && wanted()) {
            std::size_t n = std::min(free, cap - issued);
            if (reached)
                n = std::min(n, budget - issued);
            const auto proposals = s.ask(n);
            if (proposals.empty())
                return; // the strategy waits for results: the slots idle
            for (const auto& p : proposals) {
                const double d = t.seconds[space.rank(p.point)];
                if (trace)
                    std::fprintf(stderr, "  #%zu t=%.1f %s stage %d dir %s batch %d loss %.6f\n", issued + 1, now,
                                 space.describe(p.point).c_str(), p.labels.stage, p.labels.direction.c_str(),
                                 p.labels.batch, t.loss[space.rank(p.point)]);
                running.push({now + d, issued++, p.point, now});
            }
            free -= proposals.size();
        }
    };
    auto mark = [&] {
        if (!wanted() && !stop)
            stop = now;
    };

    fill(slots);
    mark();
    while (!running.empty()) {
        const Job job = running.top();
        running.pop();
        now = job.finish;
        jobs.emplace_back(job.start, job.finish);
        const double loss = t.loss[space.rank(job.point)];
        s.tell(job.point, std::isnan(loss) ? Outcome::failure() : Outcome::success(loss));
        run.completions.emplace_back(loss, now);
        reached = reached || t.withinOnePercent(loss);
        if (wanted())
            fill(slots - running.size());
        mark();
    }
    run.activeTime = stop.value_or(now);
    for (const auto& [start, finish] : jobs)
        run.busyTime += std::max(0.0, std::min(finish, run.activeTime) - start);
    return run;
}

// ---------------------------------------------------------------------------------------------
// Summaries

struct Summary {
    std::vector<std::size_t> evalsToOnePercent; // kNever: not reached
    std::vector<double> timeToOnePercent;       // kInf: not reached
    std::vector<std::vector<double>> bestAt;    // per budget, per run
    std::vector<double> timeToEnd;              // to the budget-th completion, or the last one
    std::vector<std::size_t> evaluations;
    std::vector<double> utilisation;
    std::vector<std::size_t> distinctToOnePercent; // distinct points measured until 1%
    std::size_t repeats = 0, trials = 0;
    std::size_t runs = 0;
};

void add(Summary& s, const Table& t, const Run& r, std::size_t budget)
{
    ++s.runs;
    s.bestAt.resize(std::size(kBudgets));
    std::size_t evals = kNever, distinct = 0, distinctEvals = kNever;
    double time = kInf, best = kInf;
    for (std::size_t i = 0; i < r.completions.size(); ++i) {
        const auto [loss, at] = r.completions[i];
        const bool repeat = i < r.repeats.size() && r.repeats[i];
        distinct += !repeat;
        s.repeats += repeat;
        ++s.trials;
        if (!std::isnan(loss))
            best = std::min(best, loss);
        if (evals == kNever && t.withinOnePercent(loss)) {
            evals = i + 1;
            distinctEvals = distinct;
            time = at;
        }
        for (std::size_t b = 0; b < std::size(kBudgets); ++b) {
            if (i + 1 == kBudgets[b])
                s.bestAt[b].push_back(best);
        }
    }
    for (std::size_t b = 0; b < std::size(kBudgets); ++b) {
        if (s.bestAt[b].size() < s.runs)
            s.bestAt[b].push_back(best); // the run ended before this budget: its final best
    }
    s.evalsToOnePercent.push_back(evals);
    s.distinctToOnePercent.push_back(distinctEvals);
    s.timeToOnePercent.push_back(time);
    const std::size_t end = std::min(budget, r.completions.size());
    s.timeToEnd.push_back(end ? r.completions[end - 1].second : 0.0);
    s.evaluations.push_back(r.completions.size());
    s.utilisation.push_back(r.activeTime > 0 ? r.busyTime / (double(r.slots) * r.activeTime) : 1.0);
}

template<typename T>
T median(std::vector<T> v)
{
    std::sort(v.begin(), v.end());
    return v[(v.size() - 1) / 2];
}

std::string fmtEvals(const std::vector<std::size_t>& v, std::size_t cap)
{
    auto one = [&](std::size_t x) { return x == kNever ? ">" + std::to_string(cap) : std::to_string(x); };
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return one(median(v)) + " [" + one(*lo) + ".." + one(*hi) + "]";
}

std::string fmt(double v, const char* f = "%.4f")
{
    if (!std::isfinite(v))
        return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

struct Row {
    std::string strategy;
    std::size_t slots;
    Summary summary;
};

// ---------------------------------------------------------------------------------------------

struct Args {
    fs::path tables;
    std::optional<fs::path> optuna;
    std::size_t runs = 11;
    std::vector<std::size_t> parallel{1, 4, 8};
    std::size_t budget = 200;
    std::size_t maxEvals = 1000;
    std::vector<std::string> strategies;
    bool verbose = false;
    bool trace = false;
};

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

Args parseArgs(int argc, char** argv)
{
    Args a;
    a.tables = fs::path(SWEEPLINE_SOURCE_DIR) / "resources" / "benchmarks";
    a.strategies = strategyNames();
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error("missing value for " + k);
            return argv[++i];
        };
        if (k == "--tables")
            a.tables = value();
        else if (k == "--optuna")
            a.optuna = fs::path(value());
        else if (k == "--runs")
            a.runs = std::stoul(value());
        else if (k == "--budget")
            a.budget = std::stoul(value());
        else if (k == "--max-evals")
            a.maxEvals = std::stoul(value());
        else if (k == "--parallel") {
            a.parallel.clear();
            for (const auto& p : splitList(value()))
                a.parallel.push_back(std::stoul(p));
        } else if (k == "--strategies")
            a.strategies = splitList(value());
        else if (k == "--verbose")
            a.verbose = true;
        else if (k == "--trace")
            a.verbose = a.trace = true;
        else
            throw std::runtime_error("unknown option " + k + " (see the comment at the top of bench_search.cpp)");
    }
    return a;
}

// Run r (from 1) uses seed r; its base point (the dimensions' defaults, where d-Spline starts) is
// the grid centre for run 1 and a seeded random point for the others.
std::vector<Dimension> dimensionsForRun(const std::vector<Dimension>& dims, std::size_t run)
{
    std::vector<Dimension> out = dims;
    if (run == 1)
        return out;
    std::uint64_t x = 0x5eed0000ULL + run;
    for (auto& d : out) {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53ULL;
        x ^= x >> 33;
        d.defaultIndex = static_cast<std::size_t>(x % d.size);
    }
    return out;
}

void printTable(const Table& t, const std::vector<Row>& rows, const Args& a)
{
    std::string shape;
    for (const auto& d : t.dims)
        shape += (shape.empty() ? "" : " x ") + std::to_string(d.size);
    std::printf("\n== %s: %s = %zu points, optimum %.6f, %zu within 1%%, %zu failed ==\n", t.name.c_str(),
                shape.c_str(), t.size(), t.optimum, t.near, t.failed);
    std::printf("%-12s %2s  %-22s %9s %9s %9s %9s  %10s %10s %6s %6s\n", "strategy", "P", "evals to 1%", "best@25",
                "best@50", "best@100", "best@200", "t to 1%", "t to end", "evals", "util");
    std::printf("%-12s %2s  %-22s %9s %9s %9s %9s  %10s %10s %6s %6s\n", "", "", "median [min..max]", "", "", "", "",
                "(sim s)", "(sim s)", "", "");
    std::size_t lastSlots = 0;
    for (const auto& r : rows) {
        if (r.slots != lastSlots && lastSlots != 0)
            std::printf("\n");
        lastSlots = r.slots;
        const Summary& s = r.summary;
        std::printf(
            "%-12s %2zu  %-22s %9s %9s %9s %9s  %10s %10s %6zu %5.1f%%", r.strategy.c_str(), r.slots,
            fmtEvals(s.evalsToOnePercent, std::min(a.maxEvals, t.size())).c_str(), fmt(median(s.bestAt[0])).c_str(),
            fmt(median(s.bestAt[1])).c_str(), fmt(median(s.bestAt[2])).c_str(), fmt(median(s.bestAt[3])).c_str(),
            fmt(median(s.timeToOnePercent), "%.0f").c_str(), fmt(median(s.timeToEnd), "%.0f").c_str(),
            median(s.evaluations),
            100.0 * std::accumulate(s.utilisation.begin(), s.utilisation.end(), 0.0) / double(s.utilisation.size()));
        if (s.repeats)
            std::printf("  repeats: %.0f%% of trials; distinct points to 1%%: %s",
                        100.0 * double(s.repeats) / double(s.trials),
                        fmtEvals(s.distinctToOnePercent, std::min(a.maxEvals, t.size())).c_str());
        std::printf("\n");
    }
}

} // namespace

int main(int argc, char** argv)
try {
    const Args a = parseArgs(argc, argv);
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(a.tables)) {
        if (e.path().extension() == ".csv")
            paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    if (paths.empty())
        throw std::runtime_error("no tables in " + a.tables.string() + " (make them with scripts/make-search-tables)");

    nlohmann::json optuna;
    if (a.optuna) {
        std::ifstream in(*a.optuna);
        optuna = nlohmann::json::parse(in);
    }

    std::printf(
        "Search benchmark: %zu runs per strategy (seeds 1..%zu; d-Spline starts from the grid centre, then from "
        "seeded random base points),\nbudget %zu, at most %zu evaluations per run; P = parallel job slots; "
        "times are simulated seconds from the tables' elapsed_s.\nevals to 1%%: completed evaluations until one is "
        "within 1%% of the table's optimum; best@k: median best loss after k evaluations;\nt to 1%%, t to end: "
        "median time to that evaluation, and to the budget-th result (or the last, when the strategy stopped "
        "earlier);\nevals: median evaluations a run made; util: busy slot time while the search still wanted "
        "points.\n",
        a.runs, a.runs, a.budget, a.maxEvals);

    struct Key {
        std::string table, strategy;
        std::size_t slots;
        bool operator<(const Key& o) const
        {
            return std::tie(table, strategy, slots) < std::tie(o.table, o.strategy, o.slots);
        }
    };
    std::map<Key, Summary> all;
    std::vector<Table> tables;
    for (const auto& path : paths) {
        const Table t = loadTable(path);
        std::vector<Row> rows;
        for (std::size_t slots : a.parallel) {
            for (const auto& name : a.strategies) {
                Summary s;
                for (std::size_t run = 1; run <= a.runs; ++run) {
                    const SearchSpace space(dimensionsForRun(t.dims, run));
                    auto strategy = makeStrategy(name, space, StrategyOptions{run});
                    if (!strategy)
                        throw std::runtime_error("unknown strategy " + name);
                    const Run r = simulate(*strategy, t, slots, a.budget, a.maxEvals, a.trace);
                    add(s, t, r, a.budget);
                    if (a.verbose) {
                        std::string base;
                        for (const auto& d : space.dimensions())
                            base +=
                                (base.empty() ? "" : ",") + std::to_string(d.defaultIndex.value_or((d.size - 1) / 2));
                        double best = kInf;
                        for (const auto& c : r.completions)
                            best = std::isnan(c.first) ? best : std::min(best, c.first);
                        const std::size_t e = s.evalsToOnePercent.back();
                        std::fprintf(stderr, "%s %s P=%zu run %zu base (%s): %zu evaluations, to 1%%: %s, best %.6f\n",
                                     t.name.c_str(), name.c_str(), slots, run, base.c_str(), r.completions.size(),
                                     e == kNever ? "-" : std::to_string(e).c_str(), best);
                    }
                    if (name == "grid")
                        break; // deterministic and without a start: one run is all runs
                }
                rows.push_back({name, slots, s});
                all[{t.name, name, slots}] = s;
            }
            if (a.optuna && optuna["tables"].contains(t.name)
                && optuna["tables"][t.name].contains(std::to_string(slots))) {
                Summary s;
                for (const auto& jr : optuna["tables"][t.name][std::to_string(slots)]) {
                    Run r;
                    for (const auto& c : jr["completions"]) {
                        r.completions.emplace_back(c[0].is_null() ? std::nan("") : c[0].get<double>(),
                                                   c[1].get<double>());
                        r.repeats.push_back(c[2].get<int>() != 0);
                    }
                    r.activeTime = jr["active_time"].get<double>();
                    r.busyTime = jr["busy_time"].get<double>();
                    r.slots = slots;
                    add(s, t, r, a.budget);
                }
                rows.push_back({"optuna-tpe", slots, s});
                all[{t.name, "optuna-tpe", slots}] = s;
            }
        }
        printTable(t, rows, a);
        tables.push_back(t);
    }

    // The targets, measured for the d-Spline strategy.
    std::printf("\nTargets (d-Spline):\n");
    const bool haveDspline = std::find(a.strategies.begin(), a.strategies.end(), "dspline") != a.strategies.end();
    auto find = [&](const std::string& table, const std::string& strategy, std::size_t slots) -> const Summary* {
        const auto it = all.find({table, strategy, slots});
        return it == all.end() ? nullptr : &it->second;
    };
    auto verdict = [](bool ok) { return ok ? "met" : "NOT met"; };
    auto evalsText = [](std::size_t e) { return e == kNever ? std::string("not reached") : std::to_string(e); };
    for (const auto& t : tables) {
        const Summary* d1 = find(t.name, "dspline", 1);
        const Summary* d8 = find(t.name, "dspline", 8);
        const Summary* o1 = find(t.name, "optuna-tpe", 1);
        if (!haveDspline || !d1) {
            std::printf("  %s: n/a (no dspline strategy in this build)\n", t.name.c_str());
            continue;
        }
        const std::size_t de = median(d1->evalsToOnePercent);
        if (o1) {
            // Optuna as run counts every trial, repeats included (it does not avoid them); Optuna with a
            // result cache would have trained only its distinct points, along the same trajectory.
            const std::size_t run = median(o1->evalsToOnePercent), distinct = median(o1->distinctToOnePercent);
            auto fewer = [&](std::size_t o) { return de != kNever && (o == kNever || de < o); };
            std::printf("  %s: sequential dspline reaches 1%% in fewer evaluations than Optuna TPE: median %s vs "
                        "Optuna %s trials as run: %s; vs %s distinct points (as with a result cache): %s\n",
                        t.name.c_str(), evalsText(de).c_str(), evalsText(run).c_str(), verdict(fewer(run)),
                        evalsText(distinct).c_str(), verdict(fewer(distinct)));
        } else {
            std::printf("  %s: dspline vs Optuna TPE: n/a (no Optuna results; run through tests/bench/search/run)\n",
                        t.name.c_str());
        }
        if (t.dims.size() == 5) {
            const double limit = 0.03 * double(t.size());
            std::printf("  %s: 5-parameter table, at most 3%% of the grid (%.0f evaluations): median %s: %s\n",
                        t.name.c_str(), limit, evalsText(de).c_str(), verdict(de != kNever && double(de) <= limit));
        }
        if (d8) {
            const double t1 = median(d1->timeToOnePercent), t8 = median(d8->timeToOnePercent);
            std::printf(
                "  %s: P=8 reaches 1%% in at most a third of the sequential time (median %s s vs %s s, ratio %s): %s\n",
                t.name.c_str(), fmt(t8, "%.0f").c_str(), fmt(t1, "%.0f").c_str(),
                std::isfinite(t1) && std::isfinite(t8) ? fmt(t8 / t1, "%.2f").c_str() : "-",
                verdict(std::isfinite(t1) && std::isfinite(t8) && t8 * 3.0 <= t1));
            const double util =
                std::accumulate(d8->utilisation.begin(), d8->utilisation.end(), 0.0) / double(d8->utilisation.size());
            const double worst = *std::min_element(d8->utilisation.begin(), d8->utilisation.end());
            std::printf(
                "  %s: P=8 slots busy while the search wants points (>= 99%%): mean %.1f%%, worst run %.1f%%: %s\n",
                t.name.c_str(), 100.0 * util, 100.0 * worst, verdict(util >= 0.99));
        }
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_search: %s\n", e.what());
    return 1;
}
