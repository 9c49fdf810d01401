"""Canonical YAML (and JSON) for rendered objects: block style, stable quoting, key order.

A small emitter for the data targets produce (mappings with string keys, lists,
strings, integers, booleans, null). It is several times faster than a general YAML
dumper and its output is stable across library versions; a property-based test
round-trips it through a real YAML parser.

Rules:
* top-level keys in conventional order (apiVersion, kind, metadata, spec, data, ...),
  other mappings in the order the target built them (targets sort user-given maps);
* a string is written plain only when no YAML 1.1 or 1.2 parser could read it as
  anything else; otherwise double-quoted, with every unprintable character escaped;
* multi-line printable strings are literal blocks (`|`) with an explicit chomping
  indicator, so trailing newlines survive exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type")
_SAFE_CHARS = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9 _./:@+=-]*$")
_NUMBER_LIKE = re.compile(
    r"^[-+]?(\.[0-9]+|[0-9][0-9_:.]*([eE][-+]?[0-9]+)?|\.(inf|nan)|0x[0-9a-f_]+|0o?[0-7_]+"
    r"|0b[01_]+|[0-9]+[eE][-+]?[0-9]+)$",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
# Parsers disagree on numbers (".5e3", "1_000", "0o17", sexagesimals): rather than
# track every dialect, anything that starts like a number is quoted.
_STARTS_LIKE_A_NUMBER = re.compile(r"^[-+.]?[0-9]|^[-+]?\.[0-9]")
# ...except Kubernetes quantities ("250m", "512Mi"), which no parser reads as numbers.
_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)")
_RESERVED = {
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<",
}  # fmt: skip
_PLAIN_CACHE: dict[str, str] = {}


def dump(document: Mapping[str, Any]) -> str:
    """One YAML document (no leading `---`), ending in a newline."""
    ordered = {k: document[k] for k in TOP_LEVEL_ORDER if k in document}
    ordered.update((k, v) for k, v in document.items() if k not in ordered)
    lines: list[str] = []
    _mapping(ordered, "", lines)
    return "\n".join(lines) + "\n"


def json_document(data: Any) -> str:
    """JSON with sorted keys and a two-space indent, ending in a newline (dashboards).

    The bytes of ``json.dumps(data, indent=2, sort_keys=True)``, written by orjson:
    json's indented encoder is pure Python, a third of a large render. Text that is not
    printable ASCII takes json's path, which escapes it. Floats print in the shortest
    form that reads back, as json prints them, except below 1e-4 (json: ``2.5e-05``,
    orjson: ``0.000025``); what is rendered holds no such float.
    """
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    if not text.isascii() or "\x7f" in text:  # json escapes DEL too; orjson does not
        text = json.dumps(data, indent=2, sort_keys=True)
    return text + "\n"


def scalar(value: Any) -> str:
    """A scalar as YAML text that reads back as exactly ``value``."""
    if isinstance(value, str):
        cached = _PLAIN_CACHE.get(value)
        if cached is None:
            cached = value if _is_plain(value) else _quote(value)
            # Multi-line text is never cached: as a value it is a literal block.
            if len(_PLAIN_CACHE) < 100_000 and "\n" not in value:
                _PLAIN_CACHE[value] = cached
        return cached
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"cannot emit {type(value).__name__} values")


def _quote(text: str) -> str:
    """Double-quoted YAML: JSON's escapes for ASCII text, YAML's for the rest.

    JSON would write astral characters as surrogate pairs, which YAML rejects.
    """
    if text.isascii():
        return json.dumps(text)
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable() and char != "\ufeff":
            out.append(char)
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    out.append('"')
    return "".join(out)


def _is_plain(text: str) -> bool:
    return (
        bool(_SAFE_CHARS.fullmatch(text))
        and not text.endswith((" ", ":"))
        and ": " not in text
        and "  " not in text
        and text.lower() not in _RESERVED
        and not _NUMBER_LIKE.fullmatch(text)
        and (not _STARTS_LIKE_A_NUMBER.match(text) or bool(_QUANTITY.fullmatch(text)))
        and not _DATE_LIKE.match(text)
    )


def _mapping(mapping: Mapping[str, Any], indent: str, lines: list[str]) -> None:
    _entries(mapping, indent, indent, lines)


def _entries(mapping: Mapping[str, Any], first: str, indent: str, lines: list[str]) -> None:
    """A mapping's entries: the first line starts with ``first``, the others ``indent``.

    The hot path of a render (half a million entries per environment at 1,000
    services): the common cases (a string already judged, an integer, a nested
    mapping or list) are written here; everything else goes through :func:`_value`.
    """
    append = lines.append
    cache = _PLAIN_CACHE
    prefix = first
    for key, value in mapping.items():
        name = cache.get(key)
        if name is None:
            name = scalar(key)
        kind = type(value)
        if kind is str:
            text = cache.get(value)
            if text is not None:
                append(f"{prefix}{name}: {text}")
                prefix = indent
                continue
        elif kind is int:
            append(f"{prefix}{name}: {value}")
            prefix = indent
            continue
        elif kind is dict and value:
            append(f"{prefix}{name}:")
            _entries(value, indent + "  ", indent + "  ", lines)
            prefix = indent
            continue
        elif kind is list and value:
            append(f"{prefix}{name}:")
            _sequence(value, indent + "  ", lines)
            prefix = indent
            continue
        _value(f"{prefix}{name}:", value, indent, lines)
        prefix = indent


def _value(head: str, value: Any, indent: str, lines: list[str]) -> None:
    # Exact type checks: targets build plain dicts and lists, and this is the hot path.
    kind = type(value)
    if kind is str:
        cached = _PLAIN_CACHE.get(value)
        if cached is not None:
            lines.append(f"{head} {cached}")
        elif "\n" in value and _is_block(value):
            _block(head, value, indent + "  ", lines)
        else:
            lines.append(f"{head} {scalar(value)}")
    elif kind is dict:
        if value:
            lines.append(head)
            _mapping(value, indent + "  ", lines)
        else:
            lines.append(head + " {}")
    elif kind is list or kind is tuple:
        if value:
            lines.append(head)
            _sequence(value, indent + "  ", lines)
        else:
            lines.append(head + " []")
    elif isinstance(value, Mapping):
        _value(head, dict(value), indent, lines)
    else:
        lines.append(f"{head} {scalar(value)}")


def _sequence(items: Sequence[Any], indent: str, lines: list[str]) -> None:
    cache = _PLAIN_CACHE
    for item in items:
        kind = type(item)
        if kind is dict and item:
            _entries(item, f"{indent}- ", f"{indent}  ", lines)
            continue
        if kind is str:
            text = cache.get(item)
            if text is not None:
                lines.append(f"{indent}- {text}")
                continue
        _value(f"{indent}-", item, indent, lines)


def _is_block(text: str) -> bool:
    # Every line printable, checked in one pass (dashboards are kilobytes of lines).
    return not text.startswith("\n") and text.replace("\n", "").isprintable()


def _block(head: str, text: str, indent: str, lines: list[str]) -> None:
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    # Content indented beyond its first line needs the indentation stated (relative to
    # the key, always 2 here); otherwise the parser would take it from that line.
    indicator = "2" if body[:1] == " " else ""
    lines.append(f"{head} |{indicator}{chomp}")
    if "\n\n" in body:  # blank lines stay empty: no trailing spaces
        lines.extend(f"{indent}{line}" if line else "" for line in body.split("\n"))
    else:  # one string for the whole block (a dashboard is thousands of lines)
        lines.append(indent + body.replace("\n", "\n" + indent))
    lines.extend("" for _ in range(trailing - 1))
