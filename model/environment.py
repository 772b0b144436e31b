"""Pollution: emissions from output, abatement under regulation, a decaying pollution stock.

Raw emissions are proportional to output, e_i = ε_s · Q_i, × `dirty_multiplier` in the dirty
stage (dyeing in the Zhejiang textile clusters: 3.05% of firms, 16.7% of industrial wastewater,
22.5% of COD; `dirty_multiplier_for_share` turns that share into an intensity). A standard
requires abating a share ρ of them; firms abate as far as the enforcement makes it pay (below:
inspections, fines, each firm's cheapest response); abatement is convex, c_a a² e, plus the
running cost of treatment equipment, and a park's shared treatment plant saves a share of both.
The pollution layer is a stock: P ← (1 − δ_p) P + emitted, cell by cell.
"""

from __future__ import annotations

import numpy as np


def raw_emissions(output, stage, p: dict) -> np.ndarray:
    """Raw emissions ε_s · Q (emission units/quarter, arrays of one length): `emission_intensity`
    × `pollution`, times `dirty_multiplier` in the `dirty_stage`."""
    intensity = p["emission_intensity"] * p["pollution"] * np.where(stage == p["dirty_stage"], p["dirty_multiplier"], 1.0)
    return intensity * output


def accumulate(stock: np.ndarray, emitted_by_cell: np.ndarray, decay: float) -> None:
    """The pollution stock (W, H), in place: P ← (1 − decay) P + emitted (emission units per cell)."""
    stock *= 1.0 - decay
    stock += emitted_by_cell


# --- enforcement through behaviour (Becker 1968; Harrington 1988) ------------------------------
#
# A standard requires abating a share ρ of raw emissions e_i. The regulator buys inspections
# with money (n = spending / inspection cost) and targets them at large emitters,
# π_i = min(1, n · e_i / Σ e); an inspected firm pays a fine f per unit of emission above the
# standard. Each firm chooses its abatement share a_i to minimise its expected cost
#
#     C(a) = c_F · 1[a > 0] + c_a a² e + π_i f (ρ − a) e        (c_F, c_a less a park's saving),
#
# so it abates a* = min(ρ, π f / (2 c_a)) — marginal abatement cost equals the expected
# marginal fine — if that beats abating nothing (C(0) = π f ρ e), else it evades. Compliance and
# emissions are outcomes: with little enforcement small emitters evade; a firm whose costs
# exceed its margin exits. With `site_compliance_cost` site choice reads the compliance cost
# (`site_compliance_share`): a park's shared treatment then draws emitters in; off (the default),
# it lowers the cost only of firms already there.

def inspection_probability(inspections: float, raw, total: float | None = None) -> np.ndarray:
    """π_i = min(1, n · e_i / E): inspections targeted at emitters by their raw emissions; E = Σ e
    of `raw`, or `total` when given (a chooser reading this quarter's targeting: site choice)."""
    raw = np.asarray(raw, float)
    total = float(raw.sum()) if total is None else total
    if inspections <= 0 or total <= 0:
        return np.zeros_like(raw)
    return np.minimum(1.0, inspections * raw / total)


def abatement_choice(raw, standard: float, prob, fine: float, var_cost: float, fixed_cost: float, saving):
    """(abatement share a_i, abatement cost, expected fine) minimising each firm's expected cost.

    raw: raw emissions e_i; prob: inspection probabilities π_i; saving: share of both abatement
    costs a park's shared treatment saves (0 outside parks). Arrays of equal length."""
    raw, prob = np.asarray(raw, float), np.asarray(prob, float)
    keep = 1.0 - np.asarray(saving, float)
    c_var, c_fix = var_cost * keep, fixed_cost * keep
    marginal_fine = prob * fine
    a = np.where(c_var > 0, np.minimum(standard, marginal_fine / (2.0 * np.maximum(c_var, 1e-300))), standard)
    a = np.where(raw > 0, np.maximum(a, 0.0), 0.0)
    cost_abate = c_fix * (a > 0) + c_var * a**2 * raw + marginal_fine * (standard - a) * raw
    evade = cost_abate >= marginal_fine * standard * raw
    a = np.where(evade, 0.0, a)
    cost = np.where(a > 0, c_fix + c_var * a**2 * raw, 0.0)
    return a, cost, marginal_fine * (standard - a) * raw


def expected_compliance_cost(raw, standard: float, prob, fine: float, var_cost: float, fixed_cost: float, saving):
    """min_a C(a): abatement cost + expected fine of the best response (units/quarter)."""
    _, cost, fine_due = abatement_choice(raw, standard, prob, fine, var_cost, fixed_cost, saving)
    return cost + fine_due


def site_compliance_share(raw, output, price, enforcement, p: dict, park) -> np.ndarray:
    """(n, m) expected compliance cost at each candidate cell as a share of the chooser's revenue
    (log points, as the site score's freight): min_a C(a) / (p Q), C(a) of `abatement_choice` with
    the park's saving `park_treatment` × park(c).

    raw, output, price: (n,) the chooser's raw emissions e (emission units/quarter), output Q
    (units/quarter) and the price of its good (units/unit); enforcement: this quarter's
    (inspections n, Σ raw emissions E, standard ρ); park: (n, m) park indicator at the candidates.
    The chooser expects this quarter's targeting for its own emissions, π = min(1, n e / E):
    inspections aim at emitters, not places, so π is the same at every candidate (its own e left
    out of E, as one firm's). Sources: Becker 1968; Harrington 1988 (the cost); the score's shares."""
    inspections, total, standard = enforcement
    raw, park = np.asarray(raw, float), np.asarray(park, float)
    prob = inspection_probability(inspections, raw, total)
    cost = expected_compliance_cost(np.broadcast_to(raw[:, None], park.shape), standard,
                                    np.broadcast_to(prob[:, None], park.shape), p["emission_fine"],
                                    p["abatement_cost"], p["abatement_fixed_cost"], p["park_treatment"] * park)
    revenue = np.asarray(output, float) * np.asarray(price, float)
    return np.divide(cost, revenue[:, None], out=np.zeros(park.shape), where=revenue[:, None] > 1e-12)


def compliance_rate(raw, abated_share, standard: float) -> float:
    """Σ a e / Σ ρ e: share of the abatement the standard requires that is done (1 if nothing is required)."""
    required = standard * float(np.sum(raw))
    return float(np.sum(np.asarray(abated_share) * np.asarray(raw)) / required) if required > 0 else 1.0


def dirty_multiplier_for_share(emission_share: float, dirty_output_share: float) -> float:
    """Emission intensity m of the dirty stage (others 1) that gives it `emission_share` of all
    emissions when it makes `dirty_output_share` of all output units:
    E = m q / (m q + 1 − q)  ⇔  m = E (1 − q) / ((1 − E) q)."""
    E, q = emission_share, dirty_output_share
    if not (0 < E < 1 and 0 < q < 1):
        raise ValueError("emission_share and dirty_output_share must be in (0, 1)")
    return E * (1.0 - q) / ((1.0 - E) * q)
