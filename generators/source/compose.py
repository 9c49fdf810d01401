"""ruamel's YAML parser, and composed nodes turned into plain data with their positions.

Composing (not constructing) keeps a start mark on every node; with ruamel.yaml.clib
this runs libyaml's C parser, ten times faster than the round-trip loader, which is
only needed for edits that keep comments (generators/ops/roundtrip.py). Limits:

* no duplicate keys, no custom tags, nesting at most :data:`MAX_DEPTH` deep;
* aliases may be used, but the document they expand to holds at most
  :data:`MAX_NODES` nodes, which rejects "billion laughs" YAML bombs.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from generators.diagnostics import codes
from generators.source.located import KeyPath, Positions, dotted

MAX_NODES = 50_000
MAX_DEPTH = 64


class LoadProblem(Exception):
    """A file that cannot be read as one spec document; becomes one diagnostic for it."""

    def __init__(self, code: codes.Code, message: str, line: int, col: int, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.col, self.hint = code, message, line, col, hint


def positions(text: str) -> Positions:
    """Where every key and value of a (valid) document starts."""
    first = next(iter(parser().compose_all(text)))
    converter = Converter(parser(), record=True)
    start = (first.start_mark.line, first.start_mark.column)
    converter.values[()] = start
    converter.convert(first, (), start)
    return converter.keys, converter.values


class _Resolver(VersionedResolver):
    """ruamel's YAML 1.2 tag resolution, without its per-scalar version lookups.

    Resolving plain scalars is the hot path of loading; the table is ruamel's own for
    YAML 1.2 (keyed by first character), built once. A `%YAML 1.1` directive is not
    honoured: specs are YAML 1.2.
    """

    table: ClassVar[dict[str, list[tuple[Any, Any]]]] = {}

    def resolve(self, kind: Any, value: str, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            if not _Resolver.table:
                _Resolver.table = {
                    first: [(Tag(suffix=tag), regexp) for tag, regexp in resolvers]
                    for first, resolvers in self.versioned_resolver.items()
                }
                for resolvers in _Resolver.table.values():
                    _TAG_TEXT.update((id(tag), str(tag)) for tag, _ in resolvers)
                for default in (
                    self.DEFAULT_SCALAR_TAG,
                    self.DEFAULT_SEQUENCE_TAG,
                    self.DEFAULT_MAPPING_TAG,
                ):
                    _TAG_TEXT[id(default)] = str(default)
            for tag, regexp in _Resolver.table.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        if kind is ScalarNode:
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG


@cache
def parser() -> YAML:
    """One configured parser per process: creating one per file costs more than parsing."""
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _Resolver
    return yaml


def _tag(node: Node) -> str:
    # Tags from the resolver's table are shared objects: look their text up instead
    # of formatting it again for every node (a hot path).
    tag = node.ctag
    known = _TAG_TEXT.get(id(tag))
    return known if known is not None else str(tag or "")


_STANDARD = "tag:yaml.org,2002:"
#: id of each shared resolver Tag (kept alive by _Resolver.table) -> its text.
_TAG_TEXT: dict[int, str] = {}


def is_empty(node: Node) -> bool:
    """Whether a node is an empty document or value (a bare key, a trailing ``---``)."""
    return type(node) is ScalarNode and node.value == "" and _tag(node).endswith(":null")


class Converter:
    """Turns composed YAML nodes into plain data, recording positions."""

    def __init__(self, yaml: YAML, *, record: bool) -> None:
        self.constructor = yaml.constructor
        # The parser is shared by every file of a process: start from clean caches, or
        # they would keep every file's nodes alive and remember earlier failures.
        self.constructor.constructed_objects.clear()
        self.constructor.recursive_objects.clear()
        self.record = record
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.nodes = 0
        self.seen: set[int] = set()
        #: Positions of the alias uses being expanded, outermost first.
        self.aliases: list[tuple[int, int]] = []

    def convert(self, node: Node, path: KeyPath, pos: tuple[int, int]) -> Any:
        """The plain data of ``node`` (at ``path``, starting at ``pos``)."""
        if isinstance(node, ScalarNode):
            return self._convert(node, path, pos)
        is_alias = id(node) in self.seen  # the same collection again: an alias use
        self.seen.add(id(node))
        if is_alias:
            # An alias carries its anchor's position; its nearest key is the use.
            use = next((path[:n] for n in range(len(path), 0, -1) if path[:n] in self.keys), ())
            self.aliases.append(self.keys.get(use, pos))
        try:
            return self._convert(node, path, pos)
        finally:
            if is_alias:
                self.aliases.pop()

    def _convert(self, node: Node, path: KeyPath, pos: tuple[int, int]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            # Report the outermost alias use being expanded: that is where the growth
            # is written.
            top = self.aliases[0] if self.aliases else pos
            raise LoadProblem(
                codes.ALIAS_BOMB,
                f"document expands to more than {MAX_NODES:,} nodes",
                top[0] + 1,
                top[1] + 1,
                "remove the nested aliases (*name) that multiply the content",
            )
        if len(path) > MAX_DEPTH:
            raise LoadProblem(
                codes.YAML_SYNTAX,
                f"nesting deeper than {MAX_DEPTH} levels",
                pos[0] + 1,
                pos[1] + 1,
                "flatten the structure",
            )
        text = _tag(node)
        if not text.startswith(_STANDARD):
            raise LoadProblem(
                codes.YAML_SYNTAX,
                f"custom YAML tag {node.tag!r} at {dotted(path)} is not supported",
                pos[0] + 1,
                pos[1] + 1,
                "remove the tag; specs use plain YAML values",
            )
        tag = text[len(_STANDARD) :]
        value = node.value
        if tag in ("str", "value", "merge") and type(node) is ScalarNode:
            return value  # the common case first; `=` and `<<` as values are just text
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                item_pos = _position(item)
                if self.record:
                    self.values[child] = item_pos
                items.append(self.convert(item, child, item_pos))
            return items
        # The common YAML 1.2 core types are built here: ruamel's constructor looks up
        # the document's version for every scalar, which dominates loading.
        if tag == "null":
            return None
        if tag == "bool":
            return value.lower() == "true"
        if tag == "int" and value.lstrip("+-").isdigit() and len(value) < 19:
            return int(value)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, KeyError, TypeError, OverflowError):
            raise LoadProblem(
                codes.YAML_SYNTAX,
                f"{str(node.value)[:40]!r} cannot be read as a YAML {tag}",
                pos[0] + 1,
                pos[1] + 1,
                "quote the value if it is text; otherwise write a valid "
                + {"timestamp": "date, e.g. 2024-02-29", "int": "integer"}.get(tag, tag),
            ) from None

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        explicit: set[str] = set()
        merged: list[tuple[Node, Node]] = []
        merges = 0
        for key_node, value_node in node.value:
            if key_node.value == "<<" and _tag(key_node).endswith(":merge"):
                # `<<: *base` brings in the keys this mapping lacks
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                if not all(isinstance(source, MappingNode) for source in sources) or merges:
                    raise LoadProblem(
                        codes.YAML_SYNTAX,
                        "`<<` merges one mapping (or a list of mappings) once per mapping",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "write `<<: *anchor` (or `<<: [*a, *b]`) once, or remove it",
                    )
                merges += 1
                merged += [
                    pair
                    for source in sources
                    if isinstance(source, MappingNode)
                    for pair in source.value
                ]
                continue
            key = self._key(key_node, path)
            if key in explicit:
                raise LoadProblem(
                    codes.DUPLICATE_KEY,
                    f"duplicate key {key!r} in one mapping",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    f"keep a single {key!r}; YAML would silently drop the first one",
                )
            explicit.add(key)
            self._item(out, path, key, key_node, value_node)
        for key_node, value_node in merged:
            key = self._key(key_node, path)
            if key not in out:
                self._item(out, path, key, key_node, value_node)
        return out

    def _item(
        self, out: dict[str, Any], path: KeyPath, key: str, key_node: Node, value_node: Node
    ) -> None:
        child = (*path, key)
        if not self.record:
            out[key] = self.convert(value_node, child, _NO_POSITION)
            return
        key_pos = _position(key_node)
        self.keys[child] = key_pos
        # An empty value has no token of its own: point at its key.
        value_pos = key_pos if is_empty(value_node) else _position(value_node)
        self.values[child] = value_pos
        out[key] = self.convert(value_node, child, value_pos)

    def _key(self, node: Node, path: KeyPath) -> str:
        if isinstance(node, ScalarNode):
            return str(node.value)
        raise LoadProblem(
            codes.YAML_SYNTAX,
            f"a key at {dotted(path) or 'the top level'} is a list or mapping",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            "keys are plain names",
        )


_NO_POSITION = (0, 0)


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line, node.start_mark.column
