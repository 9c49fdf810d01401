"""Layers: the one place that says how layers of settings combine, per environment.

Precedence, lowest first:

1. template defaults (the hook: a layer list entry; templates arrive later),
2. the environment's ``spec.defaults`` (``environments/<env>.yaml``),
3. the service's ``spec``,
4. the service's ``spec.environments.<env>`` block.

Mappings merge key by key at every depth; lists and scalars replace whole; an explicit
``null`` in a higher layer removes the key. Every resolved value remembers which layer
(file and key path) it came from, so a problem found after merging is still reported
where the user wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generators.source.located import KeyPath, Origin, SourceDoc


@dataclass(frozen=True, slots=True)
class Layer:
    """One source of settings: the data under ``prefix`` in ``source``."""

    source: SourceDoc
    prefix: KeyPath

    def data(self) -> Any:
        """The layer's data (an empty mapping when the prefix is absent)."""
        current: Any = self.source.data
        for part in self.prefix:
            if not isinstance(current, Mapping) or part not in current:
                return {}
            current = current[part]
        return current if isinstance(current, Mapping) else {}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` onto ``base``: maps merge, lists replace, ``None`` removes."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_layers(layers: Sequence[Layer], *, drop: Sequence[str] = ()) -> dict[str, Any]:
    """Merge the layers' data, lowest first, leaving out the top-level keys in ``drop``."""
    merged: dict[str, Any] = {}
    for layer in layers:
        data = {k: v for k, v in layer.data().items() if k not in drop}
        merged = deep_merge(merged, data)
    return merged


def origin(layers: Sequence[Layer], path: KeyPath, key: bool = False) -> Origin:
    """Where the value at ``path`` of the merged data was written.

    That is the highest layer that sets it, with the full key path in that file.
    """
    for layer in reversed(layers):
        found = layer.source.origin((*layer.prefix, *path), key=key)
        if found.present:
            return found
    # Absent everywhere (a missing field): point at the most specific layer present.
    chosen = next((la for la in reversed(layers) if la.source.has(la.prefix)), layers[-1])
    return chosen.source.origin((*chosen.prefix, *path), key=True)
