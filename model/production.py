"""Production, hiring, investment and finance of every enterprise in one quarter.

Technology (Cobb–Douglas, decreasing returns α + β < 1):

    Q_i = A_i · L_i^α · K_i^β,      A_i = k_i · m_agg(c_i) · (1 + σ_H · H),

with k_i knowledge, m_agg the agglomeration gain at its cell and H the trained share of the
workforce. Each quarter the enterprise moves workers and capital part of the way (`adjustment`)
toward the levels where the marginal value product equals the unit cost,

    L* = (α v A K^β / c_L)^(1/(1−α)),     K* from β v Q / K = r + δ,

where v is last quarter's net value per unit of output (price × appeal, less inputs and freight)
and c_L = w(c) + ℓ · rent paid. Investment is financed from cash and credit; credit is capped at
`leverage` × K (the SME financing constraint), plus a share of what the guarantee fund backs.
The lender's test at exit adds the trade credit suppliers along ties give (`trade_credit`).

Profit = revenue − wages − rent − inputs − freight − R&D (net of subsidy) − depreciation −
interest − abatement − fixed overhead; tax = rate × max(0, profit) unless in a tax holiday. Cash takes profit
after tax, less investment; a run of losses once savings are gone, or debt beyond the credit
limit, means exit.
"""

from __future__ import annotations

import numpy as np


def target_workers(v, A, K, alpha, beta, unit_labour_cost):
    """L* = (α v A K^β / c_L)^(1/(1−α)): workers where the marginal value product of labour equals
    its unit cost c_L (v ≥ 0 net value per unit of output; arrays of one length)."""
    return (alpha * np.maximum(v, 0.0) * A * K**beta / unit_labour_cost) ** (1.0 / (1.0 - alpha))


def target_capital(v, Q, beta, user_cost):
    """K* = β v Q / (r + δ): capital where its marginal value product equals the user cost."""
    return beta * np.maximum(v, 0.0) * Q / user_cost


def output(A, L, K, alpha, beta):
    """Q = A · L^α · K^β (Cobb–Douglas, decreasing returns α + β < 1; units of output per quarter)."""
    return A * L**alpha * K**beta


def credit_limit(capital, is_lead, leverage, guarantee_credit_per_sme):
    """Credit limit (units): `leverage` × capital, plus an SME's share of what the guarantee fund backs
    (lead firms get no guarantee)."""
    return leverage * capital + np.where(is_lead, 0.0, guarantee_credit_per_sme)


DAYS_PER_QUARTER = 365.0 / 4.0


def trade_credit(purchases, days: float):
    """Trade credit (accounts payable, units; arrays): T = d / 91.25 × purchases, what a firm owes
    its suppliers when they wait d days (`trade_credit_days`) for payment of a quarter's inputs
    bought along supply ties. Suppliers finance their clients' working capital in proportion to
    their trade, not to their collateral (Petersen & Rajan 1997; Fisman & Love 2003; for China's
    non-state firms Ge & Qiu 2007: trade credit ≈ 13% of assets, used for financing more than for
    transactions; NBS: industrial enterprises collect their receivables in 54-67 days, 2019-2024),
    and they extend it to the clients they know: the credit grows with the relationship and with
    what the supplier learns of the client through its network (McMillan & Woodruff 1999), so the
    caller passes purchases along ties, not spot purchases or imports. The claim is discounted
    with a bank (receivables financing), so it is, like all enterprise debt, negative cash held by
    the rest of the world (model.accounts): no new flow. It adds to the line the lender tests at
    exit, not to the line that finances fixed investment (working capital, not capital)."""
    return days / DAYS_PER_QUARTER * np.maximum(np.asarray(purchases, float), 0.0)


def optimal_size(v, A, unit_labour_cost, user_cost, alpha, beta):
    """(L*, K*) where both marginal value products equal unit costs (joint optimum):
    Q*^(1−α−β) = A (α v / c_L)^α (β v / c_K)^β,  L* = α v Q* / c_L,  K* = β v Q* / c_K."""
    v = np.maximum(v, 1e-9)
    Q = (A * (alpha * v / unit_labour_cost) ** alpha * (beta * v / user_cost) ** beta) ** (1.0 / (1.0 - alpha - beta))
    return alpha * v * Q / unit_labour_cost, beta * v * Q / user_cost


def productivity(stage_tfp, knowledge, agglomeration_gain, skill_premium: float, skill: float):
    """A = tfp_s · k · m_agg · (1 + σ_H · H) per enterprise (arrays of one length; H scalar 0–1)."""
    return stage_tfp * knowledge * agglomeration_gain * (1 + skill_premium * skill)


def hire(L, L_target, adjustment: float, max_growth: float, plant_scale: float = 1.0):
    """Workers after moving a share `adjustment` toward L*, at least z, growing at most by
    `max_growth` (+ z workers) a quarter; z = `plant_scale`, the industry's plant relative to the
    model's SME (arrays of one length, workers). The floor and the step are a plant's indivisible
    crew: one worker of an SME workshop, z workers of a plant z times larger, so the rule reads
    L / z as the SME rule reads L (hire(z L, z L*, a, g, z) = z hire(L, L*, a, g, 1)); the identity
    at z = 1."""
    return np.clip(L + adjustment * (L_target - L), plant_scale, L * (1 + max_growth) + plant_scale)


def profit_before_tax(revenue, wage_bill, net_rent, input_cost, freight, net_rd, depreciation, interest,
                      abatement, overhead):
    """Profit = revenue − wages − rent (net of subsidy) − inputs − freight − R&D (net of refund)
    − depreciation − interest − abatement − fixed overhead (units/quarter, arrays of one length)."""
    return (revenue - wage_bill - net_rent - input_cost - freight - net_rd
            - depreciation - interest - abatement - overhead)


def tax_exempt(born, age, holiday: int):
    """True for enterprises founded after the start (born > 0) within their first `holiday` quarters."""
    return (born > 0) & (age < holiday)


def income_tax(profit, exempt, rate: float):
    """Tax = rate · max(0, profit), nothing for the exempt (units/quarter)."""
    return np.where(exempt, 0.0, rate * np.maximum(profit, 0.0))


def investment(K, K_target, cash_flow, limit, adjustment: float, depreciation: float):
    """Gross investment toward K* (replacing depreciation), financed by cash flow and credit up
    to `limit`: min(max(0, a (K* − K) + δK), max(0, cash flow + limit))."""
    invest = np.maximum(0.0, adjustment * (K_target - K) + depreciation * K)
    return np.minimum(invest, np.maximum(0.0, cash_flow + limit))


def stage_technology(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(stage_scale, slot_factor, stage_tfp), each of shape (n_stages + 1,), from the parameters.

    stage_scale: relative plant size by stage (final firms 1), times `plant_scale`, the industry's
    plant size relative to the model's SME (an auto-parts plant employs far more than a sock
    workshop; a scenario input with a source, not a calibration); slot_factor: a stage's plant size
    relative to the stage before (a buyer of larger plants than its suppliers' keeps
    proportionally more supplier ties, model.sourcing); stage_tfp: a stage does 1/(n_stages+1)
    of the work on each unit of the final good, so it makes (n_stages+1)/4 times the units a
    stage of the default 3-stage chain makes (employment per final unit does not depend on how
    finely the chain is split); a stage of large plants gets scale^(1−α−β), so its optimal size
    ∝ A^(1/(1−α−β)) ∝ scale. Raises ValueError if `stage_scale` is not n_stages positive factors."""
    S = p["n_stages"]
    scale = np.ones(S + 1)
    if p["stage_scale"]:
        if len(p["stage_scale"]) != S or min(p["stage_scale"]) <= 0:
            raise ValueError(f"stage_scale must list {S} positive factors (one per stage), got {p['stage_scale']}")
        scale[:-1] = p["stage_scale"]
    slot_factor = scale / np.concatenate([[1.0], scale[:-1]])
    scale = scale * p["plant_scale"]   # the industry's plant size (every stage, final firms included)
    tfp = p["tfp"] * (S + 1) / 4.0 * scale ** (1 - p["labour_share"] - p["capital_share"])
    return scale, slot_factor, tfp


def expected_unit_value(expected, realised, speed: float):
    """v^e_t = v^e_{t−1} + λ (v_t − v^e_{t−1}): adaptive expectations (Nerlove 1958) of the net
    value per unit of output (units per unit; arrays broadcast). λ = 1 is last quarter's value
    (naive, cobweb-prone: output fixed in the quarter meets a price that clears it)."""
    return expected + speed * (realised - expected)


def labour_for(Q, A, K, alpha, beta):
    """L = (Q / (A K^β))^(1/α): workers that make Q with capital K (inverse of `output`)."""
    return (np.maximum(Q, 0.0) / (A * K**beta)) ** (1.0 / alpha)


def founding_workers(v, A, K, alpha, beta, unit_labour_cost, crew):
    """L_0 = max(L*(v, A, K), z): a founder's workforce under `founding_at_optimum` — the workers
    where the marginal value product of labour equals its unit cost at the capital K the founder
    brings (`target_workers`, the rule incumbents adjust toward), at least the plant's crew z.
    Arrays of one length (v net value per unit, A productivity, K units, c_L units per worker,
    z workers); returns workers. Entrants start small relative to incumbents and grow with age
    (Dunne, Roberts & Samuelson 1989; Cabral & Mata 2003, who trace the young firms' small size
    to the capital they can raise): here the founder's size is what its capital, knowledge, site
    and the expected price support, not a fixed staff."""
    return np.maximum(target_workers(v, A, K, alpha, beta, unit_labour_cost), crew)
