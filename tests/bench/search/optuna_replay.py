#!/usr/bin/python3
"""Replays the search tables through Optuna's own TPE sampler (study.ask / study.tell), with the
same simulated-time loop as bench_search, and prints what happened as JSON for bench_search.

    tests/bench/search/optuna_replay.py [--tables DIR] [--runs 11] [--parallel 1,4,8]
                                        [--budget 200] [--max-evals 1000] [--jobs 2]

The loop: P job slots; a job lasts the elapsed_s of its table row; whenever a job finishes, its
result is told and the free slots are filled at once (asynchronous). With P > 1 the sampler is
TPESampler(seed=run, constant_liar=True), else TPESampler(seed=run); every other setting is
Optuna's default. Parameters are given to Optuna as the table sees them: an ordinal column as
suggest_int over its candidate indices (the columns are evenly spaced in value or log value, so this
is the int/log-float parameter a user would declare), a text column as suggest_categorical.

Optuna does not avoid points it suggested before; on a grid it often does. Such a repeat is run
like any trial (it takes its time and a slot, as it would for a user), and flagged, so bench_search
can also count distinct points.

Must run with Debian's /usr/bin/python3 (python3-optuna 3.1).
"""
import argparse
import csv
import heapq
import json
import math
import multiprocessing
import os
import sys
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, IntDistribution
from optuna.samplers import TPESampler
from optuna.trial import TrialState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def load_table(path):
    """The table as bench_search reads it: parameter columns (all but loss and elapsed_s), numeric
    ones with their distinct values ascending, text ones in order of first appearance."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    loss_col, time_col = header.index("loss"), header.index("elapsed_s")
    params = [i for i in range(len(header)) if i not in (loss_col, time_col)]
    dims = []
    for c in params:
        texts = [r[c] for r in body]
        if all(_is_number(t) for t in texts):
            values = sorted({float(t) for t in texts})
            index = {v: i for i, v in enumerate(values)}
            dims.append({"name": header[c], "numeric": True, "values": values,
                         "index": lambda t, index=index: index[float(t)]})
        else:
            values = list(dict.fromkeys(texts))
            index = {v: i for i, v in enumerate(values)}
            dims.append({"name": header[c], "numeric": False, "values": values,
                         "index": lambda t, index=index: index[t]})
    cells = {}
    for r in body:
        key = tuple(d["index"](r[c]) for d, c in zip(dims, params))
        loss = float(r[loss_col])
        cells[key] = (loss if math.isfinite(loss) else None, float(r[time_col]))
    size = math.prod(len(d["values"]) for d in dims)
    if len(cells) != size:
        sys.exit(f"{path}: {len(cells)} distinct rows, but the grid has {size} points")
    return {"name": os.path.splitext(os.path.basename(path))[0], "dims": dims, "cells": cells, "size": size}


def replay(table, seed, parallel, budget, max_evals):
    dims = table["dims"]
    distributions = {}
    for d in dims:
        if d["numeric"]:
            distributions[d["name"]] = IntDistribution(0, len(d["values"]) - 1)
        else:
            distributions[d["name"]] = CategoricalDistribution(d["values"])
    sampler = TPESampler(seed=seed, constant_liar=True) if parallel > 1 else TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    cap = min(max_evals, table["size"])
    optimum = min(v for v, _ in table["cells"].values() if v is not None)

    now = 0.0
    running = []       # heap of (finish, sequence, trial, key, repeat, start)
    seen = set()       # points suggested so far
    completions = []   # [loss or None, finish time, 1 when the point had been suggested before]
    jobs = []          # (start, finish)
    issued = 0
    reached = False
    stop_time = None

    def wanted():
        return (not reached or issued < budget) and issued < cap

    def fill(free):
        nonlocal issued
        while free > 0 and wanted():
            trial = study.ask(distributions)
            key = tuple(d["values"].index(trial.params[d["name"]]) if not d["numeric"]
                        else trial.params[d["name"]] for d in dims)
            repeat = key in seen
            seen.add(key)
            heapq.heappush(running, (now + table["cells"][key][1], issued, trial, key, repeat, now))
            issued += 1
            free -= 1

    def mark():
        nonlocal stop_time
        if not wanted() and stop_time is None:
            stop_time = now

    fill(parallel)
    mark()
    while running:
        finish, _, trial, key, repeat, start = heapq.heappop(running)
        now = finish
        jobs.append((start, finish))
        loss = table["cells"][key][0]
        if loss is None:
            study.tell(trial, state=TrialState.FAIL)
        else:
            study.tell(trial, loss)
        completions.append([loss, finish, int(repeat)])
        if loss is not None and abs(loss - optimum) <= 0.01 * abs(optimum):
            reached = True
        if wanted():
            fill(parallel - len(running))
        mark()
    if stop_time is None:
        stop_time = now
    busy = sum(max(0.0, min(f, stop_time) - s) for s, f in jobs)
    return {"seed": seed, "completions": completions, "active_time": stop_time, "busy_time": busy}


def _task(args):
    path, seed, parallel, budget, max_evals = args
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # constant_liar
    return replay(load_table(path), seed, parallel, budget, max_evals)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tables", default=os.path.join(ROOT, "resources", "benchmarks"))
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--parallel", default="1,4,8")
    p.add_argument("--budget", type=int, default=200)
    p.add_argument("--max-evals", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=2, help="replays run at once in worker processes")
    args = p.parse_args()
    names = sorted(n for n in os.listdir(args.tables) if n.endswith(".csv"))
    slots = [int(x) for x in args.parallel.split(",")]
    tasks = [(os.path.join(args.tables, n), seed, parallel, args.budget, args.max_evals)
             for n in names for parallel in slots for seed in range(1, args.runs + 1)]
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = []
        for i, r in enumerate(pool.imap(_task, tasks), 1):
            results.append(r)
            print(f"optuna_replay: {i}/{len(tasks)} replays", file=sys.stderr, flush=True)
    out = {"strategy": "optuna-tpe", "optuna_version": optuna.__version__, "tables": {}}
    for (path, seed, parallel, _, _), r in zip(tasks, results):
        name = os.path.splitext(os.path.basename(path))[0]
        out["tables"].setdefault(name, {}).setdefault(str(parallel), []).append(r)
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
