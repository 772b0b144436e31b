"""Figures of a run: the indicator panel, the map and the supply network.

Each `plot_*` function draws on a matplotlib Axes it is given, so the comparison pages and the
live page can reuse them; `save_figures` writes the three PNGs of `clusterlab run`. Figures
are built with `matplotlib.figure.Figure` (no pyplot), so they are safe in worker processes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import AutoLocator

from experiments.animate import FIRM, KNOWLEDGE_CMAP, LEAD, SUPPLIER, draw_map
from model.indicator_registry import FLOWS, figure_panels
from model.space import market_gateway

# One panel per row: (title, left axis label, [(column, label)], optional right axis (label, [(column, label)])).
PANELS = figure_panels()
MARKET = dict(marker="X", s=160, c="crimson", edgecolors="white", linewidths=1.2, zorder=6)
TRUST_CMAP = ListedColormap(colormaps["Blues"](np.linspace(0.3, 1.0, 256)), name="trust")
EVENT = dict(color="0.35", ls="--", lw=0.9, zorder=0)


def save_figures(model, results: pd.DataFrame, out, title: str = "", events=()) -> list[Path]:
    """indicators.png, map.png and network.png in folder `out`; returns their paths."""
    out = Path(out)
    paths = []
    for name, draw in (("indicators.png", lambda: indicators_figure(results, title, events)),
                       ("map.png", lambda: map_figure(model, title)),
                       ("network.png", lambda: network_figure(model, title))):
        fig = draw()
        fig.savefig(out / name, dpi=120)
        paths.append(out / name)
    return paths


# --- indicators over time ---------------------------------------------------------------------
def indicators_figure(results: pd.DataFrame, title: str = "", events=()) -> Figure:
    fig = Figure(figsize=(13, 14), layout="constrained")
    axes = fig.subplots(4, 2, sharex=True).ravel()
    for ax, panel in zip(axes, PANELS):
        plot_panel(ax, results, *panel, events=events)
    fig.suptitle(title or "Indicators", fontsize=14)
    label = "quarter (step)"
    if events:
        label += "\ndashed lines: " + "; ".join(f"step {step}: {text}" for step, text in events)
    fig.supxlabel(label, fontsize=10)
    return fig


def na_label(label: str, y) -> str:
    """The legend label, marked "n/a" when the series is undefined throughout (all NaN)."""
    return f"{label} (n/a: undefined)" if len(y) and pd.isna(pd.Series(y)).all() else label


def plot_panel(ax, results: pd.DataFrame, title: str, ylabel: str, left, right=None, events=()) -> None:
    """Lines of `left` columns (and of `right` ones on a twin axis) against the step."""
    colours = iter(f"C{i}" for i in range(10))
    handles = []
    for column, label in left:
        if column in results and (column != "lead_firms" or results[column].any()):
            x, y = _series(results, column)
            handles += ax.plot(x, y, color=next(colours), lw=1.6, label=na_label(label, y))
    ax.set_ylabel(ylabel)
    if right:
        rlabel, rcols = right
        twin = ax.twinx()
        for column, label in rcols:
            if column in results:
                x, y = _series(results, column)
                handles += twin.plot(x, y, color=next(colours), lw=1.2, ls=":" if column != "innovations" else "-",
                                     alpha=0.85, label=na_label(label, y))
        twin.set_ylabel(rlabel)
    for step, _ in events:
        ax.axvline(step, **EVENT)
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.8)


# --- the map ----------------------------------------------------------------------------------
def plot_map(ax, model, colorbar: bool = True) -> None:
    """Enterprises on the grid (firms, suppliers, lead firms by marker; colour = knowledge) over
    infrastructure (grey) and parks (green), with the market gateway (red X)."""
    norm = draw_map(ax, model, layers=("infrastructure", "parks"), title=False)
    if colorbar:
        ax.figure.colorbar(ScalarMappable(norm=norm, cmap=KNOWLEDGE_CMAP), ax=ax, shrink=0.9,
                           label="knowledge (frontier at step 0 = 1); marker area ∝ workers")
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    mx, my = market_gateway(model.params)
    ax.scatter([mx], [my], **MARKET)
    _grid_axes(ax, model)
    pop = model.population
    live = pop.live
    n_firms = int((pop.kind[live] == 0).sum())
    ax.set_title(f"step {model.steps}: {n_firms} final firms ({int(pop.is_lead[live].sum())} lead), "
                 f"{len(live) - n_firms} suppliers", fontsize=10)
    handles = [
        Line2D([], [], ls="", marker=FIRM, color="0.6", markeredgecolor="black", ms=7, label="final firm"),
        Line2D([], [], ls="", marker=SUPPLIER, color="0.6", markeredgecolor="black", ms=7, label="supplier"),
        Line2D([], [], ls="", marker=LEAD, color="0.6", markeredgecolor="black", ms=12, label="lead firm"),
        Line2D([], [], ls="", marker="X", color="crimson", markeredgecolor="white", ms=11, label="market gateway"),
        Patch(facecolor="0.75", label="infrastructure (darker = better)"),
    ]
    if model.grid.park.data.any():
        handles.append(Patch(facecolor="#a1d99b", edgecolor="darkgreen", label="industrial park"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=3, fontsize=8,
              frameon=False)


def map_figure(model, title: str = "") -> Figure:
    fig = Figure(figsize=_map_size(model), layout="constrained")
    plot_map(fig.subplots(), model)
    fig.suptitle(f"{title} — the cluster at the end" if title else "The cluster at the end", fontsize=13)
    return fig


# --- the supply network -----------------------------------------------------------------------
def node_positions(model) -> dict[int, tuple[float, float]]:
    """uid -> (x, y): the enterprise's cell, nudged by a fixed uid-based offset so co-located
    enterprises stay apart. Same model state, same picture (no layout algorithm, no randomness)."""
    pop = model.population
    live = pop.live
    uid = pop.uid[live]
    dx = (uid * 0.6180339887) % 1.0 - 0.5
    dy = (uid * 0.7548776662) % 1.0 - 0.5
    return {int(u): (float(x), float(y)) for u, x, y in zip(uid, pop.x[live] + 0.7 * dx, pop.y[live] + 0.7 * dy)}


def plot_network(ax, model, colorbar: bool = True) -> None:
    """The supply network at the enterprises' grid positions: edge width ∝ volume, colour = trust;
    nodes coloured by value-chain stage (final firms = the last colour)."""
    g = model.supply_network
    pos = node_positions(model)
    pop = model.population
    live = pop.live
    S = model.params["n_stages"]
    stage_colour = _stage_colours(S)
    park = model.grid.park.data
    if park.any():
        W, H = park.shape
        ax.imshow(np.ma.masked_less_equal(park, 0).T, origin="lower", extent=(-0.5, W - 0.5, -0.5, H - 0.5),
                  cmap="Greens", vmin=0.0, vmax=3.0, alpha=0.4, interpolation="nearest")

    edges = sorted(g.edges(data=True), key=lambda e: e[2].get("volume", 0.0))  # heavy ties on top
    if edges:
        volume = np.array([d.get("volume", 0.0) for *_, d in edges])
        width = 0.2 + 2.3 * np.sqrt(volume / volume.max()) if volume.max() > 0 else np.full(len(edges), 0.5)
        nx.draw_networkx_edges(g, pos, ax=ax, edgelist=[(u, v) for u, v, _ in edges], width=width,
                               edge_color=[d.get("trust", 0.0) for *_, d in edges], edge_cmap=TRUST_CMAP,
                               edge_vmin=0.0, edge_vmax=1.0, arrows=False, alpha=0.45)
    uid, kind, stage, lead = pop.uid[live], pop.kind[live], pop.stage[live], pop.is_lead[live]
    for mask, shape, size in ((kind == 1, "^", 10), ((kind == 0) & ~lead, "o", 14), (lead, "*", 160)):
        if mask.any():
            nodes = [int(u) for u in uid[mask]]
            nx.draw_networkx_nodes(g, pos, nodelist=nodes, ax=ax, node_shape=shape, node_size=size,
                                   node_color=[stage_colour[int(s)] for s in stage[mask]],
                                   edgecolors="black", linewidths=0.2)
    mx, my = market_gateway(model.params)
    ax.scatter([mx], [my], **MARKET)
    _grid_axes(ax, model)
    ax.set_title(f"step {model.steps}: {g.number_of_edges()} supply ties among {g.number_of_nodes()} enterprises",
                 fontsize=10)
    if colorbar:
        ax.figure.colorbar(ScalarMappable(norm=Normalize(0.0, 1.0), cmap=TRUST_CMAP), ax=ax, shrink=0.9,
                           label="trust of a tie (0–1)")
    handles = [Line2D([], [], ls="", marker="^", color=stage_colour[s], markeredgecolor="black", ms=7,
                      label=f"supplier, stage {s}") for s in range(S)]
    handles += [Line2D([], [], ls="", marker="o", color=stage_colour[S], markeredgecolor="black", ms=7,
                       label="final firm"),
                Line2D([], [], ls="", marker="*", color=stage_colour[S], markeredgecolor="black", ms=12,
                       label="lead firm"),
                Line2D([], [], ls="", marker="X", color="crimson", markeredgecolor="white", ms=11,
                       label="market gateway"),
                Line2D([], [], color="0.4", lw=2.5, label="tie (width ∝ volume)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=4, fontsize=8, frameon=False)


def network_figure(model, title: str = "") -> Figure:
    fig = Figure(figsize=_map_size(model), layout="constrained")
    plot_network(fig.subplots(), model)
    fig.suptitle(f"{title} — supply network (supplier → buyer)" if title else "Supply network (supplier → buyer)",
                 fontsize=13)
    return fig


# --- helpers ----------------------------------------------------------------------------------
def _series(results: pd.DataFrame, column: str):
    """(steps, values) of a column; a quarter's flows start at step 1 (row 0 is the state before any trade)."""
    series = results[column].iloc[1:] if column in FLOWS else results[column]
    return series.index, series.to_numpy()


def _map_size(model) -> tuple[float, float]:
    """Figure size fitting the grid's aspect ratio, with room for title, legend and colour bar."""
    W, H = model.params["width"], model.params["height"]
    return 9.0, min(14.0, max(5.0, 7.2 * H / W + 2.0))


def _grid_axes(ax, model) -> None:
    W, H = model.params["width"], model.params["height"]
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(-0.5, H - 0.5)
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(AutoLocator())
    ax.yaxis.set_major_locator(AutoLocator())
    ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)  # networkx hides them
    ax.set_xlabel("x (cells, 1 cell ≈ 1 km)")
    ax.set_ylabel("y (cells)")


def _stage_colours(n_stages: int) -> list:
    """One colour per supplier stage (0 … n_stages − 1), and red for final producers."""
    tab = [c for i, c in enumerate(colormaps["tab20"].colors) if i not in (6, 7)]  # tab20 without its reds
    palette = tab[0::2] + tab[1::2]  # the 9 strong colours first, then their light twins
    return [palette[s % len(palette)] for s in range(n_stages)] + ["#d62728"]

