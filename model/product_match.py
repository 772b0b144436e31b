"""Product match between stages: which of a buyer's inputs a local supplier can make for it.

A buyer's inputs are of two kinds (Rauch 1999; Nunn 2007). A share 1 − ς are *standard*
goods, made to a common specification and traded on a market (the town's raw-material market,
a dealer): any local supplier of the stage before makes them, so they are bought along ties
or on the local spot market. A share ς = `specific_input_share` are *specific* to the buyer
(its key parts, 关键零部件: made to its design): a supplier makes them only after a
relationship-specific investment in the buyer's specification, and it invests as far as the
relationship is secure against hold-up (Klein, Crawford & Alchian 1978; Williamson 1985) —
here as far as it trusts the buyer. A supplier on tie j of trust τ_j can therefore supply the
share m_j = 1 − ς + ς τ_j of what the buyer orders from it, and the buyer's ties together

    m_b = Σ_j w_j m_j = 1 − ς + ς Σ_j w_j τ_j,        w_j = (τ_j + o) / Σ_k (τ_k + o),

the order weights of `model.supply_network.SupplyNetwork.trade` (o = `order_trust_offset`). What the ties leave of the
standard share, (1 − ς) Q_b − (standard part of the tie purchases), can be bought on the spot
market; the specific share nobody local is tied to make is imported. Trust grows with trade
and faster with an industry association (`model.supply_network`), so ties, the association and
time raise the match: co-located but unlinked firms (扎堆, the Hunan seeds) buy their key parts
outside even when local suppliers of the stage have output to spare. ς = 0 switches the
mechanism off (every input standard).
"""

from __future__ import annotations

import numpy as np


def tie_match(specific_share: float, trust, dst, n_rows: int, offset: float = 0.1) -> np.ndarray:
    """m_b = 1 − ς + ς Σ_j w_j τ_j per row (shape (n_rows,)): the share of a buyer's input need its
    ties can supply (1 − ς for a row without ties). trust, dst: per-tie arrays (trust 0–1, buyer
    row); offset: the order weights' trust offset o (`order_trust_offset`). Raises ValueError unless
    0 ≤ ς ≤ 1."""
    if not 0.0 <= specific_share <= 1.0:
        raise ValueError(f"specific_input_share must be in [0, 1], got {specific_share!r}")
    if specific_share == 0.0:   # every input standard: 1 − 0 + 0 · mean trust, without the per-tie sums
        return np.ones(n_rows)
    trust, dst = np.asarray(trust, float), np.asarray(dst, np.int64)
    weight = trust + offset
    total = np.bincount(dst, weight, n_rows)
    mean_trust = np.bincount(dst, weight * trust, n_rows) / np.where(total > 0, total, 1.0)
    return 1.0 - specific_share + specific_share * mean_trust


def spot_need(need, bought, match, specific_share: float) -> np.ndarray:
    """Standard need left after the ties, max(0, (1 − ς) Q − b (1 − ς) / m) per buyer (arrays of one
    shape; Q the need, b bought along ties, m = `tie_match`): ties fill a buyer's standard and
    specific inputs in proportion to what they can supply of each, and only the standard rest
    can be bought on the spot market."""
    standard = 1.0 - specific_share
    bought_standard = np.asarray(bought, float) * standard / np.maximum(np.asarray(match, float), 1e-12)
    return np.maximum(standard * np.asarray(need, float) - bought_standard, 0.0)
