"""The local government: collects taxes, holds a finite budget and funds the policy levers.

Budget identity, every quarter t:
    budget_t = budget_{t−1} + revenue_t + transfers_t − spending_t − remittance_t − public_service_t,
with revenue = enterprise income tax plus the fines of environmental enforcement, transfers from the upper level (`gov_transfer`), spending =
Σ_levers paid_l, and the budget rule's disposal of the surplus above the reserve (`gov_reserve`
or the rest of the initial budget, plus what the levers asked this quarter) as a remittance
upward or the default public service (model/fiscal_rule.py).

At the start of a quarter each lever asks for money (`request`): a spending lever asks its
value; a rate lever asks its rate times last quarter's base (R&D spending, park rent); a
level lever (IP protection) asks its running cost; the environmental standard is a setting that
costs nothing (its enforcement is a spending lever). If the requests
exceed the budget held at the start of the quarter, every lever is cut by the same share
(`funded`), so the government never spends money it does not have. Each programme then turns
its money into the input of one mechanism — no lever sets an outcome:

| lever                  | money becomes …                                  | mechanism          |
|------------------------|--------------------------------------------------|--------------------|
| tax_rate, tax_holiday  | (revenue, not spending)                           | entry, growth      |
| rd_subsidy             | a refund of a share of R&D (R&D gets cheaper)     | innovation         |
| infrastructure         | infrastructure where the cluster's jobs are       | transport costs    |
| park_subsidy           | a share of park tenants' rent                     | location choice    |
| tech_centre            | clients served: they learn toward the frontier    | knowledge          |
| university_links       | linked firms: higher innovation hazard            | innovation         |
| credit_guarantee       | a guarantee fund; banks lend `leverage` × fund    | finance, exit      |
| training               | trained workers: the skill stock                  | labour productivity|
| entrepreneurship       | start-up grants to marginal founders (their need) | entry decision     |
| ip_protection          | enforcement: less leakage, slower imitation       | spillover          |
| investment_attraction  | contacts with prospects, relocation subsidies     | entry decision     |
| brand_promotion        | brand goodwill (× share of goods up to standard)  | outside demand     |
| market_building        | market capacity: lower distribution margin        | outside demand     |
| association            | association strength: trust, referrals            | supply network     |
| environmental_regulation | the standard (costs nothing by itself)          | environment        |
| environmental_enforcement | inspections: expected fines make firms abate   | environment        |
"""

from __future__ import annotations

from typing import Any

from mesa import Agent

from model import brand, fiscal_rule
from model.params import LEVER_SPECS, LEVERS, PAID_LEVERS, PARAMS, check_value, did_you_mean

CARRIED_LEVERS = ("investment_attraction", "entrepreneurship")   # paid only when a subsidy is taken up


class Government(Agent):
    """One local government with a budget, lever settings and programme stocks."""

    def __init__(self, model, budget: float, levers: dict, schedule=()):
        """`levers`: checked values of every lever (resolve_params); `schedule`: (step, lever,
        value) entries, checked here (ValueError naming the lever and what is allowed)."""
        super().__init__(model)
        self.budget = float(budget)
        self.levers = {name: levers[name] for name in LEVERS}
        self.schedule = check_schedule(schedule)
        self.revenue = 0.0          # enterprise income tax this quarter
        self.transfers = 0.0        # fiscal transfers from the upper level this quarter
        self.remittance = 0.0       # surplus remitted upward (budget rule, model/fiscal_rule.py)
        self.public_service = 0.0   # surplus spent on the default public service (budget rule)
        self.committed = 0.0        # what the levers asked this quarter: kept from the rule's disposal
        self.endowment = self.budget  # what is left of the initial budget: kept, drawn down, never refilled
        self.requested: dict[str, float] = {name: 0.0 for name in PAID_LEVERS}   # asked, before cuts
        self.granted: dict[str, float] = {name: 0.0 for name in PAID_LEVERS}     # funded, after cuts
        self.spending_by_lever: dict[str, float] = {name: 0.0 for name in PAID_LEVERS}
        self.funded = 1.0
        self.promotion = 0.0        # investment generation paid this quarter (outside the cluster's sectors)
        # programme stocks
        self.brand_capital = 0.0
        self.goodwill = 0.0          # the firms' own goodwill (marketing, reputation of their sales)
        self.market_capacity = 0.0
        self.skill = 0.0            # share of the workforce trained (0–1)
        self.guarantee_fund = 0.0
        self.carry = {name: 0.0 for name in CARRIED_LEVERS}
        self.lever_changes: list[tuple[int, str, Any]] = []
        # last quarter's cost bases of the rate levers (units): see model.params.Lever.base
        self.bases: dict[str, float] = {"rd": 0.0, "park_rent": 0.0}
        self.association = 0.0      # 0–1, this quarter's association strength

    # --- levers ---------------------------------------------------------------------------
    def set_lever(self, name: str, value) -> None:
        """Change a policy lever; it acts from the next step. Raises ValueError naming the lever and
        what is allowed for an unknown name, a non-lever parameter or a bad value."""
        if name not in self.levers:
            if name not in PARAMS:    # the closest lever, not the closest parameter ('brand' → brand_promotion)
                raise ValueError(f"{name!r}: not a policy lever{did_you_mean(name, LEVERS)}; allowed: "
                                 f"{', '.join(LEVERS)}")
            raise ValueError(f"{name!r} is a parameter but not a policy lever; levers: {', '.join(LEVERS)}")
        self.levers[name] = check_value(name, value)
        self.lever_changes.append((self.model.steps, name, self.levers[name]))

    def value(self, name: str):
        """The current value of lever `name` (what the mechanisms read; KeyError if not a lever)."""
        return self.levers[name]

    def apply_schedule(self, step: int) -> None:
        """Set the levers the schedule changes at `step` (values were checked at construction)."""
        for when, name, value in self.schedule:
            if when == step:
                self.levers[name] = value
                self.lever_changes.append((self.model.steps, name, value))

    def request(self, name: str, bases: dict) -> float:
        """What lever `name` asks for this quarter (before cuts): see `model.params.Lever.ask`."""
        ask = LEVER_SPECS[name].ask(self.levers[name], bases, self.model.params)
        return ask + self.carry.get(name, 0.0)   # unspent subsidy money stays available

    def record_bases(self, **bases: float) -> None:
        """Store this quarter's cost bases (units) for next quarter's requests."""
        self.bases = dict(bases)

    def plan(self) -> None:
        """Grant this quarter's requests from the budget held at its start, cut pro rata."""
        asks = {name: self.request(name, self.bases) for name in PAID_LEVERS}
        self.requested = asks
        total = sum(asks.values())
        self.funded = 1.0 if total <= self.budget else (self.budget / total if total > 0 else 1.0)
        self.granted = {name: ask * self.funded for name, ask in asks.items()}
        self.committed = total
        self.spending_by_lever = {name: 0.0 for name in PAID_LEVERS}
        self.promotion = 0.0
        self.revenue = 0.0

    def pay(self, name: str, amount: float) -> float:
        """Pay up to what lever `name` was granted this quarter; returns what was paid."""
        paid = min(max(amount, 0.0), self.granted[name] - self.spending_by_lever[name])
        self.spending_by_lever[name] += paid
        return paid

    def pay_pro_rata(self, name: str, wanted: float) -> float:
        """Pay what lever `name` can of `wanted`; returns the share paid (each claimant gets it)."""
        return self.pay(name, wanted) / wanted if wanted > 0 else 0.0

    def effective(self, name: str) -> float:
        """A level/rate lever's value scaled by how fully it is funded this quarter."""
        return self.levers[name] * self.funded

    # --- money in and out -----------------------------------------------------------------
    def collect(self, amount: float) -> None:
        """Add tax or transfer revenue (units) to this quarter's revenue."""
        self.revenue += amount

    @property
    def spending(self) -> float:
        """This quarter's spending so far, Σ over paid levers (units)."""
        return sum(self.spending_by_lever.values())

    def close_books(self) -> None:
        """budget_t = budget_{t−1} + revenue_t + transfers_t − spending_t − disposal_t: the budget
        rule (model/fiscal_rule.py) disposes of the surplus above the reserve — `gov_reserve` or
        what is left of the initial budget, whichever is larger, plus what the levers asked this
        quarter — as a remittance to the upper level or the default public service
        (`gov_surplus_use`)."""
        p = self.model.params
        self.transfers = p["gov_transfer"]
        for name in CARRIED_LEVERS:   # what a subsidy programme did not pay out stays available to it …
            unspent = self.granted[name] - self.spending_by_lever[name] if self.levers[name] > 0 else 0.0
            # … up to `subsidy_carry_quarters` of its appropriation; the rest lapses (fiscal_rule.carry_over)
            self.carry[name] = fiscal_rule.carry_over(unspent, self.levers[name], p["subsidy_carry_quarters"])
        reserve = fiscal_rule.reserve(p["gov_reserve"], self.endowment, self.committed)
        self.budget, disposal = fiscal_rule.close_budget(self.budget, self.revenue, self.transfers, self.spending,
                                                         reserve, p["gov_surplus_rate"])
        self.endowment = min(self.endowment, self.budget)
        remit = p["gov_surplus_use"] == "remit"
        self.remittance, self.public_service = (disposal, 0.0) if remit else (0.0, disposal)

    def outside_spending(self) -> float:
        """This quarter's lever spending paid outside the cluster's sectors (model.accounts): all
        but the R&D refunds and entry subsidies (to enterprises) and guarantee contributions (the
        fund it holds); investment generation (`promotion`: contacts, visits, fairs) is paid outside."""
        inside = ("rd_subsidy", "credit_guarantee", *CARRIED_LEVERS)
        return sum(v for k, v in self.spending_by_lever.items() if k not in inside) + self.promotion

    # --- programmes that build stocks -----------------------------------------------------
    def run_programmes(self, total_workers: float) -> None:
        """Spend the stock-building levers and update their stocks."""
        p = self.model.params
        self._build_demand_stocks(p)
        trained = self.pay("training", self.granted["training"]) / p["training_cost"]
        self.skill = min(1.0, (1 - p["skill_turnover"]) * self.skill + trained / max(total_workers, 1.0))
        self.guarantee_fund += self.pay("credit_guarantee", self.granted["credit_guarantee"])

    def _build_demand_stocks(self, p) -> None:
        """Brand goodwill, the firms' own goodwill and market capacity (model.brand): built by
        spending (and by the firms' own marketing) only as far as the goods meet the standard."""
        m = self.model
        quality = m.quality_share   # q̄ = Σ Q a / Σ Q of final firms (last quarter)
        sales = m.final_sales
        if self.goodwill <= 0:   # the firms' goodwill starts at its steady state
            self.goodwill = p["own_marketing_share"] * sales * quality / max(p["brand_decay"], 1e-9)
        self.goodwill = brand.stock_update(self.goodwill, p["own_marketing_share"] * sales, quality, p["brand_decay"])
        self.brand_capital = brand.stock_update(self.brand_capital, self.pay("brand_promotion", self.granted["brand_promotion"]),
                                                quality, p["brand_decay"])
        self.market_capacity = brand.stock_update(self.market_capacity, self.pay("market_building", self.granted["market_building"]),
                                                  quality, p["market_decay"])

    def fund_association(self) -> float:
        """Pay the association; its strength (0–1: how much it raises trust building and
        referrals) is stored in `association` and returned."""
        spend = self.pay("association", self.granted["association"])
        self.association = spend / (spend + self.model.params["association_half"])
        return self.association

    def cover_defaults(self, debt: float) -> float:
        """The guarantee fund covers defaulted debt (units) while it lasts; returns what it paid."""
        paid = min(self.guarantee_fund, max(debt, 0.0))
        self.guarantee_fund -= paid
        return paid

    def service_clients(self, lever: str) -> int:
        """Clients a service programme (technology centre, university links) can serve."""
        return int(self.pay(lever, self.granted[lever]) / self.model.params["service_cost"])


def check_schedule(schedule) -> tuple[tuple[int, str, object], ...]:
    """(step, lever, value) entries checked and sorted by step; ValueError names a bad lever or value."""
    checked = []
    for step, lever, value in schedule:
        if lever not in LEVER_SPECS:
            raise ValueError(f"policy schedule: {lever!r} is not a policy lever{did_you_mean(lever, LEVERS)}")
        checked.append((int(step), lever, check_value(lever, value)))
    return tuple(sorted(checked, key=lambda e: e[0]))
