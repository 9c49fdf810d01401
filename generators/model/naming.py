"""Names the compiler derives from spec names: namespaces, hosts, and their limits."""

from __future__ import annotations

import re

# Service objects are named after the service, so its name must be a DNS-1035 label
# (it must start with a letter): https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL_MAX = 63
#: Suffixes later targets add to a service name (Argo Rollouts canary and preview services).
RESERVED_SUFFIXES = ("-canary", "-preview")
SERVICE_NAME_MAX = DNS_LABEL_MAX - max(map(len, RESERVED_SUFFIXES))
# The CronJob controller appends an 11-character suffix to the Jobs it creates.
CRONJOB_NAME_MAX = 52


#: Namespaces the platform never renders into: Kubernetes' own.
RESERVED_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def public_host(host: str, base_domain: str) -> str:
    """The full host name: a bare label gets the environment's base domain."""
    return host if "." in host else f"{host}.{base_domain}"


def namespace(team: str, environment: str, strategy: str) -> str:
    """The namespace a team's services run in, per the environment's strategy."""
    return {
        "per-team": team,
        "per-environment": environment,
        "per-team-environment": f"{team}-{environment}",
    }[strategy]


def image_reference(image: str, pin: str | None) -> str:
    """The image a service runs.

    The environment's pin (tag or digest) replaces any tag or digest in the spec.
    """
    if pin is None:
        return image
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    return f"{name}@{pin}" if pin.startswith("sha256:") else f"{name}:{pin}"


#: A tag that reads as a version: `1.2.3`, `v1.2.3`, `7.2.4-alpine`.
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)([-+.][0-9A-Za-z.+-]*)?$")


def tag_version(tag: str | None) -> tuple[int, int, int] | None:
    """A tag's (major, minor, patch), or None for one that is not a version (a digest)."""
    match = _VERSION.match(tag or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def has_version(image: str) -> bool:
    """Whether an image reference names a tag or a digest."""
    return "@" in image or ":" in image.rsplit("/", 1)[-1]


def cluster_dns(service: str, namespace: str) -> str:
    """A Service's in-cluster DNS name."""
    return f"{service}.{namespace}.svc.cluster.local"


def config_key(path: str) -> str:
    """The ConfigMap key of a mounted file: its path, with '/' as '_' (keys are flat)."""
    return path.strip("/").replace("/", "_")


def webhook_env(name: str) -> str:
    """Env var of a webhook's signing secret: ``WEBHOOK_<NAME>_SECRET``."""
    return f"WEBHOOK_{name.upper().replace('-', '_')}_SECRET"
