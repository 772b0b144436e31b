"""Architecture rules, checked on the source: one-way imports, no private reach-ins.

Packages are layered experiments → scenarios → model/agents: a package never imports one above
it. Between model and agents, and inside every package, the module import graph has no cycle —
counting imports inside functions too (a lazy import must not hide a cycle). No module imports
another module's private (underscore) names or reaches into them through a module attribute.

Size: no module over 400 lines and no function over 60 lines in these packages (tests excepted).
A function's length runs from its `def` line to its last line (decorators not counted); methods
and nested functions count on their own (a nested function also counts inside its parent).
"""

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("experiments", "scenarios", "model", "agents")
RANK = {"experiments": 3, "scenarios": 2, "model": 1, "agents": 1}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    is_pkg = MODULES[module].name == "__init__.py"
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(module: str):
    """(imported internal module, imported names, line) for every import statement of `module`."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            if source.split(".")[0] not in PACKAGES:
                continue
            names = [a.name for a in node.names]
            submodules = [f"{source}.{n}" for n in names if f"{source}.{n}" in MODULES]
            plain = [n for n in names if f"{source}.{n}" not in MODULES]
            for sub in submodules:
                yield sub, [], node.lineno
            if plain:
                yield source, plain, node.lineno


def import_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for module in MODULES:
        for target, _, line in imports(module):
            if target in MODULES and target != module:
                g.add_edge(module, target, line=line)
    return g


def test_no_import_cycle_among_the_modules():
    g = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def test_packages_import_only_downward():
    g = import_graph()
    upward = [(a, b, d["line"]) for a, b, d in g.edges(data=True)
              if RANK[b.split(".")[0]] > RANK[a.split(".")[0]]]
    assert upward == [], f"imports against the layering experiments → scenarios → model/agents: {upward}"


def test_agents_do_not_import_the_model_orchestrator():
    g = import_graph()
    bad = [(a, b) for a, b in g.edges if a.split(".")[0] == "agents" and b in ("model", "model.model")]
    assert bad == [], bad


def test_no_module_imports_private_names_of_another():
    bad = []
    for module in MODULES:
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        aliases = {}
        for target, names, line in imports(module):
            bad += [f"{module}:{line} imports {target}.{n}" for n in names
                    if n.startswith("_") and not n.startswith("__") and target != module]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] in PACKAGES:
                        aliases[a.asname or a.name.split(".")[0]] = a.name
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(module, node)
                for a in node.names:
                    if f"{source}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{source}.{a.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_known(module):
    assert MODULES[module].exists()


# --- size: one concept per module, small functions ------------------------------------------
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def function_lengths(source: str) -> list[tuple[str, int, int]]:
    """(qualified name, `def` line, length in lines) of every function and method in `source`."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}."
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((name[:-1], child.lineno, child.end_lineno - child.lineno + 1))
            visit(child, name)

    visit(ast.parse(source), "")
    return found


def test_the_size_rule_sees_every_package():
    """Guard against the size checks passing vacuously (a moved package, a wrong root)."""
    assert len(MODULES) > 50 and {name.split(".")[0] for name in MODULES} == set(PACKAGES)


def test_no_module_is_longer_than_400_lines():
    too_long = [f"{path.relative_to(ROOT)}: {n} lines" for path in MODULES.values()
                if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not too_long, (f"modules over {MAX_MODULE_LINES} lines (move a coherent piece into the module "
                          "named after its concept):\n  " + "\n  ".join(too_long))


def test_no_function_is_longer_than_60_lines():
    too_long = [f"{path.relative_to(ROOT)}:{line} {name}: {n} lines" for path in MODULES.values()
                for name, line, n in function_lengths(path.read_text(encoding="utf-8")) if n > MAX_FUNCTION_LINES]
    assert not too_long, (f"functions over {MAX_FUNCTION_LINES} lines (split out a coherent step):\n  "
                          + "\n  ".join(too_long))


def test_function_lengths_run_from_def_to_the_last_line():
    """The counter on a known source: a decorated method (decorator not counted), a nested function."""
    source = "class A:\n    @staticmethod\n    def f():\n        def g():\n            return 1\n\n        return g\n"
    assert function_lengths(source) == [("A.f", 3, 5), ("A.f.g", 4, 2)]
