"""The live page without a browser: its worker (LiveSession), lever controls, frames, charts,
exports and URL state, and the page in Solara's test renderer; the GIF; the assets."""

from __future__ import annotations

import json
import threading
import time

import ipyvuetify as v
import numpy as np
import pytest
import solara
from PIL import Image

import scenarios
from experiments import animate as anim
from experiments import app, live_charts, live_export, live_frame, live_levers, viz, viz_assets
from experiments.live_session import LeverChange, LiveSession
from model import ClusterModel
from model.params import LEVERS, PARAMS
from scenarios import load_scenario

SMALL = dict(width=30, height=30, n_firms=20, n_suppliers=40)


def small_build(name, seed, schedule):
    return ClusterModel(seed=seed, policy_schedule=schedule, default_steps=30, **SMALL)


def describe(model):
    return {"indicators": dict(model.indicators)}


@pytest.fixture
def session():
    s = LiveSession(small_build, describe, debounce=0.05)
    s.reset("small", 3)
    s.wait_for(lambda x: x.view != {})
    yield s
    s.stop()
    s.join(5)


# --- the worker ---------------------------------------------------------------------------------

def test_a_lever_moved_during_play_acts_between_steps_and_play_goes_on(session):
    session.play()
    session.wait_for(lambda x: x.step >= 2)
    session.set_lever("training", 3.0)
    snap = session.wait_for(lambda x: x.changes and x.step >= x.changes[0].step + 2)
    (change,) = snap.changes
    assert change.name == "training" and change.value == 3.0 and snap.levers["training"] == 3.0
    assert snap.playing
    session.pause()
    assert not session.wait_for(lambda x: not x.playing).playing


def test_a_drag_is_one_change_not_one_per_value(session):
    for value in (1.0, 2.0, 3.0, 4.0):                   # intermediate values within the debounce
        session.set_lever("training", value)
    session.step()                                        # a Step applies what is pending first
    snap = session.wait_for(lambda x: x.step == 1)
    assert snap.changes == (LeverChange(1, "training", 4.0),)
    assert snap.pending == {}


def test_moving_a_lever_back_to_its_value_is_no_change(session):
    session.set_lever("tax_rate", PARAMS["tax_rate"].default)
    session.step()
    assert session.wait_for(lambda x: x.step == 1).changes == ()


def test_run_to_end_stops_at_the_end(session):
    session.play(until=5)
    snap = session.wait_for(lambda x: not x.playing and x.step >= 5)
    assert snap.step == 5


def test_stop_ends_the_worker_even_while_playing():
    s = LiveSession(small_build, describe)
    s.reset("small", 1)
    s.play()
    s.wait_for(lambda x: x.step >= 1)
    s.stop()
    s.join(5)
    assert not s.alive
    assert s.snapshot.busy == "stopped"


def test_commands_from_many_threads_never_interleave_with_a_step():
    """Every model access is on the worker: a model whose step notices a concurrent call fails."""
    inside = threading.Event()

    class Guarded(ClusterModel):
        def step(self):
            assert not inside.is_set()
            inside.set()
            try:
                super().step()
            finally:
                inside.clear()

        def set_lever(self, name, value):
            assert not inside.is_set(), "a lever was set during a step"
            super().set_lever(name, value)

    s = LiveSession(lambda n, sd, sch: Guarded(seed=sd, policy_schedule=sch, **SMALL), describe, debounce=0.0)
    s.reset("small", 2)
    s.play()

    def mover(k):
        for i in range(20):
            s.set_lever("training", float(k + i % 5))
            time.sleep(0.002)

    threads = [threading.Thread(target=mover, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = s.wait_for(lambda x: x.step >= 8 and not x.pending)
    s.stop()
    assert snap.error is None and snap.changes


def test_replaying_the_changes_rebuilds_the_same_run(session):
    session.step(2)
    session.set_lever("training", 6.0)
    session.step(3)
    live = session.wait_for(lambda x: x.step == 5)
    session.reset("small", 3, changes=live.changes, to_step=5)
    replay = session.wait_for(lambda x: x.step == 5 and x.version > live.version and x.busy is None)
    assert replay.view["indicators"] == live.view["indicators"]
    assert replay.levers == live.levers


def test_the_ghost_is_the_same_run_without_the_page_changes():
    s = LiveSession(small_build, describe, debounce=0.0)
    try:
        s.reset("small", 5)
        s.wait_for(lambda x: x.view != {})
        s.step(2)
        s.set_lever("training", 8.0)
        s.set_ghost(True)                                  # turned on mid-run: replayed to quarter 2
        s.step(3)
        snap = s.wait_for(lambda x: x.step == 5 and "ghost" in x.view)
    finally:
        s.stop()
    alone = small_build("small", 5, []).run(5)
    assert snap.view["ghost"]["indicators"] == alone.indicators
    assert snap.view["indicators"] != alone.indicators      # training changed the live run


# --- levers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LEVERS)
def test_slider_ranges_fit_the_declared_range_and_the_value(name):
    p = PARAMS[name]
    for value in (p.default, p.high if p.high < 1e3 else 150.0, p.high if p.high < 1e3 else 4321.0):
        rng = live_levers.slider_range(name, value)
        assert p.low <= rng["min"] <= value <= rng["max"] <= p.high
        assert rng["step"] > 0


def test_a_late_model_value_never_pulls_the_thumb_back():
    from experiments.live_components import thumb_value

    sent = [1, 2]                                   # the user pressed twice; the model applied 1
    assert thumb_value(1, 0, sent) == 0             # stale: keep what was pushed (nothing sent)
    assert thumb_value(2, 0, sent) == 2             # caught up with the latest press
    assert thumb_value(150, 2, sent) == 150 and sent == []   # a scheduled change moves the thumb


def test_lever_labels_name_value_and_unit():
    assert live_levers.label("training", 5) == "training = 5 units/quarter"
    assert "≥ 0 units/quarter" in live_levers.meaning("training")
    assert "0–0.6" in live_levers.meaning("tax_rate")


def test_funding_reads_requested_and_funded_from_the_indicators():
    model = ClusterModel(seed=1, gov_initial_budget=2.0, training=10.0, tech_centre=10.0, **SMALL)
    model.step()
    rows = live_levers.funding(model.indicators)
    share = model.government.funded
    assert share < 1.0
    assert rows["training"]["requested"] == pytest.approx(10.0)
    assert rows["training"]["granted"] == pytest.approx(10.0 * share)
    assert "budget covers only" in live_levers.funding_note("training", rows["training"], share)


# --- frame, charts, exports ----------------------------------------------------------------------

def test_frame_has_every_enterprise_and_fixed_colours():
    model = ClusterModel(seed=1, **SMALL)
    f = live_frame.frame(model)
    json.dumps(f, allow_nan=False)
    assert len(f["e"]["x"]) == len(model.population.live)
    assert len(f["ties"]["a"]) == len(model.network)
    # colours on the fixed scale: the same relative knowledge gets the same colour in any frame
    k = model.population.knowledge[model.population.live] / model.frontier
    expected = live_frame.hex_colours("viridis", np.clip(k / live_frame.KNOWLEDGE_RANGE[1], 0, 1))
    assert f["e"]["c"] == expected
    for layer, url in f["layers"].items():
        import base64
        import io

        img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
        assert img.size == (model.grid.width, model.grid.height), layer


def test_flows_add_up_to_the_trade_between_regions():
    model = ClusterModel(seed=2, **SMALL).run(3)
    fl = live_frame.flows(model)
    assert sum(fl["n"]) <= len(model.network) and max(fl["v"]) == pytest.approx(1.0)


def test_chart_specs_are_json_and_mark_every_kind_of_event():
    s = load_scenario("xiqiao_decline_revival")
    marks = live_charts.event_marks([LeverChange(5, "training", 2.0)], s.schedule, s.params["demand_shifts"])
    kinds = {(m["step"], m["kind"]) for m in marks}
    assert {(5, "page"), (40, "schedule"), (12, "demand")} <= kinds
    for spec in (live_charts.indicators_spec(["firms", "output"], 80), live_charts.government_spec([], 80)):
        json.dumps(spec, allow_nan=False)


def test_records_turn_nan_into_null():
    rows = live_charts.records({"step": [0, 1], "output": [float("nan"), 2.0]}, ["output"])
    assert rows == [{"step": 0.0, "output": None}, {"step": 1.0, "output": 2.0}]


def test_exported_scenario_reproduces_the_live_run(tmp_path):
    s = LiveSession(lambda n, sd, sch: app.build_model(n, sd, app._changes(sch)), app.describe, debounce=0.0)
    try:
        s.reset("xiqiao_decline_revival", 4)
        s.wait_for(lambda x: x.view != {})
        s.step(2)
        s.set_lever("training", 7.0)
        s.step(2)
        live = s.wait_for(lambda x: x.step == 4)
    finally:
        s.stop()
    text = live_export.scenario_toml(live.scenario, live.seed, live.step, live.changes,
                                     app.scenario("xiqiao_decline_revival").schedule, live.end)
    path = tmp_path / "run.toml"
    path.write_text(text)
    rerun = load_scenario(path).build(seed=4).run(4)
    assert rerun.indicators == live.view["indicators"]
    csv = live_export.indicator_csv(live.view["history"])
    assert csv.splitlines()[0].startswith("step,") and len(csv.splitlines()) == 5 + 1


def test_page_changes_and_schedule_at_the_same_step_keep_the_page_order():
    merged = live_export.merged_schedule([(3, "training", 1.0)], [LeverChange(3, "training", 9.0)])
    assert merged == [(3, "training", 9.0), (3, "training", 1.0)]   # the schedule acts last, as live


def test_url_state_round_trip_and_bad_input():
    changes = [LeverChange(4, "training", 5.0), LeverChange(9, "tax_rate", 0.2)]
    q = live_export.state_query("baseline", 7, 12, changes)
    state, problems = live_export.parse_query(q, ["baseline"])
    assert problems == [] and state == {"scenario": "baseline", "seed": 7, "step": 12, "changes": changes}
    state, problems = live_export.parse_query("scenario=../etc&seed=x&change=3:nolever=1&change=2:tax_rate=9",
                                              ["baseline"])
    assert state == {} and len(problems) == 4


def test_a_seed_the_commands_refuse_is_refused_by_the_address_bar_and_the_seed_box():
    """seed=-5 in a shared link (or -5 typed in the Seed box) was taken, and the page showed
    "ValueError: seed: ..." from the model build instead of the range of seeds."""
    from experiments.app import _seed

    state, problems = live_export.parse_query("seed=-5&step=3", ["baseline"])
    assert state == {"step": 3} and problems == ["seed: out of range; allowed: an integer in [0, 4294967295]; given: -5"]
    assert live_export.parse_query("seed=4294967296", ["baseline"])[0] == {}
    assert [_seed(t) for t in ("-1", "4294967296", "x", "7", "4294967295")] == [None, None, None, 7, 4294967295]


# --- the page in Solara's test renderer ----------------------------------------------------------

def text_of(rc, css_class):
    return rc.find(v.Html, class_=css_class).widget.children[0]


def wait_until(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the page did not update"
        time.sleep(0.05)


@pytest.fixture
def live_page():
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    wait_until(lambda: "Quarter 0 · 0 firms" not in text_of(rc, "clusterlab-status"))
    yield rc
    rc.close()


def lever(rc, name):
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith(f"{name} = ")]
    return slider


def test_page_steps_and_a_released_slider_changes_the_model(live_page):
    rc = live_page
    rc.find(v.Btn, class_="clusterlab-step").widget.click()
    wait_until(lambda: text_of(rc, "clusterlab-status").startswith("Quarter 1 ·"))
    lever(rc, "training").fire_event("change", 5)          # what releasing the slider sends
    wait_until(lambda: lever(rc, "training").label == "training = 5 units/quarter")
    rc.find(v.Btn, class_="clusterlab-step").widget.click()
    wait_until(lambda: text_of(rc, "clusterlab-status").startswith("Quarter 2 ·"))
    wait_until(lambda: "asked 5" in lever(rc, "training").hint)
    changes = [w.children[0] for w in rc.find(v.Html, class_="clusterlab-change").widgets]
    assert changes == ["training = 5 from quarter 2"]


@pytest.mark.slow
def test_the_page_never_changes_a_scenario_nobody_touched(monkeypatch):
    """xiqiao's centre (150 from quarter 40) stays 150: no slider clamps or re-sends it."""
    monkeypatch.setattr(app, "START_SCENARIO", "xiqiao_decline_revival")
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        wait_until(lambda: "Quarter 0 · 0 firms" not in text_of(rc, "clusterlab-status"))
        rc.find(v.Btn, class_="clusterlab-to-end").widget.click()
        wait_until(lambda: int(text_of(rc, "clusterlab-quarter").split()[1]) >= 41, timeout=120)
        rc.find(v.Btn, class_="clusterlab-pause").widget.click()
        wait_until(lambda: lever(rc, "tech_centre").label == "tech_centre = 150 units/quarter")
        assert lever(rc, "tech_centre").max >= 150
        assert not rc.find(v.Html, class_="clusterlab-change").widgets
    finally:
        rc.close()


def test_build_model_is_the_scenario_model():
    a = app.build_model("baseline", 3).run(3)
    b = scenarios.build("baseline", seed=3).run(3)
    assert a.indicators == b.indicators


# --- GIF, serving, assets -------------------------------------------------------------------------

def test_animate_writes_a_gif(tmp_path):
    model = ClusterModel(seed=1, width=30, height=30, n_firms=15, n_suppliers=30)
    path = anim.animate(model, 2, tmp_path / "run.gif", fps=4)
    assert model.steps == 2
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 3
        frames = []
        for i in (0, 2):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
    assert not np.array_equal(*frames)
    assert gif.size[0] >= 800
    # fixed colour scales: the knowledge colour bar's tick labels are the same in every frame
    # (up to the GIF's per-frame palette)
    ticks = (slice(30, 760), slice(668, 700))
    assert np.abs(frames[0][ticks].astype(int) - frames[1][ticks].astype(int)).mean() < 2.0


def test_serve_command_runs_the_page_with_the_scenario():
    cmd = viz.command(port=9001, host="127.0.0.1")
    assert cmd[1:4] == ["-m", "solara", "run"] and "experiments.app:page" in cmd
    assert cmd[cmd.index("--port") + 1] == "9001"
    env = viz.environment("dartboard", seed=5)
    assert env["CLUSTERLAB_SCENARIO"] == "dartboard" and env["CLUSTERLAB_SEED"] == "5"


def test_assets_skip_what_is_present(tmp_path, monkeypatch):
    for spec in viz_assets.PACKAGES:
        (tmp_path / spec).mkdir(parents=True)
        (tmp_path / spec / "package.json").write_text("{}")
    monkeypatch.setattr(viz_assets.shutil, "which", lambda name: pytest.fail("npm should not run"))
    assert viz_assets.ensure_assets(tmp_path, packages=viz_assets.PACKAGES) == tmp_path


def test_assets_without_npm_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(viz_assets.shutil, "which", lambda name: None)
    with pytest.raises(viz_assets.AssetsError, match="npm is not installed"):
        viz_assets.ensure_assets(tmp_path, packages=["requirejs@2.3.6"])


def test_assets_list_matches_what_solara_requests():
    requested = viz_assets.requested_packages()
    assert set(viz_assets.PACKAGES) <= set(requested)
    assert len(requested) == len(set(requested))
