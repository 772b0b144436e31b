"""Every policy lever acts: changed mid-run by any route, it changes the next quarter.

The routes are the Python API (`model.set_lever`), a scenario's policy schedule and the live
page's worker (`experiments.live_session.LiveSession.set_lever`, what a released slider calls). For each lever, a twin run without the change
(same seed) is the reference: the quarter after the change must differ from it in the
enterprises' state, the government's stocks or accounts, or the indicators.
"""

import importlib

import numpy as np
import pytest

from agents.population import COLUMNS
from experiments.live_session import LiveSession
from model import ClusterModel
from model.params import LEVER_SPECS, LEVERS, PAID_LEVERS, PARAMS

# small, with a park, a lead firm, a funded budget and some investment attraction, enough outside
# prospects every quarter, subsidies up to their whole entry cost and an outside option above the
# cluster's value for the median prospect (so that recruit_lead_share has money and marginal
# prospects to steer, instead of prospects who all come on their own)
BASE = dict(width=24, height=24, region_size=8, n_firms=25, n_suppliers=50, n_lead_firms=1,
            parks=[[12, 12, 4]], gov_initial_budget=1e5, investment_attraction=40.0,
            outside_prospects=10.0, lead_prospects=3.0, max_subsidy_share=1.0, outside_option=1.2, pollution=5.0,
            rd_subsidy=0.0)
NEW = {"tax_rate": 0.6, "tax_holiday": 40, "rd_subsidy": 0.5, "park_subsidy": 0.9,
       "investment_attraction": 400.0, "recruit_lead_share": 1.0, "ip_protection": 1.0,
       "environmental_regulation": 0.9}
CHANGE_AT = 3  # the change acts from this step on


def new_value(name):
    return NEW.get(name, 80.0)


def state(model) -> dict:
    """Everything the next quarter can change: enterprise columns, government, fields, indicators."""
    pop, gov = model.population, model.government
    out = {f"pop.{c}": getattr(pop, c)[pop.live].copy() for c in COLUMNS}
    for attr in ("budget", "revenue", "spending", "brand_capital", "goodwill", "market_capacity", "skill",
                 "guarantee_fund"):
        out[f"gov.{attr}"] = np.array([getattr(gov, attr)])
    for lever, unspent in gov.carry.items():   # subsidy money a programme has not paid out yet
        out[f"gov.carry.{lever}"] = np.array([unspent])
    out["infrastructure"] = model.grid.infrastructure.data.copy()
    out["rent_paid"] = model.fields["rent_paid"].copy()
    out["indicators"] = model.results().iloc[-1].to_numpy(dtype=float)
    return out


def page_change(model, name, value) -> None:
    """Move a lever the way the live page does: through the worker that owns the model."""
    session = LiveSession(lambda *_: model, lambda _: {}, debounce=0.0)
    try:
        session.reset("twin", 11)
        session.set_lever(name, value)
        session.wait_for(lambda snap: bool(snap.changes))
    finally:
        session.stop()
        session.join(10)


def differs(a: dict, b: dict) -> list[str]:
    return [k for k in a if a[k].shape != b[k].shape or not np.array_equal(a[k], b[k], equal_nan=True)]


@pytest.fixture(scope="module")
def reference():
    m = ClusterModel(seed=11, **BASE)
    m.run(CHANGE_AT - 1)
    before = state(m)
    m.step()
    return before, state(m)


def test_every_lever_is_declared_with_a_mechanism_that_exists():
    assert set(LEVERS) == {n for n, p in PARAMS.items() if p.section == "policy"}
    assert set(PAID_LEVERS) == {n for n, lv in LEVER_SPECS.items() if lv.paid}
    for name, lever in LEVER_SPECS.items():
        module, _, attr = lever.mechanism.rpartition(".")
        while module and not _importable(module):
            module, _, outer = module.rpartition(".")
            attr = f"{outer}.{attr}"
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)  # AttributeError: the declared mechanism does not exist
        assert callable(obj), name
        if lever.kind == "programme":
            assert lever.cost in PARAMS, name


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
        return True
    except ImportError:
        return False


@pytest.mark.parametrize("route", ["python", "schedule", "page"])
@pytest.mark.parametrize("name", LEVERS)
def test_a_lever_changed_mid_run_changes_the_next_quarter(name, route, reference):
    before_ref, after_ref = reference
    value = new_value(name)
    assert value != BASE.get(name, PARAMS[name].default)
    schedule = [(CHANGE_AT, name, value)] if route == "schedule" else []
    m = ClusterModel(seed=11, policy_schedule=schedule, **BASE)
    m.run(CHANGE_AT - 1)
    assert differs(state(m), before_ref) == []  # identical twins up to the change
    if route == "python":
        m.set_lever(name, value)
    elif route == "page":
        page_change(m, name, value)
    m.step()
    assert m.levers()[name] == value
    assert differs(state(m), after_ref), f"{name} changed via {route} left the next quarter unchanged"


def test_tax_rate_changed_mid_run_changes_revenue(reference):
    """The bug of issue 9: production read params["tax_rate"], so a change did nothing."""
    _, after_ref = reference
    m = ClusterModel(seed=11, **BASE)
    m.run(CHANGE_AT - 1)
    m.set_lever("tax_rate", 0.6)
    m.step()
    ratio = m.government.revenue / after_ref["gov.revenue"][0]
    assert ratio == pytest.approx(0.6 / 0.15, rel=0.05)


def test_the_model_reads_lever_values_only_from_the_government():
    """No code in model/ or agents/ reads a lever from the parameters (params["tax_rate"] was the
    issue-9 bug: the government's value changed, production kept reading the initial one)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"\b(p|params)\[\s*[\"'](" + "|".join(LEVERS) + r")[\"']\s*\]")
    found = [f"{path.relative_to(root)}:{n}: {line.strip()}"
             for pkg in ("model", "agents") for path in sorted((root / pkg).rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line) and "LEVERS" not in line]
    assert found == [], "\n".join(found)
