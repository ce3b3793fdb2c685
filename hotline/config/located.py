"""YAML read into plain values that remember their line, refusing duplicate keys."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class LocatedMap(dict[str, Any]):
    """A mapping that knows the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    """A sequence that knows the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class YamlProblem(ValueError):
    """The file is not YAML we can read; `problems` lists each with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# A rota for a city's lines is a few thousand entries; a file far beyond these is a mistake or
# an attack, and is refused before anything is built from it.
MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 500_000


def load_located(text: str) -> Any:
    """Parse one YAML document; duplicate keys anywhere are collected as problems.

    Aliases (`*name`) are refused: an alias bomb is a few lines that expand to gigabytes, and a
    configuration file never needs one. Files over `MAX_BYTES` or `MAX_NODES` are refused too.
    """
    if len(text) > MAX_BYTES:
        raise YamlProblem([f"the file is over {MAX_BYTES // (1024 * 1024)} MB"])
    _refuse_aliases_and_size(text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlProblem([f"not valid YAML: {exc}"]) from None
    if node is None:
        return LocatedMap()
    problems: list[str] = []
    value = _convert(node, SafeConstructor(), problems, "")
    if problems:
        raise YamlProblem(problems)
    return value


def _refuse_aliases_and_size(text: str) -> None:
    nodes = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise YamlProblem([f"line {line}: YAML aliases (*{event.anchor}) are not accepted"])
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise YamlProblem([f"the file has over {MAX_NODES} values"])
    except yaml.YAMLError as exc:
        raise YamlProblem([f"not valid YAML: {exc}"]) from None


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _convert(node: Node, constructor: SafeConstructor, problems: list[str], path: str) -> Any:
    if isinstance(node, MappingNode):
        result = LocatedMap()
        result.line, result.key_lines = _line(node), {}
        for key_node, value_node in node.value:
            key = str(constructor.construct_object(key_node))
            where = f"{path}.{key}" if path else key
            if key in result:
                problems.append(f"line {_line(key_node)}, {where}: duplicate key")
                continue
            result.key_lines[key] = _line(key_node)
            result[key] = _convert(value_node, constructor, problems, where)
        return result
    if isinstance(node, SequenceNode):
        items = LocatedList()
        items.line, items.item_lines = _line(node), []
        for index, item in enumerate(node.value):
            items.item_lines.append(_line(item))
            items.append(_convert(item, constructor, problems, f"{path}[{index}]"))
        return items
    assert isinstance(node, ScalarNode)
    return constructor.construct_object(node)
