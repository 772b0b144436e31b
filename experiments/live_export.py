"""What the live page exports and how its state travels in the URL.

* `indicator_csv`: the indicator table, one row per quarter (row 0 = the initial state);
* `scenario_toml`: the run as a scenario file — it extends the page's scenario and lists the
  scenario's own schedule plus every lever moved on the page as `[[policy.schedule]]` entries;
  `clusterlab run FILE --seed S --steps N` reproduces the run (the header says so);
* `state_query` / `parse_query`: scenario, seed, quarter and the page's lever changes as a URL
  query (`?scenario=x&seed=1&step=12&change=5:training=4`), so a reload or a shared link rebuilds
  the same run (same scenario + seed + changes = the same model, see `merged_schedule`).
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlencode

import pandas as pd

from experiments.formatting import count
from experiments.inputs import parse_seed
from experiments.live_session import LeverChange
from model.params import LEVERS, check_value

MAX_REPLAY = 2_000  # quarters a URL may ask the page to replay


def merged_schedule(scenario_schedule, changes) -> list[tuple[int, str, float]]:
    """The scenario's schedule with the page's changes, in the order the model applies them.

    On the page a change made before quarter s is set before quarter s starts, and a scheduled
    change of quarter s is applied at its start, after it: so at equal steps the page's change
    comes first (the model applies entries of one step in list order).
    """
    rows = [(int(s), 1, lever, value) for s, lever, value in scenario_schedule]
    rows += [(int(c.step), 0, c.name, c.value) for c in changes]
    return [(s, lever, value) for s, _, lever, value in sorted(rows, key=lambda r: (r[0], r[1]))]


def indicator_csv(history: dict[str, list]) -> str:
    """CSV text of the indicator history (column "step" first)."""
    df = pd.DataFrame({k: v for k, v in history.items() if k != "step"})
    df.index.name = "step"
    buf = io.StringIO()
    df.to_csv(buf)
    return buf.getvalue()


def _toml_value(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float):
        return repr(v)
    return str(v)


def scenario_toml(scenario: str, seed: int, steps: int, changes, scenario_schedule=(), run_steps: int = 0) -> str:
    """A scenario file reproducing the page's run to quarter `steps` (see the module docstring);
    its run length is the scenario's (`run_steps`) or longer, so every scheduled step fits."""
    schedule = merged_schedule(scenario_schedule, changes)
    length = max(int(steps), int(run_steps), *(s for s, _, _ in schedule), 1)
    lines = [
        f"# Exported from the ClusterLab live page: scenario {scenario}, seed {seed}, {count(steps, "quarter")}.",
        f"# Reproduce: clusterlab run THIS_FILE.toml --seed {seed} --steps {steps}",
        f"extends = {_toml_value(scenario)}",
        "",
        "[meta]",
        f"title = {_toml_value(f'{scenario} with the levers moved on the live page')}",
        f"question = {_toml_value(f'What did the lever changes made on the page do to {scenario}?')}",
        f"source = {_toml_value(f'live page export (seed {seed})')}",
        f"expected = {_toml_value('the same indicators as the page showed, quarter by quarter')}",
        "",
        "[run]",
        f"steps = {length}",
    ]
    for step, lever, value in schedule:
        lines += ["", "[[policy.schedule]]", f"step = {step}", f"lever = {_toml_value(lever)}",
                  f"value = {_toml_value(value)}"]
    return "\n".join(lines) + "\n"


def state_query(scenario: str, seed: int, step: int, changes) -> str:
    """The page's state as a URL query string (without "?")."""
    pairs = [("scenario", scenario), ("seed", str(seed)), ("step", str(int(step)))]
    pairs += [("change", f"{c.step}:{c.name}={c.value:g}") for c in changes]
    return urlencode(pairs)


def parse_query(search: str | None, scenarios) -> tuple[dict, list[str]]:
    """{scenario, seed, step, changes} read from a URL query, and the problems found.

    Anything unusable is left out (and named in the problems): an unknown scenario, a seed that
    is not an integer, a change of something that is not a lever or out of its range.
    """
    out: dict = {}
    problems: list[str] = []
    q = parse_qs(search or "", keep_blank_values=True)
    if "scenario" in q:
        name = q["scenario"][-1]
        if name in scenarios:
            out["scenario"] = name
        else:
            problems.append(f"scenario {name!r} is not one of {', '.join(scenarios)}")
    for key in ("seed", "step"):
        if key in q:
            try:
                out[key] = int(q[key][-1]) if key == "step" else parse_seed(q[key][-1], "seed")
            except ValueError as e:      # InputError is one: its text names the allowed seeds
                problems.append(str(e) if key == "seed" else f"{key} {q[key][-1]!r} is not an integer")
    if not 0 <= out.get("step", 0) <= MAX_REPLAY:
        problems.append(f"step {out.pop('step')} is outside 0–{MAX_REPLAY}")
    changes = []
    for text in q.get("change", []):
        try:
            step, rest = text.split(":", 1)
            name, value = rest.split("=", 1)
            if name not in LEVERS:
                raise ValueError(f"{name!r} is not a policy lever")
            changes.append(LeverChange(int(step), name, check_value(name, float(value))))
        except ValueError as e:
            problems.append(f"change {text!r}: {e}")
    if changes:
        out["changes"] = sorted(changes, key=lambda c: c.step)
    return out, problems
