"""ClusterModel: firms, suppliers and a government on a grid and a supply network.

One step is one quarter. `ClusterModel.step` reads as the ODD process order (docs/ODD.md);
the model owns the environment (grid, fields, labour, market, supply network, pollution), the
enterprises (`agents.Enterprises`) and the government (`agents.Government`) own their rules:

    1. policy      scheduled lever changes and demand shifts; the government plans its budget
    2. fields      employment, knowledge pool, wages, rent and market access over the grid
    3. production  hiring, output, input trade along supply ties, sales, costs, taxes, investment
    4. innovation  R&D turns into knowledge jumps
    5. learning    knowledge spillover through space, along ties and from public services
    6. network     supplier search, tie formation and replacement, trust
    7. location    some enterprises reconsider their site and relocate
    8. demography  exits, spin-offs, entry (incl. recruited firms and start-up grants)
    9. environment emissions, abatement, the pollution stock
   10. books       the government closes its books; indicators are collected

What one phase hands to the next travels in `self.quarter` (model.quarter.Quarter).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial
from time import perf_counter

import networkx as nx
import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector

from agents import Enterprises, Government, start
from agents.population import KIND_FIRM, gc_paused
from model import (
    accounts,
    environment,
    indicator_registry,
    indicators,
    intermediate_market,
    labour,
    market,
    production,
    transport,
)
from model.fields import KernelConvolution, cell_sums, cluster_fields, decay_kernel
from model.params import LEVERS, resolve_params
from model.quarter import Quarter
from model.sourcing import search_suppliers
from model.space import build_grid, invest_infrastructure, market_gateway, region_index
from model.supply_network import SupplyNetwork

PHASES = ("policy", "fields", "production", "innovation", "learning", "network", "location", "exit",
          "spin_off", "entry", "environment", "books")


def _indicator(model, name):
    """DataCollector reporter: reads one entry of `model.indicators` (no side effects)."""
    return model.indicators.get(name, 0.0)


class ClusterModel(Model):
    """An industrial cluster: see the module docstring for the quarterly process order.

    `params`: any parameter of model.params.PARAMS (checked: ValueError naming the parameter);
    `policy_schedule`: (step, lever, value) entries applied at the start of `step`."""

    @gc_paused()  # a big model makes ~10⁶ long-lived objects (cells, agents): see gc_paused
    def __init__(self, seed: int | None = None, policy_schedule=(), **params):
        self.params = p = resolve_params(params)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed: allowed: a whole number >= 0 (or None); given: {seed!r}")
        super().__init__(rng=seed)
        self.seed = seed
        self.default_steps = p["default_steps"]
        self.stage_scale, self.slot_factor, self.stage_tfp = production.stage_technology(p)
        self.shifts = sorted((int(s), float(d), None if q is None else float(q)) for s, d, q in p["demand_shifts"])
        self.quality_standard = p["quality_standard"]
        self.demand_shift = 1.0
        self.frontier = 1.0
        self.price = market.REFERENCE_PRICE
        # intermediate goods (model.intermediate_market): outside prices w (raw input, stages
        # 0 … S−1), import parity, this quarter's ex-works prices, outside demand at w
        S = p["n_stages"]
        self.outside_price = intermediate_market.outside_prices(S, p["raw_input_share"])
        # long-haul freight share on imports of each input (need-weighted over its buyers; model.transport)
        self.import_freight = np.full(S + 1, float(transport.long_haul_share(
            p["long_haul_freight"], p["base_infrastructure"], p["infrastructure_freight_saving"])))
        self.parity = intermediate_market.import_parity(self.outside_price, p["import_markup"], self.import_freight)
        self.stage_price = self.outside_price[1:].copy()
        self.export_base = np.zeros(S)
        self.spot_gaps = (np.zeros(S), np.zeros(S))   # each good's unsold output and unmet standard need last quarter
        self.quarter = Quarter()
        self.quality_share = 1.0   # Σ Q a / Σ Q of final firms: goods that meet the standard (model.brand)
        self.compliance = 1.0   # share of the abatement the emission standard requires that is done
        self.enforcement = (0.0, 0.0, 0.0)   # this quarter's (inspections, Σ raw emissions, standard)
        self.exit_rate = p["prior_exit_rate"]   # smoothed exit hazard prospects expect (updated each quarter)
        self.value_exit_rate = p["prior_exit_rate"]   # … without the exits by a lost last line (lead prospects)
        self.phase_seconds: dict[str, float] = {}  # wall time per process step, summed over steps

        self.grid = build_grid(p, self.random)
        self.infrastructure_base = self.grid.infrastructure.data.copy()
        self.shape = (p["width"], p["height"])
        self.market = market_gateway(p)
        self.kernel = KernelConvolution(self.shape, decay_kernel(p["kernel_radius"], p["kernel_decay"]))
        self.labour_supply = labour.initial_supply(self.shape, p["labour_density"], p["plant_scale"])
        n0 = p["n_firms"] + p["n_suppliers"] + p["n_lead_firms"]
        self.population = Enterprises(self, capacity=int(n0 * 1.5) + 64)
        self.network = SupplyNetwork()
        self.government = Government(self, p["gov_initial_budget"], {k: p[k] for k in LEVERS}, policy_schedule)
        self._graph: tuple[tuple[int, int], nx.DiGraph] | None = None
        self._start()
        reporters = {name: partial(_indicator, name=name) for name in indicator_registry.NAMES}
        self.datacollector = DataCollector(model_reporters=reporters)
        self.indicators = indicators.compute(self)
        self.datacollector.collect(self)

    def _start(self) -> None:
        """The initial enterprises at their optimal size, prices, demand anchor and supply ties."""
        p, ent = self.params, self.population
        ent.place_initial()
        self.update_fields(migrate=False)
        # the initial price follows from demand_level alone: P = P0 · demand_level^(1/ε)
        self.price = market.clearing_price(p["demand_level"], 1.0, p["demand_elasticity"], p["price_ceiling"])
        ent.start_at_optimal_size()
        self.update_fields(migrate=False)
        for _ in range(p["initial_search_rounds"]):  # existing business relationships at the start
            self.search_suppliers(everyone=True)
        demand = start.equilibrate(ent)   # sizes, prices and unit values consistent with the rules (agents.start)
        if p["start_age_hazard"] > 0:   # enterprises of different ages, their lines from the line process
            demand = start.age_structure(ent)
        self.base_demand = p["demand_level"] * self._initial_quality_output() if demand is None else demand
        self.final_sales = self.price * self._initial_quality_output()   # the firms' goodwill starts from it

    # ------------------------------------------------------------------ public API -------
    def run(self, steps: int | None = None) -> ClusterModel:
        """Run `steps` quarters (default: the scenario's `default_steps`); returns the model.
        ValueError if `steps` is not a whole number >= 0."""
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0):
            raise ValueError(f"steps: allowed: a whole number of quarters >= 0; given: {steps!r}")
        for _ in range(self.default_steps if steps is None else steps):
            self.step()
        return self

    def results(self) -> pd.DataFrame:
        """Indicator table, one row per quarter (row 0 = the initial state)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.index.name = "step"
        return df

    def levers(self) -> dict:
        """The current value of every policy lever (a copy: changing it changes nothing; use `set_lever`)."""
        return dict(self.government.levers)

    def set_lever(self, name: str, value) -> None:
        """Change a policy lever of the running model; it acts from the next step."""
        self.government.set_lever(name, value)

    @property
    def supply_network(self) -> nx.DiGraph:
        """The supply network as a frozen networkx.DiGraph (supplier → buyer, nodes = unique_ids):
        a copy of the graph cached for this step, so editing it raises networkx.NetworkXError and
        changing its attribute dicts leaves the model's cache alone."""
        if self._graph is None or self._graph[0] != (self.steps, len(self.network)):
            self._graph = ((self.steps, len(self.network)), self.network.to_networkx(self.population))
        return nx.freeze(self._graph[1].copy())

    @property
    def enterprises(self):
        """The live Firm and Supplier agents, in row order (a new list)."""
        return [self.population.agent[r] for r in self.population.live]

    def region_of(self, coordinate) -> int:
        """Region id of a cell (x, y): the square blocks of `region_size` used for LQ and Ellison–Glaeser."""
        x, y = coordinate
        return int(region_index(x, y, self.params["region_size"], self.params["height"]))

    @property
    def counts(self) -> dict:
        """This quarter's births, spin-offs, exits and innovations."""
        return self.quarter.counts

    @property
    def association(self) -> float:
        """0–1: this quarter's industry-association strength (agents.Government.fund_association)."""
        return self.government.association

    # ------------------------------------------------------------------ the quarter ------
    def step(self):
        """One quarter, in the ODD process order."""
        q = self.quarter = Quarter(self.steps)
        q.stocks_before = self.stocks()
        ent, gov = self.population, self.government
        with self._timed("policy"):
            self.apply_policy()
        with self._timed("fields"):
            self.update_fields()
        with self._timed("production"):
            self.network.set_taste(ent.niche_demand, self.params["niche_demand_orders"])   # orders follow niches
            ent.produce(q)
        with self._timed("innovation"):
            ent.innovate(q)
        with self._timed("learning"):
            ent.learn(q)
        with self._timed("network"):
            self.search_suppliers()
        with self._timed("location"):
            ent.relocate(q)
        with self._timed("exit"):
            ent.exit(q)
        with self._timed("spin_off"):
            ent.spin_off(q)
        with self._timed("entry"):
            ent.enter(q)
        with self._timed("environment"):
            self.pollute()
        with self._timed("books"):
            gov.close_books()
            self.close_quarter()

    @contextmanager
    def _timed(self, phase: str):
        started = perf_counter()
        yield
        self.phase_seconds[phase] = self.phase_seconds.get(phase, 0.0) + perf_counter() - started

    def apply_policy(self) -> None:
        """Scheduled lever changes and demand shifts; the government plans, funds its programmes
        and the association, and invests in infrastructure."""
        t, gov = self.steps, self.government
        gov.apply_schedule(t)
        for step, demand, quality in self.shifts:
            if step == t:
                self.demand_shift *= demand
                if quality is not None:         # None: a shift in demand only, the standard stays
                    self.quality_standard = quality
        gov.plan()
        gov.run_programmes(float(self.population.workers[self.population.live].sum()))
        gov.fund_association()
        p = self.params
        invest_infrastructure(self.grid.infrastructure.data, self.infrastructure_base, self.fields["employment"],
                              gov.pay("infrastructure", gov.granted["infrastructure"]),
                              p["infrastructure_decay"], p["infrastructure_cost"])

    def update_fields(self, migrate: bool = True) -> None:
        """Recompute the fields (model.fields.cluster_fields), let labour migrate (unless
        `migrate` is False: the set-up), and copy the fields shown on the grid's property layers."""
        p, pop = self.params, self.population
        live = pop.live
        x, y = pop.x[live], pop.y[live]
        rent_subsidy = self.government.effective("park_subsidy") * self.grid.park.data
        self.fields, emp = cluster_fields(self.kernel, self.shape, x, y, pop.workers[live], pop.knowledge[live],
                                          pop.stage[live].astype(np.int64),  # int16 would overflow in stage·W·H
                                          pop.output[live], self.labour_supply, rent_subsidy, p)
        if migrate:
            labour.migrate(self.labour_supply, emp, p["migration"])
        g = self.grid
        self.fields["infrastructure"] = g.infrastructure.data   # freight in site choice (model.transport)
        g.rent.data[:] = self.fields["rent"]
        g.wage.data[:] = self.fields["wage"]
        g.knowledge_pool.data[:] = self.fields["pool"]
        g.agglomeration.data[:] = self.fields["productivity"]

    def search_suppliers(self, everyone: bool = False) -> None:
        """Supplier search of this quarter (model.sourcing.search_suppliers)."""
        search_suppliers(self.network, self.population, self.grid.infrastructure.data, self.params,
                         self.slot_factor, self.government.association, self.stage_price, self.outside_price[1:],
                         self.rng, self.shape, everyone)

    def pollute(self) -> None:
        """This quarter's emissions deposited on the pollution stock (model.environment.accumulate)."""
        pop = self.population
        live = pop.live
        deposited = cell_sums(pop.x[live], pop.y[live], pop.emissions[live], self.shape)
        environment.accumulate(self.grid.pollution.data, deposited, self.params["pollution_decay"])

    def stocks(self) -> dict:
        """The financial stocks of the cluster's sectors (model.accounts): enterprises' cash, the
        government's budget and the guarantee fund it holds (model currency)."""
        gov, pop = self.government, self.population
        return {"enterprise_cash": float(pop.cash[pop.live].sum()), "gov_budget": gov.budget,
                "guarantee_fund": gov.guarantee_fund}

    @property
    def flows(self) -> dict:
        """This quarter's money flows with the rest of the world (model.accounts.FLOWS)."""
        return self.quarter.flows

    @property
    def sfc_residual(self) -> float:
        """This quarter's Δ stocks − net outside flow (model.accounts.sfc_residual; 0 up to rounding)."""
        return self.quarter.sfc_residual

    def close_quarter(self) -> None:
        """The quarter's government flows are booked and the stock-flow identity evaluated; the
        frontier moves on; the indicators are computed and collected."""
        q, gov = self.quarter, self.government
        q.book(transfers=gov.transfers, remittance=gov.remittance, public_service=gov.public_service,
               gov_purchases=gov.outside_spending())
        q.sfc_residual = accounts.sfc_residual(q.stocks_before, self.stocks(), q.flows)
        self.frontier *= 1 + self.params["frontier_growth"]
        self.indicators = indicators.compute(self)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ set-up -----------
    def _initial_quality_output(self) -> float:
        """Quality-adjusted output the initial final firms would produce: the demand anchor D_0."""
        p, pop = self.params, self.population
        live = pop.live
        firms = live[pop.kind[live] == KIND_FIRM]
        if len(firms) == 0:
            return 1.0
        A = start.start_tfp(pop, firms, len(self.stage_tfp) - 1, pop.x[firms], pop.y[firms])
        Q = production.output(A, pop.workers[firms], pop.capital[firms], p["labour_share"], p["capital_share"])
        quality = market.appeal(pop.knowledge[firms], self.quality_standard * self.frontier, p["quality_sensitivity"])
        return max(float((Q * quality).sum()), 1e-9)
