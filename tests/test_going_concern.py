"""Exit and credit on expected value (model/demography.py) and the signal-extraction weight of
the expectation it reads (model/persistence.py): pure functions against independent
computations, and paired-seed directions against the former exit on solvency."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from model import demography, persistence


# --- signal extraction (Muth 1960) --------------------------------------------------------------
def _kalman_gain(q: float, iterations: int = 20000) -> float:
    """Steady-state gain of the local-level model (random walk, innovation variance q; noise 1)
    by iterating the Riccati recursion — an independent computation of Muth's weight."""
    p = 1.0
    for _ in range(iterations):
        k = p / (p + 1.0)
        p = p * (1.0 - k) + q
    return p / (p + 1.0)


@pytest.mark.parametrize("q", [0.01, 0.1, 0.5, 1.0, 4.0, 50.0])
def test_muth_weight_is_the_steady_state_kalman_gain(q):
    rho1 = -1.0 / (q + 2.0)
    assert persistence.muth_weight(rho1) == pytest.approx(_kalman_gain(q), rel=1e-9)


def test_muth_weight_limits_and_inverse():
    assert persistence.muth_weight(-0.5) == 0.0      # white-noise level: look through every change
    assert persistence.muth_weight(-0.9) == 0.0
    assert persistence.muth_weight(0.0) == 1.0       # random walk: every change lasts
    assert persistence.muth_weight(0.3) == 1.0
    lam = np.linspace(0.0, 0.999, 50)
    np.testing.assert_allclose(persistence.muth_weight(persistence.rho_of_weight(lam)), lam, atol=1e-9)


def test_the_autocorrelation_of_simulated_changes_identifies_the_signal_to_noise_ratio():
    """Random walk (var q) + white noise (var 1): the change moments give ρ₁ ≈ −1/(q+2)."""
    rng = np.random.default_rng(7)
    for q in (0.25, 2.0):
        n = 200_000
        level = np.cumsum(rng.normal(0.0, np.sqrt(q), n)) + rng.normal(0.0, 1.0, n)
        m = None
        for v in level[:5000]:
            m = persistence.change_moments(m, np.array([v]))
        dv = np.diff(level)
        rho = float(np.sum(dv[1:] * dv[:-1]) / np.sum(dv * dv))
        assert rho == pytest.approx(-1.0 / (q + 2.0), abs=0.01)
        # the running sums agree with the direct sums over the same stretch
        d5 = np.diff(level[:5000])
        assert m["sq"][0] == pytest.approx(np.sum(d5 * d5), rel=1e-9)
        assert m["cross"][0] == pytest.approx(np.sum(d5[1:] * d5[:-1]), rel=1e-9)
        assert m["n"][0] == 4999


def test_stage_weights_start_at_the_prior_and_move_to_the_data():
    m = persistence.change_moments(None, np.array([1.0, 1.0]))
    np.testing.assert_allclose(persistence.stage_weights(m, 0.3, 8), [0.3, 0.3])
    # stage 0 alternates (white noise: look through), stage 1 trends (every change lasts)
    for t in range(1, 400):
        m = persistence.change_moments(m, np.array([1.0 + 0.1 * (-1) ** t, 1.0 + 0.01 * t]))
    w = persistence.stage_weights(m, 0.3, 8)
    assert w[0] < 0.05 and w[1] > 0.95
    # a stage nobody produces in keeps its sums
    m2 = persistence.change_moments(m, np.array([np.nan, 5.0]))
    assert m2["sq"][0] == m["sq"][0] and m2["n"][0] == m["n"][0]


# --- the value of going on and the exit rule ------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.floats(-50, 50), st.floats(0.1, 100), st.floats(0, 1), st.floats(0.005, 0.05), st.floats(0.0, 0.3))
def test_continuation_value_is_the_discounted_sum(profit, K, phi, r, h):
    t = np.arange(1, 8000)
    expected = float(np.sum((1 - h) ** (t - 1) / (1 + r) ** t * (profit + h * phi * K)))
    got = float(demography.continuation_value(np.array([profit]), np.array([K]), phi, r, h)[0])
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.floats(-50, 50), st.floats(0.1, 100), st.floats(0, 0.99), st.floats(0.005, 0.05), st.floats(0.0, 0.3))
@example(-5e-324, 1.0, 0.0, 0.01, 0.0)   # a subnormal loss: x underflows to 0 (found by hypothesis)
def test_the_concession_hazard_leaves_the_owner_indifferent(profit, K, phi, r, h):
    """Where 0 < x < 1: closing now (φK) is worth as much as staying a quarter at π̄ and, with
    probability x, seeing the market back at the normal return (worth W), else facing the same choice
    (worth φK again): φK = [π̄ + x W + (1 − x) φK] / (1 + r) up to the hazard h of the plant's end,
    computed here from the continuous-time flow identity x (W − φK) = r φK − π̄ with W from
    `continuation_value` at π̄ = rK."""
    x = float(demography.concession_hazard(np.array([profit]), np.array([K]), phi, r, h)[0])
    W = float(demography.continuation_value(np.array([r * K]), np.array([K]), phi, r, h)[0])
    V = float(demography.continuation_value(np.array([profit]), np.array([K]), phi, r, h)[0])
    assert 0.0 <= x <= 1.0
    if V >= phi * K:
        assert x == 0.0                                   # worth more going on: nobody concedes
    elif x < 1:   # x = 0 here only when the flow underflows (a loss of 1e-300 and less)
        assert x * (W - phi * K) == pytest.approx(r * phi * K - profit, rel=1e-9, abs=1e-9)
    else:
        assert x == 1.0 and r * phi * K - profit >= W - phi * K - 1e-9


def test_owners_concede_more_often_the_deeper_the_shortfall():
    K, phi, r, h = 100.0, 0.3, 0.015, 0.02
    profits = np.array([5.0, 0.45, 0.0, -1.0, -5.0, -50.0])
    x = demography.concession_hazard(profits, np.full(6, K), phi, r, h)
    assert x[0] == 0.0 and x[1] == pytest.approx(0.0, abs=1e-12)   # r φ K = 0.45: the margin
    assert np.all(np.diff(x) >= 0) and x[-1] == 1.0
    # a solvent firm (no debt) closes by its owners' choice alone: the draws decide
    rich = np.full(6, 1e6)
    assert not demography.exiting_on_value(np.full(6, 0.999), rich, np.full(6, 50.0), profits, np.full(6, K),
                                           phi, r, h)[:5].any()
    assert demography.exiting_on_value(np.zeros(6), rich, np.full(6, 50.0), profits, np.full(6, K),
                                       phi, r, h)[2:].all()


def test_the_lender_bridges_a_debt_the_going_concern_covers():
    K, r, h, phi = 100.0, 0.015, 0.02, 0.3
    profit = np.array([5.0])
    V = float(demography.continuation_value(profit, np.array([K]), phi, r, h)[0])
    limit, never = np.array([50.0]), np.array([0.999])
    assert V > 50.0
    assert not demography.exiting_on_value(never, np.array([-(V - 1.0)]), limit, profit, np.array([K]), phi, r, h)[0]
    assert demography.exiting_on_value(never, np.array([-(V + 1.0)]), limit, profit, np.array([K]), phi, r, h)[0]
    # the former rule closes the same firm once its debt passes its book assets, whatever its prospects
    assert V > 1.2 * K
    assert demography.exiting(np.array([0]), np.array([-1.2 * K]), limit, 6, profit, np.array([K]))[0]


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 0.999), st.floats(-1e4, 1e4), st.floats(0, 1e4), st.floats(-1e3, 1e3), st.floats(0.1, 1e4),
       st.floats(0, 1e4), st.floats(0, 1e3))
def test_more_credit_or_more_expected_profit_never_makes_a_firm_exit(u, cash, limit, profit, K, more, better):
    out = lambda c, lim, pr: bool(demography.exiting_on_value(  # noqa: E731
        np.array([u]), np.array([c]), np.array([lim]), np.array([pr]), np.array([K]), 0.3, 0.015, 0.02)[0])
    if out(cash, limit + more, profit) or out(cash, limit, profit + better):
        assert out(cash, limit, profit)


def test_an_idle_plant_loses_at_most_its_overhead_and_depreciation():
    got = demography.expected_plant_profit(np.array([-80.0, 3.0]), np.array([-0.5, 0.2]), np.array([-0.4, 0.1]),
                                           np.array([100.0, 10.0]), np.array([4.0, 4.0]))
    np.testing.assert_allclose(got, [-4.0, 3.0 + 0.1 * 10.0])


# --- paired seeds: a transitory dip and a permanent fall ------------------------------------------
def _final_firms(seed: int, shifts, going_concern: int, steps: int) -> np.ndarray:
    from agents.population import KIND_FIRM
    from model import ClusterModel

    m = ClusterModel(seed=seed, n_firms=40, n_suppliers=60, width=25, height=25, demand_shifts=shifts,
                     going_concern_exit=going_concern)
    counts = []
    for _ in range(steps):
        m.step()
        counts.append(int((m.population.kind[m.population.live] == KIND_FIRM).sum()))
    return np.array(counts)


@pytest.mark.slow
def test_a_permanent_fall_empties_the_final_stage_faster_than_exit_on_solvency():
    """Demand falls to a fifth at quarter 10 for good: within six quarters the rule on expected
    value has closed more of the final firms than the rule on solvency, seed by seed."""
    shifts = [(10, 0.2, 0.0)]
    for seed in (0, 1, 2):
        new = _final_firms(seed, shifts, 1, 16)
        old = _final_firms(seed, shifts, 0, 16)
        fall_new = 1 - new[15] / new[8]
        fall_old = 1 - old[15] / old[8]
        assert fall_new > fall_old, (seed, new.tolist(), old.tolist())


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "Measured on main a4d7986 (Datang with subcontracting, work_to_order 1, since 586785c; spot_arbitrage on): "
    "shaping + packaging firms after 80 quarters 68, 81, 83, 74, 95 under exit on expected value against 90, 84, "
    "71, 85, 85 under exit on solvency (seeds 0-4): with subcontracting the downstream no longer dies in the price "
    "dips this option was built for, and exit on solvency keeps as many"))
def test_datangs_downstream_stages_outlast_their_price_dips_better_than_under_exit_on_solvency():
    """Datang's shaping and packaging goods sell below import parity in one quarter in six, each
    dip a white-noise deviation that reverses (docs/validation.md): under exit on expected value
    (their firms look through the dips and the lender bridges a debt their going concern covers)
    more shaping and packaging firms are left after 80 quarters than under exit on solvency, in
    total over paired seeds 0-4 and in most of them (measured: 16, 95, 66, 48, 121 against 29,
    26, 15, 31, 30 — seed 0's whole cluster shrinks under the value rule; before spin-offs read the
    parent per plant of its stage: 105, 103, 25, 118, 125 against 24, 26, 34, 48, 28)."""
    from scenarios import load_scenario

    new, old = [], []
    for seed in range(5):
        for rule, out in ((1, new), (0, old)):
            m = load_scenario("datang_socks").with_overrides(going_concern_exit=rule).build(seed=seed)
            for _ in range(80):
                m.step()
            counts = np.bincount(m.population.stage[m.population.live].astype(int), minlength=7)
            out.append(int(counts[4] + counts[5]))
    assert sum(new) > sum(old), (new, old)
    assert sum(n > o for n, o in zip(new, old)) >= 3, (new, old)
