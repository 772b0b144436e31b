"""ClusterLab live page (Mesa + Solara).

    clusterlab viz [SCENARIO]            # or: solara run experiments.app:page

The page shows the cluster map (firms ●, suppliers ▲, lead firms ★ coloured by knowledge, over
switchable park / infrastructure / pollution / rent layers), the supply network at the
enterprises' grid positions, and live charts of the cluster indicators and of the government's
budget and spending by lever. The sidebar has Mesa's Reset / Play / Step controller, the
scenario and seed (applied by Reset), and the policy levers: moving one changes the running
model from the next step on (`model.set_lever`, no reset), and the charts mark the step where the
change took effect.

Each browser tab builds its own model inside the page component (nothing is shared).
Map and network are matplotlib PNGs drawn from the model's numpy arrays; the charts are
Vega-Lite specs drawn by the browser, so a step costs the server little.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import weakref
import zlib
from dataclasses import dataclass

import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.solara_viz import ModelController, ModelCreator, ShowSteps
from mesa.visualization.utils import force_update, update_counter

from experiments.animate import LAYERS, draw_map
from model import ClusterModel
from model.indicator_registry import SPEND_PREFIX, budget_panel, live_panels
from model.params import LEVERS, PARAMS

MONEY_MAX = 50.0  # slider ceiling of the funding levers (units/quarter); their parameters allow more
START_SCENARIO = os.environ.get("CLUSTERLAB_SCENARIO", "baseline")
START_SEED = os.environ.get("CLUSTERLAB_SEED", "1")
MARK = "#dc143c"  # crimson: lever-change marks


# --- the model the page runs ---------------------------------------------------------------

def scenario_names() -> list[str]:
    """Scenario names for the selector; just "baseline" while the scenarios package is absent."""
    try:
        from scenarios import list_scenarios

        infos = list_scenarios()
    except ImportError:
        infos = []
    names = [getattr(i, "name", i) for i in infos if not str(getattr(i, "question", "")).startswith("(invalid")]
    return names if "baseline" in names else ["baseline", *names]


def to_seed(value) -> int:
    """The seed box sends a string: "42" -> 42; other text -> a stable number derived from it."""
    text = str(value).strip()
    try:
        return int(float(text))
    except ValueError:
        return zlib.crc32(text.encode())


def scenario_arguments(name: str) -> dict:
    """ClusterModel keyword arguments of a scenario, as `Scenario.build` passes them."""
    try:
        from scenarios import load_scenario
    except ImportError:  # no scenarios package: baseline = the defaults
        if name != "baseline":
            raise
        return {}
    s = load_scenario(name)
    return dict(policy_schedule=list(s.schedule), default_steps=s.steps, **s.params)


class LiveModel(ClusterModel):
    """`scenarios.build(name, seed)` with the signature Mesa's Reset calls.

    Mesa's controller rebuilds the model as `type(model)(**model_parameters)`, here
    `LiveModel(scenario_name="baseline", seed="42")` (the seed box sends a string). The
    parameter is not called `scenario`: Mesa would replace that with its own Scenario object.
    """

    def __init__(self, scenario_name: str = "baseline", seed="1"):
        super().__init__(seed=to_seed(seed), **scenario_arguments(scenario_name))
        self.scenario_name = scenario_name
        self.step_lock = threading.Lock()  # a lever moved during a Play step waits for its end

    def step(self):
        with self.step_lock:
            super().step()


# --- policy levers changed on the running model ---------------------------------------------

@dataclass(frozen=True)
class LeverChange:
    step: int  # first step run with the new value
    name: str
    value: float


_CHANGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def lever_changes(model) -> list[LeverChange]:
    """Lever changes made on this model from the page, oldest first."""
    return _CHANGES.setdefault(model, [])


def change_lever(model, name: str, value) -> LeverChange:
    """Set a lever on the running model (it acts from the next step) and record the change."""
    with getattr(model, "step_lock", contextlib.nullcontext()):
        model.set_lever(name, value)
        change = LeverChange(model.steps + 1, name, value)
    changes = lever_changes(model)
    changes[:] = [c for c in changes if (c.step, c.name) != (change.step, name)] + [change]
    return change


def lever_values(model) -> dict:
    """Current lever values, changes still waiting for the next step shown as set."""
    values = dict(model.levers())
    values.update({c.name: c.value for c in lever_changes(model) if c.step > model.steps})
    return values


def lever_slider(name: str) -> dict:
    p = PARAMS[name]
    low = p.low if p.low is not None else 0.0
    if p.kind is int:
        return dict(min=int(low), max=int(min(p.high, 40)), step=1)
    high = min(p.high, MONEY_MAX)
    return dict(min=float(low), max=float(high), step=1.0 if high > 2 else 0.01)


# --- map and network: matplotlib from the numpy arrays --------------------------------------

def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def map_figure(model, layers) -> Figure:
    fig = Figure(figsize=(6.0, 5.6), dpi=90)
    ax = fig.add_axes((0.02, 0.08, 0.82, 0.86))
    cax = fig.add_axes((0.86, 0.08, 0.03, 0.86))
    draw_map(ax, model, layers=layers, cax=cax)
    return fig


def _positions(model) -> dict:
    """unique_id -> (x, y) of every live enterprise."""
    pop = model.population
    live = np.asarray(pop.live)
    if hasattr(pop, "uid"):
        return dict(zip(pop.uid[live].tolist(), zip(pop.x[live].tolist(), pop.y[live].tolist())))
    return {a.unique_id: a.cell.coordinate for a in model.agents if getattr(a, "cell", None) is not None}


def _draw_ties(ax, segs, volume, trust) -> None:
    """Ties in 3 width classes (volume) x 3 shades (trust), each class one NaN-separated polyline.

    Nine Line2D artists draw 10,000 ties in a few ms, where a LineCollection makes a Path per tie.
    """
    vbin = np.digitize(volume, [1 / 3, 2 / 3])
    tbin = np.digitize(trust, [1 / 3, 2 / 3])
    blues = colormaps["Blues"]
    for vb, width in enumerate((0.4, 1.1, 2.2)):
        for tb, shade in enumerate((0.35, 0.65, 0.95)):
            s = segs[(vbin == vb) & (tbin == tb)]
            if len(s):
                nan = np.full(len(s), np.nan)
                ax.plot(np.column_stack([s[:, 0, 0], s[:, 1, 0], nan]).ravel(),
                        np.column_stack([s[:, 0, 1], s[:, 1, 1], nan]).ravel(),
                        lw=width, color=blues(shade), solid_capstyle="butt", zorder=1)


def network_figure(model) -> Figure:
    """Supply ties drawn at the enterprises' grid positions: width ~ volume, darker = more trust."""
    fig = Figure(figsize=(6.0, 5.6), dpi=90)
    ax = fig.add_axes((0.02, 0.08, 0.96, 0.86))
    G = model.supply_network
    pos = _positions(model)
    edges = [(pos[u], pos[v], d) for u, v, d in G.edges(data=True) if u in pos and v in pos]
    trust = np.clip([float(d.get("trust", 0.5)) for *_, d in edges], 0.0, 1.0)
    if edges:
        segs = np.array([(a, b) for a, b, _ in edges], dtype=float)
        vol = np.array([float(d.get("volume", 1.0)) for *_, d in edges])
        _draw_ties(ax, segs, vol / max(vol.max(), 1e-12), trust)
    pop = model.population
    live = np.asarray(pop.live)
    x, y, kind, lead = (np.asarray(getattr(pop, c))[live] for c in ("x", "y", "kind", "is_lead"))
    lead = lead.astype(bool)
    for mask, marker, color, size in ((kind == 1, "^", "#ff7f0e", 12), ((kind == 0) & ~lead, "o", "#1f77b4", 12),
                                      (lead, "*", MARK, 110)):
        if mask.any():
            ax.scatter(x[mask], y[mask], s=size, marker=marker, c=color, edgecolors="none", zorder=2)
    w, h = model.grid.width, model.grid.height
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(-0.5, h - 0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    mean_trust = float(trust.mean()) if len(trust) else 0.0
    ax.set_title(f"supply network: {G.number_of_edges()} ties, mean trust {mean_trust:.2f}", fontsize=10)
    handles = [Line2D([], [], ls="", marker=m, color=c, ms=s, label=lab) for m, c, s, lab in
               (("o", "#1f77b4", 5, "firm"), ("^", "#ff7f0e", 5, "supplier"), ("*", MARK, 10, "lead firm"))]
    handles.append(Line2D([], [], color="#1f77b4", lw=2, label="tie: width = volume, dark = trust"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.005), ncol=4, fontsize=8,
              frameon=False, handletextpad=0.3, columnspacing=0.8)
    return fig


# --- charts: Vega-Lite specs (drawn by the browser) -----------------------------------------

INDICATOR_PANELS = live_panels()
BUDGET_PANEL = budget_panel()


def _history(model) -> tuple[list[dict], list[str]]:
    """DataCollector rows as records with a "step" field, and the spend_<lever> columns ever > 0."""
    df = model.datacollector.get_model_vars_dataframe()
    try:
        steps = np.asarray(df.index, dtype=float)
    except (TypeError, ValueError):
        steps = np.arange(len(df), dtype=float)
    spend = [c for c in df.columns if c.startswith(SPEND_PREFIX) and (df[c].abs() > 0).any()]
    cols = [c for _, series in [*INDICATOR_PANELS, BUDGET_PANEL] for c, _ in series if c in df] + spend
    data = df[cols].astype(float).replace([np.inf, -np.inf], np.nan)
    data.insert(0, "step", steps)
    records = [{k: (None if v != v else v) for k, v in row.items()} for row in data.to_dict("records")]
    return records, spend


def _marks(model) -> list[dict]:
    """One record per step where lever changes took effect: {"step", "label"}."""
    by_step: dict[int, list[str]] = {}
    for c in lever_changes(model):
        by_step.setdefault(c.step, []).append(f"{c.name}={c.value:g}")
    return [{"step": step, "label": ", ".join(labels)} for step, labels in sorted(by_step.items())]


def _x_encoding(model) -> dict:
    """The step axis, with whole-step ticks (about six of them)."""
    last = max([model.steps, *(c.step for c in lever_changes(model))])
    every = max(1, int(np.ceil(last / 6)))
    return {"field": "step", "type": "quantitative", "title": "step (quarter)",
            "axis": {"values": list(range(0, last + every, every))}}


def _mark_layers(x: dict) -> list[dict]:
    return [
        {"data": {"name": "marks"}, "mark": {"type": "rule", "color": MARK, "strokeDash": [4, 3]},
         "encoding": {"x": x}},
        {"data": {"name": "marks"},
         "mark": {"type": "text", "color": MARK, "angle": 270, "align": "right", "baseline": "bottom",
                  "dx": -4, "dy": -3, "y": 0, "fontSize": 9},
         "encoding": {"x": x, "text": {"field": "label", "type": "nominal"}}},
    ]


def _line_panel(title: str, series, x: dict, width: int, height: int, present=None) -> dict:
    cols = [(c, color) for c, color in series if present is None or c in present]
    names = [c for c, _ in cols]
    line = {
        "data": {"name": "history"},
        "transform": [{"fold": names, "as": ["series", "value"]}],
        "mark": {"type": "line", "strokeWidth": 1.8},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
            "color": {"field": "series", "type": "nominal",
                      "scale": {"domain": names, "range": [color for _, color in cols]},
                      "legend": {"orient": "top", "title": None} if len(names) > 1 else None},
            "tooltip": [{"field": "step", "type": "quantitative"}, {"field": "series", "type": "nominal"},
                        {"field": "value", "type": "quantitative", "format": ".4~g"}]}}
    return {"title": title, "width": width, "height": height, "layer": [line, *_mark_layers(x)]}


def _spec(model, records, body: dict) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "datasets": {"history": records, "marks": _marks(model)},
        "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}},
        "config": {"view": {"stroke": None}, "title": {"fontSize": 12}, "axis": {"labelFontSize": 10}},
        "usermeta": {"embedOptions": {"actions": False, "renderer": "svg"}},
        **body,
    }


def indicators_spec(model, history=None) -> dict:
    records, _ = history or _history(model)
    present = set(records[0]) if records else set()
    x = _x_encoding(model)
    panels = [_line_panel(title, series, x, 215, 100, present) for title, series in INDICATOR_PANELS]
    return _spec(model, records, {"columns": 2, "concat": panels})


def government_spec(model, history=None) -> dict:
    records, spend = history or _history(model)
    present = set(records[0]) if records else set()
    x = _x_encoding(model)
    budget = _line_panel(*BUDGET_PANEL, x, width=470, height=150, present=present)
    names = [c[len(SPEND_PREFIX):] for c in spend]
    spending = {
        "title": "Spending by lever (units/quarter)", "width": 470, "height": 150,
        "layer": [{
            "data": {"name": "history"},
            "transform": [{"fold": spend or ["gov_spending"], "as": ["lever", "spending"]},
                          {"calculate": f"replace(datum.lever, '{SPEND_PREFIX}', '')", "as": "lever"}],
            "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.85},
            "encoding": {
                "x": x,
                "y": {"field": "spending", "type": "quantitative", "stack": "zero", "title": None},
                "color": {"field": "lever", "type": "nominal", "scale": {"scheme": "tableau20"},
                          "legend": {"orient": "right", "title": None} if names else None},
                "tooltip": [{"field": "step", "type": "quantitative"}, {"field": "lever", "type": "nominal"},
                            {"field": "spending", "type": "quantitative", "format": ".3~g"}]}},
            *_mark_layers(x)],
    }
    return _spec(model, records, {"vconcat": [budget, spending]})


# --- page components -------------------------------------------------------------------------

def _png_view(make, deps, css_class: str):
    data = solara.use_memo(lambda: png(make()), deps)
    return solara.Image(data, width="100%", classes=[css_class])


@solara.component
def MapView(model):
    update_counter.get()
    layers, set_layers = solara.use_state(["parks"])
    with solara.Column(gap="4px"):
        solara.ToggleButtonsMultiple(value=layers, values=list(LAYERS), on_value=set_layers, dense=True)
        _png_view(lambda: map_figure(model, layers), [model, model.steps, tuple(layers)], "clusterlab-map")


@solara.component
def NetworkView(model):
    update_counter.get()
    _png_view(lambda: network_figure(model), [model, model.steps], "clusterlab-network")


@solara.component
def VegaChart(make, deps):
    spec = solara.use_memo(make, deps)
    return solara.widgets.VegaLite.element(spec=spec)


@solara.component
def Charts(model):
    update_counter.get()
    deps = [model, model.steps, tuple(lever_changes(model))]
    history = solara.use_memo(lambda: _history(model), [model, model.steps])
    with solara.Columns([1, 1]):
        VegaChart(lambda: indicators_spec(model, history), deps)
        VegaChart(lambda: government_spec(model, history), deps)


@solara.component
def Status(model):
    update_counter.get()
    ind = model.indicators
    solara.Text(f"Step {model.steps} · {ind.get('firms', 0):.0f} firms ({ind.get('lead_firms', 0):.0f} lead) · "
                f"{ind.get('suppliers', 0):.0f} suppliers · output {ind.get('output', 0):,.0f} · "
                f"budget {ind.get('gov_budget', 0):,.1f}", classes=["clusterlab-status"])


@solara.component
def LeverPanel(model):
    """One slider per policy lever; moving one changes the running model from the next step."""
    update_counter.get()
    values = lever_values(model)
    for name in LEVERS:
        p = PARAMS[name]

        def on_value(v, name=name):
            change_lever(model, name, v)
            force_update()

        slider = solara.SliderInt if p.kind is int else solara.SliderFloat
        slider(f"{name} = {values[name]:g}", value=values[name], on_value=on_value, **lever_slider(name))
    changes = lever_changes(model)
    if changes:
        for c in changes[-6:]:
            when = f"from step {c.step}" if c.step <= model.steps else "from the next step"
            solara.Text(f"{c.name} = {c.value:g} {when}", style={"color": MARK}, classes=["clusterlab-change"])
    else:
        solara.Text("A lever acts from the next step; no reset needed.")


MODEL_PARAMS = {
    "scenario_name": {"type": "Select", "value": START_SCENARIO, "values": scenario_names(), "label": "Scenario"},
    "seed": {"type": "InputText", "value": START_SEED, "label": "Seed"},
}


@solara.component
def Page():
    first = solara.use_memo(lambda: LiveModel(START_SCENARIO, START_SEED), [])
    model = solara.use_reactive(first)  # this tab's model; Reset replaces it
    parameters = solara.use_reactive({})
    play_interval = solara.use_reactive(50)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)

    solara.Title("ClusterLab")
    with solara.AppBar():
        solara.AppBarTitle("ClusterLab: industrial cluster")
    with solara.Sidebar():
        with solara.Card("Run"):
            ModelController(model, model_parameters=parameters, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
            solara.SliderInt("Steps per render", value=render_interval, min=1, max=20)
            ShowSteps(model.value)
        with solara.Card("Scenario (applied by Reset)"):
            ModelCreator(model, MODEL_PARAMS, model_parameters=parameters)
        with solara.Card("Policy levers"):
            LeverPanel(model.value)
    with solara.Column(gap="8px"):
        Status(model.value)
        with solara.Columns([1, 1]):
            MapView(model.value)
            NetworkView(model.value)
        Charts(model.value)


page = Page()
