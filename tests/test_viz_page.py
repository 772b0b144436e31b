"""The live page without a browser: Solara's test renderer, the chart specs, the GIF, the assets."""

from __future__ import annotations

import json

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from PIL import Image

import scenarios
from experiments import animate as anim
from experiments import app, viz, viz_assets
from model import ClusterModel


@pytest.fixture
def live(monkeypatch):
    """The rendered page and the models it built (newest last)."""
    built = []

    class Recorded(app.LiveModel):
        def __init__(self, scenario_name="baseline", seed="1"):  # Mesa wants named parameters
            super().__init__(scenario_name, seed)
            built.append(self)

    monkeypatch.setattr(app, "LiveModel", Recorded)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc, built
    rc.close()


def button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def lever_slider(rc, name):
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith(f"{name} = ")]
    return slider


def image(rc, css_class):
    (img,) = [w for w in rc.find(ipywidgets.Image).widgets if css_class in w._dom_classes]
    return img.value


def charts(rc):
    return rc.find(solara.widgets.VegaLite).widgets


def test_step_button_advances_the_model_and_the_page(live):
    rc, built = live
    model = built[-1]
    assert model.steps == 0
    rc.find(v.Html, children=["Time: 0.0"]).assert_single()
    map_before = image(rc, "clusterlab-map")

    button(rc, "Step").click()
    button(rc, "Step").click()

    assert built[-1] is model and model.steps == 2
    rc.find(v.Html, children=["Time: 2.0"]).assert_single()
    status = rc.find(v.Html, class_="clusterlab-status").widget.children[0]
    assert status.startswith("Step 2 ·")
    assert image(rc, "clusterlab-map") != map_before
    history = charts(rc)[0].spec["datasets"]["history"]
    assert [row["step"] for row in history] == [0.0, 1.0, 2.0]


def test_a_lever_moved_on_the_page_reaches_the_running_model(live):
    rc, built = live
    model = built[-1]
    button(rc, "Step").click()

    lever_slider(rc, "tax_rate").v_model = 0.3          # what dragging the slider does

    assert model.levers()["tax_rate"] == pytest.approx(0.3)
    assert built[-1] is model and model.steps == 1       # no reset
    assert lever_slider(rc, "tax_rate").label == "tax_rate = 0.3"
    change = rc.find(v.Html, class_="clusterlab-change").widget.children[0]
    assert change == "tax_rate = 0.3 from the next step"
    for chart in charts(rc):                             # every chart marks the step it acts from
        assert chart.spec["datasets"]["marks"] == [{"step": 2, "label": "tax_rate=0.3"}]

    button(rc, "Step").click()
    assert model.steps == 2 and model.levers()["tax_rate"] == pytest.approx(0.3)
    assert rc.find(v.Html, class_="clusterlab-change").widget.children[0] == "tax_rate = 0.3 from step 2"


def test_funding_lever_shows_up_as_spending(live):
    rc, built = live
    model = built[-1]
    lever_slider(rc, "training").v_model = 5.0
    button(rc, "Step").click()
    assert model.levers()["training"] == 5.0
    assert model.government.spending_by_lever["training"] > 0
    history = charts(rc)[1].spec["datasets"]["history"]
    assert history[-1]["spend_training"] > 0


def test_reset_builds_the_chosen_scenario_and_seed(live):
    rc, built = live
    button(rc, "Step").click()
    seed_box = rc.find(v.TextField, label="Seed").widget
    seed_box.v_model = "7"                       # typed, then Enter: the box sends a string
    seed_box.fire_event("keyup.enter", None)
    button(rc, "Reset").click()
    model = built[-1]
    assert len(built) == 2 and model.steps == 0
    reference = scenarios.build("baseline", seed=7)
    assert model.indicators == reference.indicators
    rc.find(v.Html, children=["Time: 0.0"]).assert_single()

    if "dartboard" in app.scenario_names():
        rc.find(v.Select, label="Scenario").widget.v_model = "dartboard"
        button(rc, "Reset").click()
        assert built[-1].scenario_name == "dartboard"
        assert built[-1].params == scenarios.build("dartboard", seed=7).params


def test_each_page_has_its_own_model(live):
    rc, built = live
    box2, rc2 = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        first, second = built
        assert first is not second
        button(rc, "Step").click()
        assert (first.steps, second.steps) == (1, 0)
    finally:
        rc2.close()


def test_live_model_is_the_scenario_model():
    a = app.LiveModel("baseline", "3").run(3)
    b = scenarios.build("baseline", seed=3).run(3)
    assert a.indicators == b.indicators


def test_seed_text_is_converted():
    assert app.to_seed("42") == 42
    assert app.to_seed(" 5 ") == 5
    assert app.to_seed("7.0") == 7
    assert app.to_seed("abc") == app.to_seed("abc")


def test_specs_are_json_and_mark_lever_changes():
    model = ClusterModel(seed=2)
    model.step()
    app.change_lever(model, "rd_subsidy", 0.2)
    app.change_lever(model, "training", 3.0)
    app.change_lever(model, "training", 4.0)              # same step: the last value counts
    for spec in (app.indicators_spec(model), app.government_spec(model)):
        json.dumps(spec, allow_nan=False)
        assert spec["datasets"]["marks"] == [{"step": 2, "label": "rd_subsidy=0.2, training=4"}]
    assert app.lever_values(model)["training"] == 4.0


def test_slider_ranges_fit_the_parameters():
    for name in app.LEVERS:
        rng = app.lever_slider(name)
        p = app.PARAMS[name]
        assert p.low <= rng["min"] < rng["max"] <= p.high
        assert p.low <= p.default <= rng["max"]


def test_figures_draw_from_the_arrays():
    model = ClusterModel(seed=1, width=40, height=30, n_firms=30, n_suppliers=60, n_lead_firms=2)
    model.run(2)
    for fig in (app.map_figure(model, anim.LAYERS), app.network_figure(model)):
        data = app.png(fig)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    ax = app.map_figure(model, ["parks"]).axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets"))
    assert drawn >= len(model.population.live)


def test_animate_writes_a_gif(tmp_path):
    model = ClusterModel(seed=1, width=30, height=30, n_firms=15, n_suppliers=30)
    path = anim.animate(model, 3, tmp_path / "run.gif", fps=4)
    assert model.steps == 3
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 4
        frames = []
        for i in (0, 3):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
    assert not np.array_equal(*frames)


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
