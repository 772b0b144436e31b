"""Pure indicators of the supply network and of sourcing (see model.metrics for the conventions).

Nodes are positions 0 … n_nodes−1; a tie is (src, dst), supplier → buyer. Checked against
networkx in tests/test_metrics.py.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


def _edges(src, dst, n_nodes: int) -> tuple[np.ndarray, np.ndarray, int]:
    n = int(n_nodes)
    if n < 0:
        raise ValueError("n_nodes must be >= 0")
    s = np.asarray(src, dtype=np.int64).ravel()
    d = np.asarray(dst, dtype=np.int64).ravel()
    if s.shape != d.shape:
        raise ValueError("src and dst must have the same length")
    if s.size and (min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= n):
        raise ValueError(f"edge endpoints must lie in 0..{n - 1}")
    return s, d, n


def _undirected_simple(src, dst, n_nodes: int) -> sp.csr_array:
    """Symmetric 0/1 adjacency (int64) of the undirected simple graph:
    direction dropped, duplicate and reciprocal edges merged, self-loops
    removed."""
    s, d, n = _edges(src, dst, n_nodes)
    keep = s != d
    s, d = s[keep], d[keep]
    rows = np.concatenate([s, d])
    cols = np.concatenate([d, s])
    a = sp.csr_array(
        (np.ones(rows.size, dtype=np.int64), (rows, cols)), shape=(n, n)
    )
    a.sum_duplicates()
    a.data[:] = 1
    return a


# --------------------------------------------------------------------------
# supply network
# --------------------------------------------------------------------------
def network_density(n_nodes: int, n_edges: int) -> float:
    """Density of a directed network: realised share of possible arcs.

    ::

        density = E / (N (N - 1))

    ``n_edges`` should count distinct supplier -> buyer arcs without
    self-loops for the result to lie in [0, 1]. Returns 0 if N < 2.
    """
    n = int(n_nodes)
    if n < 2:
        return 0.0
    return float(n_edges) / (n * (n - 1))


def average_clustering(src, dst, n_nodes: int) -> float:
    """Mean local clustering coefficient of the supply network, undirected.

    How often two trading partners of a firm also trade with each other
    (triangles: a sign of a dense local production system). The network is
    made undirected and simple (direction ignored, duplicate/reciprocal
    edges merged, self-loops dropped); for node i with degree d_i and T_i
    triangles through it::

        C_i = 2 T_i / (d_i (d_i - 1))    (0 if d_i < 2)
        C   = (1/N) sum_i C_i            (isolated nodes count as 0)

    Triangles come from sparse products: 2 T_i = sum_j (A^2)_ij A_ij.
    Equals ``networkx.average_clustering`` of the undirected graph.
    Returns 0 for an empty graph.
    """
    a = _undirected_simple(src, dst, n_nodes)
    n = a.shape[0]
    if n == 0:
        return 0.0
    deg = np.asarray(a.sum(axis=1)).ravel().astype(float)
    two_t = np.asarray((a @ a).multiply(a).sum(axis=1)).ravel().astype(float)
    pairs = deg * (deg - 1.0)
    c = np.zeros(n)
    np.divide(two_t, pairs, out=c, where=pairs > 0)
    return float(c.mean())


def bipartite_clustering(src, dst, n_nodes: int, side=None) -> float:
    """Robins–Alexander clustering of a bipartite network (suppliers ↔ buyers).

    A supply chain's ties join adjacent stages, so its network has no triangles and the usual
    clustering is 0 by construction. The bipartite analogue asks how often paths of three ties
    close into squares — two buyers sharing two suppliers, a sign of a dense local division of
    labour (Robins & Alexander 2004)::

        C = 4 · C4 / L3,   L3 = Σ_{(u,v) ∈ E} (d_u − 1)(d_v − 1),
        C4 = (tr(A⁴) − 2 Σ_i d_i² + 2 E) / 8,   tr(A⁴) = ‖A²‖²_F   (A symmetric)

    on the undirected simple graph. Equals
    ``networkx.algorithms.bipartite.robins_alexander_clustering``; 0 when there is no 3-path.
    With ``side`` (a boolean per node giving its side), ‖A²‖²_F = 2 ‖BᵀB‖²_F is computed from
    the Gram matrix of the side whose squared degrees sum less: same value, far cheaper when
    one side has hubs (lead firms with hundreds of suppliers).
    """
    if side is not None:
        return _bipartite_clustering_by_side(src, dst, n_nodes, np.asarray(side, bool))
    A = _undirected_simple(src, dst, n_nodes)
    if A.nnz == 0:
        return 0.0
    deg = np.asarray(A.sum(axis=1)).ravel().astype(float)
    u, v = A.nonzero()
    paths3 = float(np.sum((deg[u] - 1) * (deg[v] - 1))) / 2.0   # each undirected edge twice
    if paths3 == 0:
        return 0.0
    walks4 = float(np.sum((A @ A).data.astype(float) ** 2))
    squares = (walks4 - 2.0 * float(np.sum(deg**2)) + 2.0 * (A.nnz / 2.0)) / 8.0
    return float(4.0 * squares / paths3)


def _bipartite_clustering_by_side(src, dst, n_nodes, side) -> float:
    """The same from the biadjacency matrix B (rows: one side, columns: the other), in integer
    arithmetic (every count below is exact; the floats of the result are those of the formula)."""
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    if len(src) == 0:
        return 0.0
    on_side = side[src]
    if np.any(on_side == side[dst]):
        raise ValueError("bipartite_clustering: a tie joins two nodes of the same side")
    return bipartite_clustering_biadjacency(_biadjacency(np.where(on_side, src, dst), np.where(on_side, dst, src),
                                                        side))


def bipartite_clustering_biadjacency(B: sp.csr_array) -> float:
    """`bipartite_clustering` of a simple bipartite graph given by its 0/1 biadjacency B (CSR,
    rows: one side, columns: the other; no tie listed twice, indices in any order within a row,
    e.g. `SupplyNetwork.biadjacency`), in integer arithmetic (every count below is exact; the
    floats of the result are those of the formula)."""
    d_row = np.diff(B.indptr)
    d_col = np.bincount(B.indices, minlength=B.shape[1])
    paths3 = int(np.dot(np.repeat(d_row - 1, d_row), (d_col - 1)[B.indices]))
    if paths3 == 0:
        return 0.0
    sq_row, sq_col = int(np.dot(d_row, d_row)), int(np.dot(d_col, d_col))
    # ‖A²‖²_F = 2‖BᵀB‖²_F = 2‖BBᵀ‖²_F: contract over the side whose Σ d² is smaller
    Bt = _transpose(B)
    G = Bt @ B if sq_row <= sq_col else B @ Bt
    g = G.data.astype(np.int64)
    walks4 = 2 * int(np.dot(g, g))
    squares = (float(walks4) - 2.0 * float(sq_row + sq_col) + 2.0 * B.nnz) / 8.0
    return float(4.0 * squares / float(paths3))


def _biadjacency(rows, cols, side) -> sp.csr_array:
    """0/1 biadjacency (int32, CSR, duplicates merged) of ties (rows[k] on the `side` nodes,
    cols[k] on the others), each side numbered in node order."""
    row_of = np.cumsum(side) - 1     # position of a node among its side's nodes
    col_of = np.cumsum(~side) - 1
    n_rows = int(row_of[-1]) + 1
    B = sp.csr_array((np.ones(len(rows), np.int32), (row_of[rows], col_of[cols])),
                     shape=(n_rows, len(side) - n_rows))
    B.data[:] = 1    # a tie repeated counts once (simple graph)
    return B


def _transpose(B: sp.csr_array) -> sp.csr_array:
    """Bᵀ as a CSR array (the CSC arrays of B read the other way), so that the product needs no
    conversion."""
    c = B.tocsc()
    return sp.csr_array((c.data, c.indices, c.indptr), shape=B.shape[::-1])


def largest_component_share(src, dst, n_nodes: int) -> float:
    """Share of firms in the largest weakly connected component.

    A measure of how integrated the supply network is: 1 when every firm
    is linked (directly or indirectly, ignoring direction) to every other,
    1/N when no firm trades::

        share = max_k |component_k| / N

    Returns 0 if there are no nodes.
    """
    s, d, n = _edges(src, dst, n_nodes)
    if n == 0:
        return 0.0
    a = sp.csr_array((np.ones(s.size, dtype=np.int8), (s, d)), shape=(n, n))
    _, labels = connected_components(a, directed=True, connection="weak")
    return float(np.bincount(labels).max() / n)


def largest_component_share_biadjacency(B: sp.csr_array) -> float:
    """`largest_component_share` of a bipartite graph given by its biadjacency B (CSR, rows: one
    side, columns: the other; every node is a row or a column): the weak components of the
    square graph with B's ties from rows to columns (float weights, so that scipy validates it
    without a copy or a sort). Returns 0 if there are no nodes."""
    n_rows, n_cols = B.shape
    if n_rows + n_cols == 0:
        return 0.0
    indptr = np.concatenate([B.indptr, np.full(n_cols, B.indptr[-1], B.indptr.dtype)])
    square = sp.csr_array((np.ones(len(B.indices)), B.indices + n_rows, indptr), shape=(n_rows + n_cols,) * 2)
    _, labels = connected_components(square, directed=True, connection="weak")
    return float(np.bincount(labels).max() / (n_rows + n_cols))


def local_sourcing_share(local_input, total_input) -> float:
    """Share of intermediate inputs bought from local suppliers.

    Aggregate (input-weighted) embeddedness of firms in their cluster::

        share = sum local_input / sum total_input

    Accepts scalars or arrays (summed). Returns 0 when the total is 0.
    """
    local = float(np.sum(np.asarray(local_input, dtype=float)))
    total = float(np.sum(np.asarray(total_input, dtype=float)))
    if total == 0:
        return 0.0
    return local / total
