"""Measures: one number per run read off its indicator time series, for objectives, constraints
and success rules (`clusterlab optimise`, `clusterlab discover`).

A measure is an indicator, how it is summarised, and up to which quarter:

    how = "value"    x_q                                   (e.g. local sourcing share at quarter 40)
    how = "sum"      Σ_{t=1..q} x_t                        (cumulative: spending over ten years)
    how = "mean"     (1/q) Σ_{t=1..q} x_t
    how = "growth"   100 · ((x_q / x_1)^(4/(q−1)) − 1)     annual growth in % from the first quarter

q is the given quarter, or the last quarter of the run. Row 0 (the initial state, before any
trade) is never used: flows are empty there, so every measure starts at quarter 1.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOWS = ("value", "sum", "mean", "growth")
OPS = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True)
class Measure:
    """One number per run: `how` of `indicator` up to `quarter` (None: the run's last quarter)."""

    indicator: str
    how: str = "value"
    quarter: int | None = None

    @property
    def label(self) -> str:
        text = self.indicator if self.how == "value" else f"{self.how}_{self.indicator}"
        return text if self.quarter is None else f"{text}_q{self.quarter}"

    @property
    def unit(self) -> str:
        """Its unit, from the indicator's in the registry: a sum of a per-quarter flow drops
        '/quarter' (spending over ten years is in units), a sum of anything else is × quarters, a
        growth is % a year; '' for an indicator without a declared unit."""
        from model.indicator_registry import INDICATORS

        unit = INDICATORS[self.indicator].unit if self.indicator in INDICATORS else ""
        if self.how == "growth":
            return "% a year"
        if self.how != "sum" or not unit:
            return unit
        return unit.removesuffix("/quarter") if unit.endswith("/quarter") else f"{unit} × quarters"

    @property
    def titled(self) -> str:
        """The label with its unit, for axes and tables: 'sum_gov_spending [units]'."""
        return f"{self.label} [{self.unit}]" if self.unit else self.label

    def of(self, series: pd.DataFrame) -> float:
        """The measure of one run; `series` is indexed by step (0..T) with one column per indicator.

        Raises KeyError for an indicator the run did not keep, ValueError for a quarter past its end.
        """
        x = series[self.indicator]
        q = int(series.index.max()) if self.quarter is None else self.quarter
        if q > series.index.max() or q < 1:
            raise ValueError(f"{self.label}: quarter {q} is outside the run (1..{int(series.index.max())})")
        window = x.loc[1:q].to_numpy(float)
        if self.how == "value":
            return float(window[-1])
        if self.how == "sum":
            return float(window.sum())
        if self.how == "mean":
            return float(window.mean())
        return annual_growth(window[0], window[-1], q - 1)


def annual_growth(first: float, last: float, quarters: int) -> float:
    """Annual growth in % between two values `quarters` apart (NaN if undefined)."""
    if quarters <= 0 or not first > 0 or not last >= 0:
        return float("nan")
    return float(100.0 * ((last / first) ** (4.0 / quarters) - 1.0))


@dataclass(frozen=True)
class Condition:
    """measure op bound, e.g. local sourcing share at quarter 40 >= 0.6."""

    measure: Measure
    op: str
    bound: float

    @property
    def label(self) -> str:
        return f"{self.measure.label} {self.op} {self.bound:g}"

    def holds(self, value) -> np.ndarray | bool:
        """True where the condition holds (NaN never holds)."""
        return OPS[self.op](np.asarray(value, float), self.bound)

    def violation(self, value) -> np.ndarray | float:
        """g ≤ 0 where the condition holds (pymoo's convention for inequality constraints)."""
        value = np.asarray(value, float)
        return self.bound - value if self.op == ">=" else value - self.bound


def table(series: pd.DataFrame, measures) -> pd.DataFrame:
    """One row per run_id of a tidy series table (run_id, step, indicators), one column per measure."""
    rows = {}
    for run_id, one in series.groupby("run_id", sort=True):
        one = one.set_index("step").sort_index()
        rows[run_id] = {m.label: m.of(one) for m in measures}
    return pd.DataFrame.from_dict(rows, orient="index")
