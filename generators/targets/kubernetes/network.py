"""A service's network objects: Service, Ingress or HTTPRoute, webhook routes, policies.

The ingress NetworkPolicy admits only declared dependents (and the ingress controller
for public services and webhooks); the egress one opens what its integrations and
webhook subscribers need.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from generators.model.naming import public_host
from generators.targets.base import exposed_port, metadata, selector_labels
from generators.targets.context import Deployed, EnvContext
from generators.targets.kubernetes import rollouts

#: Private address ranges (RFC 1918): egress to the internet excludes them.
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
EGRESS_HOSTS = "platform/egress-hosts"
HTTPS = 443
#: Where API servers listen (the `kubernetes` Service's 443, or the endpoints' 6443).
API_SERVER_PORTS = (443, 6443)


def service(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """A Service with every declared port: ClusterIP, or NodePort/LoadBalancer as exposed."""
    expose = service.workload.expose
    ports = []
    for port in service.workload.ports:
        entry: dict[str, Any] = {"name": port.name, "port": port.offered}
        entry["targetPort"] = port.name
        entry["protocol"] = port.protocol
        if port.appProtocol is not None:
            entry["appProtocol"] = port.appProtocol
        if port.nodePort is not None and expose.type != "ClusterIP":
            entry["nodePort"] = port.nodePort
        ports.append(entry)
    spec: dict[str, Any] = {"type": expose.type, "selector": selector_labels(service)}
    spec["ports"] = ports
    if expose.type != "ClusterIP" and expose.externalTrafficPolicy is not None:
        spec["externalTrafficPolicy"] = expose.externalTrafficPolicy
    if expose.type == "LoadBalancer" and expose.loadBalancerSourceRanges:
        spec["loadBalancerSourceRanges"] = list(expose.loadBalancerSourceRanges)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(service, context.name, annotations=dict(expose.serviceAnnotations)),
        "spec": spec,
    }


def second_service(context: EnvContext, deployed: Deployed) -> dict[str, Any]:
    """The Service a canary or blue-green rollout points at the new version.

    A ClusterIP Service with the same ports; the Rollouts controller adds the new
    version's pod-template hash to its selector (and the stable one's to the main
    Service's) while a rollout runs. It carries the service's labels, so the
    ServiceMonitor scrapes through it and the analysis can tell the versions apart.
    """
    spec = dict(service(context, deployed)["spec"])
    spec["type"] = "ClusterIP"
    spec["ports"] = [{k: v for k, v in p.items() if k != "nodePort"} for p in spec["ports"]]
    for key in ("externalTrafficPolicy", "loadBalancerSourceRanges"):
        spec.pop(key, None)
    meta = metadata(deployed, context.name, rollouts.second_service(deployed))
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


def ingress(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """A networking.k8s.io/v1 Ingress; cert-manager issues its TLS certificate."""
    expose = service.workload.expose
    routing = context.spec.routing
    hosts = [public_host(h, context.spec.baseDomain) for h in expose.hosts]
    backend = {"service": {"name": service.name, "port": {"name": exposed_port(service)}}}
    spec: dict[str, Any] = {"ingressClassName": routing.ingressClass}
    annotations = {}
    if expose.tls:
        annotations["cert-manager.io/cluster-issuer"] = routing.clusterIssuer
        spec["tls"] = [{"hosts": hosts, "secretName": f"{service.name}-tls"}]
    spec["rules"] = [
        {
            "host": host,
            "http": {
                "paths": [
                    {"path": path, "pathType": "Prefix", "backend": backend}
                    for path in expose.paths
                ]
            },
        }
        for host in hosts
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata(service, context.name, annotations=annotations),
        "spec": spec,
    }


def http_route(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """A Gateway API HTTPRoute attached to the environment's Gateway."""
    expose = service.workload.expose
    gateway = context.spec.routing.gateway
    assert gateway is not None  # checked by validate (PL506)
    port = next(p.offered for p in service.workload.ports if p.name == exposed_port(service))
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": metadata(service, context.name),
        "spec": {
            "parentRefs": [{"name": gateway.name, "namespace": gateway.namespace}],
            "hostnames": [public_host(h, context.spec.baseDomain) for h in expose.hosts],
            "rules": [
                {
                    "matches": [
                        {"path": {"type": "PathPrefix", "value": path}} for path in expose.paths
                    ],
                    "backendRefs": _backends(service, port),
                }
            ],
        },
    }


def _backends(service: Deployed, port: int) -> list[dict[str, Any]]:
    """The route's backends; a canary's both, weighted by the Rollouts Gateway API plugin."""
    if service.workload.delivery.strategy not in ("canary", "abTest"):
        return [{"name": service.name, "port": port}]
    return [
        {"name": service.name, "port": port, "weight": 100},
        {"name": rollouts.second_service(service), "port": port, "weight": 0},
    ]


def webhook_ingress(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """An Ingress for exactly the incoming webhook paths, on the service's hosts."""
    workload = service.workload
    routing = context.spec.routing
    hosts = [public_host(h, context.spec.baseDomain) for h in workload.expose.hosts]
    backend = {"service": {"name": service.name, "port": {"name": exposed_port(service)}}}
    annotations = {}
    spec: dict[str, Any] = {"ingressClassName": routing.ingressClass}
    if workload.expose.tls:
        if workload.expose.visibility != "public":  # else the main Ingress issues it
            annotations["cert-manager.io/cluster-issuer"] = routing.clusterIssuer
        spec["tls"] = [{"hosts": hosts, "secretName": f"{service.name}-tls"}]
    paths = [
        {"path": hook.path, "pathType": "Exact", "backend": backend}
        for hook in sorted(workload.webhooks.incoming, key=lambda h: h.path)
    ]
    spec["rules"] = [{"host": host, "http": {"paths": paths}} for host in hosts]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata(
            service, context.name, f"{service.name}-webhooks", annotations=annotations
        ),
        "spec": spec,
    }


def webhook_http_route(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """An HTTPRoute for exactly the incoming webhook paths."""
    workload = service.workload
    gateway = context.spec.routing.gateway
    assert gateway is not None
    port = next(p.offered for p in workload.ports if p.name == exposed_port(service))
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": metadata(service, context.name, f"{service.name}-webhooks"),
        "spec": {
            "parentRefs": [{"name": gateway.name, "namespace": gateway.namespace}],
            "hostnames": [public_host(h, context.spec.baseDomain) for h in workload.expose.hosts],
            "rules": [
                {
                    "matches": [
                        {"path": {"type": "Exact", "value": hook.path}, "method": "POST"}
                        for hook in sorted(workload.webhooks.incoming, key=lambda h: h.path)
                    ],
                    "backendRefs": [{"name": service.name, "port": port}],  # stable only
                }
            ],
        },
    }


def network_policy(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """Deny all traffic in, except from declared dependents, on the service's ports.

    A public service also admits the ingress controller's (or gateway's) namespace; a
    NodePort or LoadBalancer Service, any address.
    """
    ports = [{"protocol": p.protocol, "port": p.port} for p in service.workload.ports]
    peers: list[dict[str, Any]] = [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": space}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
        }
        for name, space in service.dependents
    ]
    workload = service.workload
    if workload.expose.visibility == "public" or workload.webhooks.incoming:
        controller = context.spec.routing.controllerNamespace
        peers.append(
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": controller}}}
        )
    rules = [{"from": peers, "ports": ports}] if peers and ports else []
    if workload.expose.type != "ClusterIP" and ports:
        # A NodePort or LoadBalancer Service brings clients from outside the cluster,
        # often through a node's address (externalTrafficPolicy Cluster): the policy
        # cannot tell them apart, so it admits any address; the load balancer's
        # `loadBalancerSourceRanges` is where the clients are limited.
        anywhere = [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}]
        rules.append({"from": anywhere, "ports": ports})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(service, context.name),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(service)},
            "policyTypes": ["Ingress"],
            "ingress": rules,
        },
    }


def egress_policy(context: EnvContext, service: Deployed) -> dict[str, Any] | None:
    """Egress limited to DNS, its dependencies' ports and its external hosts' ports.

    Rendered for services that declare external hosts (integrations, webhook
    subscribers, typed dependencies). A NetworkPolicy cannot name hosts, so: HTTPS APIs
    (port 443) are reached on the internet, private ranges excluded; other ports
    (databases, which often sit on private addresses) and IP addresses are opened to any
    address. The hosts are listed in an annotation for review and for FQDN-aware policy
    engines. A shared instance in the cluster is reached in its namespace only (on its
    pods, given their labels); a managed one's address is known only once it exists, so
    its port is opened as an external host's is.
    A service that mounts its token also reaches the API server (443 and 6443).
    """
    if not service.egress and not service.peers:
        return None
    rules: list[dict[str, Any]] = [
        {
            "to": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                    },
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ]
    ports: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name, space, port, protocol in service.dependencies:
        ports.setdefault((name, space), []).append({"protocol": protocol, "port": port})
    for (name, space), opened in sorted(ports.items()):
        rules.append(
            {
                "to": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": space}
                        },
                        "podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
                    }
                ],
                "ports": opened,
            }
        )
    for space, selector, port in service.peers:
        peer: dict[str, Any] = {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": space}}
        }
        if selector:
            peer["podSelector"] = {"matchLabels": dict(selector)}
        rules.append({"to": [peer], "ports": [{"protocol": "TCP", "port": port}]})
    public = sorted({p for h, p in service.egress if p == HTTPS and not _is_ip(h)})
    anywhere = sorted({p for h, p in service.egress if p != HTTPS or _is_ip(h)})
    if service.workload.serviceAccountToken:
        anywhere = sorted({*anywhere, *API_SERVER_PORTS})
    if public:
        rules.append(_to_ports({"cidr": "0.0.0.0/0", "except": list(PRIVATE_RANGES)}, public))
    if anywhere:
        rules.append(_to_ports({"cidr": "0.0.0.0/0"}, anywhere))
    hosts = ", ".join(f"{host}:{port}" for host, port in service.egress if host)
    annotations = {EGRESS_HOSTS: hosts} if hosts else {}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(
            service, context.name, f"{service.name}-egress", annotations=annotations
        ),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(service)},
            "policyTypes": ["Egress"],
            "egress": rules,
        },
    }


def _to_ports(block: dict[str, Any], ports: list[int]) -> dict[str, Any]:
    return {
        "to": [{"ipBlock": block}],
        "ports": [{"protocol": "TCP", "port": port} for port in ports],
    }


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
