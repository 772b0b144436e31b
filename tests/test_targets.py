"""Case figures as data (scenarios/targets.py): each measurement kind against a hand computation,
the tolerance rules, and the loader's problems for bad targets."""

import math

import pandas as pd
import pytest

from experiments.scenario_outcomes import SCENARIOS
from scenarios import ScenarioError, load_scenario
from scenarios.targets import Target, measure, targets_of

# quarters 0..8
TABLE = pd.DataFrame({
    "a": [10.0, 12.0, 14.0, 8.0, 4.0, 2.0, 3.0, 6.0, 9.0],
    "b": [1.0, 1.0, 2.0, 2.0, 4.0, 4.0, 8.0, 8.0, 9.0],
    "c": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
})


def target(measure_kind, value=1.0, tolerance=0.1, **kw):
    windows = {k: tuple(kw.pop(k)) for k in ("at", "from", "to", "peak", "trough") if k in kw}
    return Target(name="t", value=value, tolerance=tolerance, measure=measure_kind, role="calibration",
                  source="s", quote="q", windows=windows, **kw)


def test_value_is_the_window_mean_and_negative_quarters_count_from_the_end():
    assert measure(target("value", column="a", at=(1, 2)), TABLE) == pytest.approx((12 + 14) / 2)
    assert measure(target("value", column="a", at=(-2, -1)), TABLE) == pytest.approx((6 + 9) / 2)
    assert measure(target("value", column="a+b", at=(0, 0)), TABLE) == pytest.approx(11.0)
    assert measure(target("value", column="a/b", at=(4, 4)), TABLE) == pytest.approx(1.0)
    assert measure(target("value", column="a+c/b", at=(1, 1)), TABLE) == pytest.approx(13.0)


def test_ratio_change_and_annualised_growth():
    assert measure(target("ratio", column="b", **{"from": (0, 1), "to": (4, 5)}), TABLE) == pytest.approx(4.0)
    assert measure(target("change", column="b", **{"from": (0, 1), "to": (4, 5)}), TABLE) == pytest.approx(3.0)
    # centres 0.5 and 4.5: four quarters = one year apart, so growth = ratio − 1
    assert measure(target("growth", column="b", **{"from": (0, 1), "to": (4, 5)}), TABLE) == pytest.approx(3.0)
    # quarter 0 -> quarter 8: two years, ×9 -> 3 a year -> +200%
    assert measure(target("growth", column="b", **{"from": (0, 0), "to": (8, 8)}), TABLE) == pytest.approx(2.0)


def test_share_peak_to_trough_and_ratio_to():
    share = target("share", column="b", columns=("a", "b"), at=(8, 8))
    assert measure(share, TABLE) == pytest.approx(9 / 18)
    assert measure(target("peak_to_trough", column="a", peak=(0, 2), trough=(3, 8)), TABLE) == pytest.approx(2 / 14 - 1)
    other = TABLE.assign(a=TABLE["a"] * 4)
    assert measure(target("ratio_to", column="a", at=(0, 8), against="x"), TABLE, other) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="needs the run"):
        measure(target("ratio_to", column="a", at=(0, 8), against="x"), TABLE)


def test_scaled_counts_and_undefined_figures():
    t = target("value", column="b", at=(8, 8), scaled=True)
    assert measure(t, TABLE, scale=5.0) == pytest.approx(45.0)
    assert math.isnan(measure(target("value", column="a/c", at=(0, 0)), TABLE))
    with pytest.raises(ValueError, match="outside a run"):
        measure(target("value", column="a", at=(0, 9)), TABLE)


def test_tolerance_rules_for_each_bound():
    both = target("value", value=1.0, tolerance=0.1)
    assert both.passes(1.1) and both.passes(0.9) and not both.passes(1.11)
    assert both.error(1.3) == pytest.approx(3.0)
    low = target("value", value=1.0, tolerance=0.1, bound="at_least")
    assert low.passes(50.0) and low.passes(0.9) and not low.passes(0.85) and low.error(5) == 0
    high = target("value", value=-0.6, tolerance=0.05, bound="at_most")
    assert high.passes(-0.9) and high.passes(-0.55) and not high.passes(-0.5)
    assert not both.passes(float("nan")) and both.error(float("nan")) == math.inf


@pytest.mark.parametrize("name", SCENARIOS)
def test_case_targets_are_well_formed(name):
    targets, calibration = targets_of(load_scenario(name))
    for t in targets:
        assert t.source.endswith(".txt") and t.quote and t.tolerance > 0
    if calibration is not None:
        assert 1 <= len(calibration.free) <= 8 and all(f.reason for f in calibration.free)
        assert any(t.role == "calibration" for t in targets) and any(t.role == "held_out" for t in targets)


def test_targets_are_not_inherited():
    assert targets_of(load_scenario("jilin_no_policy"))[0] == ()
    assert targets_of(load_scenario("hunan_linkage_policy"))[1] is None


def test_bad_targets_are_named_with_file_key_and_what_is_allowed(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('extends = "baseline"\n[[targets]]\nname = "x"\nmeasure = "growht"\nvalue = 1\n'
                 '[[targets]]\nname = "y"\nmeasure = "value"\nvalue = 1\ntolerance = 0.1\nrole = "fit"\n'
                 'column = "firms"\nat = [3, 1]\nsource = "s"\nquote = "q"\n'
                 '[calibration]\nscale = -1\n[[calibration.free]]\nparam = "entry_rate"\nlow = 0.5\nhigh = 2.0\n'
                 'reason = "r"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    text = str(info.value)
    assert "targets[0].measure: unknown measurement kind" in text and "growht" in text
    assert "targets[1].role: not a role" in text and "targets[1].at: not a quarter or window" in text
    assert "calibration.scale: out of range" in text
    assert "calibration.free[0]: range outside the parameter's" in text
    assert all(line.startswith(str(f)) or "bad.toml" in line for line in text.splitlines())


def test_every_target_quote_is_verbatim_in_its_source_document():
    """A target's `quote` is the source passage itself (pieces joined by "…"), character for
    character: "1/5" for the document's "$1/5$", or an editor's "[解决]" for its "以全部采购到",
    is a paraphrase a reader cannot find by searching the document."""
    from scenarios.sources import seeds_dir

    if not seeds_dir().is_dir():
        pytest.skip(f"no seeds folder at {seeds_dir()} (set CLUSTERLAB_SEEDS)")
    missing = []
    for name in SCENARIOS:
        for t in targets_of(load_scenario(name))[0]:
            text = (seeds_dir() / t.source).read_text(encoding="utf-8")
            pieces = [piece.strip() for piece in t.quote.split("…")]
            missing += [(name, t.name, piece) for piece in pieces if piece not in text]
    assert missing == []


def test_a_target_reading_an_unknown_column_is_refused_by_validate(tmp_path, capsys):
    """A misspelt `column` ("employmnet") passed `clusterlab validate` and failed with a KeyError
    only after the runs; it is refused before anything runs, naming the key and what is allowed."""
    from pathlib import Path

    from experiments import cli

    text = Path("scenarios/xiqiao_decline_revival.toml").read_text(encoding="utf-8")
    assert 'column = "employment"' in text
    case = tmp_path / "my_case.toml"
    case.write_text(text.replace('column = "employment"', 'column = "employmnet/firms"', 1), encoding="utf-8")
    assert cli.main(["validate", str(case)]) == 1
    out = capsys.readouterr()
    said = out.out + out.err
    assert "INVALID" in said and ".column: unknown column 'employmnet'" in said and "employment" in said
    assert "stage_0" in said and "Traceback" not in said

