"""Scenarios: named, documented configurations of ClusterModel, written as TOML files in this folder.

    from scenarios import load_scenario
    model = load_scenario("baseline").build(seed=1)
"""

from scenarios.loader import Problem, Scenario, ScenarioError, list_scenarios, load_scenario

__all__ = ["load_scenario", "list_scenarios", "Scenario", "ScenarioError", "Problem"]
