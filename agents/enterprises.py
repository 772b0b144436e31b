"""The enterprises as one agent set: their state columns and the vectorised rules that change them.

`Enterprises` is the column store (`agents.population.Population`: one row per firm or supplier)
together with every quarterly rule that all enterprises follow at once, in the style of
mesa-frames' DataFrame-backed agent sets; `agents.Firm` and `agents.Supplier` stay thin Mesa
cell agents over one row each (identity, cell, moves). The rules gather arrays, call the
mechanism's array functions in `model/` (their equations and sources are documented there) and
write the columns back:

    produce   plan output (model.production), price and trade (model.market, model.supply_network,
              model.intermediate_market), book the quarter: costs, tax, investment, credit
              (model.production, model.environment), the expected value per unit
              (agents.expectations, model.persistence) and its accounts (model.accounts)
    innovate  R&D hazards and jumps (model.innovation)
    learn     spillover through space, ties and public services (model.spillover)
    exit, spin_off, enter, relocate   the life cycle (agents.life_cycle, model.demography,
              model.location_choice)

Every rule reads lever values only from the government (`model.government`).
"""

from __future__ import annotations

import numpy as np

from agents.conduct import planning_value
from agents.expectations import Expectations
from agents.life_cycle import LifeCycle
from agents.plant_site import plant_at_site
from agents.population import KIND_FIRM, Population
from model import (
    accounts,
    brand,
    environment,
    firm_types,
    innovation,
    intermediate_market,
    market,
    niche_demand,
    product_lines,
    product_match,
    production,
    spillover,
    transport,
)
from model.fields import at
from model.innovation import bounded_knowledge, innovate, novelty, rd_intensity
from model.niche_growth import drift as growth
from model.quarter import Quarter
from model.supply_network import tie_costs


class Enterprises(Expectations, LifeCycle, Population):
    """Every firm and supplier of one model: columns (see agents.population.COLUMNS) and rules."""

    def __init__(self, model, capacity: int = 1024):
        super().__init__(capacity)
        self.model = model

    # --- production ------------------------------------------------------------------------
    def crew(self, stage):
        """A plant's indivisible crew by stage (workers): `plant_scale`, or with `stage_crew` the
        stage's plant size z_s = stage_scale_s × plant_scale (model.production.stage_technology)."""
        p = self.model.params
        return self.model.stage_scale[np.asarray(stage, np.int64)] if p["stage_crew"] else p["plant_scale"]

    def produce(self, q: Quarter) -> None:
        """Hire, produce, sell, trade inputs along supply ties and book the quarter (all live rows)."""
        live = self.live
        if len(live) == 0:
            return
        L, Q, unit_labour_parts = self._plan_output(live)
        revenue, input_cost, freight, trade = self._sell_and_trade(live, Q)
        self._book(q, live, L, Q, unit_labour_parts, revenue, input_cost, freight, trade)
        self.local_input[live] = trade["bought"]
        self.total_input[live] = np.where(self.stage[live] >= 1, Q, 0.0)

    def _plan_output(self, live):
        """Workers moved toward L* and this quarter's output Q (model.production)."""
        p = self.model.params
        stage = self.stage[live]
        mass = self.line_mass[live] if p["line_niche"] else self.lines[live]
        A, unit_labour, parts = plant_at_site(self, stage, self.knowledge[live], self.x[live], self.y[live], mass,
                                              self.niche_demand[live])
        K, L = self.capital[live], self.workers[live]
        v = planning_value(self, live, self.unit_value[live], self.output[live])   # Cournot if market_power
        L_target = production.target_workers(v, A, K, p["labour_share"], p["capital_share"], unit_labour)
        self.plant_optimum[live] = L_target / np.maximum(mass, 1e-12)   # read by the line turnover (line_niche)
        L_new = production.hire(L, L_target, p["adjustment"], p["max_hiring_growth"], self.crew(stage))
        Q = production.output(A, L_new, K, p["labour_share"], p["capital_share"])
        if p["work_to_order"]:
            L_new, Q = self._work_to_order(live, stage, A, K, L, L_target, L_new, Q)
        return L_new, Q, parts

    def orders_down_the_chain(self, live, stage, Q):
        """Subcontracting's order books, stage by stage from the last: for each supplier stage s
        yields (rows: boolean mask over `live` of stage s with orders, orders of those rows, units),
        the orders its clients place along ties for the inputs of their current output `Q` (shape of
        `live`; the caller may update Q[rows] before the next stage is read). Orders:
        SupplyNetwork.order_book of the clients' need × the share of it made to their design
        (model.product_match.tie_match)."""
        p, net, cap = self.model.params, self.model.network, self.capacity
        match = product_match.tie_match(p["specific_input_share"], net.trust, net.dst, cap, p["order_trust_offset"],
                                        net.invested)
        for s in range(p["n_stages"] - 1, -1, -1):
            need = np.zeros(cap)
            need[live] = np.where(stage >= 1, Q, 0.0)
            orders = net.order_book(need * match, cap, p["order_trust_offset"])[live]
            rows = (stage == s) & (orders > 0)
            yield rows, orders[rows]

    def _work_to_order(self, live, stage, A, K, L, L_target, L_new, Q):
        """Suppliers with clients along ties work to their clients' orders (subcontracting, 分包:
        the final firms plan production and organise the stages, seeds §需求条件): stage by stage
        from the last, each supplier's labour target is the labour that makes its order book
        (SupplyNetwork.order_book, model.production.labour_for), or its own-account target
        where it has no order."""
        p = self.model.params
        alpha, beta = p["labour_share"], p["capital_share"]
        for rows, orders in self.orders_down_the_chain(live, stage, Q):
            target = production.labour_for(orders, A[rows], K[rows], alpha, beta)
            if p["work_to_order"] == 2:
                target = np.maximum(target, L_target[rows])
            L_new[rows] = production.hire(L[rows], target, p["adjustment"], p["max_hiring_growth"],
                                         self.crew(stage[rows]))
            Q[rows] = production.output(A[rows], L_new[rows], K[rows], alpha, beta)
        return L_new, Q

    def _sell_and_trade(self, live, Q):
        """Clear the final market, trade inputs along ties and on the local spot market, clear
        each intermediate good's market (imports fill the rest, the surplus is exported) and sell.

        Returns per live row: revenue, input cost (incl. freight on inputs), market freight, and
        the trade record of `trade_inputs`."""
        m, p = self.model, self.model.params
        x, y, stage = self.x[live], self.y[live], self.stage[live].astype(np.int64)
        firm = self.kind[live] == KIND_FIRM
        infra = m.grid.infrastructure.data
        appeal = market.appeal(self.knowledge[live], m.quality_standard * m.frontier, p["quality_sensitivity"])
        quality = appeal * (1 + self.novelty[live])
        gov = m.government
        demand = market.demand_level(m.base_demand, m.steps, m.demand_shift, gov.brand_capital, gov.goodwill,
                                     gov.market_capacity, p)
        m.price = market.clearing_price(demand, float((Q * quality)[firm].sum()), p["demand_elasticity"],
                                        p["price_ceiling"])
        trade = self.trade_inputs(live, Q, stage, firm, infra)
        input_cost = trade["local_cost"] + trade["freight"] + trade["imported"] * trade["parity"]
        revenue = np.where(firm, m.price * Q * quality, trade["sales"])
        m.final_sales = float(revenue[firm].sum())
        m.quality_share = brand.quality_share(Q[firm], appeal[firm])
        # value of sales outside the cluster: final goods, and what no local buyer took (exported)
        good_out = np.minimum(stage, p["n_stages"] - 1)
        sold_outside = np.where(firm, revenue, np.maximum(Q - trade["sold"], 0.0) * m.stage_price[good_out])
        self.exported[live] = sold_outside
        freight = market.market_freight(firm, x, y, m.market, at(infra, x, y), Q, sold_outside, p)
        return revenue, input_cost, freight, trade

    def trade_inputs(self, live, Q, stage, firm, infra, clear: bool = True) -> dict:
        """Inputs along ties, then the local spot market, then each intermediate good's market
        clears between export demand and import parity (model.intermediate_market).

        Q, stage, firm: arrays over the live rows. Returns arrays over them — units bought and
        sold locally, imported (stage 0: its raw input), the cost of local purchases at the
        ex-works prices, freight (ties; spot trade via the market gateway), sales value of
        intermediates, each one's import parity (model.transport) — and per stage the surplus
        exported and its value; sets `model.stage_price`, `model.parity` (the need-weighted mean
        parity of each input) and `model.import_freight` when `clear`."""
        m, p, net = self.model, self.model.params, self.model.network
        cap, S = self.capacity, p["n_stages"]
        need, supply = np.zeros(cap), np.zeros(cap)
        need[live] = np.where(stage >= 1, Q, 0.0)
        supply[live] = np.where(firm, 0.0, Q)
        # ties supply a buyer's specific inputs only as far as the relationship is secure (model.product_match)
        specific, offset = p["specific_input_share"], p["order_trust_offset"]
        match = product_match.tie_match(specific, net.trust, net.dst, cap, offset, net.invested)
        bought, freight, sold = net.trade(need * match, supply, tie_costs(net, self, infra, p, np.zeros(S)), cap,
                                         offset)
        bought, freight, sold, match = bought[live], freight[live], sold[live], match[live]
        unsold_i = np.where(firm, 0.0, Q - sold)
        unmet_i = np.where(stage >= 1, product_match.spot_need(Q, bought, match, specific), 0.0)
        good_in, good_out = np.maximum(stage - 1, 0), np.minimum(stage, S - 1)
        x, y = self.x[live], self.y[live]
        infra_here = at(infra, x, y)   # each enterprise's cell infrastructure (read once, used twice)
        to_market = (p["transport_cost"] * transport.cell_distance(x - m.market[0], y - m.market[1])
                     * (1 - p["infrastructure_freight_saving"] * infra_here))
        # each buyer's import parity w (1 + m) + θ(c) w: the long haul falls with its infrastructure
        theta = transport.long_haul_share(p["long_haul_freight"], infra_here, p["infrastructure_freight_saving"])
        parity = intermediate_market.import_parity(m.outside_price[stage], p["import_markup"], theta)
        surplus = unsold_i
        if p["spot_arbitrage"]:   # each side takes part only where the spot market beats importing / exporting
            unsold_i, unmet_i = intermediate_market.spot_sides(unsold_i, unmet_i, m.stage_price[good_out],
                                                               m.stage_price[good_in], to_market, parity, theta,
                                                               sellers=p["spot_arbitrage"] == 2)
        unsold = intermediate_market.by_stage(stage, unsold_i, S)   # offered on the spot market
        unmet = np.bincount(good_in, unmet_i, S)
        spot = intermediate_market.spot_match(unsold, unmet, p["spot_matching"])
        spot_sold = unsold_i * intermediate_market.gap_shares(spot, unsold)[good_out]
        spot_bought = unmet_i * intermediate_market.gap_shares(spot, unmet)[good_in]
        unsold = unsold - spot
        gaps = (unsold + spot, unmet)   # per stage, before the spot market (newcomers' fill: prospects)
        if p["spot_arbitrage"]:   # exported: all the surplus the spot market left, offered or not
            unsold = intermediate_market.by_stage(stage, surplus, S) - spot
        if clear:
            m.spot_gaps = gaps
            m.import_freight = intermediate_market.mean_by_input(stage, Q, theta, m.import_freight)
            m.parity = intermediate_market.import_parity(m.outside_price, p["import_markup"], m.import_freight)
            scale = intermediate_market.export_scale(m.export_base, p["demand_growth"], m.steps)
            m.stage_price = intermediate_market.clearing_prices(unsold, scale, m.outside_price[1:],
                                                                m.parity[1:], p["export_elasticity"])
        price = m.stage_price
        local_cost = np.bincount(net.dst, net.volume * price[self.stage[net.src]], cap)[live]
        return dict(bought=bought + spot_bought, sold=sold + spot_sold, tie_cost=local_cost,
                    imported=np.where(stage >= 1, Q - bought - spot_bought, Q),
                    local_cost=local_cost + spot_bought * price[good_in],
                    freight=freight + to_market * (spot_sold + spot_bought),
                    sales=np.where(firm, 0.0, price[good_out] * Q), parity=parity,
                    unsold=unsold, exports=float(np.sum(unsold * price)))

    def _book(self, q: Quarter, live, L, Q, unit_labour_parts, revenue, input_cost, freight, trade) -> None:
        """Costs, subsidies, tax, investment and credit; write the quarter's columns."""
        m, p = self.model, self.model.params
        gov = m.government
        wage, rent, park_rate, in_park = unit_labour_parts
        stage, lead, K, cash = self.stage[live], self.is_lead[live], self.capital[live], self.cash[live]
        # R&D, a share of value added (model.innovation), with the subsidy refund paid pro rata
        # to what the budget allows
        s_rd = gov.effective("rd_subsidy")
        rd_share = rd_intensity(lead, p["rd_share"], p["lead_rd_share"], s_rd)
        rd = rd_share * innovation.rd_base(revenue, input_cost, freight)
        refund = rd * s_rd * gov.pay_pro_rata("rd_subsidy", s_rd * rd.sum())
        rent_bill = p["land_per_worker"] * rent * L
        park_paid = rent_bill * park_rate * gov.pay_pro_rata("park_subsidy", (rent_bill * park_rate).sum())
        emitted, abatement_cost, fines = self._regulate(Q, stage, in_park)
        # quasi-rent margin: revenue over the avoidable costs (inputs, freight, wages, rent) per unit of revenue
        quasi_rent = (revenue - input_cost - freight - L * wage - (rent_bill - park_paid)) / np.maximum(revenue, 1e-12)
        overhead = p["fixed_cost"] * m.stage_scale[stage] + self._invest_in_ties(live, Q, quasi_rent)
        # interest on the debt the quarter began with (the owners' exit adds it back: agents.life_cycle)
        q.interest = p["interest_rate"] * np.maximum(-cash, 0.0)
        profit = production.profit_before_tax(
            revenue, L * wage, rent_bill - park_paid, input_cost, freight, rd - refund, p["depreciation"] * K,
            q.interest, abatement_cost, overhead)
        exempt = production.tax_exempt(self.born[live], self.age[live], gov.value("tax_holiday"))
        tax = production.income_tax(profit, exempt, gov.value("tax_rate"))
        gov.collect(float(tax.sum()))
        # fines are paid out of profit after tax (not deductible) to the government: a transfer
        # inside the cluster, not a flow with the outside world (model.accounts)
        gov.collect(float(fines.sum()))
        profit -= tax + fines
        # invest toward the target capital, financed by cash and credit
        n_sme = max(1, int((~lead).sum()))
        limit = production.credit_limit(K, lead, p["leverage"], p["guarantee_leverage"] * gov.guarantee_fund / n_sme)
        realised = (revenue - input_cost - freight) / np.maximum(Q, 1e-12)   # net value per unit
        unit_value = self._expect(live, stage, realised, Q, profit, q.interest, K)   # agents.expectations
        K_target = production.target_capital(planning_value(self, live, unit_value, Q), Q, p["capital_share"],
                                             p["interest_rate"] + p["depreciation"])
        cash_flow = cash + profit + p["depreciation"] * K
        invest = production.investment(K, K_target, cash_flow, limit, p["adjustment"], p["depreciation"])
        self.workers[live], self.output[live], self.revenue[live], self.profit[live] = L, Q, revenue, profit
        self.rd[live], self.input_cost[live], self.unit_value[live], self.emissions[live] = (
            rd, input_cost, unit_value, emitted)
        self.tie_purchases[live] = trade["tie_cost"]
        self.capital[live] = np.maximum(K * (1 - p["depreciation"]) + invest, p["min_capital"])
        self.cash[live] = cash_flow - invest
        self.loss_streak[live] = np.where(profit < 0, self.loss_streak[live] + 1, 0)
        self.age[live] += 1
        q.rows, q.rd_share, q.credit_limit = live, rd_share, limit
        self._account(q, live, L * wage, rent_bill - park_paid, revenue, input_cost, freight, rd,
                      abatement_cost, tax, invest, trade, overhead)
        gov.record_bases(rd=float(rd.sum() * (1 - s_rd)), park_rent=float((rent_bill * in_park).sum()))
        m.network.update_trust(p["trust_growth"] * (1 + gov.association), p["idle_trust_decay"],
                                 p["tie_lapse_trust"])

    def _account(self, q: Quarter, live, wages, rent, revenue, input_cost, freight, rd, abatement, tax,
                 invest, trade, overhead) -> None:
        """Book the quarter's money flows with the rest of the world and its production accounts
        (model.accounts): arrays over the live rows, model currency (overhead: fixed cost and
        relationship-specific investments; interest: q.interest)."""
        firm = self.kind[live] == KIND_FIRM
        q.production_accounts = accounts.production_accounts(
            revenue, input_cost + freight + abatement + overhead, wages, tax, firm)
        q.book(final_sales=revenue[firm].sum(), intermediate_exports=trade["exports"],
               imports=(trade["imported"] * trade["parity"]).sum(), wages=wages.sum(), rent=rent.sum(),
               freight=trade["freight"].sum() + freight.sum(), rd=rd.sum(),
               interest=q.interest.sum(), abatement=abatement.sum(),
               overhead=overhead.sum(), investment=invest.sum())

    def _invest_in_ties(self, live, Q, quasi_rent):
        """Relationship-specific investments of this quarter (model.product_match.invest_in_ties):
        what each live row spends, paid as overhead. quasi_rent: this quarter's margin of revenue
        over avoidable costs per live row (the quasi-rent a unit of extra sales earns)."""
        m, p = self.model, self.model.params
        if p["specific_input_share"] == 0.0:
            return np.zeros(len(live))
        cap, S = self.capacity, p["n_stages"]
        stage = self.stage.astype(np.int64)
        need, margin = np.zeros(cap), np.zeros(cap)
        need[live] = np.where(stage[live] >= 1, Q, 0.0)
        margin[live] = quasi_rent
        price = m.stage_price[np.minimum(stage, S - 1)]
        overhead = p["fixed_cost"] * m.stage_scale[stage]
        spend = product_match.invest_in_ties(m.network, need, margin, price, self.knowledge, overhead, p,
                                             m.government.association, cap)
        return spend[live]

    def _regulate(self, Q, stage, in_park):
        """(emitted, abatement cost, fines) per live row: each firm's cheapest response to the standard, the
        inspection probability the enforcement money buys and the fine (model.environment); fines drawn for the inspected."""
        m, p, gov = self.model, self.model.params, self.model.government
        standard = gov.effective("environmental_regulation")
        inspections = gov.pay("environmental_enforcement", gov.granted["environmental_enforcement"]) / p["inspection_cost"]
        raw = environment.raw_emissions(Q, stage, p)
        prob = environment.inspection_probability(inspections, raw)
        share, cost, _ = environment.abatement_choice(raw, standard, prob, p["emission_fine"], p["abatement_cost"],
                                                      p["abatement_fixed_cost"], p["park_treatment"] * in_park)
        inspected = m.rng.random(len(raw)) < prob
        m.compliance = environment.compliance_rate(raw, share, standard)
        m.enforcement = (inspections, float(raw.sum()), standard)   # what site choice expects (site_compliance_cost)
        return raw * (1.0 - share), cost, p["emission_fine"] * (standard - share) * raw * inspected

    # --- knowledge -------------------------------------------------------------------------
    def innovate(self, q: Quarter) -> None:
        """R&D turns into knowledge jumps and novelty (model.innovation); university links raise hazards."""
        m, p = self.model, self.model.params
        gov, live = m.government, self.live
        if len(live) == 0:
            return
        linked = np.zeros(len(live))
        n_linked = min(gov.service_clients("university_links"), len(live))
        linked[m.rng.choice(len(live), n_linked, replace=False)] = 1.0
        jump, gained, q.innovations = innovate(m.rng, q.rd_share, self.rd[live], linked, p)
        self.knowledge[live] = bounded_knowledge(self.knowledge[live], jump, m.frontier, p["radical_size"])
        ip = gov.effective("ip_protection")
        gov.pay("ip_protection", gov.granted["ip_protection"])
        self.novelty[live] = novelty(self.novelty[live], gained, p["novelty_decay"], ip)
        # product lines: profitable enterprises take lines from rivals of their stage (creative
        # destruction) at an intensity rising with the profit a line earns them (Lentz & Mortensen
        # 2008), and hire the lines' workers; lines go out of use (model.product_lines)
        stage = self.stage[live].astype(np.int64)
        changes: dict[str, np.ndarray] = {}
        lines = self.lines[live]
        intensity = product_lines.relative_intensity(self.profit[live], lines, stage, p["line_intensity_elasticity"],
                                                     p["n_stages"] + 1)
        if p["line_type_dispersion"] > 0:   # persistent innovation types (model.firm_types); new rows hold 0
            theta = self.innovation_type[live]
            self.innovation_type[live] = theta = firm_types.redraw_types(m.rng, theta, p["line_type_dispersion"],
                                                                         p["line_type_hazard"], theta == 0)
            intensity = firm_types.typed_intensity(intensity, theta)
        if p["niche_demand_sd"] > 0 or p["niche_market_growth"] > 0:   # Gibrat shocks to the demand of the
            self.niche_demand[live] = niche_demand.step(m.rng, self.niche_demand[live], p["niche_demand_sd"],  # niches,
                                                        growth(p["niche_market_growth"], p["demand_growth"]))  # market
        floor = np.where(self.is_lead[live], 1, p["line_floor"])
        self.lines[live] = product_lines.update_lines(m.rng, lines, intensity, stage, p["line_birth"],
                                                      p["line_loss"], floor, changes,
                                                      p["line_variety"])
        x = self._niche_mass(live, lines, floor, stage, changes) if p["line_niche"] else None
        self.workers[live] = product_lines.follow_lines(self.workers[live], changes["held"], changes["gained"],
                                                        changes["lost"], stage, p["line_staff_share"], x)

    def _niche_mass(self, live, lines, floor, stage, changes) -> np.ndarray:
        """Plant-equivalents after the turnover when a taken line keeps its niche's size
        (model.product_lines.niche_mass); lines gone out of use take their share of the capturable
        mass. Returns the share of its mass each enterprise lost to rivals."""
        mass, L = self.line_mass[live], self.workers[live]
        plant = np.maximum(self.plant_optimum[live], L / np.maximum(mass, 1e-12))
        new, x = product_lines.niche_mass(mass, lines, floor, L, plant, changes["gained"], changes["lost"], stage)
        held = np.maximum(np.rint(lines) + changes["gained"] - changes["lost"], 1)   # before obsolescence
        kept = np.where(held > floor, np.maximum(self.lines[live] - floor, 0) / np.maximum(held - floor, 1), 1.0)
        self.line_mass[live] = np.minimum(new, floor) + np.maximum(new - floor, 0) * kept
        return x

    def learn(self, q: Quarter) -> None:
        """Knowledge spillover through space (less IP leakage), along ties and from the
        technology centre (model.spillover)."""
        m, p, f = self.model, self.model.params, self.model.fields
        gov, live = m.government, self.live
        if len(live) == 0:
            return
        x, y = self.x[live], self.y[live]
        k = self.knowledge[live]
        leakage = spillover.leakage(gov.effective("ip_protection"), p["ip_leak_cut"])
        d_opt = p["optimal_cognitive_distance"]
        gain = spillover.spatial_learning(k, at(f["pool"], x, y), at(f["contact"], x, y), p["spillover"], leakage, d_opt)
        net = m.network
        gain += spillover.network_learning(self.knowledge, net.src, net.dst, net.trust,
                                           p["network_spillover"], self.capacity, d_opt)[live]
        clients = m.rng.choice(len(live), min(gov.service_clients("tech_centre"), len(live)), replace=False)
        gain[clients] += spillover.service_learning(k[clients], m.frontier, p["service_learning"], d_opt)
        # outside technology: imported inputs (stage 0's raw input always), outside buyers, lead firms' ties
        need, stage = self.total_input[live], self.stage[live]
        imported = np.where(stage == 0, 1.0, np.where(need > 0, 1.0 - self.local_input[live] / np.maximum(need, 1e-12), 0.0))
        exported = self.exported[live] / np.maximum(self.revenue[live], 1e-12)
        exposure = spillover.outside_exposure(imported, exported, self.is_lead[live])
        gain += spillover.frontier_learning(k, m.frontier, exposure, p["outside_learning"], d_opt)
        self.knowledge[live] = k + gain
