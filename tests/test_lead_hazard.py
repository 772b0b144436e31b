"""The exit hazard a prospective lead firm expects: a lead keeps its last product line (line floor 1,
model/product_lines.py), so the exits of enterprises whose last line an innovator took are an
exit it cannot meet; it discounts its plant's profit with the rate of exits on value only
(agents/prospects.py `hazard`). Before, it used the cluster's whole exit rate, which the lines
changing hands had raised, and no recruited lead firm came to Hunan in seeds 0-1."""

import numpy as np
import pytest

from agents.prospects import Group
from model import entry_decision
from model.quarter import Quarter
from scenarios import load_scenario


@pytest.fixture(scope="module")
def model():
    return load_scenario("hunan_linkage_policy").build(seed=0)


def group(lead: bool, n: int = 4) -> Group:
    return Group("investment_attraction", 1.0, np.full(n, 1), np.full(n, 20.0 if lead else 1.0),
                 np.linspace(0.5, 1.5, n), np.full(n, 0.5), False, lead, True)


@pytest.mark.parametrize("lead", [True, False])
def test_prospects_value_their_plant_at_the_hazard_they_face(model, lead):
    model.exit_rate, model.value_exit_rate = 0.05, 0.005
    pop, p, g = model.population, model.params, group(lead)
    typical = pop.typical_unit_values()
    plant, sx, sy, gain, cost = pop.plant_gain(g, typical)
    h = 0.005 if lead else 0.05          # lead firms: exits on value only; SMEs: every exit
    expected = entry_decision.net_gain(pop.plant_profit(g, typical, sx, sy), g.option, cost, p["interest_rate"], h)
    np.testing.assert_allclose(gain, expected)


def test_exits_by_a_lost_last_line_are_counted_apart(model):
    pop = model.population
    live = pop.live
    out = live[:5]
    pop.lines[out[:3]] = 0.0            # three lost their last line, two leave on value
    q = Quarter(model.steps)
    pop.leave(out, q)
    assert (q.exits, q.line_exits) == (5, 3)


def test_the_lead_hazard_leaves_out_line_losses_and_the_whole_rate_keeps_them():
    m = load_scenario("hunan_linkage_policy").build(seed=1)
    assert m.value_exit_rate == m.exit_rate == m.params["prior_exit_rate"]
    line_exits = 0
    for _ in range(12):
        m.step()
        line_exits += m.quarter.line_exits
        assert 0.0 <= m.value_exit_rate <= m.exit_rate
    assert line_exits > 0 and m.value_exit_rate < m.exit_rate
