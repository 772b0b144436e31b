"""Firms as portfolios of product lines won from rivals (Klette & Kortum 2004; Sutton 2002).

An enterprise runs n_i ≥ 1 product lines (products, customers, markets) in its stage's market.
Each line is a plant-like unit of the same technology, so a firm of n lines produces
Q = A n^(1−α−β) L^α K^β and its profit-maximising size is proportional to n (`line_factor`).

Lines change hands by creative destruction within a stage (Klette & Kortum 2004, §II): each
quarter every line of a profitable enterprise yields an improvement on some product of its
market with probability λ_i = b · 1[π_i > 0] (b = `line_birth`: product development is financed
out of profit, KK's innovation investment), and each improvement takes over a line of the same
stage drawn uniformly from the stage's capturable lines (a firm may improve on its own line:
then nothing changes hands). A line is therefore lost at the stage's innovation rate

    μ_s = I_s / N_s,   I_s = Σ_{i∈s} Bin(n_i, λ_i),   N_s = Σ_{i∈s} (n_i − f_i),

and the stage's line count is conserved by the turnover itself: Σ_{i∈s} Δn_i = 0 before
obsolescence. The draw of the lines lost is exact: the I_s captured lines are a multivariate
hypergeometric draw of the stage's N_s lines (without replacement), so each firm loses
E[lost_i] = I_s (n_i − f_i) / N_s. f_i (`floor`) is a core line that cannot be taken (a lead
firm's: its size is in its knowledge and plant).

The winner of a line takes over its customers and hires a share s (`line_staff_share`) of the
workers who made it, L_i · lost_i / n_i from each loser, pooled by stage and shared among the
stage's winners in proportion to the lines they took (`follow_lines`): the local labour market
keeps the line's skills (labour pooling: Marshall 1890; Overman & Puga 2010), so the turnover
moves employment between firms of a stage instead of destroying it at once and rebuilding it
at the hiring speed. Then each firm adjusts toward its new optimum (model.production).

The market adds and drops lines only at the extensive margin: a line comes with each founder
(free entry: prospects come when the expected profit of their plant covers the entry cost, local
entrants follow the cluster's margin, `model.demography`), and an enterprise that exits
(insolvency, sustained losses) takes its lines with it; optionally a line goes out of use with
probability d (`line_loss`, default 0: the product goes out of fashion). So

    N_s,t+1 = N_s,t − Bin(N_s,t, d) + lines of founders − lines of exits,

pinned by the price through entry and exit, not by the incumbents' growth. Optionally (`line_variety`
ν > 0, default 0) incumbents also grow by new products: each line of a profitable enterprise yields
a new variety (a new product or customer, not a rival's) with probability ν, V_i ~ Bin(n_i, ν w_i),
developed before rivals strike, so the new line can be taken like any other (Simon 1955; Ijiri &
Simon 1977; Luttmer 2011: new lines go to firms in proportion to their size, the Yule–Simon
process), and the stage gains Σ V_i lines a quarter on top of the founders'. A firm's expected
line growth is λ_i + ν w_i − μ_s − d. Expected growth does not depend on n (Gibrat's law within the
profitable and within the unprofitable), and the sd of a firm's growth rate falls as 1/√n
(volatility falls with size: Stanley et al. 1996; Sutton 2002); heterogeneity in who innovates
(only the profitable, whose profit depends on knowledge and site) widens the tail (Lentz &
Mortensen 2008). An enterprise that loses its last line has nothing left to sell and exits
(`line_floor` = 0).

What this leaves: with d = 0 and no innovating entrants the profitable firms' expected growth
b (1 − s_s) (s_s the stage's share of lines in profitable firms) is never negative, so the
process is critical rather than sub-critical as in Klette & Kortum, where entrants' innovation
η makes μ = λ + η exceed every incumbent's λ; the largest firms keep growing slowly (docs/ODD.md
§7.14 gives the measured consequence).
"""

from __future__ import annotations

import numpy as np


def line_factor(lines, alpha: float, beta: float) -> np.ndarray:
    """n^(1−α−β): the TFP multiplier of n replicated lines (optimal size ∝ n)."""
    return np.maximum(np.asarray(lines, float), 1.0) ** (1.0 - alpha - beta)


def innovations(rng, lines, rate) -> np.ndarray:
    """I_i ~ Bin(n_i, λ_i): improvements made by each enterprise this quarter (n_i ≥ 1 rounded;
    `rate` a number or an array per enterprise in [0, 1])."""
    n = np.maximum(np.rint(np.asarray(lines, float)), 1).astype(np.int64)
    return rng.binomial(n, np.broadcast_to(np.asarray(rate, float), n.shape))


def captured(rng, capturable, group, taken) -> np.ndarray:
    """Lines each enterprise loses to the improvements of its group (stage): per group g,
    min(taken_g, N_g) lines drawn without replacement from the group's capturable lines
    (`numpy.random.Generator.multivariate_hypergeometric`), so Σ_{i∈g} lost_i = min(taken_g, N_g)
    exactly and E[lost_i] = taken_g · capturable_i / N_g.

    capturable: int array (n_i − f_i ≥ 0); group: int array of the same length; taken: int array
    indexed by group. Returns an int array like `capturable`."""
    capturable = np.asarray(capturable, np.int64)
    group = np.asarray(group, np.int64)
    lost = np.zeros_like(capturable)
    for g in np.flatnonzero(np.asarray(taken) > 0):
        rows = np.flatnonzero(group == g)
        pool = capturable[rows]
        total = int(pool.sum())
        if total == 0:
            continue
        lost[rows] = rng.multivariate_hypergeometric(pool, min(int(taken[g]), total), method="marginals")
    return lost


def relative_intensity(profit, lines, stage, elasticity: float, n_groups: int) -> np.ndarray:
    """w_i = 1[π_i > 0] (v_i / v̄_s)^ε: an enterprise's innovation intensity relative to its stage
    (Lentz & Mortensen 2008). v_i = π_i / n_i is the profit a line earns the firm (the value of
    one more line; Q ∝ n at the optimum, so v does not depend on n), v̄_s = Σ π_i / Σ n_i over the
    stage's profitable enterprises (the line-weighted mean), and ε the elasticity of the optimal
    innovation rate to the value of a line: with an innovation cost n c0 λ^(1+1/ε) per quarter the
    first-order condition c'(λ) = v gives λ ∝ v^ε (ε = 1: quadratic cost, Akcigit & Kerr 2018).
    ε = 0 gives w = 1[π > 0] (homogeneous intensity, Klette & Kortum 2004). 1-d arrays; returns w ≥ 0."""
    profit = np.asarray(profit, float)
    up = profit > 0
    if elasticity == 0:
        return up.astype(float)   # v^0 = 1 for every profitable firm: no stage means needed
    n = np.maximum(np.rint(np.asarray(lines, float)), 1)
    stage = np.asarray(stage, np.int64)
    line_count = np.bincount(stage, n * up, n_groups)
    ref = np.divide(np.bincount(stage, profit * up, n_groups), line_count, out=np.ones(n_groups),
                    where=line_count > 0)
    v = np.where(up, profit / n, 0.0) / ref[stage]
    return np.where(up, v ** elasticity, 0.0)


def turnover(rng, lines, profitable, stage, birth: float, floor=1, held=None) -> tuple[np.ndarray, np.ndarray]:
    """(gained, lost): lines each enterprise takes and loses by creative destruction within its
    stage this quarter (module docstring): gained ~ Bin(n, min(1, b w)) with w = `profitable`
    (bool 1[π > 0] or the relative intensity of `relative_intensity`); lost a multivariate
    hypergeometric draw of the stage's improvements from its capturable lines h − f (h = `held`,
    the lines held when rivals strike, n plus this quarter's new varieties; default n). Int arrays."""
    n = np.maximum(np.rint(np.asarray(lines, float)), 1).astype(np.int64)
    h = n if held is None else np.asarray(held, np.int64)
    f = np.minimum(np.broadcast_to(np.asarray(floor, np.int64), n.shape), n)
    stage = np.asarray(stage, np.int64)
    gained = innovations(rng, n, np.minimum(birth * np.asarray(profitable, float), 1.0))
    taken = np.bincount(stage, gained, minlength=int(stage.max(initial=0)) + 1).astype(np.int64)
    return gained, captured(rng, h - f, stage, taken)


def new_varieties(rng, lines, profitable, rate: float) -> np.ndarray:
    """V_i ~ Bin(n_i, min(1, ν w_i)): new products (varieties, customers) each enterprise develops
    this quarter, added to its lines without taking a rival's (Simon 1955; Ijiri & Simon 1977;
    Luttmer 2011: incumbents grow by new products at a rate per product, so the market's new lines
    go to firms in proportion to their size). ν = `line_variety`, w = `profitable` (bool 1[π > 0] or
    the relative intensity): development is financed out of profit. Int array."""
    if rate == 0:
        return np.zeros(np.shape(lines), np.int64)
    return innovations(rng, lines, np.minimum(rate * np.asarray(profitable, float), 1.0))


def update_lines(rng, lines, profitable, stage, birth: float, loss: float, floor=1, changes=None,
                 variety: float = 0.0) -> np.ndarray:
    """New line counts after a quarter of new varieties, creative destruction within each stage and
    obsolescence (module docstring): n' = n + V + G − C − Bin(n + V + G − C − f, d), never below
    `floor` (a number or an array per enterprise; floor 0: a firm left without a line exits).

    lines, profitable, stage: 1-d arrays over enterprises (stage: int, the market a line belongs
    to); birth b, loss d, variety ν: probabilities per line and quarter; `changes`, if a dict,
    receives the turnover's "gained" and "lost" arrays, the "varieties" developed and the lines
    "held" when rivals strike (n + V: the workers spread over them, `follow_lines`). Raises
    ValueError outside [0, 1]."""
    if not (0 <= birth <= 1 and 0 <= loss <= 1 and 0 <= variety <= 1):
        raise ValueError(f"line birth, loss and variety probabilities must be in [0, 1], "
                         f"got {birth!r}, {loss!r}, {variety!r}")
    n = np.maximum(np.rint(np.asarray(lines, float)), 1).astype(np.int64)
    f = np.minimum(np.broadcast_to(np.asarray(floor, np.int64), n.shape), n)
    varieties = new_varieties(rng, n, profitable, variety)
    held = n + varieties            # a new product is in the portfolio and can be taken like any line
    gained, lost = turnover(rng, n, profitable, stage, birth, f, held)
    if changes is not None:
        changes.update(gained=gained, lost=lost, varieties=varieties, held=held)
    n = held + gained - lost
    n = n - rng.binomial(np.maximum(n - f, 0), loss)
    return np.maximum(n, f).astype(float)


def follow_lines(workers, lines, gained, lost, stage, share: float, lost_share=None) -> np.ndarray:
    """Workers after the line turnover when the winner of a line hires a share s of the staff
    that worked on it (the local labour market keeps the line's skills: labour pooling,
    Marshall 1890; Overman & Puga 2010): each loser releases s · L_i · lost_i / n_i; the stage's
    released workers go to its winners in proportion to the lines they took, so each stage's
    employment is unchanged. `lost_share`, if given, replaces lost_i / n_i by the share of its
    plant-equivalents each firm lost (`niche_mass`). 1-d arrays; returns the new workers."""
    L = np.asarray(workers, float)
    n = np.maximum(np.asarray(lines, float), 1.0)
    stage = np.asarray(stage, np.int64)
    x = np.asarray(lost, float) / n if lost_share is None else np.asarray(lost_share, float)
    released = share * L * x
    groups = int(stage.max(initial=0)) + 1
    pool = np.bincount(stage, released, groups)
    took = np.bincount(stage, np.asarray(gained, float), groups)
    per_line = np.divide(pool, took, out=np.zeros(groups), where=took > 0)
    # a stage whose improvements all hit capturable lines has took > 0 whenever pool > 0
    return L - released + per_line[stage] * np.asarray(gained, float)


def stage_innovation_rate(lines, profitable, stage, birth: float, floor, n_groups: int) -> np.ndarray:
    """μ_s = Σ_{i∈s} n_i min(1, b w_i) / Σ_{i∈s} (n_i − f_i), w = `profitable` (bool or relative
    intensity): the expected loss rate of a capturable line of each stage (0 where a stage has
    none); array of length n_groups."""
    n = np.maximum(np.rint(np.asarray(lines, float)), 1)
    f = np.minimum(np.broadcast_to(np.asarray(floor, float), n.shape), n)
    stage = np.asarray(stage, np.int64)
    made = np.bincount(stage, n * np.minimum(birth * np.asarray(profitable, float), 1.0), n_groups)
    pool = np.bincount(stage, n - f, n_groups)
    return np.divide(made, pool, out=np.zeros(n_groups), where=pool > 0)


def entrants_take_lines(rng, lines, floor, stage, workers, entrant_stage, share: float):
    """Entry by creative destruction (Klette & Kortum 2004, §III: an entrant's first line is an
    improvement on a product of its market, taken from the incumbent that made it): each entrant
    of stage s takes one line drawn from the stage's capturable lines n − f (one multivariate
    hypergeometric draw per stage, `captured`), and hires the share s (`line_staff_share`) of the
    staff of the lines its stage's entrants took, shared equally among them (labour pooling, as in
    `follow_lines`). A stage with no capturable line left has nothing to take (its entrants' lines
    are new).

    lines, floor, stage, workers: 1-d arrays over incumbents; entrant_stage: int array over
    entrants. Returns (lost: int array over incumbents, released: float array over incumbents —
    the workers each incumbent hands over, hired: float array over entrants — the workers each
    entrant takes over, took: bool array over entrants — whether its line was taken)."""
    n = np.maximum(np.rint(np.asarray(lines, float)), 1).astype(np.int64)
    f = np.minimum(np.broadcast_to(np.asarray(floor, np.int64), n.shape), n)
    stage = np.asarray(stage, np.int64)
    entrant_stage = np.asarray(entrant_stage, np.int64)
    groups = int(max(stage.max(initial=0), entrant_stage.max(initial=0))) + 1
    wanted = np.bincount(entrant_stage, minlength=groups)
    pool = np.bincount(stage, n - f, groups).astype(np.int64)
    lost = captured(rng, n - f, stage, wanted)
    released = share * np.asarray(workers, float) * lost / n
    got = np.minimum(wanted, pool)                      # lines actually taken, per stage
    rank = np.zeros(len(entrant_stage), np.int64)       # the first got_s entrants of each stage took one
    for g in np.flatnonzero(wanted > 0):
        rank[entrant_stage == g] = np.arange(wanted[g])
    took = rank < got[entrant_stage]
    per = np.divide(np.bincount(stage, released, groups), got, out=np.zeros(groups), where=got > 0)
    return lost, released, np.where(took, per[entrant_stage], 0.0), took


def niche_mass(mass, lines, floor, workers, plant, gained, lost, stage) -> tuple[np.ndarray, np.ndarray]:
    """Plant-equivalents m after the turnover when a line keeps the size of the market niche it
    serves (`line_niche`): a firm is a collection of products and each product's size is set by
    its own market, not by the firm's other products (Klette & Kortum 2004, §II: with equal
    expenditure on every product, a firm's size is the sum of its products' markets, and a more
    productive firm earns more on a product, not a larger product).

    A firm holds n lines worth m plant-equivalents (`line_factor(m)`: the optimum is m times the
    firm's own plant). Its f core lines (`floor`, a lead firm's own plant) are worth one each and
    cannot be taken, so each capturable line carries (m − f)/(n − f) and the firm loses the share
    x_i = lost_i (m_i − f_i) / ((n_i − f_i) m_i) of its mass. The niche of a lost line is the
    workforce that served it, L_i x_i / lost_i (at every firm's optimum labour earns the share α
    of revenue, so workers measure the niche's sales at a common price and wage); the stage's
    niches are pooled and shared among its winners in proportion to the lines they took
    (ν_s workers per line, as `follow_lines` pools the workers), and a winner whose own plant
    employs ℓ_i workers per plant-equivalent (`plant`: max of its optimum and its staff per
    plant-equivalent) adds ν_s / ℓ_i plant-equivalents per line: an SME's line taken by a lead
    firm adds an SME line's output, not a replica of the lead's plant.

    mass, lines, floor, workers, plant, gained, lost, stage: 1-d arrays over enterprises (gained,
    lost from `turnover`). Returns (new mass ≥ 0, x: the share of its mass each firm lost)."""
    m = np.asarray(mass, float)
    n = np.maximum(np.rint(np.asarray(lines, float)), 1)
    f = np.minimum(np.broadcast_to(np.asarray(floor, float), n.shape), n)
    lost = np.asarray(lost, float)
    gained = np.asarray(gained, float)
    stage = np.asarray(stage, np.int64)
    per_capturable = np.divide(np.maximum(m - f, 0.0), n - f, out=np.zeros_like(m), where=n > f)
    x = np.divide(lost * per_capturable, m, out=np.zeros_like(m), where=m > 0)
    groups = int(stage.max(initial=0)) + 1
    niche = np.bincount(stage, np.asarray(workers, float) * x, groups)
    took = np.bincount(stage, gained, groups)
    per_line = np.divide(niche, took, out=np.zeros(groups), where=took > 0)
    own = np.asarray(plant, float)
    added = np.divide(gained * per_line[stage], own, out=gained.copy(), where=own > 0)
    return m * (1.0 - x) + added, x
