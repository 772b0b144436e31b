"""Pollution: emissions from output, abatement under regulation, a decaying pollution stock.

Raw emissions are proportional to output, e_i = ε_s · Q_i, with a much higher intensity in
the dirty stage (dyeing in the Zhejiang textile clusters: ~3% of firms, ~17% of industrial
wastewater). Regulation at level ρ requires abating a share ρ of them; abatement is convex,
cost_i = c_a · ρ² · e_i, and a park's shared treatment plant saves a share of it. The
pollution layer is a stock: P ← (1 − δ_p) P + emitted, cell by cell.
"""

from __future__ import annotations

import numpy as np


def raw_emissions(output, stage, p: dict) -> np.ndarray:
    intensity = p["emission_intensity"] * p["pollution"] * np.where(stage == p["dirty_stage"], p["dirty_multiplier"], 1.0)
    return intensity * output


def abatement(raw, regulation: float, in_park, p: dict):
    """(emitted, abatement cost) given the required abatement share."""
    cost = p["abatement_cost"] * regulation**2 * raw * (1.0 - p["park_treatment"] * in_park)
    return raw * (1.0 - regulation), cost


def accumulate(stock: np.ndarray, emitted_by_cell: np.ndarray, decay: float) -> None:
    stock *= 1.0 - decay
    stock += emitted_by_cell
