"""Every model parameter, once: name, default, unit, allowed range, meaning, and where the default comes from.

One step is one quarter. Money is in model currency units: prices are normalised so that
a final good sells for about 1 unit at the reference price and each of the n_stages + 1 stages
of the value chain adds an equal share of that value. Distances are in grid cells (1 cell ≈ 1 km).

`resolve_params(overrides)` is the single gate: it rejects unknown names (with a "did you
mean"), wrong types and out-of-range values with a `ValueError` that names the parameter and
what is allowed. Mechanism strengths (section "mechanisms") switch a mechanism off at 0, so
its contribution can be measured by ablation. Policy levers (section "policy") are what the
`Government` funds; a scenario may change them on a schedule and the live page mid-run.
"""

from __future__ import annotations

from typing import Any

from model.demography_params import ENTRY_AND_SITES
from model.line_params import PRODUCT_LINES
from model.param_spec import (  # noqa: F401  (re-exported: model.params is the public name)
    LEVER_KINDS,
    SOURCE_CAL,
    SOURCE_LIT,
    SOURCE_SEEDS,
    Lever,
    Param,
    declare,
    declare_lever,
    declare_money,
    did_you_mean,
    unknown_parameter,
)
from model.policy_params import GOVERNMENT_AND_POLICY
from model.start_params import START
from model.tie_params import SUPPLY_TIES

# one-line declarations of the table below (model.param_spec)
_p, _lever, _money = declare, declare_lever, declare_money
_NO_TARGET = "calibration choice (no target; the former constant)"


_PARAMS = [
    # --- space --------------------------------------------------------------------------
    _p("space", "width", 100, "cells", 10, 2000, "grid width (1 cell ≈ 1 km)"),
    _p("space", "height", 100, "cells", 10, 2000, "grid height"),
    _p("space", "region_size", 10, "cells", 2, 500,
       "side of the square regions used for LQ and Ellison–Glaeser (a county ≈ 10 km)"),
    _p("space", "parks", [], "list of [x, y, radius]", None, None,
       "industrial/specialty parks: cells within radius of (x, y); full infrastructure, shared "
       "treatment, rent discount when the park_subsidy lever is funded", SOURCE_SEEDS),
    _p("space", "roads", [], "list of [x0, y0, x1, y1, level]", None, None,
       "initial transport infrastructure along straight segments (level 0–1)"),
    _p("space", "market_x", -1, "cell", -1, 2000,
       "x of the outside-market gateway (specialised market, railhead); -1 = grid centre"),
    _p("space", "market_y", -1, "cell", -1, 2000, "y of the market gateway; -1 = grid centre"),
    _p("space", "labour_density", 20.0, "SME workers/cell", 0.1, 1e4,
       "initial local labour supply per cell (rural surplus labour), in workers of the model's SME: the pool is "
       "labour_density × plant_scale (model.labour.initial_supply: plants recruit migrants into dormitories, so a "
       "pool is as deep as the plants it serves)", SOURCE_CAL),
    _p("space", "base_infrastructure", 0.1, "0–1", 0.0, 1.0,
       "infrastructure level of every cell before roads and parks"),
    # --- initial agents -----------------------------------------------------------------
    _p("agents", "n_firms", 150, "firms", 0, 500_000, "initial final producers (最终企业)"),
    _p("agents", "n_suppliers", 300, "suppliers", 0, 500_000,
       "initial intermediate suppliers (中间企业), split over stages by stage_shares"),
    _p("agents", "n_lead_firms", 0, "firms", 0, 1000,
       "initial lead firms (龙头企业): large final producers near the frontier; with parks, "
       "each sits at a park's centre (one per park, in turn)"),
    _p("agents", "n_stages", 3, "stages", 1, 12,
       "value-chain stages before final assembly (e.g. knitting, seaming, dyeing …)", SOURCE_SEEDS),
    _p("agents", "stage_shares", [], "list of weights", None, None,
       "relative number of initial suppliers per stage (empty = equal)", SOURCE_SEEDS),
    _p("agents", "stage_scale", [], "list of factors", None, None,
       "relative plant size of each supplier stage (empty = 1): a stage of few large plants "
       "(Datang: 5 dyeing plants serve 2,453 knitters) has a scale > 1; its enterprises' "
       "profit-maximising size, initial and entrant size scale with it", SOURCE_SEEDS),
    _p("agents", "plant_scale", 1.0, "× SME plant", 0.01, 1000.0, "the industry's plant size relative to the model's SME, every "
       "stage (final and lead firms too): productivity × scale^(1−α−β), so optimal size, overhead, entry cost and entrant size "
       "scale with it (production.stage_technology), and the fields read nearby employment per plant, E / plant_scale, "
       "with a labour pool plant_scale times deeper (model.fields.in_plant_units); a sourced scenario input, never the "
       "figure validated on", SOURCE_SEEDS),
    _p("agents", "initial_spread", 1.0, "0–1", 0.01, 1.0,
       "1 = initial enterprises uniform over the grid; smaller = Gaussian around the "
       "centre with sd = spread × width (an existing cluster)"),
    _p("agents", "initial_knowledge", 0.6, "× frontier", 0.01, 5.0,
       "mean initial knowledge relative to the outside technology frontier"),
    _p("agents", "knowledge_dispersion", 0.2, "log sd", 0.0, 2.0,
       "dispersion of initial and entrant knowledge (lognormal)"),
    _p("agents", "initial_size_dispersion", 0.3, "log sd", 0.0, 2.0,
       "dispersion of initial enterprise size (workers, capital, cash; lognormal) before the "
       "start's equilibrium sizing"),
    _p("agents", "init_iterations", 20, "quarters", 0, 200,
       "rounds of the start's fixed point: the quarter's own adjustment rules (expected unit "
       "values, hiring, capital) run at clearing prices with no entry, exit, learning or money; "
       "numerical: enough that employment stays within ±10% of its start (tests/test_economics.py)"),
    *START,  # model/start_params.py: the start's solve under subcontracting and its options
    _p("agents", "initial_workers", 12.0, "workers", 1.0, 1e5, "mean workers of a new SME", SOURCE_SEEDS),
    _p("agents", "initial_capital", 15.0, "units", 0.1, 1e7, "mean capital of a new SME"),
    _p("agents", "initial_cash", 3.0, "units", 0.0, 1e7, "mean cash of a new SME"),
    _p("agents", "lead_size", 20.0, "× SME", 1.0, 1000.0,
       "lead firm workers and capital relative to an SME (Jiangling: thousands of workers)", SOURCE_SEEDS),
    _p("agents", "lead_group_credit", 0.0, "× capital", 0.0, 10.0, "credit a lead firm's parent group (集团公司) adds to "
       "the bank's line to carry its losses, in the exit test only, not for investment (soft budget constraint, Kornai 1986; "
       "groups' internal capital markets); 1 − leverage = carried until debt reaches capital", SOURCE_SEEDS),
    _p("agents", "lead_knowledge", 1.0, "× frontier", 0.1, 5.0, "lead firm knowledge relative to the frontier"),
    _p("agents", "lead_knowledge_dispersion", 0.0, "log sd", 0.0, 2.0,
       "dispersion of the initial lead firms' knowledge around lead_knowledge (lognormal); 0: a scenario's lead firms "
       "have the technology it declares (Jiangxi: Jiangling's and Changhe's, their joint-venture partners'), not a "
       "draw from the local SMEs' knowledge_dispersion (0.2), which put one of two assemblers up to 1.7 × the other "
       "and, a plant's optimum being ∝ k^(1/(1−α−β)) = k^5, made it up to 14 × larger (docs/ODD.md 7.14 (iv))",
       SOURCE_SEEDS),
    # --- market ---------------------------------------------------------------------------
    _p("market", "demand_level", 1.3, "× initial output", 0.01, 100.0,
       "outside demand for the cluster's final goods at the reference price, relative to the "
       "initial cluster's output"),
    _p("market", "demand_growth", 0.01, "per quarter", -0.2, 0.2,
       "growth of outside demand (China's 2000s: ~4% a year)", SOURCE_SEEDS),
    _p("market", "demand_elasticity", 3.0, "—", 1.01, 50.0,
       "price elasticity of demand for the cluster's output: P = P0 (D/Y)^(1/ε)", SOURCE_LIT),
    _p("market", "market_power", 0, "switch", 0, 1,
       "1: final firms plan where marginal revenue P a (1 − s/ε) meets marginal cost, s their share of the final "
       "market (Cournot conduct: Lerner index s/ε, Tirole 1988; agents/conduct.py); 0: price takers", SOURCE_LIT),
    _p("market", "price_ceiling", 2.0, "× reference price", 1.0, 100.0,
       "price at which producers outside the cluster take the market over (competitive fringe)"),
    _p("market", "quality_standard", 0.0, "× frontier", 0.0, 5.0,
       "knowledge (quality) the market requires; firms below it lose appeal"),
    _p("market", "quality_sensitivity", 2.0, "—", 0.0, 10.0,
       "appeal = min(1, k / (standard × frontier))^sensitivity"),
    _p("market", "demand_shifts", [], "list of {step, demand, quality}", None, None,
       "exogenous demand shifts: at step, demand ×= demand and quality_standard = quality (quality None, "
       "or left out of a [[market.shifts]] table: the standard stays as it is)", SOURCE_SEEDS),
    _p("market", "frontier_growth", 0.005, "per quarter", 0.0, 0.1,
       "growth of the outside technology frontier"),
    _p("market", "import_markup", 0.124, "share", 0.0, 5.0,
       "non-freight cost of buying an input outside the cluster (dealers' margin, search, time in "
       "transit), as a share of its outside price w; import parity = w (1 + m) + θ(c) w with the long "
       "haul θ(c) (model/transport.py). Calibration: 0.2 − θ at base_infrastructure (0.076) keeps "
       "import parity where the former markup of 0.2, freight included, put it"),
    _p("market", "raw_input_share", 0.2, "× reference price", 0.0, 0.9,
       "outside price of stage 0's raw input (fibre, steel …) as a share of the final good's "
       "reference price; each stage of the outside chain adds an equal share of the rest "
       "(model/intermediate_market.py). Calibration: materials ≈ 1/5 of a light-industry "
       "final good's price, and equal value added per stage at outside prices"),
    _p("market", "work_to_order", 0, "—", 0, 2,
       "1: suppliers with clients along ties work to their orders (分包: final firms plan production, "
       "seeds); 2: orders floor the own plan; 0: own expected unit value only (ODD §7.4)", SOURCE_SEEDS),
    _p("market", "spot_matching", 0.5, "share", 0.0, 1.0,
       "share of the possible matches between unsold local output and buyers' unmet need that "
       "the local spot market (dealers, the town's market place) makes each quarter; "
       "calibration: half"),
    _p("market", "spot_arbitrage", 1, "—", 0, 2,
       "1: a buyer bids on the spot market only where p + t·d(gateway) ≤ its import parity; 2: also a seller "
       "offers only where t·d ≤ the long haul θ p of exporting (model.intermediate_market.spot_sides); 0: every gap. "
       "Default 1: the arbitrage condition of the intermediate market (no buyer pays more than its import parity "
       "w(1 + m + θ), ODD §7.5; spatial price equilibrium, Samuelson 1952, Takayama & Judge 1971)", SOURCE_LIT),
    _p("market", "export_elasticity", 4.0, "—", 1.01, 50.0,
       "price elasticity of outside demand for the cluster's intermediate goods, "
       "X = X̄ (p/w)^(−η) (Simonovska & Waugh 2014: trade elasticity ≈ 4)", SOURCE_LIT),
    _p("market", "export_demand_share", 0.25, "× initial local use", 0.0, 100.0,
       "outside demand for each intermediate good at its outside price, relative to the "
       "cluster's initial local use of that good (grows at demand_growth); calibration: "
       "clusters sell most intermediates locally (Zhejiang local sourcing ≥ 0.7)"),
    # --- mechanisms (strength 0 = off) ---------------------------------------------------
    _p("mechanisms", "agglomeration", 0.2, "—", 0.0, 5.0,
       "Marshallian productivity gain: A = 1 + a·ln(1 + E_near / agglomeration_scale)", SOURCE_LIT),
    _p("mechanisms", "agglomeration_scale", 60.0, "SME workers", 1.0, 1e6,
       "nearby employment per plant_scale (SME-plant equivalents: Henderson 2003, plant counts carry the externality) "
       "at which the agglomeration gain is a·ln 2"),
    _p("mechanisms", "congestion", 1.0, "—", 0.0, 50.0,
       "land rent rises with nearby employment per plant_scale: rent = r0 (1 + c·(E_near / plant_scale) / congestion_scale)"),
    _p("mechanisms", "congestion_scale", 200.0, "SME workers", 1.0, 1e6, "nearby employment per plant_scale that doubles rent at "
       "c = 1 (industrial land is allotted per project, so a place's land grows with the plants it admits)"),
    _p("mechanisms", "kernel_radius", 5, "cells", 1, 25,
       "radius of the distance-decay kernel for spillover, agglomeration and commuting"),
    _p("mechanisms", "kernel_decay", 2.0, "cells", 0.2, 50.0, "distance decay: weight = exp(−d / decay)"),
    _p("mechanisms", "spillover", 0.06, "per quarter", 0.0, 1.0,
       "spatial knowledge spillover rate (informal talk, labour mobility)", SOURCE_LIT),
    _p("mechanisms", "network_spillover", 0.05, "per quarter", 0.0, 1.0,
       "knowledge flow along supply ties, weighted by trust"),
    _p("mechanisms", "optimal_cognitive_distance", 1.0, "log points", 0.05, 5.0,
       "cognitive distance d* = ln(k_source / k) at which absorption peaks (inverted U, Nooteboom "
       "et al. 2007); nothing is absorbed from sources more than 2 d* ahead"),
    _p("mechanisms", "outside_learning", 0.0125, "per quarter", 0.0, 1.0,
       "learning rate from the outside technology frontier at full exposure (imported inputs, "
       "outside buyers, lead firms' global ties); calibration target: no trend in baseline "
       "knowledge / frontier between quarters 80 and 160 (issue 10); re-fitted 0.01 -> 0.0125 "
       "when lines came to change hands by creative destruction (more entrants, at 0.9 x mean "
       "knowledge): grid 0.01, 0.0125, 0.015 gave mean changes -0.023, -0.010, +0.001 (seeds 0-4)"),
    *PRODUCT_LINES,  # model/line_params.py: creative destruction of product lines (Klette & Kortum)
    _p("mechanisms", "contact_scale", 50.0, "SME workers", 1.0, 1e6,
       "nearby employment per plant_scale at which half the spatial spillover potential is reached"),
    _p("mechanisms", "innovation", 1.0, "—", 0.0, 10.0, "scales every innovation hazard (0 = no R&D results)"),
    _p("mechanisms", "rd_share", 0.01, "of value added", 0.0, 0.3, "SMEs' R&D spending as a share of their value added (sales less purchased inputs and freight)", SOURCE_SEEDS),
    _p("mechanisms", "lead_rd_share", 0.03, "of value added", 0.0, 0.3, "lead firms' R&D spending as a share of their value added"),
    _p("mechanisms", "incremental_rate", 4.0, "hazard per R&D share", 0.0, 100.0,
       "incremental innovation hazard per unit R&D intensity (frequent, small: SMEs)"),
    _p("mechanisms", "incremental_size", 0.03, "share", 0.0, 1.0, "knowledge jump of an incremental innovation"),
    _p("mechanisms", "radical_rate", 0.002, "hazard per unit R&D", 0.0, 1.0,
       "radical innovation hazard per unit of R&D spending (rare, big: lead firms)"),
    _p("mechanisms", "radical_size", 0.2, "share", 0.0, 5.0, "knowledge jump of a radical innovation"),
    _p("mechanisms", "novelty_decay", 0.25, "per quarter", 0.0, 1.0,
       "how fast an innovator's price premium is imitated away (IP protection slows it)"),
    _p("mechanisms", "supplier_search", 0.3, "probability", 0.0, 1.0,
       "chance per quarter that a buyer searches for a (better) supplier"),
    _p("mechanisms", "search_candidates", 4, "suppliers", 0, 50, "nearby candidates a search looks at"),
    _p("mechanisms", "referral_candidates", 2, "suppliers", 0, 50, "candidates found through existing ties"),
    _p("mechanisms", "max_suppliers", 3, "suppliers", 1, 100, "ties a buyer keeps per input"),
    _p("mechanisms", "transport_cost", 0.002, "units/unit/cell", 0.0, 1.0,
       "freight per unit per cell (Weber's transport factor); halved at full infrastructure"),
    _p("mechanisms", "market_transport_cost", 0.0005, "units/unit/cell", 0.0, 1.0,
       "freight per unit of final output per cell to the market gateway"),
    _p("mechanisms", "long_haul_freight", 0.08, "share of value", 0.0, 1.0,
       "freight and logistics, door to door, on goods shipped to or from outside the cluster (exports, "
       "and imports in import parity), as a share of their value, at no infrastructure "
       "(ad-valorem freight on manufactures ≈ 5–9%: Hummels 2007; China's logistics costs ≈ 2× the U.S. share)",
       SOURCE_LIT),
    _p("mechanisms", "infrastructure_freight_saving", 0.5, "share", 0.0, 1.0,
       "share of freight full infrastructure saves: t = t0 (1 − s·infra) (vehicle operating costs on "
       "poor roads ≈ 2× paved: World Bank HDM-4)", SOURCE_LIT),
    _p("mechanisms", "initial_trust", 0.3, "0–1", 0.0, 1.0,
       "trust of a new tie (social embeddedness: high in Zhejiang, low in Hunan)", SOURCE_SEEDS),
    _p("mechanisms", "trust_growth", 0.15, "per quarter", 0.0, 1.0,
       "trust gain with each quarter of trade: τ += g (1 − τ)"),
    _p("mechanisms", "specific_input_share", 0.0, "share of input need", 0.0, 1.0,
       "share ς of a buyer's inputs made to its specification (key parts): a local supplier makes "
       "them only along a tie, after sinking a relationship-specific investment that the tie's "
       "expected trade must cover (hold-up: Klein, Crawford & Alchian 1978; Williamson 1985), "
       "never on the spot market (model/product_match.py); Nunn (2007) "
       "measures this share per industry (inputs neither exchange-traded nor reference-priced, "
       "Rauch 1999). 0 = every input standard (off); scenarios set it from their case", SOURCE_LIT),
    _p("mechanisms", "trust_weight", 0.3, "share", 0.0, 0.95,
       "how much trust lowers a tie's perceived cost (fewer transaction costs)"),
    *SUPPLY_TIES,  # model/tie_params.py: order split, trust decay, switching, search reach
    _p("mechanisms", "entry_rate", 0.02, "per quarter", 0.0, 1.0,
       "entrants per incumbent per quarter at a 10% mean profit margin (snowball)"),
    _p("mechanisms", "prior_exit_rate", 0.02, "per quarter", 0.0, 1.0,
       "exit hazard prospective entrants expect before any exit is seen (≈ 8% a year, the order "
       "of SME exit rates); updated each quarter by exit_rate_smoothing"),
    _p("mechanisms", "exit_rate_smoothing", 0.1, "share", 0.0, 1.0,
       "weight of the last quarter's observed exit rate in the expected hazard: h ← (1 − w) h + w · exits / "
       "enterprises at risk (alive when the quarter began; exponential smoothing, demography.smoothed_hazard)"),
    _p("mechanisms", "base_entry", 0.5, "firms/quarter", 0.0, 1e4, "entrants per quarter regardless of profits"),
    _p("mechanisms", "entrant_knowledge", 0.9, "× mean knowledge", 0.1, 2.0,
       "median knowledge of a local entrant relative to the cluster's mean (lognormal)"),
    _p("mechanisms", "spinoff_rate", 0.01, "per quarter", 0.0, 1.0,
       "spin-off hazard of a profitable enterprise of spinoff_reference_size workers (Klepper)", SOURCE_LIT),
    _p("mechanisms", "spinoff_knowledge", 0.9, "share", 0.0, 1.5, "knowledge a spin-off takes from its parent"),
    _p("mechanisms", "spinoff_radius", 4, "cells", 1, 50, "spin-offs settle within this distance of the parent"),
    _p("mechanisms", "exit_patience", 6, "quarters", 1, 100, "former exit rule only (going_concern_exit = 0): "
       "consecutive loss quarters before exit, and the quarters of expected losses the firm's cash + credit must "
       "cover to stay (exit on solvency: model/demography.py)"),
    _p("mechanisms", "relocation_rate", 0.03, "per quarter", 0.0, 1.0,
       "share of enterprises that reconsider their site each quarter"),
    _p("mechanisms", "relocation_threshold", 0.1, "log points", 0.0, 10.0,
       "site-score gain needed to move (moving cost)"),
    _p("mechanisms", "location_candidates", 12, "sites", 1, 200, "candidate sites an entrant or mover compares"),
    *ENTRY_AND_SITES,  # model/demography_params.py: entry's and spin-offs' scales, candidate sites
    _p("mechanisms", "choice_noise", 0.05, "log points", 0.0, 10.0,
       "scale of idiosyncratic taste in logit location choice"),
    _p("mechanisms", "location_choice", "utility", "—", None, None,
       "'utility': Weberian site choice; 'random': uniform random sites (dartboard null model)",
       choices=("utility", "random")),
    _p("mechanisms", "pollution", 1.0, "—", 0.0, 10.0, "scales emission intensities (0 = no emissions)"),
    # --- labour -------------------------------------------------------------------------
    _p("labour", "base_wage", 0.1, "units/worker/quarter", 0.001, 100.0,
       "reservation wage of rural surplus labour (Lewis)", SOURCE_SEEDS),
    _p("labour", "wage_elasticity", 0.3, "—", 0.0, 10.0,
       "wage = base (1 + e · demand/supply of nearby labour)"),
    _p("labour", "migration", 0.1, "per quarter", 0.0, 1.0, "share of excess nearby labour demand met by migrants each quarter"),
    _p("labour", "land_per_worker", 0.005, "cell-rent units/worker", 0.0, 10.0, "land rent paid per worker"),
    _p("labour", "base_rent", 1.0, "units/quarter", 0.0, 1e4, "land rent of an uncongested cell"),
    _p("labour", "tfp", 2.5, "output/(worker^α·capital^β)", 0.01, 100.0,
       "total factor productivity at knowledge 1 in a 3-stage chain; a stage of an n-stage chain makes (n+1)/4 times as many units (sets firm size at the base wage). Calibration: baseline employment at the start ≈ 2,250 (≈ 5 workers per enterprise), as before the intermediate markets"),
    _p("labour", "labour_share", 0.5, "—", 0.05, 0.9, "output elasticity of labour (α)", SOURCE_LIT),
    _p("labour", "capital_share", 0.3, "—", 0.05, 0.9, "output elasticity of capital (β); α + β < 1", SOURCE_LIT),
    _p("labour", "fixed_cost", 0.1, "units/quarter", 0.0, 1e4, "overhead every enterprise pays whatever its size (a minimum efficient scale)"),
    _p("labour", "min_capital", 0.1, "units", 0.001, 1e6,
       "smallest capital stock an enterprise keeps (a workshop's tools; keeps Cobb–Douglas output "
       "positive)", _NO_TARGET),
    _p("labour", "depreciation", 0.025, "per quarter", 0.0, 0.5, "capital depreciation (10% a year)", SOURCE_LIT),
    _p("labour", "interest_rate", 0.015, "per quarter", 0.0, 0.5, "interest on debt (6% a year)", SOURCE_LIT),
    _p("labour", "leverage", 0.5, "× capital", 0.0, 10.0,
       "credit limit of an SME without guarantee (financing constraint)", SOURCE_SEEDS),
    _p("labour", "trade_credit_days", 60.0, "days of purchases", 0.0, 180.0, "trade credit: suppliers along ties wait this long "
       "for pay, added to the line the lender tests at exit (model.production.trade_credit; NBS: industrial firms collect "
       "receivables in 54-67 days, 2019-24; Ge & Qiu 2007: 13% of assets; McMillan & Woodruff 1999); 0 = none", SOURCE_LIT),
    _p("labour", "max_hiring_growth", 0.25, "per quarter", 0.0, 10.0, "largest quarterly growth of a workforce (hiring and training take time), plus a plant's crew of plant_scale workers (model.production.hire)"),
    _p("labour", "expectation_speed", 0.3, "share", 0.01, 1.0,
       "adaptive expectations of the net value per unit of output that guides hiring and "
       "investment: v^e += λ (v − v^e) (Nerlove 1958; 1 = last quarter's value, the naive "
       "cobweb expectation)", SOURCE_LIT),
    _p("labour", "adjustment", 0.3, "share", 0.01, 1.0, "speed of adjusting workers and capital to target"),
    # --- environment --------------------------------------------------------------------
    _p("environment", "emission_intensity", 0.02, "emission/unit", 0.0, 10.0, "emissions per unit output"),
    _p("environment", "dirty_stage", -1, "stage", -1, 11,
       "stage with heavy emissions (dyeing); -1 = none", SOURCE_SEEDS),
    _p("environment", "dirty_multiplier", 1.05, "×", 0.1, 1000.0,
       "emission intensity per unit of output of the dirty stage relative to the others, from the "
       "seeds' per-firm ratio (3.05% of Zhejiang's firms, the dyeing works, emit 16.7% of wastewater and "
       "22.5% of COD: ≈ 7.8× an average firm) at the dyeing scenario's shares of firms (≈ 4.3%) and of "
       "output units (≈ 25%): m = R (1 − q) f / (q (1 − f)) ≈ 1.05; dyeing is dirty by its scale", SOURCE_SEEDS),
    _p("environment", "abatement_cost", 1.0, "units/emission", 0.0, 1e4,
       "cost of abating emissions: c · share² · emissions (convex)"),
    _p("environment", "abatement_fixed_cost", 0.02, "units/quarter", 0.0, 1e4,
       "running cost of treatment equipment a firm that abates at all must operate (small emitters "
       "evade first)"),
    _p("environment", "emission_fine", 2.0, "units/emission", 0.0, 1e6,
       "fine per unit of emission above the standard, paid when inspected; 2 × abatement_cost: "
       "under certain inspection every standard ≤ 1 is met (a* = π f / (2 c_a))"),
    _p("environment", "inspection_cost", 0.1, "units/inspection", 0.001, 1e6,
       "cost of one inspection (about one inspector-quarter at the base wage, sampling included)"),
    _p("environment", "park_treatment", 0.5, "share", 0.0, 1.0, "abatement cost saving in a park with shared treatment"),
    _p("environment", "pollution_decay", 0.3, "per quarter", 0.0, 1.0, "share of the pollution stock that dissipates"),
    *GOVERNMENT_AND_POLICY,  # model/policy_params.py: programme unit costs and every lever
    # --- run ----------------------------------------------------------------------------
    _p("run", "default_steps", 80, "quarters", 1, 10_000, "run length when none is given (20 years)"),
    _p("run", "max_enterprises", 1_000_000, "enterprises", 1000, 10_000_000,
       "resource bound: most enterprises a run may create (initial, base_entry, and all the budget can "
       "buy); a run that could exceed it is refused before it starts (≈ 4.5 KB each with their share "
       "of the grid: 453 MiB for 100,000 on 500 × 500)", "benchmark (README)"),
    _p("run", "max_grid_cells", 1_000_000, "cells", 100, 4_000_000,
       "resource bound: largest width × height a run may allocate, refused before anything is built; "
       "the grid's layers, fields and their FFT temporaries peak at ≈ 1.2 KB per cell (tracemalloc, "
       "300² and 600² grids), so 1,000,000 cells (1000 × 1000) ≈ 1.2 GB", "measured (model/feasibility.py)"),
]

PARAMS: dict[str, Param] = {p.name: p for p in _PARAMS}
LEVERS: tuple[str, ...] = tuple(p.name for p in _PARAMS if p.lever is not None)
LEVER_SPECS: dict[str, Lever] = {p.name: p.lever for p in _PARAMS if p.lever is not None}
# Levers the government pays for: money levers first, then rates and programmes, each in
# declaration order (the order of the spend_<lever> indicator columns and of the budget sums).
PAID_LEVERS: tuple[str, ...] = (
    *(n for n, lv in LEVER_SPECS.items() if lv.kind == "money"),
    *(n for n, lv in LEVER_SPECS.items() if lv.paid and lv.kind != "money"),
)
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(p.section for p in _PARAMS))


def check_value(name: str, value: Any) -> Any:
    """Return `value` converted to the parameter's type, or raise ValueError naming what is allowed."""
    if name not in PARAMS:
        raise ValueError(f"{name!r}: {unknown_parameter(name, PARAMS)}")
    p = PARAMS[name]
    bad = ValueError(f"parameter {name!r} must be {p.allowed()}, got {value!r}")
    if p.choices is not None:
        if value not in p.choices:
            raise bad
        return value
    if p.kind is list:
        if not isinstance(value, (list, tuple)):
            raise bad
        return list(value)
    if p.kind is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad
    if p.kind is int:
        if float(value) != int(value):
            raise bad
        value = int(value)
    else:
        value = float(value)
    if value != value or (p.low is not None and value < p.low) or (p.high is not None and value > p.high) \
            or not p.admits(value):
        raise bad
    return value


def resolve_params(overrides: dict | None = None) -> dict:
    """Defaults updated by `overrides`, every value checked on its own, then every joint
    condition of `model.feasibility` (decreasing returns, a positive user cost of capital, an
    initial workforce the grid can house, enterprises that fit in memory, stage lists that match
    n_stages): ValueError naming the keys and what is allowed."""
    values = {name: p.default for name, p in PARAMS.items()}
    for name, value in (overrides or {}).items():
        values[name] = check_value(name, value)
    from model.feasibility import message, violations

    found = violations(values, given=overrides or ())
    if found:
        raise ValueError(message(found))
    return values


def defaults() -> dict:
    """Every parameter's default value, {name: default}."""
    return {name: p.default for name, p in PARAMS.items()}


if __name__ == "__main__":          # python -m model.params [FILE]: the same as `clusterlab params [--doc FILE]`
    import sys

    from model.param_table import main

    sys.exit(main(PARAMS.values()))
