"""The enterprises' life cycle: founding, relocation, exit, spin-offs and entry (a mixin of
`agents.enterprises.Enterprises`).

The equations — entrants expected, stage choice, spin-off hazard, exit rule — are in
`model.demography`; site choice in `model.location_choice`. Each new enterprise is a Mesa cell
agent (`agents.Firm` at the final stage, else `agents.Supplier`) over a new row.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from agents.enterprise import Firm, Supplier
from agents.founding import founders_staff, founding_staff
from agents.population import KIND_FIRM, ORIGINS
from agents.prospects import Group, Prospects
from model import demography, entry_decision, environment, intermediate_market, product_lines, production, transport
from model.fields import at
from model.location_choice import candidate_sites, choose, site_scores, spot_share_of_local_trade
from model.quarter import Quarter


class LifeCycle(Prospects):
    """Life-cycle rules over the columns of `Enterprises` (needs `self.model` and the columns)."""

    # --- founding and site choice ------------------------------------------------------------
    def found_all(self, stage, x, y, knowledge, workers, capital, cash, is_lead, unit_value, subsidy=0.0,
                  lines=1.0, origin="local") -> None:
        """New Firms (final stage) or Suppliers at cells (x, y) with `lines` product lines, one per
        element of `stage`, in order (arrays of one length, or scalars for all). `cash` includes
        `subsidy`, the part the government paid (not outside capital); `origin`: one of
        agents.population.ORIGINS (recorded for analysis). The agents are made one by one (rows and
        unique_ids in order), their columns written at once."""
        m, n = self.model, len(stage)
        if n == 0:
            return
        S, grid = m.params["n_stages"], m.grid
        rows = np.array([(Firm if s == S else Supplier)(m, grid[(cx, cy)]).row
                         for s, cx, cy in zip(np.asarray(stage).tolist(), np.asarray(x).tolist(), np.asarray(y).tolist())])
        self.stage[rows], self.is_lead[rows], self.knowledge[rows] = stage, is_lead, knowledge
        self.workers[rows], self.capital[rows], self.cash[rows] = workers, capital, cash
        self.unit_value[rows] = self.value_expectation[rows] = unit_value
        self.lines[rows] = self.line_mass[rows] = lines
        self.origin[rows] = [ORIGINS.index(o) for o in np.broadcast_to(origin, n).tolist()]
        # the founders' capital comes from outside (model.accounts); a subsidy from the government;
        # booked founder by founder (the same sum as one booking each)
        total = m.quarter.flows.get("founders_capital", 0.0)
        for value in np.broadcast_to(np.asarray(cash, float) - subsidy, n).tolist():
            total += value
        m.quarter.flows["founders_capital"] = total

    def typical_unit_values(self) -> list[float]:
        """Net value per unit of output a founder of each stage expects: the median of that
        stage's producing enterprises, or, where none produces yet, what prices imply (own price
        less the input at its local price; stage 0: its raw input at import parity). Computed
        once per batch of founders."""
        m, S = self.model, self.model.params["n_stages"]
        producing = self.live[self.output[self.live] > 0]
        stage, value = self.stage[producing], self.unit_value[producing]
        out = []
        for s in range(S + 1):
            if (stage == s).any():
                out.append(float(np.median(value[stage == s])))
                continue
            p = m.params
            price = m.price if s == S else float(m.stage_price[s])
            # final goods pay the long haul to outside buyers at the base infrastructure (model.transport)
            freight = float(transport.long_haul_share(p["long_haul_freight"], p["base_infrastructure"],
                                                      p["infrastructure_freight_saving"])) * price * (s == S)
            out.append(price - (float(m.stage_price[s - 1]) if s >= 1 else float(m.parity[0])) - freight)
        return out

    def site_for(self, stage, is_final, need, out, near_x=None, near_y=None, radius=0, share_near=None):
        """Chosen (x, y) arrays for n choosers described by stage/kind/input need/output arrays;
        a share `share_near` (default `near_site_share`) of the candidates within `radius` of near_x, near_y."""
        m, p, n = self.model, self.model.params, len(stage)
        share_near = p["near_site_share"] if share_near is None else share_near
        W, H = m.shape
        if p["location_choice"] == "random":
            return m.rng.integers(0, W, n), m.rng.integers(0, H, n)
        cx, cy = candidate_sites(m.rng, n, p["location_candidates"], W, H, near_x, near_y, radius, share_near)
        u = site_scores(m.fields, p, m.market, m.price, stage, is_final, need, out, cx, cy, *self.gateway_trade(),
                        compliance=self.site_compliance_cost(stage, out, cx, cy))
        pick = choose(m.rng, u, p["choice_noise"])
        return cx[np.arange(n), pick], cy[np.arange(n), pick]

    def gateway_trade(self):
        """(σ, p) for model.location_choice.gateway_freight with `site_gateway_freight` (else (None, None)):
        σ_g the spot market's share of last quarter's local trade in each good (`spot_share_of_local_trade`,
        from the spot market's gaps and the stages' output) and p_g the ex-works prices, (n_stages,) each."""
        m, p = self.model, self.model.params
        if not p["site_gateway_freight"]:
            return None, None
        S, live = p["n_stages"], self.live
        stage = self.stage[live].astype(np.int64)
        sells = stage < S
        output = np.bincount(stage[sells], self.output[live][sells], S)
        unsold, unmet = m.spot_gaps
        spot = intermediate_market.spot_match(unsold, unmet, p["spot_matching"])
        return spot_share_of_local_trade(output, unsold, spot), m.stage_price

    def site_compliance_cost(self, stage, out, cx, cy):
        """(n, m) expected compliance cost per unit of revenue at the candidates with `site_compliance_cost`
        (model.environment.site_compliance_share: this quarter's enforcement, the chooser's raw emissions at
        output `out` and its good's price, a park's shared treatment), else None. Every emitter reads it;
        it matters where emissions are large (the dirty stage)."""
        m, p = self.model, self.model.params
        if not p["site_compliance_cost"]:
            return None
        S = p["n_stages"]
        price = np.where(stage == S, m.price, m.stage_price[np.minimum(stage, S - 1)])
        park = at(m.grid.park.data, cx, cy)
        return environment.site_compliance_share(environment.raw_emissions(out, stage, p), out, price,
                                                 m.enforcement, p, park)

    def relocate(self, q: Quarter) -> None:
        """A share `relocation_rate` reconsiders its site; it moves if the best candidate beats
        its own by more than `relocation_threshold` log points (the moving cost)."""
        m, p = self.model, self.model.params
        if p["location_choice"] == "random" or p["relocation_rate"] == 0:
            return
        live = self.live
        movers = live[m.rng.random(len(live)) < p["relocation_rate"]]
        if len(movers) == 0:
            return
        W, H = m.shape
        cx, cy = candidate_sites(m.rng, len(movers), p["location_candidates"] + 1, W, H, self.x[movers],
                                 self.y[movers], int(round(p["relocation_radius"] * p["kernel_radius"])),
                                 p["near_site_share"])
        cx[:, 0], cy[:, 0] = self.x[movers], self.y[movers]
        out = self.output[movers]
        stage = self.stage[movers].astype(np.int64)
        u = site_scores(m.fields, p, m.market, m.price, stage, self.kind[movers] == KIND_FIRM,
                        out * (stage >= 1), out, cx, cy, *self.gateway_trade(),
                        compliance=self.site_compliance_cost(stage, out, cx, cy))
        if p["choice_noise"] > 0:
            u = u + m.rng.gumbel(0.0, p["choice_noise"], u.shape)
        best = np.argmax(u, axis=1)
        gain = u[np.arange(len(movers)), best] - u[:, 0]
        go = np.flatnonzero((best != 0) & (gain > p["relocation_threshold"]))
        rows, gx, gy = movers[go], cx[go, best[go]], cy[go, best[go]]
        for row, x, y in zip(rows.tolist(), gx.tolist(), gy.tolist()):
            self.agent[row].cell = m.grid[(x, y)]   # Enterprise.move_to, its position written below at once
        self.x[rows], self.y[rows] = gx, gy

    # --- exit and births ----------------------------------------------------------------------
    def exit(self, q: Quarter) -> None:
        """Enterprises that meet `model.demography.exiting_on_value` (or, with `going_concern_exit`
        = 0, the former `exiting`) or have no product line left cut their ties and leave; the
        guarantee fund covers SMEs' defaulted debt above the unguaranteed limit."""
        m, p = self.model, self.model.params
        live = self.live
        q.at_risk = len(live)   # no enterprise has entered yet this quarter
        if len(live) == 0:
            return
        limit = q.credit_limit if q.credit_limit is not None else p["leverage"] * self.capital[live]
        # a lead firm's parent group carries its losses (not its expansion) up to `lead_group_credit` × capital
        limit = limit + self.is_lead[live] * p["lead_group_credit"] * self.capital[live]
        # suppliers along ties wait for pay on this quarter's purchases (model.production.trade_credit)
        limit = limit + production.trade_credit(self.tie_purchases[live], p["trade_credit_days"])
        # no going concern (or, under the former rule, insolvency or sustained losses), or no
        # product line left (model.product_lines)
        if p["going_concern_exit"]:
            # the hazard is a smoothed share of exits a quarter (≤ 1 but for rounding in tiny populations)
            gone = demography.exiting_on_value(m.rng.random(len(live)), self.cash[live], limit,
                                               self.expected_profit[live], self.capital[live],
                                               p["scrap_value_share"], p["interest_rate"], min(m.exit_rate, 1.0),
                                               self.is_lead[live] & (p["lead_group_credit"] > 0))
        else:
            gone = demography.exiting(self.loss_streak[live], self.cash[live], limit, p["exit_patience"],
                                      self.expected_profit[live], self.capital[live])
            if p["owner_exit"]:   # owners close solvent plants worth less than scrapped (model.demography)
                # add back the interest charged this quarter, on the debt it began with (q.rows = live)
                before_interest = self.expected_profit[live] + q.interest
                gone |= demography.owner_closing(self.loss_streak[live], p["exit_patience"], self.workers[live],
                                                 p["plant_scale"], before_interest, self.capital[live],
                                                 p["scrap_value_share"], p["interest_rate"]) & ~(
                    self.is_lead[live] & (p["lead_group_credit"] > 0))
        out = live[gone | (self.lines[live] < 1)]
        self.leave(out, q)

    def leave(self, out, q: Quarter) -> None:
        """Rows `out` leave: the owners take the cash (a debt they leave is covered by the guarantee
        fund above the unguaranteed limit), ties are cut, the agents removed; counted in q.exits."""
        m, p = self.model, self.model.params
        if len(out) == 0:
            return
        debt = demography.covered_defaults(self.cash[out], self.capital[out], self.is_lead[out], p["leverage"],
                                           production.trade_credit(self.tie_purchases[out], p["trade_credit_days"]))
        paid = m.government.cover_defaults(float(debt.sum()))
        # the owners take the cash with them; a debt they leave is a negative withdrawal (model.accounts)
        q.book(exit_withdrawal=self.cash[out].sum(), guarantee_payouts=paid)
        q.line_exits += int(np.sum(self.lines[out] < 1))
        m.network.drop_rows(out)
        rows = out.tolist()
        agents = [self.agent[row] for row in rows]
        self.release_rows(rows)   # Enterprise.leave, the rows freed at once
        for agent in agents:
            agent.vacate()
        q.exits += len(out)

    def spin_off(self, q: Quarter) -> None:
        """Profitable enterprises spawn spin-offs near them (model.demography.spinoff_parents)."""
        m, p = self.model, self.model.params
        live = self.live
        if len(live) == 0 or p["spinoff_rate"] == 0:
            return
        plant = m.stage_scale[self.stage[live].astype(np.int64)]   # plant size of each stage, in SMEs
        parents = live[demography.spinoff_parents(m.rng, self.profit[live], self.workers[live], p, plant)]
        if len(parents) == 0:
            return
        stage = self.stage[parents].astype(np.int64)
        out = self.output[parents]
        sx, sy = self.site_for(stage, self.kind[parents] == KIND_FIRM, out * (stage >= 1), out,
                               self.x[parents], self.y[parents], p["spinoff_radius"], share_near=1.0)
        # a spin-off founds a plant of its stage's size (stage_scale × plant_scale × an SME's founding
        # staff, capital and cash, as a local entrant of its stage: `enter`)
        z = m.stage_scale[stage]
        knowledge = p["spinoff_knowledge"] * self.knowledge[parents]
        q.typical = self.typical_unit_values()   # entry reads them too: spin-offs do not produce yet
        own = p["initial_workers"] * z if not p["founding_at_optimum"] else founding_staff(
            self, stage, knowledge, sx, sy, p["initial_capital"] * z, np.ones(len(stage)), q.typical)
        staff = np.minimum(own, p["spinoff_staff_share"] * self.workers[parents])
        self.workers[parents] -= staff
        self.found_all(stage, sx, sy, knowledge, staff, p["initial_capital"] * z, p["initial_cash"] * z, False,
                       np.asarray(q.typical)[stage], origin="spinoff")
        q.spinoffs = len(parents)
        q.births += len(parents)

    def enter(self, q: Quarter) -> None:
        """Local entrants (snowball: model.demography.expected_entrants) plus the prospects who
        decide to come (agents.prospects: outside firms, lead firms, founders with a grant)."""
        m, p = self.model, self.model.params
        live, S = self.live, p["n_stages"]
        revenue = self.revenue[live].sum()
        margin = self.profit[live].sum() / revenue if revenue > 0 else 0.0
        # the hazard's denominator: the enterprises alive when the quarter began (model.demography)
        w, prior = p["exit_rate_smoothing"], m.exit_rate
        m.exit_rate = demography.smoothed_hazard(prior, q.exits, q.at_risk, w)
        # exits a lead firm can meet: a lead keeps its last line (line floor 1), so only exits on value
        m.value_exit_rate = demography.smoothed_hazard(m.value_exit_rate, q.exits - q.line_exits, q.at_risk, w)
        if len(live):
            # founders rank the stages by margin on sales or by return on capital (entry_return_on_capital)
            base = self.capital[live] if p["entry_return_on_capital"] else self.revenue[live]
            total = base.sum()
            weights = demography.entrant_stage_weights(
                self.stage[live].astype(np.int64), self.profit[live], base, self.total_input[live],
                self.local_input[live], S, self.profit[live].sum() / total if total > 0 else 0.0, m.stage_scale)
        else:
            weights = np.full(S + 1, 1.0 / (S + 1))
        mean_k = self.knowledge[live].mean() if len(live) else m.frontier * p["initial_knowledge"]
        median_output = self.median_output()  # output does not change until the founders come
        typical = q.typical if q.typical is not None else self.typical_unit_values()
        if p["entry_on_value"]:
            stage, k, size, sx, sy = self.founders_on_value(weights, mean_k, typical, median_output)
        else:
            n = int(m.rng.poisson(demography.expected_entrants(len(live), margin, p)))
            stage = m.rng.choice(S + 1, n, p=weights)
            size = m.stage_scale[stage]
            sx, sy = self.entrant_sites(stage, size, False, median_output)
            k = entry_decision.draw_lognormal(m.rng, n, p["entrant_knowledge"] * mean_k, p["knowledge_dispersion"])
        n_local = len(stage)
        local = {"stage": stage, "knowledge": k, "size": size, "x": sx, "y": sy, "lines": np.ones(n_local),
                 "cash": np.zeros(n_local), "lead": np.zeros(n_local, bool), "origin": np.full(n_local, "local")}
        came = [local] + [self.decide(g, typical, median_output) for g in self.prospect_groups(weights, mean_k)]
        new = {key: np.concatenate([c[key] for c in came]) for key in local}
        staff = founders_staff(self, new, typical)
        hired = self.take_entrants_lines(stage, n_local, len(new["stage"]), staff[:n_local])
        taken = live[self.lines[live] < 1]   # incumbents whose last line an entrant took leave
        if len(taken):   # those at risk when the quarter began count in the hazard (this quarter's
            # prospects decided before, at the hazard without them); this quarter's spin-offs do not
            q.newborn_exits += int(np.sum(self.born[taken] == m.steps))
            self.leave(taken, q)
            m.exit_rate = demography.smoothed_hazard(prior, q.exits - q.newborn_exits, q.at_risk, w)
        s = new["stage"].astype(np.int64)
        self.found_all(s, new["x"], new["y"], new["knowledge"], staff + hired,
                       p["initial_capital"] * new["size"], p["initial_cash"] * new["size"] + new["cash"],
                       new["lead"].astype(bool), np.asarray(typical)[s], subsidy=new["cash"], lines=new["lines"],
                       origin=new["origin"])
        q.births += len(new["stage"])

    def founders_on_value(self, weights, mean_k, typical, median_output):
        """Local founders under entry on expected value (`entry_on_value` = 1): Poisson(e0 + c · n)
        would-be founders (model.demography.would_be_founders) draw their stage from `weights`
        and their outside option (`outside_option`, lognormal), choose a site, and found iff
        (1 − ω) E[max(π, 0)] / (r + h) ≥ C (model.entry_decision.net_gain): a founder learns its
        knowledge only once it produces (Jovanovic 1982; Hopenhayn 1992), so it values the plant
        over the entrants' knowledge distribution (`entrant_knowledge` × `mean_k`, lognormal,
        `knowledge_nodes`) and then draws its own from it. Returns (stage, knowledge, plant
        size, x, y) of those who found (arrays)."""
        m, p, rng = self.model, self.model.params, self.model.rng
        n = int(rng.poisson(demography.would_be_founders(len(self.live), p)))
        stage = rng.choice(p["n_stages"] + 1, n, p=weights)
        median_k = p["entrant_knowledge"] * mean_k   # the local entrants' knowledge: lognormal around it
        k = entry_decision.draw_lognormal(rng, n, median_k, p["knowledge_dispersion"])
        option = entry_decision.draw_lognormal(rng, n, p["outside_option"], p["outside_option_dispersion"])
        plant = m.stage_scale[stage]
        sx, sy = self.entrant_sites(stage, plant, False, median_output)
        g = Group("entrepreneurship", 0.0, stage, np.ones(n), k, option, False, False, True)
        expected = np.zeros(n)
        for mult, w in zip(*entry_decision.knowledge_nodes(p["knowledge_dispersion"])):
            node = dataclasses.replace(g, knowledge=np.full(n, median_k * mult))
            expected += w * np.maximum(self.plant_profit(node, typical, sx, sy), 0.0)
        gain = entry_decision.net_gain(expected, option, p["entry_cost"] * plant, p["interest_rate"], self.hazard(g))
        go = gain >= 0
        return stage[go], k[go], plant[go], sx[go], sy[go]

    def take_entrants_lines(self, stage, n_local: int, n_new: int, staff=None) -> np.ndarray:
        """A share `entrant_takeover` of the local entrants enter by taking a line from an incumbent
        of their stage (model.product_lines.entrants_take_lines); the incumbents hand over the
        line and a share s = `line_staff_share` of its workers, which replace the same share of
        the entrant's founding staff. Returns the change in each new enterprise's founding staff."""
        m, p, live = self.model, self.model.params, self.live
        hired = np.zeros(n_new)
        if p["entrant_takeover"] == 0 or n_local == 0 or len(live) == 0:
            return hired
        innovators = np.flatnonzero(m.rng.random(n_local) < p["entrant_takeover"])
        if len(innovators) == 0:
            return hired
        floor = np.where(self.is_lead[live], 1, p["line_floor"])
        lost, released, took_workers, took = product_lines.entrants_take_lines(
            m.rng, self.lines[live], floor, self.stage[live].astype(np.int64), self.workers[live],
            np.asarray(stage)[innovators].astype(np.int64), p["line_staff_share"])
        n, mass = np.maximum(np.rint(self.lines[live]), 1), self.line_mass[live]
        self.line_mass[live] = mass - lost * np.divide(np.maximum(mass - floor, 0), n - floor,
                                                       out=np.zeros(len(live)), where=n > floor)
        self.lines[live] -= lost
        self.workers[live] -= released
        # an entrant that took a line hires its workers in place of share s of its own founding staff
        own = p["line_staff_share"] * p["initial_workers"] * m.stage_scale[np.asarray(stage)[innovators]] \
            if not p["founding_at_optimum"] else p["line_staff_share"] * np.asarray(staff)[innovators]
        hired[innovators] = took_workers - np.where(took, own, 0.0)
        return hired

    # --- the initial population ----------------------------------------------------------------
    def place_initial(self) -> None:
        """The initial lead firms, final firms and suppliers (by `stage_shares`), uniform or
        around the centre (`initial_spread`), lead firms at the parks' centres.

        Raises ValueError if `stage_shares` does not list n_stages non-negative weights."""
        m, p, rng = self.model, self.model.params, self.model.rng
        S, (W, H) = p["n_stages"], m.shape
        shares = np.asarray(p["stage_shares"] or [1.0] * S, float)
        if len(shares) != S or (shares < 0).any() or shares.sum() <= 0:
            raise ValueError(f"stage_shares must list {S} non-negative weights (one per stage), got {p['stage_shares']}")
        if p["stage_shares"]:  # explicit shares are apportioned exactly (a 5-firm stage is not drawn away)
            sup_stage = np.repeat(np.arange(S), demography.apportion(p["n_suppliers"], shares))
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
        draw, sd = rng.lognormal(0, p["knowledge_dispersion"], n), p["knowledge_dispersion"]
        z = np.log(draw) / sd if sd > 0 else np.zeros(n)   # a lead firm's draw at its own dispersion
        knowledge = np.where(lead, p["lead_knowledge"] * np.exp(p["lead_knowledge_dispersion"] * z),
                             p["initial_knowledge"] * draw)
        size = np.where(lead, p["lead_size"], m.stage_scale[stage]) * rng.lognormal(0, p["initial_size_dispersion"], n)
        for i in range(n):
            cls = Firm if stage[i] == S else Supplier
            cls(m, m.grid[(int(xs[i]), int(ys[i]))], stage=int(stage[i]), knowledge=float(knowledge[i]),
                workers=float(p["initial_workers"] * size[i]), capital=float(p["initial_capital"] * size[i]),
                cash=float(p["initial_cash"] * size[i]), is_lead=bool(lead[i]))

    def start_at_optimal_size(self) -> None:
        """Initial unit values from prices, then workers and capital at the profit-maximising
        size (model.production.optimal_size) given knowledge, site and prices: the run does not
        open with an artificial shake-out."""
        m, p, f = self.model, self.model.params, self.model.fields
        live = self.live
        self.unit_value[live] = np.asarray(self.typical_unit_values())[self.stage[live]]
        x, y, stage = self.x[live], self.y[live], self.stage[live]
        A = m.stage_tfp[stage] * self.knowledge[live] * f["productivity"][x, y]
        unit_labour = f["wage"][x, y] + p["land_per_worker"] * f["rent"][x, y]
        L, K = production.optimal_size(self.unit_value[live], A, unit_labour,
                                       p["interest_rate"] + p["depreciation"], p["labour_share"],
                                       p["capital_share"])
        self.workers[live] = np.maximum(L, self.crew(stage))   # a plant's crew (production.hire)
        self.capital[live] = np.maximum(K, p["min_capital"])
