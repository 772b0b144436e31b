"""Scales of entry, spin-offs and site search (part of the table of model/params.py, which is the
public name; the equations are in model/demography.py, model/location_choice.py and
agents/life_cycle.py). Each was a constant in the code before; the defaults are those constants."""

from __future__ import annotations

from model.param_spec import declare as _p

_NO_TARGET = "calibration choice (no target; the former constant)"

ENTRY_AND_SITES = [
    _p("mechanisms", "entry_reference_margin", 0.1, "share", 0.001, 1.0,
       "cluster profit margin at which entry_rate applies (entry ∝ margin / this)", _NO_TARGET),
    _p("mechanisms", "entry_margin_cap", 3.0, "×", 0.0, 100.0,
       "entry responds to the margin up to this many reference margins (30% at the defaults)", _NO_TARGET),
    _p("mechanisms", "spinoff_reference_size", 20.0, "SME workers", 1.0, 1e6,
       "size at which the spin-off hazard is spinoff_rate; it grows ∝ size (Klepper 2007), the size read in "
       "plants of the parent's stage (workers / (plant_scale × stage_scale), model.demography.spinoff_parents)",
       _NO_TARGET),
    _p("mechanisms", "spinoff_size_cap", 5.0, "×", 0.0, 1e6,
       "the spin-off hazard grows with size up to this many times spinoff_rate", _NO_TARGET),
    _p("mechanisms", "spinoff_staff_share", 0.3, "share", 0.0, 1.0,
       "most of its parent's workforce a spin-off takes (at most initial_workers × its stage's plant size)", _NO_TARGET),
    _p("mechanisms", "founding_at_optimum", 1, "—", 0, 1,
       "1: a start-up (local entrant, founder with a grant, spin-off) founds with the workers its plant would "
       "choose on the incumbents' own rule, L_0 = max(L*(v, A, K_0), crew): at its stage's typical net value per "
       "unit, its knowledge and site and the capital it brings, K_0 = initial_capital × plant "
       "(model.production.founding_workers; a spin-off at most spinoff_staff_share of its parent's); outside and "
       "lead firms keep initial_workers × plant (default 1, since 1 Dec 2026). 0: every founder hires "
       "initial_workers × plant",
       "model choice (issue 10's opening: with the fixed founding size the entrants' shrinking to their optimum "
       "lifted employment 9–11% by q12 under the aged start): entrants start small and grow with age (Dunne, Roberts & "
       "Samuelson 1989; Cabral & Mata 2003: the young firms' size is held by the capital they can raise)"),
    _p("mechanisms", "near_site_share", 0.5, "share", 0.0, 1.0,
       "share of an entrant's or mover's candidate sites drawn near its origin (within kernel_radius of "
       "an incumbent it imitates; a mover: near its site) rather than anywhere", _NO_TARGET),
    _p("mechanisms", "relocation_radius", 2.0, "× kernel_radius", 0.1, 100.0,
       "a mover's nearby candidate sites lie within this many kernel radii of its site", _NO_TARGET),
    _p("mechanisms", "entry_return_on_capital", 0, "—", 0, 1,
       "1: a local entrant chooses its stage by the stage's return on capital, profit / capital (what a founder "
       "must invest is the plant: the free-entry condition compares a plant's profit with its cost, Hopenhayn "
       "1992), so stages of thin margins and high asset turnover (processing, trading) are not read as poor "
       "(return on assets = margin × turnover, the DuPont identity); 0: by the stage's margin on sales, "
       "profit / revenue (model.demography.entrant_stage_weights)",
       "model choice: measured on Datang (docs/calibration/what_it_needs.toml: revenue / capital 0.5 in raw "
       "material to 1.9 in the sales agents, so the margin on sales ranks the downstream stages 2-4x lower "
       "than their return on capital)"),
    # --- entry on expected value (model/demography.py, agents/life_cycle.py) ----------------------
    _p("mechanisms", "entry_on_value", 0, "—", 0, 1,
       "1: local founders arrive at founder_rate per incumbent and found iff a plant of their stage is worth "
       "more than their outside option and the sunk entry cost (free entry: Hopenhayn 1992; Jovanovic 1982); "
       "0: the snowball, entry_rate × n × margin (Arthur 1990)",
       "model choice: off until measured against the baseline's tests and the cases (docs/ODD.md)"),
    _p("mechanisms", "founder_rate", 0.05, "per incumbent per quarter", 0.0, 1.0,
       "would-be local founders a quarter per incumbent under entry_on_value (employees leaving to found "
       "their own plant: Klepper 2007); only those whose expected gain is >= 0 found",
       "not from a study: a calibration candidate, to be freed with entry_cost when entry is on value (at the "
       "defaults 13 of about 980 would-be founders found in 80 quarters of the baseline: docs/ODD.md 7.10)"),
    # --- exit and credit on expected value (model/demography.py, model/persistence.py) -----------
    _p("mechanisms", "going_concern_exit", 0, "—", 0, 1,
       "1: firms exit, and lenders bridge, on the expected value of continuing (Hopenhayn 1992; "
       "Holmström & Tirole 1997); 0: exit on solvency (Cooley & Quadrini 2001, with exit_patience)",
       "model choice: off until measured with the product-line process (lines changing hands), on which it "
       "shrinks some Datang runs and the long-run line stock (docs/ODD.md 7.10)"),
    _p("mechanisms", "owner_exit", 0, "—", 0, 1,
       "1: under exit on solvency (going_concern_exit = 0) an owner also closes a solvent plant that has shrunk "
       "to its crew (plant_scale workers, the hiring floor), made exit_patience losses in a row and expects to "
       "earn less than the return on its scrap value (π̄ < r φ K ⇔ V < φ K: model.demography.owner_closing; "
       "Dixit 1989, Ghemawat & Nalebuff 1985); the start's rounds apply the rule too, so the run opens with "
       "the plants their owners keep (agents.start.owners_closing); 0: only the lender or a lost last line "
       "closes a firm",
       "model choice: off: with it the baseline's opening and knowledge tests pass (seeds 0-4) but value "
       "added from quarter 160 to 320 does not stay within ±35% (seed 1: 1.73, a slump at q160; "
       "docs/calibration/history.md, xiqiao_decline_revival.firms_left_in_1994)"),
    _p("mechanisms", "scrap_value_share", 0.3, "share of capital", 0.0, 1.0,
       "φ: what a closed plant's capital fetches (its resale value); owners whose expected value of going on "
       "is below φ K close at the war-of-attrition hazard (model/demography.py)",
       "Ramey & Shapiro 2001 (Displaced Capital, JPE): closed aerospace plants' equipment sold for about 28% "
       "of its replacement cost on average"),
    _p("mechanisms", "value_learning_quarters", 8, "quarters", 0, 200,
       "weight, in quarters of data, of the prior belief (adapting at expectation_speed) against the "
       "persistence a stage's own price history shows (model/persistence.py)",
       "calibration choice (no target): two years of quarterly data"),
    _p("mechanisms", "site_gateway_freight", 0, "switch", 0, 1,
       "1: the site score of stages that trade intermediates also counts the freight they pay via the gateway "
       "(model.location_choice.gateway_freight): a seller the long haul θ(c) on the share it exports and the spot "
       "leg t(c) d(c, gateway) on the share of its local sales that goes over the spot market, a buyer the long "
       "haul on the import parity its local-supply gain is measured against and the spot leg on its spot "
       "purchases (ODD 7.9); 0: only final firms count freight (the former score)",
       "switch: the freights the quarter charges (model.transport; agents.enterprises.trade_inputs)"),
    _p("mechanisms", "site_compliance_cost", 0, "switch", 0, 1,
       "1: the site score of an emitter (entry, spin-off, relocation) subtracts its expected compliance cost "
       "per unit of revenue at the candidate cell, min_a C(a) / (p Q) (model.environment.site_compliance_share): "
       "abatement cost plus expected fine at this quarter's inspection probability for its own emissions, less a "
       "park's shared treatment (park_treatment) in a park cell, so regulation draws dirty plants into parks "
       "(ODD 7.9); 0: site choice ignores regulation (the former score)",
       "switch: Becker 1968, Harrington 1988 (the cost, agents.enterprises._regulate); seed 004 (Zhejiang dyeing: "
       "enforce the law, make firms install and run treatment) - no seed figure on dyeing works moving into parks"),
]
