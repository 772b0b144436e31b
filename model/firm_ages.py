"""An age-structured start: the initial enterprises as survivors of the model's own line process
(issue 10, item 3: initial sizes consistent with the rules; docs/ODD.md §5, §7.14 (vii)).

A cluster observed at the start is a population of firms of different ages. With constant entry
and a constant exit hazard δ per quarter, the ages of the firms alive are geometric (the
stationary age distribution of a population with a constant hazard):

    P(a) = δ (1 − δ)^a,  a = 0, 1, 2, … quarters.

Each enterprise's product lines are what the line process of model.product_lines makes over its
age (a pre-history): it is founded with one line, and each quarter each of its n lines yields an
improvement that takes a rival's line with probability b w (b = `line_birth`, w = 1[π > 0]:
only the profitable innovate) and is lost to a rival's improvement at the stage's rate μ_s:

    n ← n + Bin(n, b w) − Bin(n, μ_s),   μ_s = b Σ_{i∈s} n_i w_i / Σ_{i∈s} n_i,

(the binomial limit, for a large stage, of the multivariate hypergeometric draw of
`product_lines.captured`; μ_s is `product_lines.stage_innovation_rate` with no core line). A firm
that loses its last line exits; the population observed is the survivors, so a firm whose
history ends at zero lines is redrawn (a new age and a new history) — the start is conditioned
on survival. μ_s is the stage's own loss rate in the cross-section the pre-history makes (lines
are conserved by creative destruction, so the loss rate is the innovation rate): the fixed point

    μ_s = F_s(μ_s) = b π_s L(μ_s) / (π_s L(μ_s) + 1 − π_s),

π_s the stage's share of profitable enterprises and L(μ) the expected lines of a profitable
survivor (an unprofitable one keeps exactly one), computed exactly from the Galton–Watson
branching of each line over the stationary ages (`age_sums`, `profitable_lines`; the large-stage
limit). F_s falls in μ and equals b wherever (1 − δ)(1 + b − μ) ≥ 1 (no finite mean size), so
μ − F_s(μ) has one root in [0, b], where the mean size is finite; it is found by Brent's bracketing
method (`stage_loss_rate`, scipy.optimize.brentq) to |μ − F(μ)| ≤ TOL, and the histories are then
drawn once at μ*_s. Iterating μ ← F(μ) does not converge where F′(μ*) < −1 (the final stage, where
about 20% are profitable: F′ ≈ −2.4, a 2-cycle between g ≈ 0 and g > δ). The realised cross-section
makes μ_s again up to sampling noise, which is large where the tail index δ / g is near 1.

With persistent profitability the profitable grow at g = b − μ*_s < δ / (1 − δ) while they last and
their ages are exponential, so their line counts have a Pareto tail of index ≈ δ / g (Reed 2001;
Luttmer 2007, 2011) — set by the model's own rates, not by a target.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

MAX_LINES = 10**8    # numerical: the line draws (multivariate hypergeometric) take fewer than 10^9 lines
REDRAWS = 200        # numerical: rounds of redrawing the histories that ended at zero lines
TOL = 1e-10          # numerical: |μ_s − F_s(μ_s)| allowed at the solved fixed point (per quarter)
MAX_ITER = 100       # numerical: iteration cap of the root finder (scipy.optimize.brentq) per stage
XTOL = 1e-15         # numerical: brentq's bracket width as a share of b (μ to float precision; F is steep near g = δ)
AGE_TAIL = 1e-14     # numerical: weight δ-share of the ages left out of the sums over ages, (1 − δ)^A
MAX_AGES = 10**5     # numerical: most ages summed; δ below LEAST_HAZARD (mean age > 775 years) is refused


def least_hazard(max_ages: int = MAX_AGES, tail: float = AGE_TAIL) -> float:
    """The least exit hazard δ whose ages can be summed (`ages_summed` ≤ `max_ages`): (1 − δ)^max_ages ≤
    `tail` ⇔ δ ≥ 1 − tail^(1/max_ages) (3.2231·10^-4 at the defaults), rounded up to 3 significant
    figures (3.23·10^-4), the spec's least positive `start_age_hazard` (model/line_params.py)."""
    exact = -np.expm1(np.log(tail) / max_ages)
    exponent = int(np.floor(np.log10(exact))) - 2
    return float(f"{int(np.ceil(exact / 10.0**exponent))}e{exponent}")


LEAST_HAZARD = least_hazard()


def stationary_ages(rng, n: int, hazard: float) -> np.ndarray:
    """(n,) int ages in quarters drawn from P(a) = δ (1 − δ)^a, a ≥ 0 (δ = `hazard` in (0, 1]):
    the ages of the firms alive in a stationary population with a constant exit hazard δ.
    Raises ValueError outside (0, 1]."""
    if not 0 < hazard <= 1:
        raise ValueError(f"the exit hazard of the start's ages must be in (0, 1], got {hazard!r}")
    return rng.geometric(hazard, n).astype(np.int64) - 1


def line_histories(rng, ages, innovate, loss, max_lines: int = MAX_LINES) -> np.ndarray:
    """(n,) int lines after each firm's history of `ages` quarters from one line: each quarter
    n ← n + Bin(n, innovate_i) − Bin(n, loss_i); a history that reaches 0 stays at 0 (the firm
    exited). ages: int array; innovate, loss: per-firm probabilities a line is gained / lost in a
    quarter (arrays of the same length). Raises ValueError when the histories hold more than
    `max_lines` lines (growth above the exit hazard, or a draw deep in a thick tail)."""
    ages = np.asarray(ages, np.int64)
    innovate = np.broadcast_to(np.asarray(innovate, float), ages.shape)
    loss = np.broadcast_to(np.asarray(loss, float), ages.shape)
    n = np.ones(len(ages), np.int64)
    for t in range(int(ages.max(initial=0))):
        go = np.flatnonzero((ages > t) & (n > 0))
        if len(go) == 0:
            break
        k = n[go]
        n[go] = k + rng.binomial(k, innovate[go]) - rng.binomial(k, loss[go])
        if n.sum() > max_lines:
            raise ValueError(
                f"the age-structured start made more than {max_lines:,} product lines: the profitable firms' line "
                f"growth b − μ is near or above start_age_hazard (a thick tail or no finite mean size, Luttmer 2007); "
                f"raise start_age_hazard or lower line_birth")
    return n


def survivors(rng, profitable, stage, birth: float, hazard: float, loss_rate,
              max_lines: int = MAX_LINES) -> tuple[np.ndarray, np.ndarray]:
    """(ages, lines) of enterprises alive at the start, each the survivor of a history at the
    stage's loss rate `loss_rate` (array indexed by stage): histories ending at zero lines are
    redrawn (new age, new history) up to REDRAWS times; what is left then opens with one line at
    age 0 (a founder of the start's quarter). profitable: (n,) bool; stage: (n,) int. Raises
    ValueError (`line_histories`) when a round's histories hold more than `max_lines` lines."""
    profitable = np.asarray(profitable, bool)
    stage = np.asarray(stage, np.int64)
    n = len(stage)
    ages, lines = np.zeros(n, np.int64), np.zeros(n, np.int64)
    todo = np.arange(n)
    innovate = birth * profitable
    for _ in range(REDRAWS):
        a = stationary_ages(rng, len(todo), hazard)
        got = line_histories(rng, a, innovate[todo], np.asarray(loss_rate, float)[stage[todo]], max_lines)
        ages[todo], lines[todo] = a, got
        todo = todo[got == 0]
        if len(todo) == 0:
            break
    ages[todo], lines[todo] = 0, 1
    return ages, lines


def ages_summed(hazard: float) -> int:
    """A, the number of ages a = 0 … A − 1 the sums over P(a) = δ (1 − δ)^a take: the least with
    (1 − δ)^A ≤ AGE_TAIL (the ages left out weigh at most AGE_TAIL, against a sum ≥ δ). Raises
    ValueError outside (0, 1] or when A > MAX_AGES (δ too small for the pre-history to be summed)."""
    if not 0 < hazard <= 1:
        raise ValueError(f"the exit hazard of the start's ages must be in (0, 1], got {hazard!r}")
    terms = 1 if hazard == 1 else int(np.ceil(np.log(AGE_TAIL) / np.log1p(-hazard)))
    if terms > MAX_AGES:
        raise ValueError(f"start_age_hazard {hazard!r} gives the start's firms a mean age of {(1 - hazard) / hazard:,.0f} "
                         f"quarters: the pre-history would run over more than {MAX_AGES:,} ages; allowed: 0 (off) or "
                         f"at least {least_hazard():g}")
    return max(terms, 1)


def age_sums(birth: float, loss: float, hazard: float) -> tuple[float, float]:
    """(S, M) for a profitable firm's history from one line at gain rate b = `birth` and loss rate
    μ = `loss` per line and quarter: S = Σ_a δ (1 − δ)^a P(n_a > 0), the chance a drawn history
    survives, and M = Σ_a δ (1 − δ)^a E n_a = δ / (1 − (1 − δ)(1 + b − μ)) (inf when (1 − δ)(1 + b − μ)
    ≥ 1: no finite mean size). Each line is a Galton–Watson branch with offspring pgf f(z) = (1 − b
    + b z)((1 − μ) z + μ) (`line_histories`' step), so q_a = P(n_a > 0) follows q_0 = 1,
    q_{a+1} = 1 − f(1 − q_a) = q_a (1 + b − μ − b (1 − μ) q_a) (Athreya & Ney 1972, I.1)."""
    m, c, keep = 1.0 + birth - loss, birth * (1.0 - loss), 1.0 - hazard
    q, w, s = 1.0, hazard, 0.0
    for _ in range(ages_summed(hazard)):
        s += w * q
        q *= m - c * q
        w *= keep
    return s, (hazard / (1.0 - keep * m) if keep * m < 1.0 else np.inf)


def profitable_lines(birth: float, loss: float, hazard: float) -> float:
    """E lines of a profitable enterprise at the start as `survivors` draws it: with S, M of
    `age_sums`, a history is kept with probability S (mean lines M / S when kept) and redrawn
    otherwise, REDRAWS times, after which it opens with one line: (1 − (1 − S)^R) M / S + (1 − S)^R
    (inf with M). An unprofitable one only loses lines, so it survives with exactly one."""
    s, m = age_sums(birth, loss, hazard)
    left = (1.0 - s) ** REDRAWS
    return (1.0 - left) * m / s + left


def expected_rate(loss: float, share: float, birth: float, hazard: float) -> float:
    """F(μ) = b π L(μ) / (π L(μ) + 1 − π): the loss rate μ_s (`product_lines.stage_innovation_rate`,
    no core line) of the cross-section the pre-history makes at loss rate μ = `loss` in a stage where
    the share π = `share` of the enterprises is profitable, in the large-stage limit; L(μ) =
    `profitable_lines`. b where L is infinite (π > 0). Decreasing in μ: more loss, fewer lines."""
    if share <= 0 or birth <= 0:
        return 0.0
    lines = share * profitable_lines(birth, loss, hazard)
    return birth if np.isinf(lines) else birth * lines / (lines + 1.0 - share)


def stage_loss_rate(share: float, birth: float, hazard: float, stage: int = 0, tol: float = TOL,
                    max_iter: int = MAX_ITER) -> float:
    """μ* = F(μ*) (`expected_rate`) of one stage, found by Brent's bracketing method
    (scipy.optimize.brentq) on h(μ) = μ − F(μ) over [0, b]: h(0) ≤ 0 ≤ h(b) since 0 ≤ F ≤ b, and h
    rises (F falls), so the root is unique. Raises ValueError naming the stage and the last iterates
    if it does not converge in `max_iter` iterations or |h(μ*)| > `tol`."""
    if share <= 0 or birth <= 0:
        return 0.0
    if share >= 1:
        return float(birth)                  # F ≡ b: every line is a profitable firm's
    seen = []

    def gap(mu):
        seen.append((mu, expected_rate(mu, share, birth, hazard)))
        return seen[-1][0] - seen[-1][1]

    mu, info = brentq(gap, 0.0, birth, xtol=XTOL * birth, maxiter=max_iter, full_output=True, disp=False)
    residual = abs(gap(mu))
    if not info.converged or residual > tol:
        last = ", ".join(f"μ {a:.6g} → F {f:.6g}" for a, f in seen[-4:])
        raise ValueError(f"the age-structured start's loss rate of stage {stage} did not converge (brentq: "
                         f"{info.flag}, {info.iterations} iterations, |μ − F(μ)| = {residual:.3g} > {tol:.3g}; "
                         f"last iterates {last}); start_age_hazard {hazard!r}, line_birth {birth!r}")
    return float(mu)


def loss_rates(profitable, stage, birth: float, hazard: float, n_groups: int, tol: float = TOL,
               max_iter: int = MAX_ITER) -> np.ndarray:
    """(n_groups,) μ*_s: each stage's loss rate consistent with the cross-section the pre-history
    makes (`stage_loss_rate` at the stage's share of profitable enterprises; 0 in an empty stage).
    profitable: (n,) bool; stage: (n,) int in [0, n_groups)."""
    stage = np.asarray(stage, np.int64)
    count = np.bincount(stage, minlength=n_groups)[:n_groups]
    made = np.bincount(stage, np.asarray(profitable, float), n_groups)
    share = np.divide(made, count, out=np.zeros(n_groups), where=count > 0)
    return np.array([stage_loss_rate(float(share[s]), birth, hazard, s, tol, max_iter) for s in range(n_groups)])


def prehistory(rng, profitable, stage, birth: float, hazard: float, n_groups: int, tol: float = TOL,
               max_iter: int = MAX_ITER, max_lines: int = MAX_LINES) -> tuple[np.ndarray, np.ndarray]:
    """(ages, lines): the start's enterprises as survivors of the line process over stationary
    ages (module docstring), drawn (`survivors`) at each stage's fixed-point loss rate μ*_s
    (`loss_rates`, to `tol` in at most `max_iter` iterations). profitable: (n,) bool (1[π > 0] of
    each enterprise, held over its history); stage: (n,) int in [0, n_groups). Raises ValueError
    before any draw when the expected lines at the fixed point, Σ_s (P_s L(μ*_s) + U_s), exceed
    `max_lines` (δ too small against b: the sizes are ∝ 1/δ), or when δ is too small to sum
    (`ages_summed`) or the solve does not converge (`stage_loss_rate`)."""
    profitable = np.asarray(profitable, bool)
    stage = np.asarray(stage, np.int64)
    mu = loss_rates(profitable, stage, birth, hazard, n_groups, tol, max_iter)
    made = np.bincount(stage, profitable, n_groups)
    per_firm = np.array([profitable_lines(birth, mu[s], hazard) if made[s] else 1.0 for s in range(n_groups)])
    expected = float(np.sum(made * per_firm) + np.sum(~profitable))
    if not expected <= max_lines:
        raise ValueError(f"the age-structured start would make {expected:.3g} product lines in expectation at its "
                         f"fixed point, more than {max_lines:,}: start_age_hazard {hazard!r} is too small against "
                         f"line_birth {birth!r} (sizes ∝ b / δ); raise start_age_hazard or lower line_birth")
    return survivors(rng, profitable, stage, birth, hazard, mu, max_lines)


def niche_histories(rng, ages, sd: float, drift: float) -> np.ndarray:
    """(n,) log niche demand u after each firm's `ages` quarters of model.niche_demand's walk from
    u = 0 at founding (u' = u + σ ε − σ²/2 + d; d the market's drift, model.niche_growth), drawn
    exactly: u = (d − σ²/2) a + σ √a Z, Z ~ N(0, 1). Exit in the pre-history depends on lines only,
    so u is independent of survival given the age (Reed 2001's size-independent hazard)."""
    a = np.asarray(ages, float)
    return (drift - 0.5 * sd * sd) * a + sd * np.sqrt(a) * rng.standard_normal(a.shape)


def line_scale(lines, workers, stage, n_groups: int) -> np.ndarray:
    """(n_groups,) n̄_s = Σ_{i∈s} n_i L_i / Σ_{i∈s} L_i: the factor by which the stage's employment
    grows when each enterprise of the one-line start (workers L_i at its optimum) runs n_i lines
    (the optimum is ∝ n, model.product_lines.line_factor); 1 where a stage has no workers.
    Dividing each line's plant by n̄_s (TFP × n̄_s^−(1−α−β)) keeps the start's employment."""
    stage = np.asarray(stage, np.int64)
    L = np.asarray(workers, float)
    total = np.bincount(stage, L, n_groups)
    return np.divide(np.bincount(stage, np.asarray(lines, float) * L, n_groups), total,
                     out=np.ones(n_groups), where=total > 0)
