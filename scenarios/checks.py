"""Every check of a scenario, in one place: `validate(data, origins, name, path)`.

`clusterlab validate`, `load_scenario`, `Scenario.with_overrides` (hence `--set` and sweeps)
and `Scenario.build` all pass through `validate`, so what `validate` accepts `run` accepts.
It checks, collecting every problem before raising one `ScenarioError`:

1. the layout: known tables and keys, [meta] strings, [run] steps, misplaced parameters;
2. each value against its parameter in `model.params` (type, range, choices);
3. the table lists (parks, roads, demand shifts) entry by entry against the grid and the run;
4. the policy schedule: levers, steps inside the run, one value per lever and quarter;
5. the case figures ([[targets]], [calibration]: `scenarios.targets.parse`);
6. every joint condition of `model.feasibility` over the resolved parameters (stage lists
   against n_stages, the dirty stage, the market gateway, decreasing returns, the user cost of
   capital, the initial workforce against the grid's labour, enterprises over the run against
   max_enterprises), skipping a rule whose keys were themselves refused.

Each problem names the file that set the key (`origins`), the key, what is allowed and what
was given.
"""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path
from typing import Any

from model.feasibility import violations
from model.params import LEVERS, PARAMS, check_value, did_you_mean, resolve_params
from model.space import n_regions
from scenarios import targets
from scenarios.schema import (
    META_KEYS,
    NOTHING,
    OVERRIDES,
    PARAM_SECTIONS,
    RUN_KEYS,
    SCENARIO_DIR,
    SCHEDULE_KEYS,
    TABLE_DEFAULTS,
    TABLE_LISTS,
    TOP_KEYS,
    Problem,
    ScenarioError,
    kind,
    label,
    spelling,
    toml_key,
)

_BAD = object()


class _Checker:
    """Collects problems; each names the file that set the key (via `origins`)."""

    def __init__(self, origins: dict, default_file: str):
        self.origins, self.default_file = origins, default_file
        self.problems: list[Problem] = []

    def file_of(self, key: str) -> str:
        while key:
            if key in self.origins:
                return self.origins[key]
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", key)
            if parent == key:
                break
            key = parent
        return self.default_file

    def bad(self, key, message, allowed="", given=NOTHING):
        self.problems.append(Problem(self.file_of(key), key, message, allowed, given))
        return _BAD

    def table(self, key, value) -> dict:
        if isinstance(value, dict):
            return value
        self.bad(key, f"wrong type ({kind(value)})", f"a table [{key}]", value)
        return {}

    def keys(self, key, table: dict, allowed, required=()) -> dict:
        """The entries of `table` whose keys are allowed; unknown and missing keys are problems."""
        meant = set()
        for k in table:
            if k not in allowed:
                hint = difflib.get_close_matches(k, list(allowed), n=1, cutoff=0.6)
                said = did_you_mean(k, allowed)
                if not hint and k in ("quarter", "quarters") and "step" in allowed:   # the docs' word for a step
                    hint, said = ["step"], " (did you mean 'step'? one step is one quarter)"
                meant.update(hint)
                self.bad(f"{key}.{k}", f"unknown key{said}", ", ".join(allowed), table[k])
        for k in required:
            if k not in table and k not in meant:
                self.bad(f"{key}.{k}", "missing", ", ".join(allowed))
        return {k: v for k, v in table.items() if k in allowed}

    def param(self, key, name, value):
        try:
            return check_value(name, value)
        except (ValueError, OverflowError):  # OverflowError: check_value(int parameter, inf)
            p = PARAMS[name]
            return self.bad(key, _why(p, value), p.allowed(), value)

    def number(self, key, value, low=None, high=None, integer=False, allowed="",
               under="out of range", over="out of range"):
        """`value` if it is a number (an integer if asked) in [low, high], else a problem."""
        allowed = allowed or (f"{'an integer' if integer else 'a number'} in [{low}, {high}]")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.bad(key, f"wrong type ({kind(value)})", allowed, value)
        if value != value:
            return self.bad(key, "not a number", allowed, value)
        if low is not None and value < low:
            return self.bad(key, under, allowed, value)
        if high is not None and value > high:
            return self.bad(key, over, allowed, value)
        if not math.isfinite(value):
            return self.bad(key, "out of range", allowed, value)
        if integer and value != int(value):
            return self.bad(key, "not an integer", allowed, value)
        return int(value) if integer else float(value)


def validate(data: dict, origins: dict, name: str, path: Path | None) -> dict:
    """The fields of the `scenarios.scenario.Scenario` of merged TOML `data` (origins: key -> file
    that set it), or a `ScenarioError` listing every problem (see the module docstring)."""
    check = _Checker(origins, label(path) if path else name)
    _check_layout(check, data)
    meta = check.keys("meta", check.table("meta", data.get("meta", {})), META_KEYS)
    for key, value in meta.items():
        if not isinstance(value, str):
            check.bad(f"meta.{key}", f"wrong type ({kind(value)})", "a string", value)
    if "\n" in str(meta.get("question", "")).strip():
        check.bad("meta.question", "must be one line", "one line of text", meta["question"])

    params, rejected, lists, schedule_raw = _check_params(check, data)
    steps = params.get("default_steps", PARAMS["default_steps"].default)
    full = {n: p.default for n, p in PARAMS.items()} | params
    grid_ok = not rejected & {"width", "height"}
    grid = dict(W=full["width"] if grid_ok else None, H=full["height"] if grid_ok else None,
                steps=None if "default_steps" in rejected else steps)
    for param, (key, entries) in lists.items():
        if param in ("stage_shares", "stage_scale"):
            value = _weights(check, key, entries)
        else:
            value = _table_list(check, key, entries, TABLE_LISTS[key][1], grid)
        if value is _BAD:
            rejected.add(param)
        else:
            params[param] = value
    schedule = () if schedule_raw is _BAD else _schedule(check, schedule_raw, grid["steps"])
    _check_joint(check, {n: p.default for n, p in PARAMS.items()} | params, rejected, schedule, steps)
    _check_targets(check, targets.parse(data, check.bad, PARAMS)[0], data, steps)  # case figures (scenarios/targets.py)

    if check.problems:
        raise ScenarioError(check.problems)
    params.pop("default_steps", None)
    return dict(name=name, title=meta.get("title", name), question=meta.get("question", "").strip(),
                source=meta.get("source", ""), expected=meta.get("expected", ""), steps=steps,
                params=params, schedule=tuple(schedule), path=path, warnings=tuple(_notes(full, params)),
                _data=data, _origins=origins)


def _check_targets(check: _Checker, found, data: dict, steps: int) -> None:
    """What targets.parse cannot see: windows inside the run, a `ratio_to` scenario that exists.
    `found` holds the well-formed targets only: each is named by its place in the file."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    place = {e.get("name"): j for j, e in enumerate(data.get("targets", [])) if isinstance(e, dict)}
    for t in found:
        i = place.get(t.name, "?")
        for key, (first, last) in t.windows.items():
            if max(first, last) > steps:
                check.bad(f"targets[{i}].{key}", f"beyond the end of the run (run.steps = {steps})",
                          f"quarters in [0, {steps}] (negative: counted from the end)", [first, last])
        if t.measure == "ratio_to" and t.against not in names and not Path(t.against).is_file():
            check.bad(f"targets[{i}].against", f"no such scenario{did_you_mean(t.against, names)}",
                      ", ".join(names) + ", or a path to a .toml file", t.against)


def check_steps(scenario, steps: int | None, source: str = "--steps") -> int:
    """The run length to use: the scenario's, or `steps` if given, checked against the largest
    run (`default_steps`' range) and against the resource bounds of `model.feasibility` for that
    length; `ScenarioError` naming `source` otherwise."""
    if steps is None:
        return scenario.steps
    p = PARAMS["default_steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or not p.low <= steps <= p.high:
        raise ScenarioError([Problem(source, "", "out of range", f"an integer in [{p.low}, {p.high}] (quarters)",
                                     steps)])
    found = violations(resolve_params(scenario.params), steps, _levers_used(scenario.schedule))
    if found:
        raise ScenarioError([Problem(source, "", f"{v.message} ({', '.join(v.keys)})", v.allowed, steps)
                             for v in found])
    return steps


# --- parts ------------------------------------------------------------------------------------
def _check_layout(check: _Checker, data: dict) -> None:
    for key in data:
        if key not in TOP_KEYS:
            if key in PARAMS:
                check.bad(key, "misplaced parameter", spelling(key), data[key])
            else:
                check.bad(key, f"unknown table or key{did_you_mean(key, TOP_KEYS)}", ", ".join(TOP_KEYS), data[key])


def _check_params(check: _Checker, data: dict):
    """(params, rejected names, list-valued entries, raw schedule) of every parameter table."""
    params: dict[str, Any] = {}
    rejected: set[str] = set()               # parameters given with a bad value
    lists: dict[str, tuple[str, Any]] = {}   # parameter -> (key, raw entries)
    schedule_raw = _BAD
    run = check.keys("run", check.table("run", data.get("run", {})), RUN_KEYS)
    for key, value in run.items():
        name = "default_steps" if key == "steps" else key
        if (v := check.param(f"run.{key}", name, value)) is not _BAD:
            params[name] = v
        else:
            rejected.add(name)
    for section in PARAM_SECTIONS:
        if section not in data:
            continue
        for key, value in check.table(section, data[section]).items():
            where = f"{section}.{key}"
            if where in TABLE_LISTS:
                lists[TABLE_LISTS[where][0]] = (where, value)
            elif where == "policy.schedule":
                schedule_raw = value
            elif key in PARAMS and toml_key(key) == where:
                if key in ("stage_shares", "stage_scale"):
                    lists[key] = (where, value)
                elif (v := check.param(where, key, value)) is not _BAD:
                    params[key] = v
                else:
                    rejected.add(key)
            elif key in PARAMS:
                check.bad(where, "misplaced parameter", spelling(key), value)
            else:
                allowed = _section_keys(section)
                check.bad(where, f"unknown key{did_you_mean(key, allowed)}", _allowed_keys(section, allowed), value)
    return params, rejected, lists, schedule_raw


def _check_joint(check: _Checker, full: dict, rejected: set, schedule, steps) -> None:
    """The joint conditions of `model.feasibility`, each blamed on a key some file set."""
    if "default_steps" in rejected:
        steps = None
    for v in violations(full, steps, _levers_used(schedule)):
        if set(v.keys) & rejected:
            continue
        # blame the key the latest source set (command-line overrides), else any key a file set
        given = sorted((k for k in v.keys if toml_key(k) in check.origins),
                       key=lambda k: check.origins[toml_key(k)] != OVERRIDES) or list(v.keys)
        name = given[0]
        check.bad(toml_key(name), v.message, v.allowed, _plain(full[name]))


def _levers_used(schedule) -> dict:
    used: dict[str, float] = {}
    for _, lever, value in schedule:
        if isinstance(value, (int, float)):
            used[lever] = max(used.get(lever, 0.0), value)
    return used


def _notes(full: dict, params: dict) -> list[str]:
    notes = []
    if n_regions(full["width"], full["height"], full["region_size"]) == 1:
        notes.append(f"space.region_size: {full['region_size']} on a {full['width']} × {full['height']} grid makes "
                     "a single region: Ellison–Glaeser is undefined (n/a) and the largest location quotient is 1 "
                     "(Moran's I, over cells, is unaffected)")
    return notes


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def _section_keys(section: str) -> list[str]:
    keys = [n for n, p in PARAMS.items() if p.section == section and toml_key(n) == f"{section}.{n}"]
    keys += [k.split(".")[1] for k in TABLE_LISTS if k.startswith(section + ".")]
    return list(dict.fromkeys(keys + (["schedule"] if section == "policy" else [])))


def _allowed_keys(section: str, keys: list[str]) -> str:
    if len(keys) <= 12:
        return ", ".join(keys)
    return f"one of the {len(keys)} [{section}] parameters of model/params.py"


def _entry_rules(field_name: str, grid: dict) -> dict:
    """Allowed values of one field of a park, road or demand shift (None = size unknown: it was invalid)."""
    W, H, steps = grid["W"], grid["H"], grid["steps"]
    if field_name in ("x", "y", "x0", "y0", "x1", "y1"):
        if W is None:
            return dict(low=0, integer=True, allowed="an integer >= 0")
        top = (W if field_name[0] == "x" else H) - 1
        return dict(low=0, high=top, integer=True, over=f"outside the {W} × {H} grid",
                    allowed=f"an integer in [0, {top}] (inside the {W} × {H} grid)")
    if field_name == "step":
        return dict(low=1, high=steps, integer=True, over=f"beyond the end of the run (run.steps = {steps})",
                    under="quarters count from 1 (initial values go in [policy] or [market])",
                    allowed=f"an integer in [1, {steps}] (a quarter of the run)" if steps else "an integer >= 1")
    q = PARAMS["quality_standard"]
    reach = math.ceil(math.hypot(W, H)) if W is not None else PARAMS["width"].high * 2
    return {
        "radius": dict(low=0, high=reach, allowed=f"a number in [0, {reach}] (cells; the grid's diagonal at most)"),
        "level": dict(low=0.0, high=1.0, allowed="a number in [0, 1] (infrastructure level)"),
        "demand": dict(low=0.01, high=100.0, allowed="a number in [0.01, 100] (factor on outside demand)"),
        "quality": dict(low=q.low, high=q.high, allowed=f"{q.allowed()} (new quality_standard)"),
    }[field_name]


def _table_list(check: _Checker, key: str, entries, fields: tuple, grid: dict):
    """Parks, roads or demand shifts: a list of tables with `fields`, as a tuple of tuples."""
    shape = f"[[{key}]] tables with {', '.join(fields)}"
    if not isinstance(entries, list):
        return check.bad(key, f"wrong type ({kind(entries)})", shape, entries)
    out, ok = [], True
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            listed = f" (from --set or Python: a list [{', '.join(fields)}])" if isinstance(entry, list) else ""
            check.bad(where, f"wrong type ({kind(entry)})", f"a table with {', '.join(fields)}{listed}", entry)
            ok = False
            continue
        default = TABLE_DEFAULTS.get(key, {})
        entry = check.keys(where, entry, fields, required=[f for f in fields if f not in default])
        values = [check.number(f"{where}.{f}", entry[f], **_entry_rules(f, grid)) if f in entry
                  else default.get(f, _BAD) for f in fields]
        ok &= _BAD not in values
        out.append(tuple(values))
    if ok and key == "market.shifts":
        ok = _once_per_step(check, key, [v[0] for v in out], "two demand shifts at the same quarter")
    return tuple(out) if ok else _BAD


def _once_per_step(check: _Checker, key: str, steps: list, what: str) -> bool:
    seen: dict = {}
    for i, step in enumerate(steps):
        if step in seen:
            check.bad(f"{key}[{i}]", f"{what} (also {key}[{seen[step]}]): which one applies would be "
                      "an accident of order", "one entry per quarter (merge them)", step)
            return False
        seen[step] = i
    return True


def _weights(check: _Checker, key: str, values):
    """stage_shares or stage_scale: a list of numbers (length and bounds: model.feasibility)."""
    if not isinstance(values, list):
        return check.bad(key, f"wrong type ({kind(values)})", "a list of numbers, one per stage", values)
    out = [check.number(f"{key}[{i}]", w, 0.0, None, allowed="a number >= 0") for i, w in enumerate(values)]
    return _BAD if _BAD in out else tuple(out)


def _schedule(check: _Checker, entries, steps: int | None) -> list:
    key = "policy.schedule"
    if not isinstance(entries, list):
        check.bad(key, f"wrong type ({kind(entries)})", "[[policy.schedule]] tables with step, lever, value", entries)
        return []
    out, seen = [], {}
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            check.bad(where, f"wrong type ({kind(entry)})", "a table with step, lever, value", entry)
            continue
        entry = check.keys(where, entry, SCHEDULE_KEYS, required=SCHEDULE_KEYS)
        step = _BAD
        if "step" in entry:
            step = check.number(f"{where}.step", entry["step"], **_entry_rules("step", dict(W=1, H=1, steps=steps)))
        lever = entry.get("lever", _BAD)
        if lever is not _BAD and lever not in LEVERS:
            hint = did_you_mean(lever, LEVERS) if isinstance(lever, str) else ""
            lever = check.bad(f"{where}.lever", f"not a policy lever{hint}", "one of " + ", ".join(LEVERS), lever)
        value = _BAD
        if lever is not _BAD and "value" in entry:
            value = check.param(f"{where}.value", lever, entry["value"])
        if _BAD in (step, lever, value):
            continue
        if (step, lever) in seen:
            check.bad(where, f"{lever} is set twice at step {step} (also {key}[{seen[step, lever]}]): only "
                      "one value can apply", "one entry per lever and quarter", entry)
            continue
        seen[step, lever] = i
        out.append((step, lever, value))
    return sorted(out, key=lambda e: e[0])


def _why(p, value) -> str:
    if p.choices is not None:
        hint = did_you_mean(value, [str(c) for c in p.choices]) if isinstance(value, str) else ""
        return f"not an allowed choice{hint}" if isinstance(value, str) else f"wrong type ({kind(value)})"
    if p.kind in (list, bool) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"wrong type ({kind(value)})"
    if value != value:
        return "not a number"
    if math.isfinite(value) and p.kind is int and value != int(value):
        return "not an integer"
    return "out of range" if p.admits(value) else f"in the refused gap ({p.low:g}, {p.least_on:g}): on, but below its least value"
