"""`platform secrets seal`: seal a value offline and write the ciphertext into its spec.

Sealing reads the platform (to learn where the secret is rendered), seals with the
environment's committed certificate (generators/domain/secrets/sealing.py), and writes
the ciphertext into ``platform/secrets/<name>.yaml`` with a round-trip edit that keeps
comments. Render only copies ciphertext; it never re-seals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.errors import UsageError
from generators.model.naming import namespace
from generators.model.platform import Platform
from generators.model.uses import secret_uses
from generators.ops import roundtrip
from generators.pipeline import validate_platform

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

    def summary(self) -> str:
        """What was sealed where, and what to do next."""
        where = f"namespace {self.namespace}" if self.namespace else "any namespace"
        return (
            f"Sealed {self.key!r} of secret {self.secret!r} for {self.environment} ({where}, "
            f"{self.scope}) with certificate {self.fingerprint[:23]}... into {self.file}"
            + (" (new file)" if self.created else "")
            + "\nCommit the file; render copies the ciphertext as it is."
        )


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
    from generators.domain.secrets import sealing  # cryptography: only loaded to seal

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
