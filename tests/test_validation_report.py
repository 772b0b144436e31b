"""docs/validation.md rendering (experiments/validation.py) from a measurement: counts of PASS/MISS
by role, a missed figure with what the model would need, the two dartboard nulls kept apart."""

import pickle

import numpy as np
import pandas as pd

from experiments import validation


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


def test_report_counts_roles_and_explains_each_miss(tmp_path, monkeypatch):
    cache = tmp_path / "validation.pkl"
    cache.write_bytes(pickle.dumps(fake_measurement()))
    monkeypatch.setattr(validation, "CACHE", cache)
    out = validation.report(out=tmp_path / "validation.md", figures=tmp_path / "figures", say=lambda s: None,
                            reuse=True, note="Round note.")
    text = out.read_text()
    assert "held-out figures within tolerance: **0 of 1**" in text
    assert "calibration figures within tolerance: 1 of 1" in text
    assert "Round note." in text and "**not calibrated**" in text
    assert "dyeing_regulation / dyeing_share_of_emissions (held_out): figure 0.2, model 0.5" in text
    assert validation.WHAT_IT_NEEDS[("dyeing_regulation", "dyeing_share_of_emissions")] in text
    assert "pure dartboard" in text and "random-location scenario" in text
    assert (tmp_path / "figures" / "validation_facts.png").exists()
