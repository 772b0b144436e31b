"""One frame of the cluster map and the supply network, as plain JSON-ready data for the page's
canvas (experiments/live_canvas.vue), built from the model's numpy arrays by the page's worker.

Colour scales are fixed across frames and runs, so colours can be compared between quarters:
knowledge relative to the outside technology frontier on [0, 1.5]; infrastructure on its 0–1
level; pollution and land rent on logarithmic scales with fixed ends (below). Every scale comes
with a colour bar (`scales`): label, unit, ends and a CSS gradient.
"""

from __future__ import annotations

import base64
import functools
import io

import numpy as np
from matplotlib import colormaps
from PIL import Image

from model.space import region_index

KNOWLEDGE_RANGE = (0.0, 1.5)      # × frontier
POLLUTION_RANGE = (0.01, 100.0)   # emission units in a cell's stock (log scale)
RENT_RANGE = (1.0, 10.0)          # × base_rent (log scale)
MARKER = {0: "firm", 1: "supplier", 2: "lead firm"}

# layer -> (grid property, colour map, label, unit, low, high, log scale, alpha)
LAYERS = {
    "parks": ("park", "Greens", "industrial park", "in a park", 0.0, 1.0, False, 0.45),
    "infrastructure": ("infrastructure", "Greys", "infrastructure", "level 0–1", 0.0, 1.0, False, 0.6),
    "pollution": ("pollution", "Reds", "pollution stock", "emission units (log)", *POLLUTION_RANGE, True, 0.75),
    "rent": ("rent", "Purples", "land rent", "× base rent (log)", *RENT_RANGE, True, 0.6),
}


def _unit(values: np.ndarray, low: float, high: float, log: bool) -> np.ndarray:
    """values mapped onto [0, 1] between fixed ends (clipped)."""
    v = np.asarray(values, float)
    if log:
        v = np.log10(np.clip(v, low, high))
        low, high = np.log10(low), np.log10(high)
    return np.clip((v - low) / (high - low), 0.0, 1.0)


def hex_colours(cmap: str, u: np.ndarray) -> list[str]:
    rgb = (colormaps[cmap](np.asarray(u, float))[:, :3] * 255).round().astype(np.uint8)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]


def gradient(cmap: str, n: int = 6) -> str:
    """CSS linear-gradient of a colour map (for a colour bar)."""
    return "linear-gradient(to right, " + ", ".join(hex_colours(cmap, np.linspace(0, 1, n))) + ")"


def layer_png(model, layer: str) -> str:
    """The layer as a data-URL PNG, one pixel per cell (row 0 = the top of the map)."""
    data = np.ascontiguousarray(getattr(model.grid, LAYERS[layer][0]).data, dtype=float)
    return _layer_png(layer, data.shape, data.tobytes())


@functools.lru_cache(maxsize=64)  # parks and infrastructure rarely change: encoded once
def _layer_png(layer: str, shape: tuple, raw: bytes) -> str:
    _, cmap, *_, low, high, log, alpha = LAYERS[layer]
    data = np.frombuffer(raw, dtype=float).reshape(shape)
    u = _unit(data, low, high, log)
    rgba = colormaps[cmap](u)
    rgba[..., 3] = alpha
    if layer in ("parks", "pollution"):
        rgba[..., 3] = np.where(data > (low if layer == "pollution" else 0.0), alpha, 0.0)
    img = (rgba * 255).round().astype(np.uint8).transpose(1, 0, 2)[::-1]
    buf = io.BytesIO()
    Image.fromarray(img, "RGBA").save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def scales() -> dict:
    """Colour bars: name -> {label, unit, lo, hi, css}."""
    out = {"knowledge": {"label": "knowledge", "unit": "× frontier", "lo": KNOWLEDGE_RANGE[0],
                         "hi": KNOWLEDGE_RANGE[1], "css": gradient("viridis")}}
    for name, (_, cmap, lab, unit, low, high, _, _) in LAYERS.items():
        out[name] = {"label": lab, "unit": unit, "lo": low, "hi": high, "css": gradient(cmap)}
    return out


def _round(a, digits: int) -> list:
    return np.round(np.asarray(a, float), digits).tolist()


def enterprises(model) -> dict:
    """Live enterprises as columns: position, marker, colour (knowledge), size (workers) and the
    figures shown on hover: stage, knowledge, workers, output, suppliers and buyers."""
    pop, net = model.population, model.network
    live = np.asarray(pop.live)
    k_rel = pop.knowledge[live] / float(model.frontier)
    marker = np.where(pop.is_lead[live], 2, pop.kind[live]).astype(int)
    n_sup = np.bincount(net.dst, minlength=pop.capacity)[live]
    n_buy = np.bincount(net.src, minlength=pop.capacity)[live]
    return {
        "x": pop.x[live].tolist(), "y": pop.y[live].tolist(), "m": marker.tolist(),
        "c": hex_colours("viridis", _unit(k_rel, *KNOWLEDGE_RANGE, False)),
        "uid": pop.uid[live].tolist(), "stage": pop.stage[live].tolist(),
        "k": _round(k_rel, 3), "workers": _round(pop.workers[live], 1), "output": _round(pop.output[live], 2),
        "nsup": n_sup.tolist(), "nbuy": n_buy.tolist(),
    }


def ties(model) -> dict:
    """Supply ties as indices into `enterprises` (a = supplier, b = buyer), volume as a share of
    the largest tie, trust 0–1."""
    pop, net = model.population, model.network
    position = np.full(pop.capacity, -1, np.int64)
    position[pop.live] = np.arange(len(pop.live))
    a, b = position[net.src], position[net.dst]
    ok = (a >= 0) & (b >= 0)
    vol = np.asarray(net.volume, float)[ok]
    top = float(vol.max()) if vol.size and vol.max() > 0 else 1.0
    return {"a": a[ok].tolist(), "b": b[ok].tolist(), "v": _round(vol / top, 3),
            "t": _round(np.asarray(net.trust, float)[ok], 3)}


def flows(model) -> dict:
    """Supply volume between regions (`region_size` squares), drawn between the mean positions of
    the trading enterprises: columns x0, y0, x1, y1, v (share of the largest flow), n (ties);
    trade within a region is left out."""
    pop, net, p = model.population, model.network, model.params
    empty = {k: [] for k in ("x0", "y0", "x1", "y1", "v", "n")}
    if len(net) == 0:
        return empty
    rs = region_index(pop.x[net.src], pop.y[net.src], p["region_size"], p["height"])
    rb = region_index(pop.x[net.dst], pop.y[net.dst], p["region_size"], p["height"])
    between = rs != rb
    if not between.any():
        return empty
    _, inverse = np.unique(np.stack([rs[between], rb[between]], 1), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    count = np.bincount(inverse)

    def mean(a):
        return np.round(np.bincount(inverse, weights=a[between]) / count, 2).tolist()

    vol = np.bincount(inverse, weights=np.asarray(net.volume, float)[between])
    return {"x0": mean(pop.x[net.src]), "y0": mean(pop.y[net.src]), "x1": mean(pop.x[net.dst]),
            "y1": mean(pop.y[net.dst]), "v": _round(vol / max(float(vol.max()), 1e-12), 3), "n": count.tolist()}


def frame(model, layers=tuple(LAYERS)) -> dict:
    """Everything the canvas draws for the model's current quarter."""
    return {
        "w": int(model.grid.width), "h": int(model.grid.height), "step": int(model.steps),
        "e": enterprises(model), "ties": ties(model), "flows": flows(model),
        "layers": {name: layer_png(model, name) for name in layers},
        "stages": int(model.params["n_stages"]),
    }
