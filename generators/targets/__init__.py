"""Output targets, one module each, in an explicit registry (the order they render in).

Each target renders one part of what the runtime needs from the resolved model
(generators/targets/context.py): per environment through ``render``, platform-wide
files through ``render_platform`` (generators/targets/base.py).
"""

from __future__ import annotations

from generators.targets.alerting import AlertingTarget
from generators.targets.argocd import ArgoCDTarget
from generators.targets.base import File, Output, Target
from generators.targets.ci import CITarget
from generators.targets.kubernetes import KubernetesTarget
from generators.targets.monitoring import MonitoringTarget
from generators.targets.secrets import SecretsTarget

TARGETS: dict[str, Target] = {
    "kubernetes": KubernetesTarget(),
    "secrets": SecretsTarget(),
    "monitoring": MonitoringTarget(),
    "alerting": AlertingTarget(),
    "argocd": ArgoCDTarget(),
    "ci": CITarget(),
}

__all__ = ["TARGETS", "File", "Output", "Target"]
