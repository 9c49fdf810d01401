"""The validated platform: specs indexed by kind and name, and services resolved per env."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any, TypeVar

from generators.diagnostics import Diagnostic, Location
from generators.model.layers import Layer, merge_layers, origin
from generators.source.documents import Parsed, canonical_first
from generators.source.located import KeyPath, Origin
from generators.source.pydantic_errors import validate_model
from generators.spec import StrictModel
from generators.spec.alerting import AlertingPolicy
from generators.spec.catalog import CatalogEntry
from generators.spec.environment import Environment
from generators.spec.integration import Integration
from generators.spec.secret import Secret
from generators.spec.service import Service, Workload
from generators.spec.team import Team

M = TypeVar("M", bound=StrictModel)


def no_templates(service: Parsed) -> tuple[Layer, ...]:
    """The template layers of a service: none yet (service templates arrive later)."""
    return ()


@dataclass(frozen=True, slots=True)
class Resolved:
    """One service as it runs in one environment, after merging every layer."""

    service: str
    environment: str
    workload: Workload
    layers: tuple[Layer, ...]
    #: The service's own spec file (the other layers come from elsewhere).
    service_file: str

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """Where a key path of :attr:`workload` was written."""
        return origin(self.layers, path, key).location

    def origin(self, path: KeyPath, *, key: bool = False) -> Origin:
        """Where a key path of :attr:`workload` was written, and its path in that file."""
        return origin(self.layers, path, key)


@dataclass(frozen=True)
class Platform:
    """Every readable spec of a run; what the cross-reference checks look at.

    ``documents`` holds every document with a readable envelope, valid or not, so a
    reference to a spec with its own errors is not reported as dangling as well.
    """

    documents: tuple[Parsed, ...]
    resolved: Mapping[tuple[str, str], Resolved] = field(default_factory=dict)
    #: (kind, name) of files that could not be read as a spec at all, guessed from
    #: their directory and file name, so references to them are not reported too.
    unreadable: frozenset[tuple[str, str]] = frozenset()
    #: The day rotation is judged against (injectable for tests); None skips those checks.
    today: dt.date | None = None
    #: Environment -> its sealing certificate (a sealing.Certificate), or why it is unusable.
    certificates: Mapping[str, Any] = field(default_factory=dict)

    def names(self, kind: str) -> set[str]:
        """Names of every spec of ``kind``, valid or not."""
        names = {d.name for d in self.documents if d.kind.name == kind}
        return names | {name for k, name in self.unreadable if k == kind}

    @cached_property
    def canonical(self) -> dict[tuple[str, str], Parsed]:
        """The document that counts for each (kind, name), valid or not.

        With several documents of one name, the one at ``<directory>/<name>.yaml``.
        """
        out: dict[tuple[str, str], Parsed] = {}
        for doc in sorted(self.documents, key=canonical_first):
            out.setdefault((doc.kind.name, doc.name), doc)
        return out

    def deploys(self, service: str, environment: str) -> bool:
        """Whether a service runs in an environment, by its lifecycle stage.

        planning: nowhere; retired: nowhere, except everywhere at zero replicas until its
        `retireAfter`; development: only the first environment of the promotion chain;
        staging: every environment that is not protected; production and maintenance:
        everywhere.
        """
        metadata = self.services[service][1].metadata
        stage = metadata.lifecycle
        env = self.environments[environment][1].spec
        if stage == "retired":
            return self.retiring(service)
        if stage == "planning":
            return False
        if stage == "development":
            return env.order == min(e.spec.order for _, e in self.environments.values())
        if stage == "staging":
            return not env.protected
        return True

    def retiring(self, service: str) -> bool:
        """Whether a retired service is still in its grace (`retireAfter` not reached).

        It then stays where it ran, at zero replicas; a one-off job has nothing to keep.
        """
        _, spec = self.services[service]
        after = spec.metadata.retireAfter
        if spec.metadata.lifecycle != "retired" or after is None or self.today is None:
            return False
        return self.today < after and spec.spec.type != "job"

    def valid(self, kind: str) -> list[Parsed]:
        """Valid documents of ``kind``, in file order."""
        return [d for d in self.documents if d.kind.name == kind and d.model is not None]

    @cached_property
    def services(self) -> dict[str, tuple[Parsed, Service]]:
        """Valid services by name (the first file wins on a duplicate name)."""
        return _index(self.valid("Service"), Service)

    @cached_property
    def teams(self) -> dict[str, tuple[Parsed, Team]]:
        """Valid teams by name."""
        return _index(self.valid("Team"), Team)

    @cached_property
    def environments(self) -> dict[str, tuple[Parsed, Environment]]:
        """Valid environments by name."""
        return _index(self.valid("Environment"), Environment)

    @cached_property
    def secrets(self) -> dict[str, tuple[Parsed, Secret]]:
        """Valid secrets by name."""
        return _index(self.valid("Secret"), Secret)

    @cached_property
    def integrations(self) -> dict[str, tuple[Parsed, Integration]]:
        """Valid integration instances by name."""
        return _index(self.valid("Integration"), Integration)

    @cached_property
    def alerting(self) -> tuple[Parsed, AlertingPolicy] | None:
        """The platform's alerting policy, if it has one (a second one is an error)."""
        policies = _index(self.valid("AlertingPolicy"), AlertingPolicy)
        return policies[min(policies)] if policies else None

    @cached_property
    def catalog(self) -> dict[str, tuple[Parsed, CatalogEntry]]:
        """Valid integration catalog entries by name."""
        return _index(self.valid("IntegrationCatalogEntry"), CatalogEntry)


def _index(documents: Sequence[Parsed], model: type[M]) -> dict[str, tuple[Parsed, M]]:
    out: dict[str, tuple[Parsed, M]] = {}
    # On a duplicate name, the spec at <directory>/<name>.yaml wins (the check reports
    # the others), so a stray copy never silently replaces the real spec.
    for doc in sorted(documents, key=canonical_first):
        if isinstance(doc.model, model):
            out.setdefault(doc.name, (doc, doc.model))
    return out


#: Keys of a service's spec that are not part of its workload in an environment.
SERVICE_ONLY = ("environments", "source")


def _spec_data(doc: Parsed) -> dict[str, object]:
    spec = doc.source.data.get("spec")
    if not isinstance(spec, dict):
        return {}
    return {k: v for k, v in spec.items() if k not in SERVICE_ONLY}


def build_platform(
    documents: Sequence[Parsed],
    unreadable: Iterable[tuple[str, str]] = (),
    templates: Callable[[Parsed], tuple[Layer, ...]] = no_templates,
) -> tuple[Platform, list[Diagnostic]]:
    """Index the documents and resolve every service in every environment.

    Layers, lowest first (the rule is written down in generators/model/layers.py): the
    service's template defaults (``templates``), the environment's defaults, the
    service's spec, and the service's block for the environment.
    """
    platform = Platform(documents=tuple(documents), unreadable=frozenset(unreadable))
    resolved: dict[tuple[str, str], Resolved] = {}
    found: list[Diagnostic] = []
    spec_data = {name: _spec_data(doc) for name, (doc, _) in platform.services.items()}
    for env_name, (env_doc, _) in sorted(platform.environments.items()):
        for svc_name, (svc_doc, service) in sorted(platform.services.items()):
            layers = (
                *templates(svc_doc),
                Layer(env_doc.source, ("spec", "defaults")),
                Layer(svc_doc.source, ("spec",)),
                Layer(svc_doc.source, ("spec", "environments", env_name)),
            )
            data = merge_layers(layers, drop=(*SERVICE_ONLY, "replicas"))
            workload: Workload | None = service.spec
            if data != spec_data[svc_name]:  # something above or below the spec applies
                workload, errors = validate_model(
                    Workload, data, partial(origin, layers), environment=env_name
                )
                found += errors
            if workload is not None:
                resolved[(env_name, svc_name)] = Resolved(
                    svc_name, env_name, workload, layers, svc_doc.source.file
                )
    return replace(platform, resolved=resolved), found
