"""Output targets, one module each, in an explicit registry (the order they render in)."""

from __future__ import annotations

from generators.targets.alerting import AlertingTarget
from generators.targets.argocd import ArgoCDTarget
from generators.targets.base import Output, Target
from generators.targets.kubernetes import KubernetesTarget
from generators.targets.monitoring import MonitoringTarget
from generators.targets.secrets import SecretsTarget

TARGETS: dict[str, Target] = {
    "kubernetes": KubernetesTarget(),
    "secrets": SecretsTarget(),
    "monitoring": MonitoringTarget(),
    "alerting": AlertingTarget(),
    "argocd": ArgoCDTarget(),
}

__all__ = ["TARGETS", "Output", "Target"]
