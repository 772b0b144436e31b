"""`clusterlab report STORE [STORE ...] OUT`: a policy brief from results folders.

The brief is a list of blocks (heading, text, bullet list, table, figure) rendered twice:
OUT/report.md (figures as files in OUT/figures/) and OUT/report.html (self-contained: figures
embedded as data URIs, no external asset). Sections, each present when some store supports it:
the question, the answer in numbers, the design and provenance, cost-effectiveness tables with
intervals, dose-response and Pareto figures, budget use, sensitivity indices with their
diagnostics, and caveats (small N, underfunding, seed noise, NaN, uncommitted code).
"""

from __future__ import annotations

import base64
import html
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.conventions import MIN_INTERVAL_N
from experiments.cost_effectiveness import OUTCOMES, SHARE_POINT, SHARE_POINTS, SHARES, effectiveness, interval
from experiments.design import REFERENCED
from experiments.formatting import count
from experiments.store import check_store, load_manifest, load_plan, load_provenance


@dataclass
class Brief:
    """Blocks: ("h", level, text) ("p", text) ("ul", [items]) ("table", DataFrame) ("fig", path, caption)."""

    title: str
    blocks: list = field(default_factory=list)
    caveats: list = field(default_factory=list)

    def h(self, level, text):
        self.blocks.append(("h", level, text))

    def p(self, text):
        self.blocks.append(("p", text))

    def ul(self, items):
        if items:
            self.blocks.append(("ul", list(items)))

    def table(self, df):
        self.blocks.append(("table", df))

    def fig(self, path, caption):
        if path is not None and Path(path).exists():
            self.blocks.append(("fig", Path(path), caption))


# --- rendering ------------------------------------------------------------------------------
def to_markdown(brief: Brief, root: Path) -> str:
    out = [f"# {brief.title}", ""]
    for block in brief.blocks:
        kind = block[0]
        if kind == "h":
            out += ["#" * block[1] + " " + block[2], ""]
        elif kind == "p":
            out += [block[1], ""]
        elif kind == "ul":
            out += [f"- {item}" for item in block[1]] + [""]
        elif kind == "table":
            df = block[1].astype(str)
            out += ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
            out += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in df.to_numpy()] + [""]
        elif kind == "fig":
            out += [f"![{block[2]}]({block[1].relative_to(root).as_posix()})", "", f"*{block[2]}*", ""]
    return "\n".join(out)


def to_html(brief: Brief) -> str:
    e = html.escape
    body = [f"<h1>{e(brief.title)}</h1>"]
    for block in brief.blocks:
        kind = block[0]
        if kind == "h":
            body.append(f"<h{block[1]}>{e(block[2])}</h{block[1]}>")
        elif kind == "p":
            body.append(f"<p>{e(block[1])}</p>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in block[1]) + "</ul>")
        elif kind == "table":
            body.append(block[1].to_html(index=False, border=0, classes="t", escape=True))
        elif kind == "fig":
            data = base64.b64encode(block[1].read_bytes()).decode()
            body.append(f'<figure><img alt="{e(block[2])}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{e(block[2])}</figcaption></figure>")
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;line-height:1.4}"
             "table.t{border-collapse:collapse;font-size:90%;margin:1em 0}"
             "table.t td,table.t th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
             "img{max-width:100%}figcaption{font-style:italic;font-size:90%}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{e(brief.title)}</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


# --- sections -------------------------------------------------------------------------------
def design_section(brief: Brief, stores: list[Path]) -> None:
    brief.h(2, "Design and provenance")
    rows = []
    for out in stores:
        plan, manifest = load_plan(out), load_manifest(out)
        ok = int((manifest["status"] == "ok").sum()) if len(manifest) else 0
        failed = len(manifest) - ok
        reps = plan.get("replications", plan.get("reps"))
        seeds = sorted(set(manifest.get("seed", pd.Series(dtype=int)))) if len(manifest) else []
        points = manifest["point"].nunique() if len(manifest) else 0
        rows.append({"store": out.name, "kind": plan.get("kind"), "design": plan.get("method", "arms"),
                     "scenario": plan.get("scenario", plan.get("arms", [{}])[0].get("label", "")),
                     "quarters": plan.get("steps"), "points/arms": points, "replications": reps,
                     "seeds": _seeds(seeds), "runs ok": ok, "runs failed": failed})
        if failed:
            brief.caveats.append(f"{out.name}: {failed} run(s) failed (see its manifest.jsonl)")
        for session in load_provenance(out)[-1:]:
            code, libs = session["code"], session["libraries"]
            dirty = " (uncommitted changes)" if code.get("dirty") else ""
            brief.p(f"{out.name}: code {(code.get('commit') or 'not in git')[:10]}{dirty}, source hash "
                    f"{code['source_hash']}; " + ", ".join(f"{k} {v}" for k, v in libs.items() if v) + "; scenario hash " +
                    ", ".join(f"{k} {v['hash']}" for k, v in session["scenarios"].items()) + ".")
            if code.get("dirty"):
                brief.caveats.append(f"{out.name} was computed from code with uncommitted changes "
                                     f"(source hash {code['source_hash']})")
    brief.table(pd.DataFrame(rows))


def _seeds(seeds) -> str:
    if not seeds:
        return ""
    return f"{seeds[0]}–{seeds[-1]}" if len(seeds) > 3 else ", ".join(map(str, seeds))


def effects_section(brief: Brief, out: Path, outcomes, figures: Path) -> pd.DataFrame | None:
    from experiments.dose_response import budget_use, plot_budget, plot_dose_response, plot_pareto

    plan = load_plan(out)
    if plan.get("kind") == "sweep" and plan.get("method") not in REFERENCED:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        effects = effectiveness(out, outcomes)
    brief.caveats += [f"{out.name}: {w.message}" for w in caught]
    brief.h(2, f"Effects and cost-effectiveness ({out.name})")
    q = int(effects["quarters"].iloc[0])
    brief.p(f"Each arm against the reference, paired by seed (common random numbers), n = {int(effects['n'].min())} "
            f"replications; 95% BCa bootstrap intervals in brackets. Spending is what the government actually "
            f"paid for the changed levers over {count(q, "quarter")} (after budget cuts).")
    for ind in outcomes:
        brief.h(3, ind)
        brief.table(effect_table(effects[effects["indicator"] == ind], ind))
    if plan.get("method") in ("one_at_a_time", "dose_response") or plan.get("kind") == "cost_effectiveness":
        brief.fig(plot_dose_response(effects, figures / f"{out.name}-dose_response.png", outcomes),
                  "Dose-response: paired effect at the last quarter vs lever value, 95% BCa band")
    brief.fig(plot_pareto(effects, figures / f"{out.name}-pareto.png", outcomes),
              "Outcome vs cumulative funded spending; dashed: arms no other arm beats at lower cost")
    use = budget_use(out)
    if len(use):
        brief.h(3, "Budget use")
        shown = use.assign(**{"share funded": use["share_funded"].map(lambda v: f"{v:.1%}"),
                              "first_short": use["first_short"].map(lambda v: "—" if pd.isna(v) else f"{v:.0f}"),
                              "arm": use["arm"].map(_short)})
        brief.table(shown[["arm", "lever", "requested", "funded", "paid", "share funded", "quarters_short",
                           "first_short"]].round(1).rename(columns={"requested": "requested [units]",
                                                                    "funded": "funded [units]", "paid": "paid [units]",
                                                                    "quarters_short": "quarters short",
                                                                    "first_short": "first quarter short"}))
        brief.fig(plot_budget(out, figures / f"{out.name}-budget.png"),
                  "Requested (dashed) vs funded (solid) spending per quarter, mean over seeds")
    return effects


def effect_table(t: pd.DataFrame, ind: str) -> pd.DataFrame:
    u, q = t["unit"].iloc[0], int(t["quarters"].iloc[0])
    scale, per = (100.0, SHARE_POINTS) if ind in SHARES else (1.0, u)
    return pd.DataFrame({
        "arm": t["arm"].str.split(":", n=1).str[-1],
        f"Δ at quarter {q} [{per}]": [interval(r.final_effect * scale, r.final_effect_low * scale,
                                               r.final_effect_high * scale) for r in t.itertuples()],
        f"Σ Δ over {q} quarters [{u} × quarters]": [interval(r.effect, r.effect_low, r.effect_high) for r in t.itertuples()],
        "Σ funded spending [units]": [interval(r.spending, r.spending_low, r.spending_high) for r in t.itertuples()],
        f"Σ Δ per unit spent [{u} × quarters/unit]": [interval(r.per_unit, r.per_unit_low, r.per_unit_high)
                                                        for r in t.itertuples()],
        f"spending per +1 {SHARE_POINT if per == SHARE_POINTS else per} [units]": [interval(r.cost_per, r.cost_per_low, r.cost_per_high) for r in t.itertuples()],
    })


def answer_section(brief: Brief, effects: pd.DataFrame, outcomes) -> None:
    """The answer in numbers: per outcome, the most cost-effective arm and the largest effect."""
    items = []
    for ind in outcomes:
        t = effects[(effects["indicator"] == ind) & effects["per_unit"].notna()]
        if not len(t):
            continue
        scale, per = (100.0, SHARE_POINTS) if ind in SHARES else (1.0, t["unit"].iloc[0])
        if t["final_effect_low"].isna().all():      # fewer than MIN_INTERVAL_N replications: no interval
            items.append(f"{ind}: not judged: there is no interval of the effect from fewer than {MIN_INTERVAL_N} "
                         "replications (see Caveats)")
            continue
        sure = t[t["final_effect_low"] > 0]
        if not len(sure):
            items.append(f"{ind}: no arm raises it beyond doubt (every interval of the effect at the last "
                         "quarter includes 0 or lies below it)")
            continue
        best, big = sure.loc[sure["per_unit"].idxmax()], sure.loc[sure["final_effect"].idxmax()]
        cheap = sure.loc[sure["spending"].idxmin()]
        items.append(f"{ind}: {len(sure)} of {len(t)} arms raise it beyond doubt. Most cost-effective: "
                     f"{_short(best['arm'])} ({interval(best['per_unit'], best['per_unit_low'], best['per_unit_high'])} "
                     f"{ind}-quarters per unit spent; {_cost(best, per, ind)}). Largest: {_short(big['arm'])} "
                     f"({interval(big['final_effect'] * scale, big['final_effect_low'] * scale, big['final_effect_high'] * scale)} "
                     f"{per} at the last quarter for {big['spending']:.0f} units paid). Cheapest: {_short(cheap['arm'])} "
                     f"({cheap['spending']:.0f} units paid).")
    if items:
        brief.h(2, "Answer in numbers")
        brief.ul(items)


def _cost(row, per, ind) -> str:
    unit = SHARE_POINT if per == SHARE_POINTS else per
    return (f"{interval(row['cost_per'], row['cost_per_low'], row['cost_per_high'])} units of spending per +1 "
            f"{unit} of {ind} at the last quarter")


def _short(arm: str) -> str:
    return arm.split(":", 1)[-1]


def budget_answer(brief: Brief, effects: pd.DataFrame, use: pd.DataFrame, outcomes) -> None:
    """At what budget: per lever, each dose's final effects and the share the budget paid."""
    single = effects[~effects["lever"].str.contains(r"\+", regex=True) & effects["value"].notna()]
    if not len(single):
        return
    funded = use.set_index("arm")["share_funded"] if len(use) else pd.Series(dtype=float)
    items = []
    for lever, g in single.groupby("lever", sort=False):
        doses = []
        for value, d in g.groupby("value"):
            arm = d["arm"].iloc[0]
            parts = []
            for ind in outcomes:
                r = d[d["indicator"] == ind]
                if len(r):
                    r = r.iloc[0]
                    k = 100.0 if ind in SHARES else 1.0
                    parts.append(f"Δ{ind} {interval(r.final_effect * k, r.final_effect_low * k, r.final_effect_high * k)}")
            paid = f", {funded[arm]:.0%} funded" if arm in funded.index else ""
            doses.append(f"{value:g}/quarter{paid}: " + "; ".join(parts))
        items.append(f"{lever} — " + " | ".join(doses))
    brief.h(3, f"At what budget (each lever alone; shares in {SHARE_POINTS})")
    brief.ul(items)


def sensitivity_section(brief: Brief, out: Path, figures: Path) -> None:
    from experiments.sensitivity import indices, plot_indices

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        table = indices(out)
    plan = load_plan(out)
    brief.h(2, f"Sensitivity ({plan['method']}, {out.name})")
    brief.p("Which lever matters most over its whole range, the others varying too. The dummy factor "
            "changes only the seed: an index not above the dummy's is not told apart from seed noise.")
    cols = [c for c in ("indicator", "parameter", "S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf",
                        "sigma", "above_noise", "seed_noise_share") if c in table.columns]
    shown = table[cols].round(3)
    shown["above_noise"] = table["above_noise"].map({True: "yes", False: "no"}).fillna("—")
    brief.table(shown)
    brief.fig(plot_indices(table, figures / f"{out.name}-sensitivity.png"), "Sensitivity indices with intervals; "
              "dashed: the noise floor (dummy's upper end)")
    brief.caveats += [f"{out.name}: {note}" for note in table.attrs.get("diagnostics", [])]


def check_outcomes(stores, plans, outcomes) -> None:
    """ValueError naming --outcomes, the name and the allowed ones unless every results folder that
    gets an effects section keeps the series of each outcome (checked before anything is written)."""
    from model.indicator_registry import allowed_text
    from model.param_spec import did_you_mean

    kept = [(s, p["series"]) for s, p in zip(stores, plans) if p.get("series") and not (
        p.get("kind") == "sweep" and p.get("method") not in REFERENCED)]
    for store, series in kept:
        for name in [o for o in outcomes if o not in series]:
            raise ValueError(f"--outcomes: {name!r} is not an indicator {store} keeps{did_you_mean(name, series)}; allowed: "
                             f"{allowed_text(series)}; given: {','.join(outcomes)!r}")


def _not_a_store(folder: Path) -> str:
    """Why `folder` (without plan.json) is not a results folder: missing, a single run's output, or other."""
    if not folder.is_dir():
        return "a file, not a folder" if folder.exists() else "no such folder"
    if (folder / "summary.json").exists() and (folder / "indicators.csv").exists():
        return ("a single run's folder (clusterlab run writes indicators.csv and summary.json), not a batch's results "
                "folder: a brief compares the runs of a batch (arms over seeds, a plan.json and runs/), e.g. "
                "`clusterlab compare baseline SCENARIO --reps 10 --out DIR`")
    return "not a results folder (no plan.json)"


def report(stores, out, question: str | None = None, outcomes=OUTCOMES, title: str | None = None) -> Path:
    """Write OUT/report.md, OUT/report.html and OUT/figures/ from results folders; return OUT."""
    stores = [Path(s) for s in stores]
    for s in stores:
        if not (s / "plan.json").exists():
            raise ValueError(f"{s}: {_not_a_store(s)}; allowed: folders written by sweep, compare, sensitivity or "
                             "cost-effectiveness (STORE ... OUT: the output folder comes last)")
    plans = [check_store(s) for s in stores]      # another version's folder is refused before OUT is made
    check_outcomes(stores, plans, outcomes)
    out = Path(out)
    if any(out.resolve().is_relative_to((s / "runs").resolve()) for s in stores):   # among the run files
        raise ValueError(f"OUT {out}: inside a results folder's runs/ (one file per run); allowed: another folder, "
                         f"e.g. {stores[0] / 'brief'}")
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    brief = Brief(title or "ClusterLab policy brief")
    brief.h(2, "Question")
    brief.p(question or next((p.get("description") for p in plans if p.get("description")), "") or
            "(no question given: pass --question)")
    body = Brief(brief.title)
    design_section(body, stores)
    all_effects = []
    for s, plan in zip(stores, plans):
        if plan.get("kind") == "sweep" and plan.get("method") in ("sobol", "morris"):
            sensitivity_section(body, s, figures)
        elif "series" in plan and plan["series"]:
            e = effects_section(body, s, list(outcomes), figures)
            if e is not None:
                all_effects.append(e)
    if all_effects:
        from experiments.dose_response import budget_use

        effects = pd.concat(all_effects, ignore_index=True).drop_duplicates(["arm", "indicator"])
        answer_section(brief, effects, list(outcomes))
        uses = [budget_use(s) for s, p in zip(stores, plans) if p.get("kind") != "sweep" or p.get("method") in REFERENCED]
        budget_answer(brief, effects, pd.concat(uses, ignore_index=True).drop_duplicates("arm") if uses else
                      pd.DataFrame(), list(outcomes)[:2])
    brief.blocks += body.blocks
    brief.h(2, "Caveats")
    brief.ul(list(dict.fromkeys(body.caveats)) or ["none found"])
    (out / "report.md").write_text(to_markdown(brief, out), encoding="utf-8")
    (out / "report.html").write_text(to_html(brief), encoding="utf-8")
    return out


# --- the command ----------------------------------------------------------------------------
def add_arguments(parser) -> None:
    from experiments.inputs import nonempty_path

    parser.add_argument("paths", nargs="+", metavar="STORE ... OUT",
                        help="one or more results folders, then the output folder of the brief (or give it as --out)")
    parser.add_argument("--out", type=nonempty_path, metavar="DIR", help="the output folder of the brief, if not given last")
    parser.add_argument("--question", metavar="TEXT", help="the question (default: the first sweep's description)")
    parser.add_argument("--title", metavar="TEXT", help="title of the brief")
    parser.add_argument("--outcomes", metavar="A,B", help="indicators to report (default: output, "
                        "local_sourcing_share, firms, mean_knowledge)")


def cli(args) -> int:
    """`clusterlab report STORE ... OUT` (or `STORE ... --out OUT`: without the option, `--out` was
    read as an abbreviation of --outcomes and refused as an unknown indicator)."""
    from experiments.inputs import check_writable

    stores, out = (args.paths, args.out) if args.out is not None else (args.paths[:-1], args.paths[-1])
    if not stores:
        raise ValueError("report: give at least one results folder and the output folder (STORE ... OUT)")
    check_writable(out, "--out" if args.out is not None else "OUT")   # unwritable: named now, not as a bare Errno
    outcomes = tuple(args.outcomes.split(",")) if args.outcomes else OUTCOMES
    done = report(stores, out, question=args.question, outcomes=outcomes, title=args.title)
    print(f"wrote {done}/report.html (self-contained), {done}/report.md and {done}/figures/")
    return 0
