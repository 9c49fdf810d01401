"""`platform secrets status` and `audit`: each secret's rotation state, and who uses it where."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from generators.diagnostics import Severity, SpecErrors, codes
from generators.domain.secrets.rotation import period, rotation_period
from generators.errors import UsageError
from generators.model.uses import secret_uses
from generators.ops import roundtrip
from generators.pipeline import CHECK, Validation, validate_platform


@dataclass(frozen=True)
class Status:
    """One secret in one environment: its rotation state."""

    secret: str
    environment: str
    owner: str
    source: str
    changed: dt.date
    period: str
    due: dt.date
    state: str  #: ok | due | overdue
    age: int  #: days since the last sealing or rotation

    #: The columns of :meth:`row`.
    HEADINGS: ClassVar[tuple[str, ...]] = (
        "SECRET", "ENV", "OWNER", "SOURCE", "CHANGED", "AGE", "EVERY", "DUE", "STATE",
    )  # fmt: skip

    def row(self) -> tuple[str, ...]:
        """The status as a table row."""
        return (
            self.secret,
            self.environment,
            self.owner,
            self.source,
            self.changed.isoformat(),
            f"{self.age}d",
            self.period,
            self.due.isoformat(),
            self.state,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "secret": self.secret,
            "environment": self.environment,
            "owner": self.owner,
            "source": self.source,
            "changed": self.changed.isoformat(),
            "period": self.period,
            "due": self.due.isoformat(),
            "state": self.state,
            "ageDays": self.age,
        }


def valid(root: Path) -> Validation:
    """The checked platform; overdue secrets are what these reports are for.

    The reports read the model and render nothing, so patches (which change rendered
    objects) are not checked here: `platform validate` does.

    Raises:
        SpecErrors: on any other error (printed on standard error: the reports are data).
    """
    validation = validate_platform(root, stages=CHECK)
    blocking = [
        d
        for d in validation.diagnostics
        if d.level is Severity.ERROR and d.code is not codes.ROTATION_OVERDUE
    ]
    if blocking:
        raise SpecErrors(
            diagnostics=blocking,
            files=len(validation.files),
            root=root,
            message="The specs have errors: fix them first (platform validate).",
            stderr=True,
        )
    return validation


def status(root: Path, environments: Sequence[str] = ()) -> list[Status]:
    """Every secret per environment (or in those named) with its age, due date and state.

    Raises:
        SpecErrors: when the specs have errors other than overdue secrets.
        UsageError: for an environment that does not exist.
    """
    platform = valid(root).platform
    unknown = sorted(set(environments) - set(platform.environments))
    if unknown:
        raise UsageError(
            message=f"unknown environment {unknown[0]!r}",
            hint=f"known: {', '.join(sorted(platform.environments))}",
        )
    today = platform.today or dt.date.today()
    out = []
    for name, (_, secret) in sorted(platform.secrets.items()):
        every = rotation_period(platform, name, secret)
        for env, source in sorted(secret.spec.environments.items()):
            if env not in platform.environments or (environments and env not in environments):
                continue
            env_spec = platform.environments[env][1].spec
            due = source.changed + period(every)
            late = today > due + period(env_spec.secrets.rotationGrace)
            state = "overdue" if late else "due" if today >= due else "ok"
            out.append(
                Status(
                    name,
                    env,
                    secret.metadata.team,
                    "sealed" if source.sealed is not None else "external",
                    source.changed,
                    every,
                    due,
                    state,
                    (today - source.changed).days,
                )
            )
    return out


#: The columns of :func:`audit_row`.
AUDIT_HEADINGS = ("SECRET", "ENV", "OWNER", "SOURCE", "AGE", "LAST CHANGE", "USED BY")


def audit_row(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """An audit entry as a table row."""
    if entry["lastChangedCommit"]:
        changed = f"{entry['lastChangedCommit']} {entry['lastChangedDate']}"
    else:
        changed = {"ok": "uncommitted"}.get(entry["history"], entry["history"])
    return (
        entry["secret"],
        entry["environment"],
        entry["owner"],
        entry["source"],
        f"{entry['ageDays']}d",
        changed,
        ", ".join(entry["usedBy"]) or "-",
    )


def audit(root: Path) -> list[dict[str, Any]]:
    """Who uses which secret where, its owner and age, and when its value last changed in git.

    Raises:
        SpecErrors: when the specs have errors other than overdue secrets.
    """
    return list(_audit(valid(root)))


def _audit(validation: Validation) -> Iterator[dict[str, Any]]:
    from generators.source import git

    platform = validation.platform
    today = platform.today or dt.date.today()
    users: dict[tuple[str, str], set[str]] = {}
    for (env, name), resolved in platform.resolved.items():
        if name in platform.services and platform.deploys(name, env):
            for use in secret_uses(platform, resolved):
                users.setdefault((use.secret, env), set()).add(f"{name} ({use.via})")
    state = git.state(validation.root)
    files = [doc.source.file for doc, _ in platform.secrets.values()]
    histories = git.changes(validation.root, files) if state == "ok" else {}
    for name, (doc, secret) in sorted(platform.secrets.items()):
        history = histories.get(doc.source.file, [])
        for env, source in sorted(secret.spec.environments.items()):
            last = _last_change(history, env, doc.source.data["spec"]["environments"][env])
            yield {
                "secret": name,
                "environment": env,
                "owner": secret.metadata.team,
                "source": "sealed" if source.sealed is not None else "external",
                "usedBy": sorted(users.get((name, env), ())),
                "ageDays": (today - source.changed).days,
                "lastChangedCommit": last[0] if last else None,
                "lastChangedDate": last[1] if last else None,
                # ok | not-in-git | shallow (history cut off: the dates cannot be told)
                "history": state,
            }


def _last_change(history: list[Any], env: str, current: dict[str, Any]) -> tuple[str, str] | None:
    """The newest commit after which the env's value source no longer equals the current one.

    Walks back while the committed block equals ``current`` (what the working tree has);
    the last commit in that run introduced it. None when it is not committed yet.
    """
    found = None
    for change in history:
        if _source(change.content, env) != _value(current):
            break
        found = (change.commit[:12], change.date.date().isoformat())
    return found


def _value(block: dict[str, Any]) -> Any:
    sealed, external = block.get("sealed"), block.get("external")
    if sealed:
        return ("sealed", sealed.get("encryptedData"))
    return ("external", (external or {}).get("data"))


def _source(content: bytes | None, env: str) -> Any:
    if content is None:
        return None
    try:
        data = roundtrip.parse(content.decode("utf-8"))
        return _value(data["spec"]["environments"][env])
    except (UsageError, KeyError, TypeError, UnicodeDecodeError):
        return None
