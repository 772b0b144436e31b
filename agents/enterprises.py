"""The enterprises as one agent set: their state columns and the vectorised rules that change them.

`Enterprises` is the column store (`agents.population.Population`: one row per firm or supplier)
together with every quarterly rule that all enterprises follow at once, in the style of
mesa-frames' DataFrame-backed agent sets; `agents.Firm` and `agents.Supplier` stay thin Mesa
cell agents over one row each (identity, cell, moves). The rules gather arrays, call the
mechanism's array functions in `model/` (their equations and sources are documented there) and
write the columns back:

    produce   plan output (model.production), price and trade (model.market, model.supply_network),
              book the quarter: costs, tax, investment, credit (model.production, model.environment)
    innovate  R&D hazards and jumps (model.innovation)
    learn     spillover through space, ties and public services (model.spillover)
    exit, spin_off, enter, relocate   the life cycle (agents.life_cycle, model.demography,
              model.location_choice)

Every rule reads lever values only from the government (`model.government`).
"""

from __future__ import annotations

import numpy as np

from agents.life_cycle import LifeCycle
from agents.population import KIND_FIRM, Population
from model import environment, market, production, spillover
from model.fields import at
from model.innovation import bounded_knowledge, innovate, novelty, rd_intensity
from model.quarter import Quarter
from model.supply_network import tie_costs


class Enterprises(LifeCycle, Population):
    """Every firm and supplier of one model: columns (see agents.population.COLUMNS) and rules."""

    def __init__(self, model, capacity: int = 1024):
        super().__init__(capacity)
        self.model = model

    # --- production ------------------------------------------------------------------------
    def produce(self, q: Quarter) -> None:
        """Hire, produce, sell, trade inputs along supply ties and book the quarter (all live rows)."""
        live = self.live
        if len(live) == 0:
            return
        L, Q, unit_labour_parts = self._plan_output(live)
        revenue, input_cost, freight, bought, need = self._sell_and_trade(live, Q)
        self._book(q, live, L, Q, unit_labour_parts, revenue, input_cost, freight)
        self.local_input[live] = bought
        self.total_input[live] = need

    def _plan_output(self, live):
        """Workers moved toward L* and this quarter's output Q (model.production)."""
        m, p, f = self.model, self.model.params, self.model.fields
        gov = m.government
        x, y, stage = self.x[live], self.y[live], self.stage[live]
        in_park = at(m.grid.park.data, x, y)
        A = production.productivity(m.stage_tfp[stage], self.knowledge[live], at(f["productivity"], x, y),
                                    p["skill_premium"], gov.skill)
        wage, rent = at(f["wage"], x, y), at(f["rent"], x, y)
        park_rate = gov.effective("park_subsidy") * in_park
        unit_labour = wage + p["land_per_worker"] * rent * (1 - park_rate)
        K, L = self.capital[live], self.workers[live]
        L_target = production.target_workers(self.unit_value[live], A, K, p["labour_share"], p["capital_share"],
                                             unit_labour)
        L = production.hire(L, L_target, p["adjustment"], p["max_hiring_growth"])
        Q = production.output(A, L, K, p["labour_share"], p["capital_share"])
        return L, Q, (wage, rent, park_rate, in_park)

    def _sell_and_trade(self, live, Q):
        """Clear the final market, trade inputs along ties (imports fill the rest) and sell.

        Returns per live row: revenue, input cost, market freight, inputs bought locally, inputs needed."""
        m, p = self.model, self.model.params
        S, cap = p["n_stages"], self.capacity
        x, y, stage = self.x[live], self.y[live], self.stage[live]
        firm = self.kind[live] == KIND_FIRM
        infra = m.grid.infrastructure.data
        appeal = market.appeal(self.knowledge[live], m.quality_standard * m.frontier, p["quality_sensitivity"])
        quality = appeal * (1 + self.novelty[live])
        gov = m.government
        demand = market.demand_level(m.base_demand, m.steps, m.demand_shift, gov.brand_capital,
                                     gov.market_capacity, p)
        m.price = market.clearing_price(demand, float((Q * quality)[firm].sum()), p["demand_elasticity"],
                                        p["price_ceiling"])
        # the chain (intermediates, their imports) is priced per physical unit of the final good
        m.chain_price = P = market.chain_price(m.price, Q[firm], appeal[firm])
        need = np.zeros(cap)
        need[live] = np.where(stage >= 1, Q, 0.0)
        supply = np.zeros(cap)
        supply[live] = np.where(firm, 0.0, Q)
        bought, local_cost, sold = m.network.trade(need, supply, tie_costs(m.network, self, infra, p, P), cap)
        bought, local_cost, sold = bought[live], local_cost[live], sold[live]
        imports = need[live] - bought
        in_price = market.input_price(np.maximum(stage - 1, 0), S, P) * (stage >= 1)
        input_cost = local_cost + imports * in_price * (1 + p["import_markup"])
        own_price = market.input_price(np.minimum(stage, S - 1), S, P)
        revenue = market.sales(firm, m.price, Q, quality, own_price, sold, p["outside_sale_discount"])
        freight = market.market_freight(firm, x, y, m.market, at(infra, x, y), Q, p["market_transport_cost"])
        return revenue, input_cost, freight, bought, need[live]

    def _book(self, q: Quarter, live, L, Q, unit_labour_parts, revenue, input_cost, freight) -> None:
        """Costs, subsidies, tax, investment and credit; write the quarter's columns."""
        m, p = self.model, self.model.params
        gov = m.government
        wage, rent, park_rate, in_park = unit_labour_parts
        stage, lead, K, cash = self.stage[live], self.is_lead[live], self.capital[live], self.cash[live]
        # R&D, with the subsidy refund paid pro rata to what the budget allows
        s_rd = gov.effective("rd_subsidy")
        rd_share = rd_intensity(lead, p["rd_share"], p["lead_rd_share"], s_rd)
        rd = rd_share * revenue
        refund = rd * s_rd * gov.pay_pro_rata("rd_subsidy", s_rd * rd.sum())
        rent_bill = p["land_per_worker"] * rent * L
        park_paid = rent_bill * park_rate * gov.pay_pro_rata("park_subsidy", (rent_bill * park_rate).sum())
        regulation = gov.effective("environmental_regulation")
        gov.pay("environmental_regulation", gov.granted["environmental_regulation"])
        emitted, abatement_cost = environment.abatement(environment.raw_emissions(Q, stage, p), regulation,
                                                        in_park, p)
        profit = production.profit_before_tax(
            revenue, L * wage, rent_bill - park_paid, input_cost, freight, rd - refund, p["depreciation"] * K,
            p["interest_rate"] * np.maximum(-cash, 0.0), abatement_cost, p["fixed_cost"] * m.stage_scale[stage])
        exempt = production.tax_exempt(self.born[live], self.age[live], gov.value("tax_holiday"))
        tax = production.income_tax(profit, exempt, gov.value("tax_rate"))
        gov.collect(float(tax.sum()))
        profit -= tax
        # invest toward the target capital, financed by cash and credit
        n_sme = max(1, int((~lead).sum()))
        limit = production.credit_limit(K, lead, p["leverage"], p["guarantee_leverage"] * gov.guarantee_fund / n_sme)
        unit_value = (revenue - input_cost - freight) / np.maximum(Q, 1e-12)
        K_target = production.target_capital(unit_value, Q, p["capital_share"], p["interest_rate"] + p["depreciation"])
        cash_flow = cash + profit + p["depreciation"] * K
        invest = production.investment(K, K_target, cash_flow, limit, p["adjustment"], p["depreciation"])
        self.workers[live], self.output[live], self.revenue[live], self.profit[live] = L, Q, revenue, profit
        self.rd[live], self.input_cost[live], self.unit_value[live], self.emissions[live] = (
            rd, input_cost, unit_value, emitted)
        self.capital[live] = np.maximum(K * (1 - p["depreciation"]) + invest, 0.1)
        self.cash[live] = cash_flow - invest
        self.loss_streak[live] = np.where(profit < 0, self.loss_streak[live] + 1, 0)
        self.age[live] += 1
        q.rows, q.rd_share, q.credit_limit = live, rd_share, limit
        gov.record_bases(rd=float(rd.sum() * (1 - s_rd)), park_rent=float((rent_bill * in_park).sum()))
        m.network.update_trust(p["trust_growth"] * (1 + gov.association))

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
        gain = spillover.spatial_learning(k, at(f["pool"], x, y), at(f["contact"], x, y), p["spillover"], leakage)
        net = m.network
        gain += spillover.network_learning(self.knowledge, net.src, net.dst, net.trust,
                                           p["network_spillover"], self.capacity)[live]
        clients = m.rng.choice(len(live), min(gov.service_clients("tech_centre"), len(live)), replace=False)
        gain[clients] += spillover.service_learning(k[clients], m.frontier, p["service_learning"])
        self.knowledge[live] = k + gain
