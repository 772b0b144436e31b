"""The supply ties' behavioural parameters: how buyers split orders, how trust decays and ties
lapse, when a buyer switches supplier and how widely it searches (part of the table of
model/params.py, which is the public name; the equations are in model/supply_network.py and
model/sourcing.py). Each was a constant in the code before; the defaults are those constants."""

from __future__ import annotations

from model.param_spec import declare as _p

_NO_TARGET = "calibration choice (no target; the former constant)"
_NEW = "calibration choice (no target; a new mechanism's default, not set from a figure)"

SUPPLY_TIES = [
    _p("mechanisms", "order_trust_offset", 0.1, "trust units", 0.01, 10.0,
       "a buyer splits its orders over its suppliers ∝ τ + o: o = 0.1 gives a new tie (τ = 0.3) "
       "half the orders of a fully trusted one; a large o splits them equally", _NO_TARGET),
    _p("mechanisms", "idle_trust_decay", 0.1, "share per quarter", 0.0, 1.0,
       "share of its trust a tie loses in a quarter without trade: τ ← τ (1 − δ)", _NO_TARGET),
    _p("mechanisms", "tie_lapse_trust", 0.05, "trust", 0.0, 0.99,
       "ties whose trust falls below this lapse (≈ 17 idle quarters for a new tie at δ = 0.1)", _NO_TARGET),
    _p("mechanisms", "switching_saving", 0.05, "share", 0.0, 0.99,
       "a buyer with no free slot replaces its worst tie only if the best candidate's perceived cost "
       "is lower by more than this share (switching costs)", _NO_TARGET),
    _p("mechanisms", "association_trust_gain", 0.5, "share", 0.0, 1.0,
       "share of the gap to full trust that a fully funded industry association closes for a new "
       "tie: τ0 = τ_init + g · assoc · (1 − τ_init)", _NO_TARGET),
    _p("mechanisms", "isolated_search_factor", 2.0, "×", 1.0, 100.0,
       "a buyer without any supplier searches this many times as often (at most every quarter)",
       _NO_TARGET),
    _p("mechanisms", "search_bucket", 8, "cells", 1, 500,
       "side of the square cells of the spatial index a search draws 'nearby' candidates from; "
       "nearby = one of the 3 × 3 buckets around the buyer (≈ 24 km at 8: a county's reach)", _NO_TARGET),
    _p("mechanisms", "max_search_rounds", 16, "rounds", 1, 1000,
       "most rounds of candidates one search of a large buyer draws (a lead firm's purchasing "
       "department; bounds the work per search)", _NO_TARGET),
    _p("mechanisms", "initial_search_rounds", 3, "rounds", 0, 100,
       "rounds of supplier search every buyer makes before the first quarter (the existing "
       "business relationships at the start)", _NO_TARGET),
    # the relationship-specific investment that lets a supplier make a buyer's specific inputs
    # (model/product_match.py; acts only where specific_input_share > 0)
    _p("mechanisms", "specific_tooling_quarters", 1.0, "quarters of the tie's specific sales", 0.0, 8.0,
       "κ: tooling, moulds and design work a supplier sinks to make a buyer's parts to its design, "
       "per unit of the specific trade, at no capability gap: I = κ g S + c F (1 − λ A). Order of "
       "magnitude: a part's dies and engineering are recovered in its piece price over the product's "
       "life of a few years (relation-specific assets: Asanuma 1989; Klein, Crawford & Alchian 1978), "
       "a few per cent of the price over 4-6 years ≈ 0.5-1.5 quarters of the part's sales",
       "literature order of magnitude (no measured figure; chosen before measuring, not from a target)"),
    _p("mechanisms", "tie_contact_quarters", 1.0, "quarters of the supplier's overhead", 0.0, 40.0,
       "c: search, samples and the buyer's qualification audit of a new supplier, per tie, whatever "
       "its volume: the fixed part of the investment, which small orders do not cover", _NEW),
    _p("mechanisms", "association_contact_saving", 0.5, "share", 0.0, 1.0,
       "λ: share of the contact cost a fully funded industry association saves (member directories, "
       "fairs, joint audits; the seeds' 行业协会); as association_trust_gain", _NEW),
]
