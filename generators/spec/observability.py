"""A service's monitoring in its spec: what to scrape, alert thresholds, custom alerts, SLOs."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import StrictModel

PromDuration = Annotated[
    str,
    Field(
        pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+$", description="A Prometheus duration: `30s`, `5m`."
    ),
]
Ratio = Annotated[float, Field(gt=0, lt=1, strict=False)]


class Metrics(StrictModel):
    """Where Prometheus scrapes the service's metrics."""

    port: str = Field(
        default="metrics", description="Name of the declared port that serves metrics."
    )
    path: str = Field(default="/metrics", pattern=r"^/", description="HTTP path.")
    interval: PromDuration = Field(default="30s", description="Scrape interval.")


class Thresholds(StrictModel):
    """Thresholds of the default alerts; each may be set per environment."""

    errorRatio: Ratio | None = Field(
        default=None, description="Web: share of 5xx responses over 5m that alerts (0.05)."
    )
    latencyP99Seconds: Annotated[float, Field(gt=0, strict=False)] | None = Field(
        default=None, description="Web: p99 request latency in seconds that alerts (1.0)."
    )
    saturation: Ratio | None = Field(
        default=None, description="CPU use as a share of the CPU limit that alerts (0.9)."
    )
    crashLoopRestarts: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Restarts within 15m that count as crash looping (3)."
    )
    notReadyFor: PromDuration | None = Field(
        default=None, description="How long pods may be not ready before alerting (15m)."
    )
    hpaAtMaxFor: PromDuration | None = Field(
        default=None, description="How long the autoscaler may sit at its maximum (30m)."
    )
    cronMissedGrace: PromDuration | None = Field(
        default=None, description="Cron: how late a run may be before it counts as missed (1h)."
    )


class CustomAlert(StrictModel):
    """An alert written in the spec, technical or business."""

    name: str = Field(
        pattern=r"^[A-Z][A-Za-z0-9]*$", description="Alert name in CamelCase, e.g. `OrdersStalled`."
    )
    expr: str = Field(min_length=1, description="PromQL condition; checked at validate time.")
    for_: PromDuration = Field(
        default="5m", alias="for", description="How long the condition must hold."
    )
    severity: Literal["critical", "warning", "info"] = Field(description="Routing severity.")
    summary: str = Field(min_length=1, description="One line for the notification title.")
    description: str = Field(default="", description="Details; may use `{{ $value }}`.")
    runbook: str | None = Field(default=None, pattern=r"^https://\S+$", description="Runbook URL.")
    business: bool = Field(
        default=False, description="A business alert (orders, payments), labelled as such."
    )


class Alerts(StrictModel):
    """Default alerts (by workload type), their thresholds, and custom alerts."""

    thresholds: Thresholds = Field(default_factory=Thresholds, description="Overrides.")
    disabled: list[str] = Field(
        default_factory=list, description="Default alerts to leave out, by name."
    )
    custom: list[CustomAlert] = Field(default_factory=list, description="Alerts of your own.")


class Events(StrictModel):
    """Good and bad events as PromQL over `{{window}}`, e.g. `sum(rate(x[{{window}}]))`."""

    errors: str = Field(min_length=1, description="Rate of bad events over `{{window}}`.")
    total: str = Field(min_length=1, description="Rate of all events over `{{window}}`.")


class SLOSpec(StrictModel):
    """A service level objective; alerts as Sloth generates them (docs/observability.md)."""

    name: str = Field(
        pattern=r"^[a-z][-a-z0-9]*$", max_length=40, description="SLO name, e.g. `availability`."
    )
    objective: Annotated[float, Field(gt=0, lt=100, strict=False)] = Field(
        description="Target percentage of good events, e.g. 99.9."
    )
    period: Literal["7d", "28d", "30d", "90d"] = Field(default="30d", description="SLO period.")
    availability: bool = Field(
        default=False,
        description="Good events: requests answered without a 5xx (from http_requests_total).",
    )
    latencySeconds: Annotated[float, Field(gt=0, strict=False)] | None = Field(
        default=None,
        description="Good events: requests faster than this (an http_request_duration_seconds "
        "bucket boundary).",
    )
    events: Events | None = Field(default=None, description="Your own good/bad event queries.")

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        given = [
            n
            for n, v in (
                ("availability", self.availability),
                ("latencySeconds", self.latencySeconds),
                ("events", self.events),
            )
            if v
        ]
        if len(given) != 1:
            raise PydanticCustomError(
                "invalid_combination",
                "an SLO needs exactly one of availability, latencySeconds or events "
                "(found {found})",
                {"found": ", ".join(given) or "none"},
            )
        return self


class Logs(StrictModel):
    """How the service logs, and how long its logs are kept."""

    format: Literal["json", "logfmt", "text"] = Field(
        default="json", description="Line format the log shipper parses (json, logfmt, text)."
    )
    retention: Literal["short", "standard", "long"] = Field(
        default="standard",
        description="Retention class; each environment says how long a class is kept.",
    )
