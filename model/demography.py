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

Prospects add entrants by their own decision (`model.entry_decision`): outside SMEs and lead
firms drawn from an outside distribution, and local would-be founders, come when their expected
profit, net of the sunk entry cost and of any subsidy (start-up grants, investment attraction),
beats their outside option; recruits settle in a park if there is one.

Spin-offs (Klepper 2007). A profitable enterprise spawns one with probability
s · min(5, L/20); the founder takes a share of the parent's knowledge and some of its workers
and settles within `spinoff_radius` of the parent.

Exit on solvency (going concern). A firm leaves when its debt exceeds its assets (balance-sheet
insolvency: K + cash < 0); when its debt exceeds its credit limit (cash < −limit) and it expects
a loss (π^e < 0: its last quarter's profit at its expected net value per unit of output,
model.production.expected_unit_value) — a bank rolls over the line of a firm that expects to
earn, lending no more (investment stops at the limit, model.production.investment); or when it
has made `exit_patience` losses in a row, its savings are used up (cash < 0) and what it can
still draw, cash + limit, would not finance another `exit_patience` quarters of the loss it
expects:

    exit  ⇔  K + cash < 0  ∨  [cash < −limit ∧ π^e < 0]
             ∨  [streak ≥ T ∧ cash < 0 ∧ cash + limit < T · max(0, −π^e)].

A firm with savings rides out losses while its excess capital depreciates; one whose credit
line carries its expected losses — a large plant with a parent group or bank credit against its
capital, like Jiangling's start-up years before its suppliers gathered — is not closed by a
loss streak alone but by running out of finance (liquidity-constrained exit: Cooley & Quadrini
2001; Clementi & Hopenhayn 2006).
"""

from __future__ import annotations

import numpy as np


def expected_entrants(n: int, margin: float, p: dict) -> float:
    """E = e0 + e · n · clip(margin / m_ref, 0, c): expected local entrants a quarter (n incumbents,
    margin = cluster profit / revenue last quarter; m_ref = `entry_reference_margin`, c =
    `entry_margin_cap`; Arthur 1990's snowball)."""
    ratio = margin / p["entry_reference_margin"]
    return p["base_entry"] + p["entry_rate"] * n * float(np.clip(ratio, 0.0, p["entry_margin_cap"]))


def stage_weights(margin_by_stage: np.ndarray, import_share_by_stage: np.ndarray, count_by_stage) -> np.ndarray:
    """Probability (n_stages + 1,) that an entrant chooses each stage (the last = final firms):
    ∝ max(margin, 0) · (1 + import share) per stage; ∝ count + 1 when no stage earns a margin."""
    w = np.maximum(margin_by_stage, 0.0) * (1.0 + import_share_by_stage)
    if w.sum() <= 0:
        w = np.asarray(count_by_stage, float) + 1.0
    return w / w.sum()


def spinoff_parents(rng, profit, workers, p: dict) -> np.ndarray:
    """(n,) boolean mask of enterprises spawning a spin-off this quarter: hazard
    s · min(c, L / L_ref) for profitable ones (Klepper 2007; s = `spinoff_rate`, c =
    `spinoff_size_cap`, L_ref = `spinoff_reference_size`), one uniform draw each from `rng`."""
    size = np.minimum(p["spinoff_size_cap"], workers / p["spinoff_reference_size"])
    hazard = p["spinoff_rate"] * size * (profit > 0)
    return rng.random(len(profit)) < hazard


def exiting(loss_streak, cash, limit, patience, expected_profit, capital) -> np.ndarray:
    """(n,) boolean mask of exits (arrays over enterprises; units): debt beyond assets
    (capital + cash < 0); debt beyond the credit limit (cash < −limit) with an expected loss
    (`expected_profit` < 0); or `patience` loss quarters in a row once savings are gone (cash < 0)
    with a credit runway, cash + limit, shorter than `patience` quarters of the expected loss
    (see the module docstring)."""
    expected_profit = np.asarray(expected_profit, float)
    runway_short = cash + limit < patience * np.maximum(-expected_profit, 0.0)
    return (((loss_streak >= patience) & (cash < 0) & runway_short) | ((cash < -limit) & (expected_profit < 0))
            | (capital + cash < 0))


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


def entrant_stage_weights(stage, profit, revenue, total_input, local_input, n_stages: int, margin: float,
                          stage_scale) -> np.ndarray:
    """Probability that a local entrant chooses each stage 0 … n_stages, from the incumbents'
    stage (int64), profit, revenue and inputs (arrays over live enterprises): `stage_weights`
    of each stage's margin (the cluster's `margin` where nobody works) and import share, divided
    by the stage's relative plant size (fewer, larger plants)."""
    S = n_stages
    by_stage = lambda w: np.bincount(stage, w, S + 1)  # noqa: E731
    margin_s = by_stage(profit) / np.maximum(by_stage(revenue), 1e-9)
    # a stage nobody works in: entrants expect the cluster's average margin there
    margin_s = np.where(np.bincount(stage, minlength=S + 1) == 0, margin, margin_s)
    buyer = np.maximum(stage - 1, 0)
    imported = np.bincount(buyer, (total_input - local_input) * (stage >= 1), S + 1)
    needed = np.bincount(buyer, total_input * (stage >= 1), S + 1)
    weights = stage_weights(margin_s, imported / np.maximum(needed, 1e-9), np.bincount(stage, minlength=S + 1))
    return weights / stage_scale / np.sum(weights / stage_scale)


def covered_defaults(cash, capital, is_lead, leverage: float):
    """Debt of exiting SMEs above their unguaranteed credit limit (units): what a guarantee fund covers."""
    return np.maximum(-cash - leverage * capital, 0.0) * ~is_lead
