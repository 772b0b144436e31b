"""docs/validation.md rendering (experiments/validation.py) from a measurement: counts of PASS/MISS
by role, every missed figure with what the model would need (experiments/miss_notes.py: marked stale
when the figure moved, or said to be missing), the two dartboard nulls kept apart; the calibration
round's budget; the tests' list of misses generated from the measured table."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest

from experiments import miss_notes, validation

NOTE = "Needs the dyeing plants' output share closer to the seeds'."


def fake_measurement():
    rng = np.random.default_rng(0)
    table = pd.DataFrame([
        dict(target="a", role="calibration", measure="value", value=1.0, bound="both", tolerance=0.1, model_mean=1.05,
             model_sd=0.01, seeds=3, error=0.5, result="PASS", source="s.txt", quote="q", note=""),
        dict(target="dyeing_share_of_emissions", role="held_out", measure="value", value=0.2, bound="both",
             tolerance=0.03, model_mean=0.5, model_sd=0.01, seeds=3, error=10.0, result="MISS", source="s.txt",
             quote="q", note=""),
    ])
    b = dict(gamma=[0.04, 0.05], null_mean=[0.0, 0.0], null_draws=list(rng.normal(0, 1e-4, 20)), alpha=[2.0, 2.5],
             sizes=[rng.lognormal(2, 1, 50), rng.lognormal(2, 1, 50)], log_size=list(rng.normal(2, 1, 200)),
             growth=list(rng.normal(0, 0.2, 200)), spinoff_distance=[1.0, 2.0], entrant_distance=[1.5, 3.0],
             gibrat=(-0.01, 0.005), volatility_slope=-0.12)
    return dict(results={"dyeing_regulation": (table, {}, None)}, per_seed={}, seeds=3, fact_seeds=(0, 1),
                b=b, dart=np.array([0.001, 0.002]), lock=dict(wins={0: 0.5, 10: 1.0}, shares={}, steps=40, seeds=[0, 1]))


def notes_file(tmp_path, model: float, extra: str = "") -> None:
    path = tmp_path / "what_it_needs.toml"
    path.write_text(f'[dyeing_regulation.dyeing_share_of_emissions]\nmodel = {model}\ntext = "{NOTE}"\n' + extra)
    return path


def render(tmp_path, monkeypatch, measurement=None, notes_model: float = 0.5, extra: str = "") -> str:
    cache = tmp_path / "validation.pkl"
    cache.write_bytes(pickle.dumps(measurement or fake_measurement()))
    monkeypatch.setattr(validation, "CACHE", cache)
    monkeypatch.setattr(miss_notes, "NOTES", notes_file(tmp_path, notes_model, extra))
    out = validation.report(out=tmp_path / "validation.md", figures=tmp_path / "figures", say=lambda s: None,
                            reuse=True, note="Round note.")
    return out.read_text()


def test_report_counts_roles_and_explains_each_miss(tmp_path, monkeypatch):
    cache = tmp_path / "validation.pkl"
    cache.write_bytes(pickle.dumps(fake_measurement()))
    monkeypatch.setattr(validation, "CACHE", cache)
    monkeypatch.setattr(miss_notes, "NOTES", notes_file(tmp_path, 0.5))
    out = validation.report(out=tmp_path / "validation.md", figures=tmp_path / "figures", say=lambda s: None,
                            reuse=True, note="Round note.")
    text = out.read_text()
    assert "held-out figures within tolerance: **0 of 1**" in text
    assert "calibration figures within tolerance: 1 of 1" in text
    assert "Round note." in text and "**not calibrated**" in text
    assert "dyeing_regulation / dyeing_share_of_emissions (held_out): figure 0.2, model 0.5" in text
    assert NOTE in text and "Possibly stale" not in text
    assert "pure dartboard" in text and "random-location scenario" in text
    assert (tmp_path / "figures" / "validation_facts.png").exists()


def test_a_text_written_for_another_value_is_marked_stale_and_a_miss_without_text_is_said_so(tmp_path, monkeypatch):
    text = render(tmp_path, monkeypatch, notes_model=0.3)          # 0.5 now: moved by more than the 0.03 tolerance
    assert NOTE in text and "Possibly stale: written when the model gave 0.3; it now gives 0.5," in text
    m = fake_measurement()
    table, params, info = m["results"]["dyeing_regulation"]
    m["results"] = {"datang_socks": (table, params, info)}          # a miss nobody wrote a text for
    text = render(tmp_path, monkeypatch, m, extra='[nowhere.at_all]\nmodel = 1\ntext = "x"\n')
    assert "datang_socks / dyeing_share_of_emissions (held_out): figure 0.2, model 0.5 ± 0.01. *No text yet" in text
    assert "for figures no case declares: dyeing_regulation/dyeing_share_of_emissions, nowhere/at_all" in text


def test_stale_means_moved_by_more_than_one_tolerance():
    note = miss_notes.Note("t", 1.0)
    assert not miss_notes.moved(note, 1.04, 0.05) and not miss_notes.moved(note, 0.96, 0.05)
    assert miss_notes.moved(note, 1.06, 0.05) and miss_notes.moved(note, 0.94, 0.05)
    assert miss_notes.moved(note, float("nan"), 0.05)


def test_a_notes_entry_without_its_value_is_refused_naming_file_and_entry(tmp_path):
    path = tmp_path / "n.toml"
    path.write_text('[case.fig]\ntext = "x"\n')
    with pytest.raises(ValueError, match=r"n.toml: \[case.fig\]: needs text .* and model"):
        miss_notes.load(path)


def test_the_report_states_each_calibrations_budget_and_what_it_used(tmp_path, monkeypatch):
    m = fake_measurement()
    table, _, _ = m["results"]["dyeing_regulation"]
    info = dict(population=20, generations=3, budget=dict(population=20, generations=4, max_minutes=5.0),
                stopped="wall-clock budget", sampling_seconds=290.0, engine="multicore", workers=2, simulations=170,
                seeds=[0, 1], epsilon=[3.2, 2.1, 1.4])
    m["results"]["dyeing_regulation"] = (table, {"dirty_multiplier": 4.0}, info)
    text = render(tmp_path, monkeypatch, m)
    row = ("| dyeing_regulation | population 20, 3 of at most 4 generations, wall-clock budget 5 min (stopped by: "
           "wall-clock budget; sampling 4.8 min, engine multicore, 2 workers) | 170 × 2 | 4.8 | 3.2, 2.1, 1.4 |")
    assert row in text


def test_the_tests_list_of_misses_is_the_measured_table_on_the_test_seeds():
    per_seed = pd.DataFrame({"dyeing_share_of_emissions": [0.20, 0.21, 0.19, 0.9], "dyeing_share_of_firms":
                             [0.5, 0.5, 0.5, 0.03]}, index=pd.Index([1000, 1001, 1002, 1003], name="seed"))
    m = dict(results={"dyeing_regulation": (None, {}, {"population": 20})}, per_seed={"dyeing_regulation": per_seed},
             seeds=4)
    data = validation.test_misses(m, seeds=(1000, 1001, 1002))
    assert data["seeds"] == [1000, 1001, 1002]
    assert set(data["misses"]) == {"dyeing_regulation:dyeing_share_of_firms"}    # seed 1003 not counted
    miss = data["misses"]["dyeing_regulation:dyeing_share_of_firms"]
    assert miss["model_mean"] == pytest.approx(0.5) and miss["parameters"] == "calibrated"
    with pytest.raises(ValueError, match="need --seeds 5"):
        validation.test_misses(m, seeds=(1000, 1004))
    json.dumps(data)


def test_the_shipped_notes_file_reads():
    assert all(isinstance(n.text, str) and n.text for n in miss_notes.load().values())


@pytest.mark.parametrize("option", ["--out", "--figures", "--test-misses"])
def test_an_unwritable_output_is_refused_before_anything_is_measured(tmp_path, monkeypatch, capsys, option):
    from experiments.cli import main

    measured = []
    monkeypatch.setattr(validation, "report", lambda *a, **k: measured.append(a))
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    paths = {"--out": tmp_path / "v.md", "--figures": tmp_path / "fig", "--test-misses": tmp_path / "m.json"}
    paths[option] = blocker / "sub" / "x.md" if option != "--figures" else blocker / "sub"
    argv = ["validation", "--seeds", "1"] + [a for k, v in paths.items() for a in (k, str(v))]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert option in err and "cannot write there" in err and "Traceback" not in err and not measured


SHARED_NOTES = '''
[shared.downstream]
text = "The downstream stages die in their good's price dips."

[datang_socks.share_shaping]
model = 0.5
text = "Shaping: 18% of the quarters."
see = "shared.downstream"

[datang_socks.share_packaging]
model = 0.3
text = "Packaging: 16% of the quarters."
see = "shared.downstream"

[shared.nobody]
text = "Nobody points here."
'''


def test_a_shared_diagnosis_is_printed_once_per_case_after_the_targets_that_point_to_it(tmp_path, monkeypatch):
    m = fake_measurement()
    table, params, info = m["results"]["dyeing_regulation"]
    two = pd.concat([table.assign(target="share_shaping"), table.assign(target="share_packaging")])
    m["results"] = {"datang_socks": (two, params, info), "dyeing_regulation": (table, params, info)}
    path = tmp_path / "what_it_needs.toml"
    path.write_text(SHARED_NOTES)
    cache = tmp_path / "validation.pkl"
    cache.write_bytes(pickle.dumps(m))
    monkeypatch.setattr(validation, "CACHE", cache)
    monkeypatch.setattr(miss_notes, "NOTES", path)
    text = validation.report(out=tmp_path / "v.md", figures=tmp_path / "figures", say=lambda s: None,
                             reuse=True).read_text()
    misses = text.split("## Misses")[1].split("## Case figures")[0]
    assert misses.count("The downstream stages die in their good's price dips.") == 1
    assert "Shaping: 18% of the quarters. (See the shared diagnosis *downstream*" in misses
    assert "*Shared diagnosis downstream* (datang_socks: share_shaping, share_packaging)" in misses
    # staleness stays per target: share_packaging's text was written at 0.3, the model now gives 0.5
    packaging = next(ln for ln in misses.splitlines() if "share_packaging (held_out)" in ln)
    shaping = next(ln for ln in misses.splitlines() if "share_shaping (held_out)" in ln)
    assert "Possibly stale" in packaging and "Possibly stale" not in shaping
    # the shared text comes after the case's last miss, before the next case's
    assert misses.index("share_packaging (held_out)") < misses.index("*Shared diagnosis") < \
        misses.index("dyeing_regulation / dyeing_share_of_emissions")
    assert "Shared diagnoses in" in text and "that no entry points to: shared.nobody" in text


def test_a_see_naming_no_shared_diagnosis_is_refused_naming_file_entry_and_the_allowed_names(tmp_path):
    path = tmp_path / "n.toml"
    path.write_text('[shared.a]\ntext = "x"\n\n[case.fig]\nmodel = 1\ntext = "y"\nsee = "shared.b"\n')
    with pytest.raises(ValueError, match=r"n.toml: \[case.fig\]: see = 'shared.b' names no shared diagnosis; "
                                         r"allowed: 'shared.a'"):
        miss_notes.load(path)
    path.write_text('[shared.a]\nmodel = 1\n')
    with pytest.raises(ValueError, match=r"n.toml: \[shared.a\]: needs text"):
        miss_notes.shared(path)


def test_the_shipped_notes_write_each_shared_diagnosis_once():
    raw = miss_notes.NOTES.read_text()
    shared = miss_notes.shared()
    assert shared and all(raw.count(text) == 1 for text in shared.values())
    assert not miss_notes.unused(miss_notes.load(), shared)


def test_a_parameters_source_finds_the_figures_it_cites_in_the_calibration_file_it_names():
    """A source citing docs/calibration/<file> (the condensed notes or their history) for a figure: each decimal
    figure in the same parenthesis occurs in that file, so a pointer follows the text when it moves."""
    import re
    from pathlib import Path

    from model.params import PARAMS
    root = Path(__file__).resolve().parents[1]
    cited = 0
    for p in PARAMS.values():
        for m in re.finditer(r"docs/calibration/([\w.]+\.(?:toml|md))", p.source):
            start, end = p.source.rfind("(", 0, m.start()), p.source.find(")", m.end())
            text = (root / "docs" / "calibration" / m.group(1)).read_text(encoding="utf-8")
            for figure in re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", p.source[start + 1:end]):
                cited += 1
                assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", text), (p.name, figure, m.group(0))
    assert cited >= 3
