"""Scenarios: named, documented configurations of ClusterModel, written as TOML files in this folder.

    import scenarios
    model = scenarios.build("baseline", seed=1)        # = load_scenario("baseline").build(seed=1)

schema.py (what a file may hold, Problem), scenario.py (Scenario), checks.py (every check: `validate`,
`check_steps`), loader.py (finding and reading files; `resolve_reference`, `load_named_scenario`).
"""

import clusterlab_portable

# CLUSTERLAB_PORTABLE=1 in a script that imports ClusterLab before numpy: baseline kernels only.
clusterlab_portable.apply()

from scenarios.checks import check_steps, validate
from scenarios.loader import list_scenarios, load_named_scenario, load_scenario, read_toml, resolve_reference
from scenarios.scenario import Scenario
from scenarios.schema import Problem, ScenarioError


def build(name_or_path, seed: int | None = None, **overrides):
    """A fresh `ClusterModel` of scenario `name_or_path` (a name in scenarios/ or a path), its
    run length as `default_steps`, with parameter `overrides`. Raises ScenarioError for a bad
    file and ValueError for a bad override (naming the parameter)."""
    return load_scenario(name_or_path).build(seed=seed, **overrides)


__all__ = ["build", "load_scenario", "load_named_scenario", "list_scenarios", "resolve_reference", "read_toml",
           "check_steps", "validate", "Scenario", "ScenarioError", "Problem"]
