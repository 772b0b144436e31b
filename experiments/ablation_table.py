"""The README's ablation table: the baseline with every mechanism on, and with one mechanism
switched off at a time (its strength parameter at 0, or random location for the dartboard null),
final values after `--steps` quarters, mean over `--seeds` (common random numbers: seed k is the
same in every row).

    python -m experiments.ablation_table                      # 80 quarters, seeds 0–2, Markdown
    python -m experiments.ablation_table --steps 40 --seeds 0 1 --workers 2

tests/test_mechanisms.py asserts the directions of these differences over paired seeds.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

ABLATIONS: dict[str, dict] = {
    "all mechanisms (baseline)": {},
    "random location (dartboard null)": {"location_choice": "random"},
    "agglomeration = 0": {"agglomeration": 0.0},
    "spillover = 0 (space and ties)": {"spillover": 0.0, "network_spillover": 0.0},
    "spinoff_rate = 0": {"spinoff_rate": 0.0},
    "innovation = 0": {"innovation": 0.0},
}
# (indicator column, header, format); spin-offs are summed over the run, the rest are final values.
COLUMNS = [("value_added", "value_added", "{:.0f}"), ("ellison_glaeser", "ellison_glaeser", "{:.3f}"),
           ("morans_i", "morans_i", "{:.3f}"), ("mean_knowledge", "mean_knowledge", "{:.3f}"),
           ("firms", "firms", "{:.0f}"), ("suppliers", "suppliers", "{:.0f}"),
           ("local_sourcing_share", "local_sourcing_share", "{:.3f}"), ("spinoffs", "spin-offs (total)", "{:.0f}")]


def one_run(job: tuple[str, int, int]) -> dict[str, float]:
    """Final indicators of the baseline scenario under ablation `name`, seed, steps."""
    from scenarios import build

    name, seed, steps = job
    df = build("baseline", seed=seed, **ABLATIONS[name]).run(steps).results()
    row = {col: float(df[col].iloc[-1]) for col, _, _ in COLUMNS}
    row["spinoffs"] = float(df["spinoffs"].sum())
    return row


def table(steps: int = 80, seeds=(0, 1, 2), workers: int = 1) -> str:
    """The Markdown table: one row per ablation, the mean over `seeds` of each column."""
    jobs = [(name, s, steps) for name in ABLATIONS for s in seeds]
    with ProcessPoolExecutor(workers) as pool:
        rows = list(pool.map(one_run, jobs))
    lines = ["| run | " + " | ".join(h for _, h, _ in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for i, name in enumerate(ABLATIONS):
        chunk = rows[i * len(seeds):(i + 1) * len(seeds)]
        cells = [fmt.format(np.mean([r[col] for r in chunk])) for col, _, fmt in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    print(table(a.steps, tuple(a.seeds), a.workers))


if __name__ == "__main__":
    main()
