"""How many runs a sweep makes, computed from its description before anything is sampled, and
the bound a batch may not exceed.

    full_factorial                   Π_f n_f            (n_f: values or levels of factor f)
    one_at_a_time, dose_response     1 + Σ_f n_f at most (each factor alone around a reference)
    fixed_budget                     1 + C(levels − 1 + D − 1, D − 1)   (splits of the budget)
    latin_hypercube                  N
    sobol                            N (D + 2), or N (2D + 2) with second-order indices (Saltelli)
    morris                           N (D + 1)           (N trajectories of D + 1 points)

with D the varied factors (+1 for the noise-floor dummy), times `replications`. A batch keeps
one run spec (≈ 1 KB) per run in memory and one Parquet file per run on disk, so `MAX_RUNS`
bounds both; a sweep above it is refused, naming the keys that make it big, before the
sampler or the run specs are built.
"""

from __future__ import annotations

import math

MAX_RUNS = 1_000_000


def design_size(sw) -> int:
    """Design points of sweep `sw` (an `experiments.design.Sweep`), from its description only."""
    sizes = [len(f.values) if f.values is not None else int(f.levels or 1) for f in sw.factors]
    D = len(sizes) + int(bool(getattr(sw, "dummy", False)))
    N = int(sw.samples or 0)
    if sw.method == "full_factorial":
        return math.prod(sizes)
    if sw.method in ("one_at_a_time", "dose_response"):
        return 1 + sum(sizes)
    if sw.method == "fixed_budget":
        return 1 + math.comb(int(sw.levels) - 1 + D - 1, max(D - 1, 0))
    return {"latin_hypercube": N, "sobol": N * ((2 * D + 2) if sw.second_order else (D + 2)),
            "morris": N * (D + 1)}.get(sw.method, 0)


def size_problem(sw) -> tuple[str, str] | None:
    """None if the sweep fits in MAX_RUNS, else (the key to blame, the message saying how big it is)."""
    points = design_size(sw)
    runs = points * max(int(sw.replications), 1)
    if runs <= MAX_RUNS:
        return None
    key = ("replications" if sw.replications > 1 and points <= MAX_RUNS else
           "design.samples" if sw.samples else "design.levels" if sw.method == "fixed_budget" else "vary")
    return key, (f"{runs:.3g} runs ({points:.3g} design points of the {sw.method} design × {sw.replications} "
                 f"replications), more than {MAX_RUNS:,} (one spec in memory and one file on disk each)")
