"""The enterprises' state as columns of numpy arrays (struct of arrays).

Every firm and supplier owns one row. The Mesa agents (`agents.Firm`, `agents.Supplier`) read
and write their row through attribute descriptors, so `firm.knowledge` reads like an ordinary
attribute while the mechanisms update all rows at once with vectorised numpy code. Rows of
exited enterprises are recycled; `live` lists the rows in use, in ascending order.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

KIND_FIRM, KIND_SUPPLIER = 0, 1

COLUMNS: dict[str, type] = {
    "uid": np.int64,          # Mesa unique_id of the agent owning the row
    "kind": np.int8,          # KIND_FIRM or KIND_SUPPLIER
    "stage": np.int16,        # value-chain stage; final producers sit at stage n_stages
    "is_lead": np.bool_,      # lead firm (龙头企业)
    "x": np.int32,
    "y": np.int32,
    "knowledge": np.float64,  # technology / quality level, absolute (frontier starts at 1)
    "novelty": np.float64,    # innovator's temporary price premium (share)
    "workers": np.float64,
    "capital": np.float64,
    "cash": np.float64,       # negative = debt
    "output": np.float64,     # units produced last quarter
    "revenue": np.float64,
    "profit": np.float64,     # after tax
    "expected_profit": np.float64,  # π̄ of the exit rule (agents.expectations): with going_concern_exit last quarter's profit before
                                    # interest at the lasting value v̄; else its profit after interest and tax at the adaptive unit value
    "rd": np.float64,         # R&D spending last quarter
    "input_cost": np.float64,  # cost of inputs last quarter
    "tie_purchases": np.float64,  # value of inputs bought along supply ties last quarter (trade credit's base)
    "unit_value": np.float64,  # net value per unit of output last quarter (price − inputs − freight)
    "value_expectation": np.float64,  # v̄: the net value per unit it expects to last (model.persistence; exit rule)
    "local_input": np.float64,  # input units bought inside the cluster last quarter
    "total_input": np.float64,  # input units needed last quarter
    "emissions": np.float64,
    "lines": np.float64,
    "line_mass": np.float64,  # m: the lines' size in plant-equivalents (model.product_lines.niche_mass; = lines when line_niche is 0)
    "plant_optimum": np.float64,  # own-account optimal workers per plant-equivalent last quarter (L*/m; line_niche)
    "niche_demand": np.float64,     # u: log demand shifter of the firm's niches (model.niche_demand); 0 at entry
    "innovation_type": np.float64,  # θ: multiplier of the line birth (model.firm_types); 0 = not drawn yet
    "exported": np.float64,   # value of last quarter's sales outside the cluster      # product lines / markets the enterprise serves (model.product_lines)
    "loss_streak": np.int32,
    "age": np.int32,          # quarters since entry
    "born": np.int32,         # step of entry
    "origin": np.int8,        # how it came: index into ORIGINS (analysis only; no rule reads it)
}
#: How an enterprise came to the cluster (the `origin` column): the initial population, an ordinary
#: local entrant, a spin-off, an outside SME or lead firm (agents.prospects), a founder with a grant.
ORIGINS = ("initial", "local", "spinoff", "outside", "lead", "founder")


class Population:
    """Column store with row recycling."""

    def __init__(self, capacity: int = 1024):
        self.capacity = max(16, capacity)
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.zeros(self.capacity, dtype=dtype))
        self.alive = np.zeros(self.capacity, dtype=bool)
        # a list, not a numpy object array: the garbage collector cannot see references held in
        # numpy arrays, so agent ↔ model cycles through one would keep every finished model alive
        self.agent: list = [None] * self.capacity
        self._free: list[int] = []
        self._stale: list[int] = []  # freed rows not zeroed yet (zeroed together at the next allocate)
        self._next = 0
        self._live: np.ndarray | None = None

    if TYPE_CHECKING:  # the columns are set from COLUMNS in __init__: one (capacity,) array each
        def __getattr__(self, name: str) -> np.ndarray: ...

    def __len__(self) -> int:
        return int(self.alive.sum())

    @property
    def live(self) -> np.ndarray:
        """Rows in use, ascending (a cached, read-only int array; recomputed after allocate/release)."""
        if self._live is None:
            self._live = np.flatnonzero(self.alive)
            self._live.flags.writeable = False
        return self._live

    def _grow(self, needed: int) -> None:
        new = max(needed, 2 * self.capacity)
        for name in (*COLUMNS, "alive"):
            old = getattr(self, name)
            arr = np.zeros(new, dtype=old.dtype)
            arr[: self.capacity] = old
            setattr(self, name, arr)
        self.agent.extend([None] * (new - self.capacity))
        self.capacity = new

    def allocate(self) -> int:
        """A zeroed row for a new enterprise."""
        if self._free:
            if self._stale:  # recycled rows (fresh rows are zero already): zero all freed at once
                stale = np.array(self._stale)
                for name in COLUMNS:
                    getattr(self, name)[stale] = 0
                self._stale.clear()
            row = self._free.pop()
        else:
            if self._next >= self.capacity:
                self._grow(self._next + 1)
            row = self._next
            self._next += 1
        self.alive[row] = True
        self._live = None
        return row

    def release(self, row: int) -> None:
        """Free `row` (exit): it is zeroed at the next allocation and reused."""
        self.release_rows([row])

    def release_rows(self, rows: list[int]) -> None:
        """`release` each of `rows` in turn (one call for all of a step's exits)."""
        self.alive[rows] = False
        for row in rows:
            self.agent[row] = None
        self._free.extend(rows)
        self._stale.extend(rows)
        self._live = None


class RowRules:
    """Typing base of the rule mixins of `agents.enterprises.Enterprises` (LifeCycle, Prospects):
    declares what they use of the agent set — the model, the rows, the columns and the other
    mixins' methods. Adds nothing at run time."""

    model: Any
    agent: list
    live: np.ndarray
    capacity: int

    if TYPE_CHECKING:  # the columns (COLUMNS) and the methods of the other mixins
        def __getattr__(self, name: str) -> Any: ...


class Column:
    """Descriptor: an agent attribute stored in its row of `model.population`."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return getattr(agent.model.population, self.name)[agent.row].item()

    def __set__(self, agent, value):
        getattr(agent.model.population, self.name)[agent.row] = value


@contextmanager
def gc_paused(collect_above: int = 100_000):
    """Pause Python's cyclic garbage collector while a model creates its many long-lived objects,
    then, if they were many, collect once.

    Building 100,000 agents on a 500 × 500 grid makes about a million objects (cells, their
    dicts, agents) that live as long as the model. While they are made, the collector would
    rescan the growing heap hundreds of times for nothing (a third of the construction time).
    One full collection at the end counts them all as old objects, so that the collector leaves
    them alone until the heap has grown by a quarter, instead of sweeping them in the first
    steps; small models (fewer than `collect_above` new objects) skip it. Usable as a decorator
    (`@gc_paused()`); nested uses act only at the outermost.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if gc.get_count()[0] > collect_above:
                gc.collect()
