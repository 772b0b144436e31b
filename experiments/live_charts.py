"""The page's charts as Vega-Lite specs whose data travel separately (experiments/live_vega.vue
embeds a spec once and then only swaps its datasets), with events marked on every panel:

* lever changes made on the page (crimson, dashed),
* the scenario's scheduled lever changes (orange, dotted),
* its demand shifts (grey, dotted).

The step axis spans the scenario's run length from the start, so the spec does not change while a
run is played and panels do not jump.
"""

from __future__ import annotations

import numpy as np

MARK_COLOURS = {"page": "#dc143c", "schedule": "#ff7f0e", "demand": "#555555"}
MARK_DASH = {"page": [4, 3], "schedule": [2, 2], "demand": [1, 3]}
SPEND_PREFIX = "spend_"
# a panel's lines and its event marks each keep their own colours (no merged legend or domain)
LAYER_RESOLVE = {"scale": {"color": "independent", "strokeDash": "independent"},
                 "legend": {"color": "independent"}}
BUDGET_SERIES = (("gov_budget", "#1f77b4"), ("gov_revenue", "#2ca02c"), ("gov_spending", "#d62728"))
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f", "#17becf", "#bcbd22")


def history(model) -> dict[str, list]:
    """The DataCollector's columns as plain lists (a copy), plus "step"."""
    cols = {name: list(values) for name, values in model.datacollector.model_vars.items()}
    n = max((len(v) for v in cols.values()), default=0)
    cols["step"] = list(range(n))
    return cols


def records(hist: dict[str, list], columns) -> list[dict]:
    """Rows {"step", column: value} of the chosen columns; NaN and ±inf become null."""
    cols = ["step", *[c for c in columns if c in hist and c != "step"]]
    data = np.array([hist[c] for c in cols], dtype=float).T if cols else np.empty((0, 0))
    out = []
    for row in data.tolist():
        out.append({c: (v if v == v and abs(v) != float("inf") else None) for c, v in zip(cols, row)})
    return out


def spend_columns(hist: dict[str, list]) -> list[str]:
    """spend_<lever> columns that were ever non-zero."""
    return [c for c, v in hist.items() if c.startswith(SPEND_PREFIX) and any(abs(x) > 0 for x in v)]


def event_marks(changes, schedule=(), shifts=()) -> list[dict]:
    """One row per (step, kind): {"step", "kind", "label"}; labels of the same step joined."""
    rows: dict[tuple, list[str]] = {}
    for step, lever, value in schedule:
        rows.setdefault((int(step), "schedule"), []).append(f"{lever}={value:g}")
    for step, demand, quality in shifts:
        rows.setdefault((int(step), "demand"), []).append(
            f"demand ×{demand:g}" + ("" if quality is None else f", quality {quality:g}"))
    for c in changes:
        rows.setdefault((int(c.step), "page"), []).append(f"{c.name}={c.value:g}")
    return [{"step": s, "kind": k, "label": ", ".join(v)} for (s, k), v in sorted(rows.items())]


def x_axis(end: int) -> dict:
    return {"field": "step", "type": "quantitative", "title": "quarter",
            "scale": {"domain": [0, max(int(end), 1)], "nice": False},
            "axis": {"tickMinStep": 1, "format": "d", "labelFontSize": 9}}


def _mark_layers(x: dict, labels: bool) -> list[dict]:
    kinds = list(MARK_COLOURS)
    colour = {"field": "kind", "type": "nominal", "legend": None,
              "scale": {"domain": kinds, "range": [MARK_COLOURS[k] for k in kinds]}}
    rule = {"data": {"name": "marks"}, "mark": {"type": "rule", "strokeWidth": 1.2},
            "encoding": {"x": x, "color": colour,
                         "strokeDash": {"field": "kind", "type": "nominal", "legend": None,
                                        "scale": {"domain": kinds, "range": [MARK_DASH[k] for k in kinds]}},
                         "tooltip": [{"field": "step", "title": "quarter"}, {"field": "label", "title": "event"}]}}
    if not labels:
        return [rule]
    text = {"data": {"name": "marks"},
            "mark": {"type": "text", "angle": 270, "align": "right", "baseline": "bottom", "dx": -3, "dy": -2,
                     "y": 0, "fontSize": 8, "limit": 90},
            "encoding": {"x": x, "color": colour, "text": {"field": "label", "type": "nominal"}}}
    return [rule, text]


def line_panel(title: str, series, x: dict, width: int, height: int, labels: bool = False,
               ghost: bool = False) -> dict:
    """A panel of one or more lines (`series` = [(column, colour)]) over the step axis."""
    names = [c for c, _ in series]
    enc = {"x": x, "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
           "color": {"field": "series", "type": "nominal",
                     "scale": {"domain": names, "range": [c for _, c in series]},
                     "legend": {"orient": "top", "title": None, "labelFontSize": 9} if len(names) > 1 else None},
           "tooltip": [{"field": "step", "type": "quantitative", "title": "quarter"},
                       {"field": "series", "type": "nominal"},
                       {"field": "value", "type": "quantitative", "format": ".4~g"}]}
    fold = [{"fold": names, "as": ["series", "value"]}, {"filter": "datum.value != null"}]
    layers = [{"data": {"name": "history"}, "transform": fold, "mark": {"type": "line", "strokeWidth": 1.8},
               "encoding": enc}]
    if ghost:
        layers.insert(0, {"data": {"name": "ghost"}, "transform": fold,
                          "mark": {"type": "line", "strokeWidth": 1.5, "opacity": 0.45, "strokeDash": [3, 2]},
                          "encoding": {**enc, "tooltip": None}})
    return {"title": title, "width": width, "height": height, "layer": [*layers, *_mark_layers(x, labels)],
            "resolve": LAYER_RESOLVE}


def _spec(body: dict) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "datasets": {"history": [], "marks": [], "ghost": []},
            "resolve": {"scale": {"color": "independent", "strokeDash": "independent"},
                        "legend": {"color": "independent"}},
            "config": {"view": {"stroke": None}, "title": {"fontSize": 11, "limit": 240},
                       "axis": {"labelFontSize": 9}},
            **body}


def indicators_spec(indicators, end: int, titles: dict | None = None, columns: int = 3, ghost: bool = False,
                    width: int = 190, height: int = 90) -> dict:
    """Small multiples, one panel per indicator (`titles`: name -> panel title with unit)."""
    x = x_axis(end)
    panels = [line_panel((titles or {}).get(name, name), [(name, PALETTE[i % len(PALETTE)])], x, width,
                         height, labels=i == 0, ghost=ghost) for i, name in enumerate(indicators)]
    return _spec({"columns": columns, "concat": panels})


def government_spec(spend: list[str], end: int, width: int = 300, height: int = 90, ghost: bool = False) -> dict:
    """Budget, revenue and spending; spending by lever stacked below (units/quarter)."""
    x = x_axis(end)
    budget = line_panel("Government budget, revenue, spending (units)", BUDGET_SERIES, x, width, height, labels=True,
                        ghost=ghost)
    spending = {
        "title": "Spending by lever (units/quarter)", "width": width, "height": height,
        "layer": [{
            "data": {"name": "history"},
            "transform": [{"fold": spend or ["gov_spending"], "as": ["lever", "spending"]},
                          {"calculate": f"replace(datum.lever, '{SPEND_PREFIX}', '')", "as": "lever"},
                          {"filter": "datum.spending != null"}],
            "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.85},
            "encoding": {
                "x": x, "y": {"field": "spending", "type": "quantitative", "stack": "zero", "title": None},
                "color": {"field": "lever", "type": "nominal", "scale": {"scheme": "tableau20"},
                          "legend": {"orient": "bottom", "title": None, "columns": 3, "labelFontSize": 9,
                                     "labelLimit": 110} if spend else None},
                "tooltip": [{"field": "step", "type": "quantitative", "title": "quarter"},
                            {"field": "lever", "type": "nominal"},
                            {"field": "spending", "type": "quantitative", "format": ".3~g"}]}},
            *_mark_layers(x, labels=False)],
        "resolve": LAYER_RESOLVE,
    }
    return _spec({"vconcat": [budget, spending]})


def government_columns(spend: list[str]) -> list[str]:
    return [c for c, _ in BUDGET_SERIES] + list(spend)
