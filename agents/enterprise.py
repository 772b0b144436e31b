"""Firms and suppliers: Mesa cell agents whose state lives in the model's column store.

The quarterly behaviour every enterprise shares (hiring, producing, buying inputs, learning,
R&D) is computed for all of them at once by the mechanism modules in `model/`; the agent
objects carry identity, place and the discrete life events: founding, moving, exiting.
"""

from __future__ import annotations

from mesa.discrete_space import CellAgent

from agents.population import KIND_FIRM, KIND_SUPPLIER, Column


class Enterprise(CellAgent):
    """A producing enterprise on the grid (common base of Firm and Supplier)."""

    kind = -1
    knowledge = Column()     # technology / quality level (frontier = 1 at the start)
    workers = Column()
    capital = Column()
    cash = Column()          # negative = debt
    output = Column()
    revenue = Column()
    profit = Column()
    rd = Column()
    novelty = Column()
    loss_streak = Column()
    age = Column()
    stage = Column()
    is_lead = Column()

    def __init__(self, model, cell, **columns):
        """A new enterprise over a fresh row of `model.population`, at `cell`. `columns`: the
        values of its row (stage, knowledge, workers, capital, cash, is_lead, …); columns not
        given stay 0 (LifeCycle.found_all writes a batch of founders' columns at once)."""
        super().__init__(model)
        pop = model.population
        self.row = pop.allocate()
        pop.agent[self.row] = self
        pop.uid[self.row] = self.unique_id
        pop.kind[self.row] = self.kind
        pop.born[self.row] = model.steps
        pop.lines[self.row] = pop.line_mass[self.row] = 1.0
        for name, value in columns.items():
            getattr(pop, name)[self.row] = value
        self.move_to(cell)

    def move_to(self, cell) -> None:
        """Occupy `cell` (entry or relocation)."""
        self.cell = cell
        x, y = cell.coordinate
        self.model.population.x[self.row] = x
        self.model.population.y[self.row] = y

    def remove(self) -> None:
        """Exit: cut every supply tie, then leave."""
        self.model.network.drop_rows([self.row])
        self.leave()

    def leave(self) -> None:
        """Free the row, leave the grid and the model (ties already cut)."""
        self.model.population.release(self.row)
        self.vacate()

    def vacate(self) -> None:
        """Leave the grid and the model (Mesa's CellAgent.remove); the row is the caller's to free."""
        super().remove()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(id={self.unique_id}, stage={self.stage}, "
                f"at={self.cell.coordinate}, knowledge={self.knowledge:.3f}, workers={self.workers:.1f})")


class Firm(Enterprise):
    """Final producer (最终企业): sells to outside markets, buys from last-stage suppliers.

    A lead firm (龙头企业, `is_lead`) is a large final producer near the technology frontier
    that spends more on R&D, so it innovates rarely but in big jumps.
    """

    kind = KIND_FIRM


class Supplier(Enterprise):
    """Intermediate producer (中间企业) of one value-chain stage (`stage` 0 … n_stages−1).

    It sells to buyers of the next stage (or to final firms) and buys from the stage before.
    """

    kind = KIND_SUPPLIER

    @property
    def buyers(self) -> list[int]:
        """unique_ids of the enterprises this supplier sells to."""
        return self.model.network.buyers_of(self.row, self.model.population)
