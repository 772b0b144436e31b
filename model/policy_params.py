"""The government's parameters: programme unit costs and every policy lever, each declared once
with how it costs and the mechanism it acts through (part of the table of model/params.py,
which is the public name: `from model.params import PARAMS, LEVERS, LEVER_SPECS`)."""

from __future__ import annotations

from model.param_spec import SOURCE_CAL, SOURCE_LIT, SOURCE_SEEDS, Lever, declare, declare_lever, declare_money  # noqa: F401

_p, _lever, _money = declare, declare_lever, declare_money

GOVERNMENT_AND_POLICY = [
    # --- government (programme unit costs) ----------------------------------------------
    _p("government", "gov_initial_budget", 100.0, "units", 0.0, 1e9, "budget at the start"),
    _p("government", "gov_transfer", 0.0, "units/quarter", 0.0, 1e9, "fiscal transfer from the upper level"),
    _p("government", "gov_reserve", 100.0, "units", 0.0, 1e9,
       "working balance the government keeps; the budget rule disposes of the excess "
       "(model/fiscal_rule.py). Calibration: the default initial budget"),
    _p("government", "gov_surplus_rate", 1.0, "per quarter", 0.0, 1.0,
       "share of the budget above gov_reserve disposed of each quarter (0 = the government "
       "hoards, the model before the rule)"),
    _p("government", "gov_surplus_use", "remit", "—", None, None,
       "where the budget surplus goes: 'remit' to the upper level (China's tax sharing: "
       "enterprise income tax shared with the centre since 2002) or 'public_service' (the "
       "default local public service, paid to households)", SOURCE_SEEDS,
       choices=("remit", "public_service")),
    _p("government", "subsidy_carry_quarters", 8.0, "quarters of appropriation", 0.0, 400.0,
       "most a subsidy programme (grants, investment attraction) carries of money it did not pay "
       "out, in quarters of its appropriation; the rest lapses to the general budget, where the "
       "budget rule disposes of it (PRC Budget Law 2014, art. 42: carried-over funds unspent for "
       "two years become surplus funds)", SOURCE_SEEDS),
    _p("government", "infrastructure_cost", 20.0, "units/cell-level", 0.01, 1e6,
       "cost of raising one cell's infrastructure by 1"),
    _p("government", "infrastructure_decay", 0.01, "per quarter", 0.0, 1.0, "infrastructure depreciation"),
    _p("government", "entry_cost", 3.0, "units/SME", 0.0, 1e7,
       "sunk cost of setting up (or moving) a plant of an SME's size beyond its capital (whose user "
       "cost is paid as it is used): permits, search, learning; set to an SME's initial cash"),
    _p("government", "max_subsidy_share", 0.5, "share of the cost lowered", 0.0, 1.0,
       "largest share a relocation package covers of an outside prospect's sunk entry cost, or a "
       "start-up grant of a founder's start-up outlay (model.entry_decision)"),
    _p("government", "outside_prospects", 1.0, "firms/quarter", 0.0, 1e4,
       "outside SMEs that consider the cluster each quarter (footloose investment)"),
    _p("government", "promotion_share", 0.29, "share", 0.0, 1.0,
       "share of the investment-attraction appropriation spent on investment generation (contacting "
       "and visiting prospects, fairs) rather than on relocation subsidies: developing countries' "
       "promotion agencies spend 29% of their budgets on it (Morisset & Andrews-Johnson 2004, FIAS "
       "Occasional Paper 16)", SOURCE_LIT),
    _p("government", "contact_cost_share", 1.0 / 3.0, "× the prospect's entry cost", 0.01, 10.0,
       "cost of bringing one outside prospect to consider the cluster (information, site visit, "
       "feasibility study), as a share of its plant's sunk entry cost: search is one of entry_cost's "
       "three parts (permits, search, learning), and generation pays the prospect's search. Not from "
       "a study; a calibration candidate"),
    _p("government", "lead_prospects", 0.05, "firms/quarter", 0.0, 100.0,
       "outside lead firms that consider the cluster each quarter"),
    _p("government", "lead_arrival_value", 1, "—", 0, 1,
       "1: a lead prospect values its plant at the final firms' median net value per unit less what it would pay "
       "for inputs and freight at its site on arrival beyond their median (model.entry_decision.arrival_unit_value: "
       "no supply ties yet, so its standard inputs come from the spot market's fill and the rest at import parity at "
       "its cell, freight to market from its cell); 0: at the median alone (the incumbents' ties and sites included). "
       "Model choice (consistency of the entry decision with the costs after entry: docs/validation.md, hunan)"),
    _p("government", "founder_candidates", 2.0, "people/quarter", 0.0, 1e4,
       "local would-be founders each quarter whom only a grant would bring to start"),
    _p("government", "founder_wealth", 0.5, "× an SME's start-up outlay", 0.0, 100.0,
       "median wealth of a local would-be founder, as a share of the outlay of an SME's plant "
       "(entry_cost + initial_capital + initial_cash). Not from a study: a calibration candidate. At "
       "0.5 with founder_leverage 1.5 the median candidate can finance 3/4 of an SME's outlay, so the "
       "constraint binds for most candidates who expect to gain (12 of 17 in the baseline, docs/economics.md), as Evans & Jovanovic (1989, JPE 97) estimate for those "
       "likely to start a business (Hurst & Lusardi 2004, JPE 112, contest how widely it binds)"),
    _p("government", "founder_wealth_dispersion", 1.5, "log sd", 0.0, 4.0,
       "dispersion of would-be founders' wealth (lognormal): a log-sd of 1.5 gives a Gini of "
       "2Φ(σ/√2) − 1 = 0.71, the Gini of Chinese household net wealth in 2012 (0.73, China Family "
       "Panel Studies: Xie & Jin 2015, Chinese Sociological Review 47)", SOURCE_LIT),
    _p("government", "founder_leverage", 1.5, "× own funds", 1.0, 10.0,
       "most a founder can invest per unit of own funds (wealth plus grant) when banks lend only "
       "against collateral: k ≤ λ z (Evans & Jovanovic 1989 estimate that entrants can invest no "
       "more than about 1.5 times their wealth)", SOURCE_LIT),
    _p("government", "outside_size", 1.0, "× SME", 0.05, 1000.0, "median size of an outside prospect"),
    _p("government", "outside_size_dispersion", 0.8, "log sd", 0.0, 3.0,
       "dispersion of outside prospects' size (lognormal; firm sizes are roughly lognormal in the body)"),
    _p("government", "outside_knowledge", 0.7, "× frontier", 0.05, 2.0,
       "median knowledge of an outside prospect (lognormal with knowledge_dispersion)"),
    _p("government", "outside_option", 1.0, "× value in the cluster", 0.0, 10.0,
       "median value of a prospect's outside option relative to its value in the cluster"),
    _p("government", "outside_option_dispersion", 0.5, "log sd", 0.0, 3.0,
       "dispersion of prospects' outside options (lognormal)"),
    _p("government", "training_cost", 0.5, "units/worker", 0.01, 1e4, "cost of training one worker"),
    _p("government", "skill_premium", 0.3, "share", 0.0, 5.0, "productivity gain of a fully trained workforce"),
    _p("government", "skill_turnover", 0.03, "per quarter", 0.0, 1.0, "loss of trained skills (retirement, churn)"),
    _p("government", "service_cost", 2.0, "units/client", 0.01, 1e4,
       "cost per client served by the technology centre or a university link"),
    _p("government", "service_learning", 0.15, "per quarter", 0.0, 1.0,
       "share of the gap to the frontier a technology-centre client can absorb"),
    _p("government", "university_boost", 1.0, "×", 0.0, 20.0, "innovation hazard increase of a linked firm"),
    _p("government", "guarantee_leverage", 5.0, "×", 0.0, 100.0, "credit banks extend per unit of guarantee fund"),
    _p("government", "brand_elasticity", 0.1, "—", 0.0, 1.0,
       "elasticity of outside demand to goodwill: D ×= ((G + B)/G)^η (mean advertising "
       "elasticity ≈ 0.1: Sethuraman, Tellis & Briesch 2011)", SOURCE_LIT),
    _p("government", "own_marketing_share", 0.02, "of final sales", 0.001, 0.5,
       "goodwill the firms build themselves per unit of final sales (advertising-to-sales "
       "ratios of apparel and textile makers ≈ 2%)", SOURCE_LIT),
    _p("government", "brand_decay", 0.1, "per quarter", 0.0, 1.0,
       "goodwill depreciation (advertising effects fade within 3–15 months, Clarke 1976; a "
       "collective regional reputation lasts longer)"),
    _p("government", "market_decay", 0.025, "per quarter", 0.0, 1.0,
       "depreciation of specialised-market capacity (buildings, 10% a year)"),
    _p("government", "distribution_margin", 0.25, "share of factory price", 0.0, 2.0,
       "wholesale and distribution margin outside buyers pay on top of the factory price without a "
       "specialised market (wholesale margins on apparel ≈ 20–30% of producer prices)"),
    _p("government", "market_margin_cut", 0.5, "share", 0.0, 1.0,
       "largest share of the distribution margin a specialised market cuts (it replaces a "
       "layer of intermediaries)", SOURCE_SEEDS),
    _p("government", "market_half", 200.0, "units", 0.1, 1e8, "market capacity giving half the largest cut"),
    _p("government", "association_half", 10.0, "units/quarter", 0.1, 1e6,
       "association funding giving half its maximum effect on trust and referrals"),
    _p("government", "ip_cost", 5.0, "units/quarter", 0.0, 1e6, "enforcement cost of full IP protection"),
    _p("government", "ip_leak_cut", 0.6, "share", 0.0, 1.0, "share of involuntary spillover full IP protection stops"),
    # --- policy levers: each declared once, with how it costs and where it acts ----------
    _lever("tax_rate", 0.15, "of profit", 0.0, 0.6, "enterprise income tax on positive profit",
           Lever("tax", "model.production.income_tax"), SOURCE_SEEDS),
    _lever("tax_holiday", 0, "quarters", 0, 100, "quarters a new enterprise pays no tax",
           Lever("tax", "model.production.tax_exempt")),
    _lever("rd_subsidy", 0.0, "share of R&D", 0.0, 0.9, "share of R&D spending the government refunds",
           Lever("rate", "model.innovation.rd_intensity", base="rd", grossed=True)),
    _money("infrastructure", "investment in transport, power, telecom", "model.space.invest_infrastructure"),
    _lever("park_subsidy", 0.0, "share of rent", 0.0, 1.0, "share of park tenants' rent the government pays",
           Lever("rate", "model.fields.cluster_fields", base="park_rent")),
    _money("tech_centre", "funding of a public technology/design service centre (Xiqiao)",
           "model.spillover.service_learning", SOURCE_SEEDS),
    _money("university_links", "industry–university–research link funding", "model.innovation.innovate"),
    _money("credit_guarantee", "contribution to an SME credit-guarantee fund", "model.production.credit_limit"),
    _money("training", "labour training funding", "model.production.productivity"),
    _money("entrepreneurship", "start-up grants (entrepreneurship programme)", "model.entry_decision.subsidised_entry"),
    _lever("ip_protection", 0.0, "0–1", 0.0, 1.0, "intellectual-property protection level",
           Lever("programme", "model.spillover.spatial_learning", cost="ip_cost")),
    _money("investment_attraction", "招商引资: recruiting outside firms", "model.entry_decision.subsidised_entry"),
    _lever("recruit_lead_share", 0.0, "share", 0.0, 1.0, "share of attraction funding aimed at lead firms",
           Lever("setting", "model.entry_decision.subsidised_entry")),
    _money("brand_promotion", "regional brand promotion (区域品牌)", "model.brand.stock_update"),
    _money("market_building", "building the specialised market (专业市场)", "model.brand.stock_update"),
    _money("association", "support of an industry association", "model.sourcing.search"),
    _lever("environmental_regulation", 0.0, "0–1", 0.0, 1.0,
           "emission standard: required abatement share of raw emissions (met only as far as enforced)",
           Lever("setting", "model.environment.abatement_choice")),
    _money("environmental_enforcement",
           "inspections of emitters (environmental_enforcement / inspection_cost a quarter), aimed at large emitters",
           "model.environment.inspection_probability"),
]
