"""Pure, vectorised indicators of industrial clustering.

Every function here takes plain numbers / numpy arrays and returns plain
floats or numpy arrays: no Mesa objects, no model state, no randomness.
That keeps the indicators reusable (model reporters, notebooks, tests) and
lets them be checked against reference implementations (PySAL ``esda``,
``networkx``).

Conventions
-----------
* Degenerate inputs (empty arrays, zero totals) return ``0.0`` where the
  indicator has a natural limit, and ``nan`` only where the index is
  genuinely undefined (documented per function).
* Negative sizes / employment are rejected with ``ValueError``.
"""

from __future__ import annotations

import functools

import numpy as np

from model.network_metrics import (  # noqa: F401  (re-exported: the metrics stay one namespace)
    average_clustering,
    bipartite_clustering,
    bipartite_clustering_biadjacency,
    largest_component_share,
    largest_component_share_biadjacency,
    local_sourcing_share,
    network_density,
)

__all__ = [
    "location_quotient",
    "ellison_glaeser",
    "herfindahl",
    "concentration_ratio",
    "gini",
    "morans_i",
    "network_density",
    "average_clustering",
    "largest_component_share",
    "local_sourcing_share",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _nonneg_1d(values, name: str) -> np.ndarray:
    a = np.asarray(values, dtype=float).ravel()
    if a.size and (not np.all(np.isfinite(a)) or a.min() < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return a


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS: a threaded BLAS dot wakes OpenBLAS's thread pool, whose idle threads
    then spin for ~0.1 s and slow the model's next FFT, and its rounding depends on the number of
    threads (results would differ between machines)."""
    return float(np.sum(a * b))


# --------------------------------------------------------------------------
# regional specialisation and agglomeration
# --------------------------------------------------------------------------
def location_quotient(emp) -> np.ndarray:
    """Location quotient of every region-industry pair.

    The LQ compares an industry's share of a region's employment with its
    share of total employment; LQ > 1 means the region is specialised in
    the industry (a classic first screen for clusters)::

        LQ_ri = (e_ri / e_r) / (e_i / e)  =  e_ri * e / (e_r * e_i)

    with ``e_r`` regional total, ``e_i`` industry total and ``e`` grand
    total.

    Parameters
    ----------
    emp : array_like, shape (n_regions, n_industries)
        Non-negative employment ``e_ri``.

    Returns
    -------
    ndarray of float, same shape. Cells whose region or industry has zero
    employment get LQ 0 (never nan/inf).
    """
    e = np.asarray(emp, dtype=float)
    if e.ndim != 2:
        raise ValueError("emp must be a 2-D array emp[region, industry]")
    if e.size and (not np.all(np.isfinite(e)) or e.min() < 0):
        raise ValueError("emp must be finite and non-negative")
    e_r = e.sum(axis=1, keepdims=True)
    e_i = e.sum(axis=0, keepdims=True)
    denom = e_r * e_i
    out = np.zeros_like(e)
    np.divide(e * e.sum(), denom, out=out, where=denom > 0)
    return out


def ellison_glaeser(plant_emp, plant_region, region_share) -> float:
    """Ellison & Glaeser (1997) agglomeration index ``gamma`` of one industry.

    The index measures geographic concentration in excess of what the
    "dartboard" model predicts (plants located at random in proportion to
    aggregate employment), correcting for the industry's own plant-size
    concentration. ``E[gamma] = 0`` under the dartboard; gamma > 0 means
    agglomeration (spillovers / natural advantage), gamma < 0 dispersion.
    E&G suggest gamma > 0.05 as "highly", < 0.02 as "not very"
    concentrated. With

    * ``x_r``: region r's share of aggregate employment (``region_share``),
    * ``s_r``: region r's share of this industry's employment,
    * ``z_j``: plant j's share of this industry's employment,

    ::

        G     = sum_r (s_r - x_r)^2          (raw geographic concentration)
        H     = sum_j z_j^2                  (plant Herfindahl)
        gamma = (G - (1 - sum_r x_r^2) H) / ((1 - sum_r x_r^2)(1 - H))

    Parameters
    ----------
    plant_emp : array_like
        Non-negative employment of each plant of the industry.
    plant_region : array_like of int
        Region index (0..n_regions-1) of each plant.
    region_share : array_like
        ``x_r`` for every region; non-negative and summing to 1.

    Returns
    -------
    float; ``nan`` when undefined: no plants / zero industry employment,
    ``H == 1`` (a single plant carries all employment) or
    ``sum x_r^2 == 1`` (all aggregate employment in one region).
    """
    emp, reg, x = _plants_and_regions(plant_emp, plant_region, region_share)
    total = emp.sum()
    if emp.size == 0 or total <= 0:
        return float("nan")
    z = emp / total
    H = _dot(z, z)
    s = np.bincount(reg, weights=z, minlength=x.size)
    G = float(np.sum((s - x) ** 2))
    one_minus_x2 = 1.0 - _dot(x, x)
    if H >= 1.0 or one_minus_x2 <= 0.0:
        return float("nan")
    return (G - one_minus_x2 * H) / (one_minus_x2 * (1.0 - H))


def _plants_and_regions(plant_emp, plant_region, region_share):
    """The inputs of `ellison_glaeser` checked (ValueError naming the argument) and as arrays."""
    emp = _nonneg_1d(plant_emp, "plant_emp")
    reg = np.asarray(plant_region).ravel()
    x = _nonneg_1d(region_share, "region_share")
    if reg.shape != emp.shape:
        raise ValueError("plant_emp and plant_region must have the same length")
    if x.size == 0:
        raise ValueError("region_share must have at least one region")
    if abs(x.sum() - 1.0) > 1e-6:
        raise ValueError(f"region_share must sum to 1 (got {x.sum():.6g})")
    if reg.size:
        if not np.issubdtype(reg.dtype, np.integer):
            if not np.all(np.equal(np.mod(reg, 1), 0)):
                raise ValueError("plant_region must hold integer region indices")
            reg = reg.astype(np.int64)
        if reg.min() < 0 or reg.max() >= x.size:
            raise ValueError(f"plant_region must lie in 0..{x.size - 1}")
    return emp, reg, x


# --------------------------------------------------------------------------
# market / size concentration and inequality
# --------------------------------------------------------------------------
def herfindahl(sizes) -> float:
    """Herfindahl-Hirschman index of concentration (on the 0-1 scale).

    Sum of squared market (or employment) shares; 1/n for n equal firms,
    1 for a monopoly. Multiply by 10,000 for the antitrust "HHI" scale::

        HHI = sum_i (s_i / sum_j s_j)^2

    Returns 0 for an empty array or a zero total.
    """
    s = _nonneg_1d(sizes, "sizes")
    total = s.sum()
    if s.size == 0 or total <= 0:
        return 0.0
    z = s / total
    return _dot(z, z)


def concentration_ratio(sizes, n: int = 4) -> float:
    """n-firm concentration ratio CR_n: combined share of the n largest.

    ::

        CR_n = (s_(1) + ... + s_(n)) / sum_i s_i   (s_(k): k-th largest)

    CR_4 is the usual industrial-organisation measure. With fewer than n
    firms the ratio is 1. Returns 0 for an empty array or a zero total.
    """
    n = int(n)
    if n < 1:
        raise ValueError("n must be >= 1")
    s = _nonneg_1d(sizes, "sizes")
    total = s.sum()
    if s.size == 0 or total <= 0:
        return 0.0
    if n >= s.size:
        return 1.0
    top = np.partition(s, s.size - n)[s.size - n :]
    return float(top.sum() / total)


def gini(values) -> float:
    """Gini coefficient of a non-negative distribution (e.g. firm sizes).

    Half the relative mean absolute difference: 0 = perfect equality,
    (n-1)/n = one unit holds everything (population Gini, no small-sample
    correction)::

        G = sum_i sum_j |v_i - v_j| / (2 n^2 mean(v))
          = 2 sum_k k v_(k) / (n sum v) - (n + 1) / n   (v_(k) ascending, k=1..n)

    Returns 0 for an empty array or all zeros.
    """
    v = _nonneg_1d(values, "values")
    total = v.sum()
    if v.size == 0 or total <= 0:
        return 0.0
    v = np.sort(v)
    n = v.size
    k = np.arange(1, n + 1, dtype=float)
    g = 2.0 * _dot(k, v) / (n * total) - (n + 1.0) / n
    return float(max(g, 0.0))  # guard against -1e-17 for equal values


# --------------------------------------------------------------------------
# spatial autocorrelation
# --------------------------------------------------------------------------
_ROOK = ((-1, 0), (1, 0), (0, -1), (0, 1))
_QUEEN = _ROOK + ((-1, -1), (-1, 1), (1, -1), (1, 1))


def _shift_sum(a: np.ndarray, offsets) -> np.ndarray:
    """Sum over offsets (dr, dc) of a[r+dr, c+dc], zero outside the grid."""
    rows, cols = a.shape
    out = np.zeros_like(a)
    for dr, dc in offsets:  # at most 8 whole-array slices, not a cell loop
        r0, r1 = max(0, -dr), rows - max(0, dr)
        c0, c1 = max(0, -dc), cols - max(0, dc)
        if r1 <= r0 or c1 <= c0:
            continue
        out[r0:r1, c0:c1] += a[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
    return out


@functools.lru_cache(maxsize=16)
def _neighbour_count(shape, offsets) -> np.ndarray:
    """Number of neighbours of every cell (a constant of the lattice: computed once per shape)."""
    k = _shift_sum(np.ones(shape), offsets)
    k.flags.writeable = False
    return k


def morans_i(grid, contiguity: str = "queen", transform: str = "r") -> float:
    """Global Moran's I of a value on a rectangular lattice (no wraparound).

    Spatial autocorrelation of e.g. firm density per cell: I > 0 when
    similar values sit next to each other (clustering), I < 0 for a
    checkerboard-like pattern, E[I] = -1/(n-1) under spatial randomness::

        I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2,   z = x - mean(x)

    with ``S0 = sum_ij w_ij``. Neighbours are the 8 surrounding cells
    (``contiguity="queen"``) or the 4 edge-sharing ones (``"rook"``);
    weights are binary (``transform="b"``, w_ij = 1) or row-standardised
    (``"r"``, w_ij = 1 / #neighbours of i). Matches PySAL
    ``esda.Moran(x.ravel(), lat2W(rows, cols, rook=...), transformation=...)``.

    Computed with array shifts (O(cells), no weights matrix). A constant
    (or empty) grid returns 0.0.
    """
    c = str(contiguity).lower()
    t = str(transform).lower()
    if c not in ("queen", "rook"):
        raise ValueError(
            f"unknown contiguity {contiguity!r}: expected 'queen' or 'rook'"
        )
    if t not in ("r", "b"):
        raise ValueError(
            f"unknown transform {transform!r}: expected 'r' (row-standardised) "
            "or 'b' (binary)"
        )
    x = np.asarray(grid, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"grid must be 2-D, got shape {x.shape}")
    if x.size == 0 or np.ptp(x) == 0:
        return 0.0
    if not np.all(np.isfinite(x)):
        raise ValueError("grid must be finite")
    offsets = _QUEEN if c == "queen" else _ROOK
    z = x - x.mean()
    scale = np.abs(z).max()
    if not scale > 0:  # e.g. two subnormal values: the deviations round to 0
        return 0.0
    z /= scale  # I is scale-invariant; rescaling avoids under/overflow in z^2
    lag = _shift_sum(z, offsets)  # sum of neighbours' z
    k = _neighbour_count(z.shape, offsets)
    # A non-constant grid has >= 2 cells, so every cell has >= 1 neighbour
    # (no islands): k > 0 everywhere and row-standardised S0 = n.
    if t == "b":
        s0 = k.sum()
        num = np.sum(z * lag)
    else:
        s0 = float(x.size)
        num = np.sum(z * lag / k)
    return float(x.size / s0 * num / _dot(z, z))
