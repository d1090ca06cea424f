"""Reading a plan file's YAML safely: bounded in time and memory whatever the file holds.

PyYAML's SafeLoader refuses tags that run code, but not three things a hostile or broken file
can do: aliases that repeat what they point to (a 363-byte "billion laughs" expands to 10^9
values), nesting deep enough to exhaust Python's stack, and a key given twice in one mapping
(silently, the last wins). The loader here refuses each as it composes the document, before
anything is expanded, with the line where it happens. Dates are left as text for the schema to
parse (and report with a line).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 64  # a plan file nests about 8 deep
MAX_REPEATED = 100_000  # values aliases may repeat; a plan file needs none


class PlanYamlError(Exception):
    """The YAML cannot be read as a plan file: `line` (1-based, or None) and what is wrong."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


class _PlanLoader(yaml.SafeLoader):
    """Safe YAML, composed with limits on nesting and on what aliases repeat, and with
    duplicate keys refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._repeated = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values it holds, itself included

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 (PyYAML's)
        """Refuse deep flow nesting as it is scanned: the scanner keeps a possible key per
        open bracket and revisits them all at each token, so 50,000 brackets cost seconds
        before the composer sees the first."""
        if self.flow_level >= MAX_DEPTH:
            line = self.get_mark().line + 1
            raise PlanYamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if self._depth >= MAX_DEPTH:
            raise PlanYamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        self._depth += 1
        try:
            composed = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        assert composed is not None  # PyYAML returns None only at the end of the stream
        node: Node = composed
        if isinstance(event, yaml.AliasEvent):
            self._repeated += self._sizes.get(id(node), 1)
            if self._repeated > MAX_REPEATED:
                raise PlanYamlError(
                    line,
                    f"aliases (*{event.anchor}) repeat more than {MAX_REPEATED:,} values "
                    "(a plan file needs no aliases)",
                )
        elif not isinstance(node, ScalarNode):
            self._sizes[id(node)] = 1 + sum(self._sizes.get(id(n), 1) for n in _children(node))
        return node

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node: MappingNode = super().compose_mapping_node(anchor)
        seen: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode):
                continue
            line = key.start_mark.line + 1
            if (key.tag, key.value) in seen:
                first = seen[(key.tag, key.value)]
                raise PlanYamlError(line, f"duplicate key {key.value!r} (first on line {first})")
            seen[(key.tag, key.value)] = line
        return node


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_plan_yaml(text: str) -> tuple[Node | None, Any]:
    """The document's node tree (for line numbers) and its data, or PlanYamlError."""
    loader = _PlanLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlanYamlError(line, f"not valid YAML: {reason}") from None
    finally:
        loader.dispose()
    return node, data
