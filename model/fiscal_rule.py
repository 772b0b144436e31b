"""The local government's budget rule: what happens to revenue it does not spend.

Under China's tax-sharing system (分税制, 1994; enterprise income tax shared with the centre
since 2002) a county does not keep the revenue it raises: part goes up to higher levels, and
what stays is spent on local public services. A government that only accumulates (the model
before this rule: 100 → 9,477 units in 160 quarters without policy) takes money out of the
economy for good. The rule, applied when the books close each quarter:

    b̃_t       = b_{t−1} + revenue_t + transfers_t − spending_t       (before the rule)
    disposal_t = r · max(0, b̃_t − R)
    b_t        = b̃_t − disposal_t

R = max(`gov_reserve`, E_t) + C_t (`reserve`): a working balance the government keeps, or what is
left of its initial budget E_t = min(E_{t−1}, b_t), E_0 = b_0, if that is larger (an endowment
is spent down, not remitted, and revenue never refills it), plus what its programmes asked
this quarter C_t (committed spending is not disposed of); r = `gov_surplus_rate` (share of the
excess disposed of each quarter). `gov_surplus_use` says where it goes: "remit" (to the upper
level of government) or "public_service" (the default local public service: education, health,
administration, paid to households). Either way it is its own flow in the accounts, so

    b_t = b_{t−1} + revenue_t + transfers_t − spending_t − remittance_t − public_service_t

holds exactly, and with r > 0 the no-policy budget stays bounded: b_t ≤ max(b_0, R) +
max revenue + max transfers (see `budget_bound`; C_t = 0 without policy).
"""

from __future__ import annotations


def reserve(working_balance: float, endowment: float, committed: float) -> float:
    """R_t = max(working balance, what is left of the initial budget) + committed spending (units)."""
    return max(working_balance, endowment) + max(committed, 0.0)


def surplus_disposal(budget_before_rule: float, reserve: float, rate: float) -> float:
    """r · max(0, b̃ − R): the money the rule takes out of the budget this quarter (≥ 0)."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be in [0, 1], got {rate}")
    return rate * max(0.0, budget_before_rule - reserve)


def close_budget(budget: float, revenue: float, transfers: float, spending: float,
                 reserve: float, rate: float) -> tuple[float, float]:
    """(b_t, disposal_t) from b_{t−1} and the quarter's flows (model currency)."""
    before = budget + revenue + transfers - spending
    disposal = surplus_disposal(before, reserve, rate)
    return before - disposal, disposal


def carry_over(unspent: float, appropriation: float, carry_quarters: float) -> float:
    """Unspent subsidy money a programme keeps for next quarter: min(unspent, n · appropriation)
    (units; n = `subsidy_carry_quarters`). Without the cap a programme whose money is rarely taken
    up (grants paid only to the marginal prospects who come) accumulates its appropriation for
    ever, and since committed spending is kept from the rule's disposal, so does the budget.
    Source: PRC Budget Law (2014), art. 42 — carried-over funds unspent for two years (n = 8)
    become surplus funds of the general budget."""
    return min(max(unspent, 0.0), max(carry_quarters, 0.0) * max(appropriation, 0.0))


def budget_bound(initial: float, reserve: float, max_inflow: float, rate: float) -> float:
    """Upper bound of b_t for all t when spending ≥ 0 and revenue + transfers ≤ max_inflow each
    quarter: the excess over R after an inflow is at most max(b_0 − R, 0) + I, and the rule
    removes a share r of it, so it converges to at most I / r (r > 0)."""
    if rate <= 0:
        return float("inf")
    return max(initial, reserve) + max_inflow / rate
