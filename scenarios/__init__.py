"""Scenarios: named, documented configurations of ClusterModel, written as TOML files in this folder.

    import scenarios
    model = scenarios.build("baseline", seed=1)        # = load_scenario("baseline").build(seed=1)
"""

from scenarios.loader import Problem, Scenario, ScenarioError, list_scenarios, load_scenario


def build(name_or_path, seed: int | None = None, **overrides):
    """A fresh `ClusterModel` of scenario `name_or_path` (a name in scenarios/ or a path), its
    run length as `default_steps`, with parameter `overrides`. Raises ScenarioError for a bad
    file and ValueError for a bad override (naming the parameter)."""
    return load_scenario(name_or_path).build(seed=seed, **overrides)


__all__ = ["build", "load_scenario", "list_scenarios", "Scenario", "ScenarioError", "Problem"]
