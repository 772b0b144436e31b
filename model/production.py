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

Profit = revenue − wages − rent − inputs − freight − R&D (net of subsidy) − depreciation −
interest − abatement − fixed overhead; tax = rate × max(0, profit) unless in a tax holiday. Cash takes profit
after tax, less investment; a run of losses once savings are gone, or debt beyond the credit
limit, means exit.
"""

from __future__ import annotations

import numpy as np


def target_workers(v, A, K, alpha, beta, unit_labour_cost):
    return (alpha * np.maximum(v, 0.0) * A * K**beta / unit_labour_cost) ** (1.0 / (1.0 - alpha))


def target_capital(v, Q, beta, user_cost):
    return beta * np.maximum(v, 0.0) * Q / user_cost


def output(A, L, K, alpha, beta):
    return A * L**alpha * K**beta


def credit_limit(capital, is_lead, leverage, guarantee_credit_per_sme):
    return leverage * capital + np.where(is_lead, 0.0, guarantee_credit_per_sme)


def optimal_size(v, A, unit_labour_cost, user_cost, alpha, beta):
    """(L*, K*) where both marginal value products equal unit costs (joint optimum):
    Q*^(1−α−β) = A (α v / c_L)^α (β v / c_K)^β,  L* = α v Q* / c_L,  K* = β v Q* / c_K."""
    v = np.maximum(v, 1e-9)
    Q = (A * (alpha * v / unit_labour_cost) ** alpha * (beta * v / user_cost) ** beta) ** (1.0 / (1.0 - alpha - beta))
    return alpha * v * Q / unit_labour_cost, beta * v * Q / user_cost
