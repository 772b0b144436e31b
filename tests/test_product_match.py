"""Product match between stages (model/product_match.py): equal to an independent computation,
off at ς = 0, and, in the model, buyers source less locally when part of their inputs is specific."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import product_match
from scenarios import load_scenario


def _tie_match_loop(share, trust, dst, n_rows):
    out = np.full(n_rows, 1.0 - share)
    for b in range(n_rows):
        mine = [j for j in range(len(dst)) if dst[j] == b]
        if mine:
            w = np.array([trust[j] + 0.1 for j in mine])
            m = np.array([1.0 - share + share * trust[j] for j in mine])
            out[b] = float(np.sum(w * m) / np.sum(w))
    return out


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 1.0), st.lists(st.tuples(st.integers(0, 5), st.floats(0.0, 1.0)), max_size=20))
def test_tie_match_is_the_order_weighted_match_of_the_ties(share, ties):
    dst = np.array([d for d, _ in ties], np.int64)
    trust = np.array([t for _, t in ties], float)
    got = product_match.tie_match(share, trust, dst, 6)
    assert np.allclose(got, _tie_match_loop(share, trust, dst, 6), rtol=1e-12, atol=1e-12)
    assert ((got >= 1.0 - share - 1e-12) & (got <= 1.0 + 1e-12)).all()


def test_every_input_standard_switches_the_match_off():
    trust, dst = np.array([0.05, 0.7, 0.2]), np.array([0, 0, 2])
    assert (product_match.tie_match(0.0, trust, dst, 4) == 1.0).all()
    need, bought = np.array([10.0, 4.0, 3.0]), np.array([6.0, 4.0, 0.0])
    assert np.array_equal(product_match.spot_need(need, bought, np.ones(3), 0.0), need - bought)


def test_spot_market_serves_only_the_standard_rest():
    share, need = 0.4, np.array([10.0, 10.0, 10.0])
    match = np.array([0.6, 0.8, 1.0])
    bought = need * match                      # the ties delivered all they were asked for
    spot = product_match.spot_need(need, bought, match, share)
    assert np.allclose(spot, 0.0)             # the standard part came along the ties …
    spot = product_match.spot_need(need, np.zeros(3), match, share)
    assert np.allclose(spot, (1 - share) * need)   # … or is all the spot market may sell
    with pytest.raises(ValueError, match="specific_input_share"):
        product_match.tie_match(1.5, np.zeros(0), np.zeros(0, np.int64), 2)


@pytest.mark.slow
def test_specific_inputs_lower_local_sourcing_in_the_unlinked_towns():
    """Paired seeds: at the end of the Hunan run (60 quarters), towns with half their inputs specific
    source less locally than with every input standard (early on, buyers cut off from the spot
    market form more ties, so the direction is asserted where the scenario's figure is measured)."""
    for seed in (0, 1, 2):
        shares = []
        for specific in (0.0, 0.5):
            scenario = load_scenario("hunan_scattered_towns").with_overrides(specific_input_share=specific)
            model = scenario.build(seed=seed)
            for _ in range(scenario.steps):
                model.step()
            shares.append(model.results()["local_sourcing_share"].iloc[-4:].mean())
        assert shares[1] < shares[0], (seed, shares)
