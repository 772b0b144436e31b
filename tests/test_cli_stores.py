"""Results folders from another version of ClusterLab (or edited): `report`, `compare --resume` and the
readers refuse them with one line naming the file and what is allowed, exit 2, no traceback, and write
nothing (the brief's folder is not made; the stored runs are kept)."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments import cli
from experiments.store import StoreError, check_store, load_plan, load_results

ARMS = ["baseline", "baseline:tech_centre=20"]
SMALL = ["--reps", "1", "--steps", "1", "--executor", "serial", "--quiet", "--set", "width=30,height=30",
         "--set", "n_firms=20,n_suppliers=40"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("stores") / "c0"
    assert cli.main(["compare", *ARMS, *SMALL, "--out", str(out)]) == 0
    return out


def _runs(folder):
    return sorted((folder / "runs").glob("*.parquet"))


def _drop(folder, *columns):
    for path in _runs(folder):
        pq.write_table(pq.read_table(path).drop(list(columns)), path)


def _as_text(folder, column):
    for path in _runs(folder):
        table = pq.read_table(path)
        i = table.schema.get_field_index(column)
        pq.write_table(table.set_column(i, column, pa.array([str(v) for v in table[column].to_pylist()])), path)


def _edit_plan(folder, change):
    plan = json.loads((folder / "plan.json").read_text())
    (folder / "plan.json").write_text(json.dumps(change(plan)) if callable(change) else change)


TAMPER = {
    "an indicator missing": (lambda f: _drop(f, "firms"), "runs/a0-r0.parquet: no column firms"),
    "no step column": (lambda f: _drop(f, "step"), "runs/a0-r0.parquet: no column step"),
    "an indicator as text": (lambda f: _as_text(f, "firms"), "runs/a0-r0.parquet: firms not numbers"),
    "a plan without arms": (lambda f: _edit_plan(f, lambda p: {k: v for k, v in p.items() if k != "arms"}),
                            "plan.json: a compare plan without arms"),
    "a plan of an unknown kind": (lambda f: _edit_plan(f, lambda p: {**p, "kind": "frobnicate"}),
                                  "plan.json: a plan of kind 'frobnicate'"),
    "a plan that is not JSON": (lambda f: _edit_plan(f, "{not json"), "plan.json: not JSON"),
    "a plan that is a list": (lambda f: _edit_plan(f, "[1, 2]"), "plan.json: not a plan"),
}


@pytest.fixture(params=sorted(TAMPER))
def tampered(request, store, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(store, folder)
    change, said = TAMPER[request.param]
    change(folder)
    return folder, said


def test_report_refuses_another_versions_folder_before_writing(tampered, tmp_path, capsys):
    folder, said = tampered
    brief = tmp_path / "brief"
    assert cli.main(["report", str(folder), str(brief), "--outcomes", "output,firms"]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and "written by this version" in err
    assert "\n" not in err and "Traceback" not in err
    assert not brief.exists()                                       # nothing written


def test_compare_resume_into_another_versions_folder_is_refused_and_keeps_its_runs(tampered, capsys):
    folder, said = tampered
    before = {p.name: p.read_bytes() for p in _runs(folder)}
    assert cli.main(["compare", *ARMS, *SMALL, "--out", str(folder), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "error: " in err and str(folder) in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in _runs(folder)} == before     # no stored run lost or rewritten


def test_the_readers_refuse_it_too(tampered):
    folder, said = tampered
    with pytest.raises(StoreError, match=said.split(": ")[-1]):
        check_store(folder)
    with pytest.raises(StoreError):
        load_results(folder, "series")


def test_this_versions_folder_reads(store):
    assert load_plan(store)["kind"] == "compare" and check_store(store)["arms"]
    assert len(load_results(store, "final")) == 2
