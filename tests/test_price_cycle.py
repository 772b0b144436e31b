"""The price-cycle statistic of the economics report (experiments.economics_report.price_cycle)
against independent computations and the cases whose answer is known."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from experiments.economics_report import price_cycle


@settings(max_examples=25, deadline=None)
@given(arrays(float, (30, 3), elements=st.floats(0.1, 2.0)))
def test_autocorrelation_equals_pandas(prices):
    ac, amp = price_cycle(prices, burn_in=4)
    for j in range(prices.shape[1]):
        d = pd.Series(prices[4:, j]).diff().dropna()
        expected = d.autocorr(lag=1)
        if np.isnan(expected) or np.isnan(ac[j]):
            continue   # a constant run of changes: both undefined (pandas may still give a number)
        assert ac[j] == pytest.approx(expected, abs=1e-9)
        assert amp[j] == pytest.approx(np.abs(d).mean() / prices[4:, j].mean())


def test_cobweb_white_noise_and_trend():
    t = np.arange(200)
    alternating = 1.0 + 0.1 * (-1.0) ** t                       # period-2 cobweb
    noise = 1.0 + 0.05 * np.random.default_rng(0).standard_normal(200)   # iid level
    walk = 1.0 + np.cumsum(0.01 * np.random.default_rng(1).standard_normal(200))
    smooth = 1.0 + 0.1 * np.sin(2 * np.pi * t / 40)            # slow cycle
    ac, amp = price_cycle(np.column_stack([alternating, noise, walk, smooth]), burn_in=0)
    assert ac[0] < -0.99 and amp[0] > 0.19
    assert -0.65 < ac[1] < -0.35
    assert abs(ac[2]) < 0.2
    assert ac[3] > 0.9


def test_constant_price_is_undefined():
    ac, amp = price_cycle(np.full((20, 2), 0.8), burn_in=2)
    assert np.isnan(ac).all() and (amp == 0).all()


@pytest.mark.parametrize("pair, word", [("foo=1", "unknown parameter"), ("work_to_order=x", "takes a number")])
def test_report_rejects_bad_overrides_before_running(pair, word, capsys):
    from experiments.economics_report import main

    with pytest.raises(SystemExit) as exc:
        main(["--set", pair, "--seeds", "0", "--steps", "1"])
    assert exc.value.code == 2 and word in capsys.readouterr().err
