"""The case scenarios of the seeds and how their outcomes are measured.

Each case scenario (`scenarios/<name>.toml`) answers one question; `CASES` says which runs
answer it (the scenario, and for a comparison the variant it is compared with) and
`headline(name, runs)` computes the figures its test checks and `docs/scenarios.md` reports.
`run_case(name, seeds)` runs them all in this process — one seed after another, the variant with
the same seeds (common random numbers).

Besides the model's indicators, a run records per quarter what the cases need and the
indicators do not hold:

- `final_output`: physical output of the final firms alone (their sales value is the
  indicator `final_sales`; `output` is the cluster's value added);
- `profit`, `capital`: all enterprises' profit after tax (returns) and capital (assets);
- `tie_length`: mean distance (cells) between the two ends of a supply tie;
- `lead_distance`: mean distance of the suppliers to their nearest lead firm;
- `stage_<s>`: enterprises in stage s (the last, `n_stages`, is the final firms);
- `dirty_share_firms`, `dirty_share_emissions`: the dirty stage's share of enterprises and of
  emissions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios import load_scenario

# the dartboard null model: the co-location forces switched off (scenarios/dartboard.toml)
NULL = "dartboard"


@dataclass(frozen=True)
class Case:
    """A scenario, what it is compared with, and the run length its test uses."""

    name: str
    variant: str | None = None          # "file:<scenario>", "null" or "drop:<lever>"
    variant_label: str = ""
    test_steps: int | None = None       # None: the scenario's own run length
    notes: dict = field(default_factory=dict)


CASES = {
    "zhejiang_block_economy": Case("zhejiang_block_economy", "null", "dartboard null (same scenario, random sites)"),
    "datang_socks": Case("datang_socks"),
    "jiangxi_auto_hub": Case("jiangxi_auto_hub"),
    "jilin_policy_push": Case("jilin_policy_push", "file:jilin_no_policy", "jilin_no_policy"),
    "hunan_linkage_policy": Case("hunan_linkage_policy", "file:hunan_scattered_towns", "hunan_scattered_towns"),
    "xiqiao_decline_revival": Case("xiqiao_decline_revival", "drop:tech_centre", "same scenario without the centre"),
    "dyeing_regulation": Case("dyeing_regulation", "drop:environmental_regulation", "same scenario without regulation"),
}
# the scenario files: every case, plus the files that serve as a comparison
SCENARIOS = ("zhejiang_block_economy", "datang_socks", "jiangxi_auto_hub", "jilin_no_policy", "jilin_policy_push",
             "hunan_scattered_towns", "hunan_linkage_policy", "xiqiao_decline_revival", "dyeing_regulation")


# --- the two runs of a case ---------------------------------------------------------------------
def variant_scenario(case: Case):
    """The scenario a case is compared with (None for a case that stands alone)."""
    if case.variant is None:
        return None
    kind, _, what = case.variant.partition(":")
    base = load_scenario(case.name)
    if kind == "file":
        return load_scenario(what)
    if kind == "null":
        return base.with_overrides(**load_scenario(NULL).params)
    if kind == "drop":  # the same scenario without the lever: no schedule entries, initial value 0
        s = base.with_overrides(**{what: 0.0})
        return dataclasses.replace(s, schedule=tuple(e for e in s.schedule if e[1] != what))
    raise ValueError(f"unknown variant {case.variant!r}")


def run(scenario, seed: int, steps: int | None = None):
    """(model, results): the scenario run for `steps` quarters, with the case columns added."""
    s = load_scenario(scenario) if isinstance(scenario, str) else scenario
    model = s.build(seed=seed)
    rows = [_extra(model)]
    for _ in range(s.steps if steps is None else steps):
        model.step()
        rows.append(_extra(model))
    results = pd.concat([model.results(), pd.DataFrame(rows)], axis=1)
    return model, results


def run_case(name: str, seeds=(0, 1, 2), steps: int | None = None) -> dict:
    """{"main": [results per seed], "variant": [...] or None, "models": {...}} for case `name`."""
    case = CASES[name]
    steps = case.test_steps if steps is None else steps
    main = [run(name, seed, steps) for seed in seeds]
    other = variant_scenario(case)
    variant = [run(other, seed, steps) for seed in seeds] if other is not None else None
    return {"name": name, "seeds": tuple(seeds), "main": [r for _, r in main],
            "variant": None if variant is None else [r for _, r in variant],
            "models": {"main": [m for m, _ in main], "variant": None if variant is None else [m for m, _ in variant]}}


# --- per-quarter measures the indicators do not hold ---------------------------------------------
def _extra(model) -> dict:
    p, pop, net = model.params, model.population, model.network
    live = pop.live
    S = p["n_stages"]
    stage = pop.stage[live].astype(int)
    final = live[stage == S]
    out = {"final_output": float(pop.output[final].sum()),   # final_sales is an indicator
           "profit": float(pop.profit[live].sum()), "capital": float(pop.capital[live].sum())}
    counts = np.bincount(stage, minlength=S + 1)
    out |= {f"stage_{s}": int(counts[s]) for s in range(S + 1)}
    if len(net):
        out["tie_length"] = float(np.hypot(pop.x[net.src] - pop.x[net.dst], pop.y[net.src] - pop.y[net.dst]).mean())
    else:
        out["tie_length"] = float("nan")
    lead = live[pop.is_lead[live]]
    sup = live[stage < S]
    if len(lead) and len(sup):
        d = np.hypot(pop.x[sup][:, None] - pop.x[lead][None, :], pop.y[sup][:, None] - pop.y[lead][None, :])
        out["lead_distance"] = float(d.min(axis=1).mean())
    else:
        out["lead_distance"] = float("nan")
    dirty = p["dirty_stage"]
    if dirty >= 0 and len(live):
        em = pop.emissions[live]
        out["dirty_enterprises"] = int(np.sum(stage == dirty))
        out["dirty_share_firms"] = float(np.mean(stage == dirty))
        out["dirty_share_emissions"] = float(em[stage == dirty].sum() / em.sum()) if em.sum() > 0 else 0.0
    return out


def case_columns(model) -> list[str]:
    """The names of the case columns `run` adds to the indicator table of `model`'s scenario."""
    return list(_extra(model))


# --- headline figures ---------------------------------------------------------------------------
def _mean(values) -> float:
    return float(np.nanmean(values))


def _last(df: pd.DataFrame, col: str, n: int = 4) -> float:
    """Mean of a column over the last n quarters (smooths quarter-to-quarter noise)."""
    return float(df[col].iloc[-n:].mean())


def _first(df: pd.DataFrame, col: str, start: int = 1, n: int = 4) -> float:
    return float(df[col].iloc[start:start + n].mean())


def per_seed(name: str, runs: dict) -> pd.DataFrame:
    """One row per seed: the case's measures (see `headline` for their meaning)."""
    return pd.DataFrame([MEASURES[name](m, v) for m, v in zip(runs["main"], runs["variant"] or [None] * len(runs["main"]))],
                        index=pd.Index(runs["seeds"], name="seed"))


def headline(name: str, runs: dict) -> pd.Series:
    """Mean over seeds of the case's measures."""
    return per_seed(name, runs).mean()


def _zhejiang(df, null):
    return {
        "ellison_glaeser": _last(df, "ellison_glaeser"),
        "ellison_glaeser_null": _last(null, "ellison_glaeser"),
        "morans_i": _last(df, "morans_i"),
        "morans_i_null": _last(null, "morans_i"),
        "local_sourcing": _last(df, "local_sourcing_share"),
        "suppliers_per_firm_start": df["suppliers"].iloc[0] / df["firms"].iloc[0],
        "suppliers_per_firm_end": df["suppliers"].iloc[-1] / df["firms"].iloc[-1],
        "enterprises_end": df["firms"].iloc[-1] + df["suppliers"].iloc[-1],
    }


def _datang(df, _):
    stages = [c for c in df.columns if c.startswith("stage_")]
    after = df.iloc[1:]
    return {
        "smallest_stage_min": float(after[stages].min().min()),      # fewest enterprises any stage ever had
        "stages_alive_end": int((df[stages].iloc[-1] > 0).sum()),
        "n_stages_total": len(stages),
        "local_sourcing": _last(df, "local_sourcing_share"),
        "local_sourcing_min_after_year_2": float(df["local_sourcing_share"].iloc[8:].min()),
        "dyeing_plants_end": float(df["stage_3"].iloc[-1]) if "stage_3" in df else float("nan"),
        "enterprises_start": float(df[stages].iloc[0].sum()),
        "enterprises_end": float(df[stages].iloc[-1].sum()),
        "output_growth": _last(df, "output") / _first(df, "output"),
    }


def _jiangxi(df, _):
    return {
        "lead_distance_start": float(df["lead_distance"].iloc[0]),
        "lead_distance_end": _last(df, "lead_distance"),
        "lead_local_sourcing_start": _first(df, "lead_local_sourcing_share"),
        "lead_local_sourcing_end": _last(df, "lead_local_sourcing_share", 8),
        "lead_firms_end": float(df["lead_firms"].iloc[-1]),
        "suppliers_start": float(df["suppliers"].iloc[0]),
        "suppliers_end": float(df["suppliers"].iloc[-1]),
    }


def _policy_pair(df, base):
    return {
        "firms": float(df["firms"].iloc[-1]), "firms_no_policy": float(base["firms"].iloc[-1]),
        "enterprises": float(df["firms"].iloc[-1] + df["suppliers"].iloc[-1]),
        "enterprises_no_policy": float(base["firms"].iloc[-1] + base["suppliers"].iloc[-1]),
        "output": _last(df, "output"), "output_no_policy": _last(base, "output"),
        "spending_total": float(df["gov_spending"].sum()),
        "budget_end": float(df["gov_budget"].iloc[-1]),
    }


def _hunan(df, base):
    return {
        "network_density": _last(df, "network_density"), "network_density_scattered": _last(base, "network_density"),
        "local_sourcing": _last(df, "local_sourcing_share"),
        "local_sourcing_scattered": _last(base, "local_sourcing_share"),
        "output_growth": _last(df, "output") / _first(df, "output"),
        "output_growth_scattered": _last(base, "output") / _first(base, "output"),
        "lead_firms_end": float(df["lead_firms"].iloc[-1]),
        "lead_local_sourcing": _last(df, "lead_local_sourcing_share"),
    }


def _xiqiao(df, base, shift: int | None = None, opening: int | None = None):
    shift = shift if shift is not None else CASE_STEPS["xiqiao_shift"]
    opening = opening if opening is not None else CASE_STEPS["xiqiao_centre"]
    before, between = df.iloc[1:shift], df.iloc[shift:opening + 1]
    peak_firms, peak_sales = before["firms"].max(), before["final_sales"].max()
    end = len(df) - 1
    years = (end - opening) / 4
    sales_open = float(df["final_sales"].iloc[opening - 3:opening + 1].mean())
    sales_end, sales_end_base = _last(df, "final_sales"), _last(base, "final_sales")
    window = df["final_sales"].rolling(4).mean()
    three_years = (window.shift(-12) / window).iloc[opening:end - 12]  # best 12-quarter growth after opening
    return {
        "firms_peak": float(peak_firms), "firms_trough": float(between["firms"].min()),
        "firms_fall": 1 - float(between["firms"].min()) / peak_firms,
        "sales_peak": float(peak_sales), "sales_trough": float(between["final_sales"].min()),
        "sales_fall": 1 - float(between["final_sales"].min()) / peak_sales,
        "output_fall": 1 - float(between["final_output"].min()) / float(before["final_output"].max()),
        "sales_at_opening": sales_open, "sales_end": sales_end, "sales_end_no_centre": sales_end_base,
        "growth_per_year_after_opening": (sales_end / sales_open) ** (1 / years) - 1,
        "best_3_year_growth_per_year": float(three_years.max()) ** (1 / 3) - 1,
        "firms_end": float(df["firms"].iloc[-1]), "firms_end_no_centre": float(base["firms"].iloc[-1]),
        "centre_spending_total": float(df["spend_tech_centre"].sum()),
    }


def _dyeing(df, base, start: int | None = None):
    start = start if start is not None else CASE_STEPS["dyeing_regulation"]
    after, after_base = df.iloc[start + 4:], base.iloc[start + 4:]
    return {
        "dyeing_share_of_firms": _first(base, "dirty_share_firms", 1, start - 1),
        "dyeing_share_of_emissions": _first(base, "dirty_share_emissions", 1, start - 1),
        "emissions_regulated": float(after["pollution"].mean()), "emissions_free": float(after_base["pollution"].mean()),
        "emissions_cut": 1 - float(after["pollution"].mean()) / float(after_base["pollution"].mean()),
        "output_regulated": float(after["output"].mean()), "output_free": float(after_base["output"].mean()),
        "output_cost": 1 - float(after["output"].mean()) / float(after_base["output"].mean()),
        "dyeing_plants_regulated": float(df["dirty_enterprises"].iloc[-1]),
        "dyeing_plants_free": float(base["dirty_enterprises"].iloc[-1]),
        "monitoring_spending_total": float(df["spend_environmental_enforcement"].sum()),
    }


MEASURES = {
    "zhejiang_block_economy": _zhejiang,
    "datang_socks": _datang,
    "jiangxi_auto_hub": _jiangxi,
    "jilin_policy_push": _policy_pair,
    "hunan_linkage_policy": _hunan,
    "xiqiao_decline_revival": _xiqiao,
    "dyeing_regulation": _dyeing,
}


def _schedule_step(name: str, lever: str, kind: str = "shift") -> int:
    s = load_scenario(name)
    if kind == "shift":
        return int(s.params["demand_shifts"][0][0])
    return int(next(step for step, lev, value in s.schedule if lev == lever and value > 0))


class _Steps(dict):
    """Quarters read off the scenario files when first asked (the shift, the centre's opening…)."""

    def __missing__(self, key):
        value = {"xiqiao_shift": lambda: _schedule_step("xiqiao_decline_revival", "", "shift"),
                 "xiqiao_centre": lambda: _schedule_step("xiqiao_decline_revival", "tech_centre", "lever"),
                 "dyeing_regulation": lambda: _schedule_step("dyeing_regulation", "environmental_regulation", "lever"),
                 }[key]()
        self[key] = value
        return value


CASE_STEPS = _Steps()
