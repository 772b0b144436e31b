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

import functools
import os

import solara

from experiments import live_charts, live_export, live_frame, live_levers
from experiments.live_components import (Charts, ClusterCanvas, Controls, Exports, LeverPanel, ScenarioCard)
from experiments.live_session import LiveSession, Snapshot
from model import ClusterModel
from model import indicators as indicator_names

START_SCENARIO = os.environ.get("CLUSTERLAB_SCENARIO", "baseline")
START_SEED = int(os.environ.get("CLUSTERLAB_SEED", "1"))
INDICATORS = tuple(indicator_names.NAMES)
CSS = """
.v-application .clusterlab-lever .v-label { font-size: 12px; }
.v-application .clusterlab-lever .v-messages { font-size: 10px; }
.solara-watermark, .v-application--wrap > a[href*="solara.dev"] { display: none !important; }
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
    events += [f"quarter {st}: demand ×{d:g}, quality standard {q:g}"
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
    return {"history": live_charts.history(model), "frame": live_frame.frame(model),
            "indicators": dict(model.indicators), "funding": live_levers.funding(gov),
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


def _start(set_snap, initial: dict) -> LiveSession:
    """A session whose snapshots re-render this page, started on the initial state."""
    ctx = _kernel_context()

    def publish(snap):
        if ctx is None:
            set_snap(snap)
        else:
            with ctx:
                set_snap(snap)

    session = LiveSession(lambda n, s, ch: build_model(n, s, _changes(ch)), describe, publish)
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


@solara.component
def Page():
    router = solara.use_router()
    initial, problems = solara.use_memo(lambda: initial_state(router.search), [])
    snap, set_snap = solara.use_state(Snapshot())
    session = solara.use_memo(lambda: _start(set_snap, initial), [])
    solara.use_effect(lambda: session.stop, [])  # the tab closed: end the worker
    chosen_scenario = solara.use_reactive(initial["scenario"])
    seed_text = solara.use_reactive(str(initial["seed"]))
    chosen = solara.use_reactive(list(live_charts.DEFAULT_INDICATORS))

    name = snap.scenario or initial["scenario"]
    info = solara.use_memo(lambda: scenario_info(name), [name])
    marks = solara.use_memo(lambda: event_marks(name, snap.changes), [name, snap.changes])
    try:
        seed = int(seed_text.value)
    except ValueError:
        seed = None
    query = live_export.state_query(name, snap.seed, snap.step, snap.changes) if snap.view else ""

    solara.Title("ClusterLab")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("ClusterLab: industrial cluster")
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            Controls(session, snap, chosen_scenario.value, seed if seed is not None else snap.seed)
        with solara.Card("Scenario and seed (applied by Reset)", margin=0):
            solara.Select("Scenario", values=list(scenario_names()), value=chosen_scenario)
            solara.InputText("Seed", value=seed_text, error=None if seed is not None else "an integer")
        with solara.Card("Policy levers", margin=0):
            LeverPanel(session, snap)
        with solara.Card("Export", margin=0):
            Exports(snap, scenario(name).schedule)
    with solara.Column(gap="6px", style={"max-width": "100%"}):
        for problem in problems:
            solara.Warning(f"Address ignored: {problem}", dense=True)
        Status(snap)
        ScenarioCard(info)
        if snap.view:
            frame = snap.view["frame"]
            scales = live_frame.scales()
            with solara.Columns([1, 1]):
                ClusterCanvas(frame=frame, mode="map", title=f"Map, quarter {snap.step}", scales=scales,
                              url_query=query)
                ClusterCanvas(frame=frame, mode="network", title="Supply network", scales=scales)
            solara.SelectMultiple("Indicators", values=chosen, all_values=list(INDICATORS), dense=True)
            Charts(snap, chosen.value or list(live_charts.DEFAULT_INDICATORS), {}, marks)


@solara.component
def Status(snap: Snapshot):
    ind = snap.view.get("indicators", {})
    funded = snap.view.get("funded", 1.0)
    text = (f"Quarter {snap.step} · {ind.get('firms', 0):.0f} firms ({ind.get('lead_firms', 0):.0f} lead) · "
            f"{ind.get('suppliers', 0):.0f} suppliers · output {ind.get('output', 0):,.0f} · "
            f"budget {snap.view.get('budget', 0):,.1f}" + (f" · levers funded {funded:.0%}" if funded < 0.999 else ""))
    solara.Text(text, classes=["clusterlab-status"])


page = Page()
