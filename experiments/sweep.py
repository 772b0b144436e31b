"""Run a sweep file into a results folder.

The file format and its checks are in `experiments.sweep_file`, the designs and the runs they
expand to in `experiments.design`; both are re-exported here (`from experiments.sweep import
load_sweep, Sweep, run_specs, ...`).
"""

from __future__ import annotations

from pathlib import Path

from experiments.design import (  # noqa: F401
    ALONE,
    DESIGNS,
    DUMMY,
    REFERENCED,
    SAMPLED,
    Factor,
    RunSpec,
    Sweep,
    cast,
    design_matrix,
    design_points,
    indicator_names,
    plain,
    run_specs,
    run_values,
    scenario_label,
)
from experiments.sweep_file import (  # noqa: F401
    SweepError,
    load_scenario_checked,
    load_sweep,
    parse_sweep,
    warn_infeasible,
    warn_scheduled,
)
from scenarios.loader import Problem  # noqa: F401

_plain, _cast = plain, cast          # old private names, still used by callers


def __getattr__(name):  # INDICATORS is computed on first use: importing the model loads Mesa
    if name == "INDICATORS":
        return indicator_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sweep(path_or_sweep, out=None, *, workers=None, executor="local", address=None, resume=False,
          progress=True, cache=True):
    """Run a sweep file into a results folder (default `runs/<name>`); return the BatchReport.

    executor: "local" (process pool of `workers`, default all cores), "serial", "dask" (the
    scheduler at `address`, or a LocalCluster of `workers`), or an executor object.
    resume: run only the runs the folder does not hold yet. cache: reuse identical runs
    (same scenario, parameters, seed, steps and code) from the run cache.
    """
    from experiments.executors import opened, run_batch
    from experiments.store import check_results_folder

    sw = path_or_sweep if isinstance(path_or_sweep, Sweep) else load_sweep(path_or_sweep)
    out = Path(out) if out else Path("runs") / sw.name
    check_results_folder(out)                                # before a worker starts
    with opened(executor, workers=workers, address=address) as ex:
        return run_batch(run_specs(sw), out, ex, plan=sw.to_dict(), resume=resume, progress=progress, cache=cache)
