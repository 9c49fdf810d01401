"""Cross-reference and consistency checks, run in order over the whole platform.

Each check is a function from the :class:`~generators.graph.Platform` to diagnostics;
:data:`CHECKS` lists them in the order they run. A new rule is a new function here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from generators import workers
from generators.checks import (
    alerting,
    ci,
    consistency,
    costs,
    delivery,
    dependencies,
    integrations,
    names,
    observability,
    plaintext,
    references,
    rotation,
    secrets,
    workloads,
)
from generators.diagnostics import Diagnostic
from generators.model.platform import Platform


class Check(Protocol):
    """One rule over the whole platform."""

    def __call__(self, platform: Platform, /) -> Iterable[Diagnostic]:
        """Return the problems this rule finds."""
        ...


CHECKS: tuple[Check, ...] = (
    references.check_duplicate_names,
    names.check_names,
    names.check_derived_name_lengths,
    references.check_owner_teams,
    references.check_dependencies,
    references.check_dependency_cycles,
    dependencies.check_resource_offers,
    dependencies.check_resource_dependencies,
    references.check_override_environments,
    references.check_image_pins,
    references.check_env_references,
    consistency.check_workload_fields,
    consistency.check_ports,
    consistency.check_config_files,
    workloads.check_mounts,
    workloads.check_init_containers,
    workloads.check_service_types,
    workloads.check_pod_metadata,
    workloads.check_image_pin_conflicts,
    delivery.check_delivery,
    delivery.check_update_fits_volumes,
    consistency.check_resources,
    consistency.check_scaling,
    consistency.check_public_hosts,
    consistency.check_promotion_order,
    consistency.check_advice,
    secrets.check_sealing_certificates,
    secrets.check_cluster_stores,
    secrets.check_secret_specs,
    secrets.check_secret_uses,
    secrets.check_team_secrets,
    secrets.check_idle_references,
    secrets.check_retired_secrets,
    rotation.check_rotation,
    integrations.check_integration_specs,
    integrations.check_service_integrations,
    integrations.check_webhooks,
    integrations.check_webhook_hosts,
    plaintext.check_plaintext,
    observability.check_monitoring,
    observability.check_generated_rules,
    alerting.check_policy,
    alerting.check_silences,
    alerting.check_reachable,
    alerting.check_alerting_secrets,
    alerting.check_webhook_urls,
    ci.check_sources,
    costs.check_plan_prices,
    costs.check_resource_prices,
    costs.check_budgets,
)


#: From this many service-environments on, the checks run in forked workers.
PARALLEL_CHECKS_FROM = 600


def run_checks(platform: Platform) -> list[Diagnostic]:
    """Run every check and collect what they find, in the order of :data:`CHECKS`.

    A large platform's checks are shared out among forked workers (each check on its
    own, the way loading shares out files); the result is the same either way.
    """
    found = None
    if len(platform.resolved) >= PARALLEL_CHECKS_FROM and workers.cores() > 1:
        found = workers.fork_map(_run, platform, range(len(CHECKS)), processes=workers.cores())
    if found is None:
        found = [_run(platform, index) for index in range(len(CHECKS))]
    return [diagnostic for diagnostics in found for diagnostic in diagnostics]


def _run(platform: Platform, index: int) -> list[Diagnostic]:
    return list(CHECKS[index](platform))
