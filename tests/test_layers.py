"""The package's layers point one way and its imports have no cycle.

Every import of every module is read from the source (at module level and inside functions),
so a function-level import cannot hide a dependency. The layer order is the one written in
docs/architecture.md, between its `layers` markers, bottom layer first: a module may import
its own layer and those below it, never one above. Imports only for type checkers (inside
`if TYPE_CHECKING:`) count for the direction but not for cycles, as they never run.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "pointplan"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

THIRD_PARTY_ALLOWED = {
    # The domain model: validated data and pure rules (no solver, no file format, no service).
    "domain": {"pydantic", "networkx", "pandas"},
    # The solver core: no file formats, no service; OR-Tools and PyVRP only through their
    # adapters.
    "solvers": {"networkx", "ortools", "pyvrp", "numpy"},
    "problem": set(),
    "stop": set(),
    "parallel": set(),
    "ruled": set(),
    "networked": set(),
    "advised": set(),
    "suggestions": set(),
    "solve": set(),
    "replan": set(),
}


@dataclass(frozen=True)
class Import:
    """One import statement's target as written, where it is and whether it only types."""

    source: str  # the importing module, e.g. pointplan.solvers.exact
    target: str  # the imported module (or module.name), e.g. pointplan.domain.plan.Plan
    line: int
    typing_only: bool


def module_name(path: Path) -> str:
    """The dotted name of a module file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every import in a module file, with relative imports made absolute."""
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                visit(statement, True)
            for statement in node.orelse:
                visit(statement, typing_only)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(source, a.name, node.lineno, typing_only) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                found.append(Import(source, f"{base}.{alias.name}", node.lineno, typing_only))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
IMPORTS = [found for path in MODULES.values() for found in imports_of(path)]


def resolve(target: str) -> str | None:
    """The package module an import target names (`pointplan.x.y.Name` -> `pointplan.x.y`),
    or None for an import from outside the package."""
    if target != "pointplan" and not target.startswith("pointplan."):
        return None
    while target not in MODULES:
        target = target.rpartition(".")[0]
    return target


def component(module: str) -> str:
    """The top-level part of the package a module belongs to (`domain`, `solve`, ...)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def documented_layers() -> list[list[str]]:
    """The layers of docs/architecture.md, bottom first, each a list of components."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    lines = [line.split("#")[0].split() for line in block.splitlines()]
    return [line for line in lines if line and not line[0].startswith("`")]


LAYERS = documented_layers()
LAYER_OF = {name: number for number, layer in enumerate(LAYERS) for name in layer}


def test_every_module_has_a_layer() -> None:
    """Every part of the package is placed in the documented order."""
    unplaced = sorted({component(module) for module in MODULES} - set(LAYER_OF))
    assert unplaced == [], f"add these to the layers of docs/architecture.md: {unplaced}"


def test_layers_import_only_downwards() -> None:
    """No module imports a module of a layer above its own."""
    upward = []
    for found in IMPORTS:
        target = resolve(found.target)
        if target is None:
            continue
        here, there = component(found.source), component(target)
        if LAYER_OF.get(there, -1) > LAYER_OF.get(here, len(LAYERS)):
            upward.append(f"{found.source}:{found.line} imports {target} ({there} is above {here})")
    assert upward == [], "\n".join(upward)


def test_no_import_cycle() -> None:
    """Module imports (module or function level) form no cycle."""
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for found in IMPORTS:
        target = resolve(found.target)
        if target is not None and not found.typing_only and target != found.source:
            graph.add_edge(found.source, target)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def test_lower_layers_use_only_their_libraries() -> None:
    """The domain imports no solver, file-format, map, PDF or service library; the solvers no
    file-format or service library; only the OR-Tools adapter imports OR-Tools, and only
    the PyVRP adapter PyVRP and numpy (the matrices PyVRP reads)."""
    wrong = []
    for found in IMPORTS:
        top = found.target.split(".")[0]
        if top == "pointplan" or top in sys.stdlib_module_names or top == "__future__":
            continue
        here = component(found.source)
        allowed = THIRD_PARTY_ALLOWED.get(here)
        if allowed is not None and top not in allowed:
            wrong.append(f"{found.source}:{found.line} imports {found.target}")
        if top == "ortools" and found.source != "pointplan.solvers.ortools_adapter":
            wrong.append(f"{found.source}:{found.line} imports OR-Tools outside the adapter")
        outside = found.source != "pointplan.solvers.pyvrp_adapter"
        if top in ("pyvrp", "numpy") and found.source.startswith("pointplan.solvers") and outside:
            wrong.append(f"{found.source}:{found.line} imports {top} outside the adapter")
    assert wrong == [], "\n".join(wrong)


def test_the_solver_adapters_are_the_bottom_of_the_solvers() -> None:
    """The OR-Tools and PyVRP adapters import nothing else of the solver package."""
    adapters = ("pointplan.solvers.ortools_adapter", "pointplan.solvers.pyvrp_adapter")
    above = [
        f.target
        for f in IMPORTS
        if f.source in adapters and (resolve(f.target) or "").startswith("pointplan.solvers")
    ]
    assert above == []


def test_the_walk_sees_function_level_and_typing_imports() -> None:
    """The import walk finds an import inside a function and marks a TYPE_CHECKING one."""
    module = PACKAGE / "domain" / "plan.py"
    found = imports_of(module)
    function_level = [f for f in found if f.target == "pointplan.domain.tables"]
    assert function_level, "Plan.to_dataframe imports the tables inside the method"
    assert any(f.typing_only and f.target == "pandas" for f in found)
