"""The indicators the seeds use, computed from model state every quarter.

Each is a small pure function from `model.metrics` applied to arrays read off the model; the
`DataCollector` then records `model.indicators`.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from agents.population import KIND_FIRM
from model import metrics
from model.fields import at, cell_sums
from model.indicator_registry import MODEL_NAMES
from model.space import n_regions, region_index

NAMES = MODEL_NAMES  # declared in model.indicator_registry


@functools.lru_cache(maxsize=16)
def cell_regions(shape: tuple[int, int], region_size: int) -> np.ndarray:
    """Region of every cell, flattened (a constant of the grid: computed once per shape)."""
    xx, yy = np.indices(shape)
    regions = region_index(xx.ravel(), yy.ravel(), region_size, shape[1])
    regions.flags.writeable = False
    return regions


def tie_positions(pop, net) -> tuple[np.ndarray, np.ndarray]:
    """The ties as (supplier, buyer) positions among the live enterprises: the metrics' nodes."""
    position = np.empty(pop.capacity, np.int64)
    position[pop.live] = np.arange(len(pop.live))
    return position[net.src], position[net.dst]


def largest_component_share(pop, net) -> float:
    """`metrics.largest_component_share` of the supply network, computed on the network's own
    sorted ties (rows as nodes; freed rows have no ties) instead of re-sorting them every step."""
    live = pop.live
    if len(live) == 0:
        return 0.0
    by_src, out_ptr, _, _ = net.adjacency(pop.capacity)
    ties = sp.csr_array((np.ones(len(net), np.int8), net.dst[by_src], out_ptr), shape=(pop.capacity,) * 2)
    _, component = connected_components(ties, directed=True, connection="weak")
    return float(np.bincount(component[live]).max() / len(live))


def network_indicators(pop, net) -> dict:
    """Density, clustering and largest-component share of the supply network over the live rows."""
    n = len(pop.live)
    out = {"network_density": metrics.network_density(n, len(net))}
    # A tie joins a stage s−1 supplier to a stage s buyer: with stage parity as the two sides the
    # graph is bipartite (no triangles, so triangle clustering is 0 by construction); its
    # clustering is then the bipartite (Robins–Alexander, squares) coefficient. Checked, not assumed.
    even = pop.stage % 2 == 0
    bipartite = bool(np.all(even[net.src] != even[net.dst]))
    if bipartite:   # the biadjacency read off the network's sorted ties (the nodes as numbered by tie_positions)
        B = net.biadjacency(pop.capacity, even, pop.alive)   # every live row is a row or a column of B
        out["network_clustering"] = metrics.bipartite_clustering_biadjacency(B)
        out["largest_component_share"] = metrics.largest_component_share_biadjacency(B)
    else:
        out["network_clustering"] = metrics.average_clustering(*tie_positions(pop, net), n)
        out["largest_component_share"] = largest_component_share(pop, net)
    return out


def spatial_indicators(p: dict, labour_supply, x, y, stage, workers) -> dict:
    """Ellison–Glaeser γ over regions (labour supply as the expected shares), the largest location
    quotient and Moran's I of enterprise counts per cell (arrays over the live enterprises)."""
    shape = (p["width"], p["height"])
    rs = p["region_size"]
    n_reg = n_regions(*shape, rs)
    region = region_index(x, y, rs, p["height"])
    labour = np.bincount(cell_regions(shape, rs), labour_supply.ravel(), n_reg)
    out = {}
    if len(x) >= 2 and workers.sum() > 0:
        out["ellison_glaeser"] = metrics.ellison_glaeser(workers, region, labour / labour.sum())
        # employment by region × stage (a bincount: the same sums in the same order as np.add.at, 5× faster)
        width = p["n_stages"] + 1
        emp = np.bincount(region * width + stage, workers, n_reg * width).reshape(n_reg, width)
        out["max_lq"] = float(metrics.location_quotient(emp).max())
    else:
        out["ellison_glaeser"], out["max_lq"] = float("nan"), 0.0
    out["morans_i"] = metrics.morans_i(cell_sums(x, y, None, shape))
    return out


def compute(model) -> dict:
    """Every model indicator of `model.indicator_registry` (and spend_<lever>) from the model's
    current state, as {name: float or int}; undefined values (e.g. Ellison–Glaeser with one
    enterprise) are NaN."""
    p, pop, net, gov = model.params, model.population, model.network, model.government
    live = pop.live
    kind, stage, workers = pop.kind[live], pop.stage[live], pop.workers[live]
    x, y = pop.x[live], pop.y[live]
    firm = kind == KIND_FIRM
    lead = pop.is_lead[live]
    out = {
        "firms": int(firm.sum()),
        "suppliers": int((~firm).sum()),
        "lead_firms": int(lead.sum()),
        "births": model.counts["births"],
        "spinoffs": model.counts["spinoffs"],
        "exits": model.counts["exits"],
        "innovations": model.counts["innovations"],
        "employment": float(workers.sum()),
        "price": model.price,
        "frontier": model.frontier,
    }
    wages = at(model.fields["wage"], x, y)
    out["mean_wage"] = float(np.average(wages, weights=workers)) if workers.sum() > 0 else float(p["base_wage"])
    k = pop.knowledge[live]
    out["mean_knowledge"] = float(k.mean()) if len(k) else 0.0
    out["knowledge_gini"] = metrics.gini(k)
    buyer = stage >= 1
    out["local_sourcing_share"] = metrics.local_sourcing_share(pop.local_input[live][buyer], pop.total_input[live][buyer])
    out["lead_local_sourcing_share"] = metrics.local_sourcing_share(pop.local_input[live][lead], pop.total_input[live][lead])

    out.update(network_indicators(pop, net))
    out.update(spatial_indicators(p, model.labour_supply, x, y, stage, workers))
    sales = pop.revenue[live][firm]
    out["hhi"] = metrics.herfindahl(sales)
    out["cr4"] = metrics.concentration_ratio(sales, 4)

    # national accounts (model.accounts): "output" is value added, the cluster's GDP
    q = model.quarter
    acc = q.production_accounts or dict.fromkeys(
        ("value_added", "gross_output", "final_sales", "wage_bill", "operating_surplus", "taxes"), 0.0)
    out.update(acc)
    out["output"] = acc["value_added"]
    out["exports"] = q.flows.get("final_sales", 0.0) + q.flows.get("intermediate_exports", 0.0)
    out["imports"] = q.flows.get("imports", 0.0)
    out["gov_transfers"] = gov.transfers
    out["gov_remittance"] = gov.remittance
    out["gov_public_service"] = gov.public_service
    out["sfc_residual"] = q.sfc_residual
    out["gov_budget"] = gov.budget
    out["gov_revenue"] = gov.revenue
    out["gov_spending"] = gov.spending
    for lever, spent in gov.spending_by_lever.items():
        out[f"spend_{lever}"] = spent
        out[f"requested_{lever}"] = gov.requested[lever]
        out[f"funded_{lever}"] = gov.granted[lever]
    out["pollution"] = float(pop.emissions[live].sum())
    out["compliance"] = model.compliance
    return {key: (float(v) if isinstance(v, (np.floating, np.integer)) else v) for key, v in out.items()}
