"""Who comes to the cluster from outside or with a grant (a mixin of `agents.enterprises.Enterprises`).

Each quarter outside SMEs, outside lead firms and local would-be founders consider the cluster.
Outside prospects are drawn from the outside distribution, local founders from the cluster's
own; each values a plant of its size and knowledge at the site it would choose against its
outside option and the sunk entry cost, and the programmes (`investment_attraction`,
`entrepreneurship`) pay the marginal ones exactly what they need, cheapest first, from the
money they have. Part of the attraction money (`promotion_share`) goes on investment
generation: it brings more outside prospects to consider the cluster, who then decide like the
others. The equations are in `model.entry_decision`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.population import RowRules
from model import entry_decision, intermediate_market, market, product_lines, transport
from model.fields import at


@dataclass
class Group:
    """Prospects of one kind: the lever that may pay them and their drawn characteristics."""

    lever: str
    fund_share: float
    stage: np.ndarray
    size: np.ndarray        # × the stage's plant size (= product lines they bring)
    knowledge: np.ndarray
    option: np.ndarray      # outside option, × their value in the cluster
    to_park: bool
    lead: bool
    on_their_own: bool      # False: those who would come anyway are among the ordinary entrants
    founders: bool = False  # local founders: finance the start-up outlay from wealth and a bank (liquidity)

    @property
    def origin(self) -> str:
        """The `origin` its members get (agents.population.ORIGINS)."""
        return "founder" if self.founders else ("lead" if self.lead else "outside")

    @property
    def lines(self) -> np.ndarray:
        """Product lines an SME prospect brings (its size); a lead firm's size is in its knowledge and
        plant (`lead_size`), as for the initial lead firms, so it starts with one line."""
        return np.ones(len(self.size)) if self.lead else np.maximum(np.rint(self.size), 1.0)


class Prospects(RowRules):
    """Prospect rules over the columns of `Enterprises` (needs `self.model`, `site_for`, `typical_unit_values`)."""

    def prospect_groups(self, weights, mean_k) -> list[Group]:
        """This quarter's outside SMEs, outside lead firms and local would-be founders."""
        m, p, rng = self.model, self.model.params, self.model.rng
        S, F = p["n_stages"], m.frontier
        lead_share = m.government.value("recruit_lead_share")
        contacts_out, contacts_lead = self.promotion_contacts(weights, lead_share)
        n_out, n_lead, n_cand = (int(rng.poisson(mean)) for mean in (
            p["outside_prospects"] + contacts_out, p["lead_prospects"] + contacts_lead, p["founder_candidates"]))
        opt = (p["outside_option"], p["outside_option_dispersion"])
        size, k, option = entry_decision.draw_prospects(rng, n_out, F, p["outside_size"], p["outside_size_dispersion"],
                                                        p["outside_knowledge"], p["knowledge_dispersion"], *opt)
        groups = [Group("investment_attraction", 1 - lead_share, rng.choice(S + 1, n_out, p=weights), size, k, option,
                        True, False, True)]
        size, k, option = entry_decision.draw_prospects(rng, n_lead, F, p["lead_size"], 0.0, p["lead_knowledge"],
                                                        p["knowledge_dispersion"], *opt)
        groups.append(Group("investment_attraction", lead_share, np.full(n_lead, S), size, k, option, True, True, True))
        size, k, option = entry_decision.draw_prospects(rng, n_cand, p["entrant_knowledge"] * mean_k, 1.0, 0.0, 1.0,
                                                        p["knowledge_dispersion"], *opt)
        groups.append(Group("entrepreneurship", 1.0, rng.choice(S + 1, n_cand, p=weights), size, k, option,
                            False, False, False, founders=True))
        return groups

    def promotion_contacts(self, weights, lead_share: float) -> tuple[float, float]:
        """Expected extra outside SMEs and lead firms who consider the cluster because the
        investment-attraction programme spent its `promotion_share` of this quarter's
        appropriation on investment generation (contacts, visits, fairs); the money is paid
        whether or not anyone comes (model.entry_decision.promotion_contacts)."""
        m, p = self.model, self.model.params
        gov = m.government
        budget = p["promotion_share"] * min(gov.value("investment_attraction"), gov.granted["investment_attraction"])
        if budget <= 0:
            return 0.0, 0.0
        spent = gov.pay("investment_attraction", budget)
        gov.promotion += spent   # paid outside the cluster's sectors (model.accounts)
        S = p["n_stages"]
        sme_plant = p["outside_size"] * float(np.dot(weights, m.stage_scale))
        return (entry_decision.promotion_contacts(spent * (1 - lead_share), p["entry_cost"] * sme_plant,
                                                  p["contact_cost_share"]),
                entry_decision.promotion_contacts(spent * lead_share, p["entry_cost"] * p["lead_size"] * m.stage_scale[S],
                                                  p["contact_cost_share"]))

    def decide(self, g: Group, typical, median_output=None) -> dict:
        """The prospects of group `g` that come (arrays) and the subsidies the lever pays them
        (`median_output`: see `entrant_sites`)."""
        m, p = self.model, self.model.params
        gov = m.government
        plant, sx, sy, gain, cost = self.plant_gain(g, typical, median_output)
        fund = (gov.granted[g.lever] - gov.spending_by_lever[g.lever]) * g.fund_share
        lowered, short = self.founders_finance(g, plant, fund) if g.founders else (cost, 0.0)
        comes, paid = entry_decision.subsidised_entry(gain, lowered, p["max_subsidy_share"], fund, short)
        if not g.on_their_own:   # those who need nothing are among the ordinary entrants
            comes &= paid > 0
        gov.pay(g.lever, float(paid.sum()))
        return {"stage": g.stage[comes], "knowledge": g.knowledge[comes], "size": plant[comes], "x": sx[comes],
                "y": sy[comes], "lines": g.lines[comes], "cash": paid[comes], "lead": np.full(int(comes.sum()), g.lead),
                "origin": np.full(int(comes.sum()), g.origin)}

    def plant_gain(self, g: Group, typical, median_output=None):
        """(plant × SME, site x, site y, net gain, sunk entry cost C) of the prospects of group `g`
        (arrays over them): each values a plant of its stage, size and knowledge at the site it
        would choose (`entrant_sites`) with model.entry_decision.operating_profit and net_gain,
        at the stage's `typical` net value per unit and the exit hazard the cluster shows."""
        p = self.model.params
        plant = self.model.stage_scale[g.stage] * g.size
        sx, sy = self.entrant_sites(g.stage, plant, g.to_park, median_output)
        cost = p["entry_cost"] * plant
        profit = self.plant_profit(g, typical, sx, sy, median_output)
        return plant, sx, sy, entry_decision.net_gain(profit, g.option, cost, p["interest_rate"], self.hazard(g)), cost

    def hazard(self, g: Group) -> float:
        """Exit hazard a quarter the prospects of `g` expect (model.entry_decision.net_gain): the
        cluster's smoothed exit rate; for lead firms without the exits of enterprises whose last
        product line an innovator took, an exit a lead cannot meet (it keeps its last line:
        model.product_lines, floor 1), so they expect only the exits on value."""
        m = self.model
        return m.value_exit_rate if g.lead else m.exit_rate

    def arrival_values(self, g: Group, typical, sx, sy, out):
        """Net value per unit (array over the final-stage prospects of `g`) each would earn at its site
        (sx, sy) on arrival, before it has supply ties, at an output of `out` units: the final firms'
        median value `typical[S]` less what it pays for inputs and freight beyond their median
        (model.entry_decision.arrival_unit_value, newcomer_unit_cost, spot_fill). A lead prospect
        has no peer among the final firms, whose value includes their ties and sites."""
        m, p = self.model, self.model.params
        infra, S = at(m.grid.infrastructure.data, sx, sy), p["n_stages"]
        saving, d = p["infrastructure_freight_saving"], transport.cell_distance(sx - m.market[0], sy - m.market[1])
        theta = transport.long_haul_share(p["long_haul_freight"], infra, saving)
        parity = intermediate_market.import_parity(m.outside_price[S], p["import_markup"], theta)
        leg = transport.local_freight_rate(p["transport_cost"], infra, saving) * d   # the spot leg via the gateway
        # with `spot_arbitrage` it bids on the spot market only where that beats importing (intermediate_market.spot_sides)
        bids = (intermediate_market.buyer_bids(m.stage_price[S - 1], leg, parity) if p["spot_arbitrage"]
                else np.ones(len(leg), bool))
        unsold, unmet = m.spot_gaps
        fill = np.where(bids, entry_decision.spot_fill(unsold[S - 1], unmet[S - 1],
                                                       (1.0 - p["specific_input_share"]) * out, p["spot_matching"]), 0.0)
        c_bar, revenue = self.final_unit_costs()
        c_new = entry_decision.newcomer_unit_cost(
            m.stage_price[S - 1], parity, fill, p["specific_input_share"], leg,
            transport.local_freight_rate(p["market_transport_cost"], infra, saving) * d, theta, revenue)
        return entry_decision.arrival_unit_value(float(np.asarray(typical)[S]), c_bar, c_new)

    def final_unit_costs(self) -> tuple[float, float]:
        """(median input and freight cost per unit, median revenue per unit) of the producing final
        firms last quarter (freight on output as model.market.market_freight charges it); the
        outside price of the final good's input and the reference price where none produces."""
        m, p, S = self.model, self.model.params, self.model.params["n_stages"]
        rows = self.live[(self.stage[self.live] == S) & (self.output[self.live] > 0)]
        if len(rows) == 0:
            return float(m.parity[S]), float(m.price)
        Q, x, y = self.output[rows], self.x[rows], self.y[rows]
        infra = at(m.grid.infrastructure.data, x, y)
        freight = market.market_freight(np.ones(len(rows), bool), x, y, m.market, infra, Q, self.revenue[rows], p)
        return float(np.median((self.input_cost[rows] + freight) / Q)), float(np.median(self.revenue[rows] / Q))

    def plant_profit(self, g: Group, typical, sx, sy, median_output=None):
        """Operating profit a quarter (model.entry_decision.operating_profit; array over the
        prospects of `g`) of a plant of each one's stage, lines and knowledge at site (sx, sy), at
        its stage's `typical` net value per unit or, for lead prospects (`lead_arrival_value`), at
        what each would earn at its site on arrival (`arrival_values`, at the plant's output
        expected as in `entrant_sites`)."""
        m, p, f = self.model, self.model.params, self.model.fields
        v = np.asarray(typical)[g.stage]
        if g.lead and p["lead_arrival_value"] and len(g.stage):
            median = self.median_output() if median_output is None else median_output
            v = self.arrival_values(g, typical, sx, sy, median * m.stage_scale[g.stage] * g.size / p["plant_scale"])
        A = (m.stage_tfp[g.stage] * g.knowledge * at(f["productivity"], sx, sy)
             * product_lines.line_factor(g.lines, p["labour_share"], p["capital_share"]))
        unit_labour = at(f["wage"], sx, sy) + p["land_per_worker"] * at(f["rent_paid"], sx, sy)
        return entry_decision.operating_profit(v, A, unit_labour,
                                               p["interest_rate"] + p["depreciation"], p["labour_share"],
                                               p["capital_share"], p["fixed_cost"] * m.stage_scale[g.stage])

    def founders_finance(self, g: Group, plant, fund: float):
        """(start-up outlay O, liquidity shortfall) of the founders of group `g` (arrays, units;
        model.entry_decision): wealth is drawn only when the programme has money to pay, since
        without it no constrained founder can start (runs without grants draw nothing)."""
        p = self.model.params
        outlay = entry_decision.startup_outlay(plant, p["entry_cost"], p["initial_capital"], p["initial_cash"])
        if fund <= 0 or len(plant) == 0:
            return outlay, 0.0
        sme = float(entry_decision.startup_outlay(1.0, p["entry_cost"], p["initial_capital"], p["initial_cash"]))
        wealth = entry_decision.draw_wealth(self.model.rng, len(plant), p["founder_wealth"] * sme,
                                            p["founder_wealth_dispersion"])
        return outlay, entry_decision.liquidity_shortfall(outlay, wealth, p["founder_leverage"])

    def median_output(self) -> float:
        """Median output of the live enterprises (1.0 when there are none): an entrant's scale."""
        return np.median(self.output[self.live]) if len(self.live) else 1.0

    def entrant_sites(self, stage, size, to_park, median_output=None):
        """Sites of founders (site choice near a random incumbent), or a random park cell.
        `median_output`: the incumbents' median output, if the caller computed it already
        (one median per entry phase instead of one per group of prospects)."""
        m, p, live = self.model, self.model.params, self.live
        if len(stage) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if median_output is None:
            median_output = self.median_output()
        # the incumbents' median is already at the industry's plant size: `size` (× SME plant, plant_scale
        # included) counts it once more, so the entrant's expected output is median × size / plant_scale
        out = median_output * size / p["plant_scale"]
        near_x = near_y = None
        if len(live):
            ref = live[m.rng.integers(0, len(live), len(stage))]
            near_x, near_y = self.x[ref], self.y[ref]
        S = p["n_stages"]
        sx, sy = self.site_for(stage, stage == S, out * (stage >= 1), out, near_x, near_y, p["kernel_radius"])
        if to_park and m.grid.park.data.any():
            px, py = np.nonzero(m.grid.park.data)
            pick = m.rng.integers(0, len(px), len(stage))
            sx, sy = px[pick], py[pick]
        return sx, sy
