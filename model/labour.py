"""The local labour pool: commuting labour markets, wages and migration.

Workers commute within the kernel radius, so the relevant labour market of a cell is its
distance-weighted neighbourhood. With D̃ and S̃ the kernel-smoothed labour demand (workers
employed) and supply (residents able to work), the wage is

    w(c) = w0 · (1 + e · D̃(c) / S̃(c)),

w0 being the reservation wage of rural surplus labour (Lewis): where jobs are scarce relative
to people, wages stay at w0; a dense cluster bids them up (congestion). Migrants follow jobs:
each quarter the supply of a cell grows by `migration` × its excess demand, which deepens the
pool (Marshall's labour pooling) and eases wages again over time.
"""

from __future__ import annotations

import numpy as np


def initial_supply(shape, labour_density: float, plant_scale: float) -> np.ndarray:
    """Residents able to work per cell at the start, (W, H): labour_density × plant_scale (workers).

    `labour_density` is the local labour pool in SME workforces' worth of workers per cell (set on
    SME clusters); an industry of plants `plant_scale` times larger recruits from a pool as many
    times deeper: its plants hire migrants and house them in dormitories on site (the dormitory
    labour regime: Pun & Smith 2007, Work, Employment and Society 21), so the pool a plant draws on
    is sized by its hiring, not by the township's residents, and tightness D/S (`wage_field`)
    compares like with like. The identity at plant_scale 1."""
    return np.full(shape, labour_density * plant_scale)


def wage_field(demand_near: np.ndarray, supply_near: np.ndarray, base_wage: float, elasticity: float) -> np.ndarray:
    """Wage per cell: w0 · (1 + e · nearby labour demand / nearby supply) (units/worker/quarter; Lewis:
    the base wage while surplus labour lasts)."""
    tightness = demand_near / np.maximum(supply_near, 1e-9)
    return base_wage * (1.0 + elasticity * tightness)


def migrate(supply: np.ndarray, demand: np.ndarray, rate: float) -> None:
    """S += rate · max(0, D − S), in place."""
    supply += rate * np.maximum(0.0, demand - supply)
