"""`platform secrets`: seal a value into a spec, list rotation status, audit who uses what.

Sealing reads the platform (to learn where the secret is rendered), seals offline with
the environment's committed certificate, and writes the ciphertext into
``platform/secrets/<name>.yaml`` with a round-trip edit that keeps comments. Render
only copies ciphertext; it never re-seals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators import roundtrip
from generators.checks.rotation import period, rotation_period
from generators.errors import UsageError
from generators.graph import Platform
from generators.naming import namespace
from generators.pipeline import Validation, validate_platform
from generators.wiring import secret_uses

SECRETS_DIR = "platform/secrets"
SECRET_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")


@dataclass(frozen=True)
class Sealed:
    """What `seal` did, for the message the user sees (no value, no ciphertext)."""

    file: str
    secret: str
    key: str
    environment: str
    namespace: str | None
    scope: str
    fingerprint: str
    created: bool


def consumers(platform: Platform, secret: str, environment: str) -> dict[str, set[str]]:
    """Namespace -> the services there that use ``secret`` in ``environment``."""
    spaces: dict[str, set[str]] = {}
    strategy = platform.environments[environment][1].spec.namespaceStrategy
    for (env, name), resolved in platform.resolved.items():
        if env != environment or name not in platform.services:
            continue
        if not platform.deploys(name, env):
            continue
        if any(use.secret == secret for use in secret_uses(platform, resolved)):
            team = platform.services[name][1].metadata.team
            spaces.setdefault(namespace(team, env, strategy), set()).add(name)
    return spaces


def seal(
    root: Path,
    *,
    environment: str,
    secret: str,
    key: str,
    value: bytes,
    scope: str,
    team: str | None = None,
    today: dt.date | None = None,
    reset: bool = False,
) -> Sealed:
    """Seal ``value`` as ``key`` of ``secret`` for ``environment`` and write it into the spec.

    With ``reset``, the environment's other keys are dropped first: they were sealed for
    another target (namespace, name or scope) and must be sealed again one by one.

    Raises:
        UsageError: for a bad secret name or key, an unknown environment, a missing
            certificate, an expired one, a scope that cannot serve every namespace the
            secret is used in, or other keys sealed for another target (without reset).
    """
    from generators import sealing  # cryptography: only loaded to seal

    if not SECRET_NAME.match(secret):
        raise UsageError(
            message=f"{secret!r} is not a secret name",
            hint="use lowercase letters, digits and '-' (at most 63), as the file name",
        )
    if not SECRET_KEY.match(key) or key in (".", ".."):
        raise UsageError(
            message=f"{key!r} is not a Secret key",
            hint="use ASCII letters, digits, '-', '_' and '.' (Kubernetes' rule)",
        )
    validation = validate_platform(root, on=today)
    platform = validation.platform
    if environment not in platform.environments:
        raise UsageError(
            message=f"unknown environment {environment!r}",
            hint=f"known: {', '.join(sorted(platform.environments)) or 'none'}",
        )
    env_spec = platform.environments[environment][1].spec
    if env_spec.secrets.sealing is None:
        raise UsageError(
            message=f"environment {environment!r} has no sealing certificate",
            hint=f"add `spec.secrets.sealing.certificate` to environments/{environment}.yaml "
            "(the file `kubeseal --fetch-cert` prints)",
        )
    cert = platform.certificates.get(environment)
    if isinstance(cert, str) or cert is None:
        raise UsageError(message=str(cert or "no certificate"), hint="fix the certificate file")
    path = root / SECRETS_DIR / f"{secret}.yaml"
    created = not path.exists()
    owner = _owner(platform, secret, team, created)
    spaces = consumers(platform, secret, environment)
    if not spaces:  # not used yet: where its owner's services would run
        spaces = {namespace(owner, environment, env_spec.namespaceStrategy): set()}
    if scope != "cluster-wide" and len(spaces) > 1:
        raise UsageError(
            message=f"secret {secret!r} is used in {len(spaces)} namespaces in {environment!r} "
            f"({', '.join(sorted(spaces))}); a {scope} seal opens in one only",
            hint="seal it with `--scope cluster-wide`",
        )
    target = None if scope == "cluster-wide" else next(iter(spaces))
    day = today or dt.date.today()
    now = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    ciphertext = sealing.seal(
        cert, value, namespace=target or "", name=secret, scope=scope, now=now
    )
    data = roundtrip.load(path) if not created else _new_secret(secret, owner)
    block = data.get("spec", {}).get("environments", {}).get(environment) or {}
    if "external" in block:
        raise UsageError(
            message=f"secret {secret!r} comes from an external store in {environment!r}",
            hint="rotate it in the store, then update `rotatedAt`",
        )
    if reset and block.get("sealed"):
        del data["spec"]["environments"][environment]["sealed"]
        block = {}
    _check_siblings(block.get("sealed") or {}, key, scope, target, secret)
    base = ("spec", "environments", environment, "sealed")
    roundtrip.set_in(data, (*base, "scope"), scope)
    sealed = data["spec"]["environments"][environment]["sealed"]
    for field, wanted in (("namespace", target), ("name", secret if scope == "strict" else None)):
        if wanted is not None:
            roundtrip.set_in(data, (*base, field), wanted)
        elif field in sealed:  # a wider scope: the old target no longer applies
            del sealed[field]
    roundtrip.set_in(data, (*base, "certificate"), cert.fingerprint)
    roundtrip.set_in(data, (*base, "sealedAt"), day)
    roundtrip.set_in(data, (*base, "encryptedData", key), ciphertext)
    roundtrip.write(path, roundtrip.dump(data))
    return Sealed(
        file=path.relative_to(root).as_posix(),
        secret=secret,
        key=key,
        environment=environment,
        namespace=target,
        scope=scope,
        fingerprint=cert.fingerprint,
        created=created,
    )


def _owner(platform: Platform, secret: str, team: str | None, created: bool) -> str:
    if not created:
        if secret not in platform.secrets:
            raise UsageError(
                message=f"{SECRETS_DIR}/{secret}.yaml has errors",
                hint="run `platform validate` and fix them first",
            )
        return platform.secrets[secret][1].metadata.team
    if team is None:
        raise UsageError(
            message=f"there is no secret {secret!r} yet",
            hint="pass --team OWNER to create platform/secrets/" + secret + ".yaml",
        )
    if team not in platform.teams:
        raise UsageError(message=f"unknown team {team!r}", hint="see platform/teams/")
    return team


def _new_secret(name: str, team: str) -> Any:
    text = (
        "# yaml-language-server: $schema=../../schemas/secret.schema.json\n"
        "apiVersion: platform/v1\nkind: Secret\n"
        f"metadata:\n  name: {name}\n  team: {team}\n"
        "spec:\n  environments: {}\n"
    )
    data = roundtrip.loads(text)
    data["spec"]["environments"] = roundtrip.CommentedMap()
    return data


def _check_siblings(
    sealed: dict[str, Any], key: str, scope: str, target: str | None, name: str
) -> None:
    """Other keys of the block must have been sealed for the same target."""
    others = sorted(k for k in sealed.get("encryptedData") or {} if k != key)
    if not others:
        return
    old_scope = sealed.get("scope", "strict")
    old_name = sealed.get("name", name) if old_scope == "strict" else None
    new_name = name if scope == "strict" else None
    if old_scope != scope or sealed.get("namespace") != target or old_name != new_name:
        raise UsageError(
            message=f"the other keys ({', '.join(others)}) were sealed {old_scope} for "
            f"{sealed.get('namespace') or 'any namespace'}; mixing targets in one Secret "
            "would leave some keys undecryptable",
            hint="pass --reset to start this environment's values over, then seal the "
            "other keys again (one command per key)",
        )


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


def status(validation: Validation) -> list[Status]:
    """Every secret per environment with its age, due date and state."""
    platform = validation.platform
    today = platform.today or dt.date.today()
    out = []
    for name, (_, secret) in sorted(platform.secrets.items()):
        every = rotation_period(platform, name, secret)
        for env, source in sorted(secret.spec.environments.items()):
            if env not in platform.environments:
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


def audit(validation: Validation) -> Iterator[dict[str, Any]]:
    """Who uses which secret where, its owner and age, and when its value last changed in git."""
    from generators import git

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
