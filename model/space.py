"""The landscape: a Mesa grid with numpy property layers, regions, parks, roads and the market gateway."""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

LAYERS = ("infrastructure", "park", "rent", "wage", "pollution", "knowledge_pool", "agglomeration")


class ClusterGrid(OrthogonalMooreGrid):
    """`OrthogonalMooreGrid` whose cells are linked with one dict per cell.

    Mesa links the 8 neighbours one `Cell.connect` call at a time, each clearing the cell's
    neighbourhood caches; at 500 × 500 that is 2 million calls and ~5 s. The caches are empty
    while the grid is built, so filling each cell's `connections` dict directly gives the same
    grid (same keys, same order) several times faster: the columns of cells are padded with
    `None`, every cell takes its 8 neighbours by index, and the border cells drop the `None`s.
    """

    OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))

    def _connect_cells_2d(self) -> None:
        w, h = self.dimensions
        cells, offsets = self._cells, self.OFFSETS
        edge = [None] * (h + 2)
        cols = [edge, *([None, *(cells[i, j] for j in range(h)), None] for i in range(w)), edge]
        for i in range(1, w + 1):
            a, b, c = cols[i - 1], cols[i], cols[i + 1]
            for j in range(1, h + 1):
                b[j].connections = dict(zip(offsets, (a[j - 1], a[j], a[j + 1], b[j - 1], b[j + 1],
                                                      c[j - 1], c[j], c[j + 1])))
        border = {cells[i, j] for i in (0, w - 1) for j in range(h)} | {cells[i, j] for j in (0, h - 1) for i in range(w)}
        for cell in border:
            cell.connections = {key: other for key, other in cell.connections.items() if other is not None}


def build_grid(params: dict, random) -> ClusterGrid:
    """Grid with every layer, infrastructure from the base level, roads and parks."""
    w, h = params["width"], params["height"]
    grid = ClusterGrid((w, h), torus=False, random=random)
    for name in LAYERS:
        grid.create_property_layer(name, default_value=0.0)
    grid.infrastructure.data[:] = params["base_infrastructure"]
    for x0, y0, x1, y1, level in params["roads"]:
        n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        xs = np.clip(np.rint(np.linspace(x0, x1, n)).astype(int), 0, w - 1)
        ys = np.clip(np.rint(np.linspace(y0, y1, n)).astype(int), 0, h - 1)
        grid.infrastructure.data[xs, ys] = np.maximum(grid.infrastructure.data[xs, ys], level)
    grid.park.data[:] = park_mask((w, h), params["parks"])
    grid.infrastructure.data[grid.park.data > 0] = 1.0
    return grid


def park_mask(shape, parks) -> np.ndarray:
    """1.0 on cells within a park's radius, else 0.0."""
    xx, yy = np.indices(shape)
    mask = np.zeros(shape)
    for x, y, radius in parks:
        mask[(xx - x) ** 2 + (yy - y) ** 2 <= radius**2] = 1.0
    return mask


def market_gateway(params: dict) -> tuple[int, int]:
    """(x, y) of the outside-market gateway (the grid centre when market_x/market_y are −1).

    Raises ValueError if it lies outside the grid."""
    w, h = params["width"], params["height"]
    mx = params["market_x"] if params["market_x"] >= 0 else w // 2
    my = params["market_y"] if params["market_y"] >= 0 else h // 2
    if not (0 <= mx < w and 0 <= my < h):
        raise ValueError(f"market gateway ({mx}, {my}) lies outside the {w} × {h} grid")
    return mx, my


def region_index(x, y, region_size: int, height: int):
    """Region id of cells (x, y): square blocks of `region_size` cells, numbered row by row."""
    n_ry = -(-height // region_size)
    return (np.asarray(x) // region_size) * n_ry + np.asarray(y) // region_size


def n_regions(width: int, height: int, region_size: int) -> int:
    """Number of square regions of side `region_size` covering a width × height grid."""
    return (-(-width // region_size)) * (-(-height // region_size))


def invest_infrastructure(infra: np.ndarray, base: np.ndarray, employment: np.ndarray, spend: float,
                          decay: float, cost: float) -> None:
    """Infrastructure (W, H), 0–1, in place: public investment depreciates at `decay` back to the
    initial network `base`; `spend` (units) raises it where the jobs are (share of `employment`),
    by spend / cost · share · (1 − level), clipped to [0, 1]."""
    infra -= decay * np.maximum(infra - base, 0.0)
    if spend > 0 and employment.sum() > 0:
        infra += spend / cost * employment / employment.sum() * (1.0 - infra)
        np.clip(infra, 0.0, 1.0, out=infra)
