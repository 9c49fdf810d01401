"""Object-level diff of two rendered trees: what appears, vanishes or changes, field by field.

Objects are matched by identity (environment, app, kind, namespace, name), not by file
position, and lists of named items (containers, ports, env vars) by their `name`, so a
reordering or an insertion reports what really changed. Secret values are never
carried into a change: a Secret's data is masked, a SealedSecret's ciphertext is
reported as re-sealed per key.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from generators.domain.layout import CREDENTIALS_ANNOTATION, place

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MASK = "***"


@dataclass(frozen=True, order=True)
class Key:
    """Where an object lives and what it is."""

    environment: str
    app: str
    kind: str
    namespace: str
    name: str

    def title(self) -> str:
        """`Kind namespace/name` (or `Kind name` for cluster-wide objects)."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass(frozen=True)
class FieldChange:
    """One changed field: its path, and the values (text changes carry a line diff)."""

    path: str
    old: Any
    new: Any
    #: For multi-line strings: unified diff lines (without headers).
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectChange:
    """An object added, removed or changed between the two trees."""

    key: Key
    status: str  # added | removed | changed
    old: Mapping[str, Any] | None = None
    new: Mapping[str, Any] | None = None
    fields: tuple[FieldChange, ...] = ()


@dataclass
class TreeDiff:
    """Every change, sorted by key."""

    changes: list[ObjectChange] = field(default_factory=list)

    def environments(self) -> list[str]:
        """Environments with at least one change, sorted."""
        return sorted({c.key.environment for c in self.changes})

    def of(self, environment: str) -> list[ObjectChange]:
        """The changes of one environment."""
        return [c for c in self.changes if c.key.environment == environment]


def objects(tree: Mapping[str, bytes]) -> dict[Key, Mapping[str, Any]]:
    """Every object of a rendered tree, by key (non-YAML files are one object each)."""
    found: dict[Key, Mapping[str, Any]] = {}
    for path, content in tree.items():
        environment, app = place(path)
        if path.endswith(".yaml"):
            for obj in yaml.load_all(content, Loader=_LOADER):
                if isinstance(obj, dict):
                    meta = obj.get("metadata") or {}
                    key = Key(
                        environment,
                        app,
                        str(obj.get("kind", "")),
                        str(meta.get("namespace", "")),
                        str(meta.get("name", "")),
                    )
                    found[key] = obj
        else:
            text = content.decode("utf-8", "replace")
            parsed: Any = text
            if path.endswith(".json"):
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = text
            found[Key(environment, app, "File", "", path.rsplit("/", 1)[-1])] = {"content": parsed}
    return found


def differing(
    old: Mapping[str, bytes], new: Mapping[str, bytes]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The files of each tree that are not byte-identical in the other.

    Every object of a file that did not change is unchanged, so only these files need
    parsing: a one-service change parses one app's file, not the whole output.
    """
    paths = {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
    return {p: old[p] for p in paths if p in old}, {p: new[p] for p in paths if p in new}


def diff_trees(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> TreeDiff:
    """The object changes from ``old`` to ``new``."""
    changed_old, changed_new = differing(old, new)
    return diff_objects(objects(changed_old), objects(changed_new))


def diff_objects(
    before: Mapping[Key, Mapping[str, Any]], after: Mapping[Key, Mapping[str, Any]]
) -> TreeDiff:
    """The changes between two sets of objects."""
    result = TreeDiff()
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is None:
            result.changes.append(ObjectChange(key, "added", new=b))
        elif b is None:
            result.changes.append(ObjectChange(key, "removed", old=a))
        elif a != b:
            fields = tuple(field_changes(_masked(a), _masked(b), sealed=key.kind == "SealedSecret"))
            result.changes.append(ObjectChange(key, "changed", a, b, fields))
    return result


def _masked(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """A Secret with every data value replaced by a digest-free mask (values never shown)."""
    if obj.get("kind") != "Secret":
        return obj
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if annotations.get(CREDENTIALS_ANNOTATION) == "false":
        return obj
    out = dict(obj)
    for section in ("data", "stringData"):
        if isinstance(obj.get(section), dict):
            # Keep which keys changed visible without the values: a value's mask
            # differs only when the value does (compared before masking).
            out[section] = {k: _Opaque(v) for k, v in obj[section].items()}
    return out


class _Opaque:
    """A secret value: compares by value, prints as the mask."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Opaque) and other._value == self._value

    def __hash__(self) -> int:
        return hash(str(self._value))

    def __repr__(self) -> str:
        return MASK


def field_changes(
    old: Any, new: Any, path: str = "", *, sealed: bool = False
) -> Iterator[FieldChange]:
    """The leaf-level differences between two values, with dotted paths."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for k in _ordered_keys(old, new):
            sub = f"{path}.{k}" if path else str(k)
            if k not in old:
                yield FieldChange(sub, None, _shown(new[k], sub, sealed))
            elif k not in new:
                yield FieldChange(sub, _shown(old[k], sub, sealed), None)
            else:
                yield from field_changes(old[k], new[k], sub, sealed=sealed)
        return
    if isinstance(old, list) and isinstance(new, list):
        yield from _list_changes(old, new, path, sealed)
        return
    if sealed and ".encryptedData." in f".{path}":
        yield FieldChange(path, "<ciphertext>", "<ciphertext, re-sealed>")
        return
    if isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
        body = tuple(line for line in lines if not line.startswith(("---", "+++")))
        yield FieldChange(path, None, None, body)
        return
    yield FieldChange(path, _shown(old, path, sealed), _shown(new, path, sealed))


def _shown(value: Any, path: str, sealed: bool) -> Any:
    """What a report may print of a value: never a secret's value, never ciphertext."""
    if sealed and path.startswith(("spec.encryptedData.", ".spec.encryptedData.")):
        return "<ciphertext>"
    if isinstance(value, _Opaque):
        return MASK
    if isinstance(value, dict):
        return {k: _shown(v, f"{path}.{k}", sealed) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v, path, sealed) for v in value]
    return value


def _ordered_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = list(old)
    keys += [k for k in new if k not in old]
    return keys


def _list_changes(old: list[Any], new: list[Any], path: str, sealed: bool) -> Iterator[FieldChange]:
    if _named(old) and _named(new):
        before = {item["name"]: item for item in old}
        after = {item["name"]: item for item in new}
        for name in [*before, *(n for n in after if n not in before)]:
            sub = f"{path}[{name}]"
            if name not in before:
                yield FieldChange(sub, None, _shown(after[name], sub, sealed))
            elif name not in after:
                yield FieldChange(sub, _shown(before[name], sub, sealed), None)
            else:
                yield from field_changes(before[name], after[name], sub, sealed=sealed)
        return
    if all(not isinstance(v, (dict, list)) for v in [*old, *new]):
        # A list of scalars reads best whole.
        yield FieldChange(path, _shown(old, path, sealed), _shown(new, path, sealed))
        return
    for i in range(max(len(old), len(new))):
        sub = f"{path}[{i}]"
        if i >= len(old):
            yield FieldChange(sub, None, _shown(new[i], sub, sealed))
        elif i >= len(new):
            yield FieldChange(sub, _shown(old[i], sub, sealed), None)
        else:
            yield from field_changes(old[i], new[i], sub, sealed=sealed)


def _named(items: list[Any]) -> bool:
    names = [item.get("name") for item in items if isinstance(item, dict)]
    return (
        bool(items)
        and len(names) == len(items)
        and None not in names
        and len(set(names)) == len(names)
    )


def public(obj: Mapping[str, Any]) -> Any:
    """An object as a report may print it: Secret values masked, ciphertext elided."""
    sealed = obj.get("kind") == "SealedSecret"
    return _shown(_masked(obj), "", sealed)
