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
are conserved by creative destruction, so the loss rate is the innovation rate), found by
iterating the map μ → cross-section → μ from the one-line start's μ_s = b × the share of the
stage's enterprises that are profitable.

With persistent profitability the profitable grow at g = b (1 − s_s) while they last and their
ages are exponential, so their line counts have a Pareto tail of index δ / g (Reed 2001; Luttmer
2007, 2011) — set by the model's own rates, not by a target.
"""

from __future__ import annotations

import numpy as np

from model.product_lines import stage_innovation_rate

MAX_LINES = 10**8    # numerical: the line draws (multivariate hypergeometric) take fewer than 10^9 lines
REDRAWS = 200        # numerical: rounds of redrawing the histories that ended at zero lines
FIXED_POINT = 8      # numerical: iterations of μ → cross-section → μ


def stationary_ages(rng, n: int, hazard: float) -> np.ndarray:
    """(n,) int ages in quarters drawn from P(a) = δ (1 − δ)^a, a ≥ 0 (δ = `hazard` in (0, 1]):
    the ages of the firms alive in a stationary population with a constant exit hazard δ.
    Raises ValueError outside (0, 1]."""
    if not 0 < hazard <= 1:
        raise ValueError(f"the exit hazard of the start's ages must be in (0, 1], got {hazard!r}")
    return rng.geometric(hazard, n).astype(np.int64) - 1


def line_histories(rng, ages, innovate, loss) -> np.ndarray:
    """(n,) int lines after each firm's history of `ages` quarters from one line: each quarter
    n ← n + Bin(n, innovate_i) − Bin(n, loss_i); a history that reaches 0 stays at 0 (the firm
    exited). ages: int array; innovate, loss: per-firm probabilities a line is gained / lost in a
    quarter (arrays of the same length). Raises ValueError when the histories hold more than
    MAX_LINES lines (growth above the exit hazard: no stationary mean size)."""
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
        if n.sum() > MAX_LINES:
            raise ValueError(
                f"the age-structured start made more than {MAX_LINES} product lines: start_age_hazard is below the "
                f"profitable firms' line growth b (1 − s) (no finite mean size, Luttmer 2007); raise "
                f"start_age_hazard or lower line_birth")
    return n


def survivors(rng, profitable, stage, birth: float, hazard: float, loss_rate) -> tuple[np.ndarray, np.ndarray]:
    """(ages, lines) of enterprises alive at the start, each the survivor of a history at the
    stage's loss rate `loss_rate` (array indexed by stage): histories ending at zero lines are
    redrawn (new age, new history) up to REDRAWS times; what is left then opens with one line at
    age 0 (a founder of the start's quarter). profitable: (n,) bool; stage: (n,) int."""
    profitable = np.asarray(profitable, bool)
    stage = np.asarray(stage, np.int64)
    n = len(stage)
    ages, lines = np.zeros(n, np.int64), np.zeros(n, np.int64)
    todo = np.arange(n)
    innovate = birth * profitable
    for _ in range(REDRAWS):
        a = stationary_ages(rng, len(todo), hazard)
        got = line_histories(rng, a, innovate[todo], np.asarray(loss_rate, float)[stage[todo]])
        ages[todo], lines[todo] = a, got
        todo = todo[got == 0]
        if len(todo) == 0:
            break
    ages[todo], lines[todo] = 0, 1
    return ages, lines


def prehistory(rng, profitable, stage, birth: float, hazard: float, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(ages, lines): the start's enterprises as survivors of the line process over stationary
    ages (module docstring), with each stage's loss rate μ_s consistent with the cross-section it
    makes (FIXED_POINT iterations from the one-line start's μ_s). profitable: (n,) bool
    (1[π > 0] of each enterprise, held over its history); stage: (n,) int in [0, n_groups).
    Raises ValueError (`line_histories`) when δ is far below the profitable firms' growth b (1 − s_s)."""
    profitable = np.asarray(profitable, bool)
    stage = np.asarray(stage, np.int64)
    mu = stage_innovation_rate(np.ones(len(stage)), profitable, stage, birth, 0, n_groups)
    ages, lines = survivors(rng, profitable, stage, birth, hazard, mu)
    for _ in range(FIXED_POINT):
        mu = stage_innovation_rate(lines, profitable, stage, birth, 0, n_groups)
        ages, lines = survivors(rng, profitable, stage, birth, hazard, mu)
    return ages, lines


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
