"""`clusterlab validation`: writes docs/validation.md and its figures.

Per case scenario: every target figure against the model at the calibrated parameters (the
posterior medians in docs/calibration/<case>/posterior.csv; the scenario's own values where a case
has not been calibrated, said so), mean ± sd over fresh seeds (not the calibration seeds),
PASS/MISS against the tolerance, calibration and held-out figures marked. Then the stylised facts
(experiments/stylised_facts.py) with figures. Nothing here sets a tolerance: the figures and
tolerances are the scenario files' (scenarios/targets.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import miss_notes
from experiments import stylised_facts as sf
from experiments.calibration_outputs import budget_text
from experiments.case_targets import case_spec, measure_runs, summarise
from experiments.scenario_outcomes import SCENARIOS

CALIBRATION_DIR = Path("docs") / "calibration"
VALIDATION_SEEDS = 1000          # validation seeds are 1000, 1001, …: none was used to calibrate
TEST_SEEDS = (1000, 1001, 1002)  # tests/test_case_figures.py: the first validation seeds
TEST_MISSES = Path("tests") / "case_figure_misses.json"   # its strict xfails, written by --test-misses

def case_names() -> list[str]:
    """The case scenarios that declare targets."""
    return [n for n in SCENARIOS if case_spec(n, with_references=False).targets]


def calibrated(name: str, root: Path = CALIBRATION_DIR) -> tuple[dict, dict | None]:
    """(posterior medians, run.json) of case `name`, or ({}, None) when it was not calibrated."""
    table, info = root / name / "posterior.csv", root / name / "run.json"
    if not table.exists():
        return {}, None
    t = pd.read_csv(table)
    return dict(zip(t["param"], t["median"])), json.loads(info.read_text()) if info.exists() else {}


def case_runs(name: str, seeds, root: Path = CALIBRATION_DIR):
    """(figures per seed, spec, parameters used, calibration info) of case `name` over `seeds`."""
    params, info = calibrated(name, root)
    spec = case_spec(name, seeds=seeds)
    known = {f.param for f in spec.calibration.free} if spec.calibration else set()
    params = {k: v for k, v in params.items() if k in known}     # a stale table names no other parameter
    return measure_runs(spec, params, seeds), spec, params, info


def validate_case(name: str, seeds, root: Path = CALIBRATION_DIR) -> tuple[pd.DataFrame, dict, dict | None]:
    """(summary per target, parameters used, calibration info) of case `name` over `seeds`."""
    per_seed, spec, params, info = case_runs(name, seeds, root)
    return summarise(per_seed, spec.targets), params, info


# --- figures ---------------------------------------------------------------------------------
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def targets_figure(results: dict, path: Path) -> Path:
    """Each target's miss in tolerances ((model − figure) / tolerance, mean ± sd over seeds)."""
    plt = _plt()
    rows = [(case, r) for case, (table, _, _) in results.items() for r in table.itertuples()]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    for i, (_case, r) in enumerate(rows):
        z, dz = (r.model_mean - r.value) / r.tolerance, (r.model_sd / r.tolerance if np.isfinite(r.model_sd) else 0)
        shown = float(np.clip(z, -8, 8)) if np.isfinite(z) else 8.0
        ax.errorbar(shown, i, xerr=min(dz, 8), fmt="o" if r.role == "calibration" else "s",
                    color="tab:green" if r.result == "PASS" else "tab:red")
    ax.axvspan(-1, 1, color="0.9")
    ax.set_yticks(range(len(rows)), [f"{case.split('_')[0]}: {r.target}" for case, r in rows], fontsize=7)
    ax.set_xlabel("(model − figure) / tolerance  (clipped at ±8; ○ calibration, □ held out)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def facts_figure(b: dict, dart: np.ndarray, lock: dict, path: Path) -> Path:
    """Four panels: the two EG nulls and the model, rank–size, volatility by size, lock-in."""
    plt = _plt()
    fig, ax = plt.subplots(2, 2, figsize=(10, 7.5))
    a = ax[0, 0]
    rng = np.random.default_rng(0)
    groups = [("pure dartboard\n(plants re-thrown)", b["null_draws"]), ("random-location\nscenario", dart),
              ("baseline", b["gamma"])]
    for i, (_, values) in enumerate(groups):
        a.plot(values, i + rng.uniform(-0.15, 0.15, len(values)), "o", ms=3, alpha=0.5)
    a.axvline(0, color="k", lw=0.8)
    a.set_xscale("symlog", linthresh=1e-3)
    top = max(np.max(v) for _, v in groups if len(v))
    a.set_xlim(min(np.min(b["null_draws"]) * 1.5, -1e-3), top * 2)
    a.set_yticks(range(3), [g for g, _ in groups], fontsize=8)
    a.set_xlabel("Ellison–Glaeser γ at the end (symlog)")
    a = ax[0, 1]
    for sizes in b["sizes"]:
        s = np.sort(sizes)[::-1]
        a.loglog(s, np.arange(1, len(s) + 1), lw=0.8)
    a.set_xlabel("enterprise size (workers)")
    a.set_ylabel("rank")
    a.set_title("rank–size (Zipf: slope −1)", fontsize=9)
    a = ax[1, 0]
    x, g = np.array(b["log_size"]), np.array(b["growth"])
    parts = np.array_split(np.argsort(x), 10)
    a.plot([x[p].mean() for p in parts], [g[p].std(ddof=1) for p in parts], "o-")
    a.set_yscale("log")
    a.set_xlabel("ln size at t")
    a.set_ylabel("sd of 4-quarter growth")
    a = ax[1, 1]
    ks = list(lock["wins"])
    a.bar([str(k) for k in ks], [lock["wins"][k] for k in ks])
    a.axhline(0.5, color="k", lw=0.8)
    a.set_xlabel("enterprises moved next to site A at the start")
    a.set_ylabel(f"share of {len(lock['seeds'])} seeds site A wins")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# --- the report ------------------------------------------------------------------------------
def _fmt(v, spec: str = ".4g") -> str:
    """A number for the report; "n/a" where it is undefined (an sd or t from one seed)."""
    return "n/a" if v is None or not np.isfinite(v) else f"{v:{spec}}"


def case_section(name: str, table: pd.DataFrame, params: dict, info: dict | None) -> list[str]:
    if info is None:
        how = "**not calibrated**: the scenario's own parameter values"
    else:
        how = (f"calibrated: posterior medians ({', '.join(f'{k} = {_fmt(v)}' for k, v in params.items())}; "
               f"ABC-SMC {budget_text(info)}, seeds {info.get('seeds')}: "
               f"[posterior](calibration/{name}/posterior.md))")
    lines = [f"### {name}", "", f"Parameters: {how}.", "",
             "| target | role | figure | model (mean ± sd) | miss (tol.) | result | source |", "|---|---|---|---|---|---|---|"]
    bound = {"both": "±", "at_least": "≥, tol.", "at_most": "≤, tol."}
    for r in table.itertuples():
        err = "0" if r.error == 0 else _fmt(r.error)
        lines.append(f"| {r.target} | {'calibration' if r.role == 'calibration' else '**held out**'} | {r.value:g} "
                     f"({bound[r.bound]} {r.tolerance:g}) | {_fmt(r.model_mean)} ± {_fmt(r.model_sd)} | {err} | "
                     f"{r.result} | {r.source}: {r.quote} |")
    return lines + [""]


def facts_section(b: dict, dart: np.ndarray, lock: dict, seeds, figure: str) -> list[str]:
    null = np.array(b["null_draws"])
    alpha = np.array(b["alpha"], float)
    slope, se = b["gibrat"]
    lines = ["## Stylised facts", "", f"Baseline scenario, seeds {list(seeds)}; figure: `{figure}`.", "",
             f"![stylised facts]({figure})", "",
             "| fact | literature | model | verdict |", "|---|---|---|---|",
             f"| EG γ, pure dartboard (the final plants re-thrown at random, {len(null) // len(seeds)} draws per seed) "
             f"| E[γ] = 0 | {null.mean():.5f} ± {_fmt(null.std(ddof=1), '.5f')} (t = {_fmt(sf.t_statistic(b['null_mean']), '.1f')} "
             f"over seed means) | {'centred on 0' if abs(null.mean()) < 2 * null.std(ddof=1) / np.sqrt(len(null)) + 1e-4 else 'off 0'} |",
             f"| EG γ, random-location scenario (dartboard.toml) | ≈ 0 only if survival ignores place | "
             f"{dart.mean():.5f} ± {_fmt(dart.std(ddof=1), '.5f')} (t = {_fmt(sf.t_statistic(dart), '.1f')}) | "
             f"{'above 0: location-dependent survival' if sf.t_statistic(dart) > 2 else 'not distinguishable from 0'} |",
             f"| EG γ, baseline (co-location forces on) | > 0 | {np.mean(b['gamma']):.4f} ± {_fmt(np.std(b['gamma'], ddof=1), '.4f')} | "
             f"{'clustered' if np.mean(b['gamma']) > dart.mean() else 'no more than the null'} |",
             f"| lock-in: seeds won by site A when k enterprises start there | Arthur 1990: a small early lead decides | "
             f"{', '.join(f'k = {k}: {v:.0%}' for k, v in lock['wins'].items())} ({lock['steps']} quarters) | "
             f"{'lock-in' if max(lock['wins'].values()) >= 0.8 else 'weak'} |",
             f"| Zipf tail (Hill α, top 5% of enterprise sizes) | α ≈ 1.06 (Axtell 2001) | {np.nanmean(alpha):.2f} ± "
             f"{_fmt(np.nanstd(alpha, ddof=1), '.2f')} | {'Zipf-like' if abs(np.nanmean(alpha) - 1.06) < 0.5 else 'MISS: tail too thin' if np.nanmean(alpha) > 1.56 else 'MISS: tail too fat'} |",
             f"| Gibrat: slope of 4-quarter growth on ln size | ≈ 0 (weakly negative in data) | {slope:.3f} ± {se:.3f} | "
             f"{'holds (slope within ±0.05)' if abs(slope) < 0.05 else 'MISS'} |",
             f"| volatility slope (ln sd of growth on ln size) | −0.15 to −0.2 (Stanley et al. 1996) | "
             f"{b['volatility_slope']:.3f} | {'falls with size' if b['volatility_slope'] < -0.1 else 'falls, but less than in the data' if b['volatility_slope'] < -0.03 else 'MISS: does not fall with size'} |",
             f"| distance of a birth to the nearest incumbent of its stage (cells) | spin-offs nearer (Klepper 2007) | "
             f"spin-offs {np.median(b['spinoff_distance']) if b['spinoff_distance'] else float('nan'):.2f} "
             f"(n = {len(b['spinoff_distance'])}), entrants {np.median(b['entrant_distance']) if b['entrant_distance'] else float('nan'):.2f} "
             f"(n = {len(b['entrant_distance'])}), medians | by construction: spin-offs settle within `spinoff_radius` of the parent |",
             "", "**Two dartboard nulls.** Ellison and Glaeser's γ is built so that its expectation is 0 when "
             "plants pick regions at random in proportion to the regions' size (here: labour supply). The *pure "
             "dartboard* re-throws the surviving plants that way, so location and survival are both independent "
             "of place: its γ is centred on 0, as it must be. The *random-location scenario* only randomises "
             "where entrants land; whether they survive still depends on the site (wages and rent rise with "
             "local employment, labour is scarce far from the pool, the market gateway is at the centre), so "
             "its survivors are a place-dependent selection and its γ sits slightly above 0. The gap between the "
             "two is the concentration created by selection alone; the gap to the baseline is what the "
             "co-location forces add.", ""]
    return lines


CACHE = Path("runs") / "validation.pkl"    # the measured figures, so the text can be re-rendered (--reuse)


def measure_all(cases, seeds: int, fact_seeds: int, say=print) -> dict:
    """Everything the report shows: per-case summaries and the stylised-fact measurements."""
    seed_list = tuple(range(VALIDATION_SEEDS, VALIDATION_SEEDS + seeds))
    results, per_seed = {}, {}
    for name in cases:
        say(f"validating {name} over {seeds} seeds")
        per_seed[name], spec, params, info = case_runs(name, seed_list)
        results[name] = (summarise(per_seed[name], spec.targets), params, info)
    fs = tuple(range(fact_seeds))
    say(f"stylised facts over {fact_seeds} seeds")
    return dict(results=results, per_seed=per_seed, seeds=seeds, fact_seeds=fs, b=sf.baseline_facts(fs),
                dart=sf.final_gammas("dartboard", fs), lock=sf.lock_in(fs))


def report(cases=None, seeds: int = 10, fact_seeds: int = 10, out: Path = Path("docs/validation.md"),
           figures: Path = Path("docs/figures"), say=print, reuse: bool = False, note: str = "",
           misses_out: Path | None = None) -> Path:
    """Measure (or, with `reuse`, read the last measurement from runs/validation.pkl) and write the report."""
    import pickle

    if reuse:
        m = pickle.loads(CACHE.read_bytes())
    else:
        m = measure_all(cases or case_names(), seeds, fact_seeds, say)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(m))
    results, b, dart, lock = m["results"], m["b"], m["dart"], m["lock"]
    figures.mkdir(parents=True, exist_ok=True)
    targets_png = targets_figure(results, figures / "validation_targets.png")
    facts_png = facts_figure(b, dart, lock, figures / "validation_facts.png")

    def rel(path: Path) -> str:
        return str(path.relative_to(out.parent)) if path.is_relative_to(out.parent) else str(path)

    text = _header(results, m["seeds"], list(results), rel(targets_png))
    if note:
        text[4:4] = [note, ""]
    for name, (table, params, info) in results.items():
        text += case_section(name, table, params, info)
    text += facts_section(b, dart, lock, m["fact_seeds"], rel(facts_png))
    out.write_text("\n".join(text) + "\n")
    say(f"wrote {out}, {targets_png}, {facts_png}")
    if misses_out is not None:
        say(f"wrote {write_test_misses(m, misses_out)} (the strict xfails of tests/test_case_figures.py)")
    return out


def round_section(results: dict) -> list[str]:
    """The calibration round behind the parameters: per calibrated case, its budget and what it used."""
    rows = [(n, info) for n, (_, _, info) in results.items() if info]
    if not rows:
        return []
    lines = ["## The calibration round", "", "Budget declared in experiments/calibrate.py (`BUDGET`); a case's wall-clock "
             "budget is its share of the round's pool (`clusterlab calibrate --all`: `BUDGET.max_minutes` a case, shortest runs first, "
             "unused minutes passed on); wall time is the ABC sampling on the shared 2-core machine (all sessions of a "
             "resumed run).", "",
             "| case | budget and use | simulations × seeds | sampling (min) | epsilon by generation |",
             "|---|---|---|---|---|"]
    for name, info in rows:
        seconds = info.get("sampling_seconds", info.get("seconds_this_session", float("nan")))
        lines.append(f"| {name} | {budget_text(info)} | {info.get('simulations')} × {len(info.get('seeds', []))} | "
                     f"{seconds / 60:.1f} | {', '.join(f'{e:.3g}' for e in info.get('epsilon', []))} |")
    return lines + [""]


def test_misses(m: dict, seeds=TEST_SEEDS) -> dict:
    """The strict xfails of tests/test_case_figures.py, from a validation measurement `m`: each
    figure whose mean over `seeds` (the first validation seeds: same scenario + seed → same figure)
    misses its tolerance, with the value measured."""
    missing = [s for s in seeds if s >= VALIDATION_SEEDS + m["seeds"]]
    if missing:
        raise ValueError(f"the validation measured seeds {VALIDATION_SEEDS}–{VALIDATION_SEEDS + m['seeds'] - 1}; "
                         f"the tests' seeds {list(seeds)} need --seeds {max(seeds) - VALIDATION_SEEDS + 1} or more")
    out = {}
    for name, (_, _params, info) in m["results"].items():
        spec = case_spec(name, with_references=False)
        table = summarise(m["per_seed"][name].loc[list(seeds)], spec.targets)
        for r in table[table.result == "MISS"].itertuples():
            out[f"{name}:{r.target}"] = dict(model_mean=r.model_mean, model_sd=r.model_sd, value=r.value, bound=r.bound,
                                             tolerance=r.tolerance, role=r.role,
                                             parameters="calibrated" if info else "uncalibrated")
    return dict(seeds=list(seeds), generated_by="clusterlab validation --test-misses", misses=out)


def write_test_misses(m: dict, path: Path = TEST_MISSES) -> Path:
    data = test_misses(m)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=float) + "\n")
    return path


def _header(results: dict, seeds: int, cases, figure, notes_path: Path | None = None) -> list[str]:
    all_rows = pd.concat([t.assign(case=n) for n, (t, _, _) in results.items()])
    held, cal = all_rows[all_rows.role == "held_out"], all_rows[all_rows.role == "calibration"]
    not_cal = [n for n, (_, _, info) in results.items() if info is None]
    misses = all_rows[all_rows.result == "MISS"]
    lines = ["# Validation: the case figures and the stylised facts", "",
             f"Generated by `clusterlab validation --seeds {seeds}` (experiments/validation.py). Each figure is the "
             f"mean over {seeds} fresh seeds ({VALIDATION_SEEDS}–{VALIDATION_SEEDS + seeds - 1}; the calibrations "
             "used other seeds) at the calibrated parameters; PASS when the mean lies within the scenario "
             "file's tolerance (scenarios/targets.py: `both` = ± tolerance, `at_least`/`at_most` one-sided).", "",
             f"- held-out figures within tolerance: **{(held.result == 'PASS').sum()} of {len(held)}**"
             f" ({(held.result == 'PASS').mean():.0%})",
             f"- calibration figures within tolerance: {(cal.result == 'PASS').sum()} of {len(cal)}",
             f"- not calibrated (held-out figures only, or no run yet): {', '.join(not_cal) or 'none'}", "",
             f"![targets]({figure})", ""] + round_section(results) + ["## Misses", ""]
    notes_path = notes_path or miss_notes.NOTES
    notes, shared = miss_notes.load(notes_path), miss_notes.shared(notes_path)
    lines += miss_notes.misses_section(
        misses.itertuples(), notes, shared,
        lambda r: f"- {r.case} / {r.target} ({r.role}): figure {r.value:g}, model {_fmt(r.model_mean)} ± {_fmt(r.model_sd)}. "
    ) or ["none"]
    lost = miss_notes.orphans(notes, set(zip(all_rows.case, all_rows.target)))
    if lost:
        lines += ["", f"Texts in {notes_path} for figures no case declares: " + ", ".join(f"{c}/{t}" for c, t in lost)]
    if unused := miss_notes.unused(notes, shared):
        lines += ["", f"Shared diagnoses in {notes_path} that no entry points to: " + ", ".join(unused)]
    return lines + ["", "## Case figures", ""]


def check_cases(text: str | None) -> list[str] | None:
    """The case scenarios named by --cases ("a,b"; None: every case), or ValueError naming the option,
    the name and the allowed ones."""
    if text is None:
        return None
    allowed, names = case_names(), [n.strip() for n in text.split(",")]
    for name in names:
        if name not in allowed:
            raise ValueError(f"--cases: {name!r} is not a case scenario (one that declares target figures); "
                             f"allowed: {', '.join(allowed)} (comma-separated)")
    return names


def add_arguments(parser) -> None:
    from experiments.cli import positive_int
    from experiments.inputs import nonempty_path

    parser.add_argument("--seeds", type=positive_int, default=10, help="seeds per case (default 10)")
    parser.add_argument("--fact-seeds", type=positive_int, default=10, help="seeds per stylised fact (default 10)")
    parser.add_argument("--cases", help="comma-separated case scenarios (default: every scenario with targets)")
    parser.add_argument("--out", type=nonempty_path, default=Path("docs/validation.md"), help="the report")
    parser.add_argument("--figures", type=nonempty_path, default=Path("docs/figures"), help="folder of its figures")
    parser.add_argument("--reuse", action="store_true", help="re-render from the last measurement (runs/validation.pkl)")
    parser.add_argument("--note", default="", help="a paragraph on how this round was run (budgets, what was left out)")
    parser.add_argument("--test-misses", type=Path, nargs="?", const=TEST_MISSES, metavar="JSON",
                        help=f"also write the tests' list of measured misses (default path {TEST_MISSES})")


def cli(args) -> int:
    import sys
    import warnings

    from experiments.conventions import MIN_INTERVAL_N
    from experiments.inputs import check_writable

    if args.reuse and not CACHE.is_file():
        raise ValueError(f"--reuse: no earlier measurement to re-render ({CACHE} is missing here, in {Path.cwd()}); "
                         "allowed: --reuse after a `clusterlab validation` without it in this folder")
    cases = check_cases(args.cases)               # every input checked before the first progress line
    check_writable(args.out.parent, "--out")      # unwritable: said now, not after the runs
    check_writable(args.figures, "--figures")
    if args.test_misses:
        check_writable(args.test_misses.parent, "--test-misses")
    notes = [] if args.reuse else [f"{option} 1: every sd and t over seeds is n/a (one value) and each verdict "
                                   f"rests on one seed; use {option} {MIN_INTERVAL_N} or more (the docs use 10)"
                                   for n, option in ((args.seeds, "--seeds"), (args.fact_seeds, "--fact-seeds")) if n == 1]
    for note in notes:                   # said once here, not as numpy's warnings
        print(f"clusterlab validation: warning: {note}", file=sys.stderr)
    with warnings.catch_warnings():
        if any(notes):
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numpy\.")
        report(cases, args.seeds, args.fact_seeds, args.out, args.figures,
               say=lambda s: print(s, flush=True), reuse=args.reuse, note=args.note,
               misses_out=args.test_misses)
    return 0
