"""The import graph: no cycles, and every arrow points down the stages (leaves <- content <- publish <- workflow)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from support.paths import PACKAGE

# A module may import only from its own layer or from a lower one (higher number = higher layer).
LAYERS = {
    "quaestio": 0,
    "quaestio.errors": 0,
    "quaestio.vocab": 0,
    "quaestio.findings": 1,
    "quaestio.resources": 0,
    "quaestio.output": 0,
    "quaestio.processes": 0,
    "quaestio.git": 1,
    "quaestio.content": 2,
    "quaestio.publish": 3,
    "quaestio.workflow": 5,
    "quaestio.pipeline": 4,
    "quaestio.cli": 6,
    "quaestio.__main__": 7,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _imports() -> dict[str, frozenset[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        targets = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quaestio"):
                targets.add(node.module)
                targets.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in _all())
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("quaestio"))
    return {name: frozenset(targets) for name, targets in graph.items()}


@functools.cache
def _all() -> frozenset[str]:
    """Every module of the package (read once: the graph asks for it for each name imported)."""
    return frozenset(_module_name(p) for p in PACKAGE.rglob("*.py"))


def _layer(module: str) -> int:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return LAYERS[best]


def test_every_module_has_a_layer_and_a_one_line_docstring():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        assert docstring, f"{path} has no module docstring"
        assert _layer(_module_name(path)) >= 0


def test_imports_point_down_the_stages():
    wrong = [
        f"{source} -> {target}"
        for source, targets in _imports().items()
        for target in targets
        if target in _all() and _layer(target) > _layer(source)
    ]
    assert not wrong, "imports that point up the stages: " + ", ".join(sorted(wrong))


def test_import_graph_has_no_cycle():
    graph = {k: {t for t in v if t in _all() and t != k} for k, v in _imports().items()}
    # A package's __init__ importing its own submodules is not a cycle of stages.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not t.startswith(name + ".")}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        assert node not in visiting, "import cycle: " + " -> ".join([*visiting[visiting.index(node) :], node])
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            visit(target)
        visiting.pop()
        done.add(node)

    for module in sorted(graph):
        visit(module)
