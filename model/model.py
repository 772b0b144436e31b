"""ClusterModel: firms, suppliers and a government on a grid and a supply network.

One step is one quarter. The step reads like the ODD process order (docs/ODD.md):

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
"""

from __future__ import annotations

from functools import partial
from time import perf_counter

import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector

from agents import Firm, Government, Supplier
from model import agglomeration, demography, environment, indicator_registry, indicators, labour, market, production
from model import spillover
from model.fields import KernelConvolution, at, cell_sums, decay_kernel
from model.innovation import innovate
from model.location_choice import candidate_sites, choose, site_scores
from model.params import LEVERS, check_value, resolve_params
from model.population import KIND_FIRM, Population, gc_paused
from model.space import build_grid, market_gateway, region_index
from model.supply_network import SupplierIndex, SupplyNetwork, search, tie_costs


def apportion(n: int, weights) -> np.ndarray:
    """n split into integer counts proportional to `weights` (largest remainder), every positive
    weight getting at least one while n allows: a small stage is not lost to chance."""
    w = np.asarray(weights, float) / float(np.sum(weights))
    counts = np.floor(n * w).astype(int)
    order = np.argsort(-(n * w - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    for s in np.flatnonzero((w > 0) & (counts == 0)):
        big = int(np.argmax(counts))
        if counts[big] > 1:
            counts[big] -= 1
            counts[s] += 1
    return counts


def _indicator(model, name):
    """DataCollector reporter: reads one entry of `model.indicators` (no side effects)."""
    return model.indicators.get(name, 0.0)


class ClusterModel(Model):
    """An industrial cluster: see the module docstring for the quarterly process order."""

    @gc_paused()  # a big model makes ~10⁶ long-lived objects (cells, agents): see gc_paused
    def __init__(self, seed: int | None = None, policy_schedule=(), **params):
        self.params = p = resolve_params(params)
        super().__init__(rng=seed)
        self.seed = seed
        self.default_steps = p["default_steps"]
        # relative plant size by stage (final firms 1); a buyer of larger plants than its
        # suppliers' keeps proportionally more supplier ties (see model/supply_network.py)
        self.stage_scale = np.ones(p["n_stages"] + 1)
        if p["stage_scale"]:
            if len(p["stage_scale"]) != p["n_stages"] or min(p["stage_scale"]) <= 0:
                raise ValueError(f"stage_scale must list {p['n_stages']} positive factors (one per stage), "
                                 f"got {p['stage_scale']}")
            self.stage_scale[:-1] = p["stage_scale"]
        self.slot_factor = self.stage_scale / np.concatenate([[1.0], self.stage_scale[:-1]])
        # productivity by stage: a stage does 1/(n_stages+1) of the work on each unit of the final
        # good, so it makes (n_stages+1)/4 times the units a stage of the default 3-stage chain
        # makes (employment per final unit does not depend on how finely the chain is split);
        # a stage of large plants gets scale^(1−α−β), so its optimal size ∝ A^(1/(1−α−β)) ∝ scale
        self.stage_tfp = (p["tfp"] * (p["n_stages"] + 1) / 4.0
                          * self.stage_scale ** (1 - p["labour_share"] - p["capital_share"]))
        self.shifts = sorted((int(s), float(d), float(q)) for s, d, q in p["demand_shifts"])
        self.quality_standard = p["quality_standard"]
        self.demand_shift = 1.0
        self.frontier = 1.0
        self.price = market.REFERENCE_PRICE
        self.chain_price = self.price   # value of a physical unit of the final good (model.market)
        self.counts = dict(births=0, spinoffs=0, exits=0, innovations=0)
        self.phase_seconds: dict[str, float] = {}  # wall time per process step, summed over steps

        self.grid = build_grid(p, self.random)
        self.infrastructure_base = self.grid.infrastructure.data.copy()
        self.shape = (p["width"], p["height"])
        self.market = market_gateway(p)
        self.kernel = KernelConvolution(self.shape, decay_kernel(p["kernel_radius"], p["kernel_decay"]))
        self.labour_supply = np.full(self.shape, p["labour_density"])
        n0 = p["n_firms"] + p["n_suppliers"] + p["n_lead_firms"]
        self.population = Population(capacity=int(n0 * 1.5) + 64)
        self.network = SupplyNetwork()
        self.government = Government(self, p["gov_initial_budget"], {k: p[k] for k in LEVERS}, policy_schedule)
        self._bases = {"rd": 0.0, "park_rent": 0.0}
        self._graph = None

        self._place_initial_enterprises()
        self._update_fields()
        # the initial price follows from demand_level alone: P = P0 · demand_level^(1/ε)
        self.price = market.clearing_price(p["demand_level"], 1.0, p["demand_elasticity"], p["price_ceiling"])
        self.chain_price = self.price * self._initial_mean_appeal()
        self._initial_unit_values()
        self._start_at_optimal_size()
        self._update_fields()
        self.base_demand = p["demand_level"] * self._initial_quality_output()
        for _ in range(3):  # existing business relationships at the start
            self._search_suppliers(everyone=True)

        reporters = {name: partial(_indicator, name=name) for name in indicator_registry.NAMES}
        self.datacollector = DataCollector(model_reporters=reporters)
        self.indicators = indicators.compute(self)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ public API -------
    @classmethod
    def from_scenario(cls, name_or_path, seed: int | None = None, **overrides) -> "ClusterModel":
        from scenarios import load_scenario

        return load_scenario(name_or_path).build(seed=seed, **overrides)

    def run(self, steps: int | None = None) -> "ClusterModel":
        for _ in range(self.default_steps if steps is None else steps):
            self.step()
        return self

    def results(self) -> pd.DataFrame:
        """Indicator table, one row per quarter (row 0 = the initial state)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.index.name = "step"
        return df

    def levers(self) -> dict:
        return dict(self.government.levers)

    def set_lever(self, name: str, value) -> None:
        """Change a policy lever of the running model; it acts from the next step."""
        self.government.set_lever(name, value)

    @property
    def supply_network(self):
        """The supply network as a networkx.DiGraph (supplier → buyer, nodes = unique_ids)."""
        if self._graph is None or self._graph[0] != (self.steps, len(self.network)):
            self._graph = ((self.steps, len(self.network)), self.network.to_networkx(self.population))
        return self._graph[1]

    @property
    def enterprises(self):
        return [self.population.agent[r] for r in self.population.live]

    def region_of(self, coordinate) -> int:
        x, y = coordinate
        return int(region_index(x, y, self.params["region_size"], self.params["height"]))

    # ------------------------------------------------------------------ the quarter ------
    def step(self):
        self.counts = dict(births=0, spinoffs=0, exits=0, innovations=0)
        for name, phase in (
            ("policy", self._apply_policy_and_shifts),
            ("fields", self._update_fields),
            ("production", self._produce_and_trade),
            ("innovation", self._innovate),
            ("learning", self._learn),
            ("network", self._search_suppliers),
            ("location", self._relocate),
            ("exit", self._exit),
            ("spin_off", self._spin_off),
            ("entry", self._enter),
            ("environment", self._pollute),
            ("books", self._close_quarter),
        ):
            started = perf_counter()
            phase()
            self.phase_seconds[name] = self.phase_seconds.get(name, 0.0) + perf_counter() - started

    def _close_quarter(self):
        self.government.close_books()
        self.frontier *= 1 + self.params["frontier_growth"]
        self.indicators = indicators.compute(self)
        self.datacollector.collect(self)

    # 1. policy ------------------------------------------------------------------------------
    def _apply_policy_and_shifts(self):
        t = self.steps
        self.government.apply_schedule(t)
        for step, demand, quality in self.shifts:
            if step == t:
                self.demand_shift *= demand
                self.quality_standard = quality
        gov = self.government
        gov.plan(self._bases)
        gov.run_programmes(float(self.population.workers[self.population.live].sum()))
        self.association = gov.association_strength()
        self._invest_infrastructure(gov.pay("infrastructure", gov.granted["infrastructure"]))

    def _invest_infrastructure(self, spend: float):
        """Infrastructure decays toward the base level; new money goes where the jobs are."""
        p, infra = self.params, self.grid.infrastructure.data
        # public investment depreciates back to the initial network (base level, roads, parks)
        infra -= p["infrastructure_decay"] * np.maximum(infra - self.infrastructure_base, 0.0)
        near = self.fields["employment"]
        if spend > 0 and near.sum() > 0:
            infra += spend / p["infrastructure_cost"] * near / near.sum() * (1.0 - infra)
            np.clip(infra, 0.0, 1.0, out=infra)

    # 2. fields ------------------------------------------------------------------------------
    def _update_fields(self):
        p, pop = self.params, self.population
        live = pop.live
        x, y, workers = pop.x[live], pop.y[live], pop.workers[live]
        stage = pop.stage[live].astype(np.int64)  # int16 would overflow in stage * W * H
        S, (W, H) = p["n_stages"], self.shape
        emp = cell_sums(x, y, workers, self.shape)
        know = cell_sums(x, y, workers * pop.knowledge[live], self.shape)
        # output of each stage 0 … S: the supply of stage s's good is stage s's output, the input
        # demand for it is its buyers' output (stage s + 1), so S + 1 fields serve both
        out_by_stage = np.bincount(stage * W * H + x * H + y, pop.output[live], (S + 1) * W * H).reshape(S + 1, W, H)
        near = self.kernel([emp, know, self.labour_supply, out_by_stage])
        E = near[0]
        gov = self.government
        park_rate = gov.effective("park_subsidy")
        rent = agglomeration.land_rent(E, p["base_rent"], p["congestion"], p["congestion_scale"])
        self.fields = {
            "employment": E,
            "pool": np.where(E > 1e-9, near[1] / np.maximum(E, 1e-9), 0.0),
            "contact": E / (E + p["contact_scale"]),
            "productivity": agglomeration.productivity_gain(E, p["agglomeration"], p["agglomeration_scale"]),
            "wage": labour.wage_field(E, near[2], p["base_wage"], p["wage_elasticity"]),
            "rent": rent,
            "rent_paid": rent * (1.0 - park_rate * self.grid.park.data),
            "supply": near[3 : 3 + S],      # of the goods of stages 0 … S−1
            "demand": near[4 : 4 + S],      # for the goods of stages 0 … S−1
        }
        labour.migrate(self.labour_supply, emp, p["migration"])
        g = self.grid
        g.rent.data[:] = rent
        g.wage.data[:] = self.fields["wage"]
        g.knowledge_pool.data[:] = self.fields["pool"]
        g.agglomeration.data[:] = self.fields["productivity"]

    # 3. production --------------------------------------------------------------------------
    def _produce_and_trade(self):
        p, pop, gov, f = self.params, self.population, self.government, self.fields
        live, cap = pop.live, pop.capacity
        if len(live) == 0:
            return
        S = p["n_stages"]
        alpha, beta = p["labour_share"], p["capital_share"]
        x, y, stage = pop.x[live], pop.y[live], pop.stage[live]
        firm = pop.kind[live] == KIND_FIRM
        lead = pop.is_lead[live]
        in_park = at(self.grid.park.data, x, y)
        infra = self.grid.infrastructure.data

        # hire toward the target workforce and produce
        A = self.stage_tfp[stage] * pop.knowledge[live] * at(f["productivity"], x, y) * (1 + p["skill_premium"] * gov.skill)
        wage, rent = at(f["wage"], x, y), at(f["rent"], x, y)
        park_rate = gov.effective("park_subsidy") * in_park
        unit_labour = wage + p["land_per_worker"] * rent * (1 - park_rate)
        K, L = pop.capital[live], pop.workers[live]
        v = pop.unit_value[live]
        L_target = production.target_workers(v, A, K, alpha, beta, unit_labour)
        L = np.clip(L + p["adjustment"] * (L_target - L), 1.0, L * (1 + p["max_hiring_growth"]) + 1.0)
        Q = production.output(A, L, K, alpha, beta)

        # the final price clears outside demand for quality-adjusted final output
        k = pop.knowledge[live]
        appeal = market.appeal(k, self.quality_standard * self.frontier, p["quality_sensitivity"])
        quality = appeal * (1 + pop.novelty[live])
        self.price = market.clearing_price(market.demand_level(self), float((Q * quality)[firm].sum()),
                                           p["demand_elasticity"], p["price_ceiling"])
        # the chain (intermediates, their imports) is priced per physical unit of the final good
        self.chain_price = P = market.chain_price(self.price, Q[firm], appeal[firm])

        # intermediate inputs along supply ties; imports fill the rest
        need = np.zeros(cap)
        need[live] = np.where(stage >= 1, Q, 0.0)
        supply = np.zeros(cap)
        supply[live] = np.where(firm, 0.0, Q)
        bought, local_cost, sold = self.network.trade(need, supply, tie_costs(self.network, pop, infra, p, P), cap)
        bought, local_cost, sold = bought[live], local_cost[live], sold[live]
        imports = need[live] - bought
        in_price = market.input_price(np.maximum(stage - 1, 0), S, P) * (stage >= 1)
        input_cost = local_cost + imports * in_price * (1 + p["import_markup"])

        # sales: final goods to the outside market, intermediates to local buyers (rest outside)
        own_price = market.input_price(np.minimum(stage, S - 1), S, P)
        revenue = np.where(firm, self.price * Q * quality,
                           own_price * (sold + p["outside_sale_discount"] * np.maximum(Q - sold, 0.0)))
        mx, my = self.market
        freight = np.where(firm, p["market_transport_cost"] * np.hypot(x - mx, y - my)
                           * (1 - 0.5 * at(infra, x, y)) * Q, 0.0)

        # R&D, with the subsidy refund paid pro rata to what the budget allows
        s_rd = gov.effective("rd_subsidy")
        rd_share = np.where(lead, p["lead_rd_share"], p["rd_share"]) / (1 - s_rd)
        rd = rd_share * revenue
        refund = rd * s_rd * gov.pay_pro_rata("rd_subsidy", s_rd * rd.sum())

        rent_bill = p["land_per_worker"] * rent * L
        park_paid = rent_bill * park_rate * gov.pay_pro_rata("park_subsidy", (rent_bill * park_rate).sum())

        regulation = gov.effective("environmental_regulation")
        gov.pay("environmental_regulation", gov.granted["environmental_regulation"])
        raw = environment.raw_emissions(Q, stage, p)
        emitted, abatement_cost = environment.abatement(raw, regulation, in_park, p)

        cash = pop.cash[live]
        profit = (revenue - L * wage - (rent_bill - park_paid) - input_cost - freight - (rd - refund)
                  - p["depreciation"] * K - p["interest_rate"] * np.maximum(-cash, 0.0) - abatement_cost
                  - p["fixed_cost"] * self.stage_scale[stage])
        exempt = (pop.born[live] > 0) & (pop.age[live] < gov.value("tax_holiday"))
        tax = np.where(exempt, 0.0, gov.value("tax_rate") * np.maximum(profit, 0.0))
        gov.collect(float(tax.sum()))
        profit -= tax

        # invest toward the target capital, financed by cash and credit
        n_sme = max(1, int((~lead).sum()))
        limit = production.credit_limit(K, lead, p["leverage"],
                                        p["guarantee_leverage"] * gov.guarantee_fund / n_sme)
        unit_value = (revenue - input_cost - freight) / np.maximum(Q, 1e-12)
        K_target = production.target_capital(unit_value, Q, beta, p["interest_rate"] + p["depreciation"])
        invest = np.maximum(0.0, p["adjustment"] * (K_target - K) + p["depreciation"] * K)
        cash_flow = cash + profit + p["depreciation"] * K
        invest = np.minimum(invest, np.maximum(0.0, cash_flow + limit))

        pop.workers[live] = L
        pop.output[live] = Q
        pop.revenue[live] = revenue
        pop.profit[live] = profit
        pop.rd[live] = rd
        pop.input_cost[live] = input_cost
        pop.local_input[live] = bought
        pop.total_input[live] = need[live]
        pop.unit_value[live] = unit_value
        pop.emissions[live] = emitted
        pop.capital[live] = np.maximum(K * (1 - p["depreciation"]) + invest, 0.1)
        pop.cash[live] = cash_flow - invest
        pop.loss_streak[live] = np.where(profit < 0, pop.loss_streak[live] + 1, 0)
        pop.age[live] += 1
        self._credit_limit = limit
        self._rd_share = rd_share
        self._bases = {"rd": float(rd.sum() * (1 - s_rd)), "park_rent": float((rent_bill * in_park).sum())}
        self.network.update_trust(p["trust_growth"] * (1 + self.association))

    # 4. innovation --------------------------------------------------------------------------
    def _innovate(self):
        pop, p, gov = self.population, self.params, self.government
        live = pop.live
        if len(live) == 0:
            return
        linked = np.zeros(len(live))
        n_linked = min(gov.service_clients("university_links"), len(live))
        linked[self.rng.choice(len(live), n_linked, replace=False)] = 1.0
        jump, gained, count = innovate(self.rng, self._rd_share, pop.rd[live], linked, p)
        # no innovation takes a firm beyond one radical step ahead of the frontier (model.innovation)
        k = pop.knowledge[live]
        pop.knowledge[live] = np.minimum(k * jump, np.maximum(k, (1 + p["radical_size"]) * self.frontier))
        ip = gov.effective("ip_protection")
        gov.pay("ip_protection", gov.granted["ip_protection"])
        pop.novelty[live] = pop.novelty[live] * (1 - p["novelty_decay"] * (1 - ip)) + gained
        self.counts["innovations"] = count
        self._ip = ip

    # 5. learning ----------------------------------------------------------------------------
    def _learn(self):
        pop, p, gov, f = self.population, self.params, self.government, self.fields
        live = pop.live
        if len(live) == 0:
            return
        x, y = pop.x[live], pop.y[live]
        k = pop.knowledge[live]
        leakage = 1 - p["ip_leak_cut"] * self._ip
        gain = spillover.spatial_learning(k, at(f["pool"], x, y), at(f["contact"], x, y), p["spillover"], leakage)
        net = self.network
        gain += spillover.network_learning(pop.knowledge, net.src, net.dst, net.trust,
                                           p["network_spillover"], pop.capacity)[live]
        clients = self.rng.choice(len(live), min(gov.service_clients("tech_centre"), len(live)), replace=False)
        gain[clients] += spillover.service_learning(k[clients], self.frontier, p["service_learning"])
        pop.knowledge[live] = k + gain

    # 6. supply network ----------------------------------------------------------------------
    def _search_suppliers(self, everyone: bool = False):
        pop, p = self.population, self.params
        live = pop.live
        sup = live[pop.kind[live] != KIND_FIRM]
        index = SupplierIndex(sup, pop.stage[sup].astype(np.int64), pop.x[sup], pop.y[sup], *self.shape)
        buyers = live[pop.stage[live] >= 1]
        isolated = np.bincount(self.network.dst, minlength=pop.capacity)[buyers] == 0
        chance = np.where(isolated, min(1.0, 2 * p["supplier_search"]), p["supplier_search"])
        searching = buyers if everyone else buyers[self.rng.random(len(buyers)) < chance]
        # buyers larger than their suppliers (lead firms, stages of large plants) keep more ties
        factor = self.slot_factor[pop.stage[searching]] * np.where(pop.is_lead[searching], p["lead_size"], 1.0)
        factor = np.maximum(1.0, np.round(factor))
        big = factor > 1
        search(self.network, index, searching[~big], pop, self.grid.infrastructure.data, p,
               self.association, self.chain_price, self.rng, pop.capacity)
        if big.any():
            search(self.network, index, searching[big], pop, self.grid.infrastructure.data, p,
                   self.association, self.chain_price, self.rng, pop.capacity,
                   slots=p["max_suppliers"] * factor[big], draws=int(min(factor.max(), 16)))

    # 7. location ----------------------------------------------------------------------------
    def _site_for(self, rows_stage, rows_firm, need, out, near_x=None, near_y=None, radius=5, share_near=0.5):
        """Chosen (x, y) for choosers described by stage/kind/size arrays."""
        p, n = self.params, len(rows_stage)
        W, H = self.shape
        if p["location_choice"] == "random":
            return self.rng.integers(0, W, n), self.rng.integers(0, H, n)
        cx, cy = candidate_sites(self.rng, n, p["location_candidates"], W, H, near_x, near_y, radius, share_near)
        u = site_scores(self, rows_stage, rows_firm, need, out, cx, cy)
        pick = choose(self, u)
        return cx[np.arange(n), pick], cy[np.arange(n), pick]

    def _relocate(self):
        pop, p = self.population, self.params
        if p["location_choice"] == "random" or p["relocation_rate"] == 0:
            return
        live = pop.live
        movers = live[self.rng.random(len(live)) < p["relocation_rate"]]
        if len(movers) == 0:
            return
        W, H = self.shape
        m = p["location_candidates"] + 1
        cx, cy = candidate_sites(self.rng, len(movers), m, W, H, pop.x[movers], pop.y[movers],
                                 2 * p["kernel_radius"])
        cx[:, 0], cy[:, 0] = pop.x[movers], pop.y[movers]
        out = pop.output[movers]
        stage = pop.stage[movers].astype(np.int64)
        u = site_scores(self, stage, pop.kind[movers] == KIND_FIRM, out * (stage >= 1), out, cx, cy)
        if p["choice_noise"] > 0:
            u = u + self.rng.gumbel(0.0, p["choice_noise"], u.shape)
        best = np.argmax(u, axis=1)
        gain = u[np.arange(len(movers)), best] - u[:, 0]
        go = np.flatnonzero((best != 0) & (gain > p["relocation_threshold"]))
        for row, x, y in zip(movers[go].tolist(), cx[go, best[go]].tolist(), cy[go, best[go]].tolist()):
            pop.agent[row].move_to(self.grid._cells[(x, y)])

    # 8. demography --------------------------------------------------------------------------
    def _exit(self):
        pop, p, gov = self.population, self.params, self.government
        live = pop.live
        if len(live) == 0:
            return
        limit = self._credit_limit if len(self._credit_limit) == len(live) else p["leverage"] * pop.capital[live]
        out = live[demography.exiting(pop.loss_streak[live], pop.cash[live], limit, p["exit_patience"])]
        if len(out) == 0:
            return
        # the guarantee fund covers defaulted debt above the unguaranteed limit
        debt_over = np.maximum(-pop.cash[out] - p["leverage"] * pop.capital[out], 0.0) * ~pop.is_lead[out]
        gov.guarantee_fund = max(0.0, gov.guarantee_fund - float(debt_over.sum()))
        self.network.drop_rows(out)
        for row in out.tolist():
            pop.agent[row].leave()
        self.counts["exits"] = len(out)

    def _spin_off(self):
        pop, p = self.population, self.params
        live = pop.live
        if len(live) == 0 or p["spinoff_rate"] == 0:
            return
        parents = live[demography.spinoff_parents(self.rng, pop.profit[live], pop.workers[live], p["spinoff_rate"])]
        if len(parents) == 0:
            return
        stage = pop.stage[parents].astype(np.int64)
        out = pop.output[parents]
        sx, sy = self._site_for(stage, pop.kind[parents] == KIND_FIRM, out * (stage >= 1), out,
                                pop.x[parents], pop.y[parents], p["spinoff_radius"], share_near=1.0)
        staff = np.minimum(p["initial_workers"], 0.3 * pop.workers[parents])
        pop.workers[parents] -= staff
        knowledge = p["spinoff_knowledge"] * pop.knowledge[parents]
        typical = self._typical_unit_values()
        for i in range(len(parents)):
            self._found(int(stage[i]), int(sx[i]), int(sy[i]), knowledge[i], staff[i],
                        p["initial_capital"], p["initial_cash"], False, typical[stage[i]])
        self.counts["spinoffs"] = len(parents)
        self.counts["births"] += len(parents)

    def _enter(self):
        pop, p, gov = self.population, self.params, self.government
        live = pop.live
        S = p["n_stages"]
        revenue = pop.revenue[live].sum()
        margin = pop.profit[live].sum() / revenue if revenue > 0 else 0.0
        n_local = int(self.rng.poisson(demography.expected_entrants(len(live), margin, p)))
        n_grants = gov.take_whole("grant_progress")
        n_recruits = gov.take_whole("recruit_progress")
        n_leads = gov.take_whole("lead_recruit_progress")
        n = n_local + n_grants + n_recruits
        if n + n_leads == 0:
            return
        stage_all = pop.stage[live].astype(np.int64)
        by_stage = lambda w: np.bincount(stage_all, w, S + 1)  # noqa: E731
        margin_s = by_stage(pop.profit[live]) / np.maximum(by_stage(pop.revenue[live]), 1e-9)
        # a stage nobody works in: entrants expect the cluster's average margin there
        margin_s = np.where(np.bincount(stage_all, minlength=S + 1) == 0, margin, margin_s)
        imported = np.bincount(np.maximum(stage_all - 1, 0), (pop.total_input[live] - pop.local_input[live]) * (stage_all >= 1), S + 1)
        needed = np.bincount(np.maximum(stage_all - 1, 0), pop.total_input[live] * (stage_all >= 1), S + 1)
        weights = demography.stage_weights(margin_s, imported / np.maximum(needed, 1e-9), np.bincount(stage_all, minlength=S + 1))
        weights = weights / self.stage_scale / np.sum(weights / self.stage_scale)  # fewer, larger plants
        stage = self.rng.choice(S + 1, n, p=weights)
        stage = np.concatenate([stage, np.full(n_leads, S)])
        lead = np.arange(len(stage)) >= n
        recruit = (np.arange(len(stage)) >= n_local + n_grants)
        mean_k = pop.knowledge[live].mean() if len(live) else self.frontier * p["initial_knowledge"]
        local_k = 0.9 * mean_k * self.rng.lognormal(0.0, p["knowledge_dispersion"], len(stage))
        knowledge = np.where(lead, self.frontier * p["lead_knowledge"],
                             np.where(recruit, self.frontier * max(p["initial_knowledge"], 0.9), local_k))
        size = np.where(lead, p["lead_size"], self.stage_scale[stage])
        typical_out = np.median(pop.output[live]) if len(live) else 1.0
        out = typical_out * size
        if len(live):
            ref = live[self.rng.integers(0, len(live), len(stage))]
            near_x, near_y = pop.x[ref], pop.y[ref]
        else:
            near_x = near_y = None
        sx, sy = self._site_for(stage, stage == S, out * (stage >= 1), out, near_x, near_y, p["kernel_radius"])
        if self.grid.park.data.any() and recruit.any():
            px, py = np.nonzero(self.grid.park.data)
            pick = self.rng.integers(0, len(px), int(recruit.sum()))
            sx[recruit], sy[recruit] = px[pick], py[pick]
        cash = p["initial_cash"] + np.where((np.arange(len(stage)) >= n_local) & ~recruit, p["startup_grant"], 0.0)
        typical = self._typical_unit_values()
        for i in range(len(stage)):
            self._found(int(stage[i]), int(sx[i]), int(sy[i]), knowledge[i], p["initial_workers"] * size[i],
                        p["initial_capital"] * size[i], cash[i] * size[i], bool(lead[i]), typical[stage[i]])
        self.counts["births"] += len(stage)

    def _found(self, stage, x, y, knowledge, workers, capital, cash, is_lead, unit_value):
        cls = Firm if stage == self.params["n_stages"] else Supplier
        agent = cls(self, self.grid._cells[(x, y)], stage=stage, knowledge=float(knowledge),
                    workers=float(workers), capital=float(capital), cash=float(cash), is_lead=is_lead)
        pop = self.population
        pop.unit_value[agent.row] = unit_value
        return agent

    def _typical_unit_values(self) -> list[float]:
        """Net value per unit of output a founder of each stage expects: the median of that
        stage's producing enterprises, or, where none produces yet, what prices imply. Computed
        once per batch of founders (founders do not produce yet, so the medians stay put)."""
        pop = self.population
        producing = pop.live[pop.output[pop.live] > 0]
        stage, value = pop.stage[producing], pop.unit_value[producing]
        return [float(np.median(value[stage == s])) if (stage == s).any() else self._unit_value_from_prices(s)
                for s in range(self.params["n_stages"] + 1)]

    def _unit_value_from_prices(self, stage) -> float:
        """Own price less inputs, half of them imported."""
        S = self.params["n_stages"]
        price = self.chain_price if stage == S else float(market.input_price(stage, S, self.chain_price))
        in_price = float(market.input_price(stage - 1, S, self.chain_price)) if stage >= 1 else 0.0
        return price - in_price * (1 + 0.5 * self.params["import_markup"])

    # 9. environment -------------------------------------------------------------------------
    def _pollute(self):
        pop = self.population
        live = pop.live
        deposited = cell_sums(pop.x[live], pop.y[live], pop.emissions[live], self.shape)
        environment.accumulate(self.grid.pollution.data, deposited, self.params["pollution_decay"])

    # ------------------------------------------------------------------ set-up -----------
    def _place_initial_enterprises(self):
        p, rng = self.params, self.rng
        S, (W, H) = p["n_stages"], self.shape
        shares = np.asarray(p["stage_shares"] or [1.0] * S, float)
        if len(shares) != S or (shares < 0).any() or shares.sum() <= 0:
            raise ValueError(f"stage_shares must list {S} non-negative weights (one per stage), got {p['stage_shares']}")
        if p["stage_shares"]:  # explicit shares are apportioned exactly (a 5-firm stage is not drawn away)
            sup_stage = np.repeat(np.arange(S), apportion(p["n_suppliers"], shares))
        else:
            sup_stage = rng.choice(S, p["n_suppliers"], p=shares / shares.sum())
        stage = np.concatenate([np.full(p["n_lead_firms"], S), np.full(p["n_firms"], S), np.sort(sup_stage)])
        lead = np.arange(len(stage)) < p["n_lead_firms"]
        n = len(stage)
        if p["initial_spread"] >= 1.0:
            xs, ys = rng.integers(0, W, n), rng.integers(0, H, n)
        else:
            sd = p["initial_spread"] * W
            xs = np.clip(np.rint(rng.normal(W / 2, sd, n)), 0, W - 1).astype(int)
            ys = np.clip(np.rint(rng.normal(H / 2, sd, n)), 0, H - 1).astype(int)
        for i in range(p["n_lead_firms"] if p["parks"] else 0):  # lead firms anchor the parks, in turn
            px, py, _ = p["parks"][i % len(p["parks"])]
            xs[i], ys[i] = int(px), int(py)
        disp = p["knowledge_dispersion"]
        knowledge = np.where(lead, p["lead_knowledge"], p["initial_knowledge"]) * rng.lognormal(0, disp, n)
        size = np.where(lead, p["lead_size"], self.stage_scale[stage]) * rng.lognormal(0, 0.3, n)
        for i in range(n):
            cls = Firm if stage[i] == S else Supplier
            cls(self, self.grid._cells[(int(xs[i]), int(ys[i]))], stage=int(stage[i]), knowledge=float(knowledge[i]),
                workers=float(p["initial_workers"] * size[i]), capital=float(p["initial_capital"] * size[i]),
                cash=float(p["initial_cash"] * size[i]), is_lead=bool(lead[i]))
        self._credit_limit = np.zeros(0)
        self._ip = 0.0
        self.association = 0.0

    def _initial_quality_output(self) -> float:
        """Quality-adjusted output the initial final firms would produce: the demand anchor D_0."""
        p, pop, f = self.params, self.population, self.fields
        live = pop.live
        firms = live[pop.kind[live] == KIND_FIRM]
        if len(firms) == 0:
            return 1.0
        x, y = pop.x[firms], pop.y[firms]
        A = self.stage_tfp[-1] * pop.knowledge[firms] * f["productivity"][x, y]
        Q = production.output(A, pop.workers[firms], pop.capital[firms], p["labour_share"], p["capital_share"])
        quality = market.appeal(pop.knowledge[firms], self.quality_standard * self.frontier, p["quality_sensitivity"])
        return max(float((Q * quality).sum()), 1e-9)

    def _initial_mean_appeal(self) -> float:
        """Mean appeal of the initial final firms (1 while no quality is required)."""
        pop = self.population
        firms = pop.live[pop.kind[pop.live] == KIND_FIRM]
        a = market.appeal(pop.knowledge[firms], self.quality_standard * self.frontier, self.params["quality_sensitivity"])
        return float(a.mean()) if len(a) else 1.0

    def _start_at_optimal_size(self):
        """Initial enterprises start at their profit-maximising size (workers, capital), given
        their knowledge, site and prices: the run does not open with an artificial shake-out."""
        p, pop, f = self.params, self.population, self.fields
        live = pop.live
        x, y, stage = pop.x[live], pop.y[live], pop.stage[live]
        alpha, beta = p["labour_share"], p["capital_share"]
        A = self.stage_tfp[stage] * pop.knowledge[live] * f["productivity"][x, y]
        unit_labour = f["wage"][x, y] + p["land_per_worker"] * f["rent"][x, y]
        L, K = production.optimal_size(pop.unit_value[live], A, unit_labour,
                                       p["interest_rate"] + p["depreciation"], alpha, beta)
        pop.workers[live] = np.maximum(L, 1.0)
        pop.capital[live] = np.maximum(K, 0.1)

    def _initial_unit_values(self):
        pop = self.population
        pop.unit_value[pop.live] = np.asarray(self._typical_unit_values())[pop.stage[pop.live]]
