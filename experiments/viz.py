"""Serve the live page: `clusterlab viz [SCENARIO] [--port P]` or `python -m experiments.viz`.

Runs `solara run experiments.app:page` in a subprocess, with the scenario passed through the
environment (CLUSTERLAB_SCENARIO) and Solara's front end served from the offline cache
(experiments/viz_assets.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from experiments.conventions import DEFAULT_SEED
from experiments.inputs import InputError, argparse_type, check_host, check_port, check_port_free, parse_seed
from experiments.interrupts import Terminated
from experiments.viz_assets import AssetsError, ensure_assets

ROOT = Path(__file__).resolve().parent.parent


def command(port: int = 8765, host: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "solara", "run", "experiments.app:page",
            "--host", host, "--port", str(port), "--no-open", "--production"]


def environment(scenario: str = "baseline", seed: int | str = DEFAULT_SEED, cache_dir: Path | None = None) -> dict:
    env = dict(os.environ)
    env["CLUSTERLAB_SCENARIO"] = scenario
    env["CLUSTERLAB_SEED"] = str(seed)
    if cache_dir is not None:
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache_dir)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no outside network here
    # plain http on 127.0.0.1: Solara warns on the first page that it falls back to samesite=lax
    env.setdefault("PYTHONWARNINGS", "ignore:Cookies with samesite=none require https")
    return env


def _terminate(signum, frame):
    raise Terminated


def serve(scenario: str = "baseline", port: int = 8765, host: str = "127.0.0.1", *, seed: int | str = DEFAULT_SEED,
          allow_remote: bool = False) -> int:
    """Serve the live page until interrupted; returns the server's exit code, or 130 after Ctrl-C and
    143 after SIGTERM (as every other command: experiments.interrupts).

    Refuses (experiments.inputs.InputError) a host other than loopback unless `allow_remote`
    (the page has no login and runs models on request), and a port nothing can listen on,
    before printing an address.

    Makes sure the offline Solara assets are present (npm pack, once), prints the address, and runs
    the Solara server as a subprocess (blocking). Ctrl-C stops it.
    """
    check_port(port)
    check_host(host, allow_remote)
    check_port_free(host, port)
    try:
        cache = ensure_assets()
    except AssetsError as e:
        print(f"warning: {e}", file=sys.stderr)
        cache = None
    print(f"ClusterLab live page ({scenario}, seed {seed}): http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    proc = subprocess.Popen(command(port, host), env=environment(scenario, seed, cache), cwd=ROOT)
    # SIGTERM to this process stops the server too (a service manager, `kill`): same as Ctrl-C
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return proc.wait()
    except KeyboardInterrupt as stop:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        terminated = isinstance(stop, Terminated)
        print(f"clusterlab viz: {'terminated (SIGTERM)' if terminated else 'interrupted'}; the server is stopped",
              file=sys.stderr)
        return 143 if terminated else 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.viz", description="Serve the ClusterLab live page.")
    ap.add_argument("scenario", nargs="?", default="baseline")
    ap.add_argument("--port", type=argparse_type(check_port, "--port"), default=8765)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--allow-remote", action="store_true", help="serve on a --host other than loopback")
    ap.add_argument("--seed", type=argparse_type(parse_seed, "--seed"), default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    try:
        return serve(args.scenario, port=args.port, host=args.host, seed=args.seed, allow_remote=args.allow_remote)
    except InputError as exc:
        print(f"{ap.prog}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
