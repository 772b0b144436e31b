"""Issue 15, kind by kind: every bad input refused before it costs anything (naming the file or
option, the key and what is allowed), undefined values shown as n/a, files confined to their
place. Each instance the issue reports is a case here, with others of the same kind.
(Signals and the event-gated interrupt test: tests/test_experiments.py.)
"""

from __future__ import annotations

import errno
import math
import re
import socket
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import cli
from experiments.formatting import NA, fmt, fmt_change, fmt_float
from experiments.inputs import InputError, check_host, check_port, check_writable, parse_seed, probe_output_dir
from experiments.runner import run_scenario, summary_table
from experiments.sweep import SweepError, load_sweep
from model import ClusterModel
from model.feasibility import initial_labour_demand, violations
from model.params import defaults, resolve_params
from scenarios import ScenarioError, check_steps, load_named_scenario, load_scenario

TINY = dict(width=30, height=30, n_firms=30, n_suppliers=60)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(**overrides) -> str:
    """The message with which `overrides` on the baseline are refused (before any model is built)."""
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides(**overrides)
    return str(err.value)


# --- kind 1: undefined values flow as NaN with a reason and are shown as n/a ----------------------
def test_formatting_shows_undefined_values_as_na():
    assert [fmt(v) for v in (float("nan"), None, math.inf, np.float64("nan"), "x")] == [NA] * 5
    assert fmt(1234.0) == "1,234" and fmt(0.01234) == "0.0123" and fmt(np.int64(3)) == "3"
    assert fmt_change(float("nan"), 1.0) == NA and fmt_change(2.0, float("nan"), index=True) == NA
    assert fmt_change(2.0, 3.0) == "+50%" and fmt_change(0.1, 0.15, index=True) == "+0.05"
    assert fmt_float(float("nan")) == NA and fmt_float(0.123456) == "0.1235"


@pytest.mark.parametrize("overrides", [
    dict(TINY, region_size=30),                                            # one region (issue: region_size=100)
    dict(width=10, height=10, n_firms=10, n_suppliers=20),                 # the smallest grid: one region
    dict(width=30, height=30, n_firms=1, n_suppliers=0, base_entry=0.0, entry_rate=0.0, spinoff_rate=0.0,
         outside_prospects=0.0, lead_prospects=0.0),
], ids=["one-region", "smallest-grid", "one-firm"])                        # one firm, no suppliers
def test_undefined_indicators_are_na_with_a_reason(overrides, tmp_path):
    result = run_scenario("baseline", seed=0, steps=2, progress=False, **overrides)   # figures: the CLI test
    table = summary_table(result.results)
    eg = table.loc["Ellison–Glaeser index"]
    assert eg["end"] == NA and eg["change"] == NA
    assert "ellison_glaeser" in result.summary["undefined"]
    assert "region" in result.summary["undefined"]["ellison_glaeser"]
    assert result.summary["final"]["ellison_glaeser"] is None       # JSON null, not NaN


def test_figures_mark_an_undefined_series_na():
    from experiments.plots import na_label

    assert na_label("Ellison–Glaeser index", [float("nan")] * 3) == "Ellison–Glaeser index (n/a: undefined)"
    assert na_label("Moran's I", [float("nan"), 0.1]) == "Moran's I"


def test_validate_warns_of_a_single_region():
    assert any("single region" in w for w in load_scenario("baseline").with_overrides(region_size=100).warnings)
    assert load_scenario("baseline").warnings == ()


@pytest.mark.slow
def test_run_with_one_region_exits_0_and_prints_na(tmp_path, capsys):
    code = cli.main(["run", "baseline", "--set", "region_size=100", "--steps", "1", "--quiet", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "single region" in err and NA in out
    assert (tmp_path / "indicators.png").exists()                   # the figures cope with NaN


# --- kind 2: inputs that would exhaust the machine or corrupt the state ---------------------------
EXHAUSTING = [
    (dict(outside_prospects=1e4, founder_candidates=1e4), "max_enterprises"),
    (dict(founder_candidates=1e4, default_steps=200), "max_enterprises"),
    (dict(base_entry=1e4, default_steps=10_000), "base_entry × steps"),
    (dict(depreciation=0.0, interest_rate=0.0), "interest_rate + depreciation = 0"),
    (dict(depreciation=0.0, interest_rate=2.2e-308), "profit-maximising workforce at the outside prices is inf"),
    (dict(depreciation=0.0, interest_rate=1e-6), "profit-maximising workforce"),
    (dict(labour_share=0.05, capital_share=0.9), "1/(1−α−β) = 20"),
    (dict(labour_share=0.05, capital_share=0.9, knowledge_dispersion=2.0), "profit-maximising workforce"),
    (dict(knowledge_dispersion=2.0), "σ = knowledge_dispersion = 2"),
    (dict(labour_share=0.5, capital_share=0.5), "labour_share + capital_share must be < 1"),
    (dict(tfp=100.0), "profit-maximising workforce"),
    (dict(knowledge_dispersion=1.0, labour_density=0.1), "more than the 1e+03 who live on the grid"),
    (dict(width=2000, height=2000), "4,000,000 cells, more than max_grid_cells = 1,000,000"),
]


@pytest.mark.parametrize("overrides, phrase", EXHAUSTING, ids=[str(sorted(o)) for o, _ in EXHAUSTING])
def test_exhausting_or_corrupting_parameters_are_refused_up_front(overrides, phrase):
    message = refused(**overrides)
    assert phrase in message
    assert message.startswith("overrides: ")                     # blamed on what set the key
    # the model refuses the same, whatever builds it
    model_overrides = {k: v for k, v in overrides.items() if k != "default_steps"}
    if "default_steps" not in overrides:
        with pytest.raises(ValueError):
            ClusterModel(seed=1, **model_overrides)


def test_the_labour_rule_brackets_the_workforce_the_model_opens_with():
    """The start's fixed point can shrink the expected optimum at most by (1 − adjustment)^init_iterations
    (the bound model.feasibility uses), and it does shrink it: the opening workforce lies in between."""
    for overrides in ({}, dict(tfp=2.0), dict(n_stages=2, initial_knowledge=0.8)):
        p = resolve_params({**TINY, **overrides})
        model = ClusterModel(seed=3, **TINY, **overrides)
        actual = model.population.workers[model.population.live].sum()
        expected = initial_labour_demand(p)
        assert expected * (1 - p["adjustment"]) ** p["init_iterations"] <= actual <= expected, overrides


def test_violations_name_only_keys_that_exist():
    from model.params import PARAMS

    p = defaults() | dict(depreciation=0.0, interest_rate=1e-6, labour_share=0.6, capital_share=0.35)
    for v in violations(p):
        assert set(v.keys) <= set(PARAMS) and v.allowed


def test_huge_numbers_and_deep_nesting_in_a_file_are_refused(tmp_path):
    park = write(tmp_path / "park.toml", "[[space.parks]]\nx = 10\ny = 10\nradius = 1e300\n")
    with pytest.raises(ScenarioError, match=r"space\.parks\[0\]\.radius: out of range; allowed: a number in \[0, 142\]"):
        load_scenario(park)
    deep = tmp_path / "deep.toml"
    deep.write_text("[space]\nwidth = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ScenarioError, match="deep.toml: .*nested"):
        load_scenario(deep)
    long = tmp_path / "long.toml"
    long.write_text("[space]\nwidth = " + "9" * 5000 + "\n")
    with pytest.raises(ScenarioError, match="long.toml: "):
        load_scenario(long)
    big = tmp_path / "big.toml"
    big.write_text("[meta]\ntitle = '" + "x" * 1_100_000 + "'\n")
    with pytest.raises(ScenarioError, match="big.toml: larger than"):
        load_scenario(big)


def test_steps_beyond_the_largest_run_are_refused():
    baseline = load_scenario("baseline")
    with pytest.raises(ScenarioError, match=r"--steps: out of range; allowed: an integer in \[1, 10000\]"):
        check_steps(baseline, 10_001)
    assert check_steps(baseline, None) == baseline.steps and check_steps(baseline, 10_000) == 10_000
    entering = baseline.with_overrides(base_entry=1e3)
    with pytest.raises(ScenarioError, match="--steps: .*base_entry"):
        check_steps(entering, 10_000)


@pytest.mark.parametrize("body, key", [
    ('[vary]\nwidth = {low = 20, high = 100, levels = 100000}\nheight = {low = 20, high = 100, levels = 100000}\n',
     "vary: 1e+10 runs"),
    ('replications = 100000000\n[vary]\ntech_centre = [0.0, 1.0]\n', "replications: 2e+08 runs"),
    ('[design]\nmethod = "sobol"\nsamples = 1073741824\n[vary]\ntech_centre = {low = 0.0, high = 1.0}\n',
     "design.samples: "),
    ('steps = 100000000\n[vary]\ntech_centre = [0.0, 1.0]\n', "steps: out of range"),
], ids=["levels", "replications", "sobol-samples", "steps"])
def test_oversized_sweeps_are_refused_before_sampling(tmp_path, body, key):
    path = write(tmp_path / "big.toml", 'scenario = "baseline"\n' + body)
    with pytest.raises(SweepError, match=re.escape(f"big.toml: {key}")):
        load_sweep(path)


# --- kind 3: validate accepts exactly what run accepts --------------------------------------------
INCONSISTENT = [
    ("[agents]\nn_stages = 3\nstage_scale = [1.0]\n", "agents.stage_scale: 1 factors for 3 stages"),
    ("[agents]\nstage_scale = [0.0, 0.0, 0.0]\n", "agents.stage_scale: factors"),
    ("[agents]\nn_stages = 2\n[environment]\ndirty_stage = 9\n", "environment.dirty_stage: stage 9 does not exist"),
    ("[[policy.schedule]]\nstep = 5\nlever = 'tax_rate'\nvalue = 0.1\n"
     "[[policy.schedule]]\nstep = 5\nlever = 'tax_rate'\nvalue = 0.2\n", "policy.schedule[1]: tax_rate is set twice"),
    ("[[market.shifts]]\nstep = 5\ndemand = 0.5\nquality = 1\n[[market.shifts]]\nstep = 5\ndemand = 2\nquality = 0\n",
     "market.shifts[1]: two demand shifts at the same quarter"),
    ("[agents]\nn_stages = 2\nstage_shares = [1, 2, 3]\n", "agents.stage_shares: 3 weights for 2 stages"),
]


@pytest.mark.parametrize("text, phrase", INCONSISTENT, ids=[p.split(":")[0] for _, p in INCONSISTENT])
def test_validate_refuses_what_run_would_refuse_or_ignore(tmp_path, text, phrase, capsys):
    path = write(tmp_path / "odd.toml", text)
    assert cli.main(["validate", str(path)]) == 1
    assert f"odd.toml: {phrase}" in capsys.readouterr().out


def test_money_alone_buys_no_firms_so_it_does_not_trip_the_resource_bound(tmp_path):
    """Subsidies only pay prospects who consider the cluster (model.entry_decision): a huge
    scheduled budget passes, a huge flow of prospects is refused."""
    rich = write(tmp_path / "rich.toml", """
        [government]
        gov_initial_budget = 1e9
        [[policy.schedule]]
        step = 10
        lever = "investment_attraction"
        value = 1e9
    """)
    load_scenario(rich)
    crowded = write(tmp_path / "crowded.toml", """
        [government]
        outside_prospects = 1e4
        founder_candidates = 1e4
    """)
    with pytest.raises(ScenarioError, match="max_enterprises"):
        load_scenario(crowded)


def test_an_oversized_grid_is_refused_naming_file_key_and_range_before_allocating(tmp_path, monkeypatch):
    """width × height beyond max_grid_cells (≈ 1.2 KB a cell at peak) is refused with the file, the
    keys and the allowed product, before the grid or any field is built."""
    import model.model as model_module

    def no_grid(*args, **kwargs):
        raise AssertionError("the grid was built before the bound was checked")

    monkeypatch.setattr(model_module, "build_grid", no_grid)
    huge = write(tmp_path / "huge.toml", """
        [space]
        width = 1500
        height = 1000
    """)
    with pytest.raises(ScenarioError) as err:
        load_scenario(huge)
    text = str(err.value)
    assert "huge.toml" in text and "space.width" in text and "max_grid_cells" in text
    assert "1,500,000 cells" in text and "width × height ≤ 1,000,000 (e.g. 1000 × 1000)" in text
    with pytest.raises(ValueError, match="max_grid_cells"):
        ClusterModel(seed=0, width=1500, height=1000)
    # the bound is a parameter: raising it admits the grid's parameters (the check is the product)
    assert resolve_params(dict(width=1500, height=1000, max_grid_cells=1_500_000))["width"] == 1500
    assert resolve_params(dict(width=1000, height=1000))["height"] == 1000


# --- kind 4: files stay in their place ------------------------------------------------------------
@pytest.mark.parametrize("ref", ["/etc/os-release", "../../../../etc/os-release", "../outside.toml"])
def test_extends_outside_its_place_is_not_read(tmp_path, ref):
    write(tmp_path / "outside.toml", "[meta]\ntitle = 'OUTSIDE-MARKER'\n[space]\nwidth = 44\n")
    child = write(tmp_path / "here" / "child.toml", f'extends = "{ref}"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    text = str(err.value)
    assert "child.toml: extends: outside the referring file's folder and scenarios/ (not read)" in text
    assert "OUTSIDE-MARKER" not in text and "NAME=" not in text and "ID=" not in text


def test_a_link_leading_out_is_refused(tmp_path):
    write(tmp_path / "secret" / "s.toml", "[space]\nwidth = 44\n")
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "s.toml").symlink_to(tmp_path / "secret" / "s.toml")
    child = write(tmp_path / "here" / "child.toml", 'extends = "./s.toml"\n')
    with pytest.raises(ScenarioError, match="outside the referring file's folder"):
        load_scenario(child)


def test_relative_references_are_read_from_the_file_not_the_working_directory(tmp_path, monkeypatch):
    write(tmp_path / "cases" / "common" / "base.toml", "[space]\nwidth = 44\n")
    child = write(tmp_path / "cases" / "child.toml", 'extends = "common/base.toml"\n')
    monkeypatch.chdir(tmp_path / "cases" / "common")
    assert load_scenario(child).params["width"] == 44


def test_a_file_that_is_not_a_scenario_is_not_echoed(tmp_path):
    other = write(tmp_path / "tool.toml", '[tool.secret]\ntoken = "hunter2"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(other)
    assert "not a scenario file" in str(err.value) and "hunter2" not in str(err.value)


@pytest.mark.parametrize("name", ["/tmp/elsewhere", "../../../../x", "..", ".hidden", "a/b", ""])
def test_a_sweep_name_is_a_safe_folder_name(tmp_path, name):
    path = write(tmp_path / "s.toml", f'name = "{name}"\nscenario = "baseline"\n[vary]\ntech_centre = [0.0]\n')
    with pytest.raises(SweepError, match="s.toml: name: not a safe folder name"):
        load_sweep(path)


def test_a_sweep_scenario_is_confined_and_read_from_the_sweep_folder(tmp_path):
    write(tmp_path / "mine.toml", "[space]\nwidth = 44\n")
    ok = write(tmp_path / "ok.toml", 'name = "ok-1.2_x"\nscenario = "mine"\n[vary]\ntech_centre = [0.0]\n')
    assert load_sweep(ok).scenario.params["width"] == 44 and load_sweep(ok).name == "ok-1.2_x"
    bad = write(tmp_path / "bad.toml", 'scenario = "../../../../etc/os-release"\n[vary]\ntech_centre = [0.0]\n')
    with pytest.raises(SweepError, match="bad.toml: scenario: outside"):
        load_sweep(bad)


def test_the_page_gate_takes_only_scenario_names():
    assert load_named_scenario("baseline").name == "baseline"
    for bad in ("../baseline", "/etc/os-release", "baseline.toml", "basline", None):
        with pytest.raises(ScenarioError, match="not a scenario of scenarios/"):
            load_named_scenario(bad)


# --- kind 6: messages that name the right source, and come first ----------------------------------
@pytest.mark.parametrize("args, phrase", [
    (["run", "--seed", "-1"], "argument --seed: out of range"),
    (["run", "--seed", "inf"], "argument --seed: not a whole number"),
    (["viz", "--port", "70000"], "argument --port: out of range; allowed: an integer in [1, 65535]"),
    (["compare", "baseline", "--seed", "-5"], "argument --seed: out of range"),
])
def test_bad_options_are_blamed_on_the_option(args, phrase, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert phrase in err and "baseline.toml" not in err


def test_a_set_value_is_blamed_on_set(capsys):
    assert cli.main(["run", "baseline", "--set", "stage_scale=[0,0,0]"]) == 2
    assert "--set: agents.stage_scale" in capsys.readouterr().err
    assert cli.main(["run", "baseline", "--steps", "10001"]) == 2
    assert "--steps: out of range" in capsys.readouterr().err


@pytest.mark.parametrize("text, ok", [("42", 42), (" 7 ", 7), ("3.0", 3), ("inf", None), ("-5", None), ("nan", None),
                                      ("abc", None), ("1e30", None), (True, None)])
def test_the_seed_box_and_option(text, ok):
    if ok is None:
        with pytest.raises(InputError, match="seed box: "):
            parse_seed(text, "seed box")
    else:
        assert parse_seed(text, "seed box") == ok


def test_bom_and_binary_files(tmp_path):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf[space]\nwidth = 44\n")
    assert load_scenario(bom).params["width"] == 44
    sweep = tmp_path / "bom_sweep.toml"
    sweep.write_bytes(b'\xef\xbb\xbfscenario = "baseline"\n[vary]\ntech_centre = [0.0]\n')
    assert load_sweep(sweep).scenario.name == "baseline"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SweepError, match="binary.toml: not UTF-8 text"):
        load_sweep(binary)
    with pytest.raises(ScenarioError, match="binary.toml: not UTF-8 text"):
        load_scenario(binary)


def test_an_unwritable_output_folder_is_found_before_the_run(capsys, monkeypatch):
    monkeypatch.setattr("experiments.runner.run_scenario", lambda *a, **k: pytest.fail("the run started"))
    assert cli.main(["run", "baseline", "--out", "/proc/clusterlab-out", "--quiet"]) == 2
    assert "--out /proc/clusterlab-out: cannot write there" in capsys.readouterr().err


def test_a_full_disk_is_found_before_the_run(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(InputError, match=r"--out .*: only 0\.0 MB free"):
        probe_output_dir(tmp_path / "out", "--out")


def test_a_disk_filling_up_mid_sweep_names_the_folder_and_the_resume(tmp_path, monkeypatch, capsys):
    from experiments.store import Store

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "runs" / "x.parquet"))

    monkeypatch.setattr(Store, "write", full)
    path = write(tmp_path / "s.toml", 'scenario = "baseline"\nsteps = 1\n[set]\nwidth = 30\nheight = 30\n'
                 'n_firms = 10\nn_suppliers = 20\n[vary]\ntech_centre = [0.0]\n')
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--executor", "serial", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and str(out) in err and "--resume" in err


def test_ports_and_a_busy_port(capsys, monkeypatch):
    assert check_port("8765") == 8765
    for bad in (0, 70000, "x", -1):
        with pytest.raises(InputError, match="--port: out of range"):
            check_port(bad)
    monkeypatch.setattr("experiments.viz.serve", lambda *a, **k: pytest.fail("served"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["viz", "--port", str(port)]) == 2
    err = capsys.readouterr()
    assert "already in use" in err.err and "http://" not in err.out


# --- kind 8: exposure -----------------------------------------------------------------------------
def test_serving_beyond_this_machine_needs_an_explicit_opt_in(capsys, monkeypatch):
    assert check_host("127.0.0.1") == "127.0.0.1" and check_host("::1") and check_host("localhost")
    assert check_host("0.0.0.0", allow_remote=True) == "0.0.0.0"
    monkeypatch.setattr("experiments.viz.serve", lambda *a, **k: pytest.fail("served"))
    assert cli.main(["viz", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "--allow-remote" in err and "no login" in err and "run models" in err


# --- every documented range: refused up front, or finite and consistent ---------------------------
def _draw_value(p, data):
    from hypothesis import strategies as st

    if p.kind is int:
        return data.draw(st.sampled_from([p.low, p.high]) | st.integers(p.low, p.high), label=p.name)
    return data.draw(st.sampled_from([p.low, p.high]) | st.floats(p.low, p.high), label=p.name)


# Sizes are drawn over a small range (endpoints of their own range where affordable) so that each
# example runs in well under a second; every other numeric parameter over its whole range.
SIZES = {"width": (10, 40), "height": (10, 40), "n_firms": (0, 40), "n_suppliers": (0, 60), "n_lead_firms": (0, 3),
         "market_x": (-1, 39), "market_y": (-1, 39), "region_size": (2, 500), "default_steps": (1, 20)}


@pytest.mark.slow
def test_any_documented_parameters_are_refused_up_front_or_run_finite_for_20_quarters():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from model.params import PARAMS

    numeric = [p for p in PARAMS.values() if p.kind in (int, float) and p.low is not None and p.name not in SIZES]

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.data())
    def check(data):
        chosen = data.draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=4, unique_by=lambda p: p.name))
        overrides = {**TINY, **{p.name: _draw_value(p, data) for p in chosen}}
        for name in data.draw(st.lists(st.sampled_from(sorted(SIZES)), max_size=2, unique=True)):
            low, high = SIZES[name]
            overrides[name] = data.draw(st.sampled_from([low, high]) | st.integers(low, high), label=name)
        try:
            scenario = load_scenario("baseline").with_overrides(**overrides)
        except ScenarioError as exc:                       # refused up front, naming a key
            assert all(p.key and p.message for p in exc.problems)
            return
        model = scenario.build(seed=1)
        model.run(20)
        _assert_finite_and_consistent(model)

    check()


def _assert_finite_and_consistent(model):
    from model.indicator_registry import INDICATORS

    results = model.results()
    for name in results:
        column = results[name].iloc[1:] if INDICATORS[name].starts_at_quarter_1 else results[name]
        bad = column[~np.isfinite(column.to_numpy(dtype=float))]
        assert bad.empty or INDICATORS[name].undefined, f"{name} not finite: {bad.head().tolist()}"
    pop = model.population
    live = pop.live
    for col in ("workers", "capital", "output", "knowledge"):
        values = getattr(pop, col)[live]
        assert np.isfinite(values).all() and (values >= 0).all(), col
    last = results.iloc[-1]
    assert last["firms"] + last["suppliers"] == len(live)
    assert np.isclose(last["employment"], pop.workers[live].sum(), rtol=1e-9)
    assert isinstance(summary_table(results), pd.DataFrame)


def test_check_writable_leaves_no_folder_behind(tmp_path):
    check_writable(tmp_path / "a" / "b", "--out")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="--out .*cannot write there"):
        check_writable(tmp_path / "f" / "sub", "--out")
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


@pytest.mark.parametrize("argv, option", [
    (["report", "tests", "{bad}"], "OUT"),
    (["optimise", "experiments/examples/hunan_cheapest_mix.toml", "--out", "{bad}"], "--out"),
    (["discover", "experiments/examples/hunan_discovery.toml", "--out", "{bad}"], "--out"),
])
def test_an_unwritable_output_folder_is_named_with_its_option(tmp_path, capsys, argv, option):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    bad = str(blocker / "sub")
    assert cli.main([a.replace("{bad}", bad) for a in argv]) == 2
    err = capsys.readouterr().err
    assert f"{option} {bad}: cannot write there" in err and "Errno" not in err and "Traceback" not in err
    assert "allowed: a folder this user can create or write to" in err


# --- the rough edges of the last session: one line, the project's wording, input before output --------
def test_an_error_is_one_line_naming_the_option_the_key_and_what_is_allowed(capsys):
    assert cli.main(["run", "baseline", "--set", "nosuch=1"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "clusterlab run: error: --set: nosuch: unknown parameter; allowed: a parameter of model/params.py; given: 1"]


def test_each_problem_of_a_scenario_is_its_own_prefixed_line():
    from scenarios.schema import Problem

    exc = ScenarioError([Problem("a.toml", "x.y", "bad", "1"), Problem("a.toml", "x.z", "bad", "2")])
    assert cli.error_lines("validate", exc).splitlines() == ["clusterlab validate: error: a.toml: x.y: bad; allowed: 1",
                                                             "clusterlab validate: error: a.toml: x.z: bad; allowed: 2"]


@pytest.mark.parametrize("argv", [["run", "--steps", "abc"], ["compare", "baseline", "--reps", "2.5"],
                                  ["validation", "--seeds", "x"]])
def test_a_count_that_is_not_a_whole_number_gets_the_projects_wording(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "Traceback" not in err and "invalid positive_int value" not in err
    assert f"{argv[-2]}: not a whole number; allowed: an integer >= 1; given: {argv[-1]!r}" in err


def test_validation_refuses_an_unknown_case_before_printing_anything(capsys, monkeypatch):
    from experiments import validation

    monkeypatch.setattr(validation, "case_runs", lambda *a, **k: pytest.fail("measured before the input was checked"))
    assert cli.main(["validation", "--cases", "datang_socks,nosuch", "--seeds", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "--cases: 'nosuch' is not a case scenario" in err and "allowed: " in err and "datang_socks" in err


def test_cost_effectiveness_refuses_a_parameter_that_is_not_a_lever_naming_the_levers(capsys, monkeypatch):
    from experiments import cost_effectiveness

    monkeypatch.setattr(cost_effectiveness, "run_arms", lambda *a, **k: pytest.fail("ran before the input was checked"))
    assert cli.main(["cost-effectiveness", "baseline", "tech_centre=5", "width=20"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "LEVER=VALUE: width is not a policy lever" in err and "allowed: tax_rate, " in err and "tech_centre" in err


# --- replication seeds: replication k runs with seed + k, and every one must be a seed `run` takes ---
SEED_MAX = 2**32 - 1


@pytest.mark.parametrize("command", [["compare", "baseline", "baseline:tech_centre=20"],
                                     ["cost-effectiveness", "baseline", "tech_centre=20"]])
def test_a_seed_whose_replications_pass_the_largest_seed_is_refused_naming_option_and_range(
        command, tmp_path, capsys, monkeypatch):
    """`compare --seed 4294967295 --reps 2` ran replication 1 with seed 4294967296, a run no
    `clusterlab run --seed` could repeat (its range ends at 2**32 − 1); the last allowed seed runs."""
    from experiments import executors

    monkeypatch.setattr(executors, "run_batch", lambda specs, *a, **k: pytest.fail("ran before the seed was checked"))
    assert cli.main([*command, "--reps", "2", "--seed", str(SEED_MAX), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert ("--seed: out of range: with --reps 2 the last replication would run with seed 4294967296, above "
            f"4294967295; allowed: an integer in [0, {SEED_MAX - 1}]; given: {SEED_MAX}") in err

    class Started(Exception):
        pass

    def started(specs, *args, **kwargs):        # the seeds it would run, then stop
        raise Started(sorted({spec.seed for spec in specs}))

    monkeypatch.setattr(executors, "run_batch", started)
    with pytest.raises(Started) as ran:
        cli.main([*command, "--reps", "2", "--seed", str(SEED_MAX - 1), "--out", str(tmp_path / "y")])
    assert ran.value.args[0] == [SEED_MAX - 1, SEED_MAX]


def test_a_sweep_or_optimise_file_whose_replication_seeds_pass_the_largest_seed_names_the_seed_key(tmp_path):
    from experiments.decision_file import CHECK_OFFSET, DecisionFileError, parse_discover, parse_optimise
    from experiments.sweep_file import parse_sweep

    sweep = {"scenario": "baseline", "steps": 2, "replications": 3, "vary": {"tech_centre": [0.0, 10.0]}}
    assert parse_sweep({**sweep, "seed": SEED_MAX - 2}).seed == SEED_MAX - 2
    with pytest.raises(SweepError, match=re.escape(
            "s.toml: seed: out of range: with replications = 3 the last replication would run with seed 4294967296, "
            f"above 4294967295; allowed: an integer in [0, {SEED_MAX - 2}]; given: {SEED_MAX - 1}")):
        parse_sweep({**sweep, "seed": SEED_MAX - 1}, "s.toml")
    search = {"scenario": "baseline", "steps": 3, "levers": {"tech_centre": {"low": 0, "high": 5}},
              "objectives": [{"indicator": "gov_spending", "how": "sum", "sense": "min"},
                             {"indicator": "output", "sense": "max"}], "replications": 2, "check_replications": 4}
    last = SEED_MAX - CHECK_OFFSET - 3                 # the fresh seeds of the check go furthest
    assert parse_optimise({**search, "seed": last}).seed == last
    with pytest.raises(DecisionFileError, match=re.escape(f"o.toml: seed: out of range: with check_replications = 4 "
                                                          f"the last replication would run with seed {SEED_MAX + 1}")):
        parse_optimise({**search, "seed": last + 1}, "o.toml")
    with pytest.raises(DecisionFileError, match=re.escape(f"scoring.seed: out of range; allowed: an integer in "
                                                          f"[0, {SEED_MAX}]")):  # scikit-learn's random_state
        parse_discover({"store": str(tmp_path), "success": [{"indicator": "output", "op": ">=", "bound": 1.0}],
                        "scoring": {"seed": SEED_MAX + 1}}, "d.toml")


def test_a_folder_given_as_the_scenario_is_named_as_given_with_what_is_allowed(tmp_path, capsys, monkeypatch):
    """`clusterlab run /path/to/here` from that very folder said ".: cannot read: a folder", naming
    neither the path given nor what it should have been."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path}: cannot read: a folder, not a scenario file; allowed: a .toml scenario file in it" in err


def test_a_schedule_timed_by_quarter_is_pointed_to_step_in_one_problem(tmp_path):
    """The docs speak of quarters; a `[[policy.schedule]]` entry with `quarter = 10` got two problems,
    "quarter: unknown key" and "step: missing", neither saying that a quarter is a step."""
    path = write(tmp_path / "sched.toml", """\
        extends = "baseline"
        [[policy.schedule]]
        quarter = 10
        lever = "tech_centre"
        value = 20
        """)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: policy.schedule[0].quarter: unknown key (did you mean 'step'? one step is one quarter); "
        "allowed: step, lever, value; given: 10"]
