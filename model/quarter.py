"""What one quarter's phases hand to each other and to the indicators: an explicit record.

A fresh `Quarter` is made at the start of every step (`ClusterModel.step`); each phase writes
what later phases or the indicators read, so no state travels between phases in private
attributes. Arrays are aligned with `rows`, the live rows of the enterprise column store when
production ran (no enterprise enters or exits between production and the exit phase).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Quarter:
    """One quarter's record (counts in enterprises or events, arrays per live row)."""

    step: int = 0
    births: int = 0        # local entrants, programme entrants and spin-offs
    spinoffs: int = 0
    exits: int = 0
    line_exits: int = 0    # of which: enterprises whose last product line was taken (model.product_lines)
    at_risk: int = 0       # enterprises alive when the exit phase began (the exit hazard's denominator)
    newborn_exits: int = 0  # of the exits: enterprises founded this quarter (not at risk: outside the hazard)
    innovations: int = 0
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rd_share: np.ndarray = field(default_factory=lambda: np.zeros(0))      # R&D share of value added (model.innovation)
    credit_limit: np.ndarray | None = None                                # units; None before production
    typical: list | None = None   # founders' net value per unit by stage (LifeCycle.typical_unit_values), once computed
    interest: np.ndarray = field(default_factory=lambda: np.zeros(0))      # units; on the debt the quarter began with
    # money flows with the rest of the world this quarter (model.accounts.FLOWS names them), the
    # sectors' stocks when the quarter began, and the production accounts (model.accounts)
    flows: dict = field(default_factory=dict)
    stocks_before: dict = field(default_factory=dict)
    production_accounts: dict = field(default_factory=dict)
    sfc_residual: float = 0.0

    def book(self, **flows: float) -> None:
        """Add money flows (model currency) to this quarter's ledger."""
        for name, value in flows.items():
            self.flows[name] = self.flows.get(name, 0.0) + float(value)

    @property
    def counts(self) -> dict:
        """The event counts as {"births", "spinoffs", "exits", "innovations"}."""
        return dict(births=self.births, spinoffs=self.spinoffs, exits=self.exits, innovations=self.innovations)
