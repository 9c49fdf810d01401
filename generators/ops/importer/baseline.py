"""The objects the platform renders from an imported spec alone, to compare the input with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generators.errors import UsageError


def rendered(
    document: dict[str, Any],
    env: Mapping[str, str],
    init_env: Mapping[str, Mapping[str, str]],
    namespace: str,
    shown: str,
) -> dict[str, dict[str, Any]]:
    """The workload, ServiceAccount and Service (for `web`) rendered from ``document``, by kind.

    ``env`` holds the env values as the container sees them (a spec escapes `${`). The
    render is the Kubernetes target's own functions, in a neutral environment: what
    an environment adds (its default replicas or resources) is not known here.

    Raises:
        UsageError: when the mapping produced a spec the models reject (``shown`` names
            the input object).
    """
    from pydantic import ValidationError

    from generators.spec.environment import EnvironmentSpec
    from generators.spec.service import Service
    from generators.targets.context import Deployed, EnvContext
    from generators.targets.kubernetes import network, workloads

    try:
        model = Service.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise UsageError(
            message=f"{shown} cannot be written as a Service spec ({problems})",
            hint="fix the manifest, or leave this object out of the import",
        ) from None
    workload = model.spec
    deployed = Deployed(
        name=model.metadata.name,
        team=model.metadata.team,
        lifecycle=model.metadata.lifecycle,
        namespace=namespace,
        image=workload.image,
        workload=workload,
        env=tuple(sorted(env.items())),
        labels=dict(sorted(model.metadata.labels.items())),
        annotations=dict(sorted(model.metadata.annotations.items())),
        init_env={name: tuple(sorted(values.items())) for name, values in init_env.items()},
    )
    neutral = EnvironmentSpec.model_validate(
        {"cluster": {"name": "import"}, "baseDomain": "import.example", "order": 0}
    )
    context = EnvContext(name="import", spec=neutral, services=(deployed,))
    config = workloads.config_map(context, deployed)
    if workload.type == "cron":
        obj = workloads.cron_job(context, deployed, config)
    elif workload.type == "job":
        obj = workloads.job(context, deployed, config)
    else:
        obj = workloads.deployment(context, deployed, config)
    out = {obj["kind"]: obj, "ServiceAccount": workloads.service_account(context, deployed)}
    if workload.type == "web":
        out["Service"] = network.service(context, deployed)
    return out
