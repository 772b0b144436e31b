"""The live page's pieces (Solara components). Each draws from a `Snapshot` and sends commands to
the page's `LiveSession`; none reads or changes the model itself (see experiments/live_session.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import reacton.ipyvue as rvue
import reacton.ipyvuetify as rv
import solara

from experiments import live_charts, live_export, live_levers
from experiments.live_session import LiveSession, Snapshot
from model.params import LEVERS

HERE = Path(__file__).resolve().parent
MARK = live_charts.MARK_COLOURS["page"]
SPEEDS = {"1/s": 1.0, "2/s": 2.0, "4/s": 4.0, "8/s": 8.0, "max": 0.0}


@solara.component_vue(str(HERE / "live_canvas.vue"))
def ClusterCanvas(frame_json: str, scales_json: str, url_query: str = ""):
    """The map and the supply network side by side, drawn in the browser from one
    `live_frame.frame` (as JSON text); `url_query` is written to the address bar."""


@solara.component_vue(str(HERE / "live_vega.vue"))
def VegaLive(spec_json: str, datasets_json: str, step: int = 0, css_class: str = "",
             file_name: str = "clusterlab-chart"):
    """A Vega-Lite chart (spec and {dataset: rows} as JSON text) whose data change without
    re-embedding it."""


@dataclass(frozen=True)
class ControlsView:
    """What the run controls show (they re-render only when it changes, not at every quarter)."""

    playing: bool = False
    busy: str | None = None
    error: str | None = None
    end: int = 0
    at_end: bool = False
    speed: float = 0.0
    ghost: bool = False


def controls_view(snap: Snapshot) -> ControlsView:
    return ControlsView(snap.playing, snap.busy, snap.error, snap.end, snap.step >= snap.end, snap.speed, snap.ghost)


@solara.component
def Controls(session: LiveSession, controls, scenario: str, seed: int):
    """Reset / Play / Step / Run to end, the speed and the comparison run. `controls`: a reactive
    `ControlsView`."""
    c = controls.value
    busy = c.busy is not None and c.busy != "stopped"
    with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
        solara.Button("Reset", color="primary", on_click=lambda: session.reset(scenario, seed), disabled=busy,
                      classes=["clusterlab-reset"])
        if c.playing:
            solara.Button("❚❚ Pause", color="primary", on_click=session.pause, classes=["clusterlab-pause"])
        else:
            solara.Button("▶ Play", color="primary", on_click=session.play, disabled=busy, classes=["clusterlab-play"])
        solara.Button("Step", color="primary", on_click=lambda: session.step(1), disabled=busy or c.playing,
                      classes=["clusterlab-step"])
        solara.Button(f"Run to {c.end}", on_click=lambda: session.play(until=c.end),
                      disabled=busy or c.playing or c.at_end, outlined=True, classes=["clusterlab-to-end"])
    speed = next((k for k, s in SPEEDS.items() if s == c.speed), "max")
    solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), dense=True,
                               on_value=lambda k: session.set_speed(SPEEDS[k]))
    with solara.Div(classes=["clusterlab-ghost"]):
        solara.Checkbox(label="compare: the same run without my lever changes (dashed)", value=c.ghost,
                        on_value=session.set_ghost)
    if c.busy:
        solara.Text(c.busy, classes=["clusterlab-busy"])
    if c.error:
        solara.Error(c.error)


@solara.component
def Quarter(store):
    snap = store.value
    solara.Text(f"Quarter {snap.step} of {snap.end}" + (" · playing" if snap.playing else ""),
                classes=["clusterlab-quarter"])


def thumb_value(value, previous, sent: list):
    """What to push to a slider's thumb when the model's lever value is `value`.

    `sent`: values this slider sent, oldest first; `previous`: what was pushed last. The model
    catching up with an older key press or drag must not pull the thumb back from where the user
    has moved it since, so a value the user sent is pushed only if it is the latest one; any other
    value (a scheduled change, a reset) is pushed and forgets what was sent."""
    if value in sent:
        return value if value == sent[-1] else previous
    sent.clear()
    return value


@solara.component
def LeverSlider(name: str, value, shown, on_change, hint: str, generation: int = 0):
    """`value`: the model's lever value (see `thumb_value`); `shown`: the value moved to (pending)
    or the model's, for the label; `generation`: counts resets (a reset always moves the thumb).

    The thumb is set from Python only when `thumb_value` changes or on a reset, never on every
    render: reacton re-assigns every argument of a widget on each render, which would pull a
    thumb the user just moved back to the model's older value at every step of Play."""
    sent = solara.use_ref([])
    pushed = solara.use_ref(value)
    pushed.current = thumb_value(value, pushed.current, sent.current)
    rng = live_levers.slider_range(name, max(value, shown))
    slider = rv.Slider(label=live_levers.label(name, shown), hint=hint, persistent_hint=bool(hint), dense=True,
                       hide_details=not hint, thumb_label=True, class_="clusterlab-lever", **rng)

    def push():
        solara.get_widget(slider).v_model = pushed.current

    solara.use_effect(push, [pushed.current, generation])

    def changed(widget, event, data):
        sent.current.append(data)
        del sent.current[:-50]
        on_change(name, data)

    # "change" fires once when a drag ends (and once per key press); "input" while dragging is ignored
    rvue.use_event(slider, "change", changed)
    return slider


@dataclass(frozen=True)
class LeverView:
    """What the lever panel shows, taken from a snapshot; equal views need no re-render (the
    page publishes a new one only when it differs, so a step does not redraw 18 sliders)."""

    rows: tuple = ()          # (name, model value, shown value, hint)
    share: float = 1.0
    pending: tuple = ()
    changes: tuple = ()       # (text, ...) of the latest page changes
    generation: int = 0


def lever_view(snap: Snapshot) -> LeverView:
    funding, share = snap.view.get("funding", {}), round(float(snap.view.get("funded", 1.0)), 2)
    rows = []
    for name in LEVERS:
        value = snap.levers.get(name)
        if value is not None:
            note = live_levers.funding_note(name, funding.get(name), share)
            rows.append((name, value, snap.lever_value(name), live_levers.meaning(name) + (f" · {note}" if note else "")))
    changes = tuple(f"{c.name} = {c.value:g} " + (f"from quarter {c.step}" if c.step <= snap.step else "from the next quarter")
                    for c in snap.changes[-6:])
    return LeverView(tuple(rows), share, tuple(snap.pending.items()), changes, snap.generation)


@solara.component
def LeverPanel(session: LiveSession, levers):
    """One slider per policy lever, with unit and meaning; moved levers act from the next quarter.
    `levers`: a reactive `LeverView`."""
    view = levers.value
    with solara.Div():  # always there, so the sliders below keep their place (and keyboard focus)
        if view.share < 0.999:
            solara.Warning(f"The budget covers only {view.share:.0%} of what the levers ask for: every programme "
                           "is cut by that share.", dense=True, classes=["clusterlab-underfunded"])
    for name, value, shown, hint in view.rows:
        LeverSlider(name, value, shown, session.set_lever, hint, view.generation).key(f"lever-{name}")
    if view.pending:
        solara.Text("moved: " + ", ".join(f"{k} = {v:g}" for k, v in view.pending)
                    + " (applied when the control is released)", style={"color": MARK})
    for text in view.changes:
        solara.Text(text, style={"color": MARK}, classes=["clusterlab-change"])
    if not view.changes:
        solara.Text("A lever acts from the next quarter; no reset needed.")


@solara.component
def ScenarioCard(info: dict):
    """The scenario's question and the outcome its authors expect."""
    with solara.Card(info.get("title") or info.get("name", ""), classes=["clusterlab-scenario"], margin=0):
        # plain text, not Markdown: Solara's Markdown asks a CDN for mermaid, which is offline here
        for key, head in (("question", "Question"), ("expected", "Expected"), ("events", "Scheduled")):
            text = "; ".join(info[key]) if key == "events" else info.get(key)
            if text:
                with solara.Div(classes=[f"clusterlab-{key}"], style={"margin-bottom": "4px"}):
                    solara.Text(f"{head}. ", style={"font-weight": "bold"})
                    solara.Text(text)


@solara.component
def Exports(store, schedule_of):
    """Downloads of the run as it stands when clicked (read from the store then, so a step does not
    re-render them)."""
    def csv():
        return live_export.indicator_csv(store.peek().view.get("history", {}))

    def toml():
        snap = store.peek()
        return live_export.scenario_toml(snap.scenario, snap.seed, snap.step, snap.changes,
                                         schedule_of(snap.scenario), snap.end)

    with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
        solara.FileDownload(csv, filename="clusterlab-indicators.csv", label="Indicators CSV", mime_type="text/csv")
        solara.FileDownload(toml, filename="clusterlab-run.toml", label="Scenario TOML",
                            mime_type="application/toml")


@solara.component
def Charts(snap: Snapshot, chosen: list[str], titles: dict, marks: list[dict]):
    hist = snap.view.get("history", {})
    end = max(snap.end, snap.step)
    spend = live_charts.spend_columns(hist)
    ghost = snap.view.get("ghost", {}).get("history")
    ind_spec = solara.use_memo(lambda: json.dumps(live_charts.indicators_spec(chosen, end, titles, ghost=bool(ghost))),
                               [tuple(chosen), end, bool(ghost)])
    gov_spec = solara.use_memo(lambda: json.dumps(live_charts.government_spec(spend, end, ghost=bool(ghost))),
                               [tuple(spend), end, bool(ghost)])
    gov_columns = live_charts.government_columns(spend)
    ind_data = {"history": live_charts.records(hist, chosen), "marks": marks}
    gov_data = {"history": live_charts.records(hist, gov_columns), "marks": marks}
    if ghost:
        ind_data["ghost"] = live_charts.records(ghost, chosen)
        gov_data["ghost"] = live_charts.records(ghost, gov_columns)
    ind_data, gov_data = json.dumps(ind_data), json.dumps(gov_data)
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        VegaLive(spec_json=ind_spec, datasets_json=ind_data, step=snap.step, css_class="clusterlab-indicators",
                 file_name=f"clusterlab-{snap.scenario}-indicators")
        VegaLive(spec_json=gov_spec, datasets_json=gov_data, step=snap.step, css_class="clusterlab-government",
                 file_name=f"clusterlab-{snap.scenario}-government")
