"""Where runs execute — in this process, in a local process pool, or on a Dask cluster — and the
loop that stores each finished run the moment it arrives.

Every executor runs the same task, `execute_run(spec)`, which never raises for a model error:
it returns a `RunOutcome` with the results table, or with the error and its traceback. The
parent (`run_batch`) is the only writer of the results folder, so workers need no shared disk
(a Dask cluster may span machines) and a killed batch leaves only complete runs behind.
A run's results depend only on its spec, so 1 worker, N workers and Dask give identical files.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

import clusterlab_portable
from experiments.inputs import check_workers, dask_client, probe_output_dir
from experiments.pool_workers import sigint_blocked, worker_init
from experiments.store import Store

EXECUTORS = ("local", "serial", "dask")


class WorkerPoolError(RuntimeError):
    """A local worker process died (e.g. killed for lack of memory); the stored runs are kept."""


# --- the task -------------------------------------------------------------------------------
@dataclass
class RunOutcome:
    """What a worker sends back for one run."""

    run_id: str
    status: str                         # "ok" or "failed"
    table: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0                # wall-clock time of the run in its worker
    cpu_seconds: float = 0.0            # CPU time of the run (less than `seconds` on a busy machine)
    worker: dict = field(default_factory=dict)


def execute_run(spec) -> RunOutcome:
    """Build the spec's model and run it; the outcome holds every indicator at every step
    (the parent caches it and stores what the spec keeps)."""
    start, cpu = time.perf_counter(), time.process_time()
    model = None
    try:
        model = spec.scenario.build(seed=spec.seed, **spec.overrides)
        if getattr(spec, "stream_offset", 0):    # a sham arm: the random stream moved, nothing else
            model.rng.random(spec.stream_offset)
        model.run(spec.steps)
        outcome = RunOutcome(spec.run_id, "ok", model.results().reset_index())
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, the batch goes on
        outcome = RunOutcome(spec.run_id, "failed", error=f"{type(exc).__name__}: {exc}",
                             traceback=traceback.format_exc())
    finally:
        if model is not None:
            # Agents held in a numpy object array (model.population) form cycles the garbage
            # collector cannot see: without this a worker keeps every finished model.
            model.remove_all_agents()
    outcome.seconds, outcome.cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    outcome.worker = worker_info()
    return outcome


def kept(results: pd.DataFrame, final, series) -> pd.DataFrame:
    """Columns final ∪ series; every step if a series is kept, else the last step only."""
    data = results.reset_index()
    if "step" not in data.columns:
        raise ValueError("ClusterModel.results() must be indexed by 'step'")
    missing = [c for c in (*final, *series) if c not in data.columns]
    if missing:
        raise KeyError(f"indicators missing from ClusterModel.results(): {', '.join(missing)}")
    columns = ["step"] + list(dict.fromkeys((*final, *series)))
    data = data[columns] if series else data[columns].iloc[[-1]]
    return data.reset_index(drop=True)


def worker_info() -> dict:
    return {"host": platform.node(), "pid": os.getpid(), "python": platform.python_version(),
            "clusterlab": _version("clusterlab"), "mesa": _version("mesa"), "numpy": _version("numpy"),
            "numpy_dispatch": clusterlab_portable.label()}


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


# --- executors ------------------------------------------------------------------------------
class SerialExecutor:
    """Runs each task in this process, in order, when the batch asks for it."""

    name = "serial"

    def __init__(self, workers=None):
        self.workers = 1

    def submit(self, fn, arg):
        return _Deferred(fn, arg)

    def as_completed(self, futures):
        for fut in futures:
            fut.run()
            yield fut

    def cancel(self, futures):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Deferred:
    def __init__(self, fn, arg):
        self.fn, self.arg, self._done, self._value = fn, arg, False, None

    def run(self):
        self._value, self._done = self.fn(self.arg), True

    def result(self):
        return self._value

    def done(self):
        return self._done

    def cancelled(self):
        return False


class LocalExecutor(SerialExecutor):
    """A process pool on this machine (spawned workers; all cores by default)."""

    name = "local"

    def __init__(self, workers=None):
        self.workers = workers or available_cores()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                        initializer=worker_init, initargs=(os.getpid(),))

    def submit(self, fn, arg):
        """Submit; a worker spawned now starts with SIGINT blocked (experiments.pool_workers.sigint_blocked)."""
        with sigint_blocked():
            return self.pool.submit(fn, arg)

    def as_completed(self, futures):
        return as_completed(futures)

    def cancel(self, futures):
        """Drop queued runs and stop the workers (runs in progress are abandoned): terminate,
        wait up to 5 s each, then kill, so no worker outlives the batch and nothing waits on one."""
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self._cancelled = True
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.terminate()
        for proc in processes:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)

    def close(self):
        # after cancel the workers are gone: waiting on the pool's bookkeeping could hang
        self.pool.shutdown(wait=not getattr(self, "_cancelled", False), cancel_futures=True)


class DaskExecutor(SerialExecutor):
    """A dask.distributed cluster: `address` of a running scheduler, or a LocalCluster.

    Workers must have clusterlab installed (same version: the manifest records each
    worker's versions). The client only needs to reach the scheduler. In portable mode every
    worker must run portable too, with this numpy version (checked: clusterlab_portable.check_workers).
    """

    name = "dask"

    def __init__(self, workers=None, address=None):
        from dask.distributed import Client, LocalCluster

        self.cluster = self.client = None
        if address:
            self.client = dask_client(address)      # InputError naming --address if it cannot be reached
        else:
            try:             # its workers start with Ctrl-C blocked; one pressed meanwhile waits for the cluster
                with sigint_blocked():
                    self.cluster = LocalCluster(n_workers=workers or available_cores(), threads_per_worker=1,
                                                processes=True, dashboard_address=None)
                    self.client = Client(self.cluster)
            except KeyboardInterrupt:                 # ... and then closes it, not Dask's atexit hook
                self.close()
                raise
        self.workers = sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values())
        if clusterlab_portable.requested():       # a worker started without it would give other numbers
            try:
                clusterlab_portable.check_workers(self.client.run(clusterlab_portable.state))
            except clusterlab_portable.PortableError:
                self.close()
                raise

    def submit(self, fn, arg):
        key = f"clusterlab-{getattr(arg, 'run_id', 'task')}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(fn, arg, key=key, pure=False)

    def as_completed(self, futures):
        from dask.distributed import as_completed as dask_as_completed

        return dask_as_completed(list(futures))

    def cancel(self, futures):
        self.client.cancel(list(futures))

    def close(self):
        if getattr(self, "client", None) is not None:       # None: stopped before the client was made
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(kind: str = "local", workers: int | None = None, address: str | None = None):
    """`local` (process pool), `serial` (this process) or `dask` (address, or a LocalCluster)."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(check_workers(workers, available_cores()))
    if kind == "dask":   # --workers sizes a LocalCluster on this machine, not a remote scheduler's
        return DaskExecutor(workers if address else check_workers(workers, available_cores()), address)
    raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")


@contextmanager
def opened(executor="local", workers: int | None = None, address: str | None = None):
    """An executor made from its name (closed afterwards), or a given executor (left open)."""
    if not isinstance(executor, str):
        yield executor
        return
    with make_executor(executor, workers, address) as ex:
        yield ex


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# --- the batch loop -------------------------------------------------------------------------
@dataclass
class BatchReport:
    """What a batch did: how many runs were already stored, ran now, failed."""

    out: Path
    total: int
    skipped: int
    ok: int = 0
    failed: int = 0
    cached: int = 0                     # taken from the run cache (not counted in ok)
    failures: list = field(default_factory=list)     # (run_id, error)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.skipped + self.cached + self.ok == self.total

    def __str__(self) -> str:
        cached = f", {self.cached} reused from the run cache" if self.cached else ""
        text = (f"{self.out}: {self.total} runs — {self.skipped} already stored, {self.ok} ran, "
                f"{self.failed} failed{cached} ({self.seconds:.1f} s)")
        for run_id, error in self.failures[:10]:
            text += f"\n  failed {run_id}: {error}"
        if self.failed > 10:
            text += f"\n  ... and {self.failed - 10} more (see {self.out / 'manifest.jsonl'})"
        return text


def run_batch(specs, out, executor, plan: dict, resume: bool = False, progress: bool = True,
              cache=True) -> BatchReport:
    """Run every spec not yet stored in `out`, storing each run as it finishes.

    A run found in the run cache (`cache`: True for the default one, False for none) is stored
    without running. A run that raises is recorded (error + traceback) and the batch goes on.
    On Ctrl-C the runs already finished are stored, queued ones dropped, and KeyboardInterrupt
    re-raised. The folder is write-probed first; its provenance.json records code and scenarios."""
    from tqdm.auto import tqdm

    from experiments.provenance import provenance
    from experiments.run_cache import make_cache

    start, cache = time.perf_counter(), make_cache(cache)
    probe_output_dir(out, "results folder")  # unwritable or full: said now, before any run
    with Store.open(out, plan, resume=resume) as store:
        store.add_provenance(provenance({s.scenario.name if hasattr(s.scenario, "name") else str(s.scenario):
                                         s.scenario for s in specs}))
        done = store.done()
        todo = [s for s in specs if s.run_id not in done]
        report = BatchReport(Path(out), total=len(specs), skipped=len(specs) - len(todo))
        bar = tqdm(total=len(specs), initial=report.skipped, unit="run", disable=not progress,
                   desc=str(plan.get("name", "runs")), file=sys.stderr, dynamic_ncols=True)
        if cache is not None:
            todo = _from_cache(todo, cache, store, executor, report, bar)
        futures = {executor.submit(execute_run, spec): spec for spec in todo}
        taken = set()

        def take(fut):
            taken.add(fut)
            spec = futures[fut]
            try:
                outcome = fut.result()
            except BrokenProcessPool:
                raise
            except Exception as exc:  # noqa: BLE001 - the worker itself died (e.g. Dask KilledWorker)
                outcome = RunOutcome(spec.run_id, "failed", error=f"{type(exc).__name__}: {exc}",
                                     traceback="".join(traceback.format_exception(exc)))
            _store(spec, outcome, store, cache, executor, report, bar, progress)

        try:
            for fut in executor.as_completed(futures):
                take(fut)
        except (KeyboardInterrupt, BrokenProcessPool) as exc:
            executor.cancel(futures)
            for fut in futures:                    # keep every run that did finish
                if fut not in taken and fut.done() and not fut.cancelled():
                    try:
                        take(fut)
                    except BrokenProcessPool:
                        pass
            bar.close()
            if isinstance(exc, BrokenProcessPool):
                stored = report.skipped + report.cached + report.ok
                raise WorkerPoolError(f"a worker process died (out of memory?); {stored} runs are stored in "
                                      f"{out}; run again with --resume") from exc
            raise
        bar.close()
    report.seconds = time.perf_counter() - start
    return report


def _store(spec, outcome, store, cache, executor, report, bar, progress) -> None:
    """Cache a successful run, store what its spec keeps, count it."""
    if outcome.status == "ok" and cache is not None:
        cache.put(spec, outcome.table, outcome.worker)   # not cached if the worker's numpy/dispatch differ
    table = kept(outcome.table, spec.final, spec.series) if outcome.table is not None else None
    store.write(_record(spec, outcome, executor), table, spec.columns())
    if outcome.status == "ok":
        report.ok += 1
    else:
        report.failed += 1
        report.failures.append((spec.run_id, outcome.error))
        bar.set_postfix(failed=report.failed)
        if progress:
            bar.write(f"run {spec.run_id} failed: {outcome.error}", file=sys.stderr)
    bar.update()


def _from_cache(todo, cache, store, executor, report, bar) -> list:
    """Store the runs the cache holds; return the others."""
    left = []
    for spec in todo:
        table = cache.get(spec)
        if table is None:
            left.append(spec)
            continue
        outcome = RunOutcome(spec.run_id, "ok", worker=worker_info())
        store.write({**_record(spec, outcome, executor), "cached": True},
                    kept(table, spec.final, spec.series), spec.columns())
        report.cached += 1
        bar.update()
    return left


def _record(spec, outcome: RunOutcome, executor) -> dict:
    return {**spec.record(), "status": outcome.status, "error": outcome.error, "traceback": outcome.traceback,
            "seconds": round(outcome.seconds, 4), "cpu_seconds": round(outcome.cpu_seconds, 4),
            "executor": executor.name, **outcome.worker,
            "finished": datetime.now(UTC).isoformat(timespec="seconds")}
