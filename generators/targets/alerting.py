"""Alert routing per environment: the Alertmanager configuration Secret and the silences.

The configuration (generators/domain/alerting/config.py says why native, not
AlertmanagerConfig) goes
into the `_observability` app as the Secret the Alertmanager's `spec.configSecret`
names. The silences go to ``_silences/<env>/silences.json``, outside every environment's
directory (they are not Kubernetes objects, and Argo CD, Flux or kustomize pointed at
``<env>/`` would try to read a JSON file there as one): the list Alertmanager's API v2
and `amtool silence import` take.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from generators.domain.alerting.config import alertmanager_config
from generators.domain.alerting.routes import CONFIG_KEY, credentials
from generators.domain.alerting.silences import postable_silence
from generators.domain.layout import (
    CREDENTIALS_ANNOTATION,
    OBSERVABILITY_APP,
    SILENCES_DIR,
    app_path,
)
from generators.emit import dump
from generators.targets.base import File, Output, Target, environment_metadata
from generators.targets.context import EnvContext

#: Lists the Secrets the Alertmanager must mount (its `spec.secrets`) for the config.
MOUNTS_ANNOTATION = "platform/alertmanager-mounts"


class AlertingTarget(Target):
    """Renders the alert routing of one environment."""

    name = "alerting"

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Nothing without an alerting policy (or without services to alert on)."""
        if context.alerting is None:
            return
        yield app_path(context.name, OBSERVABILITY_APP), self.config_secret(context)
        if context.alerting.silences:
            yield f"{SILENCES_DIR}/{context.name}/silences.json", File(self.silences(context))

    def config_secret(self, context: EnvContext) -> dict[str, Any]:
        """The Alertmanager configuration, in the Secret the operator loads it from."""
        alerting = context.alerting
        assert alerting is not None
        target = context.spec.monitoring.alertmanager
        config = alertmanager_config(
            context.name, alerting.policy, alerting.teams, alerting.fallback
        )
        mounts = sorted(
            {ref.secret for ref, _, _ in credentials(alerting.policy, alerting.teams, context.name)}
        )
        meta = environment_metadata(context, target.configSecret, target.namespace)
        meta["annotations"] = {CREDENTIALS_ANNOTATION: "false"}
        if mounts:
            meta["annotations"][MOUNTS_ANNOTATION] = ",".join(mounts)
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta,
            "type": "Opaque",
            "stringData": {CONFIG_KEY: dump(config)},
        }

    def silences(self, context: EnvContext) -> str:
        """The environment's live silences as a JSON list, sorted by name."""
        alerting = context.alerting
        assert alerting is not None
        ordered = sorted(alerting.silences, key=lambda s: s.name)
        return json.dumps([postable_silence(s) for s in ordered], indent=2) + "\n"
