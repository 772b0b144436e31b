"""ClusterLab live page (Solara).

    clusterlab viz [SCENARIO]            # or: solara run experiments.app:page

The page shows the cluster map (firms ●, suppliers ▲, lead firms ★ coloured by knowledge relative
to the frontier, over park / infrastructure / pollution / rent layers) and the supply network
(filters by supplier stage, trust, volume and distance, or aggregated flows between places), both
drawn in the browser on a canvas (hover an enterprise for its stage, knowledge, workers, suppliers
and buyers; click it to show its ties); charts of chosen indicators and of the government's
budget and spending by lever, with lever changes, scheduled lever changes and demand shifts
marked. The sidebar has Reset / Play / Step / Run to end, the speed, the scenario (its question
and expected outcome) and seed, the policy levers with units, meaning and funding, and exports
(indicator CSV, a scenario file that reproduces the run; PNG/SVG from each chart's menu).

Each tab owns one `LiveSession` (experiments/live_session.py): a worker thread that alone steps
and changes the tab's model and publishes snapshots the page draws. The session stops when the
tab closes. The address bar carries scenario, seed, quarter and lever changes, so a reload or a
shared link replays the same run.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os

import solara

from experiments import live_charts, live_export, live_frame, live_levers
from experiments.conventions import DEFAULT_SEED
from experiments.inputs import SEED_MAX, parse_seed
from experiments.live_components import (
    Charts,
    ClusterCanvas,
    Controls,
    ControlsView,
    Exports,
    LeverPanel,
    LeverView,
    Quarter,
    ScenarioCard,
    controls_view,
    lever_view,
)
from experiments.live_session import LiveSession, Snapshot
from model import ClusterModel
from model.indicator_registry import INDICATORS as REGISTRY
from model.indicator_registry import MODEL_NAMES

START_SCENARIO = os.environ.get("CLUSTERLAB_SCENARIO", "baseline")
START_SEED = int(os.environ.get("CLUSTERLAB_SEED", str(DEFAULT_SEED)))
INDICATORS = tuple(MODEL_NAMES)                                  # the chooser's choices
DEFAULT_INDICATORS = tuple(n for n, i in REGISTRY.items() if i.live)
TITLES = {n: i.title for n, i in REGISTRY.items()}             # panel titles: label (unit)
SCALES = json.dumps(live_frame.scales())                        # the map's fixed colour bars
CSS = """
.v-application .clusterlab-lever .v-label { font-size: 12px; }
.v-application .clusterlab-lever .v-messages { font-size: 10px; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }  /* the badge covered a chart */
.clusterlab-scenario .v-card__title { font-size: 15px; padding: 6px 12px 0 12px; }
.clusterlab-scenario .v-card__text { font-size: 12px; padding: 2px 12px 6px 12px; }
"""


# --- the model the page runs ----------------------------------------------------------------

@functools.cache
def scenario_names() -> tuple[str, ...]:
    """The scenarios the page may open: the valid files of scenarios/ (the page's only gate:
    a URL or a selector can name nothing else)."""
    from scenarios import list_scenarios

    names = [i.name for i in list_scenarios() if not i.question.startswith("(invalid")]
    return tuple(names if "baseline" in names else ["baseline", *names])


@functools.cache
def scenario(name: str):
    from scenarios import load_scenario

    if name not in scenario_names():
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(scenario_names())}")
    return load_scenario(name)


def scenario_info(name: str) -> dict:
    s = scenario(name)
    events = [f"quarter {st}: {lever} = {value:g}" for st, lever, value in s.schedule]
    events += [f"quarter {st}: demand ×{d:g}" + ("" if q is None else f", quality standard {q:g}")
               for st, d, q in s.params.get("demand_shifts", [])]
    return dict(name=name, title=s.title, question=s.question, expected=s.expected, events=events)


def build_model(name: str, seed: int, changes=()) -> ClusterModel:
    """The scenario's model with `seed`; lever changes made on the page are added to its schedule
    (in the order the page applied them, see `live_export.merged_schedule`)."""
    s = scenario(name)
    schedule = live_export.merged_schedule(s.schedule, [c for c in changes])
    return ClusterModel(seed=int(seed), policy_schedule=schedule, default_steps=s.steps, **s.params)


def describe(model) -> dict:
    """The snapshot's view: indicator history, map/network frame, indicators and funding."""
    gov = model.government
    return {"history": live_charts.history(model), "frame_json": json.dumps(live_frame.frame(model)),
            "indicators": dict(model.indicators), "funding": live_levers.funding(model.indicators),
            "funded": float(gov.funded), "budget": float(gov.budget)}


def event_marks(name: str, changes) -> list[dict]:
    s = scenario(name)
    return live_charts.event_marks(changes, s.schedule, s.params.get("demand_shifts", []))


# --- the page ---------------------------------------------------------------------------------

def _kernel_context():
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context()
    except Exception:  # the test renderer has no server context
        return None


def _start(store: solara.Reactive, derived: list, initial: dict) -> LiveSession:
    """A session publishing its snapshots into `store`, and into each `(reactive, view)` of
    `derived` the view of the snapshot when it changed (the components reading them re-render)."""
    ctx = _kernel_context()

    def publish(snap):
        with ctx if ctx is not None else contextlib.nullcontext():
            for reactive, view in derived:
                value = view(snap)
                if value != reactive.peek():
                    reactive.set(value)
            store.set(snap)

    session = LiveSession(lambda n, s, ch: build_model(n, s, _changes(ch)), describe, publish,
                          describe_ghost=lambda g: {"history": live_charts.history(g)})
    if ctx is not None:
        ctx.on_close(session.stop)
    session.reset(initial["scenario"], initial["seed"], initial.get("changes", ()), initial.get("step", 0))
    return session


def _changes(schedule_rows):
    from experiments.live_session import LeverChange

    return [LeverChange(s, n, v) for s, n, v in schedule_rows]


def initial_state(search: str | None) -> tuple[dict, list[str]]:
    state = {"scenario": START_SCENARIO if START_SCENARIO in scenario_names() else "baseline", "seed": START_SEED}
    parsed, problems = live_export.parse_query(search, scenario_names())
    state.update(parsed)
    return state, problems


def _seed(text: str) -> int | None:
    """The seed typed on the page, or None if it is not one `clusterlab run --seed` accepts."""
    try:
        return parse_seed(text, "Seed")
    except ValueError:
        return None


@solara.component
def Page():
    """The page's frame. It never reads the snapshot itself: each part below subscribes to the
    store, so a step re-renders the parts that change, not the whole page."""
    router = solara.use_router()
    initial, problems = solara.use_memo(lambda: initial_state(router.search), [])
    store = solara.use_memo(lambda: solara.reactive(Snapshot()), [])
    levers = solara.use_memo(lambda: solara.reactive(LeverView()), [])
    controls = solara.use_memo(lambda: solara.reactive(ControlsView()), [])
    name = solara.use_memo(lambda: solara.reactive(initial["scenario"]), [])
    derived = [(levers, lever_view), (controls, controls_view), (name, lambda snap: snap.scenario or initial["scenario"])]
    session = solara.use_memo(lambda: _start(store, derived, initial), [])
    solara.use_effect(lambda: session.stop, [])  # the tab closed: end the worker
    chosen_scenario = solara.use_reactive(initial["scenario"])
    seed_text = solara.use_reactive(str(initial["seed"]))
    chosen = solara.use_reactive(list(DEFAULT_INDICATORS))
    seed = _seed(seed_text.value)

    solara.Title("ClusterLab")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("ClusterLab: industrial cluster")
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            Controls(session, controls, chosen_scenario.value, seed if seed is not None else initial["seed"])
            Quarter(store)
        with solara.Card("Scenario and seed (applied by Reset)", margin=0):
            solara.Select("Scenario", values=list(scenario_names()), value=chosen_scenario)
            solara.InputText("Seed", value=seed_text, error=None if seed is not None else f"an integer in [0, {SEED_MAX}]")
        with solara.Card("Policy levers", margin=0):
            LeverPanel(session, levers)
        with solara.Card("Export", margin=0):
            Exports(store, lambda n: scenario(n).schedule)
    with solara.Column(gap="6px", style={"max-width": "100%"}):
        for problem in problems:
            solara.Warning(f"Address ignored: {problem}", dense=True)
        Status(store)
        ScenarioPanel(name)
        Views(store)
        solara.SelectMultiple("Indicators", values=chosen, all_values=list(INDICATORS), dense=True)
        ChartsPanel(store, chosen.value or list(DEFAULT_INDICATORS))


@solara.component
def ScenarioPanel(name):
    """The scenario's card; `name`: a reactive scenario name (re-rendered on a reset only)."""
    info = solara.use_memo(lambda: scenario_info(name.value), [name.value])
    ScenarioCard(info)


@solara.component
def Views(store):
    """Map and network, and the page's state in the address bar."""
    snap = store.value
    if not snap.view:
        return
    query = live_export.state_query(snap.scenario, snap.seed, snap.step, snap.changes)
    ClusterCanvas(frame_json=snap.view["frame_json"], scales_json=SCALES, url_query=query)


@solara.component
def ChartsPanel(store, chosen: list[str]):
    snap = store.value
    marks = solara.use_memo(lambda: event_marks(snap.scenario or "baseline", snap.changes),
                            [snap.scenario, snap.changes])
    if snap.view:
        Charts(snap, chosen, TITLES, marks)


@solara.component
def Status(store):
    snap = store.value
    ind = snap.view.get("indicators", {})
    funded = snap.view.get("funded", 1.0)
    text = (f"Quarter {snap.step} · {ind.get('firms', 0):.0f} firms ({ind.get('lead_firms', 0):.0f} lead) · "
            f"{ind.get('suppliers', 0):.0f} suppliers · {REGISTRY['output'].label} {ind.get('output', 0):,.0f} · "
            f"budget {snap.view.get('budget', 0):,.1f}" + (f" · levers funded {funded:.0%}" if funded < 0.999 else ""))
    solara.Text(text, classes=["clusterlab-status"])


page = Page()
