"""Ctrl-C at awkward moments: while `clusterlab sweep --workers 2` is still starting its workers, or `run` draws.

The terminal sends Ctrl-C to the whole process group: a spawned worker still importing the model
(seconds on a busy machine) died with a KeyboardInterrupt traceback of 30 lines on the user's
screen, although the batch itself stopped cleanly. A worker now starts with SIGINT blocked and
ignores it before unblocking (experiments.pool_workers); the parent
still stops on it. A Ctrl-C during `clusterlab`'s own parser build is quiet as well."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from experiments import cli
from experiments.executors import LocalExecutor
from experiments.pool_workers import sigint_blocked

ASK = "__import__('experiments.pool_workers', fromlist=['_']).STARTED_BLOCKED"
HANDLER = "__import__('signal').getsignal(__import__('signal').SIGINT) == __import__('signal').SIG_IGN"
MASK = "__import__('signal').SIGINT in __import__('signal').pthread_sigmask(__import__('signal').SIG_BLOCK, ())"


def test_a_pool_worker_is_born_with_ctrl_c_blocked_then_ignores_it():
    with LocalExecutor(1) as ex:
        assert ex.submit(eval, ASK).result(timeout=300) is True     # blocked through its imports
        assert ex.submit(eval, HANDLER).result(timeout=300) is True  # then ignored ...
        assert ex.submit(eval, MASK).result(timeout=300) is False    # ... and no longer blocked
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, ())  # the parent's mask is back


def test_a_process_spawned_in_the_block_starts_blocked_even_when_it_starts_the_resource_tracker():
    """`--executor dask`: the LocalCluster's workers, spawned by multiprocessing, still died of a Ctrl-C
    during their imports (and Dask's atexit hook added an AssertionError traceback): the resource
    tracker, which the first spawn starts, unblocks SIGINT in the thread that starts it. Checked in a
    fresh interpreter, where the tracker is not running yet."""
    code = textwrap.dedent("""
        import multiprocessing, sys
        from experiments.pool_workers import sigint_blocked
        CHECK = "import signal, sys; sys.exit(3 if signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ()) else 4)"
        with sigint_blocked():
            child = multiprocessing.get_context("spawn").Process(target=exec, args=(CHECK,))
            child.start()
        child.join()
        sys.exit(child.exitcode)
    """)
    assert subprocess.run([sys.executable, "-c", code], timeout=300).returncode == 3   # 4: not blocked


def test_a_ctrl_c_while_blocked_waits_for_the_end_of_the_block():
    got = []
    previous = signal.signal(signal.SIGINT, lambda *a: got.append("SIGINT"))
    try:
        with sigint_blocked():
            signal.raise_signal(signal.SIGINT)
            assert got == []                                        # not during the spawn ...
        assert got == ["SIGINT"]                                    # ... but not lost either
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_while_the_parser_is_built_is_quiet(monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    try:
        code = cli.main(["validate"])
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C escaped clusterlab's main() (a traceback on the screen)")
    assert code == 130
    assert capsys.readouterr().err == "clusterlab: interrupted\n"


def test_ctrl_c_while_the_figures_are_drawn_says_the_data_are_written(tmp_path, monkeypatch, capsys):
    """Ctrl-C after the last quarter, while `clusterlab run` drew its figures, said only "interrupted",
    although indicators.csv and summary.json of the whole run were on disk."""
    import json

    from experiments import plots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "save_figures", interrupted)
    out = tmp_path / "run"
    assert cli.main(["run", "baseline", "--steps", "2", "--quiet", "--out", str(out), "--set", "width=30",
                     "--set", "height=30", "--set", "n_firms=30", "--set", "n_suppliers=60"]) == 130
    err = capsys.readouterr().err
    assert f"interrupted after the last quarter; wrote {out}/: indicators.csv, summary.json (no figures)" in err
    assert json.loads((out / "summary.json").read_text())["steps"] == 2 and not (out / "map.png").exists()


def test_ctrl_c_while_the_command_imports_the_model_is_quiet():
    """The console script imported experiments.cli, and with it Mesa, pandas and SciPy (a second or more),
    before clusterlab's main() could catch anything: a Ctrl-C in that second printed a 30-line traceback.
    The entry point named in pyproject.toml is run here as the generated script runs it, with a Ctrl-C
    arriving as the first of those packages is imported."""
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    module, _, function = tomllib.loads(pyproject.read_text())["project"]["scripts"]["clusterlab"].partition(":")
    code = textwrap.dedent(f"""
        import sys

        class CtrlC:                             # the Ctrl-C, as the model's packages start importing
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in ("mesa", "numpy", "pandas", "scipy", "experiments"):
                    raise KeyboardInterrupt

        sys.meta_path.insert(0, CtrlC())
        sys.argv = ["clusterlab", "validate", "baseline"]
        from {module} import {function}          # what the console script does
        sys.exit({function}())
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=pyproject.parent)      # the checkout's modules, even in a venv installed before
    assert (done.returncode, done.stderr) == (130, "clusterlab: interrupted\n")


class _Server:
    """A stand-in for the Solara server process: its first wait() is interrupted by `stop`."""

    def __init__(self, stop):
        self.stop, self.terminated = stop, False

    def wait(self, timeout=None):
        if not self.terminated:
            raise self.stop
        return -15

    def terminate(self):
        self.terminated = True


@pytest.mark.parametrize("stop, code, said", [(KeyboardInterrupt(), 130, "interrupted"),
                                              (cli.Terminated(), 143, "terminated (SIGTERM)")])
def test_viz_exits_130_on_ctrl_c_and_143_on_sigterm_like_every_command(monkeypatch, capsys, stop, code, said):
    """`clusterlab viz` exited 0 when stopped by Ctrl-C (a script could not tell a stop from success)."""
    from experiments import viz

    servers = []
    monkeypatch.setattr(viz, "check_port_free", lambda *a: None)
    monkeypatch.setattr("experiments.inputs.check_port_free", lambda *a: None)
    monkeypatch.setattr(viz, "ensure_assets", lambda: None)
    monkeypatch.setattr(viz.subprocess, "Popen", lambda *a, **k: servers.append(_Server(stop)) or servers[-1])
    before = signal.getsignal(signal.SIGTERM)
    assert cli.main(["viz", "--port", "8765"]) == code
    assert servers[0].terminated and signal.getsignal(signal.SIGTERM) == before   # the server stopped, handler back
    assert f"clusterlab viz: {said}" in capsys.readouterr().err
