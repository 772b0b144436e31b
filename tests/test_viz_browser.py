"""The live page in a real headless Chromium: served by `python -m experiments.viz`, stepped,
played, a lever moved; a screenshot is saved (to docs/figures/viz.png with CLUSTERLAB_SCREENSHOT=1)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
# the README screenshot: written only when asked (CLUSTERLAB_SCREENSHOT=1, as docs/make_figures.sh does),
# so a test run leaves the work tree clean; otherwise it goes to a temporary folder
SCREENSHOT = ROOT / "docs" / "figures" / "viz.png"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is absent (Debian package chromium; "
                       "`make test` installs it as root)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("viz") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "experiments.viz", "baseline", "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the viz server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(url + "readyz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the viz server did not answer in 120 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield url, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def time_shown(page) -> float:
    text = page.get_by_text(re.compile(r"^Time: ")).inner_text()
    return float(text.split(":")[1])


def settled_time(page) -> float:
    """The step counter once it has stopped moving (a step may still finish after Pause)."""
    last = time_shown(page)
    for _ in range(60):
        page.wait_for_timeout(700)
        now = time_shown(page)
        if now == last:
            return now
        last = now
    raise AssertionError("the step counter keeps moving after Pause")


def test_live_page_in_chromium(server):
    from playwright.sync_api import expect, sync_playwright

    url, log = server
    expect.set_options(timeout=60_000)
    failed, errors, bad = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1300})
        try:
            page.set_default_timeout(60_000)
            page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(url)

            # the page renders: controls, map, network and the charts (drawn by vega in the browser)
            step = page.get_by_role("button", name="Step")
            expect(step).to_be_visible()
            expect(page.locator("img.clusterlab-map")).to_be_visible()
            expect(page.locator("img.clusterlab-network")).to_be_visible()
            expect(page.locator("svg.marks")).to_have_count(2)
            expect(page.get_by_text("Time: 0.0")).to_be_visible()
            map_src = page.locator("img.clusterlab-map").get_attribute("src")

            # Step: the counter and the map change
            step.click()
            expect(page.get_by_text("Time: 1.0")).to_be_visible()
            expect(page.locator(".clusterlab-status")).to_contain_text("Step 1 ·")
            expect(page.locator("img.clusterlab-map")).not_to_have_attribute("src", map_src)

            # Play, then pause: several steps go by
            page.get_by_role("button", name="▶").click()
            deadline = time.monotonic() + 60
            while time_shown(page) < 4.0:
                assert time.monotonic() < deadline, "Play did not advance the model"
                page.wait_for_timeout(200)
            page.get_by_role("button", name="❚❚").click()
            expect(step).to_be_enabled()
            steps = settled_time(page)
            assert steps >= 4.0

            # move a lever: the panel shows it, the next step uses it, the charts mark it
            slider = page.locator(".v-input", has=page.get_by_text("training = 0", exact=True)).get_by_role("slider")
            slider.focus()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            expect(page.get_by_text("training = 5", exact=True)).to_be_visible()
            expect(page.locator(".clusterlab-change").first).to_have_text("training = 5 from the next step")
            first = int(settled_time(page)) + 1
            step.click()
            expect(page.get_by_text(f"Time: {first}.0")).to_be_visible()
            expect(page.locator(".clusterlab-change").first).to_have_text(f"training = 5 from step {first}")
            charts = page.locator("svg.marks")
            expect(charts.first).to_contain_text("training=5")       # the vertical mark's label
            expect(charts.nth(1)).to_contain_text("training=5")
            expect(charts.nth(1)).to_contain_text("training")        # a spending area for the lever

            for n in (first + 1, first + 2):                          # a little history for the picture
                step.click()
                expect(page.get_by_text(f"Time: {n}.0")).to_be_visible()
            page.wait_for_timeout(1000)

            shot = SCREENSHOT if os.environ.get("CLUSTERLAB_SCREENSHOT") else Path(tempfile.mkdtemp()) / "viz.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        except Exception:
            shot = log.parent / "failure.png"
            page.screenshot(path=str(shot))
            print(f"screenshot of the failure: {shot}\nserver log:\n{log.read_text()[-3000:]}")
            raise
        finally:
            browser.close()

    assert not failed, f"failed requests: {failed}"
    assert not bad, f"error responses: {bad}"
    assert not errors, f"page errors: {errors}"
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
