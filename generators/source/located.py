"""Located data: a loaded spec document, and where each of its keys and values came from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from generators.diagnostics import Location

#: A key path inside one document, e.g. ``("spec", "ports", 0, "name")``.
KeyPath = tuple[str | int, ...]
#: Where keys and values start: ``(keys, values)``, each key path -> (line, col), 0-based.
Positions = tuple[dict[KeyPath, tuple[int, int]], dict[KeyPath, tuple[int, int]]]


def dotted(path: Iterable[str | int]) -> str:
    """Render a key path the way users write it: ``spec.ports[0].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Origin(NamedTuple):
    """Where a value was written.

    Its location, its key path in that file, and whether the key is there at all (a
    missing field is located at its parent).
    """

    location: Location
    path: KeyPath
    present: bool


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """One loaded spec document: plain data plus the position of every key and value.

    ``keys`` holds where a mapping key starts, ``values`` where a value starts (for a
    sequence item, where the item starts). Positions are 0-based as ruamel reports
    them; :meth:`locate` turns them into 1-based :class:`Location`.

    Positions are worked out on first use, by ``positions``: a valid document is never
    located, and recording every position while loading would cost a third of it.
    """

    file: str
    data: Mapping[str, Any]
    text: str
    positions: Callable[[], Positions] | None = None
    _cache: dict[str, Positions] = field(default_factory=dict, compare=False, repr=False)

    @property
    def keys(self) -> Mapping[KeyPath, tuple[int, int]]:
        """Where each mapping key starts."""
        return self._positions()[0]

    @property
    def values(self) -> Mapping[KeyPath, tuple[int, int]]:
        """Where each value (or sequence item) starts."""
        return self._positions()[1]

    def _positions(self) -> Positions:
        if "p" not in self._cache:
            self._cache["p"] = self.positions() if self.positions is not None else ({}, {})
        return self._cache["p"]

    def has(self, path: KeyPath) -> bool:
        """Whether ``path`` names a key or item present in this document."""
        return path in self.values or path in self.keys

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """Locate ``path``; fall back to its nearest present ancestor.

        Args:
            path: key path inside the document.
            key: point at the key rather than at its value (used for "unknown
                field" errors, where the key itself is the mistake).
        """
        probe = tuple(path)
        while probe:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for positions in table:
                if probe in positions:
                    line, col = positions[probe]
                    return Location(self.file, line + 1, col + 1)
            # A missing key is reported at its parent's key: the mapping that lacks it.
            probe = probe[:-1]
            key = True
        return Location(self.file, 1, 1)

    def origin(self, path: KeyPath, *, key: bool = False) -> Origin:
        """:meth:`locate`, with the key path and whether it is present."""
        return Origin(self.locate(path, key=key), path, self.has(path))

    def line_text(self, line: int) -> str:
        """The source text of a 1-based line, or '' past the end."""
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""
