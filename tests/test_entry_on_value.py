"""Entry on expected value (`entry_on_value` = 1, model.demography.would_be_founders,
agents.life_cycle.founders_on_value): local founders come only when a plant is worth their
outside option and the sunk entry cost."""

from __future__ import annotations

import numpy as np
import pytest

from agents.population import ORIGINS
from model import ClusterModel
from model.demography import would_be_founders
from model.params import defaults


def test_would_be_founders_is_the_base_flow_plus_the_rate_per_incumbent():
    p = {**defaults(), "base_entry": 0.7, "founder_rate": 0.03}
    assert would_be_founders(0, p) == pytest.approx(0.7)
    assert would_be_founders(200, p) == pytest.approx(0.7 + 0.03 * 200)


def _local_founders(**kw) -> int:
    """Local (non-initial) enterprises seen over 8 quarters of the baseline with entry on value."""
    m = ClusterModel(seed=3, entry_on_value=1, demand_growth=0.0, **kw)
    seen: set[int] = set()
    for _ in range(8):
        m.step()
        pop = m.population
        live = pop.live
        seen |= set(pop.uid[live[pop.origin[live] == ORIGINS.index("local")]].tolist())
    return len(seen)


def test_founders_come_when_a_plant_is_worth_the_entry_cost_and_not_when_it_is_not():
    """The same seed and pool: with no sunk entry cost (and no outside option) founders whose
    plant earns a positive operating profit come; at an entry cost no plant's value covers, none does."""
    free = _local_founders(entry_cost=0.0, outside_option=0.0, founder_rate=0.2)
    barred = _local_founders(entry_cost=1e6, founder_rate=0.2)
    assert barred == 0 and free > 0, (free, barred)


def test_founders_go_only_to_the_stages_whose_good_is_worth_a_plant():
    """Stage by stage: with the same pool and stage draws, founders come only to the stage whose
    net value per unit makes a plant worth its cost; none where every stage's good is worth nothing."""
    m = ClusterModel(seed=3, entry_on_value=1, founder_rate=0.5, outside_option=0.0)
    pop, S = m.population, m.params["n_stages"]
    mean_k = float(pop.knowledge[pop.live].mean())
    weights = np.full(S + 1, 1.0 / (S + 1))
    worthless = pop.founders_on_value(weights, mean_k, [0.0] * (S + 1), pop.median_output())[0]
    one = [0.0] * S + [10.0 * max(pop.typical_unit_values())]
    stage = pop.founders_on_value(weights, mean_k, one, pop.median_output())[0]
    assert len(worthless) == 0
    assert len(stage) > 0 and (stage == S).all(), stage


def test_knowledge_nodes_integrate_the_lognormal():
    """Σ w = 1 and Σ w m^j = e^{j² σ² / 2}, the lognormal's moments (independent closed form)."""
    from model.entry_decision import knowledge_nodes

    m, w = knowledge_nodes(0.3)
    for j in (0, 1, 2, 3):
        assert float(np.sum(w * m ** j)) == pytest.approx(np.exp(j * j * 0.09 / 2), rel=1e-8)


@pytest.mark.parametrize("going_concern", [0, 1])
def test_entry_on_value_is_stock_flow_consistent_every_quarter(going_concern):
    """Founders on value bring their capital from outside like the snowball's (model.accounts): the
    stock-flow identity holds every quarter, with and without exit on expected value, grants paid."""
    from model import accounts

    m = ClusterModel(seed=5, n_firms=40, n_suppliers=60, width=30, height=30, entry_on_value=1,
                     going_concern_exit=going_concern, founder_rate=0.3, entrepreneurship=10.0,
                     demand_shifts=[[6, 0.3, 0.9]])
    for _ in range(14):
        before = m.stocks()
        m.step()
        assert accounts.relative_residual(before, m.stocks(), m.flows) < 1e-9
