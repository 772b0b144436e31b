"""A validated scenario (`Scenario`): what `load_scenario` returns and what builds a model.

`from_data(data, origins, name, path)` checks merged TOML with `scenarios.checks.validate` and
makes the Scenario; `Scenario.with_overrides` goes through the same checks.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from model.params import PARAMS, unknown_parameter
from scenarios.checks import validate
from scenarios.schema import OVERRIDES, TABLE_LISTS, Problem, ScenarioError, label, mark, toml_key


def from_data(data: dict, origins: dict, name: str, path: Path | None) -> Scenario:
    """The Scenario of merged TOML `data` (origins: key -> file that set it), or ScenarioError."""
    return Scenario(**validate(data, origins, name, path))


# --- the scenario -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its description, run length, parameter overrides and policy schedule.

    `warnings` lists what is allowed but probably not meant (e.g. a grid of a single region,
    where the location quotient and Ellison–Glaeser are undefined)."""

    name: str
    title: str
    question: str
    source: str
    expected: str
    steps: int
    params: dict = field(default_factory=dict)     # flat parameter overrides (model.params names)
    schedule: tuple = ()                           # ((step, lever, value), ...) sorted by step
    path: Path | None = None
    warnings: tuple = ()
    _data: dict = field(default_factory=dict, repr=False, compare=False)        # merged TOML
    _origins: dict = field(default_factory=dict, repr=False, compare=False)     # key -> file

    def with_overrides(self, **overrides) -> Scenario:
        """This scenario with parameters replaced, checked like the file itself (problems name
        the file "overrides")."""
        if not overrides:
            return self
        problems, data, origins = [], copy.deepcopy(self._data), dict(self._origins)
        for name, value in overrides.items():
            if isinstance(value, tuple):
                value = list(value)
            elif hasattr(value, "item") and not isinstance(value, list):  # a numpy scalar from a sweep
                value = value.item()
            if name not in PARAMS:
                problems.append(Problem(OVERRIDES, name, unknown_parameter(name, PARAMS),
                                        "a parameter of model/params.py", value))
                continue
            where = toml_key(name)
            if where in TABLE_LISTS and isinstance(value, list):  # [(x, y, radius), ...] -> [{x, y, radius}, ...]
                fields = TABLE_LISTS[where][1]
                value = [dict(zip(fields, e)) if isinstance(e, (list, tuple)) and len(e) == len(fields) else e
                         for e in value]
            section, key = where.split(".")
            data.setdefault(section, {})[key] = value
            mark(origins, where, value, OVERRIDES)
        if problems:
            raise ScenarioError(problems)
        return from_data(data, origins, self.name, self.path)

    def with_schedule(self, entries) -> Scenario:
        """This scenario with (step, lever, value) entries added to its policy schedule, each
        replacing the scenario's own entry for that lever and quarter if any; checked like the file
        itself (a step beyond the run, an unknown lever, or two of `entries` for the same lever and
        quarter raise ScenarioError)."""
        if not entries:
            return self
        data = copy.deepcopy(self._data)
        policy = data.setdefault("policy", {})
        new = {(int(step), lever) for step, lever, _ in entries}
        kept = [e for e in policy.get("schedule", []) if not isinstance(e, dict) or (e.get("step"), e.get("lever")) not in new]
        policy["schedule"] = kept + [{"step": int(step), "lever": lever, "value": value} for step, lever, value in entries]
        return from_data(data, dict(self._origins), self.name, self.path)

    def build(self, seed: int | None = None, **overrides):
        """A fresh `ClusterModel` of this scenario (its `default_steps` = the scenario's steps)."""
        from model import ClusterModel

        s = self.with_overrides(**overrides)
        try:
            return ClusterModel(seed=seed, policy_schedule=list(s.schedule), default_steps=s.steps, **s.params)
        except ValueError as exc:
            raise ScenarioError([Problem(label(self.path) if self.path else self.name, "", str(exc))]) from exc


class ScenarioInfo(NamedTuple):
    name: str
    question: str


