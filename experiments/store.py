"""The results folder of a batch of runs: one Parquet file per run, a manifest and the plan.

    DIR/plan.json            what the batch is (the sweep or comparison); checked on --resume
    DIR/provenance.json      code (git commit, dirty flag, source hash), library versions, numpy's
                             dispatch, machine and C library, scenario hashes and resolved parameters,
                             one entry per session that wrote; a session resuming runs computed under
                             another model code, library, SIMD dispatch, portable mode, machine or C
                             library is warned that the folder mixes them
    DIR/manifest.jsonl       one JSON line per finished attempt: run id, point, replication,
                             seed, parameters, status, error and traceback, seconds, versions
    DIR/runs/<run_id>.parquet  one file per successful run (temp file, then os.replace): columns
                             run_id, point, rep, seed, [arm,] the point's parameters, step, indicators
    DIR/.lock                held while a batch writes; a second writer is refused

Only the parent process writes, after a run has finished, so a killed batch leaves every
finished run complete and nothing half-written under its final name. A run counts as done
when its Parquet file exists; `Store.open(resume=True)` rebuilds manifest lines a kill cut
off, and the batch runs only what is missing. Reading a folder (`load_plan`, `check_store`,
`load_results`) checks plan.json (a JSON object; a known kind with its keys, `PLAN_KEYS`) and each run
file's columns (run_id, step, the kept indicators as numbers): a folder another version wrote, or an
edited one, is refused with a StoreError naming the file, before a reader writes anything.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

META_KEY = b"clusterlab.run"


class StoreError(ValueError):
    """The results folder cannot be used as asked (another writer, a different plan, ...)."""


class Store:
    """A results folder open for writing by one batch."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.runs = self.root / "runs"
        self.manifest = self.root / "manifest.jsonl"
        self._lock = None
        self._log = None

    @classmethod
    def open(cls, root, plan: dict, resume: bool = False) -> Store:
        """Open `root` for the batch described by `plan` (new folder, or the same plan with resume)."""
        check_results_folder(root)
        store = cls(root)
        store.runs.mkdir(parents=True, exist_ok=True)
        store._acquire()
        try:
            store._check_plan(plan, resume)
            for tmp in store.runs.glob(".*.tmp"):
                tmp.unlink()
            store._log = open(store.manifest, "a+b")
            store._log.seek(0, os.SEEK_END)
            if store._log.tell():                    # a kill may have cut the last line
                store._log.seek(-1, os.SEEK_END)
                if store._log.read(1) != b"\n":
                    store._log.write(b"\n")
            store._recover()
        except BaseException:
            store.close()
            raise
        return store

    def done(self) -> set[str]:
        """Ids of runs whose results are stored."""
        return {p.stem for p in self.runs.glob("*.parquet")}

    def write(self, record: dict, table: pd.DataFrame | None = None, columns: dict | None = None) -> None:
        """Store one finished run: its results (if any) atomically, then its manifest line.

        `columns`: constant per-run columns (seed, replication, parameters) put before the results.
        """
        if table is not None:
            meta = {"run_id": record["run_id"], **{k: v for k, v in (columns or {}).items() if k not in table}}
            table = pd.concat([pd.DataFrame({k: [v] * len(table) for k, v in meta.items()}, index=table.index),
                               table], axis=1)
            data = pa.Table.from_pandas(table, preserve_index=False)
            data = data.replace_schema_metadata({**(data.schema.metadata or {}), META_KEY: json.dumps(record)})
            final = self.runs / f"{record['run_id']}.parquet"
            tmp = self.runs / f".{record['run_id']}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                pq.write_table(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
        self._append(record)

    def add_provenance(self, record: dict) -> None:
        """Append this session's provenance to DIR/provenance.json (a list of sessions). UserWarning if the
        folder holds runs and an earlier session's record differs in what runs depend on
        (provenance.environment_changes): the runs this session adds would not match those."""
        from experiments.provenance import environment_changes

        path = self.root / "provenance.json"
        sessions = load_provenance(self.root)
        changes = list(dict.fromkeys(c for old in sessions for c in environment_changes(old, record)))
        if changes and (stored := len(self.done())):
            warnings.warn(f"{self.root}: its {stored} stored run(s) were computed under another environment than this "
                          f"session's ({'; '.join(changes)}), so runs added now would not match them (README: "
                          "Reproducibility); to have every run from one environment, use another --out", stacklevel=3)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([*sessions, record], indent=1, default=str))
        os.replace(tmp, path)

    def close(self) -> None:
        if self._log:
            self._log.close()
            self._log = None
        if self._lock:
            self._lock.close()                     # releases the flock
            self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- internals ------------------------------------------------------------------------
    def _append(self, record: dict) -> None:
        self._log.write((json.dumps(record, default=str) + "\n").encode())
        self._log.flush()
        os.fsync(self._log.fileno())

    def _acquire(self) -> None:
        self._lock = open(self.root / ".lock", "w")
        if fcntl is None:
            return
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise StoreError(f"{self.root} is being written by another batch (it holds {self.root / '.lock'})") from None

    def _check_plan(self, plan: dict, resume: bool) -> None:
        path = self.root / "plan.json"
        plan = json.loads(json.dumps(plan, default=str))
        started = bool(self.done()) or (self.manifest.exists() and self.manifest.stat().st_size > 0)
        if path.exists() and started:
            old = _read_plan(path)                # the plan of the batch asked for is compared whole
            if old != plan:
                keys = sorted(k for k in set(old) | set(plan) if old.get(k) != plan.get(k))
                raise StoreError(f"{self.root} holds results of a different batch (it differs in: "
                                 f"{', '.join(keys)}); choose another --out")
            if not resume:
                raise StoreError(f"{self.root} already holds results of this batch: pass --resume to run "
                                 "only what is missing, or choose another --out")
            return
        if started:
            raise StoreError(f"{self.root} holds runs but no plan.json: not a results folder of this tool")
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(plan, indent=1, sort_keys=True))
        os.replace(tmp, path)

    def _recover(self) -> None:
        """Add manifest lines for stored runs whose line a kill cut off."""
        logged = {r["run_id"] for r in read_manifest(self.root) if r.get("status") == "ok"}
        for run_id in sorted(self.done() - logged):
            meta = pq.read_schema(self.runs / f"{run_id}.parquet").metadata or {}
            record = json.loads(meta.get(META_KEY, b"{}")) or {"run_id": run_id, "status": "ok"}
            self._append({**record, "recovered": True})


#: What a results folder holds of its own before its plan.json is written (a kill may leave them).
_OWN = {".lock", "runs", "manifest.jsonl", "provenance.json", "plan.json", "plan.tmp", "provenance.tmp"}


def check_results_folder(root, source: str = "--out") -> None:
    """StoreError unless `root` is new, empty, or a results folder (it has plan.json): a batch never
    writes into another command's output (`clusterlab run`'s, a report's) or any other folder."""
    root = Path(root)
    if not root.is_dir() or (root / "plan.json").is_file():
        return
    foreign = sorted(p.name for p in root.iterdir() if p.name not in _OWN)
    if foreign:
        shown = ", ".join(foreign[:4]) + (f" and {len(foreign) - 4} more" if len(foreign) > 4 else "")
        raise StoreError(f"{root}: holds {shown} but no plan.json, so it is another command's output or another "
                         f"folder, not a results folder (nothing written there); allowed ({source}): a new or empty "
                         f"folder, or the results folder of the same batch (with --resume)")


def refuse_results_folder(folder, source: str = "--out") -> None:
    """StoreError if `folder` is a batch's results folder (it has plan.json): a single run's files
    (indicators.csv, summary.json, figures) do not belong among its runs."""
    if (Path(folder) / "plan.json").is_file():
        raise StoreError(f"{source} {folder}: the results folder of a batch (it has plan.json), not written into by "
                         "`run`; allowed: another folder, e.g. output/<name>")


# --- reading --------------------------------------------------------------------------------
#: The keys every plan.json of a kind holds (what the readers of a folder use): a folder whose plan lacks
#: them, or of another kind, was written by another version of ClusterLab (or edited) and is refused whole.
PLAN_KEYS = {**dict.fromkeys(("compare", "cost_effectiveness", "lever_effects"),
                             ("arms", "reps", "steps", "seed", "final", "series")),
             "sweep": ("scenario", "steps", "replications", "seed", "method", "factors", "final", "series"),
             "optimise": ("scenario", "steps", "series", "code")}
_ANOTHER = "allowed: a results folder written by this version of ClusterLab (run the batch again into a new --out)"


def load_plan(root, need_kind: bool = False) -> dict:
    """DIR/plan.json, checked: a JSON object, and if it names a kind (every command's plan does; a
    `Store` used from Python may hold any plan, unless `need_kind`), a known one with the keys that
    kind's plans hold (`PLAN_KEYS`). StoreError naming the file otherwise (unreadable, malformed,
    another version's)."""
    path = Path(root) / "plan.json"
    plan = _read_plan(path)
    kind = plan.get("kind")
    missing = [k for k in PLAN_KEYS.get(kind, ()) if k not in plan]
    if missing or ((need_kind or kind is not None) and kind not in PLAN_KEYS):
        what = f"a {kind} plan without {', '.join(missing)}" if missing else \
            f"a plan of kind {kind!r}, which this version does not write"
        raise StoreError(f"{path}: {what}; {_ANOTHER}")
    return plan


def load_provenance(root) -> list[dict]:
    """The provenance records of the sessions that wrote `root` (oldest first; [] if none)."""
    path = Path(root) / "provenance.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return []
    return data if isinstance(data, list) else [data]


def read_manifest(root) -> list[dict]:
    """Every manifest line that parses (a line cut by a kill is skipped)."""
    path = Path(root) / "manifest.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def load_manifest(root, latest: bool = True) -> pd.DataFrame:
    """The manifest as a DataFrame: by default the latest attempt of each run."""
    records = read_manifest(root)
    if latest:
        records = list({r["run_id"]: r for r in records}.values())
    df = pd.DataFrame.from_records(records)
    return df.sort_values("run_id", ignore_index=True) if len(df) else df


def load_results(root, kind: str = "final") -> pd.DataFrame:
    """All stored runs as one tidy DataFrame.

    kind="final": one row per run with the final value of each kept indicator;
    kind="series": one row per run and step with the kept time series.
    Columns: run_id, [arm,] point, rep, seed, the run's parameters, [step,] indicators.
    """
    if kind not in ("final", "series"):
        raise ValueError(f"kind must be 'final' or 'series', got {kind!r}")
    root = Path(root)
    plan = load_plan(root)
    keep = plan.get(kind)
    if kind == "series" and not keep:
        raise ValueError(f"{root}: this batch kept no time series (keep.series in the sweep file)")
    files = sorted((root / "runs").glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    table = pa.concat_tables([_read_run(f, keep or ()) for f in files], promote_options="permissive")
    data = table.to_pandas()
    if kind == "final":
        data = data[data["step"] == data.groupby("run_id")["step"].transform("max")]
    indicators = [c for c in (keep or data.columns) if c in data.columns and c not in ("run_id", "step")]
    if "seed" in data.columns:                 # the run's identity is stored in its own file
        meta = [c for c in data.columns if c not in (*indicators, "step")]
        return data[meta + (["step"] if kind == "series" else []) + indicators].sort_values(
            ["run_id"] + (["step"] if kind == "series" else []), ignore_index=True)
    data = data[["run_id"] + (["step"] if kind == "series" else []) + indicators]

    runs = {r["run_id"]: r for r in read_manifest(root) if r.get("status") == "ok"}
    ids = data["run_id"].unique()
    meta = pd.DataFrame.from_records([_flat(runs.get(i, {"run_id": i})) for i in ids])
    out = meta.merge(data, on="run_id", how="right")
    return out.sort_values(["run_id"] + (["step"] if kind == "series" else []), ignore_index=True)


def _read_run(path: Path, keep=()) -> pa.Table:
    """One run's file; a damaged one (its writes are atomic, so damaged after it was written: a copy
    cut short, a disk error) is named with what to do, not shown as a pyarrow traceback; so is one
    without run_id and step or the indicators `keep` (the plan keeps them all) as numbers (another
    version's file, or an edited one)."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise StoreError(f"{path}: not a readable run file ({str(exc).split('.')[0]}); allowed: delete it and "
                         "run the same command with --resume (the sensitivity command: the same command), "
                         "which recomputes only that run") from None
    _check_schema(path, table.schema, keep)
    return table


def _read_plan(path: Path) -> dict:
    """plan.json as a dict, or StoreError naming it (unreadable, not JSON, not a JSON object)."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = f"cannot read it ({exc.strerror or exc})" if isinstance(exc, OSError) else f"not JSON ({exc})"
        raise StoreError(f"{path}: {why}; {_ANOTHER}") from None
    if not isinstance(plan, dict):
        raise StoreError(f"{path}: not a plan (a JSON {type(plan).__name__}); {_ANOTHER}")
    return plan


def check_store(root) -> dict:
    """The plan of a command's results folder `root` (`load_plan`, a known kind) after checking every run file's columns (their
    Parquet footers only: cheap), so that a reader can refuse another version's folder before it writes
    anything. StoreError naming the file otherwise."""
    plan = load_plan(root, need_kind=True)
    keep = sorted({*(plan.get("final") or ()), *(plan.get("series") or ())})
    for path in sorted((Path(root) / "runs").glob("*.parquet")):
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError):
            schema = _read_run(path).schema      # raises naming the damaged file
        _check_schema(path, schema, keep)
    return plan


def _check_schema(path: Path, schema: pa.Schema, keep) -> None:
    """StoreError unless a run file has run_id, step and the indicators `keep` (plan.json's) as numbers."""
    missing = [c for c in ("run_id", "step", *keep) if c not in schema.names]
    text = [c for c in ("step", *keep) if c in schema.names and not _numeric(schema.field(c).type)]
    if missing or text:
        why = f"no column {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}" if missing else \
            f"{', '.join(text[:5])} not numbers"
        raise StoreError(f"{path}: {why} (a run file holds run_id, step and the indicators plan.json keeps, as numbers): "
                         f"another version's run file, or an edited one; {_ANOTHER}")


def _numeric(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)


def _flat(record: dict) -> dict:
    row = {k: record.get(k) for k in ("run_id", "arm", "point", "rep", "seed") if k in record}
    row.update(record.get("params", {}))
    return row
