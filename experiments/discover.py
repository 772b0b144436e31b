"""`clusterlab discover FILE`: scenario discovery over a sweep — under which lever and context
ranges does the cluster succeed?

Success is the file's rule: every [[success]] condition on the runs' measures holds (e.g. local
sourcing share at quarter 40 ≥ 0.5 and annual output growth ≥ 2%). Over the runs of a sweep store
(experiments/store.py), with the sweep's varied parameters as inputs:

- PRIM (Friedman & Fisher 1999; ema-workbench's `prim.Prim`, lenient objective): boxes of input
  ranges where success is concentrated. Coverage = share of all successes inside the box;
  density = share of runs inside the box that succeed; mass = share of runs inside. The peeling
  trajectory trades one for the other; the box reported is the one with the highest coverage
  whose density reaches `threshold` (else the densest). Boxes after the first are found on the
  runs outside the earlier ones. Each restriction carries its quasi-p value (Bryant & Lempert
  2010: one-sided binomial test of the density gained by that restriction); restrictions with
  large quasi-p are weak and may be dropped.
- Feature scoring (Jaxa-Rozen & Kwakkel 2018; ema-workbench's extra-trees scoring on
  scikit-learn's ExtraTreesClassifier/Regressor, fixed random_state): the importance of every
  varied input for success and for each [scoring] outcome.

Writes OUT (default STORE/discover_<name>): boxes.csv, trajectory.csv, feature_scores.csv,
outcomes.parquet, summary.json, trajectory.png, boxes.png, feature_scores.png.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.decision_file import DiscoverSpec, load_discover
from experiments.formatting import NA
from experiments.measures import table as measure_table


@dataclass
class Discovery:
    spec: DiscoverSpec
    out: Path
    runs: int
    successes: int
    boxes: list = field(default_factory=list)         # dicts: limits, coverage, density, mass, trajectory
    scores: pd.DataFrame | None = None
    files: list = field(default_factory=list)

    def report(self) -> str:
        rule = " and ".join(c.label for c in self.spec.success)
        lines = [f"{self.spec.name}: {self.successes} of {self.runs} runs succeed ({rule})"]
        for i, box in enumerate(self.boxes, 1):
            lines.append(f"box {i}: coverage {box['coverage']:.2f}, density {box['density']:.2f}, "
                         f"mass {box['mass']:.2f} (step {box['step']} of {len(box['trajectory'])} on the trajectory)")
            for name, (low, high) in box["limits"].items():
                lines.append(f"  {low:.4g} <= {name} <= {high:.4g}   (quasi-p {box['qp'][name]:.2g})")
            if not box["limits"]:
                lines.append("  (no restriction: success is not concentrated in any box)")
        if self.scores is not None:
            lines.append("feature scores (extra trees; share of importance):")
            lines.append(self.scores.to_string(float_format=lambda v: f"{v:.3f}", na_rep=NA))
            if self.scores.isna().all().any():        # feature_scores: an outcome with one value has none
                lines.append(f"  {NA}: the outcome has one value in every run (or is defined in fewer than 5), "
                             "so no input explains it")
        lines.append(f"wrote {self.out}/: " + ", ".join(self.files))
        return "\n".join(lines)


# --- data --------------------------------------------------------------------------------------------
def runs_table(spec: DiscoverSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(inputs, measures) of every stored run: inputs are the parameters that vary across runs."""
    from experiments.store import load_results, read_manifest

    store = spec.store
    if not (store / "plan.json").exists():
        raise ValueError(f"{spec.source}: store: {store} is not a results folder (no plan.json); "
                         "run the sweep first, or give `sweep` in the file")
    measures = [c.measure for c in spec.success] + list(spec.outcomes)
    series = load_results(store, "series" if _needs_series(measures) else "final")
    if series.empty:
        raise ValueError(f"{spec.source}: store: {store} holds no finished runs")
    missing = sorted({m.indicator for m in measures} - set(series.columns))
    if missing:
        raise ValueError(f"{spec.source}: the runs in {store} did not keep {', '.join(missing)}: add "
                         f"them to keep.series (or keep.final for final values) of the sweep")
    if "step" not in series:
        series = series.assign(step=1)       # final values only: one row, measured as its last quarter
    values = measure_table(series, list(dict.fromkeys(measures)))
    params = series.drop_duplicates("run_id").set_index("run_id")
    varied = list(dict.fromkeys(k for r in read_manifest(store) for k in (r.get("params") or {})))
    inputs = params[[c for c in varied if c in params.columns]]
    inputs = inputs.loc[:, [c for c in inputs if inputs[c].nunique(dropna=False) > 1]]
    if inputs.empty:
        raise ValueError(f"{spec.source}: nothing varies across the runs in {store}: discovery needs a sweep")
    return inputs.loc[values.index].apply(pd.to_numeric), values


def _needs_series(measures) -> bool:
    return any(m.how != "value" or m.quarter is not None for m in measures)


def success(spec: DiscoverSpec, values: pd.DataFrame) -> np.ndarray:
    ok = np.ones(len(values), bool)
    for c in spec.success:
        ok &= c.holds(values[c.measure.label].to_numpy(float))
    return ok


# --- PRIM and feature scoring ---------------------------------------------------------------------
def prim_boxes(x: pd.DataFrame, y: np.ndarray, threshold=0.6, peel_alpha=0.05, paste_alpha=0.05,
               mass_min=0.05, boxes=1) -> list[dict]:
    """PRIM boxes of `x` (n × k inputs) for the boolean outcome `y` (n): one dict per box with
    `limits` {input: (low, high)} of the restricted inputs, `coverage`, `density`, `mass`, the
    chosen `step` and the whole peeling `trajectory` (coverage, density, mass, res_dim per step)."""
    from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    x = x.reset_index(drop=True).astype(float)
    finder = prim.Prim(x, np.asarray(y, bool).astype(int), peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                       mass_min=mass_min)
    found = []
    for _ in range(boxes):
        box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(float)
        dense = np.flatnonzero(trajectory["density"].to_numpy() >= threshold)
        step = int(dense[0]) if len(dense) else int(trajectory["density"].to_numpy().argmax())
        box.select(step)
        lims = box.box_lims[step]
        limits = {c: (float(lims[c].iloc[0]), float(lims[c].iloc[1])) for c in x.columns
                  if (lims[c].iloc[0], lims[c].iloc[1]) != (finder.box_init[c].iloc[0], finder.box_init[c].iloc[1])}
        qp = {c: max((float(v) for v in box.p_values[step].get(c, []) if v is not None and v >= 0), default=np.nan)
              for c in limits}
        found.append({"limits": limits, "qp": qp, "coverage": float(trajectory["coverage"].iloc[step]),
                      "density": float(trajectory["density"].iloc[step]), "mass": float(trajectory["mass"].iloc[step]),
                      "step": step, "trajectory": trajectory,
                      "initial": {c: (float(finder.box_init[c].iloc[0]), float(finder.box_init[c].iloc[1])) for c in x}})
    return found


def feature_scores(x: pd.DataFrame, outcomes: dict, seed: int = 1) -> pd.DataFrame:
    """Extra-trees importance (sums to 1 per column) of every input (rows) for each outcome
    (columns): classification for boolean outcomes, regression otherwise; rows with NaN dropped."""
    from ema_workbench.analysis.feature_scoring import RuleInductionType, get_ex_feature_scores

    columns = {}
    for name, y in outcomes.items():
        y = np.asarray(y)
        ok = np.isfinite(y.astype(float))
        if ok.sum() < 5 or np.unique(y[ok]).size < 2:
            columns[name] = pd.Series(np.nan, index=x.columns)
            continue
        mode = RuleInductionType.CLASSIFICATION if y.dtype == bool else RuleInductionType.REGRESSION
        scores, _ = get_ex_feature_scores(x.iloc[np.flatnonzero(ok)].reset_index(drop=True), y[ok], mode=mode,
                                          random_state=seed, max_features=max(1, round(x.shape[1] / 3)))
        columns[name] = scores.iloc[:, 0]
    return pd.DataFrame(columns).reindex(x.columns)


# --- the command ------------------------------------------------------------------------------------
def discover(path_or_spec, store=None, out=None, *, progress=True, **batch) -> Discovery:
    """Run the file's sweep if given (only missing runs), then PRIM and feature scoring; write OUT."""
    from dataclasses import replace

    spec = path_or_spec if isinstance(path_or_spec, DiscoverSpec) else load_discover(path_or_spec)
    if store is not None:
        spec = replace(spec, store=Path(store))
    if spec.sweep is not None:
        from experiments.sweep import sweep

        report = sweep(spec.sweep, spec.store, resume=True, progress=progress, **batch)
        if progress:
            print(report)
    inputs, values = runs_table(spec)
    y = success(spec, values)
    out = Path(out) if out else spec.store / f"discover_{spec.name}"
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boxes = prim_boxes(inputs, y, spec.threshold, spec.peel_alpha, spec.paste_alpha, spec.mass_min, spec.boxes)
        scores = feature_scores(inputs, {"success": y, **{m.label: values[m.label].to_numpy(float)
                                                         for m in spec.outcomes}}, spec.seed)
    result = Discovery(spec, out, len(y), int(y.sum()), boxes, scores)
    write(result, inputs, values, y)
    return result


def write(result: Discovery, inputs, values, y) -> None:
    from experiments import discover_plots

    out, spec = result.out, result.spec
    inputs.join(values).assign(success=y).to_parquet(out / "outcomes.parquet")
    rows = [{"box": i, "input": name, "low": low, "high": high, "quasi_p": b["qp"][name], "coverage": b["coverage"],
             "density": b["density"], "mass": b["mass"]}
            for i, b in enumerate(result.boxes, 1) for name, (low, high) in b["limits"].items()]
    pd.DataFrame(rows, columns=["box", "input", "low", "high", "quasi_p", "coverage", "density", "mass"]).to_csv(
        out / "boxes.csv", index=False)
    pd.concat([b["trajectory"].assign(box=i) for i, b in enumerate(result.boxes, 1)] or [pd.DataFrame()]).to_csv(
        out / "trajectory.csv", index_label="step")
    result.scores.to_csv(out / "feature_scores.csv", index_label="input")
    summary = {"name": spec.name, "source": spec.source, "store": str(spec.store), "runs": result.runs,
               "successes": result.successes, "rule": [c.label for c in spec.success],
               "boxes": [{k: b[k] for k in ("limits", "qp", "coverage", "density", "mass", "step")} for b in result.boxes]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    result.files = ["outcomes.parquet", "boxes.csv", "trajectory.csv", "feature_scores.csv", "summary.json"]
    try:
        result.files += discover_plots.save(result)
    except Exception as exc:  # noqa: BLE001 - the tables are on disk; say so
        warnings.warn(f"the figures failed ({type(exc).__name__}: {exc}); the tables are written", stacklevel=2)


def add_arguments(parser) -> None:
    from experiments.cli import add_batch_options

    parser.add_argument("file", type=Path, metavar="FILE", help="a discovery file (see experiments/examples/)")
    parser.add_argument("--store", type=Path, metavar="DIR", help="the sweep's results folder (default: the file's)")
    add_batch_options(parser, resume=False)
    parser.set_defaults(out=None)


def cli(args) -> int:
    from experiments.cli import batch
    from experiments.inputs import check_executor, check_writable

    def run(args) -> int:
        check_executor(args.executor, args.workers, args.address)    # no option silently ignored
        if args.out:
            check_writable(args.out, "--out")       # unwritable: named now, not as a bare Errno
        result = discover(args.file, args.store, args.out, progress=not args.quiet, workers=args.workers,
                          executor=args.executor, address=args.address, cache=not args.no_cache)
        print(result.report())
        return 0

    return batch(run)(args)
