"""The cluster map drawn with matplotlib from the model's numpy arrays, and an animated GIF of it.

`draw_map` draws the map of the run figures (experiments/plots.py); `animate` writes a GIF of the
map over a run (`clusterlab run SCENARIO --animate`): 840 × 800 pixels, a fixed layout (the first
frame is complete and nothing moves between frames) and fixed colour scales (knowledge on
[0, 1.5 × the frontier the run ends with]; pollution and rent on the live page's log scales),
each with a colour bar and its unit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from experiments.live_frame import KNOWLEDGE_RANGE, POLLUTION_RANGE, RENT_RANGE

# Background layers the map can show under the enterprises (name -> property layer on model.grid).
LAYERS = ("parks", "infrastructure", "pollution", "rent")
_LAYER_ATTR = {"parks": "park", "infrastructure": "infrastructure", "pollution": "pollution", "rent": "rent"}
KNOWLEDGE_CMAP = "viridis"
FIRM, SUPPLIER, LEAD = "o", "^", "*"


def layer_data(model, layer: str) -> np.ndarray:
    """The (width, height) array of a background layer."""
    return getattr(model.grid, _LAYER_ATTR[layer]).data


def enterprises(model) -> dict[str, np.ndarray]:
    """Live enterprises as arrays: x, y, knowledge, workers, kind (0 firm, 1 supplier), is_lead."""
    pop = model.population
    live = np.asarray(pop.live, dtype=np.intp)
    return {c: np.asarray(getattr(pop, c))[live] for c in ("x", "y", "knowledge", "workers", "kind", "is_lead")}


def draw_map(ax, model, layers=("parks",), cax=None, norm: Normalize | None = None, title: bool = True):
    """Draw the grid's background layers and the enterprises on `ax`.

    Firms are circles, suppliers triangles, lead firms large stars; all coloured by knowledge
    (colour bar in `cax` if given). Marker area grows with workers. Returns the colour norm used.
    """
    w, h = model.grid.width, model.grid.height
    extent = (-0.5, w - 0.5, -0.5, h - 0.5)
    ax.set_facecolor("white")
    draw_layers(ax, model, set(layers or ()), extent)
    e = enterprises(model)
    k = e["knowledge"]
    if norm is None:
        norm = Normalize(vmin=float(k.min()) if k.size else 0.0, vmax=float(k.max()) if k.size else 1.0)
        if norm.vmax <= norm.vmin:
            norm = Normalize(vmin=norm.vmin - 0.5, vmax=norm.vmin + 0.5)
    size = 6.0 + 2.5 * np.sqrt(np.maximum(e["workers"], 0.0))
    if w * h > 20_000:  # smaller marks on bigger grids
        size *= np.sqrt(20_000 / (w * h))
    lead = e["is_lead"].astype(bool)
    groups = [
        ((e["kind"] == 1), SUPPLIER, 1.0, 0.2),
        ((e["kind"] == 0) & ~lead, FIRM, 1.0, 0.2),
        (lead, LEAD, 6.0, 0.8),
    ]
    for mask, marker, scale, edge in groups:
        if mask.any():
            ax.scatter(e["x"][mask], e["y"][mask], c=k[mask], cmap=KNOWLEDGE_CMAP, norm=norm,
                       s=size[mask] * scale, marker=marker, edgecolors="black",
                       linewidths=edge, zorder=3 if marker != LEAD else 4)
    if cax is not None:
        ax.figure.colorbar(ScalarMappable(norm=norm, cmap=KNOWLEDGE_CMAP), cax=cax, label="knowledge")
    _frame(ax, extent)
    if title:
        n_f = int(((e["kind"] == 0)).sum())
        n_s = int((e["kind"] == 1).sum())
        ax.set_title(f"step {model.steps}: {n_f} firms ({int(lead.sum())} lead), {n_s} suppliers", fontsize=10)
    return norm


def _frame(ax, extent) -> None:
    """Axes limits, equal aspect, no ticks, and the marker legend below the map."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    handles = [Line2D([], [], ls="", marker=m, color="grey", markeredgecolor="black", ms=s, label=lab)
               for m, s, lab in ((FIRM, 6, "firm"), (SUPPLIER, 6, "supplier"), (LEAD, 11, "lead firm"))]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=3,
              fontsize=8, frameon=False, handletextpad=0.2, columnspacing=1.0)


def draw_layers(ax, model, layers: set, extent) -> None:
    """The background layers named in `layers` (infrastructure, rent, pollution, parks) on `ax`."""
    w, h = model.grid.width, model.grid.height
    if "infrastructure" in layers:
        ax.imshow(layer_data(model, "infrastructure").T, origin="lower", extent=extent,
                  cmap="Greys", vmin=0.0, vmax=1.0, alpha=0.55, interpolation="nearest")
    if "rent" in layers:  # fixed scale: × base rent
        rent = layer_data(model, "rent") / max(model.params["base_rent"], 1e-12)
        ax.imshow(np.clip(rent, *RENT_RANGE).T, origin="lower", extent=extent, cmap="Purples",
                  norm=LogNorm(*RENT_RANGE), alpha=0.5, interpolation="nearest")
    if "pollution" in layers:  # fixed scale: emission units in the cell's stock
        pol = layer_data(model, "pollution")
        ax.imshow(np.ma.masked_less(np.clip(pol, None, POLLUTION_RANGE[1]), POLLUTION_RANGE[0]).T, origin="lower",
                  extent=extent, cmap="Reds", norm=LogNorm(*POLLUTION_RANGE), alpha=0.7, interpolation="nearest")
    if "parks" in layers:
        park = layer_data(model, "parks")
        if park.any():
            ax.imshow(np.ma.masked_less_equal(park, 0).T, origin="lower", extent=extent,
                      cmap="Greens", vmin=0.0, vmax=2.0, alpha=0.45, interpolation="nearest")
            ax.contour(np.arange(w), np.arange(h), (park > 0).T.astype(float), levels=[0.5],
                       colors="darkgreen", linewidths=0.8)


def _build(model_or_scenario, seed: int):
    if not isinstance(model_or_scenario, str):
        return model_or_scenario
    import scenarios

    return scenarios.build(model_or_scenario, seed=seed)


def animate(model_or_scenario, steps: int, path, fps: int = 5, *, seed: int = 1,
            layers=("parks", "pollution"), dpi: int = 100) -> Path:
    """Run `steps` steps and write an animated GIF of the map (first frame = the current state).

    `model_or_scenario` is a ClusterModel (advanced in place) or a scenario name (built with
    `seed`). Frames are 840 × 800 pixels at the default dpi; axes and colour scales are the same
    in every frame. Returns the path written.
    """
    model = _build(model_or_scenario, seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(8.4, 8.0))
    ax = fig.add_axes((0.02, 0.09, 0.74, 0.85))
    cax = fig.add_axes((0.775, 0.09, 0.022, 0.85))
    pax = fig.add_axes((0.885, 0.09, 0.022, 0.85)) if "pollution" in layers else None
    # knowledge grows with the frontier: the scale ends at 1.5 × the frontier of the last frame
    top = KNOWLEDGE_RANGE[1] * model.frontier * (1 + model.params["frontier_growth"]) ** int(steps)
    norm = Normalize(0.0, top)

    def frame(i):
        if i > 0:
            model.step()
        ax.clear()
        cax.clear()
        draw_map(ax, model, layers=layers, cax=cax, norm=norm)
        cax.set_ylabel("knowledge (frontier at step 0 = 1)")
        if pax is not None:
            pax.clear()
            fig.colorbar(ScalarMappable(norm=LogNorm(*POLLUTION_RANGE), cmap="Reds"), cax=pax,
                         label="pollution stock (emission units, log)")
        return []

    anim = FuncAnimation(fig, frame, frames=int(steps) + 1, blit=False, repeat=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    return path
