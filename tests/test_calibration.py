"""ABC-SMC calibration (experiments/calibrate.py) on a toy model with a known parameter, its
resumption after an interruption, and the posterior summaries against hand computations."""

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc")

from experiments.calibrate import Settings, abc_smc, weighted_quantile  # noqa: E402
from scenarios.targets import FreeParam, Target  # noqa: E402

FREE = (FreeParam("theta", 0.0, 1.0, "toy: the figure is theta itself"),)
TARGETS = (Target(name="y", value=0.7, tolerance=0.05, measure="value", role="calibration", source="toy", quote="toy"),)
SIGNATURE = {"toy": 1}


def toy(par) -> dict:
    return {"y": float(par["theta"])}


def settings(tmp_path, **kw):
    return Settings(**{**dict(population=20, generations=4, engine="single", db=tmp_path / "toy.db",
                              progress=False), **kw})


def test_abc_recovers_the_known_parameter_of_a_toy_model(tmp_path):
    np.random.seed(1)
    post, generations = abc_smc(toy, FREE, TARGETS, settings(tmp_path), SIGNATURE, say=lambda s: None)
    assert len(generations) == 4
    assert generations[-1]["epsilon"] < generations[0]["epsilon"]          # the tolerance shrinks
    q05, med, q95 = weighted_quantile(post["theta"], post["weight"], [0.05, 0.5, 0.95])
    assert abs(med - 0.7) < 0.05 and q05 <= 0.7 <= q95
    assert q95 - q05 < 0.5                                                   # narrower than the prior


class Interrupt(Exception):
    pass


def test_a_killed_calibration_resumes_from_its_last_finished_generation(tmp_path):
    np.random.seed(2)
    finished = []              # the event: the report of a finished generation

    def flaky(par):            # killed in the middle of the generation after the second one
        if len(finished) >= 2:
            raise Interrupt
        return toy(par)

    s = settings(tmp_path)
    with pytest.raises(Interrupt):
        abc_smc(flaky, FREE, TARGETS, s, SIGNATURE,
                say=lambda text: finished.append(text) if text.startswith("generation") else None)
    import pyabc

    meta = json.loads((tmp_path / "toy.json").read_text())
    stored = pyabc.History(f"sqlite:///{tmp_path / 'toy.db'}", _id=meta["abc_id"])
    done = stored.max_t + 1
    assert done == 2
    first = stored.get_distribution(t=0)[0].sort_values("theta").reset_index(drop=True)

    said = []
    post, generations = abc_smc(toy, FREE, TARGETS, s, SIGNATURE, say=said.append)
    assert f"({done} stored)" in said[0]
    assert len(generations) == 4
    again = pyabc.History(f"sqlite:///{tmp_path / 'toy.db'}", _id=meta["abc_id"])
    pd.testing.assert_frame_equal(again.get_distribution(t=0)[0].sort_values("theta").reset_index(drop=True), first)


def test_a_stored_run_with_other_settings_is_refused_not_mixed(tmp_path):
    np.random.seed(3)
    abc_smc(toy, FREE, TARGETS, settings(tmp_path, generations=1), SIGNATURE, say=lambda s: None)
    with pytest.raises(ValueError, match="other settings.*--fresh"):
        abc_smc(toy, FREE, TARGETS, settings(tmp_path, generations=2), {"toy": 2}, say=lambda s: None)
    post, generations = abc_smc(toy, FREE, TARGETS, settings(tmp_path, generations=1, fresh=True), {"toy": 2},
                                say=lambda s: None)
    assert len(generations) == 1


def test_weighted_quantile_equals_hand_computation():
    # equal weights: the midpoint rule gives the ordinary median of an odd sample
    assert weighted_quantile([3, 1, 2], [1, 1, 1], 0.5)[0] == pytest.approx(2.0)
    # all weight on one value
    assert weighted_quantile([1, 2, 3], [0, 1, 0], [0.05, 0.95]) == pytest.approx([2.0, 2.0])
    # two values, weights 1/4 and 3/4: cdf midpoints 0.125 and 0.625; the median interpolates between
    assert weighted_quantile([0.0, 1.0], [1, 3], 0.5)[0] == pytest.approx((0.5 - 0.125) / 0.5)


def test_calibrate_refuses_a_scenario_without_free_parameters_before_running(capsys):
    from experiments.cli import main

    assert main(["calibrate", "baseline"]) == 2
    err = capsys.readouterr().err
    assert "baseline: no [calibration]" in err and "Traceback" not in err


# --- the budget: a wall-clock limit that stops between generations and resumes -----------------
def test_next_generation_fits_the_wall_clock_budget():
    from experiments.calibration_budget import next_generation_fits

    assert next_generation_fits(100.0, [60.0, 80.0], 3.0)            # 100 + 80 ≤ 180 s
    assert not next_generation_fits(110.0, [80.0, 60.0], 2.5)        # 110 + 60 > 150 s
    assert next_generation_fits(80.0, [90.0, 60.0], 2.5)             # the last (60), not the mean (75): 140 ≤ 150 s
    assert next_generation_fits(1e9, [1e9], None)                    # no budget
    assert not next_generation_fits(0.0, [1.0], 0.0)


class FakeClock:
    """Each reading is 60 s after the previous one: a generation 'takes' 60 s (start and end read)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 60.0
        return self.now


def test_the_wall_clock_budget_stops_between_generations_and_the_same_command_resumes(tmp_path):
    np.random.seed(4)
    s = settings(tmp_path, generations=4, max_minutes=5.5)          # 330 s: two generations fit, not a third
    said = []
    post, generations = abc_smc(toy, FREE, TARGETS, s, SIGNATURE, say=said.append, clock=FakeClock())
    assert len(generations) == 2 and any("wall-clock budget" in x for x in said)
    meta = json.loads((tmp_path / "toy.json").read_text())
    assert meta["sessions"][-1]["stopped"] == "wall-clock budget" and meta["sessions"][-1]["generations"] == 2
    post, generations = abc_smc(toy, FREE, TARGETS, s, SIGNATURE, say=said.append, clock=FakeClock())
    assert len(generations) == 4                                     # resumed: 2 stored + 2 more
    meta = json.loads((tmp_path / "toy.json").read_text())
    assert [x["generations"] for x in meta["sessions"]] == [2, 4] and meta["sessions"][-1]["stopped"] == "generations"


def test_the_evaluation_cap_is_the_population_over_the_evaluations_the_time_left_pays_for():
    from experiments.calibration_budget import evaluation_cap

    assert evaluation_cap(120.0, 60.0, 40, 20) == pytest.approx(20 / 80)    # 1.5 s per evaluation: 80 fit in 120 s
    assert evaluation_cap(10.0, 60.0, 40, 20) == 1.0                        # fewer than a population: every one must hit
    assert evaluation_cap(float("inf"), 60.0, 40, 20) == 0.0                # no budget, no cap
    assert evaluation_cap(120.0, 0.0, 0, 20) == 0.0                         # nothing measured yet


def test_a_generation_the_budget_cannot_pay_for_is_abandoned_not_stored(tmp_path):
    """A budget that fits a second generation by time but not its growing number of simulations:
    pyabc stops sampling at the cap, the generation is not stored, and the session says why."""
    np.random.seed(4)
    s = settings(tmp_path, generations=4, max_minutes=4.0)            # 240 s: a 2nd generation fits by its time alone
    said = []
    post, generations = abc_smc(toy, FREE, TARGETS, s, SIGNATURE, say=said.append, clock=FakeClock())
    assert len(generations) == 1 and any("abandoned" in x for x in said)
    meta = json.loads((tmp_path / "toy.json").read_text())
    assert meta["sessions"][-1]["stopped"] == "wall-clock budget" and meta["sessions"][-1]["generations"] == 1


# --- the distance: in tolerances, calibration figures only -------------------------------------
def test_the_distance_is_the_rms_miss_in_tolerances_on_the_calibration_figures_only():
    from experiments.calibrate import Distance, Simulator
    from experiments.case_targets import case_spec

    targets = (Target(name="a", value=1.0, tolerance=0.1, measure="value", role="calibration", source="s", quote="q"),
               Target(name="b", value=10.0, tolerance=2.0, measure="value", role="calibration", source="s", quote="q",
                      bound="at_least"))
    d = Distance(targets)
    # by hand: a misses by 0.3 = 3 tolerances; b lies on its allowed side (≥ 10 − 2): 0
    assert d({"a": 1.3, "b": 50.0}, {}) == pytest.approx(np.sqrt((3.0 ** 2 + 0.0) / 2))
    assert d({"a": 1.3, "b": 6.0}, {}) == pytest.approx(np.sqrt((3.0 ** 2 + 2.0 ** 2) / 2))
    assert d({"a": 1.0, "b": 10.0, "held_out_figure": 1e9}, {}) == 0.0     # other figures are not read
    for name in ("datang_socks", "jiangxi_auto_hub", "jilin_policy_push", "xiqiao_decline_revival", "dyeing_regulation"):
        spec = case_spec(name, with_references=False)
        sim = Simulator(spec, (0,))
        assert sim.targets == spec.of_role("calibration") and all(t.role == "calibration" for t in sim.targets)
        assert not {t.name for t in sim.targets} & {t.name for t in spec.of_role("held_out")}


def test_calibrate_command_needs_one_scenario_or_all(capsys):
    from experiments.cli import main

    assert main(["calibrate"]) == 2
    assert main(["calibrate", "--all", "--db", "x.db"]) == 2
    err = capsys.readouterr().err
    assert "give one SCENARIO or --all" in err and "not with --all" in err and "Traceback" not in err


@pytest.mark.parametrize("seeds, message", [("a,b", "not a number"), ("0,-1", "out of range"), ("0,,1", "not a number")])
def test_calibrate_refuses_bad_seeds_naming_the_option(capsys, seeds, message):
    from experiments.cli import main

    with pytest.raises(SystemExit) as stop:     # argparse refuses it before anything is computed
        main(["calibrate", "jiangxi_auto_hub", "--seeds", seeds])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "argument --seeds: " + message in err and "an integer in [0," in err
    assert "Traceback" not in err and "invalid literal" not in err


@pytest.mark.parametrize("option", ["--out", "--db"])
def test_calibrate_refuses_an_unwritable_output_before_sampling(tmp_path, capsys, monkeypatch, option):
    from experiments import calibrate as calibrate_module
    from experiments.cli import main

    monkeypatch.setattr(calibrate_module, "calibrate", lambda *a, **k: pytest.fail("it sampled"))
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert main(["calibrate", "jiangxi_auto_hub", option, str(blocker / "sub" / "x")]) == 2
    err = capsys.readouterr().err
    assert f"{option} " in err and "cannot write there" in err and "Traceback" not in err


# --- runs unchanged on a Dask cluster -----------------------------------------------------------
@pytest.mark.slow
def test_a_case_calibrates_unchanged_on_a_dask_cluster(tmp_path):
    """The real case (scenario, targets, reference runs) pickled to the workers of a separate
    scheduler: tiny budget (population 3, 1 generation, 1 seed)."""
    from dask.distributed import LocalCluster

    from experiments.calibrate import Settings as S
    from experiments.calibrate import calibrate

    np.random.seed(5)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        info = calibrate("jilin_policy_push", S(population=3, generations=1, seeds=(0,), engine="dask",
                                                address=cluster.scheduler_address, db=tmp_path / "j.db",
                                                out=tmp_path / "out", draws=1, progress=False), say=lambda s: None)
    assert info["engine"] == "dask" and info["generations"] == 1 and info["simulations"] >= 3
    table = pd.read_csv(tmp_path / "out" / "posterior.csv")
    assert set(table["param"]) == {"initial_knowledge", "initial_capital", "base_infrastructure"}
    assert "population 3, 1 of at most 1 generations" in (tmp_path / "out" / "posterior.md").read_text()


def test_a_round_pools_the_wall_clock_budget_and_passes_unused_time_on(monkeypatch):
    from experiments.calibrate import Settings as S
    from experiments.calibrate import calibrate_all
    from experiments.calibration_budget import round_shares

    shares = round_shares(3, 4.0)                                # pool of 12 min over three cases
    assert next(shares) == pytest.approx(4.0)
    assert shares.send(1.0) == pytest.approx(11.0 / 2)            # the first case took 1 min
    assert shares.send(7.0) == pytest.approx(4.0)                 # the second overran: what is left
    assert next(round_shares(2, None)) is None
    starved = round_shares(3, 4.0)
    next(starved)
    assert starved.send(10.0) == pytest.approx(4.0)               # an overrun takes nothing from the next case
    assert starved.send(1.0) == pytest.approx(4.0)

    got, now = [], [0.0]

    def clock():
        return now[0]

    def fake_calibrate(name, settings, say):                      # each case takes 1 minute
        got.append((name, settings.max_minutes, settings.db, settings.out))
        now[0] += 60.0
        return dict(generations=1, stopped="generations", seconds_this_session=60.0, epsilon=[1.0])

    monkeypatch.setattr("experiments.calibrate.calibrate", fake_calibrate)
    calibrate_all(S(max_minutes=2.0, db="x.db"), say=lambda s: None, clock=clock, cases=["a", "b", "c"])
    assert [g[1] for g in got] == pytest.approx([2.0, 2.5, 4.0]) and all(g[2] is None and g[3] is None for g in got)


def ctrl_c_in_every_worker(par) -> dict:
    """The toy model, but each simulation in a worker process first receives SIGINT (as a terminal's
    Ctrl-C reaches every process of the group)."""
    import os
    import signal

    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGINT)
    return toy(par)


PARENT = __import__("os").getpid()


def test_the_multicore_workers_leave_ctrl_c_to_the_parent(tmp_path, capfd):
    """Without experiments.interrupts.quiet_forked_workers each worker dies printing a KeyboardInterrupt
    traceback and pyabc's parent raises 'At least one worker is dead'."""
    np.random.seed(4)
    s = settings(tmp_path, population=6, generations=2, engine="multicore", workers=2)
    post, generations = abc_smc(ctrl_c_in_every_worker, FREE, TARGETS, s, SIGNATURE, say=lambda t: None)
    assert len(generations) == 2 and len(post) == 6
    err = capfd.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_a_stopped_sampling_ends_its_forked_workers_quietly(capfd):
    """The parent gets Ctrl-C as before; a worker forked inside the block ignores it, and is ended
    (exit 143, no traceback) when the interrupt leaves the block. Gated on events, not on time."""
    import multiprocessing
    import signal

    from experiments.interrupts import quiet_forked_workers

    ctx = multiprocessing.get_context("fork")
    started, survived, go = ctx.Event(), ctx.Event(), ctx.Event()

    def worker():
        started.set()
        go.wait()                  # SIGINT arrives while it waits here
        survived.set()
        ctx.Event().wait()         # until terminated

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)   # as in a `clusterlab` process
    try:
        with pytest.raises(KeyboardInterrupt), quiet_forked_workers():
            child = ctx.Process(target=worker, daemon=True)
            child.start()
            assert started.wait(60)
            __import__("os").kill(child.pid, signal.SIGINT)    # Ctrl-C reaches the worker ...
            go.set()
            assert survived.wait(60)                           # ... which ignored it
            signal.raise_signal(signal.SIGINT)                 # ... and the parent, which stops
    finally:
        signal.signal(signal.SIGINT, previous)
    child.join(60)
    assert child.exitcode == 143
    err = capfd.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert signal.getsignal(signal.SIGINT) is previous


@pytest.mark.parametrize("stop, code, word", [(KeyboardInterrupt, 130, "interrupted"), (None, 143, "terminated (SIGTERM)")])
def test_a_stopped_calibration_says_how_on_stderr_with_the_batch_exit_codes(monkeypatch, capsys, stop, code, word):
    from experiments import calibrate as calibrate_module
    from experiments.cli import main
    from experiments.interrupts import Terminated

    def stopped(*a, **k):
        raise (stop or Terminated)()

    monkeypatch.setattr(calibrate_module, "calibrate", stopped)
    assert main(["calibrate", "jiangxi_auto_hub"]) == code
    out, err = capsys.readouterr()
    assert f"clusterlab calibrate: {word}; every finished generation is stored" in err and "Traceback" not in err
