"""experiments/lever_effects.py: every lever's effect per unit of spending, paired over seeds."""

import numpy as np
import pytest

from experiments.lever_effects import MONEY_LEVERS, RATE_LEVERS, lever_effects
from model.params import LEVER_SPECS


def test_every_paid_lever_is_covered():
    paid = {name for name, spec in LEVER_SPECS.items() if spec.paid}
    assert paid <= set(MONEY_LEVERS) | set(RATE_LEVERS)


@pytest.mark.slow
def test_money_levers_are_measured_per_unit_of_their_own_spending(tmp_path):
    t = lever_effects("baseline", reps=3, steps=4, out=tmp_path, levers={"brand_promotion": 20.0, "rd_subsidy": 0.3},
                      outcomes=("output",), executor="serial")
    brand = t[t.lever == "brand_promotion"].iloc[0]
    assert brand.cost == "lever" and brand.n == 3     # 3: the fewest with intervals
    assert brand.spending == pytest.approx(20.0 * 4)          # paired ΔS: the lever's own money, every quarter
    assert np.isfinite(brand.per_unit) and brand.per_unit_low <= brand.per_unit <= brand.per_unit_high
    rd = t[t.lever == "rd_subsidy"].set_index("cost")
    assert set(rd.index) == {"lever", "net"}                    # one base for every lever, net cost besides
    assert rd.loc["lever", "spending"] != pytest.approx(rd.loc["net", "spending"])   # net = spending − Δ revenue
    assert (tmp_path / "lever_effects.csv").exists()


@pytest.mark.slow
def test_decomposition_of_a_run_against_itself_is_zero_and_counts_every_enterprise():
    from agents.population import ORIGINS
    from experiments.lever_decomposition import decompose, run_one

    t = decompose("baseline", reps=2, steps=2, arms={"same": {}})
    assert (t["difference"] == 0).all()                       # same seed, same overrides: identical runs
    r = run_one("baseline", 0, 3, {"investment_attraction": 20.0})
    assert sum(r[f"n_{o}"] for o in ORIGINS) == r["enterprises"]
    assert r["n_outside"] > 0 and r["n_founder"] == 0         # recruits are told apart; no grants, no founders


def test_arms_sharing_a_list_valued_parameter_are_paired_on_what_they_change():
    from experiments.cost_effectiveness import reference_and_changes

    park = [[30, 30, 4]]
    plan = {"kind": "compare", "arms": [{"label": "ref", "overrides": {"parks": park}},
                                        {"label": "sub", "overrides": {"parks": park, "park_subsidy": 0.5}},
                                        {"label": "moved", "overrides": {"parks": [[10, 10, 4]]}}]}
    ref, changes = reference_and_changes(plan, None)
    assert ref == "ref" and changes == {"sub": {"park_subsidy": 0.5}, "moved": {"parks": [[10, 10, 4]]}}
