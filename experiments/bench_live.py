"""Browser benchmark of the live page (a script, not a test: it reports speed, asserts nothing).

    python -m experiments.bench_live [SCENARIO ...] [--seconds 8] [--steps 15]

For each scenario: serve the page (`python -m experiments.viz`), open it in headless Chromium at
1280×720 and measure

* Step→map latency: from the click on Step to the map canvas having drawn the new quarter
  (measured inside the page with `performance.now()` and a MutationObserver on the canvas);
* Play rate: quarters drawn on the map per second while playing at full speed.

Needs /usr/bin/chromium (Debian package) and the offline Solara assets (`make assets`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

STEP_AND_WAIT = """async () => {
  const canvas = document.querySelector('canvas.clusterlab-map');
  const before = Number(canvas.dataset.drawn);
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (Number(canvas.dataset.drawn) > before) { obs.disconnect(); resolve(performance.now()); }
    });
    obs.observe(canvas, {attributes: true});
  });
  const t0 = performance.now();
  document.querySelector('.clusterlab-step').click();
  return (await done) - t0;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(scenario: str = "baseline", port: int | None = None, log: Path | None = None, timeout: float = 120):
    """Serve the live page in a subprocess (its own process group); yields (url, process, log path).

    On exit the server gets SIGTERM and must stop within 20 s (else SIGKILL and RuntimeError)."""
    port = port or free_port()
    log = log or Path(tempfile.mkdtemp()) / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "experiments.viz", scenario, "--port", str(port)], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    stopped_in_time = True
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the live page server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(url + "readyz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer in {timeout} s:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.3)
        yield url, proc, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                stopped_in_time = False
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if not stopped_in_time:
        raise RuntimeError("the live page server ignored SIGTERM for 20 s")


def drawn(page) -> int:
    return int(page.locator("canvas.clusterlab-map").get_attribute("data-drawn") or -1)


def open_page(browser, url: str, width: int = 1280, height: int = 720):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_function("document.querySelector('canvas.clusterlab-map')?.dataset.drawn !== undefined",
                           timeout=120_000)
    return page


def measure(browser, url: str, steps: int, seconds: float) -> dict:
    page = open_page(browser, url)
    try:
        page.locator(".clusterlab-step").click()  # warm up (first chart embedding)
        page.wait_for_function("Number(document.querySelector('canvas.clusterlab-map').dataset.drawn) >= 1")
        page.wait_for_timeout(1000)
        latencies = [page.evaluate(STEP_AND_WAIT) for _ in range(steps)]
        start = drawn(page)
        page.locator(".clusterlab-play").click()
        page.wait_for_function(f"Number(document.querySelector('canvas.clusterlab-map').dataset.drawn) > {start}")
        first, t0 = drawn(page), time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        last, t1 = drawn(page), time.monotonic()
        page.locator(".clusterlab-pause").click()
        return {"step_to_map_ms_median": statistics.median(latencies), "step_to_map_ms_max": max(latencies),
                "play_steps_per_s": (last - first) / (t1 - t0), "quarters_played": last - first}
    finally:
        page.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="*", default=["baseline", "datang_socks"])
    ap.add_argument("--seconds", type=float, default=8.0, help="seconds of Play measured")
    ap.add_argument("--steps", type=int, default=15, help="Step clicks timed")
    args = ap.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing (Debian package chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for name in args.scenarios:
                with served(name) as (url, _, _):
                    r = measure(browser, url, args.steps, args.seconds)
                print(f"{name:24s} Step→map median {r['step_to_map_ms_median']:6.0f} ms (max "
                      f"{r['step_to_map_ms_max']:.0f}) · Play {r['play_steps_per_s']:5.1f} steps/s "
                      f"({r['quarters_played']} quarters)", flush=True)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
