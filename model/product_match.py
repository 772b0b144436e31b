"""Product match between stages: which of a buyer's inputs a local supplier makes for it, and
the relationship-specific investment that buys the match.

A buyer's inputs are of two kinds (Rauch 1999; Nunn 2007). A share 1 − ς are *standard*
goods, made to a common specification and traded on a market (the town's raw-material market,
a dealer): any local supplier of the stage before makes them, so they are bought along ties
or on the local spot market. A share ς = `specific_input_share` are *specific* to the buyer
(its key parts, 关键零部件: made to its design). A supplier makes them only after it has sunk a
relationship-specific investment I_j in the buyer's design on tie j (moulds, samples, learning
the specification, the buyer's audit: asset specificity, Williamson 1985), e_j = 1 once sunk, so

    m_j = 1 − ς + ς e_j,        m_b = Σ_j w_j m_j,        w_j = (τ_j + o) / Σ_k (τ_k + o),

the order weights of `model.supply_network.SupplyNetwork.trade` (o = `order_trust_offset`).

The investment (`invest_in_ties`, each quarter after trade). The supplier s of tie j sinks I_j
if the quasi-rents it expects from the buyer's specific orders cover it (Klein, Crawford &
Alchian 1978: it recovers I_j only through the tie's trade, so the risk that the buyer walks
away or holds it up counts against it):

    S_j  = ς Q_b w_j p_s                          specific sales a quarter (value, ex-works price p_s)
    I_j  = κ g_j S_j + c F_s (1 − λ A)            tooling/design + search and qualification
    g_j  = max(1, k_b / k_s)                      capability gap: a supplier behind the buyer's
                                                  knowledge must learn its design (配套能力)
    ρ_j  = τ_j / (1 + r)                          the tie's trust as the chance it lasts another
                                                  quarter (no hold-up, no switch), interest rate r
    invest iff  (π_s S_j − δ I_j) ρ_j / (1 − ρ_j) ≥ I_j
                                                  π_s ≥ 0 the supplier's quasi-rent margin: revenue
                                                  over avoidable costs (inputs, freight, wages,
                                                  rent) per unit of revenue,
                                                  δ I_j the upkeep (depreciation) of the asset
    keep   iff  π_s S_j ≥ δ I_j                   each later quarter (the sunk part no longer counts)

κ = `specific_tooling_quarters`, c = `tie_contact_quarters`, F_s the supplier's overhead a quarter
(`fixed_cost` × its stage's plant scale), A the industry association's strength and λ =
`association_contact_saving` (member directories, fairs, joint audits lower search costs).
I_j is paid in the quarter it is made and δ I_j in each quarter it is kept up (overhead of the
supplier); it is lost when the supplier gives it up or the tie ends (lapse, exit, replacement):
a switching cost the supplier bears. What the ties leave of
the standard share can be bought on the spot market; the specific share nobody local has
invested in is imported — co-located but unlinked firms (扎堆, the Hunan seeds) buy their key
parts outside even when local suppliers of the stage have output to spare. ς = 0 switches the
mechanism off (every input standard, no investment).
"""

from __future__ import annotations

import numpy as np


def tie_match(specific_share: float, trust, dst, n_rows: int, offset: float = 0.1, invested=None) -> np.ndarray:
    """m_b = 1 − ς + ς Σ_j w_j e_j per row (shape (n_rows,)): the share of a buyer's input need its
    ties can supply (1 − ς for a row without ties). trust, dst, invested: per-tie arrays (trust
    0–1, buyer row, e_j ∈ {0, 1}: the supplier sank the specific investment; None = none has);
    offset: the order weights' trust offset o. Raises ValueError unless 0 ≤ ς ≤ 1."""
    if not 0.0 <= specific_share <= 1.0:
        raise ValueError(f"specific_input_share must be in [0, 1], got {specific_share!r}")
    if specific_share == 0.0:   # every input standard, without the per-tie sums
        return np.ones(n_rows)
    trust, dst = np.asarray(trust, float), np.asarray(dst, np.int64)
    e = np.zeros(len(trust)) if invested is None else np.asarray(invested, float)
    weight = trust + offset
    total = np.bincount(dst, weight, n_rows)
    served = np.bincount(dst, weight * e, n_rows) / np.where(total > 0, total, 1.0)
    return 1.0 - specific_share + specific_share * served


def spot_need(need, bought, match, specific_share: float) -> np.ndarray:
    """Standard need left after the ties, max(0, (1 − ς) Q − b (1 − ς) / m) per buyer (arrays of one
    shape; Q the need, b bought along ties, m = `tie_match`): ties fill a buyer's standard and
    specific inputs in proportion to what they can supply of each, and only the standard rest
    can be bought on the spot market."""
    standard = 1.0 - specific_share
    bought_standard = np.asarray(bought, float) * standard / np.maximum(np.asarray(match, float), 1e-12)
    return np.maximum(standard * np.asarray(need, float) - bought_standard, 0.0)


def investment_cost(specific_sales, gap, overhead, tooling: float, contact: float, association: float,
                    saving: float) -> np.ndarray:
    """I_j = κ g_j S_j + c F_s (1 − λ A) per tie (model currency): specific_sales S_j (value a
    quarter), gap g_j ≥ 1, overhead F_s (a quarter); tooling κ (quarters of S), contact c
    (quarters of F), association A (0–1), saving λ (0–1). Williamson 1985; Klein et al. 1978."""
    return (tooling * np.asarray(gap, float) * np.asarray(specific_sales, float)
            + contact * np.asarray(overhead, float) * (1.0 - saving * association))


def invests(margin, specific_sales, trust, cost, interest: float, depreciation: float) -> np.ndarray:
    """Whether the supplier sinks the investment, per tie (bool): (π S − δ I) ρ/(1 − ρ) ≥ I with
    ρ = τ/(1 + r): the present value, over the quarters after this one while the tie lasts, of the
    quasi-rents net of the upkeep δ I that keeps the asset; π = max(margin, 0); no specific orders
    (S = 0), no investment."""
    rho = np.clip(np.asarray(trust, float), 0.0, 1.0) / (1.0 + interest)
    cost = np.asarray(cost, float)
    rents = np.maximum(np.asarray(margin, float), 0.0) * np.asarray(specific_sales, float) - depreciation * cost
    return (rents * rho / np.maximum(1.0 - rho, 1e-12) >= cost) & (np.asarray(specific_sales) > 0)


def keeps(margin, specific_sales, capital, depreciation: float) -> np.ndarray:
    """Whether a supplier keeps up the investment it has sunk, per tie (bool): this quarter's
    quasi-rent π S covers the upkeep δ I (the sunk part no longer counts); otherwise the asset
    is given up and the buyer's specific inputs are imported until someone invests again."""
    rents = np.maximum(np.asarray(margin, float), 0.0) * np.asarray(specific_sales, float)
    return rents >= depreciation * np.asarray(capital, float)


def invest_in_ties(net, need, margin, price, knowledge, overhead, p: dict, association: float,
                   n_rows: int) -> np.ndarray:
    """One quarter's investment decisions (sets `net.invested`, 1 where the supplier has sunk the
    investment, and `net.specific_capital`, what it sank):
    suppliers with an investment keep it up (`keeps`, paying δ I) or give it up; the others decide
    whether to sink one (`invests`, paying I). Returns what each row spent (shape (n_rows,), model
    currency). need: input need per buyer row; margin: quasi-rent margin on sales per supplier row;
    price: ex-works price of each row's good; knowledge, overhead: per row. Nothing happens at ς = 0."""
    spend = np.zeros(n_rows)
    share = p["specific_input_share"]
    if share == 0.0 or len(net) == 0:
        return spend
    delta = p["depreciation"]
    s, b = net.src, net.dst
    sales = share * net.tie_orders(need, n_rows, p["order_trust_offset"]) * price[s]
    had = net.invested > 0
    kept = had & keeps(margin[s], sales, net.specific_capital, delta)
    net.invested[had & ~kept], net.specific_capital[had & ~kept] = 0.0, 0.0
    np.add.at(spend, s[kept], delta * net.specific_capital[kept])
    todo = np.flatnonzero(~had)
    gap = np.maximum(1.0, knowledge[b[todo]] / np.maximum(knowledge[s[todo]], 1e-12))
    cost = investment_cost(sales[todo], gap, overhead[s[todo]], p["specific_tooling_quarters"],
                           p["tie_contact_quarters"], association, p["association_contact_saving"])
    ok = invests(margin[s[todo]], sales[todo], net.trust[todo], cost, p["interest_rate"], delta)
    net.invested[todo[ok]], net.specific_capital[todo[ok]] = 1.0, cost[ok]
    np.add.at(spend, s[todo[ok]], cost[ok])
    return spend
