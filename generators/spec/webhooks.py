"""A service's webhooks: endpoints providers call, and events it delivers to subscribers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from generators.spec.base import SecretRef, StrictModel

WebhookName = Annotated[
    str,
    Field(pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$", max_length=40, description="Webhook name."),
]


class IncomingWebhook(StrictModel):
    """An endpoint a provider calls; the platform exposes it and wires its signing secret."""

    name: WebhookName
    path: str = Field(pattern=r"^/[-._~/a-zA-Z0-9]*$", description="Exact request path.")
    provider: Literal["stripe", "github", "slack", "generic"] = Field(
        description="Who signs the requests; decides the signature scheme the code verifies."
    )
    signingSecret: SecretRef = Field(description="The secret key requests are signed with.")
    events: list[str] = Field(
        default_factory=list, description="Accepted event types; empty accepts all."
    )
    toleranceSeconds: int = Field(
        default=300,
        ge=1,
        le=3600,
        description="Replay tolerance: reject requests whose signed timestamp is older.",
    )
    signatureHeader: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9-]+$",
        description="`generic` only: header carrying the hex HMAC-SHA256 of the body.",
    )


class Retry(StrictModel):
    """Delivery retries: exponential backoff with jitter."""

    attempts: int = Field(default=5, ge=1, le=50, description="Deliveries tried in all.")
    initialDelaySeconds: int = Field(default=1, ge=1, description="Delay before the 2nd try.")
    maxDelaySeconds: int = Field(default=300, ge=1, description="Cap on any one delay.")
    multiplier: int = Field(default=2, ge=1, le=10, description="Growth factor per attempt.")
    jitter: Literal["full", "equal", "none"] = Field(
        default="full",
        description="`full`: random in [0, delay]; `equal`: delay/2 + random half; `none`.",
    )


class OutgoingWebhook(StrictModel):
    """Events the service delivers to a subscriber."""

    name: WebhookName
    url: str = Field(pattern=r"^https://\S+$", description="Subscriber endpoint (HTTPS).")
    events: list[str] = Field(min_length=1, description="Event types delivered.")
    signingSecret: SecretRef | None = Field(
        default=None, description="Key the service signs deliveries with."
    )
    retry: Retry = Field(default_factory=Retry, description="Retry policy.")
    deadLetter: str | None = Field(
        default=None,
        pattern=r"^(https|sqs|pubsub|kafka|nats)://\S+$",
        description="Where deliveries go after the last attempt fails.",
    )


class Webhooks(StrictModel):
    """Incoming endpoints and outgoing subscriptions."""

    incoming: list[IncomingWebhook] = Field(default_factory=list, description="Endpoints.")
    outgoing: list[OutgoingWebhook] = Field(default_factory=list, description="Subscriptions.")
