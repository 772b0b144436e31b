"""Site choice reading the compliance cost (`site_compliance_cost`; model.environment.site_compliance_share):
the park's saving checked against the cost written out by hand, and the option's neutrality when off."""

import numpy as np

from model import environment
from model.location_choice import site_scores
from model.model import ClusterModel

PARK = (8, 8, 2)


def _regulated(option: int) -> ClusterModel:
    """A small cluster with a dirty stage, a park and the standard enforced from the first quarter."""
    m = ClusterModel(seed=3, n_firms=20, n_suppliers=30, width=20, height=20, n_stages=2, dirty_stage=1,
                     parks=[list(PARK)], site_compliance_cost=option)
    m.government.set_lever("environmental_regulation", 0.8)
    m.government.set_lever("environmental_enforcement", 40.0)
    m.step()
    m.step()
    return m


def _identical_cells(m, park_cell, other_cell) -> dict:
    """The model's fields with every field at `other_cell` set to its value at `park_cell`."""
    f = {k: np.array(v, copy=True) for k, v in m.fields.items()}
    for v in f.values():
        if v.ndim == 2:
            v[other_cell] = v[park_cell]
        elif v.ndim == 3:
            v[:, other_cell[0], other_cell[1]] = v[:, park_cell[0], park_cell[1]]
    return f


def test_park_cell_scores_higher_by_the_saving():
    m = _regulated(1)
    p, pop = m.params, m.population
    inspections, total, standard = m.enforcement
    assert standard > 0 and inspections > 0 and total > 0   # the standard is enforced
    park_cell, other_cell = (PARK[0], PARK[1]), (15, 15)
    assert m.grid.park.data[park_cell] == 1 and m.grid.park.data[other_cell] == 0
    f = _identical_cells(m, park_cell, other_cell)
    stage, firm = np.array([1, 1]), np.array([False, False])
    out = np.array([50.0, 0.2])   # a large emitter (π = 1: it abates) and a small one (π small)
    cx, cy = np.array([[park_cell[0], other_cell[0]]] * 2), np.array([[park_cell[1], other_cell[1]]] * 2)
    kappa = pop.site_compliance_cost(stage, out, cx, cy)
    u = site_scores(f, p, m.market, m.price, stage, firm, out, out, cx, cy, compliance=kappa)
    u0 = site_scores(f, p, m.market, m.price, stage, firm, out, out, cx, cy)
    assert (u0[:, 0] == u0[:, 1]).all()  # without the cost the two cells are the same
    # by hand: raw emissions e = ε m Q, π = min(1, n e / E); a large emitter's best response is the
    # standard (a* = min(ρ, π f / 2 c_a) = ρ) at cost c_F + c_a ρ² e, a share s of which the park saves
    e = p["emission_intensity"] * p["pollution"] * p["dirty_multiplier"] * out[0]
    assert min(1.0, inspections * e / total) == 1.0 and p["emission_fine"] / (2 * p["abatement_cost"]) >= standard
    cost = p["abatement_fixed_cost"] + p["abatement_cost"] * standard**2 * e
    saving = p["park_treatment"] * cost / (out[0] * m.stage_price[1])
    assert np.isclose(u[0, 0] - u[0, 1], saving, rtol=1e-9, atol=0)
    assert saving > 0
    # the small emitter: the gain is never negative, and equals its cost difference by hand
    e1 = e * out[1] / out[0]
    pi = min(1.0, inspections * e1 / total)

    def best(keep):   # min over abating nothing and abating a* = min(ρ, π f / 2 c_a keep)
        a = min(standard, pi * p["emission_fine"] / (2 * p["abatement_cost"] * keep))
        abate = keep * (p["abatement_fixed_cost"] + p["abatement_cost"] * a**2 * e1) + pi * p["emission_fine"] * (standard - a) * e1
        return min(abate, pi * p["emission_fine"] * standard * e1)

    gain = (best(1.0) - best(1.0 - p["park_treatment"])) / (out[1] * m.stage_price[1])
    assert np.isclose(u[1, 0] - u[1, 1], gain, rtol=1e-9, atol=1e-15) and gain >= 0


def test_share_is_zero_without_a_standard_or_output():
    p = {"emission_fine": 2.0, "abatement_cost": 1.0, "abatement_fixed_cost": 0.02, "park_treatment": 0.5}
    park = np.array([[0.0, 1.0], [1.0, 0.0]])
    kappa = environment.site_compliance_share([3.0, 0.0], [10.0, 0.0], [1.0, 1.0], (40.0, 5.0, 0.0), p, park)
    assert (kappa == 0).all()
    kappa = environment.site_compliance_share([3.0, 0.0], [10.0, 0.0], [1.0, 1.0], (40.0, 5.0, 0.8), p, park)
    assert kappa[1].tolist() == [0.0, 0.0] and kappa[0, 1] < kappa[0, 0]


def test_off_is_none_and_on_without_regulation_is_the_same_run():
    """Off, site choice gets no compliance term; on, with no standard, the term is nil and the run
    (entry, spin-offs, relocation) is the one with the option off, quarter by quarter."""
    assert _regulated(0).population.site_compliance_cost(np.array([1]), np.array([1.0]), np.zeros((1, 2), int),
                                                         np.zeros((1, 2), int)) is None
    runs = []
    for option in (0, 1):
        m = ClusterModel(seed=5, n_firms=20, n_suppliers=30, width=20, height=20, n_stages=2, dirty_stage=1,
                         parks=[list(PARK)], site_compliance_cost=option)
        m.run(6)
        pop = m.population
        runs.append((pop.uid[pop.live].tolist(), pop.x[pop.live].tolist(), pop.y[pop.live].tolist(),
                     m.results().to_numpy().tobytes()))
    assert runs[0] == runs[1]
