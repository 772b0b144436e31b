"""A cache of finished runs shared by every command (compare, cost-effectiveness, sweep, ...).

A run is identified by what determines its results: the resolved parameter set (the scenario's
parameters with the overrides, defaults filled in) and schedule, the seed, the number of steps
and the code (the source hash of model/, agents/, scenarios/: `experiments.provenance.source_hash`). Two commands asking for the
same run get the same stored table — the model is reproducible (same scenario + seed →
identical output), so reusing a run changes no number.

The cache is a folder of Parquet files, one per run (every indicator, every step):
`$CLUSTERLAB_CACHE`, else `~/.cache/clusterlab/runs`. Delete it at will; `--no-cache` skips it.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import pandas as pd

import clusterlab_portable
from experiments.conventions import plain
from experiments.provenance import resolved, scenario_hash, source_hash


def default_root() -> Path:
    env = os.environ.get("CLUSTERLAB_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "clusterlab" / "runs"


def run_key(spec) -> str:
    """SHA-256 (hex) of the resolved parameter set (scenario + overrides, defaults filled in: an
    override equal to the scenario's value changes nothing), the schedule, seed, steps, code and
    the stream offset of a sham arm's run; in portable mode (clusterlab_portable) also that, so
    portable and default runs never share an entry. numpy's version and this machine's SIMD
    dispatch are not in the key: a cache copied to another machine may hold its numbers."""
    try:
        params = resolved(spec.scenario, spec.overrides)
    except ValueError:                     # an infeasible point: key on what was asked
        params = {"scenario": scenario_hash(spec.scenario), "overrides": plain(spec.overrides, sort_keys=True)}
    data = {"params": params, "schedule": plain(getattr(spec.scenario, "schedule", ()), sort_keys=True), "seed": spec.seed,
            "steps": spec.steps, "code": source_hash()}
    if clusterlab_portable.requested():    # portable runs never share entries with default ones
        data["numpy"] = "portable"
    if getattr(spec, "stream_offset", 0):  # a sham arm's run (the key of every other run unchanged)
        data["stream_offset"] = spec.stream_offset
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class RunCache:
    """get(spec) → the run's full results table or None; put(spec, table) stores it atomically."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root else default_root()

    def _path(self, spec) -> Path:
        key = run_key(spec)
        return self.root / key[:2] / f"{key}.parquet"

    def get(self, spec) -> pd.DataFrame | None:
        path = self._path(spec)
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError):          # absent, or cut by a kill: recompute
            return None

    def put(self, spec, table: pd.DataFrame) -> None:
        path = self._path(spec)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            table.to_parquet(tmp, index=False)
            os.replace(tmp, path)
        except OSError as exc:                  # a read-only cache never fails a batch, but says so once
            if not getattr(self, "_warned", False):
                self._warned = True
                warnings.warn(f"run cache {self.root}: cannot write there ({exc.strerror or exc}), so runs are not "
                              "cached; set CLUSTERLAB_CACHE to a writable folder, or pass --no-cache", stacklevel=2)


def make_cache(cache) -> RunCache | None:
    """True → the default cache, False/None → none, a path or RunCache → that one."""
    if cache is True:
        return RunCache()
    if not cache:
        return None
    return cache if isinstance(cache, RunCache) else RunCache(cache)
