"""The start's parameters beyond its rounds (part of the table of model/params.py, which is the public
name; the equations are in agents/start.py and docs/ODD.md §5): the final market clearing in the start,
the subcontracted chain's fixed point and the crew of a stage's plant."""

from __future__ import annotations

from model.param_spec import declare as _p

START = [
    _p("agents", "start_market_clears", 0, "switch", 0, 1,
       "1: after the start's first init_iterations rounds at the initial price P_0 = demand_level^(1/ε) "
       "anchor the final demand D_0 = demand_level × the final firms' quality output, then run as many "
       "rounds again with the final market clearing against D_0 as it does every quarter, so the run opens "
       "at a final price where the chain's prices and sizes are a fixed point of the rules (with "
       "subcontracting, work_to_order, the stages' goods sell at import parity; agents.start); 0: the "
       "final price held at P_0 and D_0 anchored after the rounds"),
    _p("agents", "subcontracted_start", 1, "switch", 0, 1,
       "1: with subcontracting (work_to_order) the start solves the chain's fixed point after its rounds: "
       "every good at the price a balanced chain clears at (import parity), the final firms at their joint "
       "optimum at the final price P* that keeps the final employment of the rounds, the suppliers at their "
       "order books, D_0 clearing at P* (agents.start.subcontracted_start); 0: the rounds alone. No effect "
       "without work_to_order"),
    _p("agents", "stage_crew", 0, "switch", 0, 1,
       "1: a plant's indivisible crew (the floor and step of hiring, model.production.hire) is its stage's "
       "plant size stage_scale × plant_scale workers instead of plant_scale for every stage (a knitting "
       "workshop of 0.26 × an SME has a crew of 0.26 workers); 0: plant_scale for every stage"),
]
