"""A line taken over keeps the size of its market niche (model.product_lines.niche_mass, `line_niche`)."""

import numpy as np
import pytest

from model import ClusterModel, product_lines


def _by_loop(mass, lines, floor, workers, plant, gained, lost, stage):
    """niche_mass computed firm by firm and stage by stage (independent of the array version)."""
    out, share = [], []
    niche, took = {}, {}
    for i in range(len(mass)):
        n = max(round(lines[i]), 1)
        f = min(floor[i], n)
        per = (mass[i] - f) / (n - f) if n > f else 0.0
        x = lost[i] * per / mass[i] if mass[i] > 0 else 0.0
        share.append(x)
        niche[stage[i]] = niche.get(stage[i], 0.0) + workers[i] * x
        took[stage[i]] = took.get(stage[i], 0.0) + gained[i]
    for i in range(len(mass)):
        nu = niche[stage[i]] / took[stage[i]] if took[stage[i]] > 0 else 0.0
        added = gained[i] * nu / plant[i] if plant[i] > 0 else gained[i]
        out.append(mass[i] * (1 - share[i]) + added)
    return np.array(out), np.array(share)


def test_niche_mass_equals_an_independent_loop():
    rng = np.random.default_rng(3)
    k = 300
    lines = rng.integers(1, 8, k).astype(float)
    floor = (rng.random(k) < 0.1).astype(int)
    mass = np.maximum(lines * rng.uniform(0.3, 2.0, k), floor)
    workers = rng.uniform(10, 5000, k)
    plant = workers / mass * rng.uniform(0.5, 1.5, k)
    stage = rng.integers(0, 3, k)
    gained = rng.binomial(lines.astype(int), 0.1)
    lost = np.minimum(rng.binomial(lines.astype(int), 0.1), np.maximum(lines - floor, 0)).astype(int)
    got = product_lines.niche_mass(mass, lines, floor, workers, plant, gained, lost, stage)
    want = _by_loop(mass, lines, floor, workers, plant, gained, lost, stage)
    assert got[0] == pytest.approx(want[0]) and got[1] == pytest.approx(want[1])


def test_among_equal_plants_a_line_is_one_plant_equivalent_as_before():
    """When every firm of a stage runs plants of one size (ℓ = L/m the same), the niche rule adds
    and removes one plant-equivalent per line: it reduces to the replica rule n + G − C."""
    rng = np.random.default_rng(0)
    n = rng.integers(1, 6, 200).astype(float)
    workers = 40.0 * n
    stage = np.zeros(200, int)
    changes = {}
    new_n = product_lines.update_lines(rng, n, np.ones(200, bool), stage, 0.2, 0.0, 0, changes)
    mass, _ = product_lines.niche_mass(n, n, 0, workers, workers / n, changes["gained"], changes["lost"], stage)
    assert changes["gained"].sum() > 0
    assert mass == pytest.approx(new_n)


def test_a_lead_taking_an_sme_line_adds_the_sme_lines_size_not_a_replica_of_its_plant():
    """Lead (plant of 7,500 workers, one core line) takes the one line of an SME of 300 workers:
    it gains 300 / 7,500 = 0.04 plant-equivalents (the replica rule: 1); the SME has none left,
    the line's workers move with it and the stage's employment is unchanged."""
    mass, lines, floor = np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([1, 0])
    workers, plant, stage = np.array([7500.0, 300.0]), np.array([7500.0, 300.0]), np.array([0, 0])
    gained, lost = np.array([1, 0]), np.array([0, 1])
    new, x = product_lines.niche_mass(mass, lines, floor, workers, plant, gained, lost, stage)
    assert new == pytest.approx([1.04, 0.0]) and x == pytest.approx([0.0, 1.0])
    after = product_lines.follow_lines(workers, lines, gained, lost, stage, 1.0, x)
    assert after == pytest.approx([7800.0, 0.0])
    assert product_lines.line_factor(new[:1], 0.5, 0.3)[0] ** 5 == pytest.approx(1.04)   # optimum × 1.04


def test_a_lead_never_loses_its_core_plant():
    """A lead with 3 lines worth 1.08 plant-equivalents (core 1 + two SME niches of 0.04) that
    loses both capturable lines keeps exactly its core plant-equivalent."""
    new, x = product_lines.niche_mass(np.array([1.08, 1.0]), np.array([3.0, 1.0]), np.array([1, 0]),
                                      np.array([8100.0, 300.0]), np.array([7500.0, 300.0]),
                                      np.array([0, 2]), np.array([2, 0]), np.array([0, 0]))
    assert new[0] == pytest.approx(1.0) and x[0] == pytest.approx(0.08 / 1.08)


def test_with_line_niche_the_lead_firms_lines_are_worth_less_than_a_replica_each():
    """In a run with line_niche = 1 every line mass stays positive, a lead firm keeps its core
    plant-equivalent, and the lead firms' lines beyond the core are worth less than one plant each
    (they took SME lines, whose niches are smaller than a lead's plant)."""
    m = ClusterModel(seed=3, line_niche=1, n_lead_firms=2, parks=[[30, 30, 4], [70, 70, 4]]).run(30)
    pop = m.population
    live = pop.live
    assert (pop.line_mass[live] > 0).all()
    lead = live[pop.is_lead[live]]
    assert (pop.line_mass[lead] >= 1 - 1e-9).all()
    extra = pop.lines[lead] - 1
    assert extra.sum() > 0, pop.lines[lead]
    assert (pop.line_mass[lead] - 1).sum() < extra.sum()


def _initial(**kw):
    """The initial draws (owner_exit = 0: every plant drawn, before the owners' rule at the start)."""
    m = ClusterModel(seed=4, n_lead_firms=2, parks=[[30, 30, 4], [70, 70, 4]], lead_knowledge=1.15, owner_exit=0, **kw)
    pop = m.population
    rows = np.flatnonzero(pop.alive)
    return pop.knowledge[rows], pop.is_lead[rows], m


def test_the_initial_lead_firms_have_the_technology_the_scenario_declares():
    """lead_knowledge_dispersion = 0: both initial lead firms start at lead_knowledge × frontier
    exactly; the SMEs' draws do not depend on the lead firms' dispersion (same random stream)."""
    k0, lead0, m0 = _initial()
    k1, lead1, _ = _initial(lead_knowledge_dispersion=0.5)
    assert lead0.sum() == 2 and k0[lead0] == pytest.approx(1.15 * m0.frontier)
    assert np.array_equal(lead0, lead1) and np.array_equal(k0[~lead0], k1[~lead1])
    assert not np.allclose(k1[lead1], 1.15 * m0.frontier)


def test_cournot_markdown_is_the_gap_between_price_and_marginal_revenue():
    """market_power_markdown = P a_i − ∂(P(Y) a_i Q_i)/∂Q_i, by finite differences on the clearing
    price P = (D / Y)^(1/ε), Y = Σ Q a; zero for suppliers and at the fringe's price."""
    from model import market

    rng = np.random.default_rng(2)
    Q, a = rng.uniform(1, 50, 12), rng.uniform(0.5, 1.2, 12)
    final = np.arange(12) < 8
    D, eps = 400.0, 3.0

    def revenue(i, q):
        QQ = Q.copy()
        QQ[i] = q
        return market.clearing_price(D, float((QQ * a)[final].sum()), eps) * a[i] * q

    P = market.clearing_price(D, float((Q * a)[final].sum()), eps)
    got = market.market_power_markdown(P, a, Q, final, eps, False)
    h = 1e-6
    for i in range(8):
        mr = (revenue(i, Q[i] + h) - revenue(i, Q[i] - h)) / (2 * h)
        assert got[i] == pytest.approx(P * a[i] - mr, rel=1e-5)
    assert (got[~final] == 0).all()
    assert (market.market_power_markdown(P, a, Q, final, eps, True) == 0).all()
