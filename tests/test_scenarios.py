"""Scenario files: every shipped file loads; extends merges; every broken file is refused clearly."""

import json
import pickle
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.params import LEVERS, PARAMS
from scenarios import Scenario, ScenarioError, list_scenarios, load_scenario
from scenarios.loader import SCENARIO_DIR, TOP_KEYS, scenario_names

NAMES = scenario_names()


# --- the shipped scenarios ------------------------------------------------------------------
def test_baseline_and_dartboard_exist():
    assert {"baseline", "dartboard"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_loads_and_is_documented(name):
    s = load_scenario(name)
    assert isinstance(s, Scenario) and s.name == name
    assert s.title and s.question and s.source and s.expected
    assert "\n" not in s.question
    assert s.steps >= 1
    assert all(1 <= step <= s.steps and lever in LEVERS for step, lever, _ in s.schedule)


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_builds_and_steps(name):
    model = load_scenario(name).build(seed=1)
    assert model.default_steps == load_scenario(name).steps
    model.run(2)
    assert len(model.results()) == 3


def test_list_scenarios_gives_name_and_question():
    listed = dict(list_scenarios())
    assert set(listed) == set(NAMES)
    assert listed["baseline"] == load_scenario("baseline").question


def test_baseline_uses_the_defaults():
    s = load_scenario("baseline")
    assert s.params == {} and s.schedule == ()
    assert s.steps == PARAMS["default_steps"].default


def test_dartboard_switches_off_the_co_location_forces():
    base, dart = load_scenario("baseline"), load_scenario("dartboard")
    assert dart.params == {"location_choice": "random", "agglomeration": 0.0, "spinoff_rate": 0.0}
    assert dart.steps == base.steps                      # [run] inherited
    assert dart.question != base.question                # [meta] is not


def test_name_and_path_load_the_same_scenario():
    assert load_scenario("dartboard") == load_scenario(SCENARIO_DIR / "dartboard.toml")


# --- extends --------------------------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PARENT = """
[meta]
title = "Parent"
question = "Parent question?"
[run]
steps = 30
[space]
width = 50
height = 40
[[space.parks]]
x = 10
y = 10
radius = 3
[[space.parks]]
x = 20
y = 20
radius = 2
[mechanisms]
spillover = 0.1
[policy]
tax_rate = 0.1
[[policy.schedule]]
step = 10
lever = "tech_centre"
value = 5.0
"""


def test_extends_deep_merges_tables_and_replaces_lists(tmp_path):
    write(tmp_path / "sub" / "parents" / "parent.toml", PARENT)
    child = write(tmp_path / "sub" / "child.toml", """
extends = "parents/parent.toml"
[space]
width = 60
[[space.parks]]
x = 5
y = 5
radius = 2
[mechanisms]
innovation = 2.0
""")
    s = load_scenario(child)
    assert s.name == "child" and s.title == "child"           # meta is not inherited
    assert s.steps == 30                                      # [run] is
    assert s.params["width"] == 60 and s.params["height"] == 40
    assert s.params["parks"] == ((5, 5, 2.0),)                # lists replace
    assert s.params["spillover"] == 0.1 and s.params["innovation"] == 2.0
    assert s.params["tax_rate"] == 0.1
    assert s.schedule == ((10, "tech_centre", 5.0),)


def test_extends_by_name_finds_a_sibling_file_first(tmp_path):
    write(tmp_path / "baseline.toml", "[space]\nwidth = 33\n")
    child = write(tmp_path / "child.toml", 'extends = "baseline"\n')
    assert load_scenario(child).params == {"width": 33}


def test_extends_a_shipped_scenario_by_name(tmp_path):
    child = write(tmp_path / "mine.toml", 'extends = "dartboard"\n[run]\nsteps = 12\n')
    s = load_scenario(child)
    assert s.params["location_choice"] == "random" and s.steps == 12


def test_problems_name_the_file_that_set_the_key(tmp_path):
    write(tmp_path / "parent.toml", PARENT)
    child = write(tmp_path / "child.toml", 'extends = "parent"\n[space]\nwidth = 15\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    # the parent's park at (20, 20) no longer fits the child's 15-cell width
    assert "parent.toml: space.parks[1].x: outside the 15 × 40 grid" in str(err.value)


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path / "a.toml", 'extends = "b"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match=r"b\.toml: extends: cycle: .*a\.toml -> .*b\.toml -> .*a\.toml"):
        load_scenario(tmp_path / "a.toml")


def test_extends_itself_is_a_cycle(tmp_path):
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(write(tmp_path / "me.toml", 'extends = "me"\n'))


def test_extends_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"c\.toml: extends: no such file .*did you mean 'baseline'"):
        load_scenario(write(tmp_path / "c.toml", 'extends = "basline"\n'))


def test_unknown_scenario_name():
    with pytest.raises(ScenarioError, match=r"no such scenario \(did you mean 'baseline'\?\)"):
        load_scenario("basline")


# --- what a scenario becomes ----------------------------------------------------------------
def test_list_entries_become_tuples_and_the_schedule_applies(tmp_path):
    path = write(tmp_path / "s.toml", """
[run]
steps = 4
[space]
width = 20
height = 20
[[space.roads]]
x0 = 0
y0 = 10
x1 = 19
y1 = 10
level = 0.8
[agents]
n_firms = 10
n_suppliers = 20
n_stages = 2
stage_shares = [2, 1]
[[market.shifts]]
step = 3
demand = 0.9
quality = 0.5
[[policy.schedule]]
step = 2
lever = "tax_rate"
value = 0.3
""")
    s = load_scenario(path)
    assert s.params["roads"] == ((0, 10, 19, 10, 0.8),)
    assert s.params["demand_shifts"] == ((3, 0.9, 0.5),)
    assert s.params["stage_shares"] == (2.0, 1.0)
    model = s.build(seed=1)
    assert model.grid.infrastructure.data[5, 10] == pytest.approx(0.8)
    model.run(1)
    assert model.levers()["tax_rate"] == PARAMS["tax_rate"].default
    model.run()  # the scenario's 4 steps
    assert model.levers()["tax_rate"] == 0.3
    assert len(model.results()) == 1 + 1 + 4


def test_a_shift_in_demand_only_leaves_the_standard_as_it_stands(tmp_path):
    """[[market.shifts]] without quality loads as quality None; the run equals, bit for bit, the run whose
    shift restates the standard in force (0.3 from [market]), and differs from one that changes it."""
    base = "[run]\nsteps = 5\n[agents]\nn_firms = 10\nn_suppliers = 20\n[market]\nquality_standard = 0.3\n"

    def shifted(quality: str):
        text = base + f"[[market.shifts]]\nstep = 2\ndemand = 0.5\n{quality}"
        return load_scenario(write(tmp_path / f"s{len(quality)}.toml", text))

    demand_only = shifted("")
    assert demand_only.params["demand_shifts"] == ((2, 0.5, None),)
    model = demand_only.build(seed=3).run(3)
    assert model.quality_standard == 0.3 and model.demand_shift == 0.5
    runs = [s.build(seed=3).run(5).results() for s in (demand_only, shifted("quality = 0.3\n"),
                                                       shifted("quality = 1.2\n"))]
    assert runs[0].equals(runs[1]) and not runs[0].equals(runs[2])
    from experiments import live_charts, runner
    assert runner.events(demand_only) == [(2, "demand ×0.5")]
    assert live_charts.event_marks([], (), demand_only.params["demand_shifts"])[0]["label"] == "demand ×0.5"
    with pytest.raises(ScenarioError, match=r"market\.shifts\[0\]\.demand: missing"):
        load_scenario(write(tmp_path / "d.toml", "[[market.shifts]]\nstep = 2\nquality = 0.5\n"))


def test_overrides_are_checked_like_the_file():
    base = load_scenario("baseline")
    assert base.with_overrides(width=40).params == {"width": 40}
    with pytest.raises(ScenarioError, match=r"overrides: widht: unknown parameter \(did you mean 'width'\?\)"):
        base.with_overrides(widht=40)
    with pytest.raises(ScenarioError, match=r"overrides: space.width: out of range; allowed: an integer in \[10"):
        base.build(width=5)
    parks = base.with_overrides(parks=[(5, 5, 2)])
    assert parks.params["parks"] == ((5, 5, 2.0),)
    with pytest.raises(ScenarioError, match=r"space.parks\[0\].x: outside the 30 × 30 grid"):
        base.with_overrides(parks=[(50, 5, 2)], width=30, height=30)


def test_scenario_error_survives_pickling():
    with pytest.raises(ScenarioError) as err:
        load_scenario("basline")
    copy = pickle.loads(pickle.dumps(err.value))
    assert str(copy) == str(err.value) and copy.problems == err.value.problems


# --- broken files: one clear problem each ---------------------------------------------------
# (file text, the key path the message must name, a phrase it must contain)
BROKEN = [
    ("[agents]\nn_firms = -5\n", "agents.n_firms", "out of range; allowed: an integer in [0, 500000]; given: -5"),
    ("[agents]\nn_firms = 'many'\n", "agents.n_firms", "wrong type (a string)"),
    ("[agents]\nn_firms = 2.5\n", "agents.n_firms", "not an integer"),
    ("[agents]\nn_firms = inf\n", "agents.n_firms", "out of range"),
    ("[[policy.schedule]]\nstep = 5\nlever = 'tax_holiday'\nvalue = -inf\n", "policy.schedule[0].value",
     "out of range"),
    ("[[space.parks]]\nx = 10\ny = 10\nradius = inf\n", "space.parks[0].radius", "out of range"),
    ("[agents]\nn_firm = 5\n", "agents.n_firm", "did you mean 'n_firms'"),
    ("[agents]\nwidth = 50\n", "agents.width", "misplaced parameter; allowed: [space] width"),
    ("n_firms = 5\n", "n_firms", "misplaced parameter; allowed: [agents] n_firms"),
    ("[agent]\nn_firms = 5\n", "agent", "did you mean 'agents'"),
    ("[mechanisms]\nspilover = 0.1\n", "mechanisms.spilover", "did you mean 'spillover'"),
    ("[mechanisms]\nspillover = true\n", "mechanisms.spillover", "wrong type (a boolean)"),
    ("[mechanisms]\nspillover = nan\n", "mechanisms.spillover", "not a number"),
    ("[mechanisms]\nlocation_choice = 'randon'\n", "mechanisms.location_choice", "did you mean 'random'"),
    ("[mechanisms]\nlocation_choice = 1\n", "mechanisms.location_choice", "one of 'utility', 'random'"),
    ("[mechanisms.spillover]\nx = 1\n", "mechanisms.spillover", "wrong type (a table)"),
    ("mechanisms = 3\n", "mechanisms", "wrong type (an integer)"),
    ("[labour]\ncapital_share = 0.6\n", "labour.capital_share", "labour_share + capital_share must be < 1"),
    ("[space]\nmarket_x = 150\n", "space.market_x", "outside the 100 × 100 grid"),
    ("[space]\nparks = [[1, 2, 3]]\n", "space.parks[0]", "wrong type (a list); allowed: a table with x, y, radius"),
    ("[[space.parks]]\nx = 10\ny = 10\n", "space.parks[0].radius", "missing"),
    ("[[space.parks]]\nx = 10\ny = 10\nradus = 3\n", "space.parks[0].radus", "did you mean 'radius'"),
    ("[[space.parks]]\nx = 10\ny = 100\nradius = 3\n", "space.parks[0].y", "outside the 100 × 100 grid"),
    ("[[space.parks]]\nx = 10\ny = 10\nradius = -1\n", "space.parks[0].radius", "out of range"),
    ("[[space.roads]]\nx0 = 0\ny0 = 0\nx1 = 5\ny1 = 5\nlevel = 1.5\n", "space.roads[0].level",
     "allowed: a number in [0, 1]"),
    ("[[space.roads]]\nx0 = 0\ny0 = 0\nx1 = 500\ny1 = 5\nlevel = 1\n", "space.roads[0].x1", "outside the"),
    ("[agents]\nstage_shares = [1, 2]\n", "agents.stage_shares", "2 weights for 3 stages"),
    ("[agents]\nn_stages = 2\nstage_shares = [1, 2, 3]\n", "agents.stage_shares", "3 weights for 2 stages"),
    ("[agents]\nstage_shares = [1, -2, 1]\n", "agents.stage_shares[1]", "allowed: a number >= 0"),
    ("[agents]\nstage_shares = [0, 0, 0]\n", "agents.stage_shares", "all weights are zero"),
    ("[market]\ndemand_shifts = []\n", "market.demand_shifts", "[[market.shifts]] tables"),
    ("[[market.shifts]]\nstep = 100\ndemand = 0.5\nquality = 1\n", "market.shifts[0].step",
     "beyond the end of the run (run.steps = 80)"),
    ("[[market.shifts]]\nstep = 10\ndemand = 0\nquality = 1\n", "market.shifts[0].demand", "out of range"),
    ("[[market.shifts]]\nstep = 10\ndemand = 1\nquality = 9\n", "market.shifts[0].quality", "out of range"),
    ("[run]\nsteps = 0\n", "run.steps", "out of range"),
    ("[run]\nstep = 10\n", "run.step", "did you mean 'steps'"),
    ("[run]\nsteps = 20\n[[policy.schedule]]\nstep = 30\nlever = 'tax_rate'\nvalue = 0.2\n",
     "policy.schedule[0].step", "beyond the end of the run (run.steps = 20)"),
    ("[[policy.schedule]]\nstep = 0\nlever = 'tax_rate'\nvalue = 0.2\n", "policy.schedule[0].step",
     "quarters count from 1"),
    ("[[policy.schedule]]\nstep = 5\nlever = 'tax_rat'\nvalue = 0.2\n", "policy.schedule[0].lever",
     "not a policy lever (did you mean 'tax_rate'?)"),
    ("[[policy.schedule]]\nstep = 5\nlever = 'width'\nvalue = 50\n", "policy.schedule[0].lever", "not a policy lever"),
    ("[[policy.schedule]]\nstep = 5\nlever = 'tax_rate'\nvalue = 0.9\n", "policy.schedule[0].value",
     "allowed: a number in [0.0, 0.6]; given: 0.9"),
    ("[[policy.schedule]]\nstep = 5\nlever = 'tax_rate'\n", "policy.schedule[0].value", "missing"),
    ("[[policy.schedule]]\nstep = 5\nlevr = 'tax_rate'\nvalue = 0.1\n", "policy.schedule[0].levr",
     "did you mean 'lever'"),
    ("[[policy.schedule]]\nstep = 'soon'\nlever = 'tax_rate'\nvalue = 0.1\n", "policy.schedule[0].step",
     "wrong type (a string)"),
    ("[policy]\nschedule = 5\n", "policy.schedule", "wrong type (an integer)"),
    ("[policy]\ntax_rat = 0.2\n", "policy.tax_rat", "did you mean 'tax_rate'"),
    ("[policy]\nrd_subsidy = 1.5\n", "policy.rd_subsidy", "out of range"),
    ("[meta]\ntitle = 3\n", "meta.title", "wrong type (an integer); allowed: a string"),
    ("[meta]\nquestion = '''two\nlines'''\n", "meta.question", "must be one line"),
    ("[meta]\nquestoin = 'x'\n", "meta.questoin", "did you mean 'question'"),
    ("extends = 5\n", "extends", "wrong type (an integer)"),
    ("extends = ''\n", "extends", "empty"),
    ("extends = 'nosuch'\n", "extends", "no such file"),
    ("[agents]\nn_firms = \n", "line 2, column 11", "malformed TOML"),
    ("[agents\nn_firms = 5\n", "line 1, column 8", "malformed TOML: Expected ']'"),
    ("[agents]\nn_firms = 5\nn_firms = 6\n", "line 3, column 12", "given twice?"),
    ("[space]\nwidth = 1979-05-27\n", "space.width", "wrong type (a date/time)"),
]


@pytest.mark.parametrize("text, key, phrase", BROKEN, ids=[b[1] for b in BROKEN])
def test_broken_file_is_refused_with_a_clear_message(tmp_path, text, key, phrase):
    path = write(tmp_path / "broken.toml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert f"broken.toml: {key}: " in message
    assert phrase in message
    assert len(err.value.problems) == 1, message       # one problem, one message
    assert "Traceback" not in message


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path / "many.toml", "[agents]\nn_firms = -5\nn_suppliers = 'x'\n[policy]\ntax_rat = 1\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    lines = str(err.value).splitlines()
    assert len(lines) == len(err.value.problems) == 3
    assert [line.split(": ")[1] for line in lines] == ["agents.n_firms", "agents.n_suppliers", "policy.tax_rat"]
    assert all(line.split(": ")[0].endswith("many.toml") for line in lines)


@pytest.mark.parametrize("text, key", [
    ("[space]\nwidth = 5\n[[space.parks]]\nx = 50\ny = 5\nradius = 1\n", "space.width"),
    ("[agents]\nn_stages = 0\nstage_shares = [1, 1]\n", "agents.n_stages"),
    ("[run]\nsteps = 'long'\n[[policy.schedule]]\nstep = 500\nlever = 'training'\nvalue = 1\n", "run.steps"),
    ("[labour]\nlabour_share = 2\ncapital_share = 0.5\n", "labour.labour_share"),
])
def test_a_refused_key_does_not_cascade(tmp_path, text, key):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path / "one.toml", text))
    assert [p.key for p in err.value.problems] == [key]


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ScenarioError, match="nothere.toml: no such file"):
        load_scenario(tmp_path / "nothere.toml")
    (tmp_path / "latin1.toml").write_bytes("[meta]\ntitle = 'caf\xe9'\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="latin1.toml: not UTF-8"):
        load_scenario(tmp_path / "latin1.toml")
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ScenarioError, match="dir.toml: cannot read"):
        load_scenario(tmp_path / "dir.toml")


# --- fuzz: whatever the file says, the answer is a Scenario or a ScenarioError ---------------
KEYS = sorted(PARAMS) + ["schedule", "parks", "roads", "shifts", "steps", "title", "question", "x", "lever"]
SECTIONS = list(TOP_KEYS) + ["agent", "polcy", "meta.sub", "space.parks"]
bare_key = st.one_of(st.sampled_from(KEYS), st.text(string.ascii_letters + "_", min_size=1, max_size=12))
scalar = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.booleans().map(lambda b: str(b).lower()),
    st.text(max_size=8).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.sampled_from(("inf", "-inf", "nan", "'random'", "1979-05-27", "[]", "{}")),
    st.sampled_from(LEVERS).map(repr),
)
value = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.dictionaries(st.sampled_from(["x", "y", "radius", "step", "lever", "value", "level", "q"]), inner,
                    max_size=4).map(lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"),
), max_leaves=6)
entry = st.tuples(st.booleans(), st.sampled_from(SECTIONS), st.lists(st.tuples(bare_key, value), max_size=4))


def scenario_text(entries) -> str:
    lines = []
    for array, section, pairs in entries:
        lines.append(f"[[{section}]]" if array else f"[{section}]")
        lines += [f"{k} = {v}" for k, v in pairs]
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(top=st.lists(st.tuples(bare_key, value), max_size=2), entries=st.lists(entry, max_size=5))
def test_fuzz_generated_files(tmp_path, top, entries):
    text = "".join(f"{k} = {v}\n" for k, v in top) + scenario_text(entries)
    check_refused_cleanly(write(tmp_path / "fuzz.toml", text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), data=st.data())
def test_fuzz_mutated_shipped_files(tmp_path, name, data):
    text = (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["delete", "insert", "replace", "swap_digit"]))
        piece = data.draw(st.sampled_from(list("=[].\"'#\n 0-9x") + ["1e9", "-1", "true", "[[policy.schedule]]\n",
                                                                    "step = 999\n", "spilover = 1\n"]))
        if op == "delete":
            text = text[:i] + text[i + 1:]
        elif op == "insert":
            text = text[:i] + piece + text[i:]
        elif op == "replace":
            text = text[:i] + piece + text[i + 1:]
        else:
            text = text.replace("80", data.draw(st.sampled_from(["0", "-80", "80.5", "'80'", "99999"])), 1)
    check_refused_cleanly(write(tmp_path / f"mutant-{name}.toml", text))


def check_refused_cleanly(path: Path) -> None:
    """Loads, or raises ScenarioError whose every line names a file (and most a key)."""
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.file.endswith(".toml") or problem.file == "overrides", problem
            assert str(problem).startswith(problem.file + ": ")
        assert path.name in str(err)


def test_a_file_in_another_encoding_is_named_with_its_encoding_and_line(tmp_path):
    """A scenario saved as GBK (Chinese Windows' default) or UTF-16 (Notepad's "Unicode") was called
    "not UTF-8 text (a binary file?)"; now the message says which encoding it looks like, where, and
    how to fix it."""
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('extends = "baseline"\n[meta]\ntitle = "大唐袜业"\n'.encode("gbk"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(gbk)
    assert str(err.value).endswith("gbk.toml: not UTF-8: text saved as GBK/GB18030 (Chinese Windows' default) (first bad "
                                   "byte on line 3); allowed: a UTF-8 scenario file: save it as UTF-8 (e.g. 另存为 UTF-8)")
    utf16 = tmp_path / "utf16.toml"
    utf16.write_bytes('extends = "baseline"\n'.encode("utf-16"))
    with pytest.raises(ScenarioError, match=r'utf16.toml: not UTF-8: text saved as UTF-16 \(Windows Notepad'):
        load_scenario(utf16)
