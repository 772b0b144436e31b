"""experiments/multiple_testing.py: paired sign-flip p-values, Holm and Benjamini–Hochberg adjustment, and
their use in the lever table (experiments/lever_effects.py `adjusted`). References are computed by hand here."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.multiple_testing import adjust, benjamini_hochberg, holm, sign_flip_p


def test_holm_and_bh_equal_the_hand_computation():
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    # Holm, m = 4 (NaN not counted): sorted 0.005, 0.01, 0.03, 0.04 × 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04;
    # running maximum 0.02, 0.03, 0.06, 0.06; back in the input order:
    np.testing.assert_allclose(holm(p), [0.03, 0.06, 0.06, 0.02, np.nan])
    # BH: p × m / rank = 0.02, 0.02, 0.04, 0.04; running minimum from the largest: unchanged
    np.testing.assert_allclose(benjamini_hochberg(p), [0.02, 0.04, 0.04, 0.02, np.nan])
    np.testing.assert_allclose(holm([0.3, 0.5, 0.2]), [0.6, 0.6, 0.6])            # 0.6, 0.6 (max), 0.5 → 0.6
    np.testing.assert_allclose(holm([0.6, 0.9]), [1.0, 1.0])                       # clipped at 1
    assert np.isnan(holm([np.nan])).all() and holm([]).size == 0


def test_adjusted_p_values_are_monotone_bounded_and_ordered():
    p = np.random.default_rng(3).uniform(size=40) ** 3
    h, b = holm(p), benjamini_hochberg(p)
    order = np.argsort(p)
    assert (np.diff(h[order]) >= 0).all() and (np.diff(b[order]) >= -1e-15).all()   # the raw order is kept
    assert (h >= p).all() and (b >= p - 1e-15).all() and (h <= 1).all() and (b <= 1).all()
    assert (h >= b - 1e-15).all()                    # FWER control is the stricter one
    assert holm([0.01])[0] == 0.01                   # one test: nothing to adjust


def test_sign_flip_p_equals_the_enumeration_of_every_sign_pattern():
    d = np.array([1.0, 2.0, 3.0, -0.5, 4.0])          # 2^5 = 32 patterns < n_resamples: the exact test
    means = np.array([np.mean(np.array(s) * d) for s in itertools.product((1, -1), repeat=len(d))])
    obs = d.mean()
    tol = 1e-12
    exact = 2 * min(np.mean(means >= obs - tol), np.mean(means <= obs + tol))
    assert sign_flip_p(d) == pytest.approx(min(1.0, exact))
    assert sign_flip_p(d) == pytest.approx(4 / 32)  # only all-plus and flipping -0.5 reach 1.9 or more


def test_sign_flip_p_edge_cases_and_symmetries():
    d = np.random.default_rng(1).normal(0.4, 1.0, 30)      # 2^30 patterns: random ones, seeded
    assert sign_flip_p(d, seed=5) == sign_flip_p(d, seed=5)   # deterministic given the seed
    assert sign_flip_p(-d, seed=5) == pytest.approx(sign_flip_p(d, seed=5))    # two-sided
    assert sign_flip_p(7.5 * d, seed=5) == pytest.approx(sign_flip_p(d, seed=5))   # scale-free
    assert sign_flip_p(np.zeros(10)) == 1.0
    assert np.isnan(sign_flip_p([1.0, 2.0])) and np.isnan(sign_flip_p([1.0, np.nan, 2.0, 3.0]))
    assert sign_flip_p(np.full(50, 3.0)) == pytest.approx(2 / 10_000)   # never 0: (b + 1) / (m + 1), two-sided


def test_sign_flip_p_falls_as_the_effect_grows():
    d = np.random.default_rng(2).normal(0.0, 1.0, 25) + 0.1
    ps = [sign_flip_p(d + c, seed=0) for c in np.linspace(0.0, 1.0, 11)]
    assert all(a >= b for a, b in zip(ps, ps[1:])) and ps[0] > 0.05 > ps[-1]


def test_sign_flip_p_is_uniform_under_a_null_and_holds_its_level():
    rng = np.random.default_rng(20261201)
    ps = np.array([sign_flip_p(rng.standard_t(4, size=20), seed=k, n_resamples=999) for k in range(400)])
    assert stats.kstest(ps, "uniform").pvalue > 0.01
    assert stats.binomtest(int((ps < 0.05).sum()), 400, 0.05).pvalue > 0.01      # about 20 of 400
    skewed = [sign_flip_p(rng.exponential(size=50) - 1.0, seed=k, n_resamples=999) for k in range(200)]
    assert np.mean(np.array(skewed) < 0.05) < 0.1     # not symmetric, mean 0: near its level (Romano 1990)


def test_adjust_works_within_each_family_and_leaves_others_out():
    t = pd.DataFrame({"g": ["a", "a", "a", "b", "b", "a"], "p_value": [0.01, 0.04, 0.02, 0.01, 0.9, 0.001]})
    member = pd.Series([True, True, True, True, True, False])
    out = adjust(t, ["g"], member)
    np.testing.assert_allclose(out["p_holm"][:5], [*holm([0.01, 0.04, 0.02]), *holm([0.01, 0.9])])
    np.testing.assert_allclose(out["p_bh"][:5], [*benjamini_hochberg([0.01, 0.04, 0.02]),
                                                 *benjamini_hochberg([0.01, 0.9])])
    assert np.isnan(out.loc[5, "p_holm"]) and out["told_holm"].isna().tolist() == [False] * 5 + [True]
    assert out["told_holm"][:5].tolist() == [True, True, True, True, False]     # 0.03, 0.04, 0.04, 0.02, 0.9


def test_lever_table_families_are_levers_per_outcome_and_control():
    from experiments.lever_effects import SHAM, adjusted

    rows = [("x", lever, ind, ctl, "lever", spent, p) for ind in ("y", "z") for ctl in ("reference", "pooled")
            for lever, spent, p in (("a", 10.0, 0.001), ("b", 10.0, 0.02), ("c", 10.0, 0.3), ("park", np.nan, 0.5))]
    rows += [("x", "b", "y", "pooled", "net", 4.0, 0.02), ("x", SHAM, "y", "reference", "lever", np.nan, 0.01)]
    t = pd.DataFrame(rows, columns=["arm", "lever", "indicator", "control", "cost", "per_unit", "p_value"])
    t["arm"] = t["lever"]
    out = adjusted(t)
    fam = out[(out.indicator == "y") & (out.control == "pooled") & (out.cost == "lever")].set_index("lever")
    np.testing.assert_allclose(fam.loc[["a", "b", "c"], "p_holm"], holm([0.001, 0.02, 0.3]))   # m = 3: park spent nothing
    assert np.isnan(fam.loc["park", "p_holm"]) and pd.isna(fam.loc["park", "told_holm"])
    net = out[out.cost == "net"].iloc[0]
    assert (net.p_holm, net.p_bh, net.told_holm) == (fam.loc["b", "p_holm"], fam.loc["b", "p_bh"], True)
    sham = out[out.lever == SHAM].iloc[0]
    assert np.isnan(sham.p_holm) and pd.isna(sham.told_holm) and sham.p_value == 0.01   # raw p kept, no family
