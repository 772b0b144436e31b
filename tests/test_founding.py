"""A founder's workforce at its plant's optimum (option `founding_at_optimum`, off:
model.production.founding_workers, agents.founding)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model import production
from model.fields import at
from scenarios import load_scenario

ALPHA, BETA = 0.5, 0.3


def _foc_by_bisection(v, A, K, c, alpha, beta):
    """Independent computation: the L where the marginal value product α v A L^(α−1) K^β equals c
    (decreasing in L), found by bisection on ln L."""
    lo, hi = np.full(len(v), -30.0), np.full(len(v), 30.0)
    for _ in range(200):
        mid = (lo + hi) / 2
        above = alpha * v * A * np.exp(mid) ** (alpha - 1) * K**beta > c
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.exp((lo + hi) / 2)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_founding_workers_equate_the_marginal_value_product_of_labour_with_its_cost(seed):
    rng = np.random.default_rng(seed)
    n = 20
    v, A, K = rng.uniform(0.05, 2.0, n), rng.uniform(0.1, 5.0, n), rng.uniform(0.5, 100.0, n)
    c, crew = rng.uniform(0.1, 2.0, n), rng.choice([1.0, 5.0], n)
    got = production.founding_workers(v, A, K, ALPHA, BETA, c, crew)
    np.testing.assert_allclose(got, np.maximum(_foc_by_bisection(v, A, K, c, ALPHA, BETA), crew), rtol=1e-9)


def test_a_founder_at_its_optimum_is_where_the_incumbents_hiring_rule_stands_still():
    """hire(L0, L*(K0), a, g, z) = L0: the founder starts on the rule incumbents adjust by."""
    rng = np.random.default_rng(1)
    v, A, K, c = rng.uniform(0.5, 2.0, 50), rng.uniform(1.0, 5.0, 50), rng.uniform(5.0, 50.0, 50), rng.uniform(0.2, 1.0, 50)
    L0 = production.founding_workers(v, A, K, ALPHA, BETA, c, 1.0)
    target = production.target_workers(v, A, K, ALPHA, BETA, c)
    big = target >= 1.0
    assert big.any()
    np.testing.assert_allclose(production.hire(L0, target, 0.3, 0.25, 1.0)[big], L0[big], rtol=1e-12)


def _small(**overrides):
    return load_scenario("baseline").with_overrides(width=20, height=20, n_firms=20, n_suppliers=40,
                                                    entrant_takeover=0.0, **overrides)


def _independent_optimum(m, rows, typical):
    """(α v̄_s A K₀^β / c_L)^(1/(1−α)), at least the crew, from the model's fields at the rows' sites
    (one line, niche shifter 0), written out from docs/ODD.md §7.10 (founding staff)."""
    p, f, pop = m.params, m.fields, m.population
    x, y, s = pop.x[rows], pop.y[rows], pop.stage[rows].astype(int)
    A = m.stage_tfp[s] * pop.knowledge[rows] * at(f["productivity"], x, y) * (1 + p["skill_premium"] * m.government.skill)
    park = m.government.effective("park_subsidy") * at(m.grid.park.data, x, y)
    c = at(f["wage"], x, y) + p["land_per_worker"] * at(f["rent"], x, y) * (1 - park)
    a, b = p["labour_share"], p["capital_share"]
    K0 = p["initial_capital"] * m.stage_scale[s]
    return np.maximum((a * np.asarray(typical)[s] * A * K0**b / c) ** (1 / (1 - a)), pop.crew(s))


def test_spinoffs_found_at_their_optimum_at_most_their_parents_share():
    m = _small(spinoff_rate=1.0, founding_at_optimum=1).build(seed=3)
    m.step()
    pop = m.population
    before = set(pop.live.tolist())
    workforce = pop.workers[pop.live].sum()
    pop.spin_off(m.quarter)
    born = np.array([r for r in pop.live.tolist() if r not in before])
    assert len(born)
    assert np.isclose(pop.workers[pop.live].sum(), workforce)      # the parents' staff moved
    optimum = _independent_optimum(m, born, m.quarter.typical)
    assert (pop.workers[born] <= optimum * (1 + 1e-9)).all()
    assert np.isclose(pop.workers[born], optimum, rtol=1e-9).any()


def test_local_entrants_found_at_their_optimum_and_smaller_than_the_fixed_staff():
    """Paired seeds: the local entrants' founding staff is the independent optimum, and below
    initial_workers × plant in mean (entrants start small: Dunne, Roberts & Samuelson 1989)."""
    for seed in (0, 1, 2):
        m = _small(founding_at_optimum=1, entry_rate=0.3).build(seed=seed)
        m.step()
        pop, p = m.population, m.params
        before = set(pop.live.tolist())
        typical = pop.typical_unit_values()
        m.quarter.typical = None
        pop.enter(m.quarter)
        born = np.array([r for r in pop.live.tolist() if r not in before])
        local = born[pop.origin[born] == 1] if len(born) else born
        assert len(local), seed
        np.testing.assert_allclose(pop.workers[local], _independent_optimum(m, local, typical), rtol=1e-9)
        assert pop.workers[local].mean() < p["initial_workers"] * m.stage_scale[pop.stage[local].astype(int)].mean()
