"""Joint conditions on a resolved parameter set: what no parameter's own range can say.

Each parameter of `model.params` is checked against its own range by `check_value`. Some
combinations of allowed values still have no finite or consistent model, or would exhaust the
machine before the first quarter; `violations(params, steps)` finds them, *before* anything is
allocated, and names the keys involved. It is called by `model.params.resolve_params` (so the
model refuses them whatever builds it) and by the scenario checks (`scenarios.checks`), which
name the file that set the key.

The rules, and why they are the real conditions:

* **Decreasing returns**: α + β < 1 (`labour_share` + `capital_share`). The joint optimum of a
  Cobb–Douglas enterprise, Q*^(1−α−β) = A (α v / c_L)^α (β v / c_K)^β (model/production.py),
  exists only then.
* **User cost of capital**: c_K = `interest_rate` + `depreciation` > 0, else K* = β v Q / c_K
  is infinite (capital costs nothing to hold).
* **Initial labour demand can fit the region**: every initial enterprise is first sized at its
  profit-maximising size at the outside prices, L* ∝ [A (α/c_L)^α (β/c_K)^β v]^(1/(1−α−β)) with lognormal knowledge
  (log sd σ = `knowledge_dispersion`). The expected total over N enterprises is
  N · L*(median) · exp(½ (σ / (1−α−β))²): the exponent 1/(1−α−β) turns a small user cost, a
  sum α + β near 1 or a wide knowledge dispersion into astronomically large plants. What the
  start can make of it must not exceed the residents of the grid, `labour_density` × `plant_scale` × `width` × `height` (no enterprise can
  employ people who do not exist). L*(median) uses the documented normalisation: each of the
  n_stages + 1 stages adds an equal share v = P / (n_stages + 1) of the initial price P, the
  wage is `base_wage` plus `land_per_worker` × `base_rent`, the productivity
  A = `tfp` (n_stages + 1)/4 × `initial_knowledge` (`lead_knowledge` for lead firms). The
  start's fixed point (agents/start.py) then moves workers a share `adjustment` toward their
  target per round, for `init_iterations` rounds, so it can shrink them at most by
  (1 − adjustment)^init_iterations: the expected total times that factor must fit.
* **Enterprises over the run fit in memory**: the initial enterprises, `base_entry` entrants
  a quarter, and every prospect that could come (`outside_prospects` + `lead_prospects` +
  `founder_candidates` a quarter: money buys no fixed number of firms, it only pays prospects
  who consider the cluster, model/entry_decision.py) must stay within `max_enterprises`.
* **The grid fits in memory**: `width` × `height` ≤ `max_grid_cells`. The grid's layers, the
  fields and their FFT temporaries peak at ≈ 1.2 KB per cell (tracemalloc over construction
  and two quarters of 300 × 300 and 600 × 600 grids: 1,183 bytes per extra cell), so the
  default bound of 1,000,000 cells is ≈ 1.2 GB; 2000 × 2000 would need ≈ 4.5 GiB.
* **The age-structured start's lines fit**: with `start_age_hazard` δ > 0, each initial SME is drawn
  with the lines the line process makes over a stationary age (model/firm_ages.py), and the draw is
  refused above `firm_ages.MAX_LINES` lines in all. At each stage's fixed point the expected lines per
  enterprise are 1 + π (L(μ*) − 1) ≤ 1 + b/δ (b = `line_birth`; computed over profitable shares π
  0.01–0.99, b 0.001–1 and δ 0.001–0.2: at most 1 + 0.988 b/δ, tests/test_param_ranges.py), so
  (`n_firms` + `n_suppliers`) (1 + b/δ) ≤ MAX_LINES is required (sufficient, not necessary: the
  share of profitable enterprises is known only once the start is built).
* **Stages exist**: `stage_shares` and `stage_scale` list one entry per stage (`n_stages`);
  `dirty_stage` is −1 or a stage 0 … n_stages; the market gateway lies on the grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STAGE_SCALE_RANGE = (0.01, 1000.0)   # relative plant size of a supplier stage (see params.stage_scale)
STAGE_WEIGHT_MAX = 1e6               # relative weights: only ratios matter, kept summable
BYTES_PER_CELL = 1200                # peak memory per grid cell (params.max_grid_cells: measured)


@dataclass(frozen=True)
class Violation:
    """A joint condition the parameters break: the keys involved (the first is the one to
    change), what is wrong (with the figures), and what is allowed."""

    keys: tuple[str, ...]
    message: str
    allowed: str

    def __str__(self) -> str:
        return f"{self.keys[0]}: {self.message}; allowed: {self.allowed}"


def violations(p: dict, steps: int | None = None, levers_used: dict | None = None, given=()) -> list[Violation]:
    """Every joint condition `p` (a resolved parameter dict, every key present) breaks.

    steps: the run length (default `p["default_steps"]`). levers_used: the largest value each
    lever takes over the run (default: the initial values in `p`; a policy schedule may raise
    them). given: the keys the caller set (named first among a rule's keys). Pure and cheap:
    nothing of the size it checks is allocated.
    """
    steps = int(p["default_steps"] if steps is None else steps)
    out = _stage_rules(p) + _grid_rules(p)
    out += _production_rules(p) + _start_rules(p)
    out += _resource_rules(p, steps, levers_used or {})
    given = set(given)
    return [Violation(tuple(sorted(v.keys, key=lambda k: k not in given)), v.message, v.allowed) for v in out]


def message(found: list[Violation]) -> str:
    """One line per violation (for a ValueError)."""
    return "\n".join(str(v) for v in found)


# --- the rules ------------------------------------------------------------------------------
def _stage_rules(p: dict) -> list[Violation]:
    S, out = p["n_stages"], []
    shares = p["stage_shares"]
    if shares:
        if len(shares) != S:
            out.append(Violation(("stage_shares", "n_stages"), f"{len(shares)} weights for {S} stages",
                                 f"a list of {S} non-negative weights (one per stage, n_stages = {S})"))
        elif not all(_number(w) and 0 <= w <= STAGE_WEIGHT_MAX for w in shares) or sum(shares) <= 0:
            why = "all weights are zero" if all(w == 0 for w in shares) else f"weights {list(shares)}"
            out.append(Violation(("stage_shares",), why, f"{S} numbers in [0, {STAGE_WEIGHT_MAX:g}], not all zero"))
    scale = p["stage_scale"]
    low, high = STAGE_SCALE_RANGE
    if scale:
        if len(scale) != S:
            out.append(Violation(("stage_scale", "n_stages"), f"{len(scale)} factors for {S} stages",
                                 f"a list of {S} factors in [{low}, {high:g}] (one per stage, n_stages = {S})"))
        elif not all(_number(f) and low <= f <= high for f in scale):
            out.append(Violation(("stage_scale",), f"factors {list(scale)}",
                                 f"{S} numbers in [{low}, {high:g}] (relative plant size)"))
    if p["dirty_stage"] > S:
        out.append(Violation(("dirty_stage", "n_stages"), f"stage {p['dirty_stage']} does not exist "
                             f"(stages are 0 … {S}, n_stages = {S})", f"-1 (none) or an integer in [0, {S}]"))
    return out


def _grid_rules(p: dict) -> list[Violation]:
    out = []
    cells, cap = p["width"] * p["height"], p["max_grid_cells"]
    if cells > cap:
        out.append(Violation(("width", "height", "max_grid_cells"),
                             f"a {p['width']} × {p['height']} grid has {cells:,} cells, more than max_grid_cells = "
                             f"{cap:,} (≈ {BYTES_PER_CELL} bytes per cell at peak: {cells * BYTES_PER_CELL / 2**30:.1f} GiB)",
                             f"width × height ≤ {cap:,} (e.g. {math.isqrt(cap)} × {math.isqrt(cap)}), or a larger "
                             f"max_grid_cells (at most 4,000,000) if the machine has the memory"))
    for axis, size in (("market_x", p["width"]), ("market_y", p["height"])):
        if p[axis] >= size:
            out.append(Violation((axis, "width" if axis == "market_x" else "height"),
                                 f"outside the {p['width']} × {p['height']} grid",
                                 f"-1 (grid centre) or an integer in [0, {size - 1}]"))
    return out


def _production_rules(p: dict) -> list[Violation]:
    alpha, beta = p["labour_share"], p["capital_share"]
    if alpha + beta >= 1.0:
        key = "capital_share" if beta >= alpha else "labour_share"
        return [Violation((key, "labour_share", "capital_share"),
                          f"labour_share + capital_share must be < 1 (decreasing returns; without them no "
                          f"enterprise has a finite optimal size), here {alpha} + {beta} = {alpha + beta:g}",
                          "labour_share + capital_share < 1")]
    user_cost = p["interest_rate"] + p["depreciation"]
    if not user_cost > 0:
        return [Violation(("interest_rate", "depreciation"),
                          "interest_rate + depreciation = 0: capital would cost nothing to hold, so the "
                          "optimal capital K* = β v Q / (interest_rate + depreciation) is infinite",
                          "interest_rate + depreciation > 0")]
    demand, supply = initial_labour_demand(p), p["labour_density"] * p["plant_scale"] * p["width"] * p["height"]
    a, n = p["adjustment"], p.get("init_iterations", 0)
    floor = demand * (1.0 - a) ** n
    if not floor <= supply:  # also catches an overflow to inf or nan
        return [Violation(_size_culprits(p),
                          f"the initial enterprises' profit-maximising workforce at the outside prices is "
                          f"{demand:.3g} workers (expected); the start's fixed point moves workers at most a share "
                          f"adjustment = {a:g} toward their target in each of init_iterations = {n} rounds, so "
                          f"the run would open with at least {floor:.3g}, more than the {supply:.3g} who live on "
                          f"the grid (labour_density × plant_scale × width × height); the optimum grows as [A (α/c_L)^α (β/c_K)^β v]^(1/(1−α−β)) · "
                          f"exp(½(σ/(1−α−β))²), here with 1/(1−α−β) = {1 / (1 - alpha - beta):.3g}, "
                          f"c_K = interest_rate + depreciation = {user_cost:g}, σ = knowledge_dispersion = "
                          f"{p['knowledge_dispersion']:g}",
                          "a smaller labour_share + capital_share, a larger interest_rate + depreciation, a "
                          "larger base_wage, adjustment or init_iterations, a "
                          "smaller knowledge_dispersion, tfp or initial_knowledge, fewer enterprises (n_firms, "
                          "n_suppliers), or more labour (labour_density, width, height)")]
    return []


def _start_rules(p: dict) -> list[Violation]:
    from model.firm_ages import MAX_LINES

    hazard, birth, firms = p["start_age_hazard"], p["line_birth"], p["n_firms"] + p["n_suppliers"]
    if not hazard > 0 or firms * (1.0 + birth / hazard) <= MAX_LINES:
        return []
    return [Violation(("start_age_hazard", "line_birth", "n_firms", "n_suppliers"),
                      f"the age-structured start could make up to {firms * (1.0 + birth / hazard):.3g} product lines "
                      f"((n_firms + n_suppliers) × (1 + line_birth / start_age_hazard) = {firms:,} × (1 + {birth:g} / "
                      f"{hazard:g})), more than the {MAX_LINES:,} its draw holds (model/firm_ages.py)",
                      f"(n_firms + n_suppliers) × (1 + line_birth / start_age_hazard) ≤ {MAX_LINES:.0e}: a larger "
                      f"start_age_hazard, a smaller line_birth or fewer enterprises")]


def initial_labour_demand(p: dict) -> float:
    """Expected workers of the initial enterprises at their profit-maximising size (see the
    module docstring): Σ over SMEs and lead firms of N · L*(median knowledge) · exp(½(σ/(1−α−β))²).
    Returns inf when the figure overflows."""
    from model import market, production

    alpha, beta = p["labour_share"], p["capital_share"]
    S = p["n_stages"]
    price = market.clearing_price(p["demand_level"], 1.0, p["demand_elasticity"], p["price_ceiling"])
    unit_labour = p["base_wage"] + p["land_per_worker"] * p["base_rent"]
    tail = 0.5 * (p["knowledge_dispersion"] / (1.0 - alpha - beta)) ** 2
    total = 0.0
    for count, knowledge in ((p["n_firms"] + p["n_suppliers"], p["initial_knowledge"]),
                             (p["n_lead_firms"], p["lead_knowledge"])):
        if count == 0:
            continue
        A = p["tfp"] * (S + 1) / 4.0 * knowledge * p["plant_scale"] ** (1.0 - alpha - beta)
        try:
            with _quiet():
                L, _ = production.optimal_size(price / (S + 1), A, unit_labour,
                                               p["interest_rate"] + p["depreciation"], alpha, beta)
            total += count * float(L) * math.exp(min(tail, 700.0))
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return total if math.isfinite(total) else math.inf


def _size_culprits(p: dict) -> tuple[str, ...]:
    """The keys to name for an oversized initial workforce, the most extreme first."""
    alpha, beta = p["labour_share"], p["capital_share"]
    keys = []
    if alpha + beta > 0.9:
        keys += ["capital_share" if beta >= alpha else "labour_share"]
    if p["interest_rate"] + p["depreciation"] < 0.01:
        keys += ["interest_rate", "depreciation"]
    if p["knowledge_dispersion"] / (1 - alpha - beta) > 1.5:
        keys += ["knowledge_dispersion"]
    keys += ["labour_share", "capital_share", "interest_rate", "depreciation", "knowledge_dispersion",
             "tfp", "initial_knowledge", "width", "height", "labour_density", "n_firms", "n_suppliers",
             # every other key of L* and of the bound (so the key a user set is the one named)
             "base_wage", "land_per_worker", "base_rent", "demand_level", "demand_elasticity", "price_ceiling",
             "n_stages", "plant_scale", "adjustment", "init_iterations", "n_lead_firms", "lead_knowledge"]
    return tuple(dict.fromkeys(keys))


def _resource_rules(p: dict, steps: int, levers_used: dict) -> list[Violation]:
    """Enterprises that could exist over the run, against `max_enterprises` (`levers_used` is
    accepted for the callers: lever money does not raise the bound, prospects do)."""
    initial = p["n_firms"] + p["n_suppliers"] + p["n_lead_firms"]
    organic = p["base_entry"] * steps
    prospects = (p["outside_prospects"] + p["lead_prospects"] + p["founder_candidates"]) * steps
    total, cap = initial + organic + prospects, p["max_enterprises"]
    if total <= cap:
        return []
    keys = (["outside_prospects", "founder_candidates", "lead_prospects"] if prospects >= max(organic, initial) else
            ["base_entry"] if organic >= initial else ["n_firms", "n_suppliers"])
    return [Violation((*keys, "max_enterprises"),
                      f"up to {total:.3g} enterprises over {steps} quarter{'' if steps == 1 else 's'} ({initial:,} initial, "
                      f"{organic:.3g} from base_entry × steps, {prospects:.3g} prospects who could come: "
                      f"(outside_prospects + lead_prospects + founder_candidates) × steps), "
                      f"more than max_enterprises = {cap:,}",
                      "fewer prospects or entrants a quarter, fewer quarters, or a larger "
                      "max_enterprises if the machine has the memory")]


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class _quiet:
    """numpy overflow warnings off while sizing (an overflow is reported as inf)."""

    def __enter__(self):
        import numpy as np

        self._old = np.seterr(over="ignore", invalid="ignore", divide="ignore")

    def __exit__(self, *exc):
        import numpy as np

        np.seterr(**self._old)
