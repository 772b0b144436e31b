"""The live page in a real headless Chromium (1280×720), served by `python -m experiments.viz`.

Covers: a lever moved with the keyboard during Play on every scenario (the counter keeps going,
the label updates); xiqiao's schedule reaching quarter 41 with its centre at 150; exported files
that reproduce the run; a reload that resumes; no clipped chart at 1280×720; a server that idles
once its tabs close and stops on SIGTERM. Screenshots go to docs/figures/ only when asked
(CLUSTERLAB_SCREENSHOT=1, as docs/make_figures.sh does), so a test run leaves the tree clean.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.bench_live import CHROMIUM, CHROMIUM_ARGS, served

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures"
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is absent (Debian package chromium; "
                       "`make test` installs it as root)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module; leaving the block sends SIGTERM and fails if it is ignored."""
    log = tmp_path_factory.mktemp("viz") / "server.log"
    with served("baseline", log=log) as (url, proc, log):
        yield url, proc, log
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


@pytest.fixture(scope="module")
def chrome():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(chrome, server):
    from playwright.sync_api import expect

    expect.set_options(timeout=90_000)
    context = chrome.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield pg
    context.close()
    assert not errors, errors


def open_at(page, url: str, query: str = "") -> None:
    page.goto(url + (f"?{query}" if query else ""))
    page.wait_for_function("document.querySelector('canvas.clusterlab-map')?.dataset.drawn !== undefined")


def drawn(page) -> int:
    """The quarter the map canvas last drew."""
    return int(page.locator("canvas.clusterlab-map").get_attribute("data-drawn"))


def wait_drawn(page, at_least: int) -> None:
    page.wait_for_function(f"Number(document.querySelector('canvas.clusterlab-map')?.dataset.drawn ?? -1) >= {at_least}")


def lever_label(page, name: str):
    return page.locator(".clusterlab-lever label", has_text=re.compile(f"^{name} = "))


def press_lever(page, name: str, key: str, times: int) -> None:
    label = page.locator("label", has_text=re.compile(f"^{name} = "))
    slider = page.locator(".v-input.clusterlab-lever").filter(has=label).get_by_role("slider")
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)


def shot(page, name: str) -> None:
    if os.environ.get("CLUSTERLAB_SCREENSHOT"):
        FIGURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FIGURES / name))


def choose_scenario(page, name: str) -> None:
    """Pick a scenario in the selector and press Reset (the page builds it in its worker)."""
    from playwright.sync_api import expect

    page.locator(".v-select", has=page.get_by_text("Scenario", exact=True)).click()
    page.locator(".v-menu__content .v-list-item", has_text=re.compile(f"^{name}$")).click()
    page.locator(".clusterlab-reset").click()
    expect(page.locator(".clusterlab-scenario")).to_contain_text(page_title(name))
    expect(page.locator(".clusterlab-quarter")).to_have_text(re.compile(r"^Quarter 0 of "))
    wait_drawn(page, 0)


def page_title(name: str) -> str:
    from scenarios import load_scenario

    return load_scenario(name).title


@pytest.mark.slow
def test_a_lever_moved_during_play_keeps_every_scenario_running(tab, server):
    """Issue 14's freeze: on every scenario, Play, move `training` three notches with the
    keyboard; the counter keeps advancing, the label shows the new value and the newest recorded
    change is that value (whether the presses merged into one change depends on their timing)."""
    from playwright.sync_api import expect

    page = tab
    url, _, _ = server
    open_at(page, url)
    for scenario in SCENARIOS:
        choose_scenario(page, scenario)
        page.locator(".clusterlab-play").click()
        wait_drawn(page, 2)
        before = float(lever_label(page, "training").inner_text().split("=")[1].split()[0])
        press_lever(page, "training", "ArrowRight", 3)
        expect(lever_label(page, "training")).to_have_text(re.compile(f"^training = {before + 3:g} "))
        moved_at = drawn(page)
        wait_drawn(page, moved_at + 3)                    # still playing after the change
        # the last change is the value reached: presses further apart than the page's debounce (a loaded
        # machine) are separate changes, so the test reads the newest, not how many (tests/test_viz_page.py
        # checks the merging of a drag with no clock involved)
        expect(page.locator(".clusterlab-change").last).to_contain_text(f"training = {before + 3:g} from quarter")
        page.locator(".clusterlab-pause").click()
        expect(page.locator(".clusterlab-step")).to_be_enabled()


@pytest.mark.slow
def test_xiqiao_schedule_reaches_quarter_41_with_its_centre(tab, server):
    page = tab
    from playwright.sync_api import expect

    url, _, _ = server
    open_at(page, url, "scenario=xiqiao_decline_revival&seed=1")
    page.locator(".clusterlab-play").click()
    wait_drawn(page, 41)
    page.locator(".clusterlab-pause").click()
    expect(lever_label(page, "tech_centre")).to_have_text("tech_centre = 150 units/quarter")
    assert page.locator(".clusterlab-change").count() == 0          # nobody moved anything
    charts = page.locator(".clusterlab-indicators svg.marks")
    expect(charts).to_contain_text("tech_centre=150")                 # the scheduled change is marked
    shot(page, "viz_xiqiao.png")


@pytest.mark.slow
def test_exports_reproduce_the_run_and_a_reload_resumes_it(tab, server, tmp_path):
    page = tab
    from playwright.sync_api import expect

    from scenarios import load_scenario

    url, _, _ = server
    open_at(page, url, "scenario=hunan_scattered_towns&seed=2")
    for n in (1, 2):
        page.locator(".clusterlab-step").click()
        wait_drawn(page, n)
    press_lever(page, "training", "ArrowRight", 4)
    expect(lever_label(page, "training")).to_have_text(re.compile(r"^training = 4 "))
    for n in (3, 4, 5):
        page.locator(".clusterlab-step").click()
        wait_drawn(page, n)
    expect(page.locator(".clusterlab-change").first).to_have_text("training = 4 from quarter 3")

    files = {}
    for label in ("Indicators CSV", "Scenario TOML"):
        with page.expect_download() as info:
            page.get_by_text(label).click()
        files[label] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[label])
    shown = pd.read_csv(files["Indicators CSV"], index_col="step")
    assert list(shown.index) == [0, 1, 2, 3, 4, 5]
    rerun = load_scenario(files["Scenario TOML"]).build(seed=2).run(5).results()
    pd.testing.assert_frame_equal(rerun[shown.columns].reset_index(drop=True), shown.reset_index(drop=True),
                                  check_dtype=False)

    assert "step=5" in page.url and "change=3" in page.url
    page.reload()
    wait_drawn(page, 5)
    expect(page.locator(".clusterlab-quarter")).to_have_text(re.compile(r"^Quarter 5 of "))
    expect(lever_label(page, "training")).to_have_text(re.compile(r"^training = 4 "))
    expect(page.locator(".clusterlab-change").first).to_have_text("training = 4 from quarter 3")
    expect(page.locator(".clusterlab-status")).to_contain_text(
        f"{shown['firms'].iloc[-1]:.0f} firms")


def first_underfunded_quarter(name: str, seed: int, steps: int = 80) -> int:
    """The first quarter (≥ 2) after which the scenario's budget covers less than what its levers ask
    (the page's underfunded warning), from a run in this process (same scenario + seed → same run)."""
    from scenarios import load_scenario

    model = load_scenario(name).build(seed=seed)
    for _ in range(steps):
        model.step()
        if model.steps >= 2 and model.government.funded < 0.999:
            return model.steps
    raise AssertionError(f"{name} seed {seed}: the budget never runs short in {steps} quarters")


@pytest.mark.slow
def test_1280x720_shows_every_chart_unclipped(tab, server):
    page = tab
    from playwright.sync_api import expect

    url, _, _ = server
    short = first_underfunded_quarter("jiangxi_auto_hub", seed=1)      # jiangxi's budget runs short then
    open_at(page, url, f"scenario=jiangxi_auto_hub&seed=1&step={short - 2}")   # replayed to that quarter on load
    for n in range(short - 1, short + 1):
        page.locator(".clusterlab-step").click()
        wait_drawn(page, n)
    expect(page.locator(".clusterlab-chart svg.marks")).to_have_count(2)
    expect(page.locator(".clusterlab-underfunded")).to_be_visible()
    page.get_by_text("compare: the same run without").click()            # the comparison run: dashed lines
    page.locator(".clusterlab-step").click()
    wait_drawn(page, short + 1)
    expect(page.locator(".clusterlab-indicators svg.marks path[stroke-dasharray='3,2']").first).to_be_attached()
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in [*page.locator(".clusterlab-chart svg.marks").all(), *page.locator("canvas.clusterlab-canvas").all()]:
        b = box.bounding_box()
        assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5, b
    shot(page, "viz.png")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_a_closed_tab_leaves_the_server_idle(chrome, server):
    url, proc, _ = server
    context = chrome.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    open_at(pg, url)
    pg.locator(".clusterlab-play").click()
    wait_drawn(pg, 3)
    context.close()                                      # the tab goes away while playing
    # gate on the event (a quiet 3-second window), not on how fast a loaded machine notices the
    # closed socket: the server must reach idle, however long the close takes to propagate
    deadline = time.monotonic() + 120
    while True:
        used = cpu_seconds(proc.pid)
        time.sleep(3)
        if cpu_seconds(proc.pid) - used < 0.6:
            break
        assert time.monotonic() < deadline, "the server keeps working after its tab closed"
