"""Reads spec files into located plain data; the only module that imports ruamel.yaml.

Rules enforced here, before any spec model sees the data:

* at most :data:`MAX_FILE_BYTES` per file, UTF-8 text only (a BOM is accepted);
* exactly one YAML document per file (a leading ``---`` is fine, a second document is
  an error: split it into its own file, named after its ``metadata.name``);
* no duplicate keys, no custom tags, nesting at most :data:`MAX_DEPTH` deep;
* aliases may be used, but the document they expand to holds at most
  :data:`MAX_NODES` nodes, which rejects "billion laughs" YAML bombs.
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import Any, ClassVar

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from generators import diagnostics as codes
from generators.diagnostics import Diagnostic
from generators.source import KeyPath, Location, Positions, SourceDoc, dotted

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 50_000
MAX_DEPTH = 64

#: Where spec files live, relative to the platform root.
SPEC_DIRS = ("platform", "environments", "templates/integrations")
SPEC_SUFFIXES = (".yaml", ".yml")


class _LoadProblem(Exception):
    """Raised inside the converter; becomes one diagnostic for the file."""

    def __init__(self, code: codes.Code, message: str, line: int, col: int, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.col, self.hint = code, message, line, col, hint


def discover(root: Path) -> list[str]:
    """List spec files under ``root`` as sorted POSIX paths relative to it.

    Hidden files and directories are skipped, and so are symlinks that lead outside
    the root (a spec must be part of the repository to be reviewed).
    """
    found: list[str] = []
    resolved_root = root.resolve()
    for top in SPEC_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(root)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if path.suffix.lower() not in SPEC_SUFFIXES or not path.is_file():
                continue
            if not path.resolve().is_relative_to(resolved_root):
                continue
            found.append(rel.as_posix())
    return sorted(found)


def load_file(root: Path, rel: str) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Load one spec file. Returns the document, or ``None`` and why it could not load."""
    path = root / rel
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return None, [
            _diag(
                codes.UNREADABLE,
                shown,
                1,
                1,
                "file name is not valid UTF-8",
                "rename the file using UTF-8 characters (spec names are lowercase ASCII)",
            )
        ]
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        return None, [
            _diag(
                codes.UNREADABLE,
                rel,
                1,
                1,
                f"cannot read the file: {exc.strerror or exc}",
                "check the file's permissions, or remove it",
            )
        ]
    if size > MAX_FILE_BYTES:
        return None, [
            _diag(
                codes.FILE_TOO_LARGE,
                rel,
                1,
                1,
                f"file is {size:,} bytes; spec files are capped at {MAX_FILE_BYTES:,} bytes",
                "split it into several smaller specs",
            )
        ]
    return load_text(rel, raw)


def load_text(rel: str, raw: bytes) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Load one spec document from bytes; ``rel`` is the path shown in diagnostics."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [
            _diag(
                codes.NOT_TEXT,
                rel,
                1,
                1,
                "file is UTF-16, not UTF-8",
                "save the file as UTF-8 (most editors: 'Save with encoding')",
            )
        ]
    if b"\x00" in raw:
        line, col = _byte_position(raw, raw.index(b"\x00"))
        return None, [
            _diag(
                codes.NOT_TEXT,
                rel,
                line,
                col,
                "file is binary (it contains a NUL byte)",
                "spec files must be UTF-8 YAML text; remove the file or restore its text",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        return None, [
            _diag(
                codes.NOT_TEXT,
                rel,
                line,
                col,
                f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)",
                "save the file as UTF-8 (most editors: 'Save with encoding')",
            )
        ]
    try:
        return _parse(rel, text), []
    except _LoadProblem as problem:
        return None, [
            _diag(problem.code, rel, problem.line, problem.col, problem.message, problem.hint)
        ]


def _parse(rel: str, text: str) -> SourceDoc:
    # Composing (not constructing) keeps a start mark on every node; with
    # ruamel.yaml.clib this runs libyaml's C parser, ten times faster than the
    # round-trip loader, which is only needed for edits that keep comments.
    yaml = _yaml()
    if all(_is_blank(line) for line in text.splitlines()):
        raise _LoadProblem(
            codes.EMPTY_FILE,
            "file holds no document",
            1,
            1,
            "add a spec (apiVersion, kind, metadata, spec) or delete the file",
        )
    try:
        documents = yaml.compose_all(text)
        first = next(documents, None)
        if first is None:
            raise _LoadProblem(
                codes.EMPTY_FILE,
                "file holds no document",
                1,
                1,
                "add a spec (apiVersion, kind, metadata, spec) or delete the file",
            )
        for extra in documents:
            if not _is_empty(extra):  # a trailing `---` alone is harmless
                raise _LoadProblem(
                    codes.MULTIPLE_DOCUMENTS,
                    "file holds more than one YAML document",
                    extra.start_mark.line + 1,
                    1,
                    "keep one spec per file: move each further document into its own file "
                    "named after its metadata.name",
                )
    except MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except ReaderError as exc:
        line, col = _char_position(text, int(exc.position))
        raise _LoadProblem(
            codes.NOT_TEXT,
            f"control character U+{int(exc.character):04X} is not allowed in YAML",
            line,
            col,
            "remove the invisible character (editors often show it as a box or ^G)",
        ) from None
    except YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise _LoadProblem(codes.YAML_SYNTAX, f"invalid YAML: {first_line}", 1, 1) from None
    except RecursionError:
        raise _LoadProblem(
            codes.YAML_SYNTAX,
            "invalid YAML: nesting is too deep",
            1,
            1,
            f"specs nest at most {MAX_DEPTH} levels",
        ) from None
    if _is_empty(first):
        raise _LoadProblem(
            codes.EMPTY_FILE,
            "file holds no document",
            1,
            1,
            "add a spec (apiVersion, kind, metadata, spec) or delete the file",
        )
    if not isinstance(first, MappingNode):
        what = (
            "a list"
            if isinstance(first, SequenceNode)
            else f"a single value ({first.value[:40]!r})"
        )
        raise _LoadProblem(
            codes.NOT_A_MAPPING,
            f"the document is {what}, not a mapping",
            first.start_mark.line + 1,
            1,
            "a spec is a mapping with apiVersion, kind, metadata and spec",
        )
    start = (first.start_mark.line, first.start_mark.column)
    try:
        data = _Converter(yaml, record=False).convert(first, (), start)
    except _LoadProblem:
        # Convert again, recording positions, so the problem is located exactly.
        _Converter(yaml, record=True).convert(first, (), start)
        raise
    return SourceDoc(file=rel, data=data, text=text, positions=partial(_positions, text))


def _positions(text: str) -> Positions:
    """Where every key and value of a (valid) document starts."""
    first = next(iter(_yaml().compose_all(text)))
    converter = _Converter(_yaml(), record=True)
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
def _yaml() -> YAML:
    """One configured parser per process: creating one per file costs more than parsing."""
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _Resolver
    return yaml


def _is_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


def _tag(node: Node) -> str:
    # Tags from the resolver's table are shared objects: look their text up instead
    # of formatting it again for every node (a hot path).
    tag = node.ctag
    known = _TAG_TEXT.get(id(tag))
    return known if known is not None else str(tag or "")


_STANDARD = "tag:yaml.org,2002:"
#: id of each shared resolver Tag (kept alive by _Resolver.table) -> its text.
_TAG_TEXT: dict[int, str] = {}


def _is_empty(node: Node) -> bool:
    return type(node) is ScalarNode and node.value == "" and _tag(node).endswith(":null")


def _syntax_problem(exc: MarkedYAMLError, text: str) -> _LoadProblem:
    """Explain a YAML syntax error the way a user would fix it.

    The wording of libyaml and of ruamel's pure parser differ, so the character at
    the error decides where it can.
    """
    problem, context = str(exc.problem or ""), str(exc.context or "")
    mark, opening = exc.problem_mark, exc.context_mark
    lines = text.splitlines()
    line_text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    char = line_text[mark.column : mark.column + 1] if mark is not None else ""
    if "undefined alias" in problem:
        message = "alias (*name) used without a matching anchor (&name)"
        hint = "define the anchor before using it, or quote a value that starts with '*'"
    elif "alias" in context:
        mark = opening or mark
        message = "a value starting with '*' is read as an alias (*name)"
        hint = 'put the value in quotes, e.g. schedule: "*/15 * * * *"'
    elif char == "\t":
        message = "tab character in indentation"
        hint = "YAML indents with spaces only: replace the tab with spaces"
    elif "cannot start any token" in problem:
        message = f"a plain value cannot start with {char!r}"
        hint = f'put the value in quotes, e.g. "{char}..."'
    elif "mapping values are not allowed" in problem:
        message = "unexpected ':' here"
        hint = "quote a value that contains ': ', or fix the indentation of this line"
    elif "block mapping" in context or "block collection" in context:
        message = "this line is indented differently from the lines around it"
        hint = "indent it like its siblings, with the same number of spaces"
    elif "quoted scalar" in context:
        mark = opening or mark
        message = "unclosed quote"
        hint = "close the quoted value on the same line (or escape the quote inside it)"
    elif "flow sequence" in context or "flow mapping" in context:
        mark = opening or mark
        closer = "]" if "sequence" in context else "}"
        message = f"unclosed '{'[' if closer == ']' else '{'}'"
        hint = f"close it with '{closer}' and separate items with ','"
    else:
        message = "; ".join(p for p in (problem, context) if p) or "invalid YAML"
        hint = "check indentation, colons and matching quotes/brackets near here"
    if mark is not None and mark.line >= len(lines) and opening is not None:
        mark = opening  # the end of the file says nothing: show where it was opened
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if message.startswith("a value starting with '*'") and line <= len(lines):
        # `*/15 * *` scans as the alias "*/15" and fails later: show the first '*'.
        star = lines[line - 1].find("*")
        col = star + 1 if star >= 0 else col
    return _LoadProblem(codes.YAML_SYNTAX, f"invalid YAML: {message}", line, col, hint)


class _Converter:
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
            raise _LoadProblem(
                codes.ALIAS_BOMB,
                f"document expands to more than {MAX_NODES:,} nodes",
                top[0] + 1,
                top[1] + 1,
                "remove the nested aliases (*name) that multiply the content",
            )
        if len(path) > MAX_DEPTH:
            raise _LoadProblem(
                codes.YAML_SYNTAX,
                f"nesting deeper than {MAX_DEPTH} levels",
                pos[0] + 1,
                pos[1] + 1,
                "flatten the structure",
            )
        text = _tag(node)
        if not text.startswith(_STANDARD):
            raise _LoadProblem(
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
            raise _LoadProblem(
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
                    raise _LoadProblem(
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
                raise _LoadProblem(
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
        value_pos = key_pos if _is_empty(value_node) else _position(value_node)
        self.values[child] = value_pos
        out[key] = self.convert(value_node, child, value_pos)

    def _key(self, node: Node, path: KeyPath) -> str:
        if isinstance(node, ScalarNode):
            return str(node.value)
        raise _LoadProblem(
            codes.YAML_SYNTAX,
            f"a key at {dotted(path) or 'the top level'} is a list or mapping",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            "keys are plain names",
        )


_NO_POSITION = (0, 0)


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line, node.start_mark.column


def _char_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as editors count) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    prefix = before[line_start:].decode("utf-8", errors="replace")
    return before.count(b"\n") + 1, len(prefix) + 1


def _diag(
    code: codes.Code, rel: str, line: int, col: int, message: str, hint: str = ""
) -> Diagnostic:
    return Diagnostic(code=code, message=message, location=Location(rel, line, col), hint=hint)
