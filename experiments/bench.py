"""Scaling benchmark: ClusterModel from 1,000 to 100,000 firms and suppliers.

    python -m experiments.bench [--sizes 1000,10000,100000] [--steps N] [--repeats R]
                                [--naive-size 10000] [--quick] [--out FILE]

Each size runs in a fresh Python process (so its peak memory is its own), with every mechanism
on and the government active (R&D subsidy, technology centre, training, infrastructure,
university links, credit guarantees, start-up grants, investment attraction, brand, market,
association, IP protection, environmental regulation, subsidised parks). The grid grows with the
number of agents at a fixed density of 0.4 enterprises per cell (a bigger province, not a more
crowded one): 1,000 → 50 × 50, 10,000 → 158 × 158, 100,000 → 500 × 500.

Per size: construction time; seconds per step after one warm-up step (each repeat builds a fresh
model and times `--steps` steps; min and median over repeats of the mean step); peak resident
memory of the process, and of the model alone (peak minus the process after its imports); and
the share of step time per process step, from `model.phase_seconds`.

Naive reference, at `--naive-size` agents in the same process: the spatial spillover and
agglomeration quantities every enterprise reads — nearby employment E, the knowledge pool K, the
agglomeration gain, the contact rate and the spatial learning gain — computed the idiomatic Mesa
way, by per-agent Python loops over `cell.get_neighborhood(radius=R)` (`spillover_naive`),
side by side with the model's own vectorised computation: its whole fields phase (all the fields
of a step, FFT convolution) plus the reads (`spillover_fast`). The two must agree (tests).

The scaling exponent b is the least-squares slope of log(seconds per step) on log(agents).
Targets (pass/fail; step times judged by the median over repeats, as issue 10 requires — the
minimum, the usual best-case estimate on a shared machine, is shown next to it): 100,000 agents ≤ 0.25 s per step,
10,000 ≤ 30 ms, ≥ 100× faster than the naive reference at 10,000, b ≤ 1.15 over 1,000–100,000,
model memory at 100,000 ≤ 1.5 GiB, construction at 100,000 ≤ 5 s.

`--portable-cost` runs each size twice, in numpy's default dispatch and in portable mode
(clusterlab_portable: baseline kernels only), and reports the difference (not judged by targets).
`--out FILE` also writes the results: FILE.json / FILE.md by suffix, both for any other name.
`main(argv)` is the entry point (`clusterlab bench`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import clusterlab_portable
from experiments.bench_model import DENSITY, bench_params, build, check_size, side_for  # noqa: F401 (re-exported)
from experiments.inputs import (
    argparse_type,
    check_replication_seeds,
    check_writable,
    nonempty_path,
    parse_seed,
    positive_int,
)

# numpy and the model are imported inside the functions: `clusterlab --help` stays fast.
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1000, 10_000, 100_000)
TARGETS = {
    "step_100k_s": 0.25,
    "step_10k_s": 0.030,
    "naive_ratio": 100.0,
    "exponent": 1.15,
    "memory_100k_mib": 1.5 * 1024,
    "construct_100k_s": 5.0,
}


# --- spillover and agglomeration: the model's way and the naive way --------------------------
def _spatial_reads(model, E, pool):
    """What every enterprise reads from the fields: dict of arrays over `population.live`."""
    from model import agglomeration, fields, spillover

    p, pop = model.params, model.population
    k = pop.knowledge[pop.live]
    plants = fields.in_plant_units(E, p["plant_scale"])
    contact = spillover.contact(plants, p["contact_scale"])
    leakage = spillover.leakage(model.government.effective("ip_protection"), p["ip_leak_cut"])
    return {
        "employment_near": E,
        "knowledge_pool": pool,
        "agglomeration_gain": agglomeration.productivity_gain(plants, p["agglomeration"], p["agglomeration_scale"]),
        "contact": contact,
        "spatial_learning": spillover.spatial_learning(k, pool, contact, p["spillover"], leakage,
                                                       p["optimal_cognitive_distance"]),
    }


def spillover_fast(model) -> dict:
    """The model's computation: its whole fields phase (`update_fields`: every field of a step by
    FFT convolution), then each enterprise reads E and K at its cell. Leaves the model's state as
    it was (the phase also lets labour migrate: that is undone)."""
    labour = model.labour_supply.copy()
    model.update_fields()
    model.labour_supply[:] = labour
    pop, f = model.population, model.fields
    x, y = pop.x[pop.live], pop.y[pop.live]
    return _spatial_reads(model, f["employment"][x, y], f["pool"][x, y])


def spillover_naive(model) -> dict:
    """The same quantities with per-agent Python loops over Mesa grid neighbourhoods:

        E_i = Σ_{j : d(i,j) ≤ R} exp(−d/λ) L_j,     K_i = Σ_j exp(−d/λ) L_j k_j / E_i,

    for every enterprise i, visiting the cells of `cell.get_neighborhood(radius=R)` (the
    (2R+1)² Moore square; cells beyond Euclidean distance R are skipped) and the agents in them.
    Each agent's workers and knowledge are read once up front, so the loops cost plain Python."""
    import numpy as np

    p, pop = model.params, model.population
    radius, decay = p["kernel_radius"], p["kernel_decay"]
    agents = [pop.agent[row] for row in pop.live]
    state = {agent: (agent.workers, agent.knowledge) for agent in agents}
    E = np.zeros(len(agents))
    pool = np.zeros(len(agents))
    for i, agent in enumerate(agents):
        ax, ay = agent.cell.coordinate
        near = weighted = 0.0
        for cell in agent.cell.get_neighborhood(radius=radius, include_center=True):
            cx, cy = cell.coordinate
            d = math.hypot(cx - ax, cy - ay)
            if d > radius:
                continue
            w = math.exp(-d / decay)
            for other in cell.agents:
                workers, knowledge = state[other]
                near += w * workers
                weighted += w * workers * knowledge
        E[i] = near
        pool[i] = weighted / near if near > 1e-9 else 0.0
    return _spatial_reads(model, E, pool)


def compare_spillover(model) -> float:
    """Largest relative difference between the fast and the naive quantities."""
    import numpy as np

    fast, naive = spillover_fast(model), spillover_naive(model)
    return max(float(np.max(np.abs(fast[k] - naive[k]) / np.maximum(np.abs(naive[k]), 1e-12), initial=0.0))
               for k in fast)


# --- one size, in its own process -------------------------------------------------------------
def _rss_mib() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(n: int, steps: int, repeats: int, naive: bool, seed: int = 1) -> dict:
    """Time construction and steps of fresh models with n agents; optionally the naive reference."""
    import gc

    import numpy as np

    import model.model  # noqa: F401  (imports before the memory baseline)

    base = _rss_mib()
    construct, per_step, phases, agents_end = [], [], {}, 0
    for r in range(repeats):
        started = time.perf_counter()
        m = build(n, seed + r)
        construct.append(time.perf_counter() - started)
        m.step()  # warm-up: caches, first allocations
        m.phase_seconds.clear()
        started = time.perf_counter()
        for _ in range(steps):
            m.step()
        per_step.append((time.perf_counter() - started) / steps)
        for name, seconds in m.phase_seconds.items():
            phases[name] = phases.get(name, 0.0) + seconds
        agents_end = len(m.population)
        if r < repeats - 1 or not naive:
            del m
            gc.collect()
    out = dict(
        agents=n, grid=f"{side_for(n)} × {side_for(n)}", agents_after=agents_end, steps=steps, repeats=repeats,
        step_min_s=min(per_step), step_median_s=float(np.median(per_step)), step_all_s=per_step,
        construct_min_s=min(construct), construct_all_s=construct,
        peak_rss_mib=_peak_rss_mib(), model_mib=_peak_rss_mib() - base,
        phase_share={k: v / sum(phases.values()) for k, v in sorted(phases.items(), key=lambda kv: -kv[1])},
    )
    if naive:
        fast = []
        for _ in range(5):
            started = time.perf_counter()
            spillover_fast(m)
            fast.append(time.perf_counter() - started)
        slow = []
        for _ in range(min(2, repeats)):
            started = time.perf_counter()
            spillover_naive(m)
            slow.append(time.perf_counter() - started)
        out.update(naive_s=min(slow), fast_fields_s=min(fast), naive_ratio=min(slow) / min(fast),
                   naive_vs_step=min(slow) / out["step_min_s"], naive_max_rel_diff=compare_spillover(m))
    out["numpy_dispatch"] = clusterlab_portable.label()
    return out


def _run_in_subprocess(n, steps, repeats, naive, seed, portable: bool | None = None) -> dict:
    """`measure` in a fresh process: in this one's numpy mode, or (`portable` True/False) in
    portable mode (clusterlab_portable) or numpy's default dispatch, whatever this process runs."""
    code = ("import json, sys; from experiments.bench import measure; "
            f"print('RESULT ' + json.dumps(measure({n}, {steps}, {repeats}, {naive}, {seed})))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env = env if portable is None else clusterlab_portable.child_environ(portable, env)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark at {n} agents failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


# --- the report ---------------------------------------------------------------------------------
def fit_exponent(rows) -> float | None:
    """Slope b of log(step seconds) = a + b·log(agents), least squares over the sizes run."""
    import numpy as np

    if len(rows) < 2:
        return None
    x = np.log([r["agents"] for r in rows])
    y = np.log([r["step_min_s"] for r in rows])
    return float(np.polyfit(x, y, 1)[0])


def verdicts(rows, exponent) -> list[tuple[str, str, str]]:
    """(target, measured, PASS/FAIL) for every target the sizes run can judge."""
    by_n = {r["agents"]: r for r in rows}
    out = []

    def add(name, shown, ok):
        out.append((name, shown, "PASS" if ok else "FAIL"))

    if 100_000 in by_n:
        r = by_n[100_000]
        add("step at 100,000 ≤ 0.25 s (median)", f"{r['step_median_s']:.3f} s (min {r['step_min_s']:.3f})",
            r["step_median_s"] <= TARGETS["step_100k_s"])
        add("model memory at 100,000 ≤ 1.5 GiB", f"{r['model_mib']:.0f} MiB (process peak {r['peak_rss_mib']:.0f})",
            r["model_mib"] <= TARGETS["memory_100k_mib"])
        add("construction at 100,000 ≤ 5 s", f"{r['construct_min_s']:.2f} s",
            r["construct_min_s"] <= TARGETS["construct_100k_s"])
    if 10_000 in by_n:
        r = by_n[10_000]
        add("step at 10,000 ≤ 30 ms (median)",
            f"{r['step_median_s'] * 1000:.1f} ms (min {r['step_min_s'] * 1000:.1f})",
            r["step_median_s"] <= TARGETS["step_10k_s"])
    for r in rows:
        if "naive_ratio" in r:
            add(f"≥ 100× the naive reference at {r['agents']:,}",
                f"{r['naive_ratio']:.0f}× ({r['naive_s']:.2f} s vs {r['fast_fields_s'] * 1000:.2f} ms; "
                f"max rel. diff {r['naive_max_rel_diff']:.1e})",
                r["naive_ratio"] >= TARGETS["naive_ratio"] and r["naive_max_rel_diff"] < 1e-8)
    sizes = [r["agents"] for r in rows]
    if exponent is not None and min(sizes) <= 1000 and max(sizes) >= 100_000:
        add("scaling exponent 1,000–100,000 ≤ 1.15", f"{exponent:.2f}", exponent <= TARGETS["exponent"])
    return out


def markdown(report: dict) -> str:
    rows = [r for r in report["sizes"] if not r.get("reference_only") and not r.get("portable")]
    before, after = report["load_average"]
    lines = [
        f"ClusterModel benchmark — {report['machine']}, load average {before:.1f} → {after:.1f} "
        f"(other processes share the cores); {report['steps']} timed steps after 1 warm-up, "
        f"{report['repeats']} repeat(s) (fresh model each); grid area grows with agents "
        f"(fixed density {DENSITY} enterprises per cell).",
        "",
        "| agents | grid | s/step min | s/step median | construct s | peak RSS MiB | model MiB | time by phase |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        top = ", ".join(f"{k} {v:.0%}" for k, v in list(r["phase_share"].items())[:4])
        lines.append(f"| {r['agents']:,} | {r['grid']} | {r['step_min_s']:.4f} | {r['step_median_s']:.4f} | "
                     f"{r['construct_min_s']:.2f} | {r['peak_rss_mib']:.0f} | {r['model_mib']:.0f} | {top} |")
    lines.append("")
    for r in report["sizes"]:
        if "naive_ratio" in r:
            lines.append(f"Naive reference at {r['agents']:,} agents (per-agent loops over "
                         f"`get_neighborhood(radius={report['kernel_radius']})`): {r['naive_s']:.2f} s; the model's "
                         f"fields phase + reads: {r['fast_fields_s'] * 1000:.2f} ms → **{r['naive_ratio']:.0f}×** "
                         f"(the whole model step is {r['naive_vs_step']:.0f}× faster than the naive spillover "
                         f"alone); max relative difference {r['naive_max_rel_diff']:.1e}.")
    lines += portable_lines(report)
    if report["exponent"] is not None:
        pairs = "; ".join(f"{a['agents']:,}→{b['agents']:,}: {fit_exponent([a, b]):.2f}" for a, b in zip(rows, rows[1:]))
        lines.append(f"Scaling exponent (log step time vs log agents, {', '.join(f'{r['agents']:,}' for r in rows)}): "
                     f"**{report['exponent']:.2f}** (between neighbouring sizes: {pairs}).")
    lines += ["", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {name} | {shown} | {verdict} |" for name, shown, verdict in report["verdicts"]]
    return "\n".join(lines) + "\n"


def portable_lines(report: dict) -> list[str]:
    """The cost of portable mode, per size measured both ways (`--portable-cost`)."""
    default = {r["agents"]: r for r in report["sizes"] if not r.get("portable") and not r.get("reference_only")}
    out = []
    for r in (r for r in report["sizes"] if r.get("portable") and r["agents"] in default):
        d = default[r["agents"]]
        out.append(f"Portable mode at {r['agents']:,} agents (numpy {r['numpy_dispatch']} kernels vs "
                   f"{d['numpy_dispatch']}): s/step median {r['step_median_s']:.4f} vs {d['step_median_s']:.4f} "
                   f"(**{r['step_median_s'] / d['step_median_s'] - 1:+.0%}**), min {r['step_min_s']:.4f} vs "
                   f"{d['step_min_s']:.4f} ({r['step_min_s'] / d['step_min_s'] - 1:+.0%}); construction "
                   f"{r['construct_min_s']:.2f} vs {d['construct_min_s']:.2f} s.")
    return out


def write(report: dict, out: Path) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    paths = [out] if suffix in (".json", ".md") else [out.with_name(out.name + ".json"), out.with_name(out.name + ".md")]
    for path in paths:
        text = json.dumps(report, indent=2) if path.suffix == ".json" else markdown(report)
        path.write_text(text, encoding="utf-8")
    return paths


def run(sizes, steps: int, repeats: int, naive_size: int | None, seed: int = 1, progress=print,
        portable_cost: bool = False) -> dict:
    """Measure every size in its own process; the report (a dict, as written to JSON). With
    `portable_cost`, each size runs in numpy's default dispatch and then in portable mode (rows
    marked "portable", not judged by the targets)."""
    load_before = os.getloadavg()[0]
    rows = []
    for n in sorted(sizes):
        progress(f"… {n:,} agents on {side_for(n)} × {side_for(n)}")
        rows.append(_run_in_subprocess(n, steps, repeats, n == naive_size, seed, False if portable_cost else None))
        if portable_cost:
            progress(f"… {n:,} agents, portable mode")
            rows.append({**_run_in_subprocess(n, steps, repeats, False, seed, True), "portable": True})
    if naive_size is not None and naive_size not in sizes:
        progress(f"… naive reference at {naive_size:,} agents")
        row = _run_in_subprocess(naive_size, 1, 1, True, seed)
        rows.append({**row, "reference_only": True})
    timed = [r for r in rows if not r.get("reference_only") and not r.get("portable")]
    exponent = fit_exponent(timed)
    from model.params import PARAMS

    report = dict(machine=f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
                  load_average=[load_before, os.getloadavg()[0]], steps=steps, repeats=repeats,
                  density=DENSITY, kernel_radius=PARAMS["kernel_radius"].default, sizes=rows, exponent=exponent)
    report["verdicts"] = verdicts([r for r in rows if not r.get("portable")], exponent)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return cli(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", default=None, help="comma-separated numbers of agents (default 1000,10000,100000)")
    parser.add_argument("--steps", type=positive_int, default=None, help="timed steps per repeat (default 5)")
    parser.add_argument("--repeats", type=positive_int, default=None, help="fresh models per size (default 5)")
    parser.add_argument("--naive-size", type=int, help="agents for the naive reference (default 10000; 0 = skip)")
    parser.add_argument("--seed", type=argparse_type(parse_seed, "--seed"), default=1)
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 agents, 3 steps, 1 repeat")
    parser.add_argument("--out", type=nonempty_path, default=None, help="also write FILE.json / FILE.md")
    parser.add_argument("--portable-cost", action="store_true",
                        help="each size also in portable mode (clusterlab --portable), side by side")


def cli(args) -> int:
    """Handler of `python -m experiments.bench` and `clusterlab bench`; exit 1 if a target fails."""
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")] if args.sizes else (
            [1000, 10_000] if args.quick else list(DEFAULT_SIZES))
    except ValueError:
        raise ValueError(f"--sizes: allowed: comma-separated numbers of agents ≥ 50, e.g. 1000,10000; "
                         f"given: {args.sizes[:60]!r}") from None
    steps = args.steps or (3 if args.quick else 5)
    repeats = args.repeats or (1 if args.quick else 5)
    naive_size = 10_000 if args.naive_size is None else (args.naive_size or None)
    for option, n in [("--sizes", n) for n in sizes] + [("--naive-size", naive_size)] * bool(naive_size):
        check_size(n, option)                          # before any model is built, not in its subprocess
    per = f"--repeats {repeats}" if args.repeats else f"{repeats} repeats (the default{' of --quick' * args.quick})"
    check_replication_seeds(args.seed, repeats, per)   # repeat r builds its model with seed + r
    if args.out:
        check_writable(args.out.parent, "--out")     # before the benchmark, not after it
    report = run(sizes, steps, repeats, naive_size, args.seed, progress=lambda s: print(s, file=sys.stderr),
                 portable_cost=args.portable_cost)
    print(markdown(report))
    if args.out:
        for path in write(report, args.out):
            print(f"wrote {path}")
    return 0 if all(v == "PASS" for _, _, v in report["verdicts"]) else 1


if __name__ == "__main__":
    sys.exit(main())
