"""Where a result came from: code version, library versions, scenario hash, resolved parameters.

    code_version()        {"commit", "dirty", "source_hash"}: the git commit and whether the
                          working tree differs from it (None outside a repository), and a SHA-256
                          of the package's source files (always; the run cache keys on it)
    library_versions()    python, clusterlab, mesa, numpy, scipy, pandas, pyarrow, SALib, matplotlib
    numpy_dispatch()      numpy's version, baseline and the SIMD kernels it dispatched to in this
                          process, and whether portable mode was on (clusterlab_portable.state):
                          two machines whose dispatch differs give different results unless portable
    platform_info()       the machine architecture and the C library
    scenario_hash(sc)     SHA-256 of a scenario's parameters and schedule (what a run depends on)
    numbers_environment(record)  what a run's numbers depend on besides its parameters and code, as a
                          provenance record holds it: the run cache keys on this of the running process
                          (experiments.run_cache.run_environment)
    environment_changes(old, new)  what differs, between two provenance records, of what a run's
                          numbers depend on (model code, numpy's dispatch and version, portable mode,
                          the model libraries' and Python's versions, machine, C library): a resumed
                          folder that would mix them is warned about (Store.add_provenance)
    provenance(...)       all of it for a results folder, with the resolved parameter set of
                          each scenario (defaults filled in)
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

import clusterlab_portable
from experiments.conventions import plain

ROOT = Path(__file__).resolve().parent.parent
#: The source that determines a run's results.
SOURCE_DIRS = ("model", "agents", "scenarios")
LIBRARIES = ("clusterlab", "mesa", "numpy", "scipy", "pandas", "networkx", "pyarrow", "SALib", "matplotlib")
#: Libraries a run's numbers go through (model/, agents/ import them): the run cache keys on their versions.
MODEL_LIBRARIES = ("numpy", "scipy", "mesa", "networkx", "pandas")


@cache
def source_hash() -> str:
    """SHA-256 (hex, 16 chars) of every .py and .toml file under model/, agents/, scenarios/."""
    h = hashlib.sha256()
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _git(*args) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def code_version() -> dict:
    """Git commit and dirty flag (None when not in a repository) and the source hash."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit.strip() if commit else None,
            "dirty": bool(status.strip()) if status is not None else None,
            "source_hash": source_hash()}


def library_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@cache
def platform_info() -> dict:
    """{"machine", "libc"}: the machine architecture and the C library (numpy takes some float functions
    from it); read once (libc_ver reads the interpreter's binary)."""
    return {"machine": platform.machine(), "libc": "-".join(platform.libc_ver())}


def numpy_dispatch() -> dict:
    """{"portable", "numpy", "baseline", "dispatch", "disabled"} of this process (see
    clusterlab_portable.state); a pool's workers inherit it, a remote Dask worker's is in the manifest."""
    return clusterlab_portable.state()


def scenario_hash(scenario) -> str:
    """SHA-256 (16 hex chars) of the scenario's parameters and schedule."""
    data = {"params": plain(getattr(scenario, "params", {}), sort_keys=True), "schedule": plain(getattr(scenario, "schedule", ()), sort_keys=True)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def resolved(scenario, overrides: dict | None = None) -> dict:
    """Every model parameter of the scenario with `overrides` (defaults filled in)."""
    from model.params import resolve_params

    return plain(resolve_params({**getattr(scenario, "params", {}), **(overrides or {})}), sort_keys=True)


def provenance(scenarios: dict, common: dict | None = None) -> dict:
    """The provenance record of a results folder; `scenarios` maps a label to a Scenario."""
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "libraries": library_versions(),
        "numpy_dispatch": numpy_dispatch(),
        "platform": platform_info(),
        "scenarios": {label: {"name": str(getattr(sc, "name", label)),
                              "file": str(sc.path) if getattr(sc, "path", None) else None,
                              "hash": scenario_hash(sc),
                              "resolved_params": resolved(sc, common)}
                      for label, sc in scenarios.items()},
    }


def numbers_environment(record: dict) -> dict:
    """What a run's numbers depend on besides its parameters and the model code, read from a provenance
    record (None where it is not recorded): `MODEL_LIBRARIES`' versions, Python's, the machine and C
    library (`platform_info`), portable mode, and numpy's version, build baseline and dispatched kernels
    (`numpy_dispatch`). The run cache keys on this of the running process (run_cache.run_environment)."""
    libraries, dispatch = record.get("libraries") or {}, record.get("numpy_dispatch") or {}
    host = record.get("platform") or {}
    return {"libraries": {name: libraries.get(name) for name in MODEL_LIBRARIES}, "python": libraries.get("python"),
            "machine": host.get("machine"), "libc": host.get("libc"), "portable": dispatch.get("portable"),
            "numpy": dispatch.get("numpy"), "numpy_baseline": dispatch.get("baseline"),
            "numpy_dispatch": dispatch.get("dispatch")}


def environment_of(record: dict) -> dict:
    """`numbers_environment` of a provenance record with the model source hash, under the names a message
    gives them: model code, portable mode, numpy kernels, numpy baseline, python, `MODEL_LIBRARIES`,
    machine, C library (None where not recorded)."""
    env = numbers_environment(record)
    return {"model code": (record.get("code") or {}).get("source_hash"), "portable mode": env["portable"],
            "numpy kernels": env["numpy_dispatch"], "numpy baseline": env["numpy_baseline"], "python": env["python"],
            **env["libraries"], "machine": env["machine"], "C library": env["libc"]}


def environment_changes(old: dict, new: dict) -> list[str]:
    """["numpy kernels ['X86_V3'] → []", ...]: every part of `environment_of` recorded in both and different."""
    a, b = environment_of(old), environment_of(new)
    return [f"{k} {a[k]} → {b[k]}" for k in a if a[k] is not None and b[k] is not None and a[k] != b[k]]
