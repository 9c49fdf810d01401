"""A container's effective requests and limits: the defaults Kubernetes and the platform apply."""

from __future__ import annotations

from decimal import ROUND_CEILING

from generators.spec.quantity import parse_quantity
from generators.spec.service import Resources

#: Requests for a container when neither the environment nor the service sets them.
DEFAULT_REQUESTS = {"cpu": "100m", "memory": "128Mi"}
#: An omitted CPU limit is this many times the request (bursts allowed, runaways not).
CPU_LIMIT_FACTOR = 2


def effective_resources(resources: Resources) -> tuple[dict[str, str], dict[str, str]]:
    """Requests and limits with every default applied, as Kubernetes quantities.

    * a request that is not set takes its limit when that is set (as Kubernetes does),
      else :data:`DEFAULT_REQUESTS`;
    * a memory limit that is not set equals the memory request (memory cannot be
      reclaimed, so a pod never gets more than it reserved);
    * a CPU limit that is not set is :data:`CPU_LIMIT_FACTOR` times the CPU request.
    """
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    for name in ("cpu", "memory"):
        request = getattr(resources.requests, name)
        limit = getattr(resources.limits, name)
        requests[name] = str(request if request is not None else limit or DEFAULT_REQUESTS[name])
        if limit is not None:
            limits[name] = str(limit)
        elif name == "memory":
            limits[name] = requests[name]
        else:
            millicores = parse_quantity(requests[name]) * 1000 * CPU_LIMIT_FACTOR
            limits[name] = f"{int(millicores.to_integral_value(rounding=ROUND_CEILING))}m"
    return requests, limits
