"""Every indicator, declared once: name, label, unit, kind and the function that computes it.

The DataCollector's columns, the runner's summary, the figures, compare, sweep and the live
page all read this table; none keeps its own list. Column order of `ClusterModel.results()` is
the order of `NAMES`.

kind  "flow":  measured over a quarter (row 0, the state before any trade, is empty);
      "stock": the state at the end of a quarter;
      "index": a ratio, share or index (its change is reported as a difference, not a
               percentage); `over_quarter` marks an index measured over the quarter.

The presentation hints (`panel`, `right`, `color`, `headline`, `compared`, `live`) place an
indicator in the default figures; `PANEL_ORDER` orders their panels.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.params import PAID_LEVERS

KINDS = ("flow", "stock", "index")
PANEL_ORDER = ("Enterprises", "Output", "Labour", "Knowledge and innovation", "Spatial concentration",
               "Supply network", "Government", "Environment")


@dataclass(frozen=True)
class Indicator:
    """One column of the indicator table."""

    name: str
    label: str
    unit: str
    kind: str
    formula: str                # dotted name of the function that computes it (tested to resolve)
    over_quarter: bool = False  # an index measured over the quarter (row 0 empty), like a flow
    panel: str | None = None    # panel of the indicator figure it is drawn in (None: not drawn)
    right: bool = False         # drawn on the panel's right axis
    color: str | None = None    # line colour on the live page
    headline: bool = False      # a row of the printed summary table
    compared: bool = False      # drawn by default in a comparison of arms
    live: bool = False          # drawn on the live page
    undefined: str = ""         # when the value is NaN (shown as n/a), and why

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"indicator {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.panel is not None and self.panel not in PANEL_ORDER:
            raise ValueError(f"indicator {self.name!r}: panel {self.panel!r} is not in PANEL_ORDER")

    @property
    def starts_at_quarter_1(self) -> bool:
        """True if row 0 carries no value of this indicator (it is measured over a quarter)."""
        return self.kind == "flow" or self.over_quarter

    @property
    def title(self) -> str:
        """Label with unit, for tables: 'employment (workers)'."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


_C = "model.indicators.compute"
_A = "model.accounts.production_accounts"
_M = "model.metrics."
_I = Indicator
_ENT, _OUT, _LAB, _KNOW = "Enterprises", "Output", "Labour", "Knowledge and innovation"
_SPACE, _NET, _GOV, _ENV = "Spatial concentration", "Supply network", "Government", "Environment"

_MODEL_INDICATORS = (
    _I("firms", "final firms", "enterprises", "stock", _C, panel=_ENT, color="#1f77b4",
       headline=True, compared=True, live=True),
    _I("suppliers", "suppliers", "enterprises", "stock", _C, panel=_ENT, color="#ff7f0e", headline=True, live=True),
    _I("lead_firms", "lead firms", "enterprises", "stock", _C, panel=_ENT, color="#dc143c", headline=True, live=True),
    _I("births", "births", "enterprises/quarter", "flow", _C),
    _I("spinoffs", "spin-offs", "enterprises/quarter", "flow", _C),
    _I("exits", "exits", "enterprises/quarter", "flow", _C),
    # "output" is value added (the cluster's GDP), so comparisons and sweeps count each sale once
    _I("output", "output (value added)", "units/quarter", "flow", _A, panel=_OUT, color="#2ca02c",
       headline=True, compared=True, live=True),
    _I("value_added", "value added", "units/quarter", "flow", _A),
    _I("gross_output", "gross output", "units/quarter", "flow", _A, panel=_OUT, color="#17becf", live=True),
    _I("final_sales", "final sales", "units/quarter", "flow", _A),
    _I("exports", "exports", "units/quarter", "flow", _A),
    _I("imports", "imports", "units/quarter", "flow", _A),
    _I("wage_bill", "wage bill", "units/quarter", "flow", _A),
    _I("operating_surplus", "operating surplus", "units/quarter", "flow", _A),
    _I("taxes", "enterprise income tax", "units/quarter", "flow", _A),
    _I("employment", "employment", "workers", "stock", _C, panel=_LAB, headline=True, compared=True),
    _I("mean_wage", "mean wage", "units/worker/quarter", "stock", _C, panel=_LAB, right=True, headline=True),
    _I("mean_knowledge", "mean knowledge", "× frontier at step 0", "index", _C, panel=_KNOW, color="#9467bd",
       headline=True, compared=True, live=True),
    _I("knowledge_gini", "knowledge Gini", "", "index", _M + "gini"),
    _I("innovations", "innovations", "innovations/quarter", "flow", _C, panel=_KNOW, right=True),
    _I("local_sourcing_share", "local sourcing share", "share of inputs", "index", _M + "local_sourcing_share",
       over_quarter=True, panel=_NET, color="#8c564b", headline=True, compared=True, live=True),
    _I("lead_local_sourcing_share", "lead firms' local sourcing share", "share of inputs", "index",
       _M + "local_sourcing_share", over_quarter=True),
    _I("network_density", "network density", "share of possible ties", "index", _M + "network_density", panel=_NET, right=True,
       headline=True),
    _I("network_clustering", "network clustering", "", "index", _M + "bipartite_clustering"),
    _I("largest_component_share", "largest component share", "share of enterprises", "index",
       "model.indicators.largest_component_share"),
    _I("ellison_glaeser", "Ellison–Glaeser index", "", "index", _M + "ellison_glaeser", panel=_SPACE,
       color="#d62728", headline=True, live=True,
       undefined="undefined with a single region (region_size covers the grid) or all employment in one "
                 "region, with no employment, or with one plant holding all of it: the index compares "
                 "regions' shares of employment with plants' shares"),
    _I("morans_i", "Moran's I", "", "index", _M + "morans_i", panel=_SPACE, headline=True),
    _I("hhi", "Herfindahl index of final sales", "", "index", _M + "herfindahl"),
    _I("cr4", "four-firm concentration ratio", "", "index", _M + "concentration_ratio"),
    _I("max_lq", "largest location quotient", "", "index", _M + "location_quotient"),
    _I("gov_budget", "government budget", "units", "stock", _C, panel=_GOV, color="#1f77b4",
       headline=True, compared=True),
    _I("gov_revenue", "government tax revenue", "units/quarter", "flow", _C, panel=_GOV, right=True, color="#2ca02c"),
    _I("gov_transfers", "transfers received", "units/quarter", "flow", _C),
    _I("gov_remittance", "surplus remitted upward", "units/quarter", "flow", "model.fiscal_rule.close_budget",
       panel=_GOV, right=True, color="#9467bd"),
    _I("gov_public_service", "surplus spent on public service", "units/quarter", "flow",
       "model.fiscal_rule.close_budget"),
    _I("gov_spending", "government spending", "units/quarter", "flow", _C, panel=_GOV, right=True,
       color="#d62728"),
    # the quarter's emissions (model.environment.raw_emissions less abatement), not the stock
    _I("pollution", "emissions", "emission units/quarter", "flow", _C, panel=_ENV, color="#7f7f7f",
       headline=True, live=True),
    _I("compliance", "compliance with the emission standard", "share of required abatement", "index", _C,
       over_quarter=True, panel=_ENV, right=True, color="#17becf"),
    _I("price", "final-good price", "units/unit", "stock", "model.market.clearing_price"),
    _I("frontier", "outside frontier", "× frontier at step 0", "index", _C, panel=_KNOW),
    _I("sfc_residual", "stock-flow residual", "units/quarter", "flow", "model.accounts.sfc_residual"),
)
_SPENDING = tuple(_I(f"spend_{lever}", f"spending on {lever}", "units/quarter", "flow", _C)
                  for lever in PAID_LEVERS)

# Budgets in the open: what each lever asked for this quarter and what the budget granted it
# (the ask cut pro rata when the requests exceed the budget); spend_<lever> is what was paid.
_BUDGET = tuple(_I(f"{what}_{lever}", f"{label} for {lever}", "units/quarter", "flow", _C)
                for lever in PAID_LEVERS for what, label in (("requested", "requested"), ("funded", "funded")))

INDICATORS: dict[str, Indicator] = {i.name: i for i in (*_MODEL_INDICATORS, *_SPENDING, *_BUDGET)}
NAMES: tuple[str, ...] = tuple(INDICATORS)
MODEL_NAMES: tuple[str, ...] = tuple(i.name for i in _MODEL_INDICATORS)  # without spend_/requested_/funded_
REQUESTED_PREFIX, FUNDED_PREFIX = "requested_", "funded_"
SPEND_PREFIX = "spend_"
FLOWS: tuple[str, ...] = tuple(n for n, i in INDICATORS.items() if i.starts_at_quarter_1)
INDICES: tuple[str, ...] = tuple(n for n, i in INDICATORS.items() if i.kind == "index")
HEADLINE: tuple[tuple[str, str], ...] = tuple((n, i.title) for n, i in INDICATORS.items() if i.headline)
COMPARED: tuple[str, ...] = tuple(n for n, i in INDICATORS.items() if i.compared)


def allowed_text(names=NAMES) -> str:
    """`names` as an error message's "allowed" list, the budget columns of the paid levers (spend_,
    requested_, funded_ of each: half the names) written once as a pattern with the levers."""
    families = [p for p in (SPEND_PREFIX, REQUESTED_PREFIX, FUNDED_PREFIX) if all(p + x in names for x in PAID_LEVERS)]
    shown = [n for n in names if not any(n.startswith(p) and n[len(p):] in PAID_LEVERS for p in families)]
    if families:
        shown.append(f"{' / '.join(p + '<lever>' for p in families)} for each lever paid from the budget "
                     f"({', '.join(PAID_LEVERS)})")
    return ", ".join(shown)


def figure_panels() -> tuple:
    """Panels of the indicator figure: (title, left axis label, [(column, label)], right axis
    (label, [(column, label)]) or None), in `PANEL_ORDER`; an axis is labelled with the unit of
    its first indicator."""
    panels = []
    for title in PANEL_ORDER:
        sides = [[(n, i.label) for n, i in INDICATORS.items() if i.panel == title and i.right == right]
                 for right in (False, True)]
        if not sides[0]:
            continue
        left_unit = INDICATORS[sides[0][0][0]].unit or "index"
        right_side = (INDICATORS[sides[1][0][0]].unit or "index", sides[1]) if sides[1] else None
        panels.append((title, left_unit, sides[0], right_side))
    return tuple(panels)


def live_panels() -> list:
    """Panels of the live page: (title, [(column, colour)]) for the `live` indicators, in `PANEL_ORDER`."""
    panels = []
    for title in PANEL_ORDER:
        series = [(n, i.color) for n, i in INDICATORS.items() if i.live and i.panel == title]
        if series:
            panels.append((title, series))
    return panels


def budget_panel() -> tuple:
    """The live page's government panel: ("Government", [(column, colour)])."""
    return (_GOV, [(n, i.color) for n, i in INDICATORS.items() if i.panel == _GOV])
