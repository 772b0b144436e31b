"""The cluster's fields price activity per plant (model.fields.in_plant_units, model.labour.initial_supply):
an industry of plants `plant_scale` times the model's SME meets the same agglomeration gain, land rent,
wage and spillover contact as the SME industry with every plant's workforce divided by plant_scale."""

import numpy as np
import pytest

from model import demography, labour, production
from model.fields import KernelConvolution, cluster_fields, decay_kernel, in_plant_units
from model.params import resolve_params
from scenarios import load_scenario

SCALE_FREE = ("pool", "contact", "productivity", "wage", "rent", "rent_paid")   # read per plant or as ratios
EXTENSIVE = ("employment", "supply", "demand")                                    # sums of workers or output


def test_fields_priced_per_plant_do_not_depend_on_plant_scale():
    """Exact invariance: z × every workforce, output and labour pool leaves every field a site or an
    enterprise reads unchanged (to round-off) and multiplies the sums by z. Pricing the fields per
    worker (the former rule) would raise the gain and the rent and the wage with z."""
    rng = np.random.default_rng(3)
    shape = (30, 30)
    base_supply = labour.initial_supply(shape, 20.0, 1.0) + rng.random(shape)
    ref = None
    for z in (1.0, 3.7, 15.5):
        p = resolve_params(dict(width=30, height=30, plant_scale=z))
        r = np.random.default_rng(7)
        n = 80
        x, y = r.integers(0, 30, n), r.integers(0, 30, n)
        workers, output, knowledge = r.lognormal(2.0, 0.8, n), r.lognormal(1.0, 0.5, n), r.lognormal(-0.5, 0.2, n)
        stage = r.integers(0, p["n_stages"] + 1, n).astype(np.int64)
        subsidy = np.where(r.random(shape) < 0.1, 0.5, 0.0)
        kernel = KernelConvolution(shape, decay_kernel(p["kernel_radius"], p["kernel_decay"]))
        f, emp = cluster_fields(kernel, shape, x, y, z * workers, knowledge, stage, z * output,
                                z * base_supply, subsidy, p)
        if ref is None:
            ref = f
            assert ref["wage"].max() > p["base_wage"] * 1.01 and ref["rent"].max() > p["base_rent"] * 1.01
            continue
        for name in SCALE_FREE:
            np.testing.assert_allclose(f[name], ref[name], rtol=1e-9, atol=1e-12, err_msg=name)
        for name in EXTENSIVE:
            np.testing.assert_allclose(f[name], z * ref[name], rtol=1e-9, atol=1e-9, err_msg=name)


def test_plant_units_are_the_identity_for_an_sme_industry():
    """At plant_scale 1 nothing changes, bit for bit (SME scenarios keep their indicator tables)."""
    e = np.random.default_rng(0).lognormal(3.0, 1.0, (7, 5))
    assert np.array_equal(in_plant_units(e, 1.0), e)
    np.testing.assert_array_equal(labour.initial_supply((4, 3), 20.0, 1.0), np.full((4, 3), 20.0))
    np.testing.assert_allclose(in_plant_units(e, 15.5) * 15.5, e, rtol=1e-15)
    np.testing.assert_array_equal(labour.initial_supply((2, 2), 20.0, 15.5), np.full((2, 2), 310.0))


def test_the_labour_pool_check_reads_the_pool_in_plant_workforces():
    """The start's workforce grows with plant_scale, and so does the pool it is checked against: a
    grid whose pool holds the SME industry holds the same industry of plants 50 times larger."""
    small = dict(width=20, height=20, n_firms=40, n_suppliers=80, labour_density=1.0)
    resolve_params(small)
    resolve_params(dict(small, plant_scale=50.0))


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): local sourcing 0.819 at plant_scale 10 against 0.783 at 1 (mean of "
                   "seeds 0-5), 0.036 apart where the test allows 0.015; not diagnosed yet")
def test_a_cluster_of_larger_plants_has_the_sme_clusters_spatial_pattern():
    """Paired seeds 0-5, 40 quarters, a 50 × 50 baseline with spin-offs and lines changing hands: at
    plant_scale 10 the pattern statistics are those of plant_scale 1 within noise and employment is 10
    times as large. Measured (seeds 0-5): employment / z 1,937 vs 1,964, enterprises 131 vs 130, local
    sourcing 0.830 vs 0.836, Moran's I 0.130 vs 0.132. With a spin-off's hazard, staff and capital and
    the hiring floor and step in SME workers (the former rules) 196 enterprises (+51%), Moran's I 0.225;
    with the fields priced per worker (the rule before) 3,200 workers / z (+62%) without spin-offs."""
    base = dict(width=50, height=50, n_firms=60, n_suppliers=120)

    def stats(z):
        rows = []
        for seed in range(6):
            m = load_scenario("baseline").with_overrides(**base, plant_scale=z).build(seed=seed)
            for _ in range(40):
                m.step()
            last = m.results().iloc[-4:].mean()
            rows.append([last["employment"] / z, last["firms"] + last["suppliers"], last["local_sourcing_share"],
                         last["morans_i"]])
        return np.array(rows).mean(axis=0)

    sme, large = stats(1.0), stats(10.0)
    assert abs(large[0] / sme[0] - 1) < 0.1           # employment scales with the plant
    assert abs(large[1] / sme[1] - 1) < 0.1           # as many enterprises
    assert abs(large[2] - sme[2]) < 0.015             # local sourcing
    assert abs(large[3] - sme[3]) < 0.03              # spatial autocorrelation of the enterprises


def test_hiring_reads_the_workforce_in_plants():
    """The floor and step of the hiring rule are a plant's crew (model.production.hire): z times every
    workforce and target, at plant_scale z, is z times the SME rule's result, also where the floor
    (a firm that lost lines) or the step (a firm growing from a small base) binds. With a floor and
    step of one worker (the former rule) a plant of 15.5 SME could shrink to one worker."""
    L = np.array([0.3, 0.8, 2.0, 12.0, 40.0, 200.0])
    target = np.array([0.01, 50.0, 0.2, 300.0, 41.0, 10.0])
    sme = production.hire(L, target, 0.3, 0.25)
    for z in (1.0, 3.7, 15.5):
        np.testing.assert_allclose(production.hire(z * L, z * target, 0.3, 0.25, z), z * sme, rtol=1e-12)
    assert np.array_equal(production.hire(L, target, 0.3, 0.25, 1.0), sme)


def test_the_spinoff_hazard_reads_the_parent_in_plants():
    """A parent of z L workers in an industry of plants z times the SME's spawns spin-offs at the hazard
    of an SME of L workers (model.demography.spinoff_parents; same uniform draws): a spin-off founds a
    plant of its industry. Read in workers (the former rule) every auto-parts plant of 229 workers sat
    at the hazard's cap, five times spinoff_rate."""
    workers = np.random.default_rng(1).lognormal(2.5, 0.9, 4000)
    profit = np.random.default_rng(2).normal(0.1, 1.0, 4000)
    sme = demography.spinoff_parents(np.random.default_rng(5), profit, workers, resolve_params({}))
    assert 0 < sme.sum() < len(sme)
    for z in (3.7, 15.5):
        p = resolve_params({"plant_scale": z})
        np.testing.assert_array_equal(demography.spinoff_parents(np.random.default_rng(5), profit, z * workers, p), sme)
    # a stage of plants z_s times the SME's (stage_scale: a dyeing works dyes the cloth of ten garment
    # makers) is read the same way, stage by stage
    plant = np.random.default_rng(4).choice([1.0, 0.9, 10.0, 127.0], len(workers))
    p = resolve_params({})
    np.testing.assert_array_equal(demography.spinoff_parents(np.random.default_rng(5), profit, plant * workers, p, plant),
                                  sme)


def test_a_spinoff_founds_a_plant_of_its_industry():
    """A spin-off's founding staff, capital and cash are its stage's plant size (plant_scale × stage_scale)
    times an SME spin-off's (as an entrant's are: agents/life_cycle.py `enter`), at most
    spinoff_staff_share of its parent. Staff at initial_workers × plant (`founding_at_optimum` 0; with 1,
    the default, at the plant's optimum: tests/test_founding.py)."""
    for z in (1.0, 10.0):
        m = load_scenario("baseline").with_overrides(width=20, height=20, n_firms=20, n_suppliers=40, plant_scale=z,
                                                     spinoff_rate=1.0, stage_scale=[1.0, 3.0, 0.5],
                                                     founding_at_optimum=0).build(seed=3)
        m.step()                              # profits of a quarter (spin-offs come from the profitable)
        pop, p = m.population, m.params
        before = set(pop.live.tolist())
        workforce = pop.workers[pop.live].sum()
        pop.spin_off(m.quarter)
        born = [r for r in pop.live.tolist() if r not in before]
        assert born
        assert np.isclose(pop.workers[pop.live].sum(), workforce)      # the parents' staff moved
        plant = m.stage_scale[pop.stage[born].astype(int)]
        assert len(set(plant.tolist())) > 1 and np.allclose(m.stage_scale[:3] / z, [1.0, 3.0, 0.5])
        assert (pop.workers[born] <= p["initial_workers"] * plant * (1 + 1e-12)).all()
        np.testing.assert_allclose(pop.capital[born], p["initial_capital"] * plant)


# NDRC / State Information Centre (2008): 1.75 million workers in 7,580 above-scale auto-parts enterprises
AUTO_PARTS_PLANT = 1.75e6 / 7580


def test_jiangxis_parts_makers_start_at_the_sourced_auto_parts_plant_size():
    """scenarios/jiangxi_auto_hub.toml sets plant_scale so that the start's parts makers (the suppliers)
    average ≈ 231 workers, the sourced plant of China's auto-parts industry. The start is the model's
    (optimal sizes at the start's prices, agents/start.py), so a change elsewhere can move it: the former
    plant_scale 15.5 gave 229 when set and 172 after the assemblers took the declared technology. The mean
    over seeds 0-9 at quarter 0 (239; seeds 0-19: 232 ± 35) must stay within 15% of the figure,
    and halve with plant_scale."""
    scenario = load_scenario("jiangxi_auto_hub")

    def parts_makers(z=None, seeds=10):
        means = []
        for seed in range(seeds):
            m = (scenario if z is None else scenario.with_overrides(plant_scale=z)).build(seed=seed)
            pop = m.population
            live = pop.live
            sup = ~pop.is_lead[live] & (pop.stage[live] < m.params["n_stages"])
            means.append(pop.workers[live][sup].mean())
        return float(np.mean(means))

    start = parts_makers()
    assert abs(start / AUTO_PARTS_PLANT - 1) < 0.15, start
    assert parts_makers(scenario.params["plant_scale"] / 2, 3) < 0.6 * start    # the figure is plant_scale's doing
