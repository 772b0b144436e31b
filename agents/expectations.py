"""What the enterprises expect to earn per unit (a mixin of `agents.enterprises.Enterprises`).

Two expectations of the net value per unit — revenue less inputs and freight, per unit of
output, model currency — are updated each quarter from the realised one:

- the unit value u that guides hiring and investment, adaptive (Nerlove 1958;
  `model.production.expected_unit_value`, speed `expectation_speed`);
- the lasting value v̄ behind the exit rule's expected profit when `going_concern_exit` is on:
  moved toward the realised value at its stage's signal-extraction weight λ*, learned from the
  stage's past changes (`model.persistence`); the expected profit is then the greater of
  last quarter's profit at v̄ and the loss of the plant standing idle
  (`model.demography.expected_plant_profit`).
"""

from __future__ import annotations

import numpy as np

from agents.population import RowRules
from model import demography, persistence, production


class Expectations(RowRules):
    """Expectation rules over the columns of `Enterprises` (unit_value, value_expectation, expected_profit)."""

    _value_moments: dict | None = None   # per-stage sums of changes of the net value per unit (model.persistence)

    def _expect(self, live, stage, realised, Q, profit, interest, K) -> np.ndarray:
        """Update the expectations of the live rows from this quarter's net value per unit
        `realised` (arrays over the live rows: output Q, profit after tax, interest paid on the
        debt before this quarter's flows, capital K) and write `expected_profit`; returns the new
        unit value u."""
        m, p = self.model, self.model.params
        # adaptive expectations (Nerlove 1958) of the net value per unit that guides hiring and investment
        unit_value = production.expected_unit_value(self.unit_value[live], realised, p["expectation_speed"])
        if p["going_concern_exit"]:
            # what the firm expects to go on earning before interest: last quarter's profit at the net
            # value per unit it expects to last (model.persistence), or, if more, the loss of its plant
            # standing idle (no output, no workers; exit rule, model.demography.expected_plant_profit)
            self.expected_profit[live] = demography.expected_plant_profit(
                profit + interest, self._lasting_value(live, stage, realised, Q),
                realised, Q, p["fixed_cost"] * m.stage_scale[stage] + p["depreciation"] * K)
        else:   # the former rule: last quarter's profit at the expected unit value of hiring and investment
            self.expected_profit[live] = profit + (unit_value - realised) * Q
        return unit_value

    def _lasting_value(self, live, stage, realised, Q):
        """v̄ per live row: the value expectation moved toward this quarter's net value per unit at
        its stage's signal-extraction weight λ* (model.persistence), estimated from the stage's
        changes before this quarter's (the prior `expectation_speed` weighing `value_learning_quarters`)."""
        p, S = self.model.params, self.model.params["n_stages"]
        stage = stage.astype(np.int64)
        made = np.bincount(stage, Q, S + 1)
        level = np.bincount(stage, realised * Q, S + 1) / np.where(made > 0, made, np.nan)
        # the weight is read from the changes before this one (a real-time filter), then updated
        if self._value_moments is None:
            self._value_moments = persistence.change_moments(None, level)
        weight = persistence.stage_weights(self._value_moments, p["expectation_speed"], p["value_learning_quarters"])
        self._value_moments = persistence.change_moments(self._value_moments, level)
        v_bar = self.value_expectation[live] + weight[stage] * (realised - self.value_expectation[live])
        self.value_expectation[live] = v_bar
        return v_bar
