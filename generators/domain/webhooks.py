"""Webhook settings a service's code reads: how to verify each provider, and how to deliver.

The platform exposes incoming endpoints, wires their signing secrets as env vars and
writes this document (JSON, in a ConfigMap mounted at :data:`CONFIG_PATH`); the
application verifies signatures, filters events and runs deliveries with it
(docs/webhooks.md says who does what).
"""

from __future__ import annotations

from typing import Any

from generators.model.naming import webhook_env
from generators.spec.service import Workload

#: Where the settings are mounted, and the env var that names that path.
CONFIG_PATH = "/etc/platform/webhooks.json"
CONFIG_ENV = "PLATFORM_WEBHOOKS_CONFIG"

#: How each provider signs a request (from the providers' documentation).
SCHEMES: dict[str, dict[str, Any]] = {
    # https://docs.stripe.com/webhooks#verify-manually
    "stripe": {
        "signatureHeader": "Stripe-Signature",
        "format": "t=<timestamp>,v1=<hex hmac>",
        "algorithm": "hmac-sha256",
        "signedPayload": "{timestamp}.{body}",
        "timestampFrom": "signature header `t`",
        "eventTypeFrom": "body.type",
    },
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    "github": {
        "signatureHeader": "X-Hub-Signature-256",
        "format": "sha256=<hex hmac>",
        "algorithm": "hmac-sha256",
        "signedPayload": "{body}",
        "timestampFrom": None,  # GitHub signs no timestamp: deduplicate X-GitHub-Delivery
        "eventTypeFrom": "header X-GitHub-Event",
    },
    # https://api.slack.com/authentication/verifying-requests-from-slack
    "slack": {
        "signatureHeader": "X-Slack-Signature",
        "format": "v0=<hex hmac>",
        "algorithm": "hmac-sha256",
        "signedPayload": "v0:{timestamp}:{body}",
        "timestampFrom": "header X-Slack-Request-Timestamp",
        "eventTypeFrom": "body.event.type",
    },
    "generic": {
        "format": "<hex hmac>",
        "algorithm": "hmac-sha256",
        "signedPayload": "{body}",
        "timestampFrom": None,
        "eventTypeFrom": "body.type",
    },
}


#: How the service signs what it delivers (the Stripe scheme, under a neutral header).
OUTGOING_SCHEME = {
    "signatureHeader": "Webhook-Signature",
    "format": "t=<timestamp>,v1=<hex hmac>",
    "algorithm": "hmac-sha256",
    "signedPayload": "{timestamp}.{body}",
}


def webhook_settings(workload: Workload) -> dict[str, Any]:
    """The JSON document of a service's webhooks (signing secrets by env var name only)."""
    incoming = []
    for hook in workload.webhooks.incoming:
        scheme = dict(SCHEMES[hook.provider])
        if hook.signatureHeader is not None:
            scheme["signatureHeader"] = hook.signatureHeader
        incoming.append(
            {
                "name": hook.name,
                "path": hook.path,
                "provider": hook.provider,
                "signature": scheme,
                "secretEnv": webhook_env(hook.name),
                "events": sorted(hook.events),
                "toleranceSeconds": hook.toleranceSeconds,
            }
        )
    outgoing = []
    for out in workload.webhooks.outgoing:
        retry = out.retry
        outgoing.append(
            {
                "name": out.name,
                "url": out.url,
                "events": sorted(out.events),
                "secretEnv": webhook_env(out.name) if out.signingSecret else None,
                "signature": OUTGOING_SCHEME if out.signingSecret else None,
                "retry": {
                    "attempts": retry.attempts,
                    "initialDelaySeconds": retry.initialDelaySeconds,
                    "maxDelaySeconds": retry.maxDelaySeconds,
                    "multiplier": retry.multiplier,
                    "jitter": retry.jitter,
                },
                "deadLetter": out.deadLetter,
            }
        )
    return {"version": 1, "incoming": incoming, "outgoing": outgoing}
