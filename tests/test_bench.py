"""The scaling benchmark: it runs on a tiny size, and its naive reference agrees with the model.

The benchmark itself (`python -m experiments.bench`) is not a timed test: nothing here checks
speed, only that the benchmark works and that it compares like with like.
"""

import json

import numpy as np
import pytest

from experiments import bench


@pytest.fixture(scope="module")
def small_model():
    model = bench.build(400, seed=3)
    model.run(3)  # a few births, moves and ties: agents share cells, some cells are empty
    return model


def test_fast_and_naive_spillover_agree(small_model):
    fast = bench.spillover_fast(small_model)
    naive = bench.spillover_naive(small_model)
    assert set(fast) == set(naive) == {"employment_near", "knowledge_pool", "agglomeration_gain", "contact",
                                       "spatial_learning"}
    assert len(fast["employment_near"]) == len(small_model.population)
    assert (naive["employment_near"] > 0).all()  # every enterprise counts its own workers
    for name in fast:
        np.testing.assert_allclose(fast[name], naive[name], rtol=1e-9, atol=1e-12, err_msg=name)
    assert bench.compare_spillover(small_model) < 1e-9


def test_fast_spillover_reads_the_model_fields_without_changing_the_model(small_model):
    labour = small_model.labour_supply.copy()
    fast = bench.spillover_fast(small_model)
    np.testing.assert_array_equal(small_model.labour_supply, labour)
    pop = small_model.population
    x, y = pop.x[pop.live], pop.y[pop.live]
    np.testing.assert_array_equal(fast["knowledge_pool"], small_model.fields["pool"][x, y])


def test_naive_reference_follows_the_kernel_by_hand():
    """Two enterprises 3 cells apart: each sees the other at weight exp(−3/λ)."""
    model = bench.build(200, seed=1)
    pop = model.population
    a, b = (pop.agent[row] for row in pop.live[:2])
    for agent in (pop.agent[row] for row in pop.live[2:]):
        agent.move_to(model.grid[(0, 0)])  # everyone else far away
    a.move_to(model.grid[(10, 10)])
    b.move_to(model.grid[(13, 10)])
    naive = bench.spillover_naive(model)
    w = np.exp(-3 / model.params["kernel_decay"])
    la, lb, ka, kb = a.workers, b.workers, a.knowledge, b.knowledge
    assert naive["employment_near"][0] == pytest.approx(la + w * lb)
    assert naive["knowledge_pool"][0] == pytest.approx((la * ka + w * lb * kb) / (la + w * lb))
    np.testing.assert_allclose(bench.spillover_fast(model)["employment_near"], naive["employment_near"], rtol=1e-9)


def test_grid_grows_with_agents_at_fixed_density():
    assert [bench.side_for(n) for n in (1000, 10_000, 100_000)] == [50, 158, 500]
    p = bench.bench_params(100_000)
    assert p["n_firms"] + p["n_suppliers"] + p["n_lead_firms"] == 100_000
    assert p["tech_centre"] > 0 and p["rd_subsidy"] > 0 and p["parks"] and p["park_subsidy"] > 0


def test_benchmark_runs_on_a_tiny_size(tmp_path, capsys):
    code = bench.main(["--sizes", "300", "--steps", "1", "--repeats", "1", "--naive-size", "300",
                       "--out", str(tmp_path / "bench")])
    assert code in (0, 1)  # pass/fail of the speed targets is not this test's business
    shown = capsys.readouterr().out
    assert "| 300 | 27 × 27 |" in shown and "naive reference" in shown.lower()
    report = json.loads((tmp_path / "bench.json").read_text())
    (row,) = report["sizes"]
    assert row["agents"] == 300 and row["step_min_s"] > 0 and row["peak_rss_mib"] > 0
    assert row["naive_max_rel_diff"] < 1e-9 and row["naive_ratio"] > 1
    assert abs(sum(row["phase_share"].values()) - 1) < 1e-9
    assert (tmp_path / "bench.md").read_text().startswith("ClusterModel benchmark")


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="--sizes"):
        bench.main(["--sizes", "10"])


def test_bad_options_are_refused_before_the_benchmark(tmp_path, capsys, monkeypatch):
    from experiments.cli import main

    monkeypatch.setattr(bench, "run", lambda *a, **k: pytest.fail("the benchmark ran"))
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert main(["bench", "--sizes", "1000,ten"]) == 2
    assert "--sizes: allowed: comma-separated numbers of agents" in capsys.readouterr().err
    assert main(["bench", "--quick", "--out", str(blocker / "sub" / "bench")]) == 2
    assert "--out" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["bench", "--seed", "-1"])
    err = capsys.readouterr().err
    assert "--seed: out of range" in err and "Traceback" not in err and "invalid literal" not in err
    top = 2**32 - 1          # repeat r builds with seed + r: each must be a seed `clusterlab run --seed` takes
    assert main(["bench", "--sizes", "1000", "--repeats", "3", "--seed", str(top - 1)]) == 2
    assert ("--seed: out of range: with --repeats 3 the last replication would run with seed 4294967296, above "
            f"4294967295; allowed: an integer in [0, {top - 2}]; given: {top - 1}") in capsys.readouterr().err
    assert main(["bench", "--seed", str(top)]) == 2          # the default 5 repeats
    assert "with 5 repeats (the default) the last replication" in capsys.readouterr().err

    class Ran(Exception):
        pass

    def ran(sizes, steps, repeats, naive_size, seed, **kwargs):
        raise Ran(seed, repeats)

    monkeypatch.setattr(bench, "run", ran)                   # --quick's one repeat at the last seed is allowed
    with pytest.raises(Ran) as started:
        main(["bench", "--quick", "--seed", str(top)])
    assert started.value.args == (top, 1)


def test_indicator_shortcuts_equal_the_reference_metrics(small_model):
    """Indicators computed on the network's sorted ties equal the pure metrics on (src, dst)."""
    from model import indicators, metrics

    pop, net = small_model.population, small_model.network
    src, dst = indicators.tie_positions(pop, net)
    n = len(pop)
    assert indicators.largest_component_share(pop, net) == metrics.largest_component_share(src, dst, n)
    assert metrics.average_clustering(src, dst, n) == 0.0  # ties join adjacent stages: no triangles
    side = pop.stage[pop.live] % 2 == 0
    assert small_model.indicators["network_clustering"] == pytest.approx(metrics.bipartite_clustering(src, dst, n))
    assert metrics.bipartite_clustering(src, dst, n, side=side) == pytest.approx(metrics.bipartite_clustering(src, dst, n))
    # the clustering read off the network's sorted ties (no repeated tie) is the side-wise value, exactly
    assert len(np.unique(net.src * pop.capacity + net.dst)) == len(net)
    biadjacency = net.biadjacency(pop.capacity, pop.stage % 2 == 0, pop.alive)
    assert biadjacency.nnz == len(net) and biadjacency.shape == (int(side.sum()), int((~side).sum()))
    assert small_model.indicators["network_clustering"] == metrics.bipartite_clustering(src, dst, n, side=side)
    assert metrics.largest_component_share_biadjacency(biadjacency) == metrics.largest_component_share(src, dst, n)
    assert small_model.indicators["largest_component_share"] == metrics.largest_component_share(src, dst, n)
