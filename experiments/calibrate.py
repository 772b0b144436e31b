"""`clusterlab calibrate SCENARIO`: approximate Bayesian computation by sequential Monte Carlo.

The case scenario declares its free parameters (`[[calibration.free]]`: ≤ 8, each with a range
and a reason) and its target figures (`[[targets]]`, scenarios/targets.py). The prior is uniform
over each range; a particle's summary statistics are its calibration figures, each the mean over
the common-random-number seeds `[calibration] seeds`; the distance is the root mean square of
the calibration figures' misses in tolerances (`experiments.case_targets.distance`: |model −
figure| / tolerance, 0 on the allowed side of a one-sided bound; a figure inside its tolerance
contributes at most 1, so every figure inside ⇒ distance ≤ 1, and 0 means every two-sided figure
is hit exactly). Held-out figures are neither simulated nor compared while fitting. pyabc (Klinger, Rickert & Hasenauer 2018) runs the SMC with its adaptive
median epsilon and multivariate-normal perturbation kernel; its sampler is the engine:
`--engine multicore` (fork, one process per core), `single`, or `dask` (`--address` of a running
scheduler, else a local cluster) — the same code runs on a Dask cluster.

The pyabc database (`--db`, SQLite) holds every finished generation, so a killed run resumes
from its last finished generation when the same command is given again (`--fresh` starts over).
Outputs (`--out`, default docs/calibration/<scenario>/): posterior.parquet (particles of the last
generation and their weights), posterior.md and posterior.csv (weighted median and 90% interval
per parameter), pairs.png (pair plot), predictive.csv/.md (posterior-predictive check of the
held-out figures) and run.json (the budget, why the run stopped, simulations, wall time, epsilon
per generation); experiments/calibration_outputs.py writes them.

**The budget** of a round is declared once, `BUDGET` below, and reported in posterior.md, run.json
and docs/validation.md: population 20, at most 8 generations, the scenario's [calibration] seeds as
common random numbers (two a case; four for Jilin, whose returns figure spreads by seed as much as
its tolerance), and a wall-clock budget of 6 minutes of sampling per case; the
run stops before a generation that would not finish within it (experiments/calibration_budget.py,
`next_generation_fits`: the last generation's time against the time left; the first generation
always runs; and a generation is capped at the simulations its time left pays for at the last generation's seconds per simulation — pyabc's `min_acceptance_rate` — and abandoned, not stored, if it needs more: `evaluation_cap`) or when epsilon reaches `min_epsilon` (default 0: every accepted particle hits every two-sided
figure exactly). Sized on one evaluation's cost (2 seeds, 30 Nov 2026, CPU seconds at prior
draws): datang 1.7, jiangxi 1.1, xiqiao 0.85, dyeing 0.76, jilin 0.34; a population of 20 over 4
generations at acceptance 50% → 20% costs ≈ 20 + 20·(2 + 3 + 4 + 5) = 300 simulations, ≈ 8 CPU
minutes for datang and ≈ 24 for the five: on 2 free cores ≤ 5 minutes per case and the five one
after another in ≈ 15 minutes, well inside 30 minutes per case. On the shared machine (load ≈ 12)
the first generation of datang (20 prior draws + 28 simulations) took 224 s on 2 workers, so the
wall-clock budget is what bounds a round there: ≤ 5 × 6 minutes of sampling plus the outputs. The
round of 30 Nov 2026 (4 generations, 4 min) used 11 of its 20 minutes, and Xiqiao's epsilon was
still falling fast at its 4th generation (resumed to 8: 1.30 → 0.28), so the budget was raised to 8
generations and 6 minutes a case, still inside 30 minutes per case. A
run stopped by the budget resumes (same command) from its last finished generation.
`clusterlab calibrate --all` calibrates every case in turn, shortest run first, pooling the
budget (5 × 6 minutes: a case that finishes early leaves its time to the dearer ones after it,
and no case gets less than its own 6 minutes — in the round of 30 Nov 2026 at 18:30 Datang's
fourth generation overran by 8 minutes and left Jiangxi 0.15 min, one generation; `round_shares`);
docs/calibrate_all.sh then writes the validation and the tests' list of misses.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from experiments.calibration_budget import print_flushed, record_session, round_shares, run_generations
from experiments.calibration_outputs import (
    markdown,
    pair_plot,
    posterior_table,
    predictive_check,
    weighted_quantile,  # noqa: F401  (re-exported)
)
from experiments.case_targets import CaseSpec, case_spec, distance, measure_runs, summarise
from experiments.inputs import (
    InputError,
    argparse_type,
    check_workers,
    check_writable,
    dask_client,
    nonempty_path,
    nonnegative_float,
    parse_seed_list,
)
from experiments.interrupts import Terminated, quiet_forked_workers

DEFAULT_DB, DEFAULT_OUT = Path("runs") / "calibrate", Path("docs") / "calibration"   # + /<case>.db, /<case>/


@dataclass(frozen=True)
class Budget:
    """The declared ABC budget of a calibration round (module docstring: how it was sized)."""

    population: int = 20            # particles per generation
    generations: int = 8            # SMC generations at most (a resumed run counts the stored ones)
    max_minutes: float = 6.0        # wall-clock budget of the sampling, per case and session
    min_epsilon: float = 0.0        # stop when the acceptance threshold reaches this RMS miss


BUDGET = Budget()


@dataclass
class Settings:
    population: int = BUDGET.population
    generations: int = BUDGET.generations
    max_minutes: float | None = BUDGET.max_minutes     # None: no wall-clock budget
    min_epsilon: float = BUDGET.min_epsilon
    seeds: tuple | None = None      # None: the scenario's [calibration] seeds
    engine: str = "multicore"       # multicore, single or dask
    workers: int | None = None      # processes (multicore) or local Dask workers
    address: str | None = None      # Dask scheduler address
    db: Path | None = None          # default runs/calibrate/<scenario>.db
    out: Path | None = None         # default docs/calibration/<scenario>
    fresh: bool = False
    draws: int = 6                  # posterior draws for the predictive check
    progress: bool = True


class Simulator:
    """pyabc model: parameters -> {target: mean figure over the seeds}; picklable (Dask)."""

    def __init__(self, spec: CaseSpec, seeds):
        self.spec, self.seeds = spec, tuple(seeds)
        self.targets = spec.of_role("calibration")

    def __call__(self, par) -> dict:
        table = measure_runs(self.spec, dict(par), self.seeds, self.targets)
        return {t.name: float(table[t.name].mean()) for t in self.targets}


class Distance:
    """pyabc distance: misses in tolerances, root mean square, over the calibration targets only
    (the observed data are the targets; held-out figures are neither simulated nor compared)."""

    def __init__(self, targets):
        self.targets = tuple(targets)

    def __call__(self, x: dict, x_0: dict) -> float:
        return distance(x, self.targets)


def prior(free):
    """Uniform prior over each free parameter's declared range."""
    import pyabc

    return pyabc.Distribution(**{f.param: pyabc.RV("uniform", f.low, f.high - f.low) for f in free})


def make_sampler(settings: Settings):
    """The pyabc sampler of `settings.engine` (the distributed engine of the calibration)."""
    from pyabc import sampler

    if settings.engine == "single":
        s = sampler.SingleCoreSampler(check_max_eval=True)   # the budget caps a generation (calibration_budget)
    elif settings.engine == "multicore":
        from experiments.executors import available_cores

        s = sampler.MulticoreEvalParallelSampler(n_procs=settings.workers or available_cores(), check_max_eval=True)
    elif settings.engine == "dask":
        from dask.distributed import Client, LocalCluster

        client = dask_client(settings.address) if settings.address else Client(
            LocalCluster(n_workers=settings.workers or 2, threads_per_worker=1, processes=True,
                         dashboard_address=None))
        s = sampler.DaskDistributedSampler(dask_client=client, batch_size=1)
    else:
        raise ValueError(f"--engine {settings.engine!r}: allowed: multicore, single, dask")
    s.show_progress = settings.progress
    return s


def run_signature(spec: CaseSpec, settings: Settings, seeds) -> dict:
    """What must not change between a run and its resumption."""
    return dict(scenario=spec.name, population=settings.population, seeds=list(seeds),
                free=[asdict(f) for f in spec.calibration.free],
                targets=[[t.name, t.value, t.tolerance, t.bound] for t in spec.of_role("calibration")])


def open_abc(simulate, free, targets, settings: Settings, signature: dict):
    """(abc, generations already stored): a new pyabc run of `simulate` (parameters -> {target:
    figure}) over the uniform prior of `free`, or the run stored in `settings.db` resumed."""
    import pyabc

    for logger in [n for n in logging.root.manager.loggerDict if n.startswith("ABC")] + ["ABC"]:
        logging.getLogger(logger).setLevel(logging.WARNING)
    db = Path(settings.db)
    meta = db.with_suffix(".json")
    if settings.fresh:
        for f in (db, meta):
            f.unlink(missing_ok=True)
    abc = pyabc.ABCSMC(simulate, prior(free), Distance(targets), population_size=settings.population,
                       sampler=make_sampler(settings))
    url = f"sqlite:///{db.resolve()}"
    if db.exists() and meta.exists():
        stored = json.loads(meta.read_text())
        if stored["signature"] != signature:
            raise ValueError(f"{db}: holds a calibration with other settings ({_differences(stored['signature'], signature)}); "
                             "give the same settings to resume, or --fresh to start over")
        history = abc.load(url, stored["abc_id"])
        return abc, history.max_t + 1
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    history = abc.new(url, {t.name: t.value for t in targets})
    meta.write_text(json.dumps(dict(signature=signature, abc_id=history.id), indent=1))
    return abc, 0


def abc_smc(simulate, free, targets, settings: Settings, signature: dict, say=print_flushed, clock=time.monotonic):
    """(posterior particles with a `weight` column, [generation records]): ABC-SMC of `simulate`
    to `targets`, resumed from `settings.db` when it holds the same run (`signature`); `clock`
    (seconds) measures the wall-clock budget."""
    abc, done = open_abc(simulate, free, targets, settings, signature)
    wall = "no wall-clock budget" if settings.max_minutes is None else f"{settings.max_minutes:.3g} min wall-clock budget"
    say(f"ABC-SMC of {', '.join(f.param for f in free)} on {len(targets)} targets: population "
        f"{settings.population}, at most {settings.generations} generations ({done} stored), {wall}, "
        f"engine {settings.engine}")
    try:
        with quiet_forked_workers() if settings.engine == "multicore" else nullcontext():   # no worker tracebacks
            generations = run_generations(abc, done, settings, say, clock)
    finally:
        client = getattr(abc.sampler, "client", None)
        if client is not None:               # our client; and our own local Dask cluster: shut it down
            cluster = client.cluster if settings.address is None else None
            client.close()
            if cluster is not None:
                cluster.close()
    frame, w = abc.history.get_distribution()
    record_session(settings.db, abc.clusterlab_session, len(generations))
    return frame.reset_index(drop=True).assign(weight=w), generations


def _differences(a: dict, b: dict) -> str:
    return ", ".join(k for k in a if a.get(k) != b.get(k)) or "unknown"


def calibrate(name, settings: Settings, say=print_flushed) -> dict:
    """Run (or resume) the calibration of case `name`; write its outputs; return run.json's content."""
    spec = case_spec(name, with_references=False)
    if spec.calibration is None or not spec.calibration.free or not spec.of_role("calibration"):
        raise ValueError(f"{spec.name}: no [calibration] with [[calibration.free]] parameters and calibration "
                         "targets: nothing to calibrate")
    seeds = tuple(settings.seeds or spec.calibration.seeds)
    from experiments.case_targets import with_reference_runs

    spec = with_reference_runs(spec, seeds)
    settings.db = Path(settings.db or DEFAULT_DB / f"{spec.name}.db")
    settings.out = Path(settings.out or DEFAULT_OUT / spec.name)
    start = time.monotonic()
    say(f"{spec.name}: seeds {list(seeds)} (common random numbers)")
    targets = spec.of_role("calibration")
    post, generations = abc_smc(Simulator(spec, seeds), spec.calibration.free, targets, settings,
                                run_signature(spec, settings, seeds), say)
    return write_outputs(spec, settings, seeds, post, generations, time.monotonic() - start, say)


def write_outputs(spec, settings, seeds, post, generations, seconds, say) -> dict:
    out = settings.out
    out.mkdir(parents=True, exist_ok=True)
    post.to_parquet(out / "posterior.parquet", index=False)
    table = posterior_table(post, spec)
    table.to_csv(out / "posterior.csv", index=False)
    medians = dict(zip(table["param"], table["median"]))
    fit = summarise(measure_runs(spec, medians, seeds), spec.targets)
    predictive = predictive_check(spec, post, seeds, settings.draws, np.random.default_rng(0))
    predictive.to_csv(out / "predictive.csv", index=False)
    pair_plot(post, spec, out / "pairs.png")
    sessions = json.loads(Path(settings.db).with_suffix(".json").read_text()).get("sessions", [])
    info = dict(scenario=spec.name, population=settings.population, generations=len(generations),
                budget=dict(population=settings.population, generations=settings.generations,
                            max_minutes=settings.max_minutes, min_epsilon=settings.min_epsilon),
                stopped=sessions[-1]["stopped"] if sessions else "generations",
                seeds=list(seeds), engine=settings.engine, workers=settings.workers,
                seconds_this_session=round(seconds, 1),
                sampling_seconds=round(sum(x["seconds"] for x in sessions), 1), sessions=sessions,
                simulations=int(sum(g["samples"] for g in generations)),
                epsilon=[float(g["epsilon"]) for g in generations], posterior_median=medians)
    (out / "run.json").write_text(json.dumps(info, indent=1, default=float))
    (out / "posterior.md").write_text(markdown(spec, info, table, fit, predictive))
    say(f"wrote {out}/: posterior.parquet, posterior.md, posterior.csv, pairs.png, predictive.csv, run.json "
        f"({seconds:.0f} s)")
    return info


def calibratable_cases() -> list[str]:
    """The shipped case scenarios with free parameters and calibration targets, shortest run first
    (a proxy for the cost of an evaluation: datang and jiangxi run 80 quarters, jilin 24)."""
    from experiments.validation import case_names

    out = []
    for name in case_names():
        spec = case_spec(name, with_references=False)
        if spec.calibration is not None and spec.calibration.free and spec.of_role("calibration"):
            out.append((spec.steps, name))
    return [name for _, name in sorted(out)]


def calibrate_all(settings: Settings, say=print_flushed, clock=time.monotonic, cases=None) -> dict:
    """Calibrate every case in turn (`cases`, default the shipped ones), each with its own database
    and outputs, the round pooling `settings.max_minutes` per case (`round_shares`)."""
    from dataclasses import replace

    cases = list(cases or calibratable_cases())
    shares, done = round_shares(len(cases), settings.max_minutes), {}
    budget = next(shares)
    for i, name in enumerate(cases):
        start = clock()
        say(f"round: case {i + 1}/{len(cases)}" + ("" if budget is None else f", {budget:.1f} min of the pool"))
        done[name] = calibrate(name, replace(settings, db=None, out=None, max_minutes=budget), say)
        if i + 1 < len(cases):
            budget = shares.send((clock() - start) / 60.0)
    say("round: " + "; ".join(f"{n} {i['generations']} generations ({i['stopped']}), {i['seconds_this_session']:.0f} s, "
                              f"epsilon {i['epsilon'][-1]:.3g}" for n, i in done.items()))
    return done


# --- command line ----------------------------------------------------------------------------
def add_arguments(parser) -> None:
    from experiments.cli import positive_int

    b = BUDGET
    parser.add_argument("scenario", metavar="SCENARIO", nargs="?",
                        help="a case scenario with [calibration] and [[targets]] (or --all)")
    parser.add_argument("--all", action="store_true",
                        help="calibrate every case in turn, pooling --max-minutes per case over the round")
    parser.add_argument("--population", type=positive_int, default=b.population,
                        help=f"particles per generation (default {b.population})")
    parser.add_argument("--generations", type=positive_int, default=b.generations,
                        help=f"SMC generations at most (default {b.generations})")
    parser.add_argument("--max-minutes", type=nonnegative_float, default=b.max_minutes,
                        help=f"wall-clock budget of the sampling per case; 0 = none (default {b.max_minutes:g})")
    parser.add_argument("--min-epsilon", type=nonnegative_float, default=b.min_epsilon,
                        help=f"stop once epsilon (RMS miss in tolerances) reaches this (default {b.min_epsilon:g})")
    parser.add_argument("--seeds", type=argparse_type(parse_seed_list, "--seeds"), help="comma-separated seeds (default: the scenario's [calibration] seeds)")
    parser.add_argument("--engine", choices=("multicore", "single", "dask"), default="multicore",
                        help="pyabc sampler: processes on this machine (default), this process, or Dask")
    parser.add_argument("--workers", type=positive_int, help="processes or local Dask workers (default: all cores)")
    parser.add_argument("--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask)")
    parser.add_argument("--db", type=nonempty_path, help="pyabc database (default runs/calibrate/<scenario>.db)")
    parser.add_argument("--out", type=nonempty_path, help="output folder (default docs/calibration/<scenario>)")
    parser.add_argument("--fresh", action="store_true", help="discard a stored run instead of resuming it")
    parser.add_argument("--draws", type=positive_int, default=6, help="posterior draws for the predictive check")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def cli(args) -> int:
    if (args.scenario is None) == (not args.all):
        raise ValueError("give one SCENARIO or --all (not both)")
    if args.all and (args.db or args.out):
        raise ValueError("--db and --out name one case's files: not with --all")
    for option, folder in (("--out", args.out or DEFAULT_OUT), ("--db", args.db.parent if args.db else DEFAULT_DB)):
        check_writable(folder, option if folder not in (DEFAULT_OUT, DEFAULT_DB) else f"{option} (default)")
    if args.address and args.engine != "dask":       # else silently ignored: the sampling would run here
        raise InputError(f"--address {args.address}: only with --engine dask (given: --engine {args.engine})")
    if args.workers not in (None, 1) and (args.engine == "single" or args.address):
        where = "--engine single" if args.engine == "single" else "--address"
        raise InputError(f"--workers {args.workers}: not with {where} (this process, or the scheduler's own "
                         "workers); allowed: --engine multicore, or dask without --address")
    if args.engine != "dask" or not args.address:
        from experiments.executors import available_cores

        check_workers(args.workers, available_cores())
    else:                   # the scheduler is reached before the reference runs, not after them
        dask_client(args.address).close()
    settings = Settings(population=args.population, generations=args.generations,
                        max_minutes=args.max_minutes or None, min_epsilon=args.min_epsilon, seeds=args.seeds,
                        engine=args.engine, workers=args.workers, address=args.address, db=args.db, out=args.out,
                        fresh=args.fresh, draws=args.draws, progress=not args.quiet)
    try:
        calibrate_all(settings) if args.all else calibrate(args.scenario, settings)
    except KeyboardInterrupt as stop:          # Ctrl-C, or SIGTERM (experiments.interrupts.Terminated)
        terminated = isinstance(stop, Terminated)
        print(f"clusterlab calibrate: {'terminated (SIGTERM)' if terminated else 'interrupted'}; every finished "
              "generation is stored: run the same command to resume", file=sys.stderr)
        return 143 if terminated else 130
    return 0
