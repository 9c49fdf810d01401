"""Checks of secrets: every use resolves, is allowed and decryptable where it runs.

Uses come from :mod:`generators.model.uses` (env vars, files, webhook signing secrets and
integration credentials), per environment, so a secret missing only in production is
reported for production only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generators.checks.base import at, unknown, unknown_hint, where
from generators.diagnostics import Code, Diagnostic, codes
from generators.diagnostics.suggest import did_you_mean
from generators.domain.alerting.routes import channel_sets, contact_credentials
from generators.model.clock import now
from generators.model.naming import namespace
from generators.model.platform import Platform, Resolved
from generators.model.uses import SecretUse, secret_uses
from generators.source.documents import Parsed
from generators.source.located import dotted
from generators.spec.base import SecretRef
from generators.spec.resources import ResourceDependency
from generators.spec.secret import Access, Sealed
from generators.spec.service import Workload


def may_use(access: Access, owner: str, service: str, team: str) -> bool:
    """Whether a service of ``team`` may use something owned by ``owner``."""
    return team == owner or team in access.teams or service in access.services


def deployed_in(platform: Platform, service: str) -> tuple[str, ...]:
    """The environments a service runs in (its lifecycle decides)."""
    return tuple(e for e in sorted(platform.environments) if platform.deploys(service, e))


def uses_secrets(workload: Workload) -> bool:
    """Whether a workload takes anything from secrets or integrations (most checks' filter)."""
    hooks = workload.webhooks
    return bool(
        workload.secretFiles
        or workload.integrations
        or hooks.incoming
        or hooks.outgoing
        or any(isinstance(v, SecretRef) for v in workload.env.values())
        or any(isinstance(v, SecretRef) for i in workload.initContainers for v in i.env.values())
        or any(isinstance(d, ResourceDependency) for d in workload.dependsOn)
    )


def running_users(platform: Platform) -> Iterator[tuple[Resolved, tuple[str, ...]]]:
    """Each service that takes secrets, integrations or webhooks, per environment it runs in.

    Each comes with every environment it runs in: a problem found in all of them names
    none.
    """
    within: dict[str, tuple[str, ...]] = {}
    for (env, name), resolved in sorted(platform.resolved.items()):
        if not uses_secrets(resolved.workload):
            continue
        if name not in platform.services or not platform.deploys(name, env):
            continue
        if name not in within:
            within[name] = deployed_in(platform, name)
        yield resolved, within[name]


def check_secret_uses(platform: Platform) -> Iterator[Diagnostic]:
    """Each secret a deployed service uses exists here, has the key, and may be used by it."""
    known = platform.names("Secret")
    for resolved, within in running_users(platform):
        env, name = resolved.environment, resolved.service
        team = platform.services[name][1].metadata.team
        space = namespace(team, env, platform.environments[env][1].spec.namespaceStrategy)
        for use in secret_uses(platform, resolved):
            if use.secret not in known:
                found = unknown_secret(use, known)
                yield found.with_environments(env, within=within)
            elif use.secret in platform.secrets:
                for found in use_problems(platform, use, env, team, space):
                    yield found.with_environments(env, within=within)


def use_problems(
    platform: Platform, use: SecretUse, env: str, team: str, space: str
) -> Iterator[Diagnostic]:
    """What is wrong with one use of an existing secret by ``team`` in namespace ``space``."""
    doc, secret = platform.secrets[use.secret]
    owner = secret.metadata.team
    if not may_use(secret.spec.access, owner, use.service, team):
        yield _at_use(
            use,
            codes.ACCESS_DENIED,
            f"service {use.service!r} (team {team!r}) may not use secret {use.secret!r}, "
            f"owned by team {owner!r}",
            f"ask team {owner!r} to add {team!r} to `access.teams` or {use.service!r} to "
            f"`access.services` in {where(doc)}",
        )
    source = secret.spec.environments.get(env)
    if source is None:
        yield _at_use(
            use,
            codes.SECRET_NOT_IN_ENVIRONMENT,
            f"secret {use.secret!r} has no value",
            f"seal one (`platform secrets seal --env ENV --secret {use.secret} --key "
            f"{use.key} < value-file`), or add an `external` block to "
            f"platform/secrets/{use.secret}.yaml",
        )
        return
    if use.key not in source.keys:
        field = "sealed.encryptedData" if source.sealed is not None else "external.data"
        data = ("spec", "environments", env, *field.split("."))
        yield Diagnostic(
            codes.UNKNOWN_SECRET_KEY,
            f"secret {use.secret!r} has no key {use.key!r}" + _for(use),
            use.key_location,
            dotted((*use.key_path, "key")),
            f"its keys here: {', '.join(sorted(source.keys))} ({where(doc, data)}); "
            + (did_you_mean(use.key, source.keys, what="keys") or "add the key there"),
        )
    sealed = source.sealed
    if (
        sealed is not None
        and sealed.scope != "cluster-wide"
        and sealed.namespace is not None  # a seal without one is reported on its own
        and sealed.namespace != space
    ):
        yield at(
            doc,
            ("spec", "environments", env, "sealed", "namespace"),
            codes.SEAL_MISMATCH,
            f"secret {use.secret!r} is sealed ({sealed.scope}) for namespace "
            f"{sealed.namespace!r}, but service {use.service!r} runs in {space!r}; the "
            "controller cannot decrypt it there",
            f"reseal it (`platform secrets seal --env {env} --secret {use.secret} --key KEY`), "
            "with `--scope cluster-wide` when several namespaces use it",
        )


#: Where secrets are defined, for the hints of references to unknown ones.
SECRETS_DEFINED = "secrets are defined in platform/secrets/<name>.yaml"


def unknown_secret(use: SecretUse, known: set[str]) -> Diagnostic:
    """A use of a secret that does not exist."""
    hint = unknown_hint(use.secret, known, "secret", SECRETS_DEFINED)
    return _at_use(use, codes.UNKNOWN_SECRET, f"unknown secret {use.secret!r}", hint)


def _at_use(use: SecretUse, code: Code, message: str, hint: str) -> Diagnostic:
    return Diagnostic(
        code, message + _for(use), use.location, dotted((*use.key_path, "secret")), hint
    )


def _for(use: SecretUse) -> str:
    """Who a use located in an environment's file is for (its typed dependency's offer)."""
    return (
        f" (for {use.via} of service {use.service!r})" if use.via.startswith("dependency ") else ""
    )


def check_team_secrets(platform: Platform) -> Iterator[Diagnostic]:
    """Teams' contact credentials (PagerDuty keys, webhook tokens) name secrets that exist."""
    known = platform.names("Secret")
    for _, (doc, team) in sorted(platform.teams.items()):
        for base, channels in channel_sets(team.spec.contacts):
            for ref, path in contact_credentials(channels, base):
                if ref.secret not in known:
                    yield unknown(
                        doc,
                        (*path, "secret"),
                        codes.UNKNOWN_SECRET,
                        ref.secret,
                        known,
                        "secret",
                        defined=SECRETS_DEFINED,
                    )


def shared_names(
    platform: Platform, doc: Parsed, team: str, access: Access, environments: Iterable[str]
) -> Iterator[Diagnostic]:
    """What a secret and an integration name alike: owner, access list, environments."""
    teams, services = platform.names("Team"), platform.names("Service")
    if team not in teams:
        yield unknown(doc, ("metadata", "team"), codes.UNKNOWN_TEAM, team, teams, "team")
    yield from access_refs(doc, access, teams, services)
    known = platform.names("Environment")
    for env in sorted(environments):
        if env not in known:
            path = ("spec", "environments", env)
            yield unknown(doc, path, codes.UNKNOWN_ENVIRONMENT, env, known, "environment", key=True)


def check_secret_specs(platform: Platform) -> Iterator[Diagnostic]:
    """Owners, access lists, environments, stores and ciphertexts of each secret."""
    for name, (doc, secret) in sorted(platform.secrets.items()):
        spec = secret.spec
        yield from shared_names(platform, doc, secret.metadata.team, spec.access, spec.environments)
        for env, source in sorted(spec.environments.items()):
            base = ("spec", "environments", env)
            if env not in platform.environments:
                continue
            settings = platform.environments[env][1].spec.secrets
            if source.external is not None and source.external.store not in settings.stores:
                store = source.external.store
                yield unknown(
                    doc,
                    (*base, "external", "store"),
                    codes.UNKNOWN_STORE,
                    store,
                    settings.stores,
                    "store",
                    message=f"environment {env!r} declares no secret store {store!r}",
                    defined="declare stores under `spec.secrets.stores` in "
                    f"environments/{env}.yaml",
                )
            if source.sealed is not None:
                yield from _check_sealed(platform, doc, name, env, source.sealed)


def access_refs(
    doc: Parsed, access: Access, teams: set[str], services: set[str]
) -> Iterator[Diagnostic]:
    """The teams and services an access list names exist."""
    for i, team in enumerate(access.teams):
        if team not in teams:
            path = ("spec", "access", "teams", i)
            yield unknown(doc, path, codes.UNKNOWN_TEAM, team, teams, "team")
    for i, service in enumerate(access.services):
        if service not in services:
            path = ("spec", "access", "services", i)
            yield unknown(doc, path, codes.UNKNOWN_SERVICE, service, services, "service")


def _check_sealed(
    platform: Platform, doc: Parsed, name: str, env: str, sealed: Sealed
) -> Iterator[Diagnostic]:
    from generators.domain.secrets.sealing import ciphertext_problem

    base = ("spec", "environments", env, "sealed")
    sealing = platform.environments[env][1].spec.secrets.sealing
    if sealing is None:
        yield at(
            doc,
            base,
            codes.SEALING_CERTIFICATE,
            f"environment {env!r} has no sealing certificate, so it cannot use sealed values",
            f"add `spec.secrets.sealing.certificate` to environments/{env}.yaml, or use an "
            "`external` block",
            key=True,
        )
        return
    if sealed.scope != "cluster-wide" and sealed.namespace is None:
        yield at(
            doc,
            (*base, "scope"),
            codes.SEAL_MISMATCH,
            f"a {sealed.scope} seal needs the `namespace` it was sealed for",
            "reseal with `platform secrets seal`, which records it",
        )
    if sealed.scope == "strict" and sealed.name is not None and sealed.name != name:
        yield at(
            doc,
            (*base, "name"),
            codes.SEAL_MISMATCH,
            f"the values were sealed (strict) for a secret named {sealed.name!r}; as "
            f"{name!r} the controller cannot decrypt them",
            f"reseal every key: `platform secrets seal --env {env} --secret {name} --key KEY`",
        )
    cert = platform.certificates.get(env)
    modulus = getattr(cert, "modulus_bytes", None)
    for key, value in sorted(sealed.encryptedData.items()):
        problem = ciphertext_problem(value, modulus)
        if problem is not None:
            reseal = f"`platform secrets seal --env {env} --secret {name} --key {key}`"
            yield at(
                doc,
                (*base, "encryptedData", key),
                codes.BAD_CIPHERTEXT,
                f"the sealed value of {key!r} {problem}",
                f"if this is a real credential in plain text, it is in git history now: "
                f"rotate it at its provider, then seal the new one with {reseal}"
                if "not Sealed Secrets output" in problem
                else f"seal it again with {reseal}",
            )
    fingerprint = getattr(cert, "fingerprint", None)
    if fingerprint is not None and sealed.certificate != fingerprint:
        yield at(
            doc,
            (*base, "certificate"),
            codes.OTHER_CERTIFICATE,
            f"sealed with certificate {sealed.certificate[:19]}..., but environment {env!r} now "
            f"uses {fingerprint[:19]}...",
            "the controller still decrypts it if it kept the old key; reseal to be sure",
        )


def check_sealing_certificates(platform: Platform) -> Iterator[Diagnostic]:
    """Each environment's sealing certificate can be read and has not expired."""
    for env, (doc, environment) in sorted(platform.environments.items()):
        sealing = environment.spec.secrets.sealing
        if sealing is None:
            continue
        cert = platform.certificates.get(env)
        path = ("spec", "secrets", "sealing", "certificate")
        fetch = (
            f"`kubeseal --controller-name {sealing.controllerName} --controller-namespace "
            f"{sealing.controllerNamespace} --fetch-cert > {sealing.certificate}`"
        )
        if isinstance(cert, str):
            yield at(doc, path, codes.SEALING_CERTIFICATE, cert, f"fetch it with {fetch}")
        elif cert is not None and cert.expired(now(platform)):
            yield at(
                doc,
                path,
                codes.SEALING_CERTIFICATE,
                f"the sealing certificate expired on {cert.not_after:%Y-%m-%d}",
                f"fetch the controller's current one with {fetch}, commit it, and reseal the "
                "values sealed with the old one",
            )


def check_cluster_stores(platform: Platform) -> Iterator[Diagnostic]:
    """Two environments on one cluster may not both declare a ClusterSecretStore of a name.

    Each environment's Argo CD application would own the same cluster-wide object.
    """
    claimed: dict[tuple[str, str, str], str] = {}
    for env_name, (doc, env) in sorted(
        platform.environments.items(), key=lambda item: item[1][1].spec.order
    ):
        cluster = (env.spec.cluster.server, env.spec.cluster.name)
        for store, spec in sorted(env.spec.secrets.stores.items()):
            if spec.kind != "ClusterSecretStore":
                continue
            other = claimed.setdefault((*cluster, store), env_name)
            if other != env_name:
                yield at(
                    doc,
                    ("spec", "secrets", "stores", store),
                    codes.NAME_CLASH,
                    f"ClusterSecretStore {store!r} on cluster {cluster[1]!r} is also declared "
                    f"by environment {other!r}",
                    "rename one of them (and the secrets that use it), or make it a "
                    "namespaced `kind: SecretStore`",
                    key=True,
                )


def check_idle_references(platform: Platform) -> Iterator[Diagnostic]:
    """A service that runs nowhere yet (planning, retired) still names secrets that exist.

    Its uses are not checked per environment (nothing renders), but a dangling name is
    a mistake to report now, as for its `dependsOn`.
    """
    known = platform.names("Secret")
    for name in sorted(platform.services):
        if any(platform.deploys(name, env) for env in platform.environments):
            continue
        resolved = next(
            (r for (env, svc), r in sorted(platform.resolved.items()) if svc == name), None
        )
        if resolved is None or not uses_secrets(resolved.workload):
            continue
        reported: set[str] = set()
        for use in secret_uses(platform, resolved):
            if use.secret not in known and use.secret not in reported:
                reported.add(use.secret)
                yield unknown_secret(use, known)


def check_retired_secrets(platform: Platform) -> Iterator[Diagnostic]:
    """A secret that only retired services use is flagged for deletion."""
    users: dict[str, set[str]] = {}
    for (_, name), resolved in sorted(platform.resolved.items()):
        if name in platform.services and uses_secrets(resolved.workload):
            for use in secret_uses(platform, resolved):
                users.setdefault(use.secret, set()).add(name)
    elsewhere = _named_secrets([doc.source.data for doc, _ in platform.teams.values()])
    if platform.alerting is not None:
        elsewhere |= _named_secrets([platform.alerting[0].source.data])
    for secret, names in sorted(users.items()):
        stages = {platform.services[n][1].metadata.lifecycle for n in names}
        if stages != {"retired"} or secret in elsewhere or secret not in platform.secrets:
            continue
        doc = platform.secrets[secret][0]
        ends = [platform.services[n][1].metadata.retireAfter for n in sorted(names)]
        last = max((d for d in ends if d is not None), default=None)
        when = f" after {last.isoformat()}, when they are gone" if last is not None else ""
        yield at(
            doc,
            ("metadata", "name"),
            codes.RETIRED_SECRET,
            f"secret {secret!r} is used only by retired services ({', '.join(sorted(names))})",
            f"delete platform/secrets/{secret}.yaml, and its value in the store,{when}",
        )


def _named_secrets(documents: Iterable[object]) -> set[str]:
    """Secret names a document refers to anywhere (`{secret: NAME, ...}` mappings)."""
    found: set[str] = set()
    todo = list(documents)
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if isinstance(node.get("secret"), str):
                found.add(node["secret"])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found
