"""Checks that names, and the names derived from them, are ones Kubernetes accepts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from generators.checks.base import at, at_resolved
from generators.diagnostics import Diagnostic, codes
from generators.model.naming import (
    CRONJOB_NAME_MAX,
    DNS_LABEL,
    DNS_LABEL_MAX,
    RESERVED_NAMESPACES,
    RESERVED_SUFFIXES,
    SERVICE_NAME_MAX,
    namespace,
    public_host,
)
from generators.model.platform import Platform


def check_names(platform: Platform) -> Iterator[Diagnostic]:
    """Every spec name is a lowercase DNS label within its kind's length limit."""
    cron_services = {s for (_, s), r in platform.resolved.items() if r.workload.type == "cron"}
    for doc in platform.documents:
        name = doc.name
        path = ("metadata", "name")
        if not DNS_LABEL.match(name):
            fixed = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
            example = f" (e.g. {fixed!r})" if DNS_LABEL.match(fixed) else ""
            yield at(
                doc,
                path,
                codes.INVALID_NAME,
                f"{doc.kind.name} name {name!r} is not a valid DNS label",
                f"use lowercase letters, digits and '-', starting with a letter{example}, "
                "and rename the file to match",
            )
            continue
        limit = SERVICE_NAME_MAX if doc.kind.name == "Service" else DNS_LABEL_MAX
        if doc.kind.name == "Service" and name in cron_services:
            limit = min(limit, CRONJOB_NAME_MAX)
        if len(name) > limit:
            why = {
                SERVICE_NAME_MAX: "room is kept for the suffixes "
                + ", ".join(repr(s) for s in RESERVED_SUFFIXES),
                CRONJOB_NAME_MAX: "Kubernetes appends 11 characters to the Jobs a CronJob creates",
            }.get(limit, "Kubernetes names are DNS labels")
            yield at(
                doc,
                path,
                codes.NAME_TOO_LONG,
                f"{doc.kind.name} name {name!r} is {len(name)} characters; the limit is {limit}",
                f"shorten it: {why}",
            )


def check_derived_name_lengths(platform: Platform) -> Iterator[Diagnostic]:
    """Namespaces and public hosts built from several names stay within DNS limits."""
    for env_name, (_, env) in sorted(platform.environments.items()):
        if env.spec.namespaceStrategy == "per-team-environment":
            for team_name, (team_doc, _) in sorted(platform.teams.items()):
                name = namespace(team_name, env_name, env.spec.namespaceStrategy)
                if len(name) > DNS_LABEL_MAX and DNS_LABEL.match(team_name):
                    yield at(
                        team_doc,
                        ("metadata", "name"),
                        codes.NAME_TOO_LONG,
                        f"namespace {name!r} for environment {env_name!r} would be "
                        f"{len(name)} characters; the limit is {DNS_LABEL_MAX}",
                        f"shorten the team name to at most "
                        f"{DNS_LABEL_MAX - len(env_name) - 1} characters",
                    )
    for env_name, (env_doc, env) in sorted(platform.environments.items()):
        reserved = set(RESERVED_NAMESPACES) | {env.spec.routing.controllerNamespace}
        if env.spec.gitops is not None:
            reserved.add(env.spec.gitops.argocdNamespace)
        for team_name, (team_doc, _) in sorted(platform.teams.items()):
            name = namespace(team_name, env_name, env.spec.namespaceStrategy)
            if name in reserved:
                doc = env_doc if env.spec.namespaceStrategy == "per-environment" else team_doc
                yield at(
                    doc,
                    ("metadata", "name"),
                    codes.INVALID_NAME,
                    f"namespace {name!r} in environment {env_name!r} is reserved "
                    "(Kubernetes, Argo CD or the ingress controller use it)",
                    "rename the team or environment, or change namespaceStrategy",
                )
    yield from _shared_cluster_namespaces(platform)
    crons = {s for (_, s), r in platform.resolved.items() if r.workload.type == "cron"}
    for env_name, svc in sorted(platform.resolved):
        instance = f"{svc}-{env_name}"
        service = platform.services.get(svc)
        # A name already too long on its own is reported once, by check_names.
        own_limit = CRONJOB_NAME_MAX if svc in crons else SERVICE_NAME_MAX
        if service is not None and len(svc) <= own_limit and len(instance) > DNS_LABEL_MAX:
            yield replace(
                at(
                    service[0],
                    ("metadata", "name"),
                    codes.NAME_TOO_LONG,
                    f"label app.kubernetes.io/instance {instance!r} would be "
                    f"{len(instance)} characters; label values take at most {DNS_LABEL_MAX}",
                    "shorten the service or environment name",
                ),
                environments=(env_name,),
            )
    for (env_name, _), resolved in sorted(platform.resolved.items()):
        domain = platform.environments[env_name][1].spec.baseDomain
        for index, host in enumerate(resolved.workload.expose.hosts):
            fqdn = public_host(host, domain)
            long_label = next((x for x in fqdn.split(".") if len(x) > DNS_LABEL_MAX), None)
            if long_label is not None and long_label in host.split("."):
                # Written that way: the same in every environment, so say it once.
                message = (
                    f"host label {long_label!r} is {len(long_label)} characters; "
                    f"DNS allows {DNS_LABEL_MAX}"
                )
            elif long_label is not None or len(fqdn) > 253:
                message = (
                    f"host {fqdn!r} is {len(fqdn)} characters; DNS allows "
                    f"{DNS_LABEL_MAX} per label and 253 in all"
                )
            else:
                continue
            yield at_resolved(
                resolved,
                ("expose", "hosts", index),
                codes.NAME_TOO_LONG,
                message,
                "use a shorter host name",
            )


def _shared_cluster_namespaces(platform: Platform) -> Iterator[Diagnostic]:
    """Two environments on one cluster may not render into the same namespace."""
    claimed: dict[tuple[str, str, str], str] = {}
    for env_name, (env_doc, env) in sorted(
        platform.environments.items(), key=lambda item: item[1][1].spec.order
    ):
        cluster = (env.spec.cluster.server, env.spec.cluster.name)
        for team_name in sorted(platform.teams):
            space = namespace(team_name, env_name, env.spec.namespaceStrategy)
            other = claimed.setdefault((*cluster, space), env_name)
            if other != env_name:
                yield at(
                    env_doc,
                    ("spec", "namespaceStrategy"),
                    codes.NAME_CLASH,
                    f"namespace {space!r} on cluster {cluster[1]!r} is also used by "
                    f"environment {other!r}",
                    "give the environments their own clusters, or a namespace strategy "
                    "that includes the environment (per-team-environment)",
                )
                break
