"""Shared test set-up: every test (and the CLI processes it starts) uses a fresh run cache."""

import pytest
from hypothesis import settings


@pytest.fixture(autouse=True)
def _run_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_CACHE", str(tmp_path_factory.mktemp("run-cache")))


# The fast tier (`make test-fast`: -m "not slow and not browser") leaves out these tests too:
# each took ≥ 8 s in a run of the whole fast tier on the shared 2-core machine (load ≈ 18,
# pytest --durations, 30 Nov 2026) — whole-scenario runs, CLI processes, sweeps on several
# workers. They stay in `make test`. A new test over 5 s gets @pytest.mark.slow in its file.
SLOW_BY_MEASUREMENT = {
    "test_cli.py": ("test_run_animate_writes_a_gif_of_the_map", "test_run_default_output_folder",
                    "test_run_writes_data_and_figures_and_is_reproducible", "test_validate_every_shipped_scenario",
                    "test_validate_reports_every_problem_and_exits_1"),
    "test_experiments.py": ("test_a_failing_run_is_recorded_and_the_sweep_goes_on",
                            "test_compare_cli_writes_figure_and_table",
                            "test_ctrl_c_and_kill_lose_no_run_and_resume_runs_only_what_is_missing",
                            "test_identical_arms_differ_by_exactly_zero_and_a_fixed_spend_by_its_amount",
                            "test_same_results_with_serial_two_workers_and_dask",
                            "test_sobol_ranks_a_strong_lever_above_an_inert_parameter"),
    "test_mechanisms.py": ("test_agglomeration_forces_concentrate_firms_beyond_random_location",
                           "test_agglomeration_strength_zero_weakens_concentration", "test_brand_promotion_raises_output",
                           "test_innovation_off_means_no_innovations_and_less_knowledge",
                           "test_ip_protection_keeps_innovators_premium_longer",
                           "test_network_spillover_alone_raises_mean_knowledge",
                           "test_pollution_follows_output_and_regulation_cuts_it",
                           "test_quality_shift_hurts_firms_below_the_standard", "test_spillover_raises_mean_knowledge",
                           "test_technology_centre_raises_knowledge"),
    "test_model.py": ("test_same_seed_same_table_in_another_process",),
    "test_scenarios.py": ("test_fuzz_generated_files", "test_fuzz_mutated_shipped_files"),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.name.split("[")[0] in SLOW_BY_MEASUREMENT.get(item.path.name, ()):
            item.add_marker(pytest.mark.slow)


# No test depends on timing: hypothesis's per-example deadline (200 ms by default) fails a test
# when a loaded machine is slow, so it is off for every property test (settings made by a
# test's own @settings inherit it).
settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")
