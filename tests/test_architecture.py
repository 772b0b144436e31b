"""Architecture rules, checked on the source: one-way imports, no private reach-ins.

Packages are layered experiments → scenarios → model/agents: a package never imports one above
it. Between model and agents, and inside every package, the module import graph has no cycle —
counting imports inside functions too (a lazy import must not hide a cycle). No module imports
another module's private (underscore) names or reaches into them through a module attribute.
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
