"""Finding and reading scenario files: names, paths, the `extends` chain, and what may be read.

`load_scenario(name_or_path)` reads a scenario (a name in `scenarios/`, or a path the user
gives), follows its `extends` chain, deep-merges it and checks it (`scenarios.checks.validate`).

What a file may refer to (`resolve_reference`): an `extends` (or a sweep's `scenario`) is a
scenario name, found in the referring file's own folder first, then in `scenarios/`; or a path
relative to the referring file (never to the working directory) that must stay inside the
referring file's folder or `scenarios/`. Absolute paths, `..` out of those folders and links
leading out are refused, so no file elsewhere is read or echoed. `load_named_scenario(name)`
accepts only the name of a file in `scenarios/` (the live page's selector).

A file is read only if it is a plausible scenario: at most `MAX_FILE_BYTES`, UTF-8 (a leading
byte-order mark is accepted), TOML nested at most `MAX_DEPTH` deep, and holding at least one
scenario table; otherwise the problem says so without echoing its content.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from pathlib import Path

from model.params import PARAMS, did_you_mean
from scenarios.checks import check_steps  # noqa: F401  (public via this module too)
from scenarios.scenario import Scenario, ScenarioInfo, from_data
from scenarios.schema import (  # noqa: F401
    LEAF_KEYS,
    NOTHING,
    OVERRIDES,
    SCENARIO_DIR,
    TOP_KEYS,
    Problem,
    ScenarioError,
    kind,
    label,
    mark,
    wrong_kind,
)

MAX_FILE_BYTES = 1_000_000   # a scenario file is a few KB; a bigger one is not a scenario
MAX_DEPTH = 16               # tables and arrays nest 3 deep in a scenario file


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


def is_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or "\\" in text


def resolve_reference(ref: str, referrer: Path | None, source: str = "", key: str = "extends") -> Path:
    """The file a scenario reference names (see the module docstring), or `ScenarioError`.

    referrer: the file holding the reference (None: the user's own choice on the command line,
    where a path is taken as given). source/key: where the reference was written, for messages.
    """
    source = source or (label(referrer) if referrer else ref if isinstance(ref, str) and ref.strip() else "SCENARIO")
    allowed = "a scenario name, or a path relative to this file inside its folder or scenarios/"
    if not isinstance(ref, str) or not ref.strip() or "\x00" in ref:
        why = f"wrong type ({kind(ref)})" if not isinstance(ref, str) else "empty" if not ref.strip() else "a NUL byte"
        if referrer is None:   # the user's own argument: not an `extends`
            key, allowed = "", ", ".join(scenario_names()) + ", or a path to a .toml file"
        raise ScenarioError([Problem(source, key, why, allowed, ref)])
    if referrer is None:
        path = Path(ref) if is_path(ref) or Path(ref).is_file() else SCENARIO_DIR / f"{ref}.toml"
        if not is_path(ref) and not path.is_file():
            names = scenario_names()
            raise ScenarioError([Problem(ref, "", f"no such scenario{did_you_mean(ref, names)}",
                                         ", ".join(names) + ", or a path to a .toml file")])
        return path
    home = referrer.resolve().parent
    if not is_path(ref):
        local, shipped = home / f"{ref}.toml", SCENARIO_DIR / f"{ref}.toml"
        if local.is_file():
            return local
        if shipped.is_file() or key == "extends":  # a missing parent is named by _read_chain
            return shipped
        names = sorted(set(_scenarios_in(home) + scenario_names()))
        raise ScenarioError([Problem(source, key, f"no such scenario{did_you_mean(ref, names)}",
                                     ", ".join(names) + ", or a relative path to a .toml file", ref)])
    path = (home / ref).resolve()
    if not any(path.is_relative_to(root) for root in {home, SCENARIO_DIR}):
        raise ScenarioError([Problem(source, key, "outside the referring file's folder and scenarios/ "
                                     "(not read)", allowed, ref)])
    return path


def load_named_scenario(name: str) -> Scenario:
    """A scenario of `scenarios/` by its name only (no paths): the gate for choices made on the
    live page or other untrusted input. ScenarioError naming the allowed names otherwise."""
    names = scenario_names()
    if not isinstance(name, str) or name not in names:
        hint = did_you_mean(name, names) if isinstance(name, str) else ""
        raise ScenarioError([Problem("scenario", "", f"not a scenario of scenarios/{hint}", ", ".join(names),
                                     name)])
    return load_scenario(SCENARIO_DIR / f"{name}.toml")


# --- loading ----------------------------------------------------------------------------------
def load_scenario(name_or_path) -> Scenario:
    """Load and check a scenario by name (`scenarios/<name>.toml`) or by path."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    path = name_or_path if isinstance(name_or_path, Path) else resolve_reference(str(name_or_path), None)
    problems: list[Problem] = []
    chain = _read_chain(path, problems)
    if problems:
        raise ScenarioError(problems)
    data, origins = {}, {}
    for file_label, raw in chain:
        _merge(data, {k: v for k, v in raw.items() if k not in LEAF_KEYS}, origins, file_label)
    leaf_label, leaf = chain[-1]
    for key in LEAF_KEYS:
        if key in leaf:
            data[key] = leaf[key]
            mark(origins, key, leaf[key], leaf_label)
    return from_data(data, origins, path.stem, path)


def read_toml(path: Path, what: str = "scenario") -> dict:
    """A TOML file as a dict, or `ScenarioError` naming the file: no such file, unreadable, too
    big, not UTF-8 (binary), malformed (line and column), or nested too deep. A leading UTF-8
    byte-order mark is skipped."""
    problems: list[Problem] = []
    data = _read_toml(path, label(path), problems, None, what)
    if problems:
        raise ScenarioError(problems)
    return data


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, where: str, what: str) -> Problem:
    """The problem of a file that is not UTF-8: a binary file (NUL bytes), or text saved in another
    encoding, most likely GBK/GB18030 (Chinese Windows' default), with the line of the first bad byte."""
    line = f" (first bad byte on line {raw[:exc.start].count(b'\n') + 1})"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        why, line = "text saved as UTF-16 (Windows Notepad's \"Unicode\")", ""
    elif b"\x00" in raw:
        return Problem(where, "", f"not UTF-8 text (a binary file?): not a {what} file")
    else:
        try:
            raw.decode("gb18030")
            why = "text saved as GBK/GB18030 (Chinese Windows' default)"
        except UnicodeDecodeError:
            why = "text in another encoding"
    return Problem(where, "", f"not UTF-8: {why}{line}", f"a UTF-8 {what} file: save it as UTF-8 (e.g. 另存为 UTF-8)")


def _read_toml(path: Path, where: str, problems: list, referrer, what: str = "scenario") -> dict | None:
    other = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}.get(path.suffix.lower())
    if other:                                                  # read as TOML it would be "malformed TOML"
        problems.append(Problem(where, "", f"a {other} file: {what} files are TOML",
                                "a .toml file: key = value lines under [table] headers (examples: scenarios/, "
                                "experiments/examples/)"))
        return None
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            problems.append(Problem(where, "", f"larger than {MAX_FILE_BYTES:,} bytes: not a {what} file"))
            return None
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), raw.index(b"\x00") + 1, "NUL byte")
        data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except FileNotFoundError:
        if referrer:  # a missing parent: the problem is in the file that names it
            names = scenario_names(path.parent) + scenario_names()
            problems.append(Problem(referrer[0], "extends", f"no such file {where}"
                                    f"{did_you_mean(path.stem, names)}", "a scenario name or a relative path",
                                    referrer[1]))
        elif what == "scenario" and path.stem in scenario_names() and not path.is_absolute():
            problems.append(Problem(where, "", f"no such file (the shipped scenario {path.stem!r} is given by its "
                                    f"name alone: `{path.stem}`)"))
        elif what != "scenario" and str(path) in scenario_names():     # `sweep baseline`: a scenario's name
            problems.append(Problem(where, "", f"no such file ({path} is a scenario: `clusterlab run {path}` runs it; "
                                    f"a {what} file names it: scenario = \"{path}\")",
                                    f"a {what} file (.toml), like those in experiments/examples/"))
        else:
            problems.append(Problem(where, "", "no such file"))
        return None
    except IsADirectoryError:
        problems.append(Problem(where, "", f"cannot read: a folder, not a {what} file",
                                f"a .toml {what} file in it{', or a scenario name' if what == 'scenario' else ''}"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(_not_utf8(raw, exc, where, what))
        return None
    except OSError as exc:
        problems.append(Problem(where, "", f"cannot read: {exc.strerror or exc}"))
        return None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
        key = f"line {at[1]}, column {at[2]}" if at else ""
        message = message[: at.start()] if at else message
        if message.startswith("Cannot overwrite") or message.startswith("Cannot declare"):
            message += " (a key or table given twice?)"
        problems.append(Problem(where, key, f"malformed TOML: {message}"))
        return None
    except (RecursionError, ValueError) as exc:  # nesting beyond Python's stack; an int of > 4300 digits
        why = "nested too deeply" if isinstance(exc, RecursionError) else "a number too long to read"
        problems.append(Problem(where, "", f"malformed TOML: {why}", f"values nested at most {MAX_DEPTH} deep"))
        return None
    if _depth(data) > MAX_DEPTH:
        problems.append(Problem(where, "", f"values nested more than {MAX_DEPTH} deep",
                                f"tables and lists nested at most {MAX_DEPTH} deep"))
        return None
    return data


def _scenarios_in(directory: Path) -> list[str]:
    """The scenario files of a folder that may hold other TOML files too (a sweep file's folder):
    those with a scenario table or parameter at the top, so that sweep or search files are not
    offered as scenarios in a message."""
    names = []
    for name in scenario_names(directory):
        path = Path(directory) / f"{name}.toml"
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if any(k in TOP_KEYS or k in PARAMS for k in data):
            names.append(name)
    return names


def _looks_like_a_scenario(data: dict) -> bool:
    """Some top-level key is a scenario table or parameter, or a near miss of one (a typo is
    reported as such); otherwise the file is something else and none of it is echoed."""
    known = [*TOP_KEYS, *PARAMS]
    return any(k in known or difflib.get_close_matches(k, known, n=1, cutoff=0.6) for k in data)


def _depth(value) -> int:
    """Nesting depth of tables and lists (iterative: a deep file cannot exhaust the stack)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        todo.extend((child, level + 1) for child in children)
    return deepest


def _read_chain(path: Path, problems: list) -> list[tuple[str, dict]]:
    """[(label, data), ...] from the root of the `extends` chain down to `path`."""
    chain, seen, referrer = [], [], None
    while True:
        where = label(path)
        if path.resolve() in seen:
            cycle = " -> ".join([*(lab for lab, _ in chain), where])
            problems.append(Problem(referrer[0], "extends", f"cycle: {cycle}",
                                    f"a scenario that does not lead back to {where}", referrer[1]))
            break
        seen.append(path.resolve())
        data = _read_toml(path, where, problems, referrer)
        if data is None:
            break
        if not data:   # a blank or comment-only file is more likely a slip than a wish for the defaults
            problems.append(Problem(where, "", "empty (no key or table: blank or only comments)",
                                    "at least one of " + ", ".join(TOP_KEYS) + "; for the model's defaults "
                                    "write extends = \"baseline\" or a [meta] table with a title"))
            break
        if wrong := wrong_kind(data, where, "run"):      # a sweep (optimise, discover) file
            problems.append(wrong)
            break
        if not _looks_like_a_scenario(data):
            problems.append(Problem(where, "", "not a scenario file (none of its tables is a scenario table; "
                                    "nothing of it is shown)", ", ".join(TOP_KEYS)))
            break
        chain.append((where, data))
        parent = data.get("extends")
        if parent is None:
            break
        referrer = (where, parent)
        try:
            path = resolve_reference(parent, path, where)
        except ScenarioError as exc:
            problems += exc.problems
            break
    return chain[::-1]


def _merge(base: dict, over: dict, origins: dict, file_label: str, prefix: str = "") -> None:
    """Deep-merge `over` into `base` (tables merge, everything else replaces), noting who set what."""
    for key, value in over.items():
        path = prefix + key
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origins, file_label, path + ".")
        else:
            base[key] = copy.deepcopy(value)
            mark(origins, path, value, file_label)
