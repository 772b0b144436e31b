"""Paired p-values and their adjustment for a family of tests (several levers read together).

**Per-row p-value** (`sign_flip_p`): the paired sign-flip permutation test of H0 "the mean of the
paired differences d_1 … d_n is 0" (Fisher 1935, *The Design of Experiments*, §21: Darwin's paired
plants; scipy.stats.permutation_test with one sample and permutation_type="samples" changes the
sign of each d_k independently). Two-sided: twice the smaller one-sided share of the 2ⁿ sign
patterns (all of them for n ≤ 13, else `n_resamples` random ones drawn from `seed`, counted as
(b + 1)/(m + 1), Phipson & Smyth 2010, so p is never 0 and the test keeps its level). It is exact
when d is symmetric about 0 under H0 — a lever arm with no effect is exchangeable with its control
arm, replication by replication — and, for the mean with i.i.d. differences, asymptotically valid
without symmetry (Romano 1990, *JASA* 85:686–692: the sign-change distribution of √n·mean(d)
tends to N(0, E d²), which is the sampling law under H0), which covers a lever against the mean of
several control arms. H0 mean ΔB = 0 is the per-unit figure's H0 too whenever mean ΔS ≠ 0, so one
p-value serves the effect and its per-unit ratio. It is a test, not the BCa interval inverted: near
the boundary "p < 0.05" and "the 95% BCa interval excludes 0" can disagree.

**Family-wise** (`holm`): Holm's (1979, *Scand. J. Statist.* 6:65–70) step-down adjustment,
p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)) for the p-values sorted ascending; rejecting
p̃ < α controls the chance of any false "told from zero" in the family at α under any dependence
between the tests (levers sharing one control arm are dependent).

**False discovery rate** (`benjamini_hochberg`): Benjamini & Hochberg (1995, *JRSS B* 57:289–300),
scipy.stats.false_discovery_control(method="bh"); it controls the expected share of false
discoveries among those made under independence or positive dependence (Benjamini & Yekutieli 2001,
*Ann. Statist.* 29:1165–1188); for two-sided tests sharing a control that is not guaranteed, which
is why Holm is the table's marker and BH is shown beside it.

NaN p-values (no test: too few replications, nothing spent) are outside every family: they stay
NaN and do not count in m.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from experiments.conventions import DEFAULT_SEED, MIN_INTERVAL_N

#: Random sign patterns when 2ⁿ exceeds them (p ≥ 1/(N + 1) = 1e-4: below Holm's 0.05/12 threshold).
N_RESAMPLES = 9999


def sign_flip_p(d, seed: int = DEFAULT_SEED, n_resamples: int = N_RESAMPLES) -> float:
    """Two-sided paired sign-flip permutation p-value of mean(d) = 0 (see the module docstring).

    `d`: 1-D paired differences (n replications). Returns a float in (0, 1]; 1.0 when every d is 0;
    NaN for n < MIN_INTERVAL_N (as the intervals: with 2 the test has 4 sign patterns) or a
    non-finite d. Deterministic given `seed`.
    """
    d = np.asarray(d, float).ravel()
    if len(d) < MIN_INTERVAL_N or not np.isfinite(d).all():
        return np.nan
    if not np.any(d):
        return 1.0
    res = stats.permutation_test((d,), lambda x, axis=-1: np.mean(x, axis=axis), permutation_type="samples",
                                 vectorized=True, n_resamples=n_resamples, alternative="two-sided",
                                 rng=np.random.default_rng(seed))
    return float(min(1.0, res.pvalue))


def holm(p) -> np.ndarray:
    """Holm step-down adjusted p-values of `p` (1-D, any order; NaN ignored and kept NaN), same order.

    p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)), m = the number of non-NaN p (Holm 1979)."""
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size:
        order = ok[np.argsort(p[ok], kind="stable")]
        m = ok.size
        out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return out


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values of `p` (1-D; NaN ignored and kept NaN), same order."""
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def adjust(table: pd.DataFrame, family: list[str], member: pd.Series, level: float = 0.95,
           p: str = "p_value") -> pd.DataFrame:
    """`table` with p_holm, p_bh and told_holm (p_holm < 1 − level) added, adjusting column `p` within
    each group of the `family` columns over the rows where `member` (a boolean Series on table's
    index) is true. Other rows get NaN and told_holm NA (nullable boolean)."""
    t = table.copy()
    t["p_holm"], t["p_bh"] = np.nan, np.nan
    for _, rows in t[member.reindex(t.index, fill_value=False)].groupby(family, sort=False):
        t.loc[rows.index, "p_holm"] = holm(rows[p])
        t.loc[rows.index, "p_bh"] = benjamini_hochberg(rows[p])
    t["told_holm"] = pd.array([pd.NA if np.isnan(q) else bool(q < 1 - level) for q in t["p_holm"]], dtype="boolean")
    return t
