"""What the model would need to reach a case figure it misses: one text per target, kept as data.

The texts live in docs/calibration/what_it_needs.toml, one table per case and target::

    [xiqiao_decline_revival.mills_peak_to_trough]
    model = -0.9303     # the model's figure (validation mean) when the text was written
    text = "..."

A diagnosis that several targets share is written once, under `[shared.<name>]`, and each target's
entry points to it with `see = "shared.<name>"` next to its own short text::

    [shared.datang_downstream]
    text = "..."

    [datang_socks.share_shaping]
    model = 0.0058
    text = "..."                       # what is particular to this target
    see = "shared.datang_downstream"

`clusterlab validation` shows the text of every figure that misses, and each shared diagnosis once per
case, after that case's misses that point to it. A text is written against one state of the model:
when the figure has moved by more than the target's tolerance since `model`, the report marks the
text as possibly stale (the reasoning may no longer hold); a miss with no entry is listed as having
no text yet. Nothing here changes a target or a tolerance.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

NOTES = Path("docs") / "calibration" / "what_it_needs.toml"
SHARED = "shared"        # the top-level table of diagnoses that several targets point to


@dataclass(frozen=True)
class Note:
    text: str
    model: float             # the figure the model gave when the text was written
    see: str | None = None   # the shared diagnosis it points to (a key of `shared(...)`), if any


def _read(path: Path) -> dict:
    with Path(path).open("rb") as f:
        return tomllib.load(f)


def shared(path: Path = NOTES) -> dict[str, str]:
    """{"shared.<name>": text} of the diagnoses under `[shared.<name>]` (empty when the file does not exist).

    Raises ValueError naming the file and the entry when an entry lacks `text`."""
    path = Path(path)
    if not path.exists():
        return {}
    out = {}
    for name, entry in _read(path).get(SHARED, {}).items():
        text = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f'{path}: [{SHARED}.{name}]: needs text = "..." (the diagnosis the targets share)')
        out[f"{SHARED}.{name}"] = text.strip()
    return out


def load(path: Path = NOTES) -> dict[tuple[str, str], Note]:
    """{(case, target): Note} from `path` (empty when the file does not exist).

    Raises ValueError naming the file and the entry when an entry lacks `text` or a numeric `model`, or
    when its `see` names no `[shared.<name>]` table of the file (the allowed names are listed)."""
    path = Path(path)
    if not path.exists():
        return {}
    data, known = _read(path), shared(path)
    out = {}
    for case, targets in data.items():
        if case == SHARED:
            continue
        for target, entry in (targets.items() if isinstance(targets, dict) else ()):
            text, model = (entry.get("text"), entry.get("model")) if isinstance(entry, dict) else (None, None)
            if not isinstance(text, str) or isinstance(model, bool) or not isinstance(model, (int, float)):
                raise ValueError(f"{path}: [{case}.{target}]: needs text = \"...\" and model = <the figure the "
                                 "model gave when the text was written>")
            see = entry.get("see")
            if see is not None and see not in known:
                raise ValueError(f"{path}: [{case}.{target}]: see = {see!r} names no shared diagnosis; allowed: "
                                 f"{', '.join(repr(k) for k in known) or f'none (add a [{SHARED}.<name>] table)'}")
            out[(case, target)] = Note(text.strip(), float(model), see)
    return out


def _name(see: str) -> str:
    return see.removeprefix(f"{SHARED}.")


def moved(note: Note, mean: float, tolerance: float) -> bool:
    """Whether the figure moved by more than one tolerance since the text was written (nan: moved)."""
    return not (math.isfinite(mean) and abs(mean - note.model) <= tolerance)


def explain(note: Note | None, mean: float, tolerance: float) -> str:
    """The text shown after a miss: the note (with a pointer to its shared diagnosis, shown after the
    case's misses), marked when possibly stale, or a plain 'no text yet'."""
    if note is None:
        return "*No text yet on what the model would need (docs/calibration/what_it_needs.toml).*"
    text = note.text + (f" (See the shared diagnosis *{_name(note.see)}* after this case's misses.)" if note.see else "")
    if moved(note, mean, tolerance):
        return (f"{text} *[Possibly stale: written when the model gave {note.model:.4g}; it now gives "
                f"{mean:.4g}, more than one tolerance away.]*")
    return text


def misses_section(misses, notes: dict, shared_texts: dict, line) -> list[str]:
    """The markdown lines of the misses: `line(row)` + the row's text for each miss (rows with .case,
    .target, .model_mean, .tolerance, in case order), and after each case's misses every shared
    diagnosis they point to, once, naming the targets that point to it."""
    lines, rows = [], list(misses)
    for i, r in enumerate(rows):
        note = notes.get((r.case, r.target))
        lines.append(line(r) + explain(note, r.model_mean, r.tolerance))
        if i + 1 < len(rows) and rows[i + 1].case == r.case:
            continue
        case_rows = [x for x in rows if x.case == r.case]
        for see in dict.fromkeys(n.see for x in case_rows if (n := notes.get((x.case, x.target))) and n.see):
            who = [x.target for x in case_rows if (n := notes.get((x.case, x.target))) and n.see == see]
            lines += ["", f"  *Shared diagnosis {_name(see)}* ({r.case}: {', '.join(who)}): {shared_texts[see]}", ""]
    return lines


def orphans(notes: dict, known: set) -> list[tuple[str, str]]:
    """Entries naming a (case, target) that no scenario declares."""
    return sorted(k for k in notes if k not in known)


def unused(notes: dict, shared_texts: dict) -> list[str]:
    """Shared diagnoses that no entry points to."""
    return sorted(k for k in shared_texts if k not in {n.see for n in notes.values()})
