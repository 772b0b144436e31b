"""Agglomeration economies and congestion.

Nearby employment of the cluster industry, E(c) = Σ_{c'} exp(−d/λ) L(c'), raises productivity
(shared inputs, matching, knowledge in the air; Marshall 1890) with diminishing returns,

    m_agg(c) = 1 + a · ln(1 + E(c) / E0),

and raises land rent (congestion),

    rent(c) = r0 · (1 + c · E(c) / E_c).

Location choice trades the two off, together with wages (labour) and freight (transport):
Weber's three location factors.
"""

from __future__ import annotations

import numpy as np


def productivity_gain(employment_near: np.ndarray, strength: float, scale: float) -> np.ndarray:
    """Marshallian gain m_agg = 1 + a · ln(1 + E / scale) per cell ((W, H) or any shape; E in workers)."""
    return 1.0 + strength * np.log1p(employment_near / scale)


def land_rent(employment_near: np.ndarray, base_rent: float, congestion: float, scale: float) -> np.ndarray:
    """Land rent r0 · (1 + c · E / scale) per cell (units/quarter; E nearby workers, any shape)."""
    return base_rent * (1.0 + congestion * employment_near / scale)
