"""Round-trip edits of spec files (ruamel's round-trip mode): comments and layout are kept.

Used by commands that write into specs people edit (`platform secrets seal`); the
loader (generators/source/load.py) reads specs with the fast safe loader instead.
"""

from __future__ import annotations

import copy
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.representer import RoundTripRepresenter

__all__ = ["CommentedMap", "copy_entry", "dump", "load", "loads", "parse", "set_in", "write"]

from generators.errors import UsageError


class _Representer(RoundTripRepresenter):
    """ruamel's round-trip representer, writing null as `null`.

    ruamel keeps no record of how a null was written and writes nothing after the
    colon. In a spec, `null` in an override removes what the spec sets (the
    documented spelling), so that is how every null is written back; `~` and an
    empty value, which specs do not use, become `null` too.
    """


_Representer.add_representer(  # on this subclass only: ruamel's own stays as it is
    type(None),
    lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null"),
)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold long values (ciphertext) across lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(path: Path) -> Any:
    """A spec file as ruamel's commented data."""
    try:
        return _yaml().load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(message=f"{path} cannot be read ({exc.__class__.__name__})") from None
    except Exception as exc:  # noqa: BLE001 - any parse problem: the file must be fixed first
        raise UsageError(
            message=f"{path} cannot be edited: it is not valid YAML ({exc.__class__.__name__})",
            hint="run `platform validate` and fix it first",
        ) from None


def loads(text: str) -> Any:
    """YAML text as ruamel's commented data (to build a new spec to edit)."""
    return _yaml().load(text)


def parse(text: str) -> Any:
    """Plain data from YAML text (an old version of a spec, read from git)."""
    try:
        return YAML(typ="safe", pure=True).load(text)
    except Exception as exc:  # noqa: BLE001 - any parse problem
        raise UsageError(message=f"not valid YAML ({exc.__class__.__name__})") from None


def set_in(data: Any, path: Sequence[str], value: Any) -> None:
    """Set ``data[path]``, creating mappings on the way (appended at the end)."""
    current = data
    for part in path[:-1]:
        child = current.get(part)
        if child is None:
            child = CommentedMap()
            current[part] = child
        elif not isinstance(child, dict):
            raise UsageError(message=f"`{'.'.join(path)}`: {part!r} is not a mapping")
        current = child
    current[path[-1]] = value


def copy_entry(data: Any, source: Sequence[str], target: Sequence[str]) -> None:
    """Copy ``data[source]`` to ``data[target]``, with the comment at the end of its line.

    A comment is ruamel's token on the parent mapping; one that runs on past the line
    (blank lines, comments before the next key) belongs to what follows, and stays.
    """
    parent = data
    for part in source[:-1]:
        parent = parent[part]
    set_in(data, target, copy.deepcopy(parent[source[-1]]))
    token = parent.ca.items.get(source[-1]) if isinstance(parent, CommentedMap) else None
    if token and len(token) > 2 and token[2] is not None and token[2].value.count("\n") <= 1:
        destination = data
        for part in target[:-1]:
            destination = destination[part]
        destination.ca.items[target[-1]] = copy.deepcopy(token)


def dump(data: Any) -> str:
    """The text of ``data``, in the layout it was read with."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def write(path: Path, text: str) -> None:
    """Replace ``path`` atomically (a crash never leaves half a spec).

    The file keeps its permissions (a new one gets the umask's) and its line endings.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if b"\r\n" in path.read_bytes():
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
