"""The case figures (each scenario's [[targets]]) hold within their tolerances for the model at its
calibrated parameters (docs/calibration/<case>/posterior.csv), mean over a fixed set of seeds.

A figure the model misses stays a failing expectation: it is listed in `MISSES` with the value
measured (strict xfail, so a figure that starts to pass must be moved out of the list) and reported
in docs/validation.md. Tolerances live in the scenario files and are never changed here.
"""

from functools import cache

import pytest

from experiments.case_targets import case_spec, measure_runs, summarise
from experiments.validation import CALIBRATION_DIR, calibrated, case_names

SEEDS = (1000, 1001, 1002)

# (case, target) -> the measured miss (mean ± sd over SEEDS at the calibrated parameters)
MISSES: dict[tuple[str, str], str] = {
    ("datang_socks", "share_raw_material"): "model 0.2496 ± 0.012 vs 0.1258 (both ± 0.03), seeds 1000-1002, calibrated",
    ("datang_socks", "share_knitting"): "model 0.6296 ± 0.02 vs 0.5611 (both ± 0.03), seeds 1000-1002, calibrated",
    ("datang_socks", "share_shaping"): "model 0.005048 ± 0.003 vs 0.0256 (both ± 0.01), seeds 1000-1002, calibrated",
    ("datang_socks", "share_packaging"): "model 0.01449 ± 0.0076 vs 0.0698 (both ± 0.02), seeds 1000-1002, calibrated",
    ("datang_socks", "share_sales_agents"): "model 0.03544 ± 0.018 vs 0.1452 (both ± 0.03), seeds 1000-1002, calibrated",
    ("jiangxi_auto_hub", "vehicle_and_parts_makers"): "model 168.3 ± 29 vs 250 (both ± 50), seeds 1000-1002, calibrated",
    ("jiangxi_auto_hub", "lead_assemblers"): "model 1.333 ± 1.5 vs 2 (both ± 0.25), seeds 1000-1002, calibrated",
    ("jiangxi_auto_hub", "workers"): "model 4138 ± 1.8e+03 vs 65000 (both ± 5000), seeds 1000-1002, calibrated",
    ("jilin_policy_push", "assets_vs_zhejiang"): "model 0.1034 ± 0.0026 vs 0.2 (both ± 0.05), seeds 1000-1002, calibrated",
    ("jilin_policy_push", "returns_vs_zhejiang"): "model 0.03461 ± 0.019 vs 0.1 (both ± 0.03), seeds 1000-1002, calibrated",
    ("jilin_policy_push", "output_doubles_2012_2017"): "model 1.565 ± 0.084 vs 2 (at_least ± 0.2), seeds 1000-1002, calibrated",
    ("hunan_scattered_towns", "key_inputs_bought_outside"): "model 0.6489 ± 0.011 vs 0.5 (at_most ± 0.05), seeds 1000-1002, uncalibrated",
    ("xiqiao_decline_revival", "mills_peak_to_trough"): "model -0.9323 ± 0.0046 vs -0.82 (both ± 0.05), seeds 1000-1002, calibrated",
    ("xiqiao_decline_revival", "revival_sales_growth_1998_2001"): "model 0.131 ± 0.011 vs 0.267 (both ± 0.05), seeds 1000-1002, calibrated",
    ("xiqiao_decline_revival", "firms_left_in_1994"): "model 158.8 ± 11 vs 350 (both ± 50), seeds 1000-1002, calibrated",
    ("xiqiao_decline_revival", "employment_at_peak"): "model 4.477e+04 ± 1.1e+03 vs 65000 (both ± 5000), seeds 1000-1002, calibrated",
    ("dyeing_regulation", "dyeing_share_of_emissions"): "model 0.5149 ± 0.0056 vs 0.196 (both ± 0.03), seeds 1000-1002, calibrated",
}


@cache
def figures(name: str):
    params, _ = calibrated(name, CALIBRATION_DIR)
    spec = case_spec(name, seeds=SEEDS)
    free = {f.param for f in spec.calibration.free} if spec.calibration else set()
    table = summarise(measure_runs(spec, {k: v for k, v in params.items() if k in free}, SEEDS), spec.targets)
    return table.set_index("target")


def _cases():
    out = []
    for name in case_names():
        for t in case_spec(name, with_references=False).targets:
            marks = [pytest.mark.slow]
            if (name, t.name) in MISSES:
                marks.append(pytest.mark.xfail(strict=True, reason=f"MISS: {MISSES[(name, t.name)]}"))
            out.append(pytest.param(name, t.name, marks=marks, id=f"{name}:{t.name}"))
    return out


@pytest.mark.parametrize(("name", "target"), _cases())
def test_case_figure_within_tolerance(name, target):
    row = figures(name).loc[target]
    assert row.result == "PASS", (f"{name}/{target}: model {row.model_mean:.4g} ± {row.model_sd:.3g} vs figure "
                                  f"{row.value:g} ({row.bound}, tolerance {row.tolerance:g})")


def test_calibrated_parameters_are_the_cases_free_parameters():
    for name in case_names():
        params, info = calibrated(name, CALIBRATION_DIR)
        spec = case_spec(name, with_references=False)
        if info is None:
            continue
        free = {f.param: f for f in spec.calibration.free}
        assert set(params) == set(free), f"{name}: docs/calibration table is stale"
        for k, v in params.items():
            assert free[k].low <= v <= free[k].high
