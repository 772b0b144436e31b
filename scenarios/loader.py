"""Scenario files: TOML in `scenarios/`, checked against `model.params`, loaded into a `Scenario`.

A scenario file is data, never code::

    extends = "baseline"          # optional: a scenario name or a path relative to this file

    [meta]                        # describes this file only (not inherited)
    title = "Xiqiao: a design centre revives a cluster"
    question = "Can a public design centre pull a cluster through a shift to quality?"
    source = "Xiqiao textiles (seeds)"
    expected = "firm count falls after the shift, then recovers once the centre opens"

    [run]
    steps = 120                   # default: PARAMS["default_steps"]

    [space]                       # [agents] [market] [mechanisms] [labour] [environment]
    width = 80                    # [government] [policy]: every key is a parameter of
    [[space.parks]]               # model/params.py whose section is the table's name
    x = 40
    y = 40
    radius = 5
    [[space.roads]]               # {x0, y0, x1, y1, level}
    [[market.shifts]]             # {step, demand, quality} -> parameter demand_shifts

    [policy]
    tax_rate = 0.1                # initial lever values
    [[policy.schedule]]           # lever changes, applied at the start of `step`
    step = 40
    lever = "tech_centre"
    value = 20.0

`extends` deep-merges tables (the extending file wins) and replaces lists. Every problem of a
file (and of the files it extends) is collected and raised at once as a `ScenarioError`, one
line per problem naming the file, the key path (list entries counted from 0), what is allowed
and what was given. Steps count quarters from 1: the model applies a step-t change at the start
of its t-th quarter, so initial values belong in [policy] and [market], not at step 0.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from model.params import LEVERS, PARAMS, SECTIONS, check_value, did_you_mean
from scenarios import targets

SCENARIO_DIR = Path(__file__).resolve().parent
PARAM_SECTIONS = tuple(s for s in SECTIONS if s != "run")
LEAF_KEYS = ("extends", "meta", "targets", "calibration")  # describe their own file: not inherited
TOP_KEYS = (*LEAF_KEYS, "run", *PARAM_SECTIONS)
META_KEYS = ("title", "question", "source", "expected")
SCHEDULE_KEYS = ("step", "lever", "value")
OVERRIDES = "overrides"  # the "file" named in problems with `build(**overrides)`

# List-valued parameters written as arrays of tables: TOML key -> (parameter, entry fields).
TABLE_LISTS = {
    "space.parks": ("parks", ("x", "y", "radius")),
    "space.roads": ("roads", ("x0", "y0", "x1", "y1", "level")),
    "market.shifts": ("demand_shifts", ("step", "demand", "quality")),
}
_TOML_KEY = {param: key for key, (param, _) in TABLE_LISTS.items()} | {"default_steps": "run.steps"}


# --- problems ---------------------------------------------------------------------------------
class _Nothing:
    """Marks "no value given" (and pickles as itself, so problems survive a process pool)."""

    def __reduce__(self):
        return "_NOTHING"


_NOTHING = _Nothing()
NOTHING = _NOTHING  # public name of the marker, for other modules' Problem records


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file."""

    file: str
    key: str
    message: str
    allowed: str = ""
    given: Any = _NOTHING

    def __str__(self) -> str:
        text = f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        if self.given is not _NOTHING:
            text += f"; given: {_show_value(self.given)}"
        return text


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or built; `problems` lists everything found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        return ScenarioError, (self.problems,)


# --- the scenario -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its description, run length, parameter overrides and policy schedule."""

    name: str
    title: str
    question: str
    source: str
    expected: str
    steps: int
    params: dict = field(default_factory=dict)     # flat parameter overrides (model.params names)
    schedule: tuple = ()                           # ((step, lever, value), ...) sorted by step
    path: Path | None = None
    _data: dict = field(default_factory=dict, repr=False, compare=False)        # merged TOML
    _origins: dict = field(default_factory=dict, repr=False, compare=False)     # key -> file

    def with_overrides(self, **overrides) -> Scenario:
        """This scenario with parameters replaced, checked like the file itself."""
        if not overrides:
            return self
        problems, data, origins = [], copy.deepcopy(self._data), dict(self._origins)
        for name, value in overrides.items():
            if isinstance(value, tuple):
                value = list(value)
            elif hasattr(value, "item") and not isinstance(value, list):  # a numpy scalar from a sweep
                value = value.item()
            if name not in PARAMS:
                problems.append(Problem(OVERRIDES, name, f"unknown parameter{did_you_mean(name, PARAMS)}",
                                        "a parameter of model/params.py", value))
                continue
            where = _toml_key(name)
            if where in TABLE_LISTS and isinstance(value, list):  # [(x, y, radius), ...] -> [{x, y, radius}, ...]
                fields = TABLE_LISTS[where][1]
                value = [dict(zip(fields, e)) if isinstance(e, (list, tuple)) and len(e) == len(fields) else e
                         for e in value]
            section, key = where.split(".")
            data.setdefault(section, {})[key] = value
            _mark(origins, where, value, OVERRIDES)
        if problems:
            raise ScenarioError(problems)
        return _validate(data, origins, self.name, self.path)

    def with_schedule(self, entries) -> Scenario:
        """This scenario with (step, lever, value) entries added to its policy schedule, checked
        like the file itself (a step beyond the run or an unknown lever raises ScenarioError)."""
        if not entries:
            return self
        data = copy.deepcopy(self._data)
        policy = data.setdefault("policy", {})
        policy["schedule"] = list(policy.get("schedule", [])) + [
            {"step": int(step), "lever": lever, "value": value} for step, lever, value in entries]
        return _validate(data, dict(self._origins), self.name, self.path)

    def build(self, seed: int | None = None, **overrides):
        """A fresh `ClusterModel` of this scenario (its `default_steps` = the scenario's steps)."""
        from model import ClusterModel

        s = self.with_overrides(**overrides)
        try:
            return ClusterModel(seed=seed, policy_schedule=list(s.schedule), default_steps=s.steps, **s.params)
        except ValueError as exc:
            raise ScenarioError([Problem(_label(self.path) if self.path else self.name, "", str(exc))]) from exc


class ScenarioInfo(NamedTuple):
    name: str
    question: str


# --- finding and listing ----------------------------------------------------------------------
def scenario_names(directory: Path = SCENARIO_DIR) -> list[str]:
    return sorted(p.stem for p in Path(directory).glob("*.toml"))


def list_scenarios() -> list[ScenarioInfo]:
    """(name, question) for every scenario in `scenarios/`."""
    out = []
    for name in scenario_names():
        try:
            question = load_scenario(name).question
        except ScenarioError as exc:
            question = f"(invalid: {len(exc.problems)} problem(s); see `clusterlab validate`)"
        out.append(ScenarioInfo(name, question))
    return out


def _is_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or "\\" in text


def _label(path: Path) -> str:
    """The path as shown in messages: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- loading ----------------------------------------------------------------------------------
def load_scenario(name_or_path) -> Scenario:
    """Load and check a scenario by name (`scenarios/<name>.toml`) or by path."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or _is_path(text) or Path(text).is_file():
        path = Path(text)
    else:
        path = SCENARIO_DIR / f"{text}.toml"
        if not path.is_file():
            names = scenario_names()
            raise ScenarioError([Problem(text, "", f"no such scenario{did_you_mean(text, names)}",
                                         ", ".join(names) + ", or a path to a .toml file")])
    problems: list[Problem] = []
    chain = _read_chain(path, problems)
    if problems:
        raise ScenarioError(problems)
    data, origins = {}, {}
    for label, raw in chain:
        _merge(data, {k: v for k, v in raw.items() if k not in LEAF_KEYS}, origins, label)
    leaf_label, leaf = chain[-1]
    for key in LEAF_KEYS:
        if key in leaf:
            data[key] = leaf[key]
            _mark(origins, key, leaf[key], leaf_label)
    return _validate(data, origins, path.stem, path)


def _read_toml(path: Path, label: str, problems: list, referrer: tuple[str, str] | None) -> dict | None:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        if referrer:  # a missing parent: the problem is in the file that names it
            names = scenario_names(path.parent) + scenario_names()
            problems.append(Problem(referrer[0], "extends", f"no such file {label}"
                                    f"{did_you_mean(path.stem, names)}", "a scenario name or a relative path",
                                    referrer[1]))
        else:
            problems.append(Problem(label, "", "no such file"))
    except UnicodeDecodeError:
        problems.append(Problem(label, "", "not UTF-8 text"))
    except OSError as exc:
        problems.append(Problem(label, "", f"cannot read: {exc.strerror or exc}"))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
        key = f"line {where[1]}, column {where[2]}" if where else ""
        message = message[: where.start()] if where else message
        if message.startswith("Cannot overwrite") or message.startswith("Cannot declare"):
            message += " (a key or table given twice?)"
        problems.append(Problem(label, key, f"malformed TOML: {message}"))
    return None


def _read_chain(path: Path, problems: list) -> list[tuple[str, dict]]:
    """[(label, data), ...] from the root of the `extends` chain down to `path`."""
    chain, seen, referrer = [], [], None
    while True:
        label = _label(path)
        if path.resolve() in seen:
            cycle = " -> ".join([*(lab for lab, _ in chain), label])
            problems.append(Problem(referrer[0], "extends", f"cycle: {cycle}",
                                    f"a scenario that does not lead back to {label}", referrer[1]))
            break
        seen.append(path.resolve())
        data = _read_toml(path, label, problems, referrer)
        if data is None:
            break
        chain.append((label, data))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            problems.append(Problem(label, "extends", f"wrong type ({_kind(parent)})" if not isinstance(parent, str)
                                    else "empty", "a scenario name or a relative path (a string)", parent))
            break
        referrer = (label, parent)
        if _is_path(parent):
            path = path.parent / parent
        else:
            local = path.parent / f"{parent}.toml"
            path = local if local.is_file() else SCENARIO_DIR / f"{parent}.toml"
    return chain[::-1]


def _merge(base: dict, over: dict, origins: dict, label: str, prefix: str = "") -> None:
    """Deep-merge `over` into `base` (tables merge, everything else replaces), noting who set what."""
    for key, value in over.items():
        path = prefix + key
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origins, label, path + ".")
        else:
            base[key] = copy.deepcopy(value)
            _mark(origins, path, value, label)


def _mark(origins: dict, path: str, value, label: str) -> None:
    origins[path] = label
    if isinstance(value, dict):
        for k, v in value.items():
            _mark(origins, f"{path}.{k}", v, label)


def _toml_key(name: str) -> str:
    return _TOML_KEY.get(name, f"{PARAMS[name].section}.{name}")


def _spelling(name: str) -> str:
    """How parameter `name` is written in a scenario file."""
    key = _toml_key(name)
    if key in TABLE_LISTS:
        return f"[[{key}]] tables with {', '.join(TABLE_LISTS[key][1])}"
    section, short = key.split(".")
    return f"[{section}] {short}"


# --- checking ---------------------------------------------------------------------------------
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

    def bad(self, key, message, allowed="", given=_NOTHING):
        self.problems.append(Problem(self.file_of(key), key, message, allowed, given))
        return _BAD

    def table(self, key, value) -> dict:
        if isinstance(value, dict):
            return value
        self.bad(key, f"wrong type ({_kind(value)})", f"a table [{key}]", value)
        return {}

    def keys(self, key, table: dict, allowed, required=()) -> dict:
        """The entries of `table` whose keys are allowed; unknown and missing keys are problems."""
        meant = set()
        for k in table:
            if k not in allowed:
                hint = difflib.get_close_matches(k, list(allowed), n=1, cutoff=0.6)
                meant.update(hint)
                self.bad(f"{key}.{k}", f"unknown key{did_you_mean(k, allowed)}", ", ".join(allowed), table[k])
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
            return self.bad(key, f"wrong type ({_kind(value)})", allowed, value)
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


def _validate(data: dict, origins: dict, name: str, path: Path | None) -> Scenario:
    label = _label(path) if path else name
    check = _Checker(origins, label)

    for key in data:
        if key not in TOP_KEYS:
            if key in PARAMS:
                check.bad(key, "misplaced parameter", _spelling(key), data[key])
            else:
                check.bad(key, f"unknown table or key{did_you_mean(key, TOP_KEYS)}", ", ".join(TOP_KEYS), data[key])

    meta = check.keys("meta", check.table("meta", data.get("meta", {})), META_KEYS)
    for key, value in meta.items():
        if not isinstance(value, str):
            check.bad(f"meta.{key}", f"wrong type ({_kind(value)})", "a string", value)
    if "\n" in str(meta.get("question", "")).strip():
        check.bad("meta.question", "must be one line", "one line of text", meta["question"])

    run = check.keys("run", check.table("run", data.get("run", {})), ("steps",))
    dp = PARAMS["default_steps"]
    steps = check.number("run.steps", run.get("steps", dp.default), dp.low, dp.high, integer=True)

    params: dict[str, Any] = {}
    rejected: set[str] = set()               # parameters given with a bad value
    lists: dict[str, tuple[str, Any]] = {}   # parameter -> (key, raw entries)
    schedule_raw = _BAD
    for section in PARAM_SECTIONS:
        if section not in data:
            continue
        table = check.table(section, data[section])
        for key, value in table.items():
            where = f"{section}.{key}"
            if where in TABLE_LISTS:
                lists[TABLE_LISTS[where][0]] = (where, value)
            elif where == "policy.schedule":
                schedule_raw = value
            elif key in PARAMS and _toml_key(key) == where:
                if key == "stage_shares":
                    lists[key] = (where, value)
                elif (v := check.param(where, key, value)) is not _BAD:
                    params[key] = v
                else:
                    rejected.add(key)
            elif key in PARAMS:
                check.bad(where, "misplaced parameter", _spelling(key), value)
            else:
                allowed = _section_keys(section)
                check.bad(where, f"unknown key{did_you_mean(key, allowed)}",
                          _allowed_keys(section, allowed), value)

    # checks across keys, skipped where a key they need was itself refused
    full = {n: p.default for n, p in PARAMS.items()} | params
    grid_ok = not rejected & {"width", "height"}
    W, H = (full["width"], full["height"]) if grid_ok else (None, None)
    for axis, size in (("market_x", W), ("market_y", H)):
        if grid_ok and axis in params and params[axis] >= size:
            check.bad(f"space.{axis}", f"outside the {W} × {H} grid",
                      f"-1 (grid centre) or an integer in [0, {size - 1}]", params[axis])
    if not rejected & {"labour_share", "capital_share"} and full["labour_share"] + full["capital_share"] >= 1.0:
        key = "labour.capital_share" if "capital_share" in params else "labour.labour_share"
        check.bad(key, "labour_share + capital_share must be < 1 (decreasing returns)",
                  f"a sum below 1; now {full['labour_share']} + {full['capital_share']}", full[key.split(".")[1]])

    grid = dict(W=W, H=H, steps=steps if steps is not _BAD else None)
    for param, (key, entries) in lists.items():
        if param == "stage_shares":
            value = _stage_shares(check, key, entries, None if "n_stages" in rejected else full["n_stages"])
        else:
            value = _table_list(check, key, entries, TABLE_LISTS[key][1], grid)
        if value is not _BAD:
            params[param] = value
    schedule = () if schedule_raw is _BAD else _schedule(check, schedule_raw, grid["steps"])

    targets.parse(data, check.bad, PARAMS)  # the case figures (scenarios/targets.py)
    if check.problems:
        raise ScenarioError(check.problems)
    return Scenario(name=name, title=meta.get("title", name), question=meta.get("question", "").strip(),
                    source=meta.get("source", ""), expected=meta.get("expected", ""), steps=steps,
                    params=params, schedule=tuple(schedule), path=path, _data=data, _origins=origins)


def _section_keys(section: str) -> list[str]:
    keys = [n for n, p in PARAMS.items() if p.section == section and _toml_key(n) == f"{section}.{n}"]
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
    return {
        "radius": dict(low=0, allowed="a number >= 0 (cells)"),
        "level": dict(low=0.0, high=1.0, allowed="a number in [0, 1] (infrastructure level)"),
        "demand": dict(low=0.01, high=100.0, allowed="a number in [0.01, 100] (factor on outside demand)"),
        "quality": dict(low=q.low, high=q.high, allowed=f"{q.allowed()} (new quality_standard)"),
    }[field_name]


def _table_list(check: _Checker, key: str, entries, fields: tuple, grid: dict):
    """Parks, roads or demand shifts: a list of tables with `fields`, as a tuple of tuples."""
    shape = f"[[{key}]] tables with {', '.join(fields)}"
    if not isinstance(entries, list):
        return check.bad(key, f"wrong type ({_kind(entries)})", shape, entries)
    out, ok = [], True
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            check.bad(where, f"wrong type ({_kind(entry)})", f"a table with {', '.join(fields)}", entry)
            ok = False
            continue
        entry = check.keys(where, entry, fields, required=fields)
        values = [check.number(f"{where}.{f}", entry[f], **_entry_rules(f, grid)) if f in entry else _BAD
                  for f in fields]
        ok &= _BAD not in values
        out.append(tuple(values))
    return tuple(out) if ok else _BAD


def _stage_shares(check: _Checker, key: str, shares, n_stages: int | None):
    """Initial suppliers per stage: n_stages weights >= 0 (length unchecked if n_stages is None)."""
    count = f"{n_stages} " if n_stages else ""
    allowed = f"a list of {count}non-negative weights (one per stage, n_stages = {n_stages}), not all zero"
    if not isinstance(shares, list):
        return check.bad(key, f"wrong type ({_kind(shares)})", allowed, shares)
    if not shares:
        return ()
    values = [check.number(f"{key}[{i}]", w, 0.0, None, allowed="a number >= 0") for i, w in enumerate(shares)]
    if _BAD in values:
        return _BAD
    if n_stages is not None and len(values) != n_stages:
        return check.bad(key, f"{len(values)} weights for {n_stages} stages", allowed, shares)
    if sum(values) <= 0:
        return check.bad(key, "all weights are zero", allowed, shares)
    return tuple(values)


def _schedule(check: _Checker, entries, steps: int | None) -> list:
    key = "policy.schedule"
    if not isinstance(entries, list):
        check.bad(key, f"wrong type ({_kind(entries)})", "[[policy.schedule]] tables with step, lever, value", entries)
        return []
    out = []
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            check.bad(where, f"wrong type ({_kind(entry)})", "a table with step, lever, value", entry)
            continue
        entry = check.keys(where, entry, SCHEDULE_KEYS, required=SCHEDULE_KEYS)
        step = _BAD
        if "step" in entry:
            step = check.number(f"{where}.step", entry["step"], **_entry_rules("step", dict(W=1, H=1, steps=steps)))
        lever = entry.get("lever", _BAD)
        if lever is not _BAD and lever not in LEVERS:
            hint = did_you_mean(lever, LEVERS) if isinstance(lever, str) else ""
            lever = check.bad(f"{where}.lever", f"not a policy lever{hint}",
                              "one of " + ", ".join(LEVERS), lever)
        value = _BAD
        if lever is not _BAD and "value" in entry:
            value = check.param(f"{where}.value", lever, entry["value"])
        if _BAD not in (step, lever, value):
            out.append((step, lever, value))
    return sorted(out, key=lambda e: e[0])


def _why(p, value) -> str:
    if p.choices is not None:
        hint = did_you_mean(value, [str(c) for c in p.choices]) if isinstance(value, str) else ""
        return f"not an allowed choice{hint}" if isinstance(value, str) else f"wrong type ({_kind(value)})"
    if p.kind in (list, bool) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"wrong type ({_kind(value)})"
    if value != value:
        return "not a number"
    if math.isfinite(value) and p.kind is int and value != int(value):
        return "not an integer"
    return "out of range"


def _kind(value) -> str:
    for t, word in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"),
                    (list, "a list"), (tuple, "a list"), (dict, "a table")):
        if isinstance(value, t):
            return word
    return "a date/time" if hasattr(value, "isoformat") else type(value).__name__


def _show_value(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
