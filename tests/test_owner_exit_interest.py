"""Under `owner_exit` the owners compare the plant's expected profit before interest with the
return on its scrap value (model.demography.owner_closing). The interest added back is the
interest charged this quarter — on the debt the quarter began with (agents.enterprises) — not
interest on the debt left at the quarter's end."""

import numpy as np

from model import demography
from model.model import ClusterModel


def test_owners_add_back_the_interest_charged_on_the_debt_the_quarter_began_with(monkeypatch):
    m = ClusterModel(seed=3, n_firms=40, n_suppliers=60, width=30, height=30, owner_exit=1,
                     going_concern_exit=0)
    ent, r = m.population, m.params["interest_rate"]
    seen, closing = [], demography.owner_closing

    def spy(loss_streak, patience, workers, crew, expected_profit, *rest):
        seen.append(np.array(expected_profit, float) - ent.expected_profit[ent.live])   # the add-back
        return closing(loss_streak, patience, workers, crew, expected_profit, *rest)

    monkeypatch.setattr(demography, "owner_closing", spy)
    moved = 0
    for _ in range(6):
        live, cash_before = ent.live.copy(), ent.cash[ent.live].copy()
        m.step()
        added = seen[-1]
        np.testing.assert_allclose(added, r * np.maximum(-cash_before, 0.0), rtol=1e-12, atol=1e-15)
        moved += int(np.sum(~np.isclose(np.maximum(-cash_before, 0.0), np.maximum(-ent.cash[live], 0.0))
                            & ent.alive[live]))
    assert moved > 0   # some debts changed within a quarter: the end-of-quarter debt would differ
