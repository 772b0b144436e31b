"""The smoothed exit hazard prospects expect (ClusterModel.exit_rate, value_exit_rate) divides a
quarter's exits by the enterprises at risk — alive when the quarter began — not by the count
after that quarter's spin-offs and entrants were added (model.demography.smoothed_hazard)."""

import numpy as np

from model.demography import smoothed_hazard
from model.model import ClusterModel


def test_smoothed_hazard_is_exponential_smoothing_of_exits_over_those_at_risk():
    assert smoothed_hazard(0.02, 3, 60, 0.1) == 0.9 * 0.02 + 0.1 * 3 / 60
    assert smoothed_hazard(0.05, 0, 0, 0.5) == 0.05      # nobody at risk: nothing observed


def test_the_models_exit_hazard_equals_an_independent_life_table():
    """Count those at risk and the exits of the exit phase from outside (wrapping the phase),
    smooth them independently, and compare with the model's hazards over 8 quarters with births."""
    m = ClusterModel(seed=3, n_firms=40, n_suppliers=60, width=30, height=30, spinoff_rate=0.05,
                     going_concern_exit=1)
    ent, w = m.population, m.params["exit_rate_smoothing"]
    seen, phase = [], ent.exit

    def counted_exit(q):
        before = len(ent.live)
        phase(q)
        seen.append((before, q.exits, q.line_exits))

    ent.exit = counted_exit
    h = hv = m.params["prior_exit_rate"]
    births = 0
    for _ in range(8):
        m.step()
        at_risk, exits, line_exits = seen[-1]
        h = (1 - w) * h + w * exits / at_risk
        hv = (1 - w) * hv + w * (exits - line_exits) / at_risk
        births += m.quarter.births
        assert np.isclose(m.exit_rate, h, rtol=1e-12, atol=0)
        assert np.isclose(m.value_exit_rate, hv, rtol=1e-12, atol=0)
    assert births > 0 and sum(s[1] for s in seen) > 0   # the case tests something


def test_incumbents_whose_last_line_an_entrant_took_count_in_the_hazard():
    """With entry by taking a line (`entrant_takeover` 1, SMEs' line floor 0) incumbents leave in the
    entry phase. Identity: the exits the hazard counts are the enterprises at risk (alive when the
    exit phase began, identified by their Mesa agents) that are gone when the quarter ends."""
    m = ClusterModel(seed=5, n_firms=40, n_suppliers=60, width=30, height=30, entrant_takeover=1.0,
                     line_floor=0, going_concern_exit=1)
    ent, w = m.population, m.params["exit_rate_smoothing"]
    phase, at_risk = ent.exit, []

    def counted_exit(q):
        at_risk.append({ent.agent[row].unique_id for row in ent.live.tolist()})
        phase(q)

    def counted_entry(q):
        before = q.exits
        entry(q)
        in_entry.append(q.exits - before)

    ent.exit, entry, in_entry = counted_exit, ent.enter, []
    ent.enter = counted_entry
    h = m.params["prior_exit_rate"]
    for _ in range(10):
        m.step()
        alive = {ent.agent[row].unique_id for row in ent.live.tolist()}
        gone = len(at_risk[-1] - alive)
        # every exit counted once; the hazard counts those at risk (a spin-off of this quarter whose
        # only line an entrant took is an exit, but was not at risk)
        assert m.quarter.exits - m.quarter.newborn_exits == gone
        h = (1 - w) * h + w * gone / len(at_risk[-1])
        assert np.isclose(m.exit_rate, h, rtol=1e-12, atol=0)
    assert sum(in_entry) > 0   # the case has incumbents whose last line an entrant took
