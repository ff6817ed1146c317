"""The package's shape: dependencies point one way and no module imports itself in a circle.

Read from the source with ``ast`` (imports under ``TYPE_CHECKING`` included,
since a cycle there is still a knot for a reader), so it needs nothing running.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "sourcing"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    files = {
        _module_name(p): p for p in ROOT.rglob("*.py") if "v1" not in p.relative_to(ROOT).parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                base = node.module
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in files else base)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_anywhere() -> None:
    """No module reaches itself through its imports (package __init__ re-exports aside)."""
    graph = import_graph()
    # A package's __init__ re-exports its modules; an edge from a module to its own
    # package's __init__ is the same knot, so drop those edges.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        (
            "sourcing.solver",
            ("sourcing.models", "sourcing.server", "sourcing.bench", "sourcing.whatif"),
        ),
        ("sourcing.models", ("sourcing.server", "sourcing.bench", "sourcing.whatif")),
        ("sourcing.bench", ("sourcing.models", "sourcing.server", "sourcing.whatif")),
        ("sourcing.whatif", ("sourcing.server",)),
    ],
)
def test_dependencies_point_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    """server -> models -> solver, bench -> solver, whatif -> models/bench: never the other way."""
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        if name.startswith(layer)
        for target in targets
        if target.startswith(forbidden)
    )
    assert wrong == []
