"""Sweeps, results store, executors, comparisons, sensitivity and cost-effectiveness.

Every model here is tiny (30 × 30 grid, 30 firms, a few quarters) so the whole file stays fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import load_results, sweep
from experiments.compare import compare, parse_arm
from experiments.cost_effectiveness import OUTCOMES, cost_effectiveness
from experiments.executors import execute_run
from experiments.sensitivity import sensitivity
from experiments.store import Store, StoreError, load_manifest, read_manifest
from experiments.sweep import SweepError, load_sweep, parse_sweep, run_specs

TINY = dict(width=30, height=30, n_firms=30, n_suppliers=60)
TINY_SET = "\n".join(f"{k} = {v}" for k, v in TINY.items())
CLI = [str(Path(sys.executable).with_name("clusterlab"))]


def write_sweep(tmp_path, body: str, name: str = "sweep") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(body).replace("@TINY@", TINY_SET))
    return path


def cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=120, **kwargs)


# --- sweep files and designs ----------------------------------------------------------------
def test_sweep_file_problems_name_file_key_allowed_and_given(tmp_path):
    path = write_sweep(tmp_path, """
        scenario = "baselin"
        step = 10
        [design]
        method = "sobl"
        [vary]
        tech_centr = [0, 10]
        rd_subsidy = [0.0, 0.95]
        tax_rate = { low = 0.1, hihg = 0.3 }
        [keep]
        final = ["output", "firm"]
    """, "bad")
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    text = str(err.value)
    for expected in ("bad.toml: scenario: no such scenario (did you mean 'baseline'?)",
                     "bad.toml: step: unknown key (did you mean 'steps'?)",
                     "bad.toml: design.method: unknown design (did you mean 'sobol'?)",
                     "bad.toml: vary.tech_centr: unknown parameter (did you mean 'tech_centre'?)",
                     "bad.toml: vary.rd_subsidy[1]: value not allowed for 'rd_subsidy'; allowed: a number in "
                     "[0.0, 0.9]; given: 0.95",
                     "bad.toml: vary.tax_rate.hihg: unknown key (did you mean 'high'?)",
                     "bad.toml: keep.final: unknown indicator 'firm' (did you mean 'firms'?)"):
        assert expected in text
    assert len(err.value.problems) >= 7


def test_sampled_designs_need_ranges_and_sobol_a_power_of_two():
    with pytest.raises(SweepError) as err:
        parse_sweep({"scenario": "baseline", "design": {"method": "sobol", "samples": 10},
                     "vary": {"tech_centre": [0, 10]}}, "s.toml")
    assert "design.samples: Sobol' sequences need a power of 2" in str(err.value)
    assert "vary.tech_centre: the sobol design samples a range, not a list" in str(err.value)


def test_designs_expand_to_run_specs_with_common_random_numbers():
    base = {"scenario": "baseline", "steps": 3, "replications": 3, "seed": 7, "set": TINY}
    ff = parse_sweep({**base, "vary": {"tech_centre": [0, 10], "rd_subsidy": {"low": 0, "high": 0.5, "levels": 3}}})
    specs = run_specs(ff)
    assert len(specs) == 2 * 3 * 3 and len({s.run_id for s in specs}) == len(specs)
    assert {s.params["rd_subsidy"] for s in specs} == {0.0, 0.25, 0.5}
    for k in range(3):   # replication k: the same seed at every design point
        assert {s.seed for s in specs if s.rep == k} == {7 + k}
    sobol = parse_sweep({**base, "design": {"method": "sobol", "samples": 8, "dummy": False},
                         "vary": {"tech_centre": {"low": 0, "high": 20}, "tax_holiday": {"low": 0, "high": 8}}})
    specs = run_specs(sobol)
    assert len(specs) == 8 * (2 + 2) * 3
    assert all(isinstance(s.params["tax_holiday"], int) for s in specs)     # integer parameter rounded
    assert run_specs(sobol) == specs                                        # deterministic design
    morris = parse_sweep({**base, "design": {"method": "morris", "samples": 4, "dummy": False},
                          "vary": {"tech_centre": {"low": 0, "high": 20}}})
    assert len(run_specs(morris)) == 4 * 2 * 3
    latin = parse_sweep({**base, "design": {"method": "latin_hypercube", "samples": 5},
                         "vary": {"tech_centre": {"low": 0, "high": 20}, "rd_subsidy": {"low": 0, "high": 0.5}}})
    values = sorted(s.params["tech_centre"] for s in run_specs(latin) if s.rep == 0)
    assert [int(v // 4) for v in values] == [0, 1, 2, 3, 4]       # one sample in each fifth of the range


# --- the store ------------------------------------------------------------------------------
def test_store_repairs_a_cut_manifest_line_and_an_unlogged_result(tmp_path):
    out = tmp_path / "out"
    table = pd.DataFrame({"step": [3], "firms": [30]})
    with Store.open(out, {"name": "x"}) as store:
        store.write({"run_id": "a", "status": "ok", "params": {"k": 1}}, table)
        store.write({"run_id": "b", "status": "ok", "params": {"k": 2}}, table)
        with pytest.raises(StoreError, match="being written by another batch"):
            Store.open(out, {"name": "x"}, resume=True)
    # killed while appending b's manifest line, and while writing c's Parquet file
    lines = (out / "manifest.jsonl").read_text().splitlines()
    (out / "manifest.jsonl").write_text(lines[0] + "\n" + lines[1][:15])
    (out / "runs" / ".c.123.tmp").write_bytes(b"half a file")
    with pytest.raises(StoreError, match="--resume"):
        Store.open(out, {"name": "x"})
    with pytest.raises(StoreError, match="different batch"):
        Store.open(out, {"name": "y"}, resume=True)
    with Store.open(out, {"name": "x"}, resume=True) as store:
        assert store.done() == {"a", "b"}
        store.write({"run_id": "d", "status": "failed", "error": "boom"})
    assert not list((out / "runs").glob(".*.tmp"))
    records = read_manifest(out)
    assert [r["run_id"] for r in records] == ["a", "b", "d"]
    assert records[1] == {"run_id": "b", "status": "ok", "params": {"k": 2}, "recovered": True}
    assert load_results(out)[["run_id", "k", "firms"]].values.tolist() == [["a", 1, 30], ["b", 2, 30]]


# --- runs: failures, kills, executors -------------------------------------------------------
def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    # Each value is within its PARAMS range, so the sweep file is valid; but the model requires
    # labour_share + capital_share < 1, so the labour_share = 0.75 runs fail when built.
    path = write_sweep(tmp_path, """
        scenario = "baseline"
        steps = 3
        replications = 2
        [set]
        @TINY@
        capital_share = 0.3
        [vary]
        labour_share = [0.5, 0.75, 0.55]
        [keep]
        final = ["firms", "output"]
    """)
    out = tmp_path / "out"
    done = cli("sweep", path, "--executor", "serial", "--out", out)
    assert done.returncode == 1, done.stderr
    assert "2 failed" in done.stdout + done.stderr
    manifest = load_manifest(out)
    failed = manifest[manifest["status"] == "failed"]
    assert sorted(failed["run_id"]) == ["p1-r0", "p1-r1"]
    assert failed["error"].str.contains("labour_share \\+ capital_share").all()
    assert failed["traceback"].str.contains("Traceback").all()
    final = load_results(out)
    assert sorted(final["run_id"]) == ["p0-r0", "p0-r1", "p2-r0", "p2-r1"]
    assert final["labour_share"].tolist() == [0.5, 0.5, 0.55, 0.55]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


# A sweep whose runs wait for the test's permission (run ids listed in a file), so an interrupt
# always lands mid-sweep however fast or slow the machine is: the test gates on events (runs
# stored, permissions given), never on speed. The CLI runs unchanged; only the task the pool
# executes is wrapped, by a module the spawned workers import from PYTHONPATH.
GATED = """
import os, sys, time
from pathlib import Path
from experiments import executors

ALLOWED = Path(os.environ["CLUSTERLAB_TEST_ALLOWED"])
_run = executors.execute_run


def gated_run(spec):
    while spec.run_id not in ALLOWED.read_text().split():   # a permission, not a timer
        time.sleep(0.02)
    return _run(spec)


if __name__ == "__main__":
    from experiments import cli
    executors.execute_run = gated_run
    sys.exit(cli.main())   # as the clusterlab command: argv from sys.argv
"""


class GatedSweep:
    def __init__(self, tmp_path, command):
        (tmp_path / "gated.py").write_text(GATED)
        self.allowed = tmp_path / "allowed.txt"
        self.allowed.write_text("")
        self.env = {**os.environ, "CLUSTERLAB_TEST_ALLOWED": str(self.allowed),
                    "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
        self.command = [sys.executable, str(tmp_path / "gated.py"), *command]

    def start(self, *extra):
        # SIGINT at its default in the child, as in a terminal: a shell's background job (`cmd &` without
        # job control, as some CI runners start the suite) inherits SIGINT ignored, and Python then
        # installs no KeyboardInterrupt handler, so the test's Ctrl-C would never reach the sweep.
        return subprocess.Popen([*self.command, *extra], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def allow(self, run_ids):
        self.allowed.write_text(self.allowed.read_text() + "\n".join(run_ids) + "\n")


def _wait_for(condition, what: str, limit: float = 300.0):
    """Wait for an event; the limit only turns a hang into a failure (it never decides the outcome)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _stop_after(gate, proc, out: Path, run_ids, sig) -> set[str]:
    """Allow `run_ids`, wait until they are stored (every other run is held), send `sig`."""
    gate.allow(run_ids)
    _wait_for(lambda: set(run_ids) <= {p.stem for p in (out / "runs").glob("*.parquet")} or proc.poll() is not None,
              "the allowed runs to be stored")
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return {p.stem for p in (out / "runs").glob("*.parquet")}


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker states from /proc")
def test_ctrl_c_and_kill_lose_no_run_and_resume_runs_only_what_is_missing(tmp_path):
    path = write_sweep(tmp_path, """
        scenario = "baseline"
        steps = 8
        replications = 4
        [set]
        @TINY@
        [vary]
        tech_centre = [0.0, 5.0, 10.0, 15.0]
        [keep]
        final = ["firms", "output", "gov_spending"]
        series = ["output"]
    """)
    out = tmp_path / "out"
    ids = [s.run_id for s in run_specs(load_sweep(path))]
    gate = GatedSweep(tmp_path, ["sweep", str(path), "--workers", "2", "--out", str(out), "--quiet"])

    ctrl_c = gate.start()
    stored = _stop_after(gate, ctrl_c, out, ids[:3], signal.SIGINT)
    assert ctrl_c.returncode == 130 and "--resume" in ctrl_c.stderr.read()
    assert stored == set(ids[:3])                                  # exactly the finished runs

    killed = gate.start("--resume")
    stored = _stop_after(gate, killed, out, ids[3:6], signal.SIGKILL)   # the sweep process itself
    assert stored == set(ids[:6])
    workers = {r["pid"] for r in read_manifest(out)}
    _wait_for(lambda: not any(map(_alive, workers)), "orphaned workers to exit", 60)

    term = gate.start("--resume")
    stored = _stop_after(gate, term, out, ids[6:9], signal.SIGTERM)
    errors = term.stderr.read()
    assert term.returncode == 143 and "--resume" in errors, errors
    assert "leaked semaphore" not in errors and "Traceback" not in errors
    assert stored == set(ids[:9])

    again = cli("sweep", path, "--workers", "2", "--out", out, "--resume", "--quiet")
    assert again.returncode == 0, again.stderr
    assert f"9 already stored, {len(ids) - 9} ran, 0 failed" in again.stdout
    ok = [r["run_id"] for r in read_manifest(out) if r["status"] == "ok"]
    assert sorted(ok) == sorted(ids)                              # every run, none twice
    final = load_results(out)
    assert len(final) == len(ids) and final["run_id"].is_unique
    series = load_results(out, "series")
    for spec in run_specs(load_sweep(path))[::5]:                 # identical to a fresh run
        fresh = execute_run(spec).table
        got = series[series["run_id"] == spec.run_id]
        np.testing.assert_array_equal(got["output"].to_numpy(), fresh["output"].to_numpy())


def test_same_results_with_serial_two_workers_and_dask(tmp_path):
    from dask.distributed import LocalCluster

    path = write_sweep(tmp_path, """
        scenario = "baseline"
        steps = 4
        replications = 2
        [set]
        @TINY@
        [vary]
        tech_centre = [0.0, 20.0]
        rd_subsidy = [0.0, 0.5]
        [keep]
        series = ["firms", "output", "mean_knowledge", "local_sourcing_share", "gov_budget"]
    """)
    serial = sweep(path, tmp_path / "serial", executor="serial", progress=False)
    local = sweep(path, tmp_path / "local", executor="local", workers=2, progress=False, cache=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = sweep(path, tmp_path / "dask", executor="dask", address=cluster.scheduler_address, progress=False,
                     cache=False)
    assert serial.ok == local.ok == dask.ok == 8
    reference = load_results(tmp_path / "serial", "series")
    for name in ("local", "dask"):
        pd.testing.assert_frame_equal(load_results(tmp_path / name, "series"), reference)
        pd.testing.assert_frame_equal(load_results(tmp_path / name, "final"), load_results(tmp_path / "serial"))
    assert set(load_manifest(tmp_path / "dask")["executor"]) == {"dask"}


# --- analysis -------------------------------------------------------------------------------
def test_sobol_ranks_a_strong_lever_above_an_inert_parameter(tmp_path):
    # brand_promotion is spent every quarter (gov_budget) and raises demand (output);
    # pollution_decay only shapes the pollution stock, which nothing economic reads here.
    path = write_sweep(tmp_path, """
        scenario = "baseline"
        steps = 4
        replications = 1
        [design]
        method = "sobol"
        samples = 8
        dummy = false
        [set]
        @TINY@
        [vary]
        brand_promotion = { low = 0.0, high = 10.0 }
        pollution_decay = { low = 0.1, high = 0.9 }
        [keep]
        final = ["gov_budget", "output"]
    """)
    result = sensitivity(path, tmp_path / "out", executor="serial", progress=False)
    table = result.table.set_index(["indicator", "parameter"])
    for indicator in ("gov_budget", "output"):
        assert table.loc[(indicator, "brand_promotion"), "ST"] > 0.5
        assert table.loc[(indicator, "pollution_decay"), "ST"] == pytest.approx(0.0, abs=1e-9)
    assert (tmp_path / "out" / "sensitivity.png").stat().st_size > 0


def test_identical_arms_differ_by_exactly_zero_and_a_fixed_spend_by_its_amount(tmp_path):
    arms = [parse_arm("baseline", TINY), parse_arm("baseline", TINY),
            parse_arm("baseline:brand_promotion=5", TINY)]
    # 6 paired seeds: with 3 the brand's effect on revenue (±5 a quarter on this tiny grid) made the
    # remittance interval reach +0.2 after the exit-on-solvency change; with 6 it is [-6.7, -3.2]
    result = compare(arms, reps=6, steps=4, out=tmp_path / "cmp", executor="serial", progress=False)
    diff = result.differences.set_index(["arm", "indicator"])
    twin = diff.loc["baseline #2"]
    assert (twin[["difference", "low", "high"]] == 0).all().all()       # CRN: same seeds, same runs
    spend = diff.loc[("baseline:brand_promotion=5", "gov_spending")]
    assert spend["low"] <= 5.0 <= spend["high"] and spend["difference"] == pytest.approx(5.0)
    # the budget rule (model/fiscal_rule.py): the 5 more spending a quarter is committed, so the
    # government keeps it back and remits less of its revenue (plus the extra tax the brand brings)
    remitted = diff.loc[("baseline:brand_promotion=5", "gov_remittance")]
    assert remitted["high"] < 0
    assert set(result.bands["arm"]) == {"baseline", "baseline #2", "baseline:brand_promotion=5"}
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 0


def test_cost_effectiveness_of_a_fixed_spend_lever(tmp_path):
    table = cost_effectiveness("baseline", "brand_promotion=5", reps=4, steps=5, out=tmp_path / "ce",
                               common=TINY, executor="serial", progress=False)
    row = table.set_index("indicator").loc[OUTCOMES[0]]          # the cluster's output: value added
    assert row["spending"] == pytest.approx(25.0) and row["spending_low"] == pytest.approx(25.0)
    assert row["per_unit"] == pytest.approx(row["effect"] / 25.0)
    assert row["per_unit_low"] <= row["per_unit"] <= row["per_unit_high"]
    assert (tmp_path / "ce" / "cost_effectiveness.csv").exists()


def test_compare_cli_writes_figure_and_table(tmp_path):
    common = ",".join(f"{k}={v}" for k, v in TINY.items())
    done = cli("compare", "baseline", "baseline:tech_centre=10", "--reps", "2", "--steps", "3",
               "--set", common, "--executor", "serial", "--out", tmp_path / "cmp")
    assert done.returncode == 0, done.stderr
    assert "tech_centre=10" in done.stdout
    assert {"compare.png", "differences.csv", "bands.csv"} <= {p.name for p in (tmp_path / "cmp").iterdir()}
    bad = cli("compare", "baseline", "baseline:tech_centr=10", "--steps", "2")
    assert bad.returncode == 2 and "did you mean 'tech_centre'" in bad.stderr
