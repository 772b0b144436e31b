"""`clusterlab calibrate SCENARIO`: approximate Bayesian computation by sequential Monte Carlo.

The case scenario declares its free parameters (`[[calibration.free]]`: ≤ 8, each with a range
and a reason) and its target figures (`[[targets]]`, scenarios/targets.py). The prior is uniform
over each range; a particle's summary statistics are its calibration figures, each the mean over
the common-random-number seeds `[calibration] seeds`; the distance is the root mean square of
the figures' misses in tolerances (`experiments.case_targets.distance`: 0 when every figure lies
inside its tolerance). pyabc (Klinger, Rickert & Hasenauer 2018) runs the SMC with its adaptive
median epsilon and multivariate-normal perturbation kernel; its sampler is the engine:
`--engine multicore` (fork, one process per core), `single`, or `dask` (`--address` of a running
scheduler, else a local cluster) — the same code runs on a Dask cluster.

The pyabc database (`--db`, SQLite) holds every finished generation, so a killed run resumes
from its last finished generation when the same command is given again (`--fresh` starts over).
Outputs (`--out`, default docs/calibration/<scenario>/): posterior.parquet (particles of the last
generation and their weights), posterior.md and posterior.csv (weighted median and 90% interval
per parameter), pairs.png (pair plot), predictive.csv/.md (posterior-predictive check of the
held-out figures) and run.json (settings, simulations, wall time, epsilon per generation).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.case_targets import CaseSpec, case_spec, distance, measure_runs, summarise


@dataclass
class Settings:
    population: int = 24            # particles per generation
    generations: int = 3            # SMC generations in total (a resumed run counts the stored ones)
    seeds: tuple | None = None      # None: the scenario's [calibration] seeds
    engine: str = "multicore"       # multicore, single or dask
    workers: int | None = None      # processes (multicore) or local Dask workers
    address: str | None = None      # Dask scheduler address
    db: Path | None = None          # default runs/calibrate/<scenario>.db
    out: Path | None = None         # default docs/calibration/<scenario>
    fresh: bool = False
    draws: int = 6                  # posterior draws for the predictive check
    progress: bool = True


def _say(text: str) -> None:
    print(text, flush=True)


class Simulator:
    """pyabc model: parameters -> {target: mean figure over the seeds}; picklable (Dask)."""

    def __init__(self, spec: CaseSpec, seeds):
        self.spec, self.seeds = spec, tuple(seeds)
        self.targets = spec.of_role("calibration")

    def __call__(self, par) -> dict:
        table = measure_runs(self.spec, dict(par), self.seeds, self.targets)
        return {t.name: float(table[t.name].mean()) for t in self.targets}


class Distance:
    """pyabc distance: misses in tolerances, root mean square (the observed data are the targets)."""

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
        s = sampler.SingleCoreSampler()
    elif settings.engine == "multicore":
        from experiments.executors import available_cores

        s = sampler.MulticoreEvalParallelSampler(n_procs=settings.workers or available_cores())
    elif settings.engine == "dask":
        from dask.distributed import Client, LocalCluster

        client = Client(settings.address) if settings.address else Client(
            LocalCluster(n_workers=settings.workers or 2, threads_per_worker=1, processes=True))
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


def abc_smc(simulate, free, targets, settings: Settings, signature: dict, say=_say):
    """(posterior particles with a `weight` column, [generation records]): ABC-SMC of `simulate`
    to `targets`, resumed from `settings.db` when it holds the same run (`signature`)."""
    abc, done = open_abc(simulate, free, targets, settings, signature)
    say(f"ABC-SMC of {', '.join(f.param for f in free)} on {len(targets)} targets: population "
        f"{settings.population}, {settings.generations} generations ({done} stored), engine {settings.engine}")
    try:
        generations = run_generations(abc, done, settings, say)
    finally:
        client = getattr(abc.sampler, "client", None)
        if client is not None and settings.address is None:   # our own local Dask cluster: shut it down
            cluster = client.cluster
            client.close()
            cluster.close()
    frame, w = abc.history.get_distribution()
    return frame.reset_index(drop=True).assign(weight=w), generations


def _differences(a: dict, b: dict) -> str:
    return ", ".join(k for k in a if a.get(k) != b.get(k)) or "unknown"


def run_generations(abc, done: int, settings: Settings, say=_say) -> list[dict]:
    """Sample generations done+1 .. settings.generations in one pyabc run (its adaptive epsilon
    intact), reporting each finished generation with the time it took and an ETA."""
    times, original = [], abc.run_generation

    def generation(t: int):
        start = time.monotonic()
        result = original(t=t)
        times.append(time.monotonic() - start)
        pops = abc.history.get_all_populations()
        last = pops.iloc[-1]
        eta = np.mean(times) * (settings.generations - t - 1)
        say(f"generation {t + 1}/{settings.generations}: epsilon {last['epsilon']:.3g}, "
            f"{int(last['samples'])} simulations, {times[-1]:.0f} s; ETA {eta:.0f} s")
        return result

    if settings.generations > done:
        abc.run_generation = generation      # pyabc's run() calls self.run_generation(t=t) per generation
        abc.run(max_nr_populations=settings.generations - done)
    pops = abc.history.get_all_populations()
    return pops[pops["t"] >= 0].to_dict("records")


# --- the posterior ---------------------------------------------------------------------------
def weighted_quantile(values, weights, q) -> np.ndarray:
    """Quantiles `q` of `values` under normalised `weights` (midpoint interpolation of the weighted CDF)."""
    v, w = np.asarray(values, float), np.asarray(weights, float)
    v, w = v[w > 0], w[w > 0]
    order = np.argsort(v)
    v, w = v[order], w[order] / w.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return np.interp(np.atleast_1d(q), cdf, v)


def posterior_table(post: pd.DataFrame, spec: CaseSpec) -> pd.DataFrame:
    """Per free parameter: weighted median and 90% interval, the prior range, the reason."""
    rows = []
    for f in spec.calibration.free:
        q05, med, q95 = weighted_quantile(post[f.param], post["weight"], [0.05, 0.5, 0.95])
        rows.append(dict(param=f.param, median=med, q05=q05, q95=q95, prior_low=f.low, prior_high=f.high,
                         reason=f.reason))
    return pd.DataFrame(rows)


def pair_plot(post: pd.DataFrame, spec: CaseSpec, path: Path) -> Path:
    """Weighted pair plot: histograms on the diagonal, particles (size ∝ weight) below it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f.param for f in spec.calibration.free]
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n + 1, 2.2 * n + 1), squeeze=False)
    w = post["weight"].to_numpy() / post["weight"].sum()
    for i, yi in enumerate(spec.calibration.free):
        for j, xj in enumerate(spec.calibration.free):
            ax = axes[i, j]
            if i == j:
                ax.hist(post[xj.param], bins=12, range=(xj.low, xj.high), weights=w, color="tab:blue")
            elif i > j:
                ax.scatter(post[xj.param], post[yi.param], s=200 * w + 4, alpha=0.6)
                ax.set_xlim(xj.low, xj.high)
                ax.set_ylim(yi.low, yi.high)
            else:
                ax.axis("off")
            if i == n - 1:
                ax.set_xlabel(xj.param, fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(yi.param, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(f"{spec.name}: ABC-SMC posterior (last generation)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def predictive_check(spec: CaseSpec, post: pd.DataFrame, seeds, draws: int, rng) -> pd.DataFrame:
    """Held-out figures at `draws` posterior particles (drawn by weight), each the mean over `seeds`:
    median, 90% interval over the draws, and the share of draws inside the tolerance."""
    held = spec.of_role("held_out")
    if not held or post.empty:
        return pd.DataFrame()
    names = [f.param for f in spec.calibration.free]
    picks = rng.choice(len(post), size=draws, p=(post["weight"] / post["weight"].sum()).to_numpy())
    means = pd.DataFrame([measure_runs(spec, post.iloc[i][names].to_dict(), seeds, held).mean() for i in picks])
    rows = []
    for t in held:
        q05, med, q95 = np.nanquantile(means[t.name], [0.05, 0.5, 0.95])
        rows.append(dict(target=t.name, value=t.value, bound=t.bound, tolerance=t.tolerance, median=med, q05=q05,
                         q95=q95, inside=float(np.mean([t.passes(v) for v in means[t.name]])), draws=draws))
    return pd.DataFrame(rows)


def calibrate(name, settings: Settings, say=_say) -> dict:
    """Run (or resume) the calibration of case `name`; write its outputs; return run.json's content."""
    spec = case_spec(name, with_references=False)
    if spec.calibration is None or not spec.calibration.free or not spec.of_role("calibration"):
        raise ValueError(f"{spec.name}: no [calibration] with [[calibration.free]] parameters and calibration "
                         "targets: nothing to calibrate")
    seeds = tuple(settings.seeds or spec.calibration.seeds)
    from experiments.case_targets import with_reference_runs

    spec = with_reference_runs(spec, seeds)
    settings.db = Path(settings.db or Path("runs") / "calibrate" / f"{spec.name}.db")
    settings.out = Path(settings.out or Path("docs") / "calibration" / spec.name)
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
    info = dict(scenario=spec.name, population=settings.population, generations=len(generations),
                seeds=list(seeds), engine=settings.engine, seconds_this_session=round(seconds, 1),
                simulations=int(sum(g["samples"] for g in generations)),
                epsilon=[float(g["epsilon"]) for g in generations], posterior_median=medians)
    (out / "run.json").write_text(json.dumps(info, indent=1, default=float))
    (out / "posterior.md").write_text(_markdown(spec, info, table, fit, predictive))
    say(f"wrote {out}/: posterior.parquet, posterior.md, posterior.csv, pairs.png, predictive.csv, run.json")
    return info


def _markdown(spec, info, table, fit, predictive) -> str:
    lines = [f"# Calibration of `{spec.name}`", "",
             f"ABC-SMC (pyabc): population {info['population']}, {info['generations']} generations, "
             f"{info['simulations']} simulations × {len(info['seeds'])} seeds {info['seeds']} (common random numbers), "
             f"final epsilon {info['epsilon'][-1]:.3g} (RMS miss in tolerances).", "",
             "| parameter | median | 90% interval | prior | reason |", "|---|---|---|---|---|"]
    lines += [f"| {r.param} | {r.median:.4g} | [{r.q05:.4g}, {r.q95:.4g}] | [{r.prior_low:g}, {r.prior_high:g}] | "
              f"{r.reason} |" for r in table.itertuples()]
    lines += ["", "At the posterior medians (same seeds):", "", "| target | role | figure | model | result |",
              "|---|---|---|---|---|"]
    lines += [f"| {r.target} | {r.role} | {r.value:g} | {r.model_mean:.4g} | {r.result} |" for r in fit.itertuples()]
    if not predictive.empty:
        lines += ["", f"Posterior-predictive check of the held-out figures ({int(predictive['draws'][0])} draws):", "",
                  "| target | figure | median | 90% interval | draws inside tolerance |", "|---|---|---|---|---|"]
        lines += [f"| {r.target} | {r.value:g} | {r.median:.4g} | [{r.q05:.4g}, {r.q95:.4g}] | {r.inside:.0%} |"
                  for r in predictive.itertuples()]
    return "\n".join(lines) + "\n"


# --- command line ----------------------------------------------------------------------------
def add_arguments(parser) -> None:
    from experiments.cli import positive_int

    parser.add_argument("scenario", metavar="SCENARIO", help="a case scenario with [calibration] and [[targets]]")
    parser.add_argument("--population", type=positive_int, default=24, help="particles per generation (default 24)")
    parser.add_argument("--generations", type=positive_int, default=3, help="SMC generations in total (default 3)")
    parser.add_argument("--seeds", help="comma-separated seeds (default: the scenario's [calibration] seeds)")
    parser.add_argument("--engine", choices=("multicore", "single", "dask"), default="multicore",
                        help="pyabc sampler: processes on this machine (default), this process, or Dask")
    parser.add_argument("--workers", type=positive_int, help="processes or local Dask workers (default: all cores)")
    parser.add_argument("--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask)")
    parser.add_argument("--db", type=Path, help="pyabc database (default runs/calibrate/<scenario>.db)")
    parser.add_argument("--out", type=Path, help="output folder (default docs/calibration/<scenario>)")
    parser.add_argument("--fresh", action="store_true", help="discard a stored run instead of resuming it")
    parser.add_argument("--draws", type=positive_int, default=6, help="posterior draws for the predictive check")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def cli(args) -> int:
    seeds = tuple(int(s) for s in args.seeds.split(",")) if args.seeds else None
    settings = Settings(population=args.population, generations=args.generations, seeds=seeds, engine=args.engine,
                        workers=args.workers, address=args.address, db=args.db, out=args.out, fresh=args.fresh,
                        draws=args.draws, progress=not args.quiet)
    try:
        calibrate(args.scenario, settings)
    except KeyboardInterrupt:
        print("clusterlab calibrate: interrupted; every finished generation is stored: run the same command "
              "to resume")
        return 130
    return 0
