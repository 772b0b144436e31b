"""experiments/run_cache.py: the key holds what a run's numbers depend on (code, libraries, numpy's dispatch,
portable mode, ...), so a cache filled under another environment is not reused; unchanged otherwise."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import clusterlab_portable
import experiments.run_cache as rc
from scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spec():
    return type("Spec", (), {"scenario": load_scenario("baseline"), "overrides": {}, "seed": 0, "steps": 4})()


def _with_state(monkeypatch, **changes):
    real = clusterlab_portable.state
    monkeypatch.setattr(clusterlab_portable, "state", lambda: {**real(), **changes})


def _with_fixed(monkeypatch, **changes):
    """This process's fixed environment with library versions (python too) or platform parts changed."""
    real = rc._fixed_environment()
    host = {k: changes.pop(k) for k in ("machine", "libc") if k in changes}
    changed = {"libraries": {**real["libraries"], **changes}, "platform": {**real["platform"], **host}}
    monkeypatch.setattr(rc, "_fixed_environment", lambda: changed)


def test_the_key_is_the_same_when_nothing_changes(spec, monkeypatch):
    key = rc.run_key(spec)
    assert rc.run_key(spec) == key
    _with_state(monkeypatch)                       # the same state, read through a patched function
    _with_fixed(monkeypatch)
    assert rc.run_key(spec) == key


@pytest.mark.parametrize("changes", [{"numpy": "0.0.1"}, {"portable": True}, {"baseline": ["SSE"]},
                                     {"dispatch": ["X86_V3"]}, {"dispatch": ["X86_V3", "X86_V4"]}])
def test_the_key_changes_with_numpy_and_its_dispatch(spec, monkeypatch, changes):
    key = rc.run_key(spec)
    if changes.get("dispatch") == clusterlab_portable.state()["dispatch"]:
        changes = {"dispatch": []}                 # this CPU's own dispatch: change it the other way
    _with_state(monkeypatch, **changes)
    assert rc.run_key(spec) != key


@pytest.mark.parametrize("part", ["numpy", "scipy", "mesa", "networkx", "pandas", "python", "machine", "libc"])
def test_the_key_changes_with_each_library_python_machine_and_libc(spec, monkeypatch, part):
    key = rc.run_key(spec)
    _with_fixed(monkeypatch, **{part: "0.0.1"})
    assert rc.run_key(spec) != key


def test_the_keyed_environment_is_the_one_a_results_folder_records():
    from experiments.provenance import environment_of, numbers_environment, provenance

    record = provenance({})
    assert rc.run_environment() == numbers_environment(record)
    assert None not in environment_of(record).values()          # every part of the key is compared on resume
    assert {"machine", "libc", "python", "numpy_dispatch"} <= set(rc.run_environment())


def test_the_key_changes_with_the_code(spec, monkeypatch):
    key = rc.run_key(spec)
    monkeypatch.setattr(rc, "source_hash", lambda: "0" * 16)
    assert rc.run_key(spec) != key


def test_a_cache_filled_under_another_dispatch_misses_and_a_foreign_worker_is_not_cached(spec, tmp_path, monkeypatch):
    cache, table = rc.RunCache(tmp_path), pd.DataFrame({"y": [1.0, 2.0]})
    mine = "+".join(clusterlab_portable.state()["dispatch"]) or "baseline"
    with monkeypatch.context() as m:                      # "another machine": other SIMD kernels
        _with_state(m, dispatch=[] if mine != "baseline" else ["X86_V3"])
        cache.put(spec, table)
        assert cache.get(spec) is not None
    assert cache.get(spec) is None                        # not reused here: recomputed
    cache.put(spec, table, {"host": "far", "numpy_dispatch": "AVX512_SPR" if mine != "AVX512_SPR" else "baseline"})
    assert cache.get(spec) is None                        # a worker on another CPU: its run is not cached
    cache.put(spec, table, {"host": "near", "numpy_dispatch": mine, "numpy": rc._fixed_environment()["libraries"]["numpy"]})
    pd.testing.assert_frame_equal(cache.get(spec), table)


@pytest.mark.skipif(not clusterlab_portable.state()["dispatch"] or clusterlab_portable.requested()
                    or clusterlab_portable.NPY_DISABLE in os.environ or clusterlab_portable.NPY_ENABLE in os.environ,
                    reason="this CPU dispatches no kernel above numpy's baseline, or the tests run with numpy's kernels chosen")
def test_a_process_with_its_kernels_disabled_gets_another_key_than_portable_mode_and_this_one(spec):
    code = ("from scenarios.loader import load_scenario; from experiments.run_cache import run_key; "
            "s = type('S', (), {'scenario': load_scenario('baseline'), 'overrides': {}, 'seed': 0, 'steps': 4})(); "
            "print(run_key(s))")
    env = {k: v for k, v in os.environ.items() if k != clusterlab_portable.ENV}

    def key(extra):
        done = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    disabled = key({clusterlab_portable.NPY_DISABLE: " ".join(clusterlab_portable.DISPATCHED)})
    portable = key({clusterlab_portable.ENV: "1"})
    assert len({rc.run_key(spec), disabled, portable}) == 3   # the disabled one: portable's kernels, not asked for


def test_resuming_a_folder_whose_runs_came_from_another_environment_warns(tmp_path):
    import warnings

    from experiments.provenance import environment_changes, provenance
    from experiments.store import Store, load_provenance

    here = provenance({})
    there = {**here, "numpy_dispatch": {**here["numpy_dispatch"], "dispatch": ["AVX512_SPR"]},
             "code": {**here["code"], "source_hash": "0" * 16}}
    assert environment_changes(here, there) == [f"model code {here['code']['source_hash']} → {'0' * 16}",
                                                f"numpy kernels {here['numpy_dispatch']['dispatch']} → ['AVX512_SPR']"]
    assert environment_changes(here, {"code": {}, "libraries": {}}) == []      # an old record: nothing to compare
    elsewhere = {**here, "platform": {**here["platform"], "libc": "musl-1.2"}}
    assert environment_changes(here, elsewhere) == [f"C library {here['platform']['libc']} → musl-1.2"]
    plan = {"kind": "compare", "arms": []}
    with Store.open(tmp_path, plan) as store:
        store.add_provenance(there)                         # first session (another machine), no runs yet
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            store.add_provenance(here)                      # no stored run: nothing would be mixed
        store.write({"run_id": "r0", "status": "ok"}, pd.DataFrame({"step": [0], "y": [1.0]}))
    with Store.open(tmp_path, plan, resume=True) as store, pytest.warns(UserWarning, match=r"1 stored run.*numpy kernels"):
        store.add_provenance(here)
    with Store.open(tmp_path, plan, resume=True) as store:
        with pytest.warns(UserWarning, match="model code"):   # every earlier session counts, not only the last
            store.add_provenance(here)
    assert len(load_provenance(tmp_path)) == 4


def test_resuming_in_the_same_environment_is_silent(tmp_path):
    import warnings

    from experiments.provenance import provenance
    from experiments.store import Store

    plan = {"kind": "compare", "arms": []}
    with Store.open(tmp_path, plan) as store:
        store.add_provenance(provenance({}))
        store.write({"run_id": "r0", "status": "ok"}, pd.DataFrame({"step": [0], "y": [1.0]}))
    with Store.open(tmp_path, plan, resume=True) as store, warnings.catch_warnings():
        warnings.simplefilter("error")
        store.add_provenance(provenance({}))
