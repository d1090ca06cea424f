"""The packages are layers, bot → commands → jobs → db: every import runs down (or within a
package), no modules import each other in a circle, and no module grows past 400 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"bot": 3, "commands": 2, "jobs": 1, "db": 0}  # higher may import lower, never up
MAX_LINES = 400
# The data model is one noun: every table in one module reads better than tables split across
# files by length, each re-exported from db.models. It may grow to this; nothing else may.
MAX_MODEL_LINES = 600


def _module_files() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _module_files()


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every module of ours that `name` imports anywhere (in functions and TYPE_CHECKING too),
    `from x import y` naming the module x.y when y is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        ours = set()
        for imported in _imported(name, path):
            while imported and imported not in MODULES:  # `import db.models.x` -> db.models
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                ours.add(imported)
        graph[name] = ours
    return graph


def _layer(module: str) -> int:
    return LAYERS[module.partition(".")[0]]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_every_package() -> None:
    graph = _graph()
    assert {m.partition(".")[0] for m in graph} == set(LAYERS)
    assert "commands.views.kit" in graph["commands.router"]  # a plain `from x import y`
    assert "jobs.tick" in graph["bot.outbox"]


def test_imports_only_run_down() -> None:
    upward = sorted(
        f"{module} imports {imported}"
        for module, imports in _graph().items()
        for imported in imports
        if _layer(imported) > _layer(module)
    )
    assert upward == [], "a lower layer imports a higher one (bot → commands → jobs → db)"


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_cycles_are_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_400_lines() -> None:
    lines = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in MODULES.values()
    }
    model = lines.pop("db/models.py")
    assert {path: n for path, n in lines.items() if n > MAX_LINES} == {}
    assert model <= MAX_MODEL_LINES
