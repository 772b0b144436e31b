"""The benchmark model (experiments.bench): every mechanism on and an active government, on a grid
that grows with the number of agents at a fixed density (a bigger province, not a more crowded
one): 1,000 → 50 × 50, 10,000 → 158 × 158, 100,000 → 500 × 500.
"""

from __future__ import annotations

import math

DENSITY = 0.4            # enterprises per cell: 100,000 on 500 × 500


def side_for(n: int) -> int:
    return max(10, round(math.sqrt(n / DENSITY)))


def check_size(n: int, option: str = "--sizes") -> None:
    """ValueError unless a model of `n` agents can be built (≥ 50, within model.params and feasibility)."""
    from model.params import resolve_params

    try:
        if n < 50:
            raise ValueError("fewer than 50 agents")
        resolve_params(bench_params(n))
    except ValueError as exc:
        raise ValueError(f"{option}: no benchmark model of {n:,} agents ({exc}); allowed: 50 to about "
                         f"{int(DENSITY * 2000**2):,} agents (a grid of at most 2000 × 2000)") from None


def bench_params(n: int) -> dict:
    """Parameters of the benchmark model with n enterprises: all mechanisms, an active government."""
    side = side_for(n)
    leads = max(1, n // 2000)
    firms = n // 3 - leads
    scale = n / 1000  # programme budgets grow with the cluster
    return dict(
        width=side, height=side, n_lead_firms=leads, n_firms=firms, n_suppliers=n - firms - leads,
        initial_spread=1.0, dirty_stage=1,
        parks=[[side // 2, side // 2, max(2, side // 25)], [side // 4, 3 * side // 4, max(2, side // 40)],
               [3 * side // 4, side // 4, max(2, side // 40)]],
        roads=[[0, side // 2, side - 1, side // 2, 0.8], [side // 2, 0, side // 2, side - 1, 0.8]],
        gov_initial_budget=200.0 * scale,
        rd_subsidy=0.2, tech_centre=4.0 * scale, training=4.0 * scale, infrastructure=2.0 * scale,
        university_links=2.0 * scale, credit_guarantee=2.0 * scale, entrepreneurship=2.0 * scale,
        investment_attraction=2.0 * scale, recruit_lead_share=0.2, brand_promotion=1.0 * scale,
        market_building=1.0 * scale, association=10.0, ip_protection=0.5, environmental_regulation=0.3,
        park_subsidy=0.3,
    )


def build(n: int, seed: int = 1):
    from model.model import ClusterModel

    return ClusterModel(seed=seed, **bench_params(n))
