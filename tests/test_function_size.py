"""No function in bot/, commands/, jobs/ or db/ (migrations aside) is over 60 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "jobs", "db")
LIMIT = 60


def _functions(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}.{child.name}"
            yield name, (child.end_lineno or child.lineno) - child.lineno + 1
            yield from _functions(child, name)
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}.{child.name}")


def function_lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))
            for name, length in _functions(tree, module):
                lengths[name] = max(length, lengths.get(name, 0))
    return lengths


def test_no_function_is_over_the_limit() -> None:
    assert {name: n for name, n in function_lengths().items() if n > LIMIT} == {}


def test_the_measure_sees_a_long_function() -> None:
    source = "def long():\n" + "    x = 1\n" * LIMIT
    [(name, length)] = list(_functions(ast.parse(source), "m"))
    assert (name, length) == ("m.long", LIMIT + 1)
