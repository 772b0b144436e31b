"""What the model would need to reach a case figure it misses: one text per target, kept as data.

The texts live in docs/calibration/what_it_needs.toml, one table per case and target::

    [xiqiao_decline_revival.mills_peak_to_trough]
    model = -0.9303     # the model's figure (validation mean) when the text was written
    text = "..."

`clusterlab validation` shows the text of every figure that misses. A text is written against one
state of the model: when the figure has moved by more than the target's tolerance since `model`,
the report marks the text as possibly stale (the reasoning may no longer hold); a miss with no
entry is listed as having no text yet. Nothing here changes a target or a tolerance.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

NOTES = Path("docs") / "calibration" / "what_it_needs.toml"


@dataclass(frozen=True)
class Note:
    text: str
    model: float          # the figure the model gave when the text was written


def load(path: Path = NOTES) -> dict[tuple[str, str], Note]:
    """{(case, target): Note} from `path` (empty when the file does not exist).

    Raises ValueError naming the file and the entry when an entry lacks `text` or a numeric `model`."""
    path = Path(path)
    if not path.exists():
        return {}
    with path.open("rb") as f:
        data = tomllib.load(f)
    out = {}
    for case, targets in data.items():
        for target, entry in (targets.items() if isinstance(targets, dict) else ()):
            text, model = (entry.get("text"), entry.get("model")) if isinstance(entry, dict) else (None, None)
            if not isinstance(text, str) or isinstance(model, bool) or not isinstance(model, (int, float)):
                raise ValueError(f"{path}: [{case}.{target}]: needs text = \"...\" and model = <the figure the "
                                 "model gave when the text was written>")
            out[(case, target)] = Note(text.strip(), float(model))
    return out


def moved(note: Note, mean: float, tolerance: float) -> bool:
    """Whether the figure moved by more than one tolerance since the text was written (nan: moved)."""
    return not (math.isfinite(mean) and abs(mean - note.model) <= tolerance)


def explain(note: Note | None, mean: float, tolerance: float) -> str:
    """The text shown after a miss: the note, marked when possibly stale, or a plain 'no text yet'."""
    if note is None:
        return "*No text yet on what the model would need (docs/calibration/what_it_needs.toml).*"
    if moved(note, mean, tolerance):
        return (f"{note.text} *[Possibly stale: written when the model gave {note.model:.4g}; it now gives "
                f"{mean:.4g}, more than one tolerance away.]*")
    return note.text


def orphans(notes: dict, known: set) -> list[tuple[str, str]]:
    """Entries naming a (case, target) that no scenario declares."""
    return sorted(k for k in notes if k not in known)
