"""The cluster model: parameters, invariants, reproducibility and the public API."""

import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mesa.discrete_space import OrthogonalMooreGrid

from agents import Firm, Government, Supplier
from model import LEVERS, PARAMS, ClusterModel
from model.fields import KernelConvolution, convolve_naive, decay_kernel
from model.params import resolve_params
from model.space import ClusterGrid

SMALL = dict(width=40, height=40, n_firms=40, n_suppliers=80, region_size=8)


def test_parameters_have_documentation_and_valid_defaults():
    for p in PARAMS.values():
        assert p.unit and p.meaning and p.section
    resolve_params({})  # every default is within its own range


def test_unknown_parameter_is_refused_with_a_suggestion():
    with pytest.raises(ValueError, match="did you mean 'spillover'"):
        ClusterModel(seed=1, spilover=0.1)


@pytest.mark.parametrize("name,value", [("width", 3), ("tax_rate", 2.0), ("location_choice", "nearest"),
                                        ("n_firms", 1.5), ("spillover", "high")])
def test_out_of_range_or_wrong_type_is_refused(name, value):
    with pytest.raises(ValueError, match=name):
        ClusterModel(seed=1, **{name: value})


def test_required_public_api():
    m = ClusterModel(seed=1, owner_exit=0, **SMALL)   # every plant drawn opens (owners' rule: test_owner_exit.py)
    assert isinstance(m.grid, OrthogonalMooreGrid) and m.grid.width == 40
    for layer in ("infrastructure", "park", "rent", "pollution"):
        assert getattr(m.grid, layer).data.shape == (40, 40)
    assert len(m.agents_by_type[Firm]) == 40 and len(m.agents_by_type[Supplier]) == 80
    assert len(m.agents_by_type[Government]) == 1
    firm = m.agents_by_type[Firm].to_list()[0]
    for attr in ("knowledge", "workers", "output", "cash", "capital", "cell", "is_lead"):
        assert hasattr(firm, attr)
    assert m.agents_by_type[Supplier].to_list()[0].stage in range(m.params["n_stages"])
    assert m.region_of((0, 0)) == 0 and m.region_of((39, 39)) == 24
    m.run(3)
    assert m.steps == 3 and len(m.results()) == 4
    g = m.supply_network
    assert isinstance(g, nx.DiGraph)
    for _, _, data in g.edges(data=True):
        assert data["volume"] >= 0 and 0 <= data["trust"] <= 1


def test_agent_attributes_are_views_of_the_column_store():
    m = ClusterModel(seed=1, **SMALL)
    firm = m.agents_by_type[Firm].to_list()[0]
    firm.knowledge = 2.5
    assert m.population.knowledge[firm.row] == 2.5
    assert (m.population.x[firm.row], m.population.y[firm.row]) == firm.cell.coordinate


def test_cluster_grid_links_cells_like_mesa():
    import random

    ours = ClusterGrid((7, 5), random=random.Random(1))
    mesa = OrthogonalMooreGrid((7, 5), random=random.Random(1))
    for cell in mesa.all_cells:
        coord = cell.coordinate
        theirs = {k: c.coordinate for k, c in cell.connections.items()}
        assert {k: c.coordinate for k, c in ours[coord].connections.items()} == theirs


@pytest.mark.parametrize("radius,decay", [(1, 1.0), (3, 2.0), (5, 0.5)])
def test_fft_fields_equal_direct_neighbour_sums(radius, decay):
    rng = np.random.default_rng(radius)
    values = rng.random((23, 17)) * (rng.random((23, 17)) < 0.3)
    kernel = decay_kernel(radius, decay)
    fast = KernelConvolution(values.shape, kernel)(values)
    np.testing.assert_allclose(fast, convolve_naive(values, kernel), atol=1e-10)


# --- invariants under random parameters -------------------------------------------------------

@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_firms=st.integers(0, 40),
    n_suppliers=st.integers(0, 60),
    n_lead=st.integers(0, 2),
    spill=st.floats(0, 0.5),
    agglo=st.floats(0, 1),
    tax=st.floats(0, 0.5),
    spend=st.floats(0, 200),
    budget=st.floats(0, 500),
    choice=st.sampled_from(["utility", "random"]),
)
def test_invariants_hold_every_step(seed, n_firms, n_suppliers, n_lead, spill, agglo, tax, spend, budget, choice):
    m = ClusterModel(seed=seed, width=30, height=30, n_firms=n_firms, n_suppliers=n_suppliers,
                     n_lead_firms=n_lead, spillover=spill, agglomeration=agglo, tax_rate=tax,
                     tech_centre=spend, training=spend, infrastructure=spend, rd_subsidy=0.5,
                     investment_attraction=spend, brand_promotion=spend, association=spend,
                     park_subsidy=0.5, environmental_regulation=0.5, ip_protection=0.5,
                     gov_initial_budget=budget, location_choice=choice, parks=[(15, 15, 3)])
    previous_budget = m.government.budget
    for _ in range(6):
        m.step()
        pop, gov = m.population, m.government
        live = pop.live
        # agents stay on the grid and their cells match the column store
        assert ((pop.x[live] >= 0) & (pop.x[live] < 30) & (pop.y[live] >= 0) & (pop.y[live] < 30)).all()
        for row in live[:50]:
            assert pop.agent[row].cell.coordinate == (pop.x[row], pop.y[row])
        assert (pop.workers[live] >= 0).all() and (pop.capital[live] >= 0).all()
        assert np.isfinite(pop.knowledge[live]).all() and (pop.knowledge[live] > 0).all()
        # the supply network holds only live agents
        uids = set(pop.uid[live].tolist())
        assert set(m.supply_network.nodes) == uids
        assert pop.alive[m.network.src].all() and pop.alive[m.network.dst].all()
        # budget identity, and never spending money it does not have
        assert gov.spending <= previous_budget + 1e-9
        assert gov.budget == pytest.approx(previous_budget + gov.revenue + gov.transfers - gov.spending
                                           - gov.remittance - gov.public_service, abs=1e-9)
        assert gov.budget >= -1e-9
        previous_budget = gov.budget
    df = m.results()
    assert np.allclose(df.gov_budget.diff()[1:], (df.gov_revenue + df.gov_transfers - df.gov_spending
                                                  - df.gov_remittance - df.gov_public_service)[1:])
    spend_cols = [c for c in df.columns if c.startswith("spend_")]
    assert np.allclose(df[spend_cols].sum(axis=1), df.gov_spending)


# --- reproducibility ---------------------------------------------------------------------------

def test_same_seed_same_table_different_seed_different():
    a = ClusterModel(seed=7, **SMALL).run(10).results()
    b = ClusterModel(seed=7, **SMALL).run(10).results()
    c = ClusterModel(seed=8, **SMALL).run(10).results()
    assert a.equals(b)
    assert not a.equals(c)


def test_same_seed_same_table_in_another_process():
    code = ("from model import ClusterModel; import hashlib;"
            "df = ClusterModel(seed=5, width=40, height=40, n_firms=40, n_suppliers=80).run(8).results();"
            "print(hashlib.sha256(df.to_csv().encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
               for _ in range(2)}
    here = ClusterModel(seed=5, width=40, height=40, n_firms=40, n_suppliers=80).run(8).results()
    import hashlib

    digests.add(hashlib.sha256(here.to_csv().encode()).hexdigest() + "\n")
    assert len(digests) == 1


def test_lever_changes_take_effect_at_the_next_step_and_are_recorded():
    m = ClusterModel(seed=1, **SMALL)
    m.run(2)
    m.set_lever("tech_centre", 40.0)
    assert m.levers()["tech_centre"] == 40.0
    m.step()
    assert m.results().spend_tech_centre.iloc[-1] > 0
    assert m.government.lever_changes == [(2, "tech_centre", 40.0)]
    with pytest.raises(ValueError, match="not a policy lever"):
        m.set_lever("width", 10)
    with pytest.raises(ValueError, match="did you mean 'training'"):
        m.set_lever("trainig", 1.0)
    # the closest lever, not the closest parameter (was "did you mean 'brand_decay'?", no lever)
    with pytest.raises(ValueError, match=r"'brand': not a policy lever \(did you mean 'brand_promotion'\?\); allowed: tax_rate"):
        m.set_lever("brand", 1.0)


def test_policy_schedule_changes_levers_at_its_step():
    m = ClusterModel(seed=1, policy_schedule=[(3, "brand_promotion", 25.0)], **SMALL)
    m.run(4)
    spend = m.results().spend_brand_promotion
    assert spend.iloc[1:3].eq(0).all() and spend.iloc[3] == pytest.approx(25.0)
    with pytest.raises(ValueError, match="not a policy lever"):
        ClusterModel(seed=1, policy_schedule=[(3, "brand", 25.0)], **SMALL)


def test_levers_list_matches_parameter_sections():
    assert set(LEVERS) == {n for n, p in PARAMS.items() if p.section == "policy"}


def test_odd_parameter_table_is_current():
    from pathlib import Path

    from model.param_table import BEGIN, END, markdown_table
    from model.params import PARAMS

    doc = Path(__file__).resolve().parents[1].joinpath("docs", "ODD.md").read_text(encoding="utf-8")
    assert doc.split(BEGIN)[1].split(END)[0].strip() == markdown_table(PARAMS.values()).strip()


def test_supply_network_is_handed_out_frozen():
    """Issue 15 item 7: editing the returned graph must not edit the model's cached graph."""
    m = ClusterModel(seed=1, **SMALL).run(1)
    g = m.supply_network
    n, e = g.number_of_nodes(), g.number_of_edges()
    with pytest.raises(nx.NetworkXError):
        g.remove_nodes_from(list(g)[:60])
    node = next(iter(g))
    g.nodes[node]["stage"] = -99
    again = m.supply_network
    assert (again.number_of_nodes(), again.number_of_edges()) == (n, e)
    assert again.nodes[node].get("stage") != -99
    assert isinstance(m.government.schedule, tuple) and isinstance(m.levers(), dict)
    m.levers()["tax_rate"] = 0.5
    assert m.levers()["tax_rate"] == PARAMS["tax_rate"].default


def test_step_runs_the_odd_phases_in_order():
    from model.model import PHASES

    m = ClusterModel(seed=1, **SMALL).run(1)
    assert tuple(m.phase_seconds) == PHASES


def test_thin_agents_read_their_row_and_remove_cuts_ties():
    """Firm/Supplier are views of one row; Supplier.buyers matches the graph; remove() frees the row."""
    m = ClusterModel(seed=1, **SMALL).run(2)
    g = m.supply_network
    supplier = next(a for a in m.enterprises if isinstance(a, Supplier) and g.out_degree(a.unique_id) > 0)
    assert sorted(supplier.buyers) == sorted(g.successors(supplier.unique_id))
    assert supplier.workers == m.population.workers[supplier.row]
    row, n = supplier.row, len(m.population)
    supplier.remove()
    assert not m.population.alive[row] and len(m.population) == n - 1
    assert row not in m.network.src and row not in m.network.dst


def test_founding_a_batch_equals_founding_one_by_one_and_leaving_frees_the_rows():
    """LifeCycle.found_all: the same agents, rows, unique ids, cells, columns and booked founders'
    capital as founding each alone; `leave` of a batch frees the rows in order for reuse."""
    from agents.population import COLUMNS

    def founded(batch: bool):
        m = ClusterModel(seed=3, **SMALL).run(1)
        pop, q = m.population, m.quarter
        pop.leave(pop.live[[2, 7, 5]], q)    # freed rows are reused (LIFO) and zeroed first
        stage = np.array([0, m.params["n_stages"], 1, 1])
        x, y, k = np.array([3, 4, 5, 3]), np.array([1, 2, 3, 1]), np.array([0.9, 1.1, 1.2, 0.8])
        cash, subsidy = np.array([2.0, 3.0, 0.5, 1.5]), np.array([0.0, 1.0, 0.25, 0.0])
        args = (stage, x, y, k, k * 10, k * 5, cash, np.array([False, True, False, False]), k / 3)
        if batch:
            pop.found_all(*args, subsidy=subsidy, lines=np.array([1.0, 2.0, 1.0, 3.0]),
                          origin=np.array(["local", "lead", "spinoff", "founder"]))
        else:
            for i, o in enumerate(["local", "lead", "spinoff", "founder"]):
                pop.found_all(*(a[i:i + 1] for a in args), subsidy=subsidy[i:i + 1],
                              lines=np.array([1.0, 2.0, 1.0, 3.0])[i:i + 1], origin=o)
        rows = pop.live
        return ([(a.unique_id, a.row, type(a).__name__, a.cell.coordinate) for a in m.enterprises],
                {c: getattr(pop, c)[rows].tolist() for c in COLUMNS}, q.flows["founders_capital"])

    assert founded(True) == founded(False)


def test_live_rows_are_handed_out_read_only():
    m = ClusterModel(seed=1, **SMALL)
    with pytest.raises(ValueError):
        m.population.live[0] = 5


@pytest.mark.parametrize("shape,radius", [((23, 17), 3), ((50, 50), 5), ((158, 158), 5), ((37, 61), 2)])
def test_fft_fields_equal_scipy_rfft2_irfft2_bit_for_bit(shape, radius):
    """KernelConvolution's axis-by-axis transforms (buffers kept between calls, the inverse real
    transform on the kept rows only) give exactly the numbers of scipy's rfft2 / irfft2 on the
    zero-padded stack, for a stack, a list, a single array, and calls with another layer count."""
    from scipy import fft

    rng = np.random.default_rng(shape[0])
    kernel = decay_kernel(radius, 1.5)
    conv = KernelConvolution(shape, kernel)
    w, h = shape

    def reference(stack):
        padded = np.zeros((len(stack), *conv.fft_shape))
        padded[:, :w, :h] = stack
        spec = fft.rfft2(padded, axes=(-2, -1)) * fft.rfft2(kernel, s=conv.fft_shape)
        out = fft.irfft2(spec, s=conv.fft_shape, axes=(-2, -1))
        return np.maximum(out[:, radius : radius + w, radius : radius + h], 0.0)

    for n in (4, 7, 4):
        stack = rng.random((n, w, h)) * (rng.random((n, w, h)) < 0.3) * 100
        assert np.array_equal(conv(stack), reference(stack))
        assert np.array_equal(conv([stack[0], stack[1:]]), reference(stack))
    single = rng.random(shape)
    assert np.array_equal(conv(single), reference(single[None])[0])
