"""Portable mode (clusterlab_portable): numpy's baseline kernels only, set before numpy is imported.

The subprocess test is the one that could fail on this machine: numpy dispatches X86_V3 (AVX2/FMA3)
kernels here, and a run with X86_V3 disabled differs from the default one within a few quarters
(complex products of the FFT convolution round differently). If `--portable` did not reach numpy
before its import, the first run would use X86_V3 and differ from the second, which disables it too.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import clusterlab_portable as portable
from experiments.provenance import provenance
from experiments.run_cache import run_key

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"width": 30, "height": 30, "n_firms": 20, "n_suppliers": 40}
CLEAN = {k: v for k, v in os.environ.items() if k not in (portable.ENV, portable.NPY_DISABLE, portable.NPY_ENABLE)}
# The same run as `clusterlab run baseline --steps 5 --set ...` writes, through the library (model/__init__ applies
# CLUSTERLAB_PORTABLE before numpy is imported: scenarios.loader imports the model first).
SNIPPET = ("import sys; from scenarios.loader import load_scenario; import clusterlab_portable as p; "
           f"m = load_scenario('baseline').with_overrides(**{SMALL!r}).build(seed=0)\n"
           "for _ in range(5): m.step()\n"
           "m.results().to_csv(sys.argv[1]); print(p.label())")


def _python(args, env, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_portable_output_does_not_depend_on_numpy_dispatch(tmp_path):
    sets = [x for k, v in SMALL.items() for x in ("--set", f"{k}={v}")]
    cli = _python(["-m", "clusterlab_main", "--portable", "run", "baseline", "--steps", "5", "--seed", "0",
                   *sets, "--quiet", "--out", str(tmp_path / "cli")], dict(CLEAN, CLUSTERLAB_CACHE=str(tmp_path)))
    assert cli.returncode == 0, cli.stderr[-2000:]
    lib = _python(["-c", SNIPPET, str(tmp_path / "lib.csv")],
                  dict(CLEAN, **{portable.ENV: "1", portable.NPY_DISABLE: "X86_V3"}))   # one more disabled by hand
    assert lib.returncode == 0, lib.stderr[-2000:]
    assert lib.stdout.split()[-1] == "baseline"
    assert (tmp_path / "cli" / "indicators.csv").read_text() == (tmp_path / "lib.csv").read_text()
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert summary["numpy_dispatch"]["portable"] is True and summary["numpy_dispatch"]["dispatch"] == []
    assert set(portable.DISPATCHED) <= set(summary["numpy_dispatch"]["disabled"].split())


def test_bad_portable_value_is_refused_before_any_import():
    done = _python(["-m", "clusterlab_main", "scenarios"], dict(CLEAN, **{portable.ENV: "maybe"}))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "CLUSTERLAB_PORTABLE='maybe'" in done.stderr and "allowed" in done.stderr


@pytest.mark.parametrize("value, on", [("1", True), ("yes", True), ("ON", True), ("0", False), ("", False), ("off", False)])
def test_requested_values(value, on):
    assert portable.requested({portable.ENV: value}) is on


def test_apply_keeps_the_users_list_and_adds_every_dispatched_target():
    env = {portable.ENV: "1", portable.NPY_DISABLE: "AVX512_SPR,FOO"}
    assert portable.apply(env) is True and portable.apply(env) is True        # idempotent
    assert env[portable.NPY_DISABLE].split() == ["AVX512_SPR", "FOO", "X86_V3", "X86_V4", "AVX512_ICL"]
    off = {portable.NPY_DISABLE: "X86_V4"}
    assert portable.apply(off) is False and off == {portable.NPY_DISABLE: "X86_V4"}


def test_child_environ_sets_or_clears_every_numpy_feature_variable():
    base = {"PATH": "/bin", portable.NPY_ENABLE: "X86_V3", portable.NPY_DISABLE: "X86_V4", portable.ENV: "1"}
    on, off = portable.child_environ(True, base), portable.child_environ(False, base)
    assert on == {"PATH": "/bin", portable.ENV: "1", portable.NPY_DISABLE: " ".join(portable.DISPATCHED)}
    assert off == {"PATH": "/bin", portable.ENV: "0"}


def test_apply_refuses_numpy_enable_list():
    with pytest.raises(portable.PortableError, match=portable.NPY_ENABLE):
        portable.apply({portable.ENV: "1", portable.NPY_ENABLE: "X86_V3"})


def test_provenance_records_numpy_dispatch():
    record = provenance({})["numpy_dispatch"]
    assert record["numpy"] and record["baseline"] and record["portable"] is portable.requested()


def test_cache_key_differs_in_portable_mode(monkeypatch):
    from scenarios.loader import load_scenario

    spec = type("Spec", (), {"scenario": load_scenario("baseline"), "overrides": {}, "seed": 0, "steps": 4})()
    monkeypatch.delenv(portable.ENV, raising=False)
    default = run_key(spec)
    monkeypatch.setenv(portable.ENV, "1")
    assert run_key(spec) != default


def test_module_runs_a_command_in_portable_mode():
    done = _python(["-m", "clusterlab_portable", sys.executable, "-c",
                    "import numpy, clusterlab_portable as p; print(p.label(), p.requested())"], CLEAN)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["baseline", "True"]


def test_check_workers_names_every_worker_that_would_differ():
    here = portable.state()["numpy"]
    good = {"tcp://a:1": {"dispatch": [], "numpy": here}}
    portable.check_workers(good)
    bad = {**good, "tcp://b:2": {"dispatch": ["X86_V3"], "numpy": here}, "tcp://c:3": {"dispatch": [], "numpy": "1.0"}}
    with pytest.raises(portable.PortableError, match=r"tcp://b:2 \(X86_V3\), tcp://c:3 \(numpy 1\.0\)") as err:
        portable.check_workers(bad)
    assert "tcp://a:1" not in str(err.value)


PACKAGES = ("model", "agents", "scenarios", "experiments")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_applies_portable_mode_before_it_imports_anything_else(package):
    import ast

    body = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8")).body
    calls = [i for i, node in enumerate(body) if ast.unparse(node) == "clusterlab_portable.apply()"]
    assert len(calls) == 1, f"{package}/__init__.py: one clusterlab_portable.apply() call"
    before = [ast.unparse(n) for n in body[:calls[0]] if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert set(before) <= {"import clusterlab_portable", "from importlib import import_module"}


@pytest.mark.skipif(not portable.state()["dispatch"], reason="this CPU dispatches no kernel above numpy's baseline")
def test_each_package_import_applies_it_again():
    # Why the call sits in every package and not in one module imported once: `import model` does not import
    # numpy, so portable mode asked for after it still reaches numpy through the next package's own call.
    code = ("import os, model; os.environ['CLUSTERLAB_PORTABLE'] = '1'; import scenarios, clusterlab_portable as p; "
            "print(p.label(), p.requested())")
    done = _python(["-c", code], CLEAN)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["baseline", "True"]
