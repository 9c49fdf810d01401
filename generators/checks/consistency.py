"""Checks that each service's resolved settings agree with each other and across services."""

from __future__ import annotations

from collections.abc import Iterator

from generators.checks.base import at, at_resolved, unknown
from generators.diagnostics import Diagnostic, codes
from generators.domain.cron import schedule_error
from generators.model.naming import config_key, has_version, public_host
from generators.model.platform import Platform, Resolved
from generators.model.resources import effective_resources
from generators.spec.quantity import parse_quantity


def check_workload_fields(platform: Platform) -> Iterator[Diagnostic]:
    """Fields fit the workload type: schedules for cron jobs, exposure for web services."""
    for resolved in _each(platform):
        workload = resolved.workload
        kind = workload.type
        if kind == "cron" and workload.schedule is None:
            yield at_resolved(
                resolved,
                ("type",),
                codes.WORKLOAD_MISMATCH,
                "a cron service needs `schedule`",
                'add e.g. `schedule: "0 3 * * *"` (every day at 03:00 UTC)',
            )
        elif kind != "cron" and workload.schedule is not None:
            yield at_resolved(
                resolved,
                ("schedule",),
                codes.WORKLOAD_MISMATCH,
                f"`schedule` only applies to `type: cron`, not {kind!r}",
                "remove `schedule`, or set `type: cron`",
            )
        elif workload.schedule is not None and (problem := schedule_error(workload.schedule)):
            yield at_resolved(
                resolved,
                ("schedule",),
                codes.BAD_SCHEDULE,
                f"invalid cron schedule: {problem}",
                "fields are minute (0-59), hour (0-23), day of month (1-31), month (1-12) "
                'and day of week (0-6, 0 = Sunday), e.g. "*/15 * * * *"; or a macro '
                "like @daily",
            )
        expose = workload.expose
        for index, path in enumerate(expose.paths):
            if "//" in path or "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
                yield at_resolved(
                    resolved,
                    ("expose", "paths", index),
                    codes.INVALID_VALUE,
                    f"path {path!r} has an empty, '.' or '..' segment",
                    "write the path without them; the API server rejects such Ingress paths",
                )
        if kind == "web" and not workload.ports:
            yield at_resolved(
                resolved,
                ("type",),
                codes.WORKLOAD_MISMATCH,
                "a web service needs at least one port",
                "add `ports: [{name: http, port: 8080}]`, or use `type: worker`",
            )
        if expose.visibility == "public" and kind != "web":
            yield at_resolved(
                resolved,
                ("expose", "visibility"),
                codes.WORKLOAD_MISMATCH,
                f"only web services can be public, not {kind!r}",
                "set `type: web`, or remove `expose`",
            )
        elif expose.visibility == "public" and not expose.hosts:
            yield at_resolved(
                resolved,
                ("expose", "visibility"),
                codes.WORKLOAD_MISMATCH,
                "a public service needs at least one host",
                "add `hosts: [<label>]`; a bare label gets the base domain",
            )
        elif expose.visibility == "internal" and expose.hosts and not workload.webhooks.incoming:
            yield at_resolved(
                resolved,
                ("expose", "hosts"),
                codes.WORKLOAD_MISMATCH,
                "hosts are only served for `visibility: public` (or for incoming webhooks)",
                "set `visibility: public`, or remove `hosts`",
            )


def check_ports(platform: Platform) -> Iterator[Diagnostic]:
    """Port names and numbers are unique; probes and exposure name declared ports."""
    for resolved in _each(platform):
        workload = resolved.workload
        names: dict[str, int] = {}
        numbers: dict[tuple[int, str], int] = {}
        for index, port in enumerate(workload.ports):
            if port.name in names:
                yield at_resolved(
                    resolved,
                    ("ports", index, "name"),
                    codes.PORT_CLASH,
                    f"port name {port.name!r} is used twice",
                    f"rename one of them (the other is ports[{names[port.name]}])",
                )
            names.setdefault(port.name, index)
            if (port.port, port.protocol) in numbers:
                first = numbers[(port.port, port.protocol)]
                yield at_resolved(
                    resolved,
                    ("ports", index, "port"),
                    codes.PORT_CLASH,
                    f"port {port.port}/{port.protocol} is declared twice",
                    f"give each port its own number (the other is ports[{first}])",
                )
            numbers.setdefault((port.port, port.protocol), index)
        for stage in ("liveness", "readiness", "startup"):
            probe = getattr(workload.probes, stage)
            check = probe and (probe.http or probe.tcp)
            if check and isinstance(check.port, str) and check.port not in names:
                kind = "http" if probe.http else "tcp"
                yield unknown(
                    resolved,
                    ("probes", stage, kind, "port"),
                    codes.UNKNOWN_PORT,
                    check.port,
                    names,
                    "port",
                    message=f"{stage} probe uses port {check.port!r}, which is not declared",
                )
        exposed = workload.expose.port
        udp = {p.name for p in workload.ports if p.protocol != "TCP"} | {
            p.port for p in workload.ports if p.protocol != "TCP"
        }
        if workload.expose.visibility == "public" and exposed in udp:
            yield at_resolved(
                resolved,
                ("expose", "port"),
                codes.UNKNOWN_PORT,
                f"expose.port {exposed!r} is not a TCP port; HTTP routes need TCP",
                "route a TCP port",
            )
        if isinstance(exposed, int) and exposed not in {p.port for p in workload.ports}:
            yield at_resolved(
                resolved,
                ("expose", "port"),
                codes.UNKNOWN_PORT,
                f"expose.port {exposed} is not a declared port",
                "declare it under `ports`, or name one of the declared ports",
            )
        elif isinstance(exposed, str) and exposed not in names:
            yield unknown(
                resolved,
                ("expose", "port"),
                codes.UNKNOWN_PORT,
                exposed,
                names,
                "port",
                message=f"expose.port {exposed!r} is not a declared port",
            )


def check_config_files(platform: Platform) -> Iterator[Diagnostic]:
    """Config files have distinct paths, and distinct ConfigMap keys once '/' is '_'."""
    for resolved in _each(platform):
        seen: dict[str, int] = {}
        for index, config in enumerate(resolved.workload.configFiles):
            key = config_key(config.path)
            if config.path == "/tmp" or key.startswith(".."):
                yield at_resolved(
                    resolved,
                    ("configFiles", index, "path"),
                    codes.CONFIG_FILE_CLASH,
                    f"{config.path} cannot hold a config file (/tmp is the writable "
                    "scratch directory; ConfigMap keys may not start with '..')",
                    "mount the file under its own directory, e.g. /etc/<service>/",
                )
            if key in seen:
                other = resolved.workload.configFiles[seen[key]].path
                yield at_resolved(
                    resolved,
                    ("configFiles", index, "path"),
                    codes.CONFIG_FILE_CLASH,
                    f"{config.path} clashes with {other} (both become ConfigMap key {key!r})"
                    if other != config.path
                    else f"{config.path} is mounted twice",
                    "give each config file its own path; keys replace '/' with '_'",
                )
            seen.setdefault(key, index)


def check_resources(platform: Platform) -> Iterator[Diagnostic]:
    """No request exceeds its limit once environment defaults and overrides apply."""
    for resolved in _each(platform):
        # Defaults never clash (an unset request takes its limit, an unset limit is
        # derived from its request), so a clash is always between two written values.
        requests, limits = effective_resources(resolved.workload.resources)
        for resource in ("cpu", "memory"):
            request, limit = requests[resource], limits[resource]
            if parse_quantity(request) > parse_quantity(limit):
                # Point into the service's own spec when one side is an environment
                # default: that is the file the author can change.
                paths = [("resources", side, resource) for side in ("requests", "limits")]
                path = next(
                    (p for p in paths if resolved.locate(p).file == resolved.service_file), paths[0]
                )
                other = paths[1] if path == paths[0] else paths[0]
                where = resolved.locate(other)
                yield at_resolved(
                    resolved,
                    path,
                    codes.REQUESTS_ABOVE_LIMITS,
                    f"{resource} request {request} is above its limit {limit}",
                    f"lower the request or raise the limit (the {other[1].rstrip('s')} is set "
                    f"at {where.file}:{where.line}); "
                    "Kubernetes rejects a pod whose request exceeds its limit",
                )


def check_scaling(platform: Platform) -> Iterator[Diagnostic]:
    """Autoscaling minimum is not above its maximum in any environment."""
    for resolved in _each(platform):
        scaling = resolved.workload.scaling
        low, high = (scaling.min, scaling.max) if scaling else (None, None)
        if low is not None and high is not None and low > high:
            yield at_resolved(
                resolved,
                ("scaling", "min"),
                codes.MIN_ABOVE_MAX,
                f"scaling.min {low} is above scaling.max {high}",
                "lower min or raise max",
            )


def check_public_hosts(platform: Platform) -> Iterator[Diagnostic]:
    """No two services claim the same public host and path in one environment."""
    claimed: dict[tuple[str, str, str], tuple[Resolved, int]] = {}
    for resolved in _each(platform):
        expose = resolved.workload.expose
        if expose.visibility != "public":
            continue
        domain = platform.environments[resolved.environment][1].spec.baseDomain
        for index, host in enumerate(expose.hosts):
            fqdn = public_host(host, domain)
            for path in expose.paths:
                key = (resolved.environment, fqdn, path)
                other, other_index = claimed.setdefault(key, (resolved, index))
                if other is resolved and other_index != index:
                    yield at_resolved(
                        resolved,
                        ("expose", "hosts", index),
                        codes.HOST_COLLISION,
                        f"host {host!r} is listed twice",
                        "remove the second entry",
                    )
                    break
                if other is not resolved:
                    first = other.locate(("expose", "hosts", other_index))
                    yield at_resolved(
                        resolved,
                        ("expose", "hosts", index),
                        codes.HOST_COLLISION,
                        f"host {host!r} path {path!r} is already served by "
                        f"service {other.service!r}",
                        f"pick another host or path; {other.service!r} claims it "
                        f"at {first.file}:{first.line}",
                    )


def check_promotion_order(platform: Platform) -> Iterator[Diagnostic]:
    """Each environment has its own place in the promotion chain."""
    seen: dict[int, str] = {}
    for name, (doc, env) in sorted(
        platform.environments.items(), key=lambda i: i[1][0].source.file
    ):
        order = env.spec.order
        if order in seen:
            yield at(
                doc,
                ("spec", "order"),
                codes.PROMOTION_ORDER,
                f"environments {seen[order]!r} and {name!r} share promotion order {order}",
                "give each environment its own order (e.g. dev 0, staging 1, production 2)",
            )
        seen.setdefault(order, name)


def check_advice(platform: Platform) -> Iterator[Diagnostic]:
    """Warnings: mutable tags, public hosts without TLS, web services without readiness."""
    for doc, env in platform.environments.values():
        for service, tag in env.spec.images.items():
            if tag.lower() == "latest":
                yield at(
                    doc,
                    ("spec", "images", service),
                    codes.MUTABLE_TAG,
                    f"image of {service!r} is pinned to 'latest', which changes under you",
                    "pin a version or digest so a render says exactly what runs",
                )
    for resolved in _each(platform):
        workload = resolved.workload
        if workload.image.lower().endswith(":latest"):
            yield at_resolved(
                resolved,
                ("image",),
                codes.MUTABLE_TAG,
                "image tag 'latest' changes under you",
                "drop the tag and pin a version per environment in its `images`",
            )
        security = workload.security
        if security.profile != "restricted" or not security.readOnlyRootFilesystem:
            weakened = "baseline profile" if security.profile != "restricted" else "a writable root"
            yield at_resolved(
                resolved,
                ("security",),
                codes.WEAKENED_SECURITY,
                f"pods run with {weakened}, below the restricted Pod Security Standard",
                "keep it only if the image cannot run otherwise, and say why in a comment",
            )
        env_spec = platform.environments[resolved.environment][1].spec
        deployed = resolved.service in platform.services and platform.deploys(
            resolved.service, resolved.environment
        )
        if deployed and not has_version(workload.image) and resolved.service not in env_spec.images:
            yield at_resolved(
                resolved,
                ("image",),
                codes.UNPINNED_IMAGE,
                "image has no tag here, so the cluster would pull whatever is newest",
                f"pin a tag for {resolved.service!r} under `images` in "
                f"environments/{resolved.environment}.yaml",
            )
        if workload.expose.visibility == "public" and not workload.expose.tls:
            yield at_resolved(
                resolved,
                ("expose", "tls"),
                codes.PUBLIC_WITHOUT_TLS,
                "public service is served without TLS",
                "set `tls: true` (the default)",
            )
        if workload.type == "web" and workload.probes.readiness is None:
            yield at_resolved(
                resolved,
                ("probes",),
                codes.NO_READINESS_PROBE,
                "web service has no readiness probe",
                "add `probes: {readiness: {http: {path: /readyz}}}` so traffic "
                "waits until the pod is ready",
            )


def _each(platform: Platform) -> Iterator[Resolved]:
    for key in sorted(platform.resolved):
        yield platform.resolved[key]
