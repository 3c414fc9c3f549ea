#!/usr/bin/python3
"""Replays the learning-curve tables through Optuna's pruners with its TPE sampler (study.ask /
trial.report / trial.should_prune / study.tell), with the same simulated-time loop as bench_pruning,
and prints what happened as JSON for bench_pruning.

    tests/bench/pruning/optuna_pruning_replay.py [--tables DIR] [--runs 10] [--parallel 8]
                                                 [--max-trials 100] [--cap 400] [--pruners a,b] [--jobs 2]

The loop (the same in bench_pruning.cpp): P job slots, filled at once whenever one frees; a job
prints its steps at the seconds its table row recorded (seconds_1, then seconds_2 later, ...); every
printed value is reported, in simulated time order across all running jobs, as
trial.report(value, step) with steps from 1, then should_prune() is asked; a pruned job frees its
slot at that moment and is told as TrialState.PRUNED (TPE then uses its last value and step). The
last step's value ends the job as it is printed: it is reported and told as COMPLETE, never pruned.
A step whose loss is nan fails the job there (TrialState.FAIL). Budget: max_trials trials asked,
pruned and failed ones included.

Every run is replayed twice: with the budget (--max-trials, the fixed-budget comparison) and with a
larger trial cap (--cap, the compute-to-quality one). Each replay also records every improvement of
the best final loss as [value, compute, wall]: the compute (every step run, plus the elapsed part of
the running jobs' current steps) and the simulated time at the moment a completed trial first beat
the best so far. bench_pruning reads the compute and wall time to any quality target from them, with
the same definition for its own runs.

The sampler is TPESampler(seed=run, constant_liar=True) when P > 1, else TPESampler(seed=run), every
other setting Optuna's default; the study is named after the run so that HyperbandPruner's bracket
of each trial (a hash of the study name and trial number) is reproducible. Parameters are given as
in tests/bench/search/optuna_replay.py: an ordinal column as suggest_int over its candidate indices,
a text column as suggest_categorical.

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
import time
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, IntDistribution
from optuna.pruners import HyperbandPruner, MedianPruner, NopPruner, SuccessiveHalvingPruner
from optuna.samplers import TPESampler
from optuna.trial import TrialState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# label -> (what it is, how to make it). Labels match bench_pruning's rules where they correspond.
PRUNERS = {
    "optuna-none": ("NopPruner: TPE alone", NopPruner),
    "optuna-median": ("MedianPruner(n_startup_trials=5, n_warmup_steps=0): Optuna's defaults, = our median",
                      lambda: MedianPruner(n_startup_trials=5, n_warmup_steps=0)),
    "optuna-sha-1-3": ("SuccessiveHalvingPruner(min_resource=1, reduction_factor=3): = our asha 1/3",
                       lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)),
    "optuna-sha-3-3": ("SuccessiveHalvingPruner(min_resource=3, reduction_factor=3): = our asha 3/3",
                       lambda: SuccessiveHalvingPruner(min_resource=3, reduction_factor=3)),
    "optuna-sha-default": ("SuccessiveHalvingPruner(): Optuna's defaults, min_resource 'auto' (no pruning "
                           "before a trial completes, then max(27 // 100, 1) = 1), reduction_factor 4",
                           SuccessiveHalvingPruner),
    "optuna-hyperband": ("HyperbandPruner(min_resource=1, max_resource='auto', reduction_factor=3): "
                         "Optuna's defaults, = our hyperband 1/3", HyperbandPruner),
}


def _dimension(name, texts):
    """An ordinal dimension over the distinct numbers ascending, else a categorical one over the
    texts in order of first appearance; index maps a cell to its candidate."""
    try:
        values = sorted({float(t) for t in texts})
        return {"name": name, "numeric": True, "values": values, "index": lambda t: values.index(float(t))}
    except ValueError:
        choices = list(dict.fromkeys(texts))
        return {"name": name, "numeric": False, "values": choices, "index": choices.index}


def load_table(path):
    """The table as bench_pruning reads it: parameter columns are all but loss_N and seconds_N,
    numeric ones with their distinct values ascending, text ones in order of first appearance."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    loss_cols = [i for i, h in enumerate(header) if h.startswith("loss_")]
    time_cols = [i for i, h in enumerate(header) if h.startswith("seconds_")]
    params = [i for i in range(len(header)) if i not in loss_cols and i not in time_cols]
    dims = [_dimension(header[c], [r[c] for r in body]) for c in params]
    cells = {}
    for r in body:
        key = tuple(d["index"](r[c]) for d, c in zip(dims, params))
        losses = [float(r[c]) for c in loss_cols if r[c] != ""]
        seconds = [float(r[c]) for c in time_cols if r[c] != ""]
        cells[key] = (losses, seconds)
    size = math.prod(len(d["values"]) for d in dims)
    if len(cells) != size:
        sys.exit(f"{path}: {len(cells)} distinct rows, but the grid has {size} points")
    return {"name": os.path.splitext(os.path.basename(path))[0], "dims": dims, "cells": cells,
            "steps": len(loss_cols)}


def replay(table, label, seed, parallel, max_trials):
    dims = table["dims"]
    distributions = {d["name"]: IntDistribution(0, len(d["values"]) - 1) if d["numeric"]
                     else CategoricalDistribution(d["values"]) for d in dims}
    sampler = TPESampler(seed=seed, constant_liar=True) if parallel > 1 else TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler, pruner=PRUNERS[label][1](),
                                study_name=f"replay-{seed}")
    last_step = table["steps"]

    now = 0.0
    events = []  # heap of (time the step is printed, sequence, job)
    sequence = 0
    issued = 0
    running = 0
    compute = 0.0
    best = None
    ends = {"completed": 0, "pruned": 0, "failed": 0}
    pruned_steps = []
    improvements = []  # [value, compute, wall] each time a completed trial beats the best so far
    active = set()  # the running jobs' ids
    points = []  # every trial's candidate indices, in the order asked: bench_pruning replays them

    def schedule(job):
        nonlocal sequence
        job["step_start"] = now
        heapq.heappush(events, (now + job["seconds"][job["step"] - 1], sequence, job))
        sequence += 1

    def compute_so_far(ending):
        """The steps run, plus the elapsed part of the other running jobs' current steps."""
        return compute + sum(now - jobs[j]["step_start"] for j in active if j != ending)

    jobs = {}  # id -> job

    def fill():
        nonlocal issued, running
        while running < parallel and issued < max_trials:
            trial = study.ask(distributions)
            key = tuple(d["values"].index(trial.params[d["name"]]) if not d["numeric"]
                        else trial.params[d["name"]] for d in dims)
            losses, seconds = table["cells"][key]
            points.append(key)
            issued += 1
            running += 1
            job = {"id": issued, "trial": trial, "losses": losses, "seconds": seconds, "step": 1}
            jobs[issued] = job
            active.add(issued)
            schedule(job)

    fill()
    while events:
        now, _, job = heapq.heappop(events)
        step, trial = job["step"], job["trial"]
        value = job["losses"][step - 1]
        compute += job["seconds"][step - 1]
        ended = True
        if math.isnan(value):
            study.tell(trial, state=TrialState.FAIL)
            ends["failed"] += 1
        elif step == last_step:
            trial.report(value, step)
            study.tell(trial, value)
            ends["completed"] += 1
            if best is None or value < best:
                improvements.append([value, compute_so_far(job["id"]), now])
            best = value if best is None else min(best, value)
        else:
            trial.report(value, step)
            if trial.should_prune():
                study.tell(trial, state=TrialState.PRUNED)
                ends["pruned"] += 1
                pruned_steps.append(step)
            else:
                job["step"] += 1
                schedule(job)
                ended = False
        if ended:
            active.discard(job["id"])
            running -= 1
            fill()
    return {"seed": seed, "compute": compute, "wall": now, "best": best, "trials": issued,
            "pruned_steps": pruned_steps, "improvements": improvements, "points": points, **ends}


def _task(args):
    path, label, seed, parallel, max_trials = args
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # constant_liar
    started = time.monotonic()
    r = replay(load_table(path), label, seed, parallel, max_trials)
    r["replay_s"] = time.monotonic() - started
    return r


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tables", default=os.path.join(ROOT, "resources", "benchmarks", "curves"))
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--parallel", type=int, default=8)
    p.add_argument("--max-trials", type=int, default=100)
    p.add_argument("--cap", type=int, default=400, help="trial cap of the compute-to-quality replays")
    p.add_argument("--pruners", default=",".join(PRUNERS), help="labels of PRUNERS (default: all)")
    p.add_argument("--jobs", type=int, default=2, help="replays run at once in worker processes")
    args = p.parse_args()
    labels = args.pruners.split(",")
    unknown = [label for label in labels if label not in PRUNERS]
    if unknown:
        sys.exit(f"unknown pruner {unknown[0]} (one of {', '.join(PRUNERS)})")
    names = sorted(n for n in os.listdir(args.tables) if n.endswith(".csv"))
    if args.cap < args.max_trials:
        sys.exit("--cap must be at least --max-trials")
    tasks = [(os.path.join(args.tables, n), label, seed, args.parallel, budget)
             for budget in (args.max_trials, args.cap)
             for n in names for label in labels for seed in range(1, args.runs + 1)]
    def progress(pairs):
        for done, result in pairs:
            if done % 10 == 0 or done == len(tasks):
                print(f"optuna_pruning_replay: {done}/{len(tasks)} replays", file=sys.stderr, flush=True)
            yield result

    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = list(progress(enumerate(pool.imap(_task, tasks), 1)))
    out = {"optuna_version": optuna.__version__, "parallel": args.parallel, "max_trials": args.max_trials,
           "cap": args.cap, "pruners": {label: PRUNERS[label][0] for label in labels}, "tables": {}, "capped": {}}
    for index, ((path, label, _, _, _), r) in enumerate(zip(tasks, results)):
        name = os.path.splitext(os.path.basename(path))[0]
        side = "tables" if index < len(tasks) // 2 else "capped"  # the budget's replays come first
        out[side].setdefault(name, {}).setdefault(label, []).append(r)
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
