"""What a scenario file may hold, the `Scenario` it becomes, and the `Problem`s it can have.

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
    [[market.shifts]]             # {step, demand, quality} -> parameter demand_shifts; without
                                  # quality the standard is left unchanged (None: a shift in demand only)

    [policy]
    tax_rate = 0.1                # initial lever values
    [[policy.schedule]]           # lever changes, applied at the start of `step`
    step = 40
    lever = "tech_centre"
    value = 20.0

An empty or comment-only file is refused (a slip more often than a wish): the model's defaults
are `extends = "baseline"`, or any file with a [meta] title. `extends` deep-merges tables (the
extending file wins) and replaces lists. Every problem of a
file (and of the files it extends) is collected and raised at once as a `ScenarioError`, one
line per problem naming the file, the key path (list entries counted from 0), what is allowed
and what was given. Steps count quarters from 1: the model applies a step-t change at the start
of its t-th quarter, so initial values belong in [policy] and [market], not at step 0.
Reading is `scenarios.loader`, checking `scenarios.checks`, the result `scenarios.scenario.Scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.params import PARAMS, SECTIONS

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
# Fields a table-list entry may leave out, with the value it then holds: a demand shift without `quality`
# leaves quality_standard as it stands (None; ClusterModel.apply_policy).
TABLE_DEFAULTS = {"market.shifts": {"quality": None}}
# Keys written elsewhere than [<section>] <name>: run.steps, the table lists, and run-only bounds.
_TOML_KEY = {param: key for key, (param, _) in TABLE_LISTS.items()} | {"default_steps": "run.steps"}
RUN_KEYS = ("steps", *(n for n, p in PARAMS.items() if p.section == "run" and n != "default_steps"))


def command_for(data: dict) -> str:
    """The `clusterlab` command that reads a TOML file of this content, by its telling keys: "run"
    (a scenario), "optimise", "discover", "sweep", or "" if none tells. For "wrong kind of file"
    messages: a newcomer hands a sweep file to `run`, or a scenario file to `sweep`."""
    if any(k in TOP_KEYS for k in data) and "scenario" not in data:
        return "run"
    if "objectives" in data or "search" in data or "levers" in data:
        return "optimise"
    if "success" in data or "prim" in data:
        return "discover"
    return "sweep" if "scenario" in data else ""


def wrong_kind(data: dict, where: str, expected: str) -> Problem | None:
    """The Problem of a file read by `clusterlab <expected>` ("run", "sweep", "optimise" or
    "discover") that another command reads."""
    command = command_for(data)
    if command in ("", expected):
        return None
    if command == "sweep" and expected != "run" and not any(k in data for k in ("vary", "design", "keep")):
        return None         # only a `scenario`: an unfinished optimise file, checked key by key
    kinds = {"run": "scenario"}
    kind, wanted = kinds.get(command, command), kinds.get(expected, expected)

    def article(word):
        return "an" if word[0] in "aeiou" else "a"

    return Problem(where, "", f"{article(kind)} {kind} file, not {article(wanted)} {wanted} file (examples: scenarios/, "
                   "experiments/examples/)", f"run it with `clusterlab {command} {where}`")


# --- problems ---------------------------------------------------------------------------------
class _Nothing:
    """Marks "no value given" (and pickles as itself, so problems survive a process pool)."""

    def __reduce__(self):
        return "_NOTHING"


_NOTHING = _Nothing()
NOTHING = _NOTHING  # public name of the marker, for other modules' Problem records


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file (or a command-line option: `file` is then its name)."""

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
            text += f"; given: {show_value(self.given)}"
        return text


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or built; `problems` lists everything found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        return ScenarioError, (self.problems,)


# --- spelling -----------------------------------------------------------------------------------
def toml_key(name: str) -> str:
    """Where parameter `name` is written in a scenario file: "section.key"."""
    return _TOML_KEY.get(name, f"{PARAMS[name].section}.{name}")


def spelling(name: str) -> str:
    """How parameter `name` is written in a scenario file (for "misplaced parameter")."""
    key = toml_key(name)
    if key in TABLE_LISTS:
        return f"[[{key}]] tables with {', '.join(TABLE_LISTS[key][1])}"
    section, short = key.split(".")
    return f"[{section}] {short}"


def mark(origins: dict, path: str, value, file_label: str) -> None:
    """Note that `file_label` set key `path` (and everything below it)."""
    origins[path] = file_label
    if isinstance(value, dict):
        for k, v in value.items():
            mark(origins, f"{path}.{k}", v, file_label)


def label(path: Path) -> str:
    """The path as shown in messages: relative to the working directory when inside it (the working
    directory itself as given, not ".")."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
    return shown if shown != "." else str(path)


def kind(value) -> str:
    for t, word in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"),
                    (list, "a list"), (tuple, "a list"), (dict, "a table")):
        if isinstance(value, t):
            return word
    return "a date/time" if hasattr(value, "isoformat") else type(value).__name__


def show_value(value) -> str:
    if isinstance(value, int) and abs(value) >= 10**30:  # repr of a huge int can raise (int max str digits)
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
