"""A cache of finished runs shared by every command (compare, cost-effectiveness, sweep, ...).

A run is identified by what determines its results: the resolved parameter set (the scenario's
parameters with the overrides, defaults filled in) and schedule, the seed, the number of steps
and the code (the source hash of model/, agents/, scenarios/: `experiments.provenance.source_hash`),
and the environment that computes it (`run_environment`): numpy's version, build baseline and the
SIMD kernels it dispatches to on this CPU, portable mode on or off (clusterlab_portable: the same
seed gives other numbers under other kernels), the versions of the other libraries the model
calls, Python's, the machine architecture and the C library. Two commands asking for the same run
get the same stored table — the model is reproducible (same scenario + seed → identical output in
the same environment), so reusing a run changes no number; a cache filled on another machine, numpy
or mode is not reused (its entries miss and are recomputed). A run computed by a worker whose
environment differs from this process's (a remote Dask worker on another CPU) is not cached.

The cache is a folder of Parquet files, one per run (every indicator, every step):
`$CLUSTERLAB_CACHE`, else `~/.cache/clusterlab/runs`. Delete it at will; `--no-cache` skips it.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from functools import cache
from pathlib import Path

import pandas as pd

import clusterlab_portable
from experiments.conventions import plain
from experiments.provenance import (
    library_versions,
    numbers_environment,
    platform_info,
    resolved,
    scenario_hash,
    source_hash,
)


def default_root() -> Path:
    env = os.environ.get("CLUSTERLAB_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "clusterlab" / "runs"


@cache
def _fixed_environment() -> dict:
    """The parts of this process's provenance record that cannot change within it (read once):
    library versions (provenance.library_versions) and platform (provenance.platform_info)."""
    return {"libraries": library_versions(), "platform": platform_info()}


def run_environment() -> dict:
    """What a run's numbers depend on besides its parameters and the model code, for this process:
    provenance.numbers_environment of its record (`MODEL_LIBRARIES`' versions, Python's, the machine
    architecture, the C library, and numpy's dispatch, clusterlab_portable.state: portable mode on/off,
    the build's baseline features and the dispatched SIMD targets enabled in this process, [] in
    portable mode)."""
    return numbers_environment({**_fixed_environment(), "numpy_dispatch": clusterlab_portable.state()})


def same_worker_environment(worker: dict | None) -> bool:
    """Whether a worker's record (executors.worker_info: python, mesa, numpy, numpy_dispatch) matches
    this process, so its run may be cached under this process's key (None: ran here, True)."""
    if not worker:
        return True
    env = run_environment()
    own = {"python": env["python"], "mesa": env["libraries"]["mesa"], "numpy": env["libraries"]["numpy"],
           "numpy_dispatch": "+".join(env["numpy_dispatch"]) or "baseline"}
    return all(worker.get(k, v) == v for k, v in own.items())


def run_key(spec) -> str:
    """SHA-256 (hex) of the resolved parameter set (scenario + overrides, defaults filled in: an
    override equal to the scenario's value changes nothing), the schedule, seed, steps, code
    (source hash), the environment (`run_environment`: library versions, numpy's dispatch, portable
    mode, ...) and the stream offset of a sham arm's run. Keys made before the environment was in
    them are never produced again: those entries miss (the runs are recomputed), nothing fails."""
    try:
        params = resolved(spec.scenario, spec.overrides)
    except ValueError:                     # an infeasible point: key on what was asked
        params = {"scenario": scenario_hash(spec.scenario), "overrides": plain(spec.overrides, sort_keys=True)}
    data = {"params": params, "schedule": plain(getattr(spec.scenario, "schedule", ()), sort_keys=True), "seed": spec.seed,
            "steps": spec.steps, "code": source_hash(), "environment": run_environment()}
    if getattr(spec, "stream_offset", 0):  # a sham arm's run (the key of every other run unchanged)
        data["stream_offset"] = spec.stream_offset
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class RunCache:
    """get(spec) → the run's full results table or None; put(spec, table, worker) stores it atomically
    (unless `worker`, the run's executors.worker_info record, shows another environment)."""

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

    def put(self, spec, table: pd.DataFrame, worker: dict | None = None) -> None:
        if not same_worker_environment(worker):   # its numbers are not this key's
            return
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
