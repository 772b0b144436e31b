"""Run one scenario: build the model, run it with a progress bar, summarise, and write the results.

    result = run_scenario("baseline", seed=1, out="output/baseline-seed1")
    result.results      # indicator time series (ClusterModel.results())
    result.summary      # scenario, seed, changed parameters, final indicators, growth figures

With `out`, the folder gets `indicators.csv` and `summary.json` first, then the figures of
`experiments.plots` (`indicators.png`, `map.png`, `network.png`): if a figure fails, the data
are already on disk and `OutputError` says so.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from experiments.conventions import plain
from experiments.formatting import fmt, fmt_change
from experiments.provenance import numpy_dispatch
from model.indicator_registry import FLOWS, HEADLINE, INDICATORS, INDICES
from model.params import PARAMS
from scenarios import Scenario, load_scenario

FIGURES = ("indicators.png", "map.png", "network.png")


class OutputError(RuntimeError):
    """The run finished and its data were written, but a figure could not be drawn."""


@dataclass
class RunResult:
    scenario: Scenario
    seed: int | None
    steps: int
    results: pd.DataFrame
    summary: dict
    model: object           # the ClusterModel, in its final state
    out: Path | None = None


def run_scenario(name_or_path, seed: int | None = 0, steps: int | None = None, out=None,
                 progress: bool = True, **overrides) -> RunResult:
    """Build `name_or_path` (a name, a path or a Scenario) with `overrides`, run it, and write `out`."""
    scenario = load_scenario(name_or_path).with_overrides(**overrides)
    model = scenario.build(seed=seed)
    steps = scenario.steps if steps is None else int(steps)
    started = time.perf_counter()
    bar = tqdm(total=steps, desc=f"{scenario.name} seed {seed}", unit="quarter", delay=2.0,
               disable=not progress, leave=False)
    with bar:
        try:
            for _ in range(steps):
                model.step()
                bar.update()
        except KeyboardInterrupt as stop:       # Ctrl-C or SIGTERM: keep the quarters already run
            kept = _write_partial(scenario, seed, model, out) if out is not None else None
            if kept:
                stop.kept = (f" at quarter {kept[0]} of {steps}; wrote {kept[1]}/: indicators.csv, summary.json "
                             "of the quarters run (no figures)")
            raise
    results = model.results()
    summary = summarise(scenario, seed, results, model.params)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    result = RunResult(scenario, seed, steps, results, summary, model)
    if out is not None:
        write_outputs(result, out)
    return result


def check_output_folder(out, scenario: Scenario, seed, source: str = "--out") -> None:
    """ValueError if `out` holds what this run must not replace: a batch's results (plan.json), or
    the run of another scenario or seed (its summary.json). The same scenario and seed again (a
    rerun, with other --steps or --set) replaces its own files, as the default folder always has."""
    from experiments.store import refuse_results_folder

    refuse_results_folder(out, source)
    try:
        old = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
        held = (old["scenario"], old["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return                               # no earlier run there (or not one of ours): nothing to keep
    if held != (scenario.name, seed):
        raise ValueError(f"{source} {out}: holds the run of scenario {held[0]!r}, seed {held[1]} (summary.json), "
                         f"which this run of {scenario.name!r}, seed {seed} would replace; allowed: another folder, "
                         "or delete that one first")


def write_outputs(result: RunResult, out) -> Path:
    """indicators.csv and summary.json, then the figures."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.out = out
    result.results.to_csv(out / "indicators.csv")
    (out / "summary.json").write_text(json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    from experiments import plots

    try:
        plots.save_figures(result.model, result.results, out, title=f"{result.scenario.title} (seed {result.seed})",
                           events=events(result.scenario))
    except KeyboardInterrupt as stop:   # Ctrl-C or SIGTERM while plotting: the data are on disk, say so
        stop.kept = f" after the last quarter; wrote {out}/: indicators.csv, summary.json (no figures)"
        raise
    except Exception as exc:  # the data are safe on disk; say so rather than lose them in a traceback
        raise OutputError(f"indicators.csv and summary.json are written to {out}, "
                          f"but the figures failed: {type(exc).__name__}: {exc}") from exc
    return out


def _write_partial(scenario: Scenario, seed, model, out) -> tuple[int, Path] | None:
    """indicators.csv and summary.json (marked "interrupted") of the quarters finished before a stop;
    (last quarter, folder), or None if there is nothing to keep or it cannot be written."""
    try:
        results = model.results()
        if len(results) < 2:
            return None
        summary = summarise(scenario, seed, results, model.params) | {"interrupted": True}
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / "indicators.csv")
        (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return int(results.index[-1]), out
    except Exception:  # a stop mid-record leaves nothing consistent to keep: say nothing was kept
        return None


def events(scenario: Scenario) -> list[tuple[int, str]]:
    """(step, label) of scheduled lever changes and demand shifts, for marking the time axis."""
    marks = [(step, f"{lever} = {value:g}" if isinstance(value, (int, float)) else f"{lever} = {value}")
             for step, lever, value in scenario.schedule]
    marks += [(int(step), f"demand ×{demand:g}" + ("" if quality is None else f", quality {quality:g}"))
              for step, demand, quality in scenario.params.get("demand_shifts", ())]
    return sorted(marks)


# --- summary ----------------------------------------------------------------------------------
def summarise(scenario: Scenario, seed, results: pd.DataFrame, params: dict) -> dict:
    """Everything a reader needs to know about a run, JSON-ready."""
    T = int(results.index[-1])
    last = results.iloc[-1]
    changed = {name: _json(value) for name, value in params.items()
               if name != "default_steps" and _json(value) != _json(PARAMS[name].default)}
    growth = {name: _growth(results[name]) for name in ("firms", "suppliers", "employment", "mean_knowledge")
              if name in results}
    if "output" in results and T >= 1:
        first, end = float(results["output"].iloc[1]), float(last["output"])
        years = (T - 1) / 4
        growth["output"] = {
            "first_quarter": first, "last_quarter": end,
            # a compound rate needs value added > 0 at both ends (a negative ratio has no real root)
            "annual_growth_pct": (_round((end / first) ** (1 / years) * 100 - 100)
                                  if first > 0 and end > 0 and years > 0 else None),
            "peak": float(results["output"].max()), "peak_step": int(results["output"].idxmax()),
        }
    totals = {name: _json(results[name].iloc[1:].sum())
              for name in ("births", "spinoffs", "exits", "innovations", "gov_revenue", "gov_spending")
              if name in results}
    return {
        "scenario": scenario.name,
        "title": scenario.title,
        "question": scenario.question,
        "file": str(scenario.path) if scenario.path else None,
        "seed": seed,
        "steps": T,
        "parameters": changed,
        "schedule": [list(entry) for entry in scenario.schedule],
        "growth": growth,
        "totals": totals,
        "final": {name: _json(value) for name, value in last.items()},
        "undefined": {name: INDICATORS[name].undefined for name, value in last.items()
                      if name in INDICATORS and _json(value) is None},
        "numpy_dispatch": numpy_dispatch(),   # why another machine may give other numbers (README)
    }


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Headline indicators at the start and the end of a run (flows: first and last quarter);
    an undefined value (NaN) is shown as "n/a" (experiments.formatting)."""
    rows = []
    for name, label in HEADLINE:
        if name not in results:
            continue
        series = results[name]
        start = series.iloc[1] if name in FLOWS and len(series) > 1 else series.iloc[0]
        end = series.iloc[-1]
        rows.append({"indicator": label, "start": fmt(start), "end": fmt(end),
                     "change": fmt_change(start, end, index=name in INDICES)})
    return pd.DataFrame(rows).set_index("indicator")


def _growth(series: pd.Series) -> dict:
    start, end = float(series.iloc[0]), float(series.iloc[-1])
    return {
        "start": _json(series.iloc[0]), "end": _json(series.iloc[-1]),
        "change_pct": _round((end / start - 1) * 100) if start else None,
        "peak": _json(series.max()), "peak_step": int(series.idxmax()),
    }


def _json(value):
    return plain(value, finite=True)


def _round(x: float, digits: int = 2):
    return round(x, digits) if math.isfinite(x) else None
