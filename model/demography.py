"""Entry, spin-offs and exit: how the population of enterprises renews itself.

Entry (snowball, Arthur 1990). Expected entrants per quarter
    E = e0 + e · N · clip(margin / 10%, 0, 3),
where margin is the cluster's profit/revenue last quarter: profitable clusters attract more.
An entrant picks the stage whose incumbents earn most, weighted up where local buyers still
import much of that stage's good (unfilled niches: the division of labour deepens). In a stage
nobody works in (yet, or any more) entrants expect the cluster's average margin, so a niche
left empty can be filled again; a stage of large plants (`stage_scale` > 1) draws
proportionally fewer entrants, each of them larger. Local
entrants know about as much as the cluster (`entrant_knowledge` × mean knowledge, lognormal).

Entry on expected value (`entry_on_value` = 1; free entry, Hopenhayn 1992; Jovanovic 1982).
Instead of the snowball, would-be local founders arrive as a Poisson flow

    N_c ~ Poisson(e0 + c · n),

c = `founder_rate` a quarter per incumbent (employees who leave to found a plant of their own,
Klepper 2007; the seeds' household founders of Zhejiang's block economies), e0 = `base_entry`.
Each draws its stage (the weights below) and an outside option ω, chooses a site, and values a
plant of its stage there as an outside prospect does (`model.entry_decision.operating_profit`,
`net_gain`: the stage's typical net value per unit at the plant's optimal size, a perpetuity at
r + h, against ω and the sunk entry cost C), but before it knows its own knowledge: over the
entrants' lognormal knowledge (`entry_decision.knowledge_nodes`), V = E[max(π, 0)] / (r + h)
(Jovanovic 1982; Hopenhayn 1992: entrants learn their productivity after entry). It founds iff
(1 − ω) V ≥ C, then draws its knowledge as the snowball's entrants do. Entry then responds stage by stage: where a stage's firms
have died its good's clearing price rises, its unit value with it, and founders come.

Prospects add entrants by their own decision (`model.entry_decision`): outside SMEs and lead
firms drawn from an outside distribution, and local would-be founders, come when their expected
profit, net of the sunk entry cost and of any subsidy (start-up grants, investment attraction),
beats their outside option; recruits settle in a park if there is one.

Spin-offs (Klepper 2007). A profitable enterprise spawns one with probability
s · min(5, L/20); the founder takes a share of the parent's knowledge and some of its workers
and settles within `spinoff_radius` of the parent.

Exit and credit on expected value (going concern; Hopenhayn 1992, Ericson & Pakes 1995). A firm
expects to go on earning π̄ a quarter before interest: last quarter's profit at the net value per
unit v̄ it expects to last (model.persistence, signal extraction: a transitory dip of its good's
price moves v̄ little, a permanent shift moves it at once; the forecast is the same for every
future quarter). A firm that expects its good to sell below its variable cost would stand idle
rather than produce, so π̄ is at least minus its overhead and depreciation
(`expected_plant_profit`). Valued as entrants value a plant (model.entry_decision: a perpetuity
ending at the exit hazard h, discounted at the interest rate r), its capital then scrapped at a
share φ:

    V = (π̄ + h φ K) / (r + h).

Owners. Going on is worth less than scrapping the plant now, V < φ K, exactly when π̄ < r φ K. A
firm in that position would close, were it not that its rivals face the same choice and the
market recovers for those who stay once enough of them close: a war of attrition. In its
symmetric equilibrium each such owner closes with the hazard that leaves it indifferent between
closing now and waiting a quarter (Fudenberg & Tirole 1986; Ghemawat & Nalebuff 1985 for
declining industries),

    x = min(1, (r φ K − π̄) / (W − φ K)),    W = (r + h φ) K / (r + h),

the flow cost of staying over the prize of surviving (the plant back at the normal return r K).
A small shortfall closes few firms a quarter, a deep one closes most at once; as they close the
market recovers and the survivors' hazard falls. This spreads the exits of similar firms over
quarters instead of closing them all in the same one, and it needs no constant of its own.

A lead firm whose parent group carries its losses (`lead_group_credit` > 0: the seeds' 集团公司)
is not closed by this choice: the group keeps a plant it has placed strategically while it can
finance it (the soft budget constraint, Kornai 1986), so only the lender's test below, with the
group's credit in the limit, closes it.

Lender. The lender (民间借贷 or a bank) lends against collateral up to the credit limit
(`leverage` × K, plus the guarantee fund's and a parent group's share, plus the trade credit of
its suppliers along ties, `trade_credit_days` of a quarter's purchases from them:
model.production.trade_credit) and rolls over the debt
D = max(−cash, 0) of a firm whose going-concern value covers it, D ≤ V (a creditor continues a
firm worth more as a going concern than its claim: lending against franchise value, Holmström &
Tirole 1997; the credit lines of Clementi & Hopenhayn 2006); it closes a firm that is insolvent
at that value — the going-concern counterpart of the former balance-sheet test D > K:

    exit  ⇔  u < x  ∨  D > max(limit, V)      (u uniform, drawn each quarter).

So a transitory dip does not close a firm with good prospects (v̄ hardly moves and its debt is
bridged), and a permanent fall of demand closes the firms it leaves without prospects within a
few quarters, solvent or not. The rule is an option (`going_concern_exit` = 1); the default, 0,
keeps exit on solvency (debt beyond assets, K + cash < 0; debt beyond the credit line with an expected loss;
or `exit_patience` losses in a row with a credit runway shorter than `exit_patience` quarters of
the expected loss; Cooley & Quadrini 2001).

Owners under exit on solvency (`owner_exit` = 1, with `going_concern_exit` = 0). The solvency rule
lets only the lender close a firm, so an owner burns his savings and then his credit line on a plant
that has lost its orders for good. With the option an owner also closes a solvent plant when three
things hold: it has shrunk to its crew (`plant_scale` workers, the hiring floor of
model.production.hire: it cannot cut its costs further, so its loss is no longer the passing loss of
a plant being shrunk), it has made `exit_patience` losses in a row (the owner learns the fall lasts),
and it expects to earn less than the return on what its capital fetches scrapped,
π̄ < r φ K ⇔ V = (π̄ + h φ K)/(r + h) < φ K (π̄ before interest; the exit condition of Dixit 1989 and
of declining industries, Ghemawat & Nalebuff 1985, without their option value of waiting, which the
`exit_patience` quarters of evidence stand for). It adds no constant of its own.
"""

from __future__ import annotations

import numpy as np


def expected_entrants(n: int, margin: float, p: dict) -> float:
    """E = e0 + e · n · clip(margin / m_ref, 0, c): expected local entrants a quarter (n incumbents,
    margin = cluster profit / revenue last quarter; m_ref = `entry_reference_margin`, c =
    `entry_margin_cap`; Arthur 1990's snowball)."""
    ratio = margin / p["entry_reference_margin"]
    return p["base_entry"] + p["entry_rate"] * n * float(np.clip(ratio, 0.0, p["entry_margin_cap"]))


def would_be_founders(n: int, p: dict) -> float:
    """e0 + c · n: expected would-be local founders a quarter under entry on expected value
    (n incumbents; e0 = `base_entry`, c = `founder_rate`); each founds only if its plant's
    expected value covers its outside option and the sunk entry cost (`entry_decision.net_gain`)."""
    return p["base_entry"] + p["founder_rate"] * n


def stage_weights(margin_by_stage: np.ndarray, import_share_by_stage: np.ndarray, count_by_stage) -> np.ndarray:
    """Probability (n_stages + 1,) that an entrant chooses each stage (the last = final firms):
    ∝ max(margin, 0) · (1 + import share) per stage; ∝ count + 1 when no stage earns a margin."""
    w = np.maximum(margin_by_stage, 0.0) * (1.0 + import_share_by_stage)
    if w.sum() <= 0:
        w = np.asarray(count_by_stage, float) + 1.0
    return w / w.sum()


def spinoff_parents(rng, profit, workers, p: dict, plant=None) -> np.ndarray:
    """(n,) boolean mask of enterprises spawning a spin-off this quarter: hazard
    s · min(c, L / (L_ref z)) for profitable ones (Klepper 2007; s = `spinoff_rate`, c =
    `spinoff_size_cap`, L_ref = `spinoff_reference_size` SME workers, z the plant size of the
    parent's stage in SMEs: `plant_scale` × its `stage_scale`, model.production.stage_technology;
    a number or an (n,) array, default `plant_scale`), one uniform draw each from `rng`. The
    parent's size is read in plants of its stage, L / z (as the fields read employment,
    model.fields.in_plant_units): a spin-off founds a plant of its stage, so an auto-parts plant of
    ≈ 231 workers (z = 21, Jiangxi) or a dyeing works ten times a weaving shop is one plant, not a dozen SME
    workshops at the hazard's cap. The identity where z = 1."""
    z = p["plant_scale"] if plant is None else plant
    size = np.minimum(p["spinoff_size_cap"], workers / (p["spinoff_reference_size"] * z))
    hazard = p["spinoff_rate"] * size * (profit > 0)
    return rng.random(len(profit)) < hazard


def exiting(loss_streak, cash, limit, patience, expected_profit, capital) -> np.ndarray:
    """(n,) boolean mask of exits under the former solvency rule (`going_concern_exit` = 0;
    arrays over enterprises; units): debt beyond assets
    (capital + cash < 0); debt beyond the credit limit (cash < −limit) with an expected loss
    (`expected_profit` < 0); or `patience` loss quarters in a row once savings are gone (cash < 0)
    with a credit runway, cash + limit, shorter than `patience` quarters of the expected loss
    (Cooley & Quadrini 2001)."""
    expected_profit = np.asarray(expected_profit, float)
    runway_short = cash + limit < patience * np.maximum(-expected_profit, 0.0)
    return (((loss_streak >= patience) & (cash < 0) & runway_short) | ((cash < -limit) & (expected_profit < 0))
            | (capital + cash < 0))


def owner_closing(loss_streak, patience: int, workers, crew: float, expected_profit, capital,
                  scrap_share: float, rate: float) -> np.ndarray:
    """(n,) boolean mask of owners closing a solvent plant (`owner_exit`; arrays over enterprises):
    at its crew (workers ≤ `crew` = `plant_scale`, the hiring floor), `patience` loss quarters in a
    row (`loss_streak` ≥ `patience`) and an expected profit before interest below the return on the
    scrap value, π̄ < r φ K (⇔ `continuation_value` < φ K for any hazard h; units/quarter, K units)."""
    at_crew = np.asarray(workers, float) <= crew * (1.0 + 1e-9)
    below_scrap = np.asarray(expected_profit, float) < rate * scrap_share * np.asarray(capital, float)
    return at_crew & (np.asarray(loss_streak) >= patience) & below_scrap


def expected_plant_profit(profit, lasting_value, realised_value, output, idle_cost):
    """π̄ = max(π + (v̄ − v) Q, −c_idle) (units/quarter; arrays over enterprises): last quarter's
    profit before interest π at the net value per unit v̄ the firm expects to last instead of the
    realised v, or the loss c_idle (overhead and depreciation) of standing idle if that is smaller:
    a firm that expects its good to sell below its variable cost stops producing rather than
    lose more (the shut-down condition; Dixit & Pindyck 1994 on mothballing)."""
    produce = np.asarray(profit, float) + (np.asarray(lasting_value, float) - realised_value) * output
    return np.maximum(produce, -np.asarray(idle_cost, float))


def continuation_value(expected_profit, capital, scrap_share: float, rate: float, hazard: float):
    """V = (π̄ + h φ K) / (r + h) (units; arrays over enterprises): the expected profit π̄ a quarter
    (before interest) until the plant ends at hazard h, its capital K then scrapped at share φ,
    discounted at r a quarter (= Σ_t (1−h)^{t−1} (1+r)^{−t} (π̄ + h φ K)). Raises ValueError if
    r + h ≤ 0."""
    if rate + hazard <= 0:
        raise ValueError(f"interest_rate + exit hazard must be > 0, got {rate + hazard!r}")
    return (np.asarray(expected_profit, float) + hazard * scrap_share * np.asarray(capital, float)) / (rate + hazard)


def concession_hazard(expected_profit, capital, scrap_share: float, rate: float, hazard: float):
    """x = clip((r φ K − π̄) / (W − φ K), 0, 1) (share a quarter; arrays over enterprises): the
    hazard at which an owner whose plant is worth less going on than scrapped (π̄ < r φ K ⇔ V < φ K)
    closes it in the symmetric war of attrition — staying costs the flow r φ K − π̄, and if rivals
    close first the survivor earns the normal return again, worth W = (r + h φ) K / (r + h)
    (`continuation_value` at π̄ = r K); indifference gives x (W − φ K) = r φ K − π̄ (Fudenberg &
    Tirole 1986; Ghemawat & Nalebuff 1985). 1 when φ = 1 and the flow is positive."""
    K = np.asarray(capital, float)
    flow = scrap_share * rate * K - np.asarray(expected_profit, float)
    prize = rate * (1.0 - scrap_share) * K / (rate + hazard)          # W − φ K
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(prize > 0, flow / np.where(prize > 0, prize, 1.0), np.where(flow > 0, 1.0, 0.0))
    return np.clip(x, 0.0, 1.0)


def exiting_on_value(draws, cash, limit, expected_profit, capital, scrap_share: float, rate: float,
                     hazard: float, soft_budget=False) -> np.ndarray:
    """(n,) boolean mask of exits on expected value (arrays over enterprises, units): the owners
    concede, draw < `concession_hazard` (not where `soft_budget`: a parent group carries the
    plant), or the debt max(−cash, 0) exceeds both the credit limit and V = `continuation_value`
    (economic insolvency; see the module docstring). `draws`: (n,) uniforms on [0, 1), one per
    enterprise; `soft_budget`: bool, scalar or (n,)."""
    value = continuation_value(expected_profit, capital, scrap_share, rate, hazard)
    concede = np.asarray(draws, float) < concession_hazard(expected_profit, capital, scrap_share, rate, hazard)
    concede &= ~np.asarray(soft_budget, bool)
    debt = np.maximum(-np.asarray(cash, float), 0.0)
    return concede | (debt > np.maximum(limit, value))


def apportion(n: int, weights) -> np.ndarray:
    """n split into integer counts proportional to `weights` (largest remainder), every positive
    weight getting at least one while n allows: a small stage is not lost to chance."""
    w = np.asarray(weights, float) / float(np.sum(weights))
    counts = np.floor(n * w).astype(int)
    order = np.argsort(-(n * w - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    for s in np.flatnonzero((w > 0) & (counts == 0)):
        big = int(np.argmax(counts))
        if counts[big] > 1:
            counts[big] -= 1
            counts[s] += 1
    return counts


def entrant_stage_weights(stage, profit, base, total_input, local_input, n_stages: int, margin: float,
                          stage_scale) -> np.ndarray:
    """Probability that a local entrant chooses each stage 0 … n_stages, from the incumbents'
    stage (int64), profit, `base` and inputs (arrays over live enterprises): `stage_weights`
    of each stage's return Σ profit / Σ base (the cluster's `margin`, on the same base, where
    nobody works) and import share, divided by the stage's relative plant size (fewer, larger
    plants). `base` is revenue (the margin on sales) or capital (the return on capital,
    `entry_return_on_capital`: a stage's return on assets is its margin times its asset
    turnover, the DuPont identity, so at equal returns on the plant a founder must finance the
    margin on sales ranks the stages of high turnover lower)."""
    S = n_stages
    by_stage = lambda w: np.bincount(stage, w, S + 1)  # noqa: E731
    margin_s = by_stage(profit) / np.maximum(by_stage(base), 1e-9)
    # a stage nobody works in: entrants expect the cluster's average margin there
    margin_s = np.where(np.bincount(stage, minlength=S + 1) == 0, margin, margin_s)
    buyer = np.maximum(stage - 1, 0)
    imported = np.bincount(buyer, (total_input - local_input) * (stage >= 1), S + 1)
    needed = np.bincount(buyer, total_input * (stage >= 1), S + 1)
    weights = stage_weights(margin_s, imported / np.maximum(needed, 1e-9), np.bincount(stage, minlength=S + 1))
    return weights / stage_scale / np.sum(weights / stage_scale)


def covered_defaults(cash, capital, is_lead, leverage: float, trade_credit=0.0):
    """Debt of exiting SMEs above their unguaranteed credit limit, `leverage` × capital plus the
    trade credit their suppliers gave (units; arrays): what a guarantee fund covers."""
    return np.maximum(-cash - leverage * capital - trade_credit, 0.0) * ~is_lead


def smoothed_hazard(previous: float, exits: int, at_risk: int, weight: float) -> float:
    """h ← (1 − w) h + w · exits / at_risk (share a quarter): the exit hazard smoothed
    exponentially (`exit_rate_smoothing` = w) over the quarter's observed exit rate, exits over
    the enterprises at risk — those alive when the quarter began, not the quarter's entrants and
    spin-offs (a life table's hazard; Cox & Oakes 1984). A quarter with none at risk observes
    nothing and leaves h unchanged."""
    if at_risk <= 0:
        return float(previous)
    return float((1.0 - weight) * previous + weight * exits / at_risk)
