"""Conventions shared by every command: the default seed and how an arm is labelled.

`DEFAULT_SEED` is the seed of `clusterlab run`, of replication 0 in `compare`, `sweep`,
`sensitivity` and `cost-effectiveness`, and of the live page: replication k runs with
DEFAULT_SEED + k, so replication 0 of any batch is the single run `clusterlab run` shows.

An arm label is `scenario` or `scenario:name=value,name=value` with the changed parameters in
the order given and each value written the same way everywhere (`format_value`): 20 and 20.0
are both `20`, 0.25 is `0.25`, true/false in lower case, strings bare.
"""

from __future__ import annotations

import json
import math

#: The one default seed of every command and of the live page.
DEFAULT_SEED = 0

#: The fewest replications an interval is given from. With 2 a t interval has one degree of freedom
#: (t = 12.7 at 95%) and a paired bootstrap three distinct resamples (its "95%" ends are the two
#: values), so neither says anything: below this every interval is NaN ("n/a") and the command says why.
MIN_INTERVAL_N = 3


#: The last quarter the slow tests run the model to (tests/test_economics.py: the baseline under
#: stationary demand at quarters 160 and 320). A longer run is allowed (run.steps up to 10,000) but
#: unchecked, and `run` says so (`beyond_tested`).
TESTED_QUARTERS = 320


def beyond_tested(steps: int) -> list[str]:
    """The warning of a run longer than TESTED_QUARTERS, with what was seen past it ([] otherwise)."""
    if steps <= TESTED_QUARTERS:
        return []
    return [f"a run of {steps} quarters: the tests check the model up to quarter {TESTED_QUARTERS} (the baseline under "
            "stationary demand, tests/test_economics.py); past it nothing checks the figures: the baseline's "
            "final firms fell to 1-10 by quarters 427-443 (seeds 0-2, 1 Dec 2026), value added turning negative in "
            "seed 0, as the technology frontier compounds while outside input prices stay fixed (docs/economics.md, "
            "'Long runs past quarter 320')"]


def few_replications(n: int, noun: str = "replication", per: str = " per arm", option: str = "--reps") -> str:
    """The warning of a command whose intervals would rest on 1 <= n < MIN_INTERVAL_N values ("" otherwise)."""
    if not 0 < n < MIN_INTERVAL_N:
        return ""
    return (f"only {n} {noun}{'s' if n > 1 else ''}{per}: every interval is n/a (from fewer than {MIN_INTERVAL_N} an interval says nothing: "
            f"with 2, a t interval has one degree of freedom and a bootstrap three distinct resamples); "
            f"the means are shown; for intervals use {option} {MIN_INTERVAL_N} or more (10 or more to rely on them)")


def format_value(value) -> str:
    """A parameter value as written in arm labels and tables (20.0 → '20', 0.25 → '0.25')."""
    if hasattr(value, "item"):                      # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def plain(obj, *, sort_keys: bool = False, finite: bool = False):
    """`obj` as plain JSON values (a JSON round trip): tuples → lists, numpy scalars → Python numbers,
    other unknown objects → their str. `sort_keys` orders every dict's keys; `finite` turns NaN and
    ±inf into None (JSON null). The one converter for stored, compared and hashed values."""
    out = json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o),
                                sort_keys=sort_keys))
    return _finite(out) if finite else out


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def arm_label(scenario: str, changes: dict | None = None) -> str:
    """`scenario` or `scenario:a=1,b=0.5` (the one label format of compare, sweeps and reports)."""
    changes = changes or {}
    if not changes:
        return str(scenario)
    return f"{scenario}:" + ",".join(f"{k}={format_value(v)}" for k, v in changes.items())
