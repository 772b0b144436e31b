"""Cost-effectiveness of policy levers: cumulative benefit per unit of cumulative funded spending.

Every arm (or design point) is compared with the reference arm (the scenario as it is: the first
arm, or point 0 of a one_at_a_time / dose_response / fixed_budget sweep) replication by
replication — both ran with the same seed (common random numbers). For replication k, with
w_t = (1 + r)^(−t/4) the discount weight of quarter t at the annual rate r (0 by default):

    ΔB_k = Σ_{t=1..T} w_t (Y_arm,k,t − Y_ref,k,t)      cumulative benefit  [indicator unit × quarters]
    ΔS_k = Σ_{t=1..T} w_t (S_arm,k,t − S_ref,k,t)      cumulative FUNDED spending [money units]
    ΔY_k = Y_arm,k,T − Y_ref,k,T                        final effect        [indicator unit]

S is what the government actually paid (spend_<lever>, after pro-rata cuts), summed over the
levers the arm changes (`cost="lever"`; all its spending when the arm is another scenario and
changes no lever), or its net fiscal cost gov_spending − gov_revenue
(`cost="net"`, the only meaningful cost of tax levers). The table gives mean ΔB, mean ΔS,
per_unit = mean ΔB / mean ΔS and cost_per = mean ΔS / mean ΔY (money per unit of final effect;
per percentage point for shares). Every interval is a paired BCa bootstrap (Efron 1987;
scipy.stats.bootstrap) over the replications with the same resamples, so when spending is the
same in every seed the ratio's interval is exactly the effect's interval divided by it.
p_value: the paired sign-flip permutation test of mean ΔB = 0 (two-sided; with seed `seed`;
`experiments.multiple_testing.sign_flip_p`, which gives its sources), the H0 of per_unit too.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.compare import Arm, parse_assignments, run_arms
from experiments.conventions import DEFAULT_SEED, MIN_INTERVAL_N, arm_label, few_replications
from experiments.design import REFERENCED
from experiments.multiple_testing import sign_flip_p
from experiments.store import load_plan, load_results
from experiments.sweep import load_scenario_checked


def default_outcomes() -> tuple[str, ...]:
    """The cluster's output (value added once the registry has it, else output), local sourcing,
    firms and knowledge: the default outcomes of every analysis and of the report."""
    from model.indicator_registry import NAMES

    return ("value_added" if "value_added" in NAMES else "output", "local_sourcing_share", "firms", "mean_knowledge")


#: Default outcomes (from the indicator registry: value added replaces output when it exists).
OUTCOMES = default_outcomes()
COSTS = ("lever", "net")
#: Below this many replications intervals are unreliable and a warning says so.
MIN_REPS = 10
#: Shares are reported per percentage point in cost_per.
SHARES = ("local_sourcing_share", "lead_local_sourcing_share")
#: The unit a share's effect is shown in (× 100): percentage points, not "points" (index points?).
SHARE_POINTS, SHARE_POINT = "percentage points", "percentage point"


def unit(indicator: str) -> str:
    """The unit of an indicator (the registry's once it exists; 'units' otherwise)."""
    from model.indicator_registry import INDICATORS

    return INDICATORS[indicator].unit if indicator in INDICATORS and INDICATORS[indicator].unit else "index"


def lever_arms(scenario, levers: dict, common: dict | None = None) -> list[Arm]:
    """The reference arm (the scenario) and one arm per lever, labelled the one way."""
    sc = load_scenario_checked(scenario, f"SCENARIO {scenario!r}") if isinstance(scenario, str) else scenario
    name = scenario if isinstance(scenario, str) else getattr(sc, "name", str(scenario))
    common = dict(common or {})
    from model.params import PARAMS

    for lever, value in levers.items():     # an arm at the reference's own value spends what it spends
        own = common.get(lever, getattr(sc, "params", {}).get(lever, PARAMS[lever].default))
        if value == own:
            raise ValueError(f"LEVER=VALUE: {lever}={value:g} is the reference arm's own value (the scenario's or "
                             f"--set's), so the arm would repeat the reference; allowed: another value of {lever}")
    return [Arm(name, sc, common)] + [Arm(arm_label(name, {lever: value}), sc, {**common, lever: value})
                                      for lever, value in levers.items()]


# --- statistics -----------------------------------------------------------------------------
def discount_weights(steps: int, rate: float = 0.0) -> np.ndarray:
    """w_t = (1 + rate)^(−t/4) for quarters t = 1..steps (rate per year, a share in [0, 1]: 5 is
    refused, it would be 500% a year where 5% was meant)."""
    if not (np.isfinite(rate) and 0 <= rate <= 1):
        hint = f" (a share: {rate / 100:g} is {rate:g}% a year)" if 1 < rate <= 100 else ""
        raise ValueError(f"--discount: allowed: an annual rate >= 0 and <= 1, e.g. 0.05{hint}; given: {rate}")
    return (1.0 + rate) ** (-np.arange(1, steps + 1) / 4.0)


def paired_bca(x, y=None, level: float = 0.95, seed: int = DEFAULT_SEED, n_resamples: int = 4999):
    """Paired BCa interval of mean(x) (y None) or of mean(x)/mean(y), resampling replications.

    The resampled indices depend only on n and `seed`, so mean(x) and mean(x)/mean(y) use the
    same resamples. Returns (estimate, low, high); NaN where undefined (mean(y) = 0) and both ends
    NaN for n < MIN_INTERVAL_N (3: with 2 the "interval" is the two values; experiments.conventions);
    the estimate itself for both ends when nothing varies.
    """
    x = np.asarray(x, float)
    y = np.ones_like(x) if y is None else np.asarray(y, float)
    if len(x) == 0 or np.isclose(np.mean(y), 0.0):
        return np.nan, np.nan, np.nan
    est = float(np.mean(x) / np.mean(y))
    if len(x) < MIN_INTERVAL_N:
        return est, np.nan, np.nan
    if np.ptp(x / np.mean(y)) == 0 and np.ptp(y) == 0:
        return est, est, est
    if np.allclose(y, y[0], rtol=1e-12, atol=0.0) and y[0] != 1.0:
        # the same denominator in every replication: the ratio's interval is the mean's, divided by it
        _, low, high = paired_bca(x, None, level, seed, n_resamples)
        return est, *sorted((low / y[0], high / y[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.bootstrap((x, y), lambda a, b, axis=-1: np.mean(a, axis=axis) / np.mean(b, axis=axis),
                              paired=True, vectorized=True, confidence_level=level, n_resamples=n_resamples,
                              method="BCa", rng=np.random.default_rng(seed))
    return est, float(res.confidence_interval.low), float(res.confidence_interval.high)


# --- pairing arms with the reference ----------------------------------------------------------
def reference_and_changes(plan: dict, series: pd.DataFrame) -> tuple[str, dict]:
    """The reference arm label and, for every other arm, the parameters it changes."""
    if plan.get("kind") == "sweep":
        if plan.get("method") not in REFERENCED:
            raise ValueError(f"cost-effectiveness needs a reference point: a sweep with design.method in "
                             f"{', '.join(REFERENCED)} (this one is {plan.get('method')!r})")
        base = plan["reference"]
        points = series.drop_duplicates("arm").set_index("arm")
        ref = points.index[points["point"] == 0][0]
        return ref, {arm: {n: row[n] for n in base if row[n] != base[n]} for arm, row in points.iterrows()
                     if arm != ref}
    arms = plan["arms"]
    ref = arms[0]["label"]
    base = arms[0]["overrides"]   # values may be lists (parks): compare, do not hash
    return ref, {a["label"]: {k: v for k, v in a["overrides"].items() if k not in base or base[k] != v}
                 for a in arms[1:]}


def arm_matrix(series: pd.DataFrame, arm: str, column: str) -> pd.DataFrame:
    """rep × step values of one column of one arm (steps ≥ 1)."""
    s = series[(series["arm"] == arm) & (series["step"] > 0)]
    return s.pivot(index="rep", columns="step", values=column)


def spending_matrix(series, arm, changes, cost) -> pd.DataFrame:
    if cost == "net":
        return arm_matrix(series, arm, "gov_spending") - arm_matrix(series, arm, "gov_revenue")
    if not changes:                   # another scenario, no lever changed: all the government's spending
        return arm_matrix(series, arm, "gov_spending")
    cols = [f"spend_{lever}" for lever in changes if f"spend_{lever}" in series.columns]
    if not cols:
        return arm_matrix(series, arm, "gov_spending") * 0.0
    return sum(arm_matrix(series, arm, c) for c in cols)


def underfunding(series, arm, changes) -> list[str]:
    """Warnings naming each lever and the quarters where it was funded below its request."""
    from experiments.design import money_levers

    notes = []
    for lever, value in changes.items():
        spent = f"spend_{lever}"
        if spent not in series.columns:
            continue
        paid = arm_matrix(series, arm, spent)
        if f"requested_{lever}" in series.columns:
            asked = arm_matrix(series, arm, f"requested_{lever}")
        elif lever in money_levers():
            asked = paid * 0.0 + float(value)
        else:
            continue
        share = (paid / asked.where(asked > 0)).min(axis=0)          # worst replication per quarter
        short = share[share < 1 - 1e-9]
        if len(short):
            q = short.index.to_numpy()
            notes.append(f"{arm}: {lever} funded below its request in {len(q)} of {share.size} quarters "
                         f"(quarters {_ranges(q)}; lowest {short.min():.0%} of the request): the local "
                         "budget cannot pay it; cost-effectiveness uses what was paid")
    return notes


def _ranges(q) -> str:
    parts, start = [], q[0]
    for a, b in zip(q, list(q[1:]) + [None]):
        if b != a + 1:
            parts.append(f"{start}" if start == a else f"{start}–{a}")
            start = b
    return ", ".join(parts)


# --- the table ------------------------------------------------------------------------------
def effectiveness(out, outcomes=OUTCOMES, cost: str = "lever", level: float = 0.95, seed: int = DEFAULT_SEED,
                  discount: float = 0.0, said=()) -> pd.DataFrame:
    """Per arm and outcome: cumulative benefit, funded spending and their ratio, with paired BCa
    intervals, from a results folder holding series. attrs["warnings"] lists underfunding and
    small-N notes (also issued as UserWarnings, except those in `said`: already issued)."""
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
    series = load_results(out, "series")
    missing = [c for c in (*outcomes, "gov_spending", "gov_revenue") if c not in series.columns]
    if missing:
        raise ValueError(f"{out}: cost-effectiveness needs the series of {', '.join(missing)} (keep.series)")
    ref, arms = reference_and_changes(load_plan(out), series)
    rows, notes = [], []
    for arm, changes in arms.items():
        notes += underfunding(series, arm, changes)
        rows += arm_rows(series, ref, arm, changes, outcomes, cost, level, seed, discount)
    table = pd.DataFrame(rows)
    notes += small_n_notes(int(table["n"].min()) if len(table) else 0)
    for note in notes:
        if note not in said:
            warnings.warn(note, stacklevel=2)
    table.attrs["warnings"] = notes
    return table


def small_n_notes(n: int) -> list[str]:
    """The warning for n paired replications per arm: no interval below MIN_INTERVAL_N, unreliable
    ones below MIN_REPS (none from MIN_REPS up, or for n = 0: no run)."""
    if note := few_replications(n, "paired replication"):
        return [note]
    if 0 < n < MIN_REPS:
        return [f"only {n} paired replication(s) per arm: intervals from fewer than {MIN_REPS} are "
                f"unreliable (BCa needs them); rerun with --reps {MIN_REPS} or more"]
    return []


def arm_rows(series, ref, arm, changes, outcomes, cost, level, seed, discount) -> list[dict]:
    """The table's rows of one arm against the arm `ref` (any arm of `series`, e.g. a pooled control),
    one per outcome: paired ΔB, ΔS, ΔB/ΔS, final ΔY and cost per unit with BCa intervals, and the
    sign-flip p-value of mean ΔB = 0 (p_value)."""
    dS_t = spending_matrix(series, arm, changes, cost) - spending_matrix(series, ref, changes, cost)
    dS_t = dS_t.dropna()
    w = discount_weights(dS_t.shape[1], discount)
    dS = dS_t.to_numpy() @ w
    (lever, value), = changes.items() if len(changes) == 1 else ((" + ".join(changes) or "(scenario)", np.nan),)
    rows = []
    for ind in outcomes:
        dY_t = (arm_matrix(series, arm, ind) - arm_matrix(series, ref, ind)).reindex(dS_t.index)
        dB, dY = dY_t.to_numpy() @ w, dY_t.to_numpy()[:, -1]
        scale = 100.0 if ind in SHARES else 1.0
        effect, per, final, cost_per = (paired_bca(dB, None, level, seed), paired_bca(dB, dS, level, seed),
                                        paired_bca(dY, None, level, seed), paired_bca(dS, dY * scale, level, seed))
        spend = paired_bca(dS, None, level, seed)
        if not final[0] > 0 or np.isclose(spend[0], 0.0):  # no gain, or no money: no cost per unit
            cost_per = (np.nan, np.nan, np.nan)
        elif np.isnan(final[1]):    # no interval (too few replications): none for the cost either
            cost_per = (cost_per[0], np.nan, np.nan)
        elif not final[1] > 0:      # gain not told from 0: from spending / upper end of the gain to ∞
            cost_per = (cost_per[0], spend[0] / (final[2] * scale), np.inf)
        rows.append({"arm": arm, "lever": lever, "value": value, "indicator": ind, "unit": unit(ind),
                     "cost": cost, "discount": discount, "quarters": len(w), "n": len(dS),
                     **_triple("effect", effect), **_triple("spending", spend), **_triple("per_unit", per),
                     **_triple("final_effect", final), **_triple("cost_per", cost_per),
                     "p_value": sign_flip_p(dB, seed),
                     "cost_per_unit": f"per {SHARE_POINT}" if ind in SHARES else f"per {unit(ind)}"})
    return rows


def _triple(name, est_low_high) -> dict:
    est, low, high = est_low_high
    return {name: est, f"{name}_low": low, f"{name}_high": high}


def headers(table: pd.DataFrame, indicator: str, level: float = 0.95) -> dict:
    """Column → header with units, for printing one indicator's rows."""
    row = table[table["indicator"] == indicator].iloc[0]
    u, q = row["unit"], int(row["quarters"])
    disc = f", discounted {row['discount']:.0%}/year" if row["discount"] else ""
    money = "net fiscal cost" if row["cost"] == "net" else "funded spending"
    return {"effect": f"Σ Δ{indicator} over {q} quarters{disc} [{u} × quarters]",
            "spending": f"Σ {money}{disc} [money units]",
            "per_unit": f"Δ{indicator}-quarters per money unit [{u} × quarters / unit]",
            "final_effect": f"Δ{indicator} at quarter {q} [{u}]",
            "cost_per": f"{money} per +1 {SHARE_POINT if indicator in SHARES else u} of final {indicator} [money units]"}


def cost_effectiveness(scenario, levers, reps: int = 10, steps: int | None = None, seed: int = DEFAULT_SEED,
                       out=None, *, common=None, outcomes=OUTCOMES, cost: str = "lever", level: float = 0.95,
                       discount: float = 0.0, **run):
    """Run the reference arm and one arm per lever with CRN; tabulate benefit per unit of spending.

    `levers`: a dict {lever: value} or a string "tech_centre=20,rd_subsidy=0.3" (a lever named
    twice is refused). Writes cost_effectiveness.csv (cost="lever") or cost_effectiveness_net.csv
    (cost="net") into the results folder and returns the table.
    """
    if isinstance(levers, str):
        levers = parse_assignments(levers, "levers")
    if not levers:
        raise ValueError("cost-effectiveness needs at least one LEVER=VALUE")
    check_levers(levers)
    discount_weights(1, discount)           # a bad rate is refused now, not after the runs
    arms = lever_arms(scenario, levers, common)
    said = small_n_notes(reps)              # said before the runs, which can still be stopped (as compare)
    out, report = run_arms(arms, reps, steps, seed, out, kind="cost_effectiveness", notes=said, **run)
    table = effectiveness(out, outcomes, cost, level, seed, discount, said)
    table.to_csv(Path(out) / csv_name(cost), index=False)
    table.attrs["report"] = report
    return table


def check_levers(levers: dict, source: str = "LEVER=VALUE") -> None:
    """ValueError naming the first key of `levers` that is not a policy lever (model/params.py LEVERS),
    and the allowed ones: an arm's cost is its levers' spending, so any other parameter has none."""
    from model.params import LEVERS

    for name in levers:
        if name not in LEVERS:
            raise ValueError(f"{source}: {name} is not a policy lever, so its arm has no spending to divide by; "
                             f"allowed: {', '.join(LEVERS)} (a parameter for every arm goes in --set)")


def csv_name(cost: str) -> str:
    return "cost_effectiveness.csv" if cost == "lever" else f"cost_effectiveness_{cost}.csv"


def print_table(table: pd.DataFrame, level: float = 0.95) -> None:
    """One block per indicator, the units in every header (what `clusterlab cost-effectiveness` prints)."""
    for ind in dict.fromkeys(table["indicator"]):
        rows, head = table[table["indicator"] == ind], headers(table, ind, level)
        print(f"\n{ind} — paired by seed, n = {int(rows['n'].min())}, {level:.0%} BCa intervals")
        shown = pd.DataFrame({"arm": rows["arm"]})
        for col, title in head.items():
            shown[title] = [interval(r[col], r[f"{col}_low"], r[f"{col}_high"]) for _, r in rows.iterrows()]
        print(shown.to_string(index=False))


def interval(est, low, high) -> str:
    """'12.3 [4.5, 20.1]' (4 significant figures), "n/a" for an undefined estimate or end
    (experiments.formatting), ∞ for an unbounded end."""
    from experiments.formatting import NA, defined, fmt_float

    def num(x):
        if x is not None and not isinstance(x, str) and np.isinf(x):
            return "∞" if x > 0 else "−∞"
        return fmt_float(x)

    if not defined(est):
        return NA
    return f"{num(est)} [{num(low)}, {num(high)}]"
