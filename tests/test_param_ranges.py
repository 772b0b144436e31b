"""Every value the parameter spec allows builds a model, or is refused up front with a clear
problem; a value the model cannot take is refused by the spec (model/params.py), not at run time.

`start_age_hazard` is off at 0 and has no model in (0, firm_ages.LEAST_HAZARD): the spec says so
(`Param.least_on`), `check_value`, the scenario checks, the sweep and prior ranges refuse the gap, and
the joint rule of model.feasibility bounds the lines the aged start can draw."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments import cli
from experiments.sweep import SweepError, parse_sweep
from model import firm_ages
from model.feasibility import violations
from model.indicator_registry import INDICATORS
from model.params import PARAMS, check_value, defaults
from scenarios import ScenarioError, load_scenario

TINY = dict(width=30, height=30, n_firms=30, n_suppliers=60)
HAZARD = PARAMS["start_age_hazard"]


# --- start_age_hazard: the gap the model refuses is the spec's ------------------------------------
def test_the_spec_bound_is_the_least_hazard_whose_ages_can_be_summed():
    exact = -np.expm1(np.log(firm_ages.AGE_TAIL) / firm_ages.MAX_AGES)
    assert HAZARD.least_on == firm_ages.LEAST_HAZARD == firm_ages.least_hazard()
    assert exact <= HAZARD.least_on < exact * 1.005                     # rounded up, to 3 figures
    assert firm_ages.ages_summed(HAZARD.least_on) <= firm_ages.MAX_AGES
    for below in (np.nextafter(exact, 0.0), 1e-4, 1e-9):
        with pytest.raises(ValueError, match="allowed: 0 .off. or at least 0.000323"):
            firm_ages.ages_summed(below)
    assert firm_ages.least_hazard(max_ages=10**4) == pytest.approx(3.22e-3, rel=0.01)


@pytest.mark.parametrize("value", [1e-9, 1e-4, 3.2e-4, np.nextafter(firm_ages.LEAST_HAZARD, 0.0)])
def test_a_hazard_in_the_gap_is_refused_by_the_spec(value):
    with pytest.raises(ValueError, match=r"0 \(off\) or a number in \[0.000323, 0.2\]"):
        check_value("start_age_hazard", float(value))
    with pytest.raises(ScenarioError) as exc:
        load_scenario("baseline").with_overrides(start_age_hazard=float(value))
    problem, = exc.value.problems
    assert problem.key == "mechanisms.start_age_hazard" and "refused gap (0, 0.000323)" in problem.message


def test_zero_and_the_least_hazard_are_allowed():
    for value in (0.0, firm_ages.LEAST_HAZARD, 0.2):
        assert check_value("start_age_hazard", value) == value


def test_the_command_line_refuses_the_gap_before_building(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["run", "baseline", "--steps", "1", "--quiet", "--set", "start_age_hazard=0.0001",
                     "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert "--set" in err and "start_age_hazard" in err and "0.000323" in err
    assert not out.exists()                                               # nothing was built or written


def test_a_scenario_file_in_the_gap_is_named_by_validate(tmp_path, capsys):
    path = tmp_path / "aged.toml"
    path.write_text('extends = "baseline"\n[mechanisms]\nstart_age_hazard = 1e-4\n')
    assert cli.main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "aged.toml: mechanisms.start_age_hazard" in out and "0.000323" in out


def test_sweep_ranges_and_levels_that_reach_the_gap_are_refused():
    def sweep(vary, method="full_factorial"):
        design = {"method": method} | ({"samples": 4} if method == "latin_hypercube" else {})
        return parse_sweep({"scenario": "baseline", "steps": 1, "design": design,
                            "vary": {"start_age_hazard": vary}})

    assert sweep({"low": 0.0, "high": 0.2, "levels": 3}).factors[0].levels == 3        # 0, 0.1, 0.2
    assert sweep([0.0, 0.02])
    with pytest.raises(SweepError, match=r"level 0.0002 falls in the refused gap"):
        sweep({"low": 0.0, "high": 0.0004, "levels": 3})
    with pytest.raises(SweepError, match="a sampled range reaching into the refused gap"):
        sweep({"low": 0.0, "high": 0.2}, method="latin_hypercube")
    assert sweep({"low": 0.001, "high": 0.2}, method="latin_hypercube")
    assert HAZARD.admits_range(0.0, 0.0) and not HAZARD.admits_range(0.0, 1e-3)


# --- the joint rule: the aged start's lines fit its draw --------------------------------------------
@settings(max_examples=12, derandomize=True)
@given(share=st.floats(0.01, 0.99), birth=st.floats(0.001, 1.0), hazard=st.floats(0.01, 0.2))
def test_expected_lines_per_enterprise_stay_below_the_rules_bound(share, birth, hazard):
    """1 + π (L(μ*) − 1) ≤ 1 + b/δ: what model.feasibility's rule assumes (docstring there)."""
    mu = firm_ages.stage_loss_rate(share, birth, hazard)
    lines = 1.0 + share * (firm_ages.profitable_lines(birth, mu, hazard) - 1.0)
    assert lines <= 1.0 + birth / hazard


def test_the_joint_rule_refuses_a_start_whose_lines_would_not_fit():
    p = defaults() | dict(start_age_hazard=firm_ages.LEAST_HAZARD, line_birth=1.0, n_firms=20_000, n_suppliers=20_000)
    found = violations(p, given=("line_birth",))
    assert [v.keys[0] for v in found] == ["line_birth"] and "product lines" in found[0].message
    assert not violations(p | dict(start_age_hazard=0.02))
    assert not violations(p | dict(start_age_hazard=0.0))


def test_a_size_violation_names_the_key_the_user_set():
    with pytest.raises(ScenarioError) as exc:
        load_scenario("baseline").with_overrides(base_wage=0.001)
    assert [p.key for p in exc.value.problems] == ["labour.base_wage"]


# --- every numeric parameter at the ends of its range -----------------------------------------------
def _values(p):
    ends = [p.low, p.high] + ([p.least_on] if p.least_on is not None else [])
    return ends


NUMERIC = [p for p in PARAMS.values() if p.kind in (int, float) and p.low is not None]


def _builds_finite_or_is_refused(name, value, steps=2):
    try:
        scenario = load_scenario("baseline").with_overrides(**{**TINY, name: value})
    except ScenarioError as exc:                                  # refused up front, naming a key
        assert all(p.key and p.message for p in exc.problems)
        return
    model = scenario.build(seed=0)
    model.run(steps)
    results = model.results()
    for column in results:
        values = results[column].iloc[1:].to_numpy(dtype=float)
        assert np.isfinite(values).all() or INDICATORS[column].undefined, f"{name}={value}: {column} not finite"


@settings(max_examples=40, derandomize=True)
@given(st.data())
def test_one_parameter_anywhere_in_its_range_builds_or_is_refused(data):
    p = data.draw(st.sampled_from(NUMERIC), label="parameter")
    inner = st.integers(p.low, min(p.high, p.low + 1000)) if p.kind is int else st.floats(p.low, p.high)
    value = data.draw(st.sampled_from(_values(p)) | inner.filter(p.admits), label=p.name)
    _builds_finite_or_is_refused(p.name, value, steps=1)


@pytest.mark.slow
@pytest.mark.parametrize("name,value", [(p.name, v) for p in NUMERIC for v in _values(p)])
def test_every_parameter_at_each_end_of_its_range_builds_or_is_refused(name, value):
    _builds_finite_or_is_refused(name, value)
