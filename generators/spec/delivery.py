"""How a new version replaces the old one: `spec.delivery` (rolling, recreate, canary, ...).

Rolling and recreate are a Deployment's own strategies; canary, blue-green and A/B
render an Argo Rollouts `Rollout` instead, with the analysis that aborts and rolls back
a bad version read off the service's metrics (docs/delivery.md).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import StrictModel
from generators.spec.observability import PromDuration, Ratio

Strategy = Literal["rolling", "recreate", "canary", "blueGreen", "abTest"]
#: A count of pods, or a share of the replicas (`25%`), as Kubernetes takes them.
IntOrPercent = Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^(100|[1-9]?[0-9])%$")]
#: How long a step pauses: a duration such as `5m`, or `manual` (until promoted).
Pause = Annotated[
    str,
    Field(
        pattern=r"^(manual|[1-9][0-9]*(s|m|h))$",
        description="`manual` (wait for `kubectl argo rollouts promote`) or `30s`, `5m`, `1h`.",
    ),
]


class Rolling(StrictModel):
    """A rolling update's pace (a Deployment's `strategy.rollingUpdate`)."""

    maxSurge: IntOrPercent | None = Field(
        default=None, description="Pods above the desired count during an update (25%)."
    )
    maxUnavailable: IntOrPercent | None = Field(
        default=None,
        description="Pods below the desired count during an update (25%; 0 never runs "
        "fewer than asked).",
    )


class Step(StrictModel):
    """One canary step: exactly one of `setWeight`, `pause` or `analysis`."""

    setWeight: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="Share of traffic (or of pods, without routing) to the canary."
    )
    pause: Pause | None = Field(default=None, description="Wait: a duration, or `manual`.")
    analysis: bool | None = Field(
        default=None,
        description="`true`: run the service's analysis now and go on only if it passes.",
    )

    @model_validator(mode="after")
    def _one(self) -> Self:
        given = [n for n in ("setWeight", "pause", "analysis") if getattr(self, n) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "invalid_combination",
                "a step is exactly one of setWeight, pause or analysis (found {found})",
                {"found": ", ".join(given) or "none"},
            )
        return self


#: The default steps, built once: frozen, so every canary may share them.
DEFAULT_STEPS = (
    Step(setWeight=10),
    Step(pause="5m"),
    Step(analysis=True),
    Step(setWeight=50),
    Step(pause="5m"),
    Step(analysis=True),
)


def _default_steps() -> list[Step]:
    return list(DEFAULT_STEPS)


class Analysis(StrictModel):
    """What a canary or a preview must show to be promoted, measured in Prometheus."""

    errorRatio: Ratio | None = Field(
        default=None,
        description="Most share of 5xx responses the new version may answer with. Default: "
        "the service's `alerts.thresholds.errorRatio`, else 0.05.",
    )
    latencyP99Seconds: Annotated[float, Field(gt=0, strict=False)] | None = Field(
        default=None,
        description="Slowest p99 latency allowed. Default: the service's "
        "`alerts.thresholds.latencyP99Seconds`, else 1.0.",
    )
    interval: PromDuration = Field(default="1m", description="How often each metric is read.")
    count: Annotated[int, Field(ge=1, le=100)] = Field(
        default=5, description="How many readings an analysis takes."
    )
    failureLimit: Annotated[int, Field(ge=0)] = Field(
        default=1, description="Failed readings tolerated before the rollout aborts."
    )


class Canary(StrictModel):
    """A canary: the new version takes a growing share while the analysis holds."""

    steps: list[Step] = Field(
        default_factory=_default_steps,
        min_length=1,
        description="In order; default: 10%, 5m, analysis, 50%, 5m, analysis (then 100%).",
    )
    maxSurge: IntOrPercent = Field(default="25%", description="Extra pods while it rolls.")
    maxUnavailable: IntOrPercent = Field(default=0, description="Pods it may lack while it rolls.")


class BlueGreen(StrictModel):
    """Blue-green: the new version runs beside the old behind a preview Service."""

    autoPromotion: bool = Field(
        default=False,
        description="Switch traffic without a manual promote once the preview is ready "
        "and its analysis passed (Argo Rollouts' own default is true; ours is not).",
    )
    autoPromotionSeconds: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="With autoPromotion: wait this long after ready."
    )
    previewReplicas: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Replicas of the preview (default: as many as active)."
    )
    scaleDownDelaySeconds: Annotated[int, Field(ge=0)] = Field(
        default=30, description="How long the old version stays up after the switch."
    )
    prePromotionAnalysis: bool = Field(
        default=True, description="Analyse the preview before switching (needs metrics)."
    )
    postPromotionAnalysis: bool = Field(
        default=False, description="Analyse after switching; a failure switches back."
    )


class Match(StrictModel):
    """Which requests an A/B test sends to the new version: exactly one of header or cookie."""

    header: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")] | None = Field(
        default=None, description="A request header's name, e.g. `X-Beta`."
    )
    cookie: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = Field(
        default=None, description="A cookie's name, e.g. `beta`."
    )
    value: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,128}$")] = Field(
        description="The value that selects the new version (exactly; for a cookie behind "
        "ingress-nginx, `always`)."
    )

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.header is None) == (self.cookie is None):
            raise PydanticCustomError(
                "invalid_combination", "a match is exactly one of header or cookie"
            )
        return self


class ABTest(StrictModel):
    """An A/B test: matching requests reach the new version for a while; others never do."""

    match: Match = Field(description="The requests that see the new version.")
    duration: Annotated[str, Field(pattern=r"^[1-9][0-9]*(s|m|h)$")] = Field(
        description="How long the experiment runs, e.g. `168h` for a week."
    )
    replicas: Annotated[int, Field(ge=1)] = Field(
        default=1, description="Pods of the new version while the test runs."
    )
    then: Literal["wait", "promote"] = Field(
        default="wait",
        description="After the test: `wait` for a manual promote (or abort), or `promote` "
        "the new version to everyone.",
    )


class Delivery(StrictModel):
    """How new versions roll out; overridable per environment."""

    strategy: Strategy = Field(
        default="rolling",
        description="`rolling` (default) and `recreate`: a Deployment; `canary`, "
        "`blueGreen` and `abTest`: an Argo Rollouts Rollout (docs/delivery.md).",
    )
    rolling: Rolling = Field(default_factory=Rolling, description="For `rolling`.")
    canary: Canary = Field(default_factory=Canary, description="For `canary`.")
    blueGreen: BlueGreen = Field(default_factory=BlueGreen, description="For `blueGreen`.")
    abTest: ABTest | None = Field(default=None, description="For `abTest`: who, how long.")
    analysis: Analysis = Field(
        default_factory=Analysis,
        description="The checks a canary's `analysis` steps and a blue-green's promotion "
        "analyses run.",
    )

    @model_validator(mode="after")
    def _ab_test_given(self) -> Self:
        if self.strategy == "abTest" and self.abTest is None:
            raise PydanticCustomError(
                "invalid_combination",
                "`strategy: abTest` needs `abTest: {match: {header, value}, duration}`",
            )
        return self

    @property
    def analysed(self) -> bool:
        """Whether its rollout runs the service's analysis (and so needs its template)."""
        if self.strategy == "canary":
            return any(step.analysis for step in self.canary.steps)
        if self.strategy == "blueGreen":
            return self.blueGreen.prePromotionAnalysis or self.blueGreen.postPromotionAnalysis
        return False

    @property
    def rollout(self) -> bool:
        """Whether it renders an Argo Rollouts Rollout rather than a Deployment."""
        return self.strategy in ("canary", "blueGreen", "abTest")


#: What a service without `delivery` gets, built once (frozen, shared): building a
#: default per service and environment would cost each of them a validation.
DEFAULT_DELIVERY = Delivery()
