"""Product lines' parameters: improvements that take rivals' lines (creative destruction, Klette &
Kortum 2004), optional heterogeneous innovation intensity and entry by takeover (part of the table
of model/params.py, which is the public name; the equations are in model/product_lines.py)."""

from __future__ import annotations

from model.firm_ages import LEAST_HAZARD
from model.param_spec import SOURCE_LIT
from model.param_spec import declare as _p

PRODUCT_LINES = [
    _p("mechanisms", "line_birth", 0.05, "per line per quarter", 0.0, 1.0,
       "chance that a line of a profitable enterprise yields an improvement that takes over a "
       "rival's line of its stage (creative destruction, Klette & Kortum 2004); set with R&D on "
       "sales for the Hill α target [0.8, 1.6] (Axtell 2001), not re-fitted"),
    _p("mechanisms", "line_intensity_elasticity", 0.0, "—", 0.0, 3.0,
       "ε in λ_i = min(1, b (v_i / v̄_s)^ε), v = profit per line relative to the stage's mean: heterogeneous "
       "innovation intensity (Lentz & Mortensen 2008; 1 = quadratic innovation cost, Akcigit & Kerr 2018); "
       "0 (default): Klette & Kortum's b for every profitable line; 1 makes stages monopolies (ODD 7.14)", SOURCE_LIT),
    _p("mechanisms", "line_type_dispersion", 0.0, "sd of log", 0.0, 1.5,
       "σ: sd of the log innovation type θ = exp(σ z − σ²/2) that multiplies the line birth of each firm "
       "(persistent firm types, Lentz & Mortensen 2008; Luttmer 2011; model/firm_types.py); 0 (default): "
       "every firm innovates at b; 0.95 is the within-industry sd of log TFPQ in Chinese manufacturing "
       "(Hsieh & Klenow 2009, 2005): stages become monopolies (ODD 7.14 (iii)), kept off", SOURCE_LIT),
    _p("mechanisms", "line_type_hazard", 0.0117, "per quarter", 0.0, 1.0,
       "δ: chance a firm's innovation type is redrawn (its advantage imitated; Luttmer 2011), so "
       "corr(θ_t, θ_t+20) = (1 − δ)^20 = 0.79, the five-year persistence of plant TFPQ (Foster, Haltiwanger "
       "& Syverson 2008; quoted from memory, not re-checked); acts only when line_type_dispersion > 0", SOURCE_LIT),
    _p("mechanisms", "entrant_takeover", 0.0, "share", 0.0, 1.0,
       "share of local entrants whose first line is taken, with its workers, from an incumbent of their "
       "stage (entry by creative destruction, Klette & Kortum 2004); 0 (default): entrants add a line; "
       "1 thins the tail (Hill alpha 2.43-2.91, ODD 7.14)", SOURCE_LIT),
    _p("mechanisms", "line_variety", 0.0, "per line per quarter", 0.0, 1.0,
       "ν: chance that a line of a profitable enterprise yields a new product (variety, customer) added to "
       "its lines without taking a rival's (growth of firms by new products: Simon 1955, Ijiri & Simon 1977, "
       "Luttmer 2011; model.product_lines.new_varieties); 0 (default): new lines come only with founders. "
       "0.0143 with line_loss 0.0143 is the order of product adding and dropping by continuing US manufacturers "
       "(switches involve almost half of their products every five years, Bernard, Redding & Schott 2003/2010: "
       "a quarter added and a quarter dropped, 1 − 0.75^(1/20) a quarter); measured: the tail stays thin "
       "(docs/economics.md), kept off", SOURCE_LIT),
    _p("mechanisms", "line_loss", 0.0, "per line per quarter", 0.0, 1.0,
       "chance that a product line goes out of use (fashion, a customer leaves) on top of the lines "
       "rivals take; 0: lines leave a stage only with the enterprises that exit (Klette & Kortum "
       "2004: every line lost is taken by an innovator)"),
    _p("mechanisms", "line_staff_share", 1.0, "share", 0.0, 1.0,
       "share of a captured product line's workers hired by the enterprise that took the line (the "
       "local labour market keeps the line's skills: labour pooling, Marshall 1890; Overman & Puga "
       "2010); 0: they leave the firm and the winner hires at `adjustment`"),
    _p("mechanisms", "line_niche", 0, "switch", 0, 1,
       "1: a line taken over keeps the size of the market niche it serves (its workers at the loser), so it "
       "adds ν_s / ℓ_i plant-equivalents to the winner (model.product_lines.niche_mass); a firm is a collection "
       "of products whose sizes are set by their own markets (Klette & Kortum 2004). 0: each line is a replica "
       "of the winner's plant (line_factor(n))", SOURCE_LIT),
    _p("mechanisms", "niche_demand_sd", 0.15, "sd of log per quarter", 0.0, 0.3,
       "σ: sd of a quarter's idiosyncratic shock to the log demand of a firm's niches, a mean-one random walk "
       "(Gibrat's law; demand shocks drive plant size, Foster, Haltiwanger & Syverson 2008; Pareto tail from "
       "random ages, Reed 2001; model/niche_demand.py); 0: off. Default 0.15 (since 1 Dec 2026). 0.1 a quarter (0.2 a year) is the order "
       "of the annual sd of large firms' growth rates (Stanley et al. 1996), not calibrated; SMEs' is larger: "
       "σ(S) ∝ S^−β, β ≈ 0.15–0.2 (Stanley et al. 1996; Amaral et al. 1997) gives 0.16–0.25 a quarter for firms "
       "10–100 times smaller; 0.15, the bottom of that range, was chosen against issue 10's tail target (Hill α of "
       "the top 5% at q160 of the large run in [0.8, 1.6]) after 0.1 and 0.12 missed it (docs/economics.md): a "
       "calibration target, within the literature's range", SOURCE_LIT),
    _p("mechanisms", "niche_demand_orders", 1, "switch", 0, 1,
       "1: buyers split their orders over their ties in proportion to (τ + offset) e^u of each supplier's niche "
       "demand u (model.niche_demand.order_taste): e^u is the taste shifter of the demand for a variety (Dixit & "
       "Stiglitz 1977; Foster, Haltiwanger & Syverson 2008), so a supplier's niche brings its clients' orders "
       "(default since 1 Dec 2026); 0: u enters as TFP only and a supplier sells the extra output on the spot market and outside the "
       "cluster, paying freight (docs/economics.md)", SOURCE_LIT),
    _p("mechanisms", "niche_market_growth", 0.0, "share", 0.0, 1.0,
       "φ: share of the market's log growth ln(1 + demand_growth) that enters each incumbent's niche demand every "
       "quarter (model/niche_growth.py): with differentiated products a variety's demand at given relative prices "
       "is ∝ the market's expenditure (CES, Dixit & Stiglitz 1977; Melitz 2003), so incumbents' niches grow with "
       "their market and entrants come in small beside them (Luttmer 2007); 1 = the CES benchmark, 0 (default) = "
       "a homogeneous good whose growth goes to founders and the price only", SOURCE_LIT),
    _p("mechanisms", "start_age_hazard", 0.02, "per quarter", 0.0, 0.2,
       "δ: exit hazard of the age-structured start (model/firm_ages.py): the initial SMEs are survivors of the "
       "line process run over ages drawn from the stationary distribution δ (1 − δ)^a, each stage's line TFP "
       "divided so the start's employment is the one-line start's (default since 1 Dec 2026); 0: every "
       "incumbent opens with one line. 0.02 is prior_exit_rate (≈ 8% a year, the order of SME exit rates), the hazard the model's prospects "
       "expect; the baseline's measured exit hazard is ≈ 0.03 (docs/economics.md). Allowed: 0 or at least "
       "firm_ages.LEAST_HAZARD (3.23e-4): below it the start's firms would be older than 775 years on average and "
       "their pre-history cannot be summed (model.firm_ages.least_hazard)", SOURCE_LIT, least_on=LEAST_HAZARD),
    _p("mechanisms", "line_floor", 0, "lines", 0, 1,
       "0: an enterprise that loses its last product line exits; 1: it keeps a core line"),
]
