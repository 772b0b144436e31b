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

Liquidity-constrained founders (Evans & Jovanovic 1989). A local would-be founder must finance
the start-up outlay O_i = (c_e + K_0 + M_0) · s_i (entry cost, the plant's capital and working
cash, `startup_outlay`) from own wealth z_i and a bank that lends only against collateral: it
can put at most λ · z_i into the firm (`founder_leverage` λ; Evans & Jovanovic estimate that
entrants can invest no more than about 1.5 times their wealth). Wealth is lognormal
(`draw_wealth`: median `founder_wealth` × an SME's outlay, log-sd `founder_wealth_dispersion`
from the Gini of Chinese household wealth). A grant g is equity: it relaxes the constraint to
λ (z_i + g) ≥ O_i, so the founder's shortfall is

    short_i = max(0, O_i / λ − z_i)                                   (`liquidity_shortfall`)

and the grant a founder needs is need_i = max(0, −gain_i, short_i): a founder whose expected
gain is positive but whose wealth is short comes only with a grant, and a rich founder with a
positive gain needs none (they are among the ordinary entrants). The programme covers at most
a share `max_subsidy_share` of the cost it lowers: the outlay O_i for a founder, the sunk entry
cost C_i for an outside firm (which brings its own capital and faces no such constraint).

Outside prospects are drawn from a documented outside distribution (`draw_prospects`):
size lognormal with median `outside_size` (× SME) and log-sd `outside_size_dispersion`;
knowledge lognormal with median `outside_knowledge` × frontier and log-sd
`knowledge_dispersion`.
"""

from __future__ import annotations

import numpy as np

from model.production import optimal_size


def draw_lognormal(rng, n: int, median: float, log_sd: float) -> np.ndarray:
    """median · lognormal(0, log_sd): n draws from `rng` (1-d array; the same n draws for log_sd 0).
    The one draw of the prospects' and entrants' sizes, knowledge, outside options and wealth."""
    return median * rng.lognormal(0.0, log_sd, n)


def draw_prospects(rng, n: int, frontier: float, median_size: float, size_sd: float,
                   median_knowledge: float, knowledge_sd: float, median_option: float, option_sd: float):
    """(size, knowledge, outside-option ratio) of n prospects, three 1-d arrays (one draw each)."""
    size = draw_lognormal(rng, n, median_size, size_sd)
    knowledge = draw_lognormal(rng, n, median_knowledge * frontier, knowledge_sd)
    option = draw_lognormal(rng, n, median_option, option_sd)
    return size, knowledge, option


def draw_wealth(rng, n: int, median: float, dispersion: float) -> np.ndarray:
    """Wealth of n would-be founders (units): median · lognormal(0, dispersion), one draw each."""
    return draw_lognormal(rng, n, median, dispersion)


def startup_outlay(plant, entry_cost: float, capital: float, cash: float):
    """O = (c_e + K_0 + M_0) · plant: what a founder must finance to start a plant of `plant` SME
    sizes (array or float, units): the sunk entry cost plus the plant's capital and working cash."""
    return (entry_cost + capital + cash) * np.asarray(plant, float)


def liquidity_shortfall(outlay, wealth, leverage: float):
    """short = max(0, O / λ − z) (arrays, units): the equity a founder lacks when the bank lends only
    against collateral, so that at most λ · z can be invested (Evans & Jovanovic 1989). 0 for
    infinite wealth. Raises ValueError unless λ ≥ 1."""
    if not leverage >= 1.0:
        raise ValueError(f"founder_leverage must be >= 1 (a bank lends against collateral), got {leverage!r}")
    return np.maximum(np.asarray(outlay, float) / leverage - np.asarray(wealth, float), 0.0)


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


def spot_fill(unsold, unmet, newcomer_need, matching: float):
    """g = φ min(U, M + n) / (M + n): the share of its standard need a newcomer without ties buys on
    the local spot market when it joins the buyers of a stage whose unsold output last quarter was U
    and whose unmet standard need was M (model.intermediate_market.spot_match, gap_shares), its own
    standard need being n (arrays broadcast; 0 where M + n = 0)."""
    gap = np.asarray(unmet, float) + np.asarray(newcomer_need, float)
    spot = matching * np.minimum(np.maximum(unsold, 0.0), gap)
    return np.where(gap > 0, spot / np.where(gap > 0, gap, 1.0), 0.0)


def newcomer_unit_cost(input_price, parity, fill, specific_share: float, spot_freight, market_freight, long_haul,
                       revenue_per_unit):
    """c = (1 − ς) g (p_in + t d) + (1 − (1 − ς) g) π + t_m d + θ R: what a final producer without
    supply ties pays per unit of output at its cell for inputs and freight (arrays over prospects,
    units per unit). Inputs: the standard share 1 − ς (`specific_share` ς: made to the buyer's
    design, only along a tie, model.product_match), of which the spot market fills g (`spot_fill`)
    at the local ex-works price p_in plus the spot leg t d via the gateway (`spot_freight`), the rest
    imported at the cell's import parity π; freight on output: the local leg t_m d to the gateway
    (`market_freight`) and the long haul θ (`long_haul`) on its sales R a unit. The same prices and
    freights agents.enterprises charges (model.transport)."""
    local = (1.0 - specific_share) * np.asarray(fill, float)
    inputs = local * (np.asarray(input_price, float) + spot_freight) + (1.0 - local) * np.asarray(parity, float)
    return inputs + market_freight + np.asarray(long_haul, float) * np.asarray(revenue_per_unit, float)


def arrival_unit_value(typical_value: float, incumbents_cost: float, newcomer_cost):
    """v_i = v̄ − (c_i − c̄): the net value per unit a newcomer expects at its site on arrival, the
    stage's typical (median) value v̄ less what it pays per unit for inputs and freight (c_i,
    `newcomer_unit_cost`) beyond what the typical incumbent pays (c̄, the median of the
    incumbents' input and freight costs per unit, their ties and sites included). The revenue side
    and the price level stay the incumbents' (smoothed) ones; only the cost of having no ties yet
    and of the site moves the value."""
    return typical_value - (np.asarray(newcomer_cost, float) - incumbents_cost)


def knowledge_nodes(dispersion: float, n: int = 9):
    """(multipliers, weights), two (n,) arrays: Gauss–Hermite nodes of a lognormal(0, dispersion)
    draw, so that Σ w · g(m) ≈ E[g(e^{σ z})], z standard normal (exact for polynomials in z of
    degree < 2n; Σ w = 1, Σ w m = e^{σ²/2}). For a founder's value before it learns its own
    knowledge (Jovanovic 1982; Hopenhayn 1992: entrants draw their productivity after entry)."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return np.exp(dispersion * z), w / w.sum()


def net_gain(profit, option_ratio, entry_cost, discount_rate: float, exit_hazard: float):
    """gain = (1 − ω) π / (r + h) − C (arrays): the value of coming, net of the sunk cost."""
    rate = discount_rate + exit_hazard
    if rate <= 0:
        raise ValueError(f"discount_rate + exit_hazard must be > 0, got {rate!r}")
    value = np.maximum(profit, 0.0) / rate
    return (1.0 - np.asarray(option_ratio)) * value - np.asarray(entry_cost)


def subsidised_entry(gain, entry_cost, max_subsidy_share: float, fund: float, shortfall=0.0):
    """Who comes and what each is paid.

    gain, entry_cost: 1-d arrays over prospects (entry_cost: the cost the subsidy lowers — the sunk
    entry cost, or a founder's start-up outlay); shortfall: the equity each lacks
    (`liquidity_shortfall`; 0 for the unconstrained). need = max(0, −gain, shortfall); a prospect
    with need 0 comes unpaid; one with 0 < need ≤ max_subsidy_share · entry_cost can be paid its
    need; those are paid cheapest first while Σ paid ≤ fund. Returns (comes: bool array,
    subsidy: float array); Σ subsidy ≤ fund always."""
    gain, cost = np.asarray(gain, float), np.asarray(entry_cost, float)
    need = np.maximum(np.maximum(-gain, 0.0), np.broadcast_to(np.asarray(shortfall, float), gain.shape))
    comes = need <= 0
    subsidy = np.zeros(len(gain))
    eligible = np.flatnonzero(~comes & (need <= max_subsidy_share * cost))
    if len(eligible) and fund > 0:
        order = eligible[np.argsort(need[eligible], kind="stable")]
        paid = order[np.cumsum(need[order]) <= fund]
        comes[paid] = True
        subsidy[paid] = need[paid]
    return comes, subsidy
