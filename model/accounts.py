"""The cluster's national accounts and its stock-flow identity (pure functions over arrays).

**Sectors.** The accounts distinguish three sectors (Godley & Lavoie 2007, ch. 2; the sectoral
balance sheets of Eurace, Cincotti, Raberto & Teglio 2010):

- *enterprises* (all live firms and suppliers): stock = Σ cash (negative cash is bank debt);
- *local government*: stocks = budget and the credit-guarantee fund it holds;
- *the rest of the world*: households (workers, landlords, founders, owners), banks, the upper
  levels of government and every outside buyer and seller. Its stocks are not tracked; every
  flow between it and the first two sectors is.

Flows inside the cluster sectors cancel: local intermediate sales (seller's revenue = buyer's
purchase at the ex-works price), taxes (enterprises → government), R&D refunds paid to
enterprises, contributions to the guarantee fund (government → fund). The park subsidy is
not internal: enterprises book their rent net of it (`rent`) and the government pays its share
to the landlords, outside (`gov_purchases`).

**Stock-flow identity**, every quarter t:

    Δ(Σ cash + budget + guarantee fund) = Σ_f sign_f · flow_f,

over the flows of `FLOWS` (sign +1: money coming in from the rest of the world, −1: going out).
`sfc_residual` is the left side minus the right; a model that books every flow has residual 0
up to rounding.

**Production accounts** (SNA 2008 definitions, at basic prices):

    gross output        GO = Σ_i sales_i
    intermediate cons.  IC = Σ_i (inputs bought, local and imported, incl. raw input and freight
                              on them; freight to the market; overhead; abatement services)
    value added         VA = GO − IC                         (the cluster's GDP)
    operating surplus   OS = VA − wage bill                  (gross: incl. rent, interest, depreciation,
                                                              R&D, income tax and profit)

and the expenditure side, VA = final sales + intermediate exports − imports − purchased
services, which `expenditure_value_added` computes independently (local sales cancel).
"""

from __future__ import annotations

import numpy as np

# every money flow between the cluster's sectors (enterprises, local government) and the rest of
# the world: +1 comes in, −1 goes out. A flow not listed here is an error (see net_outside_flow).
FLOWS: dict[str, int] = {
    "final_sales": +1,            # final goods sold to the outside market
    "intermediate_exports": +1,   # intermediate goods sold outside at the clearing price
    "founders_capital": +1,       # cash founders (entrants, spin-offs, recruits) bring in
    "transfers": +1,              # fiscal transfers from the upper level of government
    "imports": -1,                # intermediate goods and stage 0's raw input bought outside
    "wages": -1,                  # to households
    "rent": -1,                   # land rent paid by enterprises (net of the park subsidy)
    "freight": -1,                # transport services: on supply ties and to the market
    "rd": -1,                     # R&D spending (gross of the government's refund)
    "interest": -1,               # interest on bank debt
    "abatement": -1,              # pollution abatement services
    "overhead": -1,               # fixed overhead services
    "investment": -1,             # capital goods bought outside
    "exit_withdrawal": -1,        # cash of exiting enterprises leaves with their owners (debt: < 0)
    "gov_purchases": -1,          # lever spending paid outside the cluster sectors
    "guarantee_payouts": -1,      # the guarantee fund pays banks for defaulted debt
    "remittance": -1,             # budget surplus remitted to the upper level (budget rule)
    "public_service": -1,         # budget surplus spent on the default public service (budget rule)
}


def net_outside_flow(flows: dict) -> float:
    """Σ_f sign_f · flow_f over a quarter's flows (model currency). Raises KeyError naming any
    flow that is not declared in `FLOWS` (a flow without a known source and sink)."""
    unknown = set(flows) - set(FLOWS)
    if unknown:
        raise KeyError(f"undeclared money flows {sorted(unknown)}; declared: {', '.join(FLOWS)}")
    return float(sum(FLOWS[name] * float(value) for name, value in flows.items()))


def sfc_residual(stocks_before: dict, stocks_after: dict, flows: dict) -> float:
    """Δ(Σ stocks) − net outside flow, in model currency (0 for a stock-flow consistent quarter).
    `stocks_*`: the same keys (e.g. enterprise_cash, gov_budget, guarantee_fund)."""
    if set(stocks_before) != set(stocks_after):
        raise KeyError(f"stocks differ: {sorted(stocks_before)} vs {sorted(stocks_after)}")
    change = sum(float(stocks_after[k]) - float(stocks_before[k]) for k in stocks_before)
    return change - net_outside_flow(flows)


def relative_residual(stocks_before: dict, stocks_after: dict, flows: dict) -> float:
    """|residual| / (1 + Σ|stocks| + Σ|flows|): the scale-free test statistic."""
    scale = 1.0 + sum(abs(float(v)) for v in (*stocks_before.values(), *stocks_after.values(), *flows.values()))
    return abs(sfc_residual(stocks_before, stocks_after, flows)) / scale


def production_accounts(sales, intermediate_consumption, wages, taxes, is_final) -> dict:
    """Gross output, value added, final sales, wage bill, operating surplus and taxes.

    Arrays of one shape (one entry per enterprise): sales (revenue), intermediate_consumption
    (inputs incl. freight, overhead and abatement), wages (wage bill), taxes (income tax),
    is_final (bool: final firm). Returns floats in model currency per quarter."""
    sales = np.asarray(sales, float)
    va = sales - np.asarray(intermediate_consumption, float)
    wage_bill = float(np.sum(wages))
    value_added = float(np.sum(va))
    return {
        "gross_output": float(np.sum(sales)),
        "value_added": value_added,
        "final_sales": float(np.sum(sales[np.asarray(is_final, bool)])),
        "wage_bill": wage_bill,
        "operating_surplus": value_added - wage_bill,
        "taxes": float(np.sum(taxes)),
    }


def expenditure_value_added(final_sales: float, intermediate_exports: float, imports: float,
                            purchased_services: float) -> float:
    """VA from the expenditure side: sales to the outside less what is bought outside. Equals
    `production_accounts(...)["value_added"]` when local sales equal local purchases."""
    return final_sales + intermediate_exports - imports - purchased_services


def stage_margins(stage, profit, revenue, n_stages: int) -> np.ndarray:
    """Profit margin Σprofit / Σrevenue of each stage 0 … n_stages (last = final firms), shape
    (n_stages + 1,); NaN for a stage with no revenue (nobody works there)."""
    stage = np.asarray(stage, np.int64)
    p = np.bincount(stage, np.asarray(profit, float), n_stages + 1)
    r = np.bincount(stage, np.asarray(revenue, float), n_stages + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(r > 0, p / np.where(r > 0, r, 1.0), np.nan)
