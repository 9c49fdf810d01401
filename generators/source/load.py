"""Reads one spec file into located plain data, enforcing the rules of a spec file.

Rules enforced here, before any spec model sees the data:

* at most :data:`MAX_FILE_BYTES` per file, UTF-8 text only (a BOM is accepted);
* exactly one YAML document per file (a leading ``---`` is fine, a second document is
  an error: split it into its own file, named after its ``metadata.name``);
* the YAML limits of :mod:`generators.source.compose` (duplicate keys, tags, depth,
  alias expansion).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from generators.diagnostics import Diagnostic, Location, codes
from generators.source import cache
from generators.source.compose import MAX_DEPTH, Converter, LoadProblem, is_empty, parser, positions
from generators.source.located import SourceDoc
from generators.source.syntax import syntax_problem

MAX_FILE_BYTES = 1024 * 1024


def load_file(root: Path, rel: str) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Load one spec file. Returns the document, or ``None`` and why it could not load."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return _refused(
            shown,
            LoadProblem(
                codes.UNREADABLE,
                "file name is not valid UTF-8",
                1,
                1,
                "rename the file using UTF-8 characters (spec names are lowercase ASCII)",
            ),
        )
    try:
        raw = _read(root / rel)
    except LoadProblem as problem:
        return _refused(rel, problem)
    return load_text(rel, raw)


def load_text(rel: str, raw: bytes) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Load one spec document from bytes; ``rel`` is the path shown in diagnostics.

    The data of bytes that loaded before comes from the cache (generators/source/cache.py).
    """
    digest = cache.key(raw)
    doc = _cached(rel, raw, digest)
    if doc is not None:
        return doc, []
    try:
        doc = _parse(rel, _decode(raw))
    except LoadProblem as problem:
        return _refused(rel, problem)
    cache.put(digest, doc.data)
    return doc, []


def load_cached(root: Path, rel: str) -> SourceDoc | None:
    """The file's document if its bytes are in the cache; None otherwise (load it then).

    The file's name is held to :func:`load_file`'s rules first: a name it refuses is
    refused whatever the cache holds.
    """
    try:
        rel.encode("utf-8")
        raw = _read(root / rel)
    except (LoadProblem, UnicodeEncodeError):
        return None
    return _cached(rel, raw, cache.key(raw))


def _cached(rel: str, raw: bytes, digest: str) -> SourceDoc | None:
    data = cache.get(digest)
    if data is None:
        return None
    # These very bytes passed every rule of a spec file when their data was stored.
    text = raw.decode("utf-8-sig")
    return SourceDoc(file=rel, data=data, text=text, positions=partial(positions, text))


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        raise LoadProblem(
            codes.UNREADABLE,
            f"cannot read the file: {exc.strerror or exc}",
            1,
            1,
            "check the file's permissions, or remove it",
        ) from None
    if size > MAX_FILE_BYTES:
        raise LoadProblem(
            codes.FILE_TOO_LARGE,
            f"file is {size:,} bytes; spec files are capped at {MAX_FILE_BYTES:,} bytes",
            1,
            1,
            "split it into several smaller specs",
        )
    return raw


_SAVE_AS_UTF8 = "save the file as UTF-8 (most editors: 'Save with encoding')"


def _decode(raw: bytes) -> str:
    """The text of a spec file: UTF-8 (a BOM is accepted), never UTF-16 or binary."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadProblem(codes.NOT_TEXT, "file is UTF-16, not UTF-8", 1, 1, _SAVE_AS_UTF8)
    if b"\x00" in raw:
        line, col = _byte_position(raw, raw.index(b"\x00"))
        raise LoadProblem(
            codes.NOT_TEXT,
            "file is binary (it contains a NUL byte)",
            line,
            col,
            "spec files must be UTF-8 YAML text; remove the file or restore its text",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        raise LoadProblem(
            codes.NOT_TEXT,
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            line,
            col,
            _SAVE_AS_UTF8,
        ) from None


def _parse(rel: str, text: str) -> SourceDoc:
    yaml = parser()
    if all(_is_blank(line) for line in text.splitlines()):
        raise _empty()
    try:
        documents = yaml.compose_all(text)
        first = next(documents, None)
        if first is None:
            raise _empty()
        for extra in documents:
            if not is_empty(extra):  # a trailing `---` alone is harmless
                raise LoadProblem(
                    codes.MULTIPLE_DOCUMENTS,
                    "file holds more than one YAML document",
                    extra.start_mark.line + 1,
                    1,
                    "keep one spec per file: move each further document into its own file "
                    "named after its metadata.name",
                )
    except MarkedYAMLError as exc:
        raise syntax_problem(exc, text) from None
    except ReaderError as exc:
        line, col = _char_position(text, int(exc.position))
        raise LoadProblem(
            codes.NOT_TEXT,
            f"control character U+{int(exc.character):04X} is not allowed in YAML",
            line,
            col,
            "remove the invisible character (editors often show it as a box or ^G)",
        ) from None
    except YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise LoadProblem(codes.YAML_SYNTAX, f"invalid YAML: {first_line}", 1, 1) from None
    except RecursionError:
        raise LoadProblem(
            codes.YAML_SYNTAX,
            "invalid YAML: nesting is too deep",
            1,
            1,
            f"specs nest at most {MAX_DEPTH} levels",
        ) from None
    if is_empty(first):
        raise _empty()
    if not isinstance(first, MappingNode):
        what = (
            "a list"
            if isinstance(first, SequenceNode)
            else f"a single value ({first.value[:40]!r})"
        )
        raise LoadProblem(
            codes.NOT_A_MAPPING,
            f"the document is {what}, not a mapping",
            first.start_mark.line + 1,
            1,
            "a spec is a mapping with apiVersion, kind, metadata and spec",
        )
    start = (first.start_mark.line, first.start_mark.column)
    try:
        data = Converter(yaml, record=False).convert(first, (), start)
    except LoadProblem:
        # Convert again, recording positions, so the problem is located exactly.
        Converter(yaml, record=True).convert(first, (), start)
        raise
    return SourceDoc(file=rel, data=data, text=text, positions=partial(positions, text))


def _empty() -> LoadProblem:
    return LoadProblem(
        codes.EMPTY_FILE,
        "file holds no document",
        1,
        1,
        "add a spec (apiVersion, kind, metadata, spec) or delete the file",
    )


def _is_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


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


def _refused(rel: str, problem: LoadProblem) -> tuple[None, list[Diagnostic]]:
    """No document, and the one diagnostic that says why."""
    location = Location(rel, problem.line, problem.col)
    return None, [Diagnostic(problem.code, problem.message, location, hint=problem.hint)]
