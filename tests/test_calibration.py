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
