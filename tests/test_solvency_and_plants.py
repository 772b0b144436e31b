"""Exit on solvency, the parent group's credit, the industry's plant size and the subsidy
carry-over cap (model/demography.py, model/production.py, model/fiscal_rule.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import demography, fiscal_rule, production
from model.params import resolve_params


def _exit(streak, cash, limit, patience, expected, capital):
    return bool(demography.exiting(np.array([streak]), np.array([cash]), np.array([limit]), patience,
                                   np.array([expected]), np.array([capital]))[0])


def test_a_firm_whose_credit_carries_its_expected_losses_survives_a_loss_streak():
    # ten losses in a row, savings gone, but a credit line of 100 against an expected loss of 1
    assert not _exit(10, -5.0, 100.0, 6, -1.0, 200.0)
    # the same streak with a runway shorter than `patience` quarters of the expected loss: exit
    assert _exit(10, -5.0, 8.0, 6, -1.0, 200.0)
    # a short streak never closes a firm that is within its line and its assets
    assert not _exit(2, -5.0, 8.0, 6, -1.0, 200.0)


def test_a_firm_beyond_its_line_stays_only_while_it_expects_to_earn():
    assert not _exit(0, -120.0, 100.0, 6, 5.0, 200.0)   # the bank rolls the line over
    assert _exit(0, -120.0, 100.0, 6, -5.0, 200.0)      # an expected loss: insolvent
    assert _exit(0, -250.0, 1e6, 6, 50.0, 200.0)        # debt beyond assets: always out


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.floats(-1e4, 1e4), st.floats(0, 1e4), st.integers(1, 20), st.floats(-1e3, 1e3),
       st.floats(0.1, 1e4), st.floats(0, 1e4))
def test_more_credit_never_makes_a_firm_exit(streak, cash, limit, patience, expected, capital, more):
    """Exit is monotone in the credit limit: a parent group's credit can only keep a firm in."""
    if _exit(streak, cash, limit + more, patience, expected, capital):
        assert _exit(streak, cash, limit, patience, expected, capital)


def test_plant_scale_multiplies_every_stage_and_keeps_the_slot_factors():
    base = resolve_params({"stage_scale": [1.0, 2.0, 4.0]})
    scaled = dict(base, plant_scale=10.0)
    s0, slot0, tfp0 = production.stage_technology(base)
    s1, slot1, tfp1 = production.stage_technology(scaled)
    np.testing.assert_allclose(s1, 10.0 * s0)
    np.testing.assert_allclose(slot1, slot0)
    # optimal size ∝ A^(1/(1−α−β)): ten times the plant at the same prices
    a, b = base["labour_share"], base["capital_share"]
    L0, _ = production.optimal_size(0.3, tfp0, 0.12, 0.04, a, b)
    L1, _ = production.optimal_size(0.3, tfp1, 0.12, 0.04, a, b)
    np.testing.assert_allclose(L1, 10.0 * L0)


def test_a_subsidy_programme_carries_at_most_its_cap_of_unspent_money():
    assert fiscal_rule.carry_over(5.0, 15.0, 8) == 5.0
    assert fiscal_rule.carry_over(500.0, 15.0, 8) == 120.0
    assert fiscal_rule.carry_over(500.0, 15.0, 0) == 0.0
    carry = 0.0
    for _ in range(200):   # nothing ever taken up: the carry stops growing at n × appropriation
        carry = fiscal_rule.carry_over(carry + 15.0, 15.0, 8)
    assert carry == 120.0


def test_investment_generation_buys_contacts_not_firms():
    """Contacts scale with the money and fall with the prospect's entry cost; the money is spent
    whether or not anyone comes (model.entry_decision.promotion_contacts)."""
    from model.entry_decision import promotion_contacts

    assert promotion_contacts(0.0, 60.0, 1 / 3) == 0.0
    assert promotion_contacts(20.0, 60.0, 1 / 3) == 1.0          # one lead-firm-sized contact per 20
    assert promotion_contacts(20.0, 3.0, 1 / 3) == 20.0          # an SME costs 1 a contact
    assert promotion_contacts(-5.0, 3.0, 1 / 3) == 0.0


def test_attraction_spends_its_promotion_share_and_stays_within_its_grant():
    from model import ClusterModel

    m = ClusterModel(seed=3, n_firms=30, n_suppliers=40, width=30, height=30, investment_attraction=20.0,
                     recruit_lead_share=0.5, gov_initial_budget=1e4)
    for _ in range(6):
        m.step()
        gov = m.government
        assert gov.promotion == pytest.approx(m.params["promotion_share"] * 20.0)
        assert gov.spending_by_lever["investment_attraction"] <= gov.granted["investment_attraction"] + 1e-9
