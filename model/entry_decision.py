"""Who comes: outside firms (investment attraction, 招商引资) and marginal founders (start-up
grants, 全民创业) decide by expected profit against their outside option.

A prospect i (an outside firm scanning sites, or a local would-be founder) of size s_i (× an SME)
and knowledge k_i expects, at its chosen site, the operating profit of a plant of its
technology at its profit-maximising size (`model.production.optimal_size`):

    π_i = (1 − α − β) · v · Q*_i − f · s_i,

with v the net value per unit its stage earns in the cluster (the median of the incumbents),
Q* its optimal output and f the fixed overhead. Valued as a perpetuity that ends at the exit
hazard h (Gordon), V_i = π_i / (r + h). Its outside option is its value where it is now,
ω_i V_i, with ω_i ~ lognormal (median `outside_option`, log-sd `outside_option_dispersion`):
the cluster is better for some prospects and worse for others. Moving or founding costs the
sunk entry cost C_i = c_e · s_i. The net gain and the subsidy it would need are

    gain_i = (1 − ω_i) V_i − C_i,        need_i = max(0, −gain_i).

A prospect with gain ≥ 0 comes on its own. A subsidy (grant, relocation package) lowers its
cost: the programme offers at most a share `max_subsidy_share` of C_i, and pays, from the money
it has, the prospects that need least first (cheapest first), each exactly what it needs.
So money buys no fixed number of firms: a profitable cluster gets firms cheaply (many come
for little, or on their own), an unprofitable one gets none whatever it spends.

Investment generation (Wells & Wint 1990, "Marketing a Country"). Outside prospects learn of a
site by chance (`outside_prospects`, `lead_prospects` a quarter) or because the promotion agency
contacts them: a share `promotion_share` of the attraction appropriation (developing countries'
agencies spend 29% of their budgets on investment generation: Morisset & Andrews-Johnson 2004)
buys contacts at a cost c_c = s_c · C per prospect of entry cost C, so the extra prospects a
quarter are M_gen / c_c (`promotion_contacts`). A contact buys information, not a firm: each
contacted prospect decides as above (Harding & Javorcik 2011: promotion raises FDI inflows where
information asymmetries are severe).

Outside prospects are drawn from a documented outside distribution (`draw_prospects`):
size lognormal with median `outside_size` (× SME) and log-sd `outside_size_dispersion`;
knowledge lognormal with median `outside_knowledge` × frontier and log-sd
`knowledge_dispersion`.
"""

from __future__ import annotations

import numpy as np

from model.production import optimal_size


def draw_prospects(rng, n: int, frontier: float, median_size: float, size_sd: float,
                   median_knowledge: float, knowledge_sd: float, median_option: float, option_sd: float):
    """(size, knowledge, outside-option ratio) of n prospects, three 1-d arrays (one draw each)."""
    size = median_size * rng.lognormal(0.0, size_sd, n)
    knowledge = median_knowledge * frontier * rng.lognormal(0.0, knowledge_sd, n)
    option = median_option * rng.lognormal(0.0, option_sd, n)
    return size, knowledge, option


def promotion_contacts(money: float, entry_cost: float, contact_cost_share: float) -> float:
    """Expected extra prospects a quarter that investment-generation spending `money` (units) brings
    to consider the cluster: money / (s_c · C), C the entry cost of a typical prospect's plant (units)."""
    cost = contact_cost_share * entry_cost
    if cost <= 0:
        raise ValueError(f"contact_cost_share × entry_cost must be > 0, got {cost!r}")
    return max(money, 0.0) / cost


def operating_profit(v, A, unit_labour_cost, user_cost, alpha, beta, fixed_cost):
    """π = (1 − α − β) v Q* − fixed: profit of a plant at its optimal size (arrays, units/quarter).

    At the optimum wages are α v Q* and the user cost of capital β v Q*, so the rest of the
    net value, (1 − α − β) v Q*, is the operating surplus; `fixed_cost` is per plant."""
    L, _ = optimal_size(v, A, unit_labour_cost, user_cost, alpha, beta)
    Q = L * unit_labour_cost / (alpha * np.maximum(v, 1e-9))
    return (1.0 - alpha - beta) * np.maximum(v, 0.0) * Q * (np.asarray(v) > 0) - fixed_cost


def net_gain(profit, option_ratio, entry_cost, discount_rate: float, exit_hazard: float):
    """gain = (1 − ω) π / (r + h) − C (arrays): the value of coming, net of the sunk cost."""
    rate = discount_rate + exit_hazard
    if rate <= 0:
        raise ValueError(f"discount_rate + exit_hazard must be > 0, got {rate!r}")
    value = np.maximum(profit, 0.0) / rate
    return (1.0 - np.asarray(option_ratio)) * value - np.asarray(entry_cost)


def subsidised_entry(gain, entry_cost, max_subsidy_share: float, fund: float):
    """Who comes and what each is paid.

    gain, entry_cost: 1-d arrays over prospects. A prospect with gain ≥ 0 comes unpaid; one with
    0 < need = −gain ≤ max_subsidy_share · entry_cost can be paid its need; those are paid
    cheapest first while Σ paid ≤ fund. Returns (comes: bool array, subsidy: float array);
    Σ subsidy ≤ fund always."""
    gain, cost = np.asarray(gain, float), np.asarray(entry_cost, float)
    need = np.maximum(-gain, 0.0)
    comes = gain >= 0
    subsidy = np.zeros(len(gain))
    eligible = np.flatnonzero(~comes & (need <= max_subsidy_share * cost))
    if len(eligible) and fund > 0:
        order = eligible[np.argsort(need[eligible], kind="stable")]
        paid = order[np.cumsum(need[order]) <= fund]
        comes[paid] = True
        subsidy[paid] = need[paid]
    return comes, subsidy
