"""Tests for model.metrics: hand-worked cases, reference implementations
(PySAL esda / libpysal, networkx) and simple independent re-implementations."""

from __future__ import annotations

import warnings

import esda
import libpysal
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model.metrics import (
    average_clustering,
    concentration_ratio,
    ellison_glaeser,
    gini,
    herfindahl,
    largest_component_share,
    local_sourcing_share,
    location_quotient,
    morans_i,
    network_density,
)

FAST = settings(max_examples=60, deadline=None)

sizes_strategy = hnp.arrays(
    np.float64,
    st.integers(0, 40),
    # no subnormals: the naive references' own sums underflow there (e.g. Gini of [5e-324, 0])
    elements=st.floats(0, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)


# ---------------------------------------------------------------------------
# Moran's I
# ---------------------------------------------------------------------------
COMBOS = [(c, t) for c in ("queen", "rook") for t in ("r", "b")]


def esda_moran(grid: np.ndarray, contiguity: str, transform: str) -> float:
    rows, cols = grid.shape
    w = libpysal.weights.lat2W(rows, cols, rook=(contiguity == "rook"))
    w.transform = transform
    # esda.Moran re-applies its own `transformation` argument (default "r")
    # to w, so setting w.transform alone would silently give "r" results.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return esda.Moran(
            grid.ravel(), w, transformation=transform, permutations=0
        ).I


def sparse_moran(grid: np.ndarray, contiguity: str, transform: str) -> float:
    """Independent textbook implementation with an explicit sparse W built
    from Kronecker products of path-graph adjacencies."""
    rows, cols = grid.shape

    def path(m):
        return sp.diags([np.ones(m - 1), np.ones(m - 1)], [-1, 1], shape=(m, m))

    pr, pc = path(rows), path(cols)
    w = sp.kron(pr, sp.eye(cols)) + sp.kron(sp.eye(rows), pc)
    if contiguity == "queen":
        w = w + sp.kron(pr, pc)
    w = sp.csr_matrix(w)
    if transform == "r":
        w = sp.diags(1.0 / np.asarray(w.sum(axis=1)).ravel()) @ w
    z = grid.ravel().astype(float) - grid.mean()
    n = z.size
    return float(n / w.sum() * (z @ (w @ z)) / (z @ z))


def blob(rows=20, cols=24):
    r, c = np.indices((rows, cols))
    g = np.exp(-((r - 6.0) ** 2 + (c - 15.0) ** 2) / 12.0)
    g[12:17, 2:7] += 1.0  # a second, square cluster
    return g


@pytest.mark.parametrize("contiguity,transform", COMBOS)
@pytest.mark.parametrize("shape", [(2, 2), (1, 6), (5, 7), (13, 9), (30, 30)])
def test_morans_i_matches_esda_random(shape, contiguity, transform):
    rng = np.random.default_rng(list(shape))
    for grid in (rng.random(shape), rng.poisson(2.0, shape).astype(float)):
        if np.ptp(grid) == 0:
            continue
        expected = esda_moran(grid, contiguity, transform)
        assert morans_i(grid, contiguity, transform) == pytest.approx(
            expected, abs=1e-9, rel=1e-9
        )


@pytest.mark.parametrize("contiguity,transform", COMBOS)
def test_morans_i_matches_esda_clustered(contiguity, transform):
    grid = blob()
    got = morans_i(grid, contiguity, transform)
    assert got == pytest.approx(esda_moran(grid, contiguity, transform), abs=1e-9)
    assert got > 0.6  # clearly clustered


@pytest.mark.parametrize("contiguity,transform", COMBOS)
def test_morans_i_checkerboard_negative(contiguity, transform):
    grid = (np.indices((10, 12)).sum(axis=0) % 2).astype(float)
    got = morans_i(grid, contiguity, transform)
    assert got == pytest.approx(esda_moran(grid, contiguity, transform), abs=1e-9)
    assert got < 0
    if contiguity == "rook":
        # every rook neighbour has the opposite sign: z_j = -z_i, so I = -1
        assert got == pytest.approx(-1.0, abs=1e-12)


@FAST
@given(
    grid=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
        elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False),
    ),
    combo=st.sampled_from(COMBOS),
)
def test_morans_i_matches_sparse_reference(grid, combo):
    got = morans_i(grid, *combo)
    if np.ptp(grid) == 0:
        assert got == 0.0
        return
    z = grid - grid.mean()
    if np.dot(z.ravel(), z.ravel()) < 1e-12 * grid.size:
        return  # near-constant: both sides are round-off noise
    assert got == pytest.approx(sparse_moran(grid, *combo), abs=1e-8, rel=1e-8)


def pairwise_moran(grid: np.ndarray, contiguity: str, transform: str) -> float:
    """Moran's I straight from its definition, over every pair of cells (O(n²), no libraries):
    I = n / S0 · Σ_ij w_ij z_i z_j / Σ z_i², j a neighbour of i when |Δrow|, |Δcol| ≤ 1 (queen)
    or |Δrow| + |Δcol| = 1 (rook)."""
    rows, cols = grid.shape
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    z = [float(grid[r, c]) - float(grid.mean()) for r, c in cells]

    def neighbours(a, b):
        dr, dc = abs(a[0] - b[0]), abs(a[1] - b[1])
        return (dr + dc == 1) if contiguity == "rook" else (a != b and dr <= 1 and dc <= 1)

    w = [[1.0 if neighbours(a, b) else 0.0 for b in cells] for a in cells]
    if transform == "r":
        w = [[v / sum(row) for v in row] for row in w]
    s0 = sum(map(sum, w))
    num = sum(w[i][j] * z[i] * z[j] for i in range(len(cells)) for j in range(len(cells)))
    return len(cells) / s0 * num / sum(v * v for v in z)


@pytest.mark.parametrize("contiguity,transform", COMBOS)
def test_morans_i_equals_pairwise_definition(contiguity, transform):
    rng = np.random.default_rng(1)
    grid = rng.random((9, 7))
    grid[2:5, 1:4] += 0.5   # a hot spot: I clearly positive
    assert morans_i(grid, contiguity, transform) == pytest.approx(
        pairwise_moran(grid, contiguity, transform), abs=1e-12, rel=1e-12)


def python_line_events(fn, *args) -> int:
    """Python lines executed by fn(*args), in any module (sys.settrace): a count of interpreted
    operations, not a time. The garbage collector is off while counting: a collection that runs
    the Python finalizers of other tests' objects (under pytest-xdist: execnet's) added their lines
    to one count and not the other (seen failing under -n 2 only)."""
    import gc
    import sys

    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    gc.collect()
    gc.disable()
    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
        gc.enable()
    return count


@pytest.mark.parametrize("contiguity,transform", COMBOS)
def test_morans_i_is_vectorised_over_cells(contiguity, transform):
    """A per-cell (or per-row) Python loop would execute more lines on a larger grid: the count
    of interpreted lines must not depend on the number of cells (80 vs 40,000)."""
    from model.metrics import _neighbour_count

    rng = np.random.default_rng(2)
    counts = []
    for shape in ((8, 10), (200, 200)):
        _neighbour_count.cache_clear()   # both sizes pay the (vectorised) neighbour count once
        counts.append(python_line_events(morans_i, rng.random(shape), contiguity, transform))
    assert counts[0] > 0 and counts[1] == counts[0]
    big = rng.random((200, 200))
    big[50:90, 120:170] += 0.5
    assert morans_i(big, contiguity, transform) == pytest.approx(sparse_moran(big, contiguity, transform), abs=1e-9)


@pytest.mark.parametrize("contiguity,transform", COMBOS)
@pytest.mark.parametrize(
    "grid",
    [np.full((6, 5), 3.0), np.full((4, 4), 0.1), np.zeros((1, 1)), np.zeros((0, 3))],
)
def test_morans_i_constant_grid_is_zero(grid, contiguity, transform):
    got = morans_i(grid, contiguity, transform)
    assert got == 0.0 and not np.isnan(got)


def test_morans_i_extreme_scales():
    # deviations that underflow when squared (found by hypothesis) -> 0, not nan
    assert morans_i(np.array([[0.0, 5e-324]])) == 0.0
    g = np.array([[1.0, -1.0, 0.3], [0.2, 0.9, -0.4]])
    for scale in (1e-300, 1e200):
        assert morans_i(g * scale) == pytest.approx(morans_i(g), rel=1e-12)


def test_morans_i_rejects_bad_arguments():
    g = np.arange(12.0).reshape(3, 4)
    with pytest.raises(ValueError, match="contiguity"):
        morans_i(g, contiguity="bishop")
    with pytest.raises(ValueError, match="transform"):
        morans_i(g, transform="v")
    with pytest.raises(ValueError, match="2-D"):
        morans_i(np.arange(5.0))
    with pytest.raises(ValueError, match="finite"):
        morans_i(np.array([[1.0, np.nan], [0.0, 2.0]]))
    # case-insensitive aliases as in PySAL
    assert morans_i(g, "Rook", "B") == pytest.approx(morans_i(g, "rook", "b"))


# ---------------------------------------------------------------------------
# Location quotient
# ---------------------------------------------------------------------------
def test_location_quotient_hand_worked():
    # rows = regions A, B, C; columns = industries X, Y, Z
    emp = np.array(
        [
            [10.0, 30.0, 0.0],
            [40.0, 20.0, 0.0],
            [0.0, 0.0, 0.0],  # empty region
        ]
    )
    # e_A = 40, e_B = 60, e_C = 0; e_X = 50, e_Y = 50, e_Z = 0; e = 100
    # LQ_AX = (10/40)/(50/100) = 0.25/0.5 = 0.5
    # LQ_AY = (30/40)/0.5      = 1.5
    # LQ_BX = (40/60)/0.5      = 4/3
    # LQ_BY = (20/60)/0.5      = 2/3
    # region C and industry Z have no employment -> 0 by convention
    expected = np.array(
        [
            [0.5, 1.5, 0.0],
            [4 / 3, 2 / 3, 0.0],
            [0.0, 0.0, 0.0],
        ]
    )
    np.testing.assert_allclose(location_quotient(emp), expected, rtol=1e-12)


def test_location_quotient_degenerate():
    assert np.all(location_quotient(np.zeros((3, 2))) == 0)
    assert location_quotient(np.zeros((0, 4))).shape == (0, 4)
    np.testing.assert_allclose(location_quotient([[5.0]]), [[1.0]])
    with pytest.raises(ValueError):
        location_quotient([1.0, 2.0])
    with pytest.raises(ValueError):
        location_quotient([[1.0, -2.0]])


@FAST
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8),
        elements=st.one_of(st.just(0.0), st.floats(0.5, 1e4)),
    )
)
def test_location_quotient_properties(emp):
    lq = location_quotient(emp)
    assert lq.shape == emp.shape
    assert np.all(np.isfinite(lq)) and np.all(lq >= 0)
    # employment-weighted mean LQ of each active industry over regions is 1:
    # sum_r (e_r/e) LQ_ri = sum_r e_ri / e_i = 1
    e_r = emp.sum(axis=1)
    active = emp.sum(axis=0) > 0
    weighted = (e_r / emp.sum()) @ lq if emp.sum() > 0 else np.zeros(emp.shape[1])
    np.testing.assert_allclose(weighted[active], 1.0, rtol=1e-9)
    # naive cell-by-cell definition
    e = emp.sum()
    for r in range(emp.shape[0]):
        for i in range(emp.shape[1]):
            er, ei = emp[r].sum(), emp[:, i].sum()
            ref = (emp[r, i] / er) / (ei / e) if er > 0 and ei > 0 else 0.0
            assert lq[r, i] == pytest.approx(ref, rel=1e-9)


# ---------------------------------------------------------------------------
# Ellison-Glaeser
# ---------------------------------------------------------------------------
def test_ellison_glaeser_hand_worked():
    # (a) two equal regions, two equal plants both in region 0:
    #     s = (1, 0), x = (.5, .5): G = .25 + .25 = .5; H = .25 + .25 = .5
    #     1 - sum x^2 = .5 -> gamma = (.5 - .5*.5) / (.5 * .5) = 1
    assert ellison_glaeser([10, 10], [0, 0], [0.5, 0.5]) == pytest.approx(1.0)
    # (b) four equal plants, two per region: s = x, G = 0, H = .25
    #     gamma = (0 - .5*.25) / (.5 * .75) = -1/3
    assert ellison_glaeser([10] * 4, [0, 0, 1, 1], [0.5, 0.5]) == pytest.approx(
        -1 / 3
    )
    # (c) x = (.6, .3, .1); plants 30, 10, 10 in regions 0, 0, 2; E = 50
    #     s = (.8, 0, .2): G = .2^2 + .3^2 + .1^2 = .14
    #     z = (.6, .2, .2): H = .36 + .04 + .04 = .44
    #     sum x^2 = .46 -> 1 - sum x^2 = .54
    #     gamma = (.14 - .54*.44) / (.54*.56) = -.0976/.3024 = -61/189
    plants, where = np.array([30.0, 10, 10]), np.array([0, 0, 2])
    got = ellison_glaeser(plants, where, [0.6, 0.3, 0.1])
    assert got == pytest.approx(-61 / 189, rel=1e-12)
    # gamma depends only on shares: rescaling employment changes nothing
    got2 = ellison_glaeser([3.0, 1, 1], [0, 0, 2], [0.6, 0.3, 0.1])
    assert got2 == pytest.approx(got, rel=1e-12)


def test_ellison_glaeser_undefined_is_nan():
    x = [0.5, 0.5]
    assert np.isnan(ellison_glaeser([], [], x))  # no plants
    assert np.isnan(ellison_glaeser([7.0], [1], x))  # single plant: H = 1
    assert np.isnan(ellison_glaeser([7.0, 0.0], [1, 0], x))  # H = 1
    assert np.isnan(ellison_glaeser([0.0, 0.0], [1, 0], x))  # no employment
    assert np.isnan(ellison_glaeser([1.0, 2.0], [0, 0], [1.0]))  # one region


def test_ellison_glaeser_rejects_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        ellison_glaeser([1, 2], [0, 1], [0.5, 0.6])
    with pytest.raises(ValueError, match="plant_region"):
        ellison_glaeser([1, 2], [0, 2], [0.5, 0.5])
    with pytest.raises(ValueError):
        ellison_glaeser([1, 2, 3], [0, 1], [0.5, 0.5])
    with pytest.raises(ValueError):
        ellison_glaeser([1, -2], [0, 1], [0.5, 0.5])


def test_ellison_glaeser_dartboard_mean_zero():
    """Under the dartboard null (plants placed independently with
    P(region r) = x_r) E[G] = (1 - sum x^2) H, hence E[gamma] = 0."""
    rng = np.random.default_rng(12345)
    x = rng.dirichlet(np.full(12, 2.0))
    plant_emp = rng.lognormal(3.0, 1.0, size=40)
    draws = 4000
    regions = rng.choice(x.size, size=(draws, plant_emp.size), p=x)
    gammas = np.array([ellison_glaeser(plant_emp, r, x) for r in regions])
    assert np.all(np.isfinite(gammas))
    assert abs(gammas.mean()) < 0.01
    assert gammas.std() > 0.005  # the draws do vary


def test_ellison_glaeser_all_in_one_region_positive():
    rng = np.random.default_rng(7)
    x = np.full(10, 0.1)
    plant_emp = rng.lognormal(3.0, 0.5, size=50)
    gamma = ellison_glaeser(plant_emp, np.zeros(50, dtype=int), x)
    # G = .9^2 + 9*.1^2 = .9 = 1 - sum x^2, so gamma = (1 - H)/(1 - H) = 1
    assert gamma == pytest.approx(1.0)
    # concentrated in a region that is small in aggregate terms
    x2 = np.array([0.02, 0.49, 0.49])
    assert ellison_glaeser(plant_emp, np.zeros(50, dtype=int), x2) > 0.5


# ---------------------------------------------------------------------------
# Herfindahl, CR_n, Gini
# ---------------------------------------------------------------------------
def naive_hhi(s):
    total = sum(s)
    return sum((v / total) ** 2 for v in s) if total > 0 else 0.0


def naive_cr(s, n):
    total = sum(s)
    return sum(sorted(s, reverse=True)[:n]) / total if total > 0 else 0.0


def naive_gini(v):
    n, total = len(v), sum(v)
    if total <= 0:
        return 0.0
    mad = sum(abs(a - b) for a in v for b in v) / n**2
    return mad / (2 * total / n)


@FAST
@given(sizes_strategy, st.integers(1, 6))
def test_concentration_against_naive(sizes, n):
    s = list(sizes)
    assert herfindahl(sizes) == pytest.approx(naive_hhi(s), rel=1e-9, abs=1e-12)
    assert concentration_ratio(sizes, n) == pytest.approx(
        naive_cr(s, n), rel=1e-9, abs=1e-12
    )
    assert gini(sizes) == pytest.approx(naive_gini(s), rel=1e-9, abs=1e-9)
    assert 0.0 <= gini(sizes) < 1.0
    if sum(s) > 0:
        assert 1 / len(s) - 1e-12 <= herfindahl(sizes) <= 1 + 1e-12


@pytest.mark.parametrize("n_firms", [1, 2, 5, 37])
def test_concentration_known_values(n_firms):
    equal = np.full(n_firms, 3.5)
    assert herfindahl(equal) == pytest.approx(1 / n_firms)
    assert gini(equal) == pytest.approx(0.0, abs=1e-12)
    assert concentration_ratio(equal) == pytest.approx(min(4, n_firms) / n_firms)
    monopoly = np.zeros(n_firms)
    monopoly[0] = 10.0
    assert herfindahl(monopoly) == 1.0
    assert concentration_ratio(monopoly, n=1) == 1.0
    assert gini(monopoly) == pytest.approx((n_firms - 1) / n_firms)


def test_concentration_degenerate_and_errors():
    for f in (herfindahl, concentration_ratio, gini):
        assert f([]) == 0.0
        assert f(np.zeros(4)) == 0.0
        with pytest.raises(ValueError):
            f([1.0, -1.0])
    assert concentration_ratio([5, 1, 1, 1, 1, 1], n=1) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        concentration_ratio([1, 2], n=0)


# ---------------------------------------------------------------------------
# Supply network
# ---------------------------------------------------------------------------
@st.composite
def edge_lists(draw, max_nodes=25):
    n = draw(st.integers(0, max_nodes))
    if n == 0:
        return 0, np.array([], int), np.array([], int)
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80)
    )
    all_pairs = list(pairs)
    if pairs:  # duplicate some edges and add some reciprocal ones
        all_pairs += draw(st.lists(st.sampled_from(pairs), max_size=10))
        flip = draw(st.lists(st.sampled_from(pairs), max_size=10))
        all_pairs += [(b, a) for a, b in flip]
    src = np.array([a for a, _ in all_pairs], dtype=int)
    dst = np.array([b for _, b in all_pairs], dtype=int)
    return n, src, dst


def nx_reference(n, src, dst):
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(src.tolist(), dst.tolist()))
    g.remove_edges_from(nx.selfloop_edges(g))
    dg = nx.DiGraph()
    dg.add_nodes_from(range(n))
    dg.add_edges_from(zip(src.tolist(), dst.tolist()))
    if n == 0:
        return 0.0, 0.0
    clust = nx.average_clustering(g)
    lcc = max(len(c) for c in nx.weakly_connected_components(dg)) / n
    return clust, lcc


@settings(max_examples=120, deadline=None)
@given(edge_lists())
def test_network_indicators_match_networkx(case):
    n, src, dst = case
    clust, lcc = nx_reference(n, src, dst)
    assert average_clustering(src, dst, n) == pytest.approx(clust, abs=1e-12)
    assert largest_component_share(src, dst, n) == pytest.approx(lcc, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_network_indicators_match_networkx_seeded(seed):
    rng = np.random.default_rng(seed)
    n = 300
    m = 900
    src = rng.integers(0, n - 40, m)  # nodes n-40..n-1 mostly isolated
    dst = rng.integers(0, n - 40, m)
    # local clusters: triangles within small groups, reciprocal + duplicate
    grp = rng.integers(0, 20, 200) * 5
    src = np.concatenate([src, grp, grp + 1, dst[:50], src[:30]])
    dst = np.concatenate([dst, grp + 1, grp + 2, src[:50], dst[:30]])
    clust, lcc = nx_reference(n, src, dst)
    assert average_clustering(src, dst, n) == pytest.approx(clust, abs=1e-12)
    assert largest_component_share(src, dst, n) == pytest.approx(lcc, abs=1e-12)


def test_network_hand_worked():
    # triangle 0-1-2 (one edge reciprocal, one duplicated) plus pendant 3 on 2,
    # self-loop on 3, isolated node 4:
    # C_0 = C_1 = 1, C_2 = 1 triangle / 3 pairs = 1/3, C_3 = C_4 = 0
    src = np.array([0, 1, 1, 2, 2, 2, 3])
    dst = np.array([1, 0, 2, 0, 0, 3, 3])
    assert average_clustering(src, dst, 5) == pytest.approx((1 + 1 + 1 / 3) / 5)
    assert largest_component_share(src, dst, 5) == pytest.approx(4 / 5)
    assert average_clustering([], [], 0) == 0.0
    assert largest_component_share([], [], 0) == 0.0
    assert largest_component_share([], [], 4) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        average_clustering([0, 5], [1, 2], 5)
    with pytest.raises(ValueError):
        largest_component_share([0, -1], [1, 2], 5)


def test_network_density():
    assert network_density(0, 0) == 0.0
    assert network_density(1, 0) == 0.0
    assert network_density(2, 2) == 1.0
    assert network_density(5, 4) == pytest.approx(4 / 20)
    g = nx.gnp_random_graph(30, 0.2, seed=3, directed=True)
    assert network_density(30, g.number_of_edges()) == pytest.approx(nx.density(g))


def test_local_sourcing_share():
    assert local_sourcing_share([1.0, 2.0, 0.0], [2.0, 4.0, 4.0]) == pytest.approx(0.3)
    assert local_sourcing_share(3.0, 4.0) == pytest.approx(0.75)
    assert local_sourcing_share([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert local_sourcing_share([], []) == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_bipartite_clustering_equals_networkx_robins_alexander(seed):
    from networkx.algorithms import bipartite

    from model.metrics import bipartite_clustering

    rng = np.random.default_rng(seed)
    n_sup, n_buy = int(rng.integers(2, 30)), int(rng.integers(2, 30))
    n_edges = int(rng.integers(0, n_sup * n_buy))
    src = rng.integers(0, n_sup, n_edges)
    dst = n_sup + rng.integers(0, n_buy, n_edges)
    g = nx.Graph()
    g.add_nodes_from(range(n_sup + n_buy))
    g.add_edges_from(zip(src.tolist(), dst.tolist()))
    expected = bipartite.robins_alexander_clustering(g)
    assert bipartite_clustering(src, dst, n_sup + n_buy) == pytest.approx(expected, abs=1e-12)
    side = np.arange(n_sup + n_buy) < n_sup
    assert bipartite_clustering(src, dst, n_sup + n_buy, side=side) == pytest.approx(expected, abs=1e-12)


def test_bipartite_clustering_of_complete_bipartite_graph_is_one_and_of_a_star_zero():
    from model.metrics import bipartite_clustering

    src, dst = np.repeat(np.arange(3), 4), np.tile(np.arange(3, 7), 3)
    assert bipartite_clustering(src, dst, 7) == pytest.approx(1.0)
    assert bipartite_clustering(np.arange(1, 6), np.zeros(5, int), 6) == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_bipartite_clustering_by_side_ignores_how_nodes_and_tie_directions_are_labelled(seed):
    """The side-wise computation (integer counts on the biadjacency) gives the value of the
    undirected computation whatever the node labels and whichever side the ties start from."""
    from model.metrics import bipartite_clustering

    rng = np.random.default_rng(100 + seed)
    n_sup, n_buy = int(rng.integers(5, 40)), int(rng.integers(5, 40))
    n_edges = int(rng.integers(n_sup, 4 * n_sup * n_buy // 3))
    src, dst = rng.integers(0, n_sup, n_edges), n_sup + rng.integers(0, n_buy, n_edges)
    label = rng.permutation(n_sup + n_buy)              # interleave the two sides
    flip = rng.random(n_edges) < 0.5                    # some ties written buyer → supplier
    s, d = label[np.where(flip, dst, src)], label[np.where(flip, src, dst)]
    side = np.zeros(n_sup + n_buy, bool)
    side[label[:n_sup]] = True
    expected = bipartite_clustering(src, dst, n_sup + n_buy)
    assert bipartite_clustering(s, d, n_sup + n_buy, side=side) == pytest.approx(expected, abs=1e-12)
    assert bipartite_clustering(s, d, n_sup + n_buy, side=~side) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_bipartite_clustering_of_a_biadjacency_does_not_depend_on_the_order_of_its_entries(seed):
    """bipartite_clustering_biadjacency of a CSR biadjacency whose rows list their ties in any
    order equals the side-wise value (repeated ties merged first), exactly."""
    import scipy.sparse as sp

    from model.metrics import bipartite_clustering, bipartite_clustering_biadjacency

    rng = np.random.default_rng(200 + seed)
    n_sup, n_buy = int(rng.integers(5, 40)), int(rng.integers(5, 40))
    pairs = np.unique(rng.integers(0, n_sup * n_buy, int(rng.integers(n_sup, 3 * n_sup * n_buy // 4))))
    rows, cols = pairs // n_buy, pairs % n_buy
    side = np.arange(n_sup + n_buy) < n_sup
    expected = bipartite_clustering(rows, n_sup + cols, n_sup + n_buy, side=side)
    order = np.lexsort((rng.random(len(rows)), rows))     # by row, shuffled within each row
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_sup))])
    B = sp.csr_array((np.ones(len(rows), np.int32), cols[order], indptr), shape=(n_sup, n_buy))
    assert bipartite_clustering_biadjacency(B) == expected


@pytest.mark.parametrize("seed", range(4))
def test_largest_component_of_a_biadjacency_equals_the_reference(seed):
    """largest_component_share_biadjacency (rows and columns are all the nodes, isolated ones
    included) equals largest_component_share of the same ties, exactly."""
    import scipy.sparse as sp

    from model.metrics import largest_component_share, largest_component_share_biadjacency

    rng = np.random.default_rng(300 + seed)
    n_sup, n_buy = int(rng.integers(5, 60)), int(rng.integers(5, 60))
    pairs = np.unique(rng.integers(0, n_sup * n_buy, int(rng.integers(1, max(2, n_sup + n_buy)))))
    rows, cols = pairs // n_buy, pairs % n_buy            # sparse: several components and isolated nodes
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_sup))])
    B = sp.csr_array((np.ones(len(rows), np.int32), cols, indptr), shape=(n_sup, n_buy))
    assert largest_component_share_biadjacency(B) == largest_component_share(rows, n_sup + cols, n_sup + n_buy)
    assert largest_component_share_biadjacency(sp.csr_array((0, 0), dtype=np.int32)) == 0.0
