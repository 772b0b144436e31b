"""The indicator registry: declared once, and every consumer reads it."""

import importlib

from model import ClusterModel
from model.indicator_registry import INDICATORS, NAMES, PANEL_ORDER, figure_panels


def _resolve(dotted: str):
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_results_columns_are_the_registry_in_order():
    m = ClusterModel(seed=1, width=16, height=16, n_firms=8, n_suppliers=16, region_size=8).run(1)
    assert tuple(m.results().columns) == NAMES


def test_every_indicator_names_a_formula_that_exists_and_a_known_panel():
    for ind in INDICATORS.values():
        assert callable(_resolve(ind.formula)), ind.name
        assert ind.label and (ind.panel is None or ind.panel in PANEL_ORDER)


def test_consumers_read_the_registry():
    app, compare, plots, runner, sweep = (importlib.import_module(f"experiments.{m}")
                                          for m in ("app", "compare", "plots", "runner", "sweep"))
    assert sweep.indicator_names() == NAMES
    assert plots.PANELS == figure_panels()
    assert app.DEFAULT_INDICATORS == tuple(n for n, i in INDICATORS.items() if i.live)
    assert set(compare.PLOTTED) == {n for n, i in INDICATORS.items() if i.compared}
    assert set(runner.FLOWS) == {n for n, i in INDICATORS.items() if i.starts_at_quarter_1}
    drawn = {c for _, _, left, right in plots.PANELS for c, _ in [*left, *(right[1] if right else [])]}
    assert drawn == {n for n, i in INDICATORS.items() if i.panel}


def test_the_allowed_indicators_of_an_error_name_every_indicator_and_the_budget_columns_once():
    """A misspelt indicator (keep.final, objectives, --outcomes) listed all 83 names, 42 of them the
    spend_/requested_/funded_ columns of each paid lever: now written once as a pattern."""
    import re

    from model.indicator_registry import NAMES, PAID_LEVERS, allowed_text

    text = allowed_text(NAMES)
    levers = re.search(r"for each lever paid from the budget \((.*)\)$", text)[1].split(", ")
    assert levers == list(PAID_LEVERS)
    listed = text[:text.index("spend_<lever>")].rstrip(", ").split(", ")
    patterns = [p + lever for p in ("spend_", "requested_", "funded_") for lever in levers]
    assert sorted(listed + patterns) == sorted(NAMES) and len(text) < len(", ".join(NAMES)) * 0.6
    some = ("firms", "spend_tech_centre", "funded_training")       # a store keeping a few: listed as they are
    assert allowed_text(some) == "firms, spend_tech_centre, funded_training"
