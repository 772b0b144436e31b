"""The economics report of issue 10: stage structure, margins, stock-flow residuals, the opening
employment path and the no-policy budget path, over seeds.

    python -m experiments.economics_report                       # seeds 0–4, 160 quarters
    python -m experiments.economics_report --seeds 0 1 --steps 80 --scenarios baseline
    python -m experiments.economics_report --json report.json    # the figures as JSON too
    python -m experiments.economics_report --set work_to_order=1 # with parameters changed

For each scenario and seed it runs the model once and records, at the snapshot quarters (0, 80,
160 by default), each stage's share of enterprises and of employment and its profit margin
(Σ profit / Σ revenue, model.accounts.stage_margins); every quarter the stock-flow residual
(model.accounts); quarters 0–12 of employment relative to quarter 0; the government's budget;
the price cycle of each intermediate good and of the final good (`price_cycle`).
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model import accounts

OPENING = 12


def stage_snapshot(model) -> dict:
    """Shares of enterprises and employment and the margin of each stage 0 … S (last = final)."""
    pop, S = model.population, model.params["n_stages"]
    live = pop.live
    stage = pop.stage[live].astype(np.int64)
    n = np.bincount(stage, minlength=S + 1)
    emp = np.bincount(stage, pop.workers[live], S + 1)
    margin = accounts.stage_margins(stage, pop.profit[live], pop.revenue[live], S)
    return {"enterprises": int(n.sum()), "enterprise_share": (n / max(n.sum(), 1)).tolist(),
            "employment_share": (emp / max(emp.sum(), 1e-12)).tolist(),
            "margin": [None if np.isnan(v) else float(v) for v in margin],
            "stage_price": [float(v) for v in model.stage_price]}


def price_cycle(prices, burn_in: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """(lag-1 autocorrelation of the quarterly price changes, mean |Δp| / mean p) per column of
    `prices`, shape (quarters, goods), from quarter `burn_in` on (the opening is left out).

    The first-order autocorrelation of Δp_t is the cobweb's signature: near −1 for a price that
    alternates quarter by quarter (quantities decided on one quarter's price meeting the next
    quarter's market: Ezekiel 1938), −0.5 for a price level that is white noise, ≥ 0 for
    persistent moves. nan where a good's price never changes (e.g. it stays at import parity)."""
    d = np.diff(np.asarray(prices, float)[burn_in:], axis=0)
    a, b = d[:-1] - d[:-1].mean(axis=0), d[1:] - d[1:].mean(axis=0)
    den = np.sqrt((a * a).sum(axis=0) * (b * b).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        ac = np.where(den > 1e-15, (a * b).sum(axis=0) / np.where(den > 0, den, 1.0), np.nan)
    level = np.asarray(prices, float)[burn_in:].mean(axis=0)
    return ac, np.abs(d).mean(axis=0) / np.where(level > 0, level, np.nan)


def run_one(scenario: str, seed: int, steps: int, snapshots: tuple[int, ...], overrides=None) -> dict:
    """One run: snapshots, residuals, opening path and budget path (plain Python values);
    `overrides` {parameter: value} change the scenario's parameters (checked like the file)."""
    from scenarios import load_scenario

    model = load_scenario(scenario).with_overrides(**(overrides or {})).build(seed=seed)
    snaps = {0: stage_snapshot(model)} if 0 in snapshots else {}
    worst_abs = worst_rel = 0.0
    prices = []
    for t in range(1, steps + 1):
        before = model.stocks()
        model.step()
        prices.append([*map(float, model.stage_price), float(model.price)])
        worst_abs = max(worst_abs, abs(model.sfc_residual))
        worst_rel = max(worst_rel, accounts.relative_residual(before, model.stocks(), model.flows))
        if t in snapshots:
            snaps[t] = stage_snapshot(model)
    df = model.results()
    emp = df.employment
    autocorr, amplitude = price_cycle(prices) if steps > 11 else (np.full(len(prices[0]), np.nan),) * 2
    return {"scenario": scenario, "seed": seed, "snapshots": snaps,
            "sfc_max_abs": worst_abs, "sfc_max_rel": worst_rel,
            "opening_employment": (emp.iloc[: OPENING + 1] / emp.iloc[0]).round(4).tolist(),
            "budget": df.gov_budget.round(2).tolist(), "remittance": df.gov_remittance.round(3).tolist(),
            "value_added": df.value_added.round(2).tolist(), "gross_output": df.gross_output.round(2).tolist(),
            "price_autocorr": [None if np.isnan(v) else float(v) for v in autocorr],
            "price_amplitude": [None if np.isnan(v) else float(v) for v in amplitude]}


def _fmt(values, digits=2) -> str:
    return " ".join("  —  " if v is None else f"{v:.{digits}f}" for v in values)


def summarise(runs: list[dict], snapshots) -> str:
    """Markdown tables of the runs (one block per scenario)."""
    lines = []
    for scenario in dict.fromkeys(r["scenario"] for r in runs):
        rs = [r for r in runs if r["scenario"] == scenario]
        lines += [f"## {scenario} (seeds {', '.join(str(r['seed']) for r in rs)})", ""]
        for t in snapshots:
            have = [r for r in rs if t in r["snapshots"]]
            if not have:
                continue
            lines.append(f"**quarter {t}** — stage 0 … final")
            for r in have:
                s = r["snapshots"][t]
                lines.append(f"- seed {r['seed']}: {s['enterprises']} enterprises; shares "
                             f"[{_fmt(s['enterprise_share'])}], employment [{_fmt(s['employment_share'])}], "
                             f"margins [{_fmt(s['margin'], 3)}], prices [{_fmt(s['stage_price'], 3)}]")
            lines.append("")
        lines.append(f"largest stock-flow residual: {max(r['sfc_max_abs'] for r in rs):.2e} "
                     f"(relative {max(r['sfc_max_rel'] for r in rs):.2e})")
        lines.append("price cycle, stage 0 … final (lag-1 autocorrelation of quarterly price changes; "
                     "mean |Δp| / p), from quarter 8:")
        lines += [f"- seed {r['seed']}: autocorrelation [{_fmt(r['price_autocorr'])}], "
                  f"amplitude [{_fmt(r['price_amplitude'], 3)}]" for r in rs]
        lines.append("opening employment / quarter 0 (quarters 0–12):")
        lines += [f"- seed {r['seed']}: {_fmt(r['opening_employment'])}" for r in rs]
        marks = [q for q in (0, 4, 20, 40, 80, 120, 160) if q < len(rs[0]["budget"])]
        lines.append(f"government budget at quarters {marks}:")
        lines += [f"- seed {r['seed']}: {_fmt([r['budget'][q] for q in marks], 1)}; remitted in total "
                  f"{sum(r['remittance']):.1f}" for r in rs]
        lines.append("")
    return "\n".join(lines)


def _overrides(ap, pairs) -> dict:
    """{name: value} from NAME=VALUE strings; an unknown name or a non-number is an argparse error."""
    from model.params import PARAMS

    out = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in PARAMS:
            ap.error(f"--set {pair}: unknown parameter {name!r} (see docs/ODD.md §9)")
        try:
            out[name] = int(value) if PARAMS[name].kind is int else float(value)
        except ValueError:
            ap.error(f"--set {pair}: {name} takes a number, got {value!r}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.economics_report", description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", nargs="+", default=["baseline", "datang_socks"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--steps", type=int, default=160)
    ap.add_argument("--snapshots", nargs="+", type=int, default=[0, 80, 160])
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE", help="parameters changed in every run")
    args = ap.parse_args(argv)
    if args.steps < 1:
        ap.error("--steps must be ≥ 1")
    overrides = _overrides(ap, args.set)
    snaps = tuple(q for q in args.snapshots if q <= args.steps)
    tasks = [(s, seed, args.steps, snaps, overrides) for s in args.scenarios for seed in args.seeds]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            runs = list(pool.map(run_one, *zip(*tasks)))
    else:
        runs = [run_one(*t) for t in tasks]
    print(summarise(runs, snaps))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(runs, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
