"""A synthetic platform of N services, for the benchmarks: realistic or bare.

Usage: python bench/synthetic.py [--bare] [N ...]   (default: 100 1000) times `validate`.

Realistic (the default): the bundled example platform (its teams, secrets sealed and
external, integrations, alerting policy, three environments) plus N services cloned
from the example's running services in its proportions: three web services (public
hosts, secrets in env vars, integrations, incoming webhooks, SLOs, custom alerts,
config files), a worker (outgoing webhook, event SLO), a cron job (per-environment
schedule, secret file) and a one-off job, to every six. Each group of six depends on
its own members, as the example's services do; hosts are renamed so none clash, and
images carry tags, so the clones validate without a warning.

Bare (``--bare``): N web services with ports, env references, resources, autoscaling,
probes, public hosts, a dependency each, a config file and a production override; N/20
teams with contacts, and an alerting policy with a maintenance window and a silence;
three environments with GitOps settings (so Argo CD objects are rendered too).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from generators.pipeline import validate_platform
from generators.workers import tune_gc

ENVIRONMENT = """\
apiVersion: platform/v1
kind: Environment
metadata:
  name: {name}
spec:
  cluster: {{name: {name}-1}}
  baseDomain: {name}.example.com
  order: {order}
  gitops:
    repoURL: https://github.com/acme/platform.git
  defaults:
    resources:
      requests: {{cpu: 100m, memory: 128Mi}}
"""
TEAM = """\
apiVersion: platform/v1
kind: Team
metadata:
  name: team-{i}
spec:
  owners: ["@example/team-{i}"]
  contacts:
    email: team-{i}@example.io
    webhook: {{url: "https://alerts.example.io/team-{i}"}}
"""
ALERTING = """\
apiVersion: platform/v1
kind: AlertingPolicy
metadata:
  name: policy
spec:
  fallback: team-0
  severities:
    critical: {channels: [webhook, email], repeatInterval: 1h}
    warning: {channels: [email]}
    info: {channels: [email], repeatInterval: 24h}
  environments:
    dev: {severities: {critical: {channels: [email]}}}
  email: {smarthost: "smtp.example.io:587", from: alerts@example.io}
  maintenance:
    - {name: weekly, weekdays: [sunday], times: [{start: "02:00", end: "04:00"}]}
  silences:
    - name: svc-1-migration
      environments: [production]
      matchers: ['service="svc-1"']
      startsAt: 2026-11-25
      endsAt: 2026-12-20
      createdBy: "@example/team-0"
      comment: migration
"""
SERVICE = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: svc-{i}
  team: team-{team}
  lifecycle: production
spec:
  image: ghcr.io/example/svc-{i}:1.0.0
  ports:
    - {{name: http, port: 8080}}
    - {{name: metrics, port: 9100}}
  env:
    LOG_LEVEL: info
    UPSTREAM: ${{services.svc-{dep}.url}}
  resources:
    requests: {{cpu: 200m, memory: 256Mi}}
    limits: {{cpu: "1", memory: 512Mi}}
  scaling: {{min: 2, max: 6, targetCPU: 70}}
  probes:
    readiness: {{http: {{path: /readyz}}}}
    liveness: {{http: {{path: /healthz}}}}
  expose:
    visibility: public
    hosts: [svc-{i}]
  dependsOn: [svc-{dep}]
  configFiles:
    - path: /etc/app/config.yaml
      content: |
        name: svc-{i}
        retries: 3
  environments:
    production:
      scaling: {{min: 3, max: 12}}
"""


#: The bundled example platform the realistic mode starts from.
EXAMPLE = Path(__file__).resolve().parent.parent
#: The example services cloned, in dependency order: each depends only on earlier ones.
TEMPLATES = (
    "catalog-api",
    "checkout-api",
    "web",
    "payments-worker",
    "ledger-reconcile",
    "catalog-migrate",
)
#: One env var of every clone that `one_change` edits (present in every template's env).
CHANGED = "CHANGE_ME"
#: The example's secrets carry fixed sealing and rotation dates: judged on this day, as
#: the README's command and the tests judge them, they are in date.
EXAMPLE_DAY = "2026-11-28"


def generate(root: Path, services: int, *, realistic: bool = True) -> None:
    """Write a valid platform with ``services`` services under ``root``."""
    if realistic:
        os.environ.setdefault("PLATFORM_TODAY", EXAMPLE_DAY)
        _realistic(root, services)
    else:
        _bare(root, services)


def one_change(root: Path) -> None:
    """Edit one service's env var, as a pull request would."""
    path = next(iter(sorted((root / "platform" / "services").glob("*-1.yaml"))), None)
    path = path or root / "platform" / "services" / "svc-7.yaml"
    text = path.read_text()
    for old, new in (
        (f"{CHANGED}: before", f"{CHANGED}: after"),
        ("LOG_LEVEL: info", "LOG_LEVEL: debug"),
    ):
        text = text.replace(old, new)
    path.write_text(text)


def _realistic(root: Path, services: int) -> None:
    for top in ("platform", "environments", "templates"):
        shutil.copytree(EXAMPLE / top, root / top)
    specs = {
        name: yaml.safe_load((EXAMPLE / "platform" / "services" / f"{name}.yaml").read_text())
        for name in TEMPLATES
    }
    clones: dict[str, list[str]] = {name: [] for name in TEMPLATES}
    for i in range(services):
        group, template = divmod(i, len(TEMPLATES))
        clone = _clone(specs[TEMPLATES[template]], group)
        clones[TEMPLATES[template]].append(clone["metadata"]["name"])
        path = root / "platform" / "services" / f"{clone['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(clone, sort_keys=False))
    # The example's shared broker gives each service its own login ("{service}-amqp");
    # the clones share the original's, sealed for the same name and namespace.
    for path in sorted((root / "environments").glob("*.yaml")):
        path.write_text(path.read_text().replace('"{service}-amqp"', "payments-worker-amqp"))
    # The example's budgets are for its 8 services, not for a thousand.
    for path in sorted((root / "platform" / "teams").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if data["spec"].pop("budget", None) is not None:
            path.write_text(yaml.safe_dump(data, sort_keys=False))
    # What the example grants a service by name, its clones get too.
    for kind in ("secrets", "integrations"):
        for path in sorted((root / "platform" / kind).glob("*.yaml")):
            data = yaml.safe_load(path.read_text())
            granted = data["spec"].get("access", {}).get("services")
            if granted:
                granted += [c for name in list(granted) for c in clones.get(name, [])]
                path.write_text(yaml.safe_dump(data, sort_keys=False))


def _clone(spec: dict[str, Any], group: int) -> dict[str, Any]:
    """A template service as member ``group`` of its clones: its own name, hosts, deps."""
    renamed = {name: f"{name}-{group}" for name in TEMPLATES}
    text = yaml.safe_dump(spec, sort_keys=False)
    for name in sorted(TEMPLATES, key=len, reverse=True):  # longest first: no partial hits
        text = text.replace(f"services.{name}.", f"services.{renamed[name]}.")
    out = yaml.safe_load(text)
    meta = out["metadata"]
    meta["name"] = renamed[meta["name"]]
    body = out["spec"]
    body.pop("source", None)  # one workflow per image: the clones build none
    if ":" not in body["image"].rsplit("/", 1)[-1]:
        body["image"] += ":1.0.0"  # pinned, as environments pin the originals
    for block in (body, *body.get("environments", {}).values()):
        if "dependsOn" in block:  # services by name; typed resources as they are
            block["dependsOn"] = [
                renamed.get(d, d) if isinstance(d, str) else d for d in block["dependsOn"]
            ]
    body.setdefault("env", {})[CHANGED] = "before"
    original = spec["metadata"]["name"]
    for block in (body, *body.get("environments", {}).values()):
        for patch in (block.get("patches") or {}).values():  # patches name their objects
            target = patch.get("target", {})
            if str(target.get("name", "")).startswith(original):
                target["name"] = meta["name"] + target["name"][len(original) :]
            for operation in patch.get("jsonPatch") or ():
                if operation.get("value") == original:
                    operation["value"] = meta["name"]
        hosts = block.get("expose", {}).get("hosts")
        if hosts:
            block["expose"]["hosts"] = [_host(h, group) for h in hosts]
    if meta.get("lifecycle") == "development":
        meta["lifecycle"] = "production"  # the job runs everywhere, like the others
    return out


def _host(host: str, group: int) -> str:
    label, dot, domain = host.partition(".")
    return f"{label}-{group}{dot}{domain}"


def _bare(root: Path, services: int) -> None:
    for order, name in enumerate(("dev", "staging", "production")):
        path = root / "environments" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ENVIRONMENT.format(name=name, order=order))
    teams = max(1, services // 20)
    (root / "platform" / "teams").mkdir(parents=True)
    (root / "platform" / "services").mkdir(parents=True)
    for i in range(teams):
        (root / "platform" / "teams" / f"team-{i}.yaml").write_text(TEAM.format(i=i))
    (root / "platform" / "alerting").mkdir(parents=True)
    (root / "platform" / "alerting" / "policy.yaml").write_text(ALERTING)
    for i in range(services):
        # Each service depends on a lower-numbered one: a DAG, no cycles.
        text = SERVICE.format(i=i, team=i % teams, dep=(i - 1) // 2 if i else 1)
        if i == 0:
            text = text.replace("    UPSTREAM: ${services.svc-1.url}\n", "").replace(
                "  dependsOn: [svc-1]\n", ""
            )
        (root / "platform" / "services" / f"svc-{i}.yaml").write_text(text)


def main(sizes: list[int], *, realistic: bool = True) -> None:
    """Time validation for each size and print a Markdown table row per size."""
    tune_gc()  # as the command line does
    print("| services | files | best of 3 | per service |")
    print("|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root, size, realistic=realistic)
            timings = []
            for _ in range(3):
                start = time.perf_counter()
                result = validate_platform(root)
                timings.append(time.perf_counter() - start)
            assert result.diagnostics == (), result.diagnostics[:3]
            best = min(timings)
            print(f"| {size} | {len(result.files)} | {best:.2f} s | {best / size * 1000:.2f} ms |")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([int(a) for a in args if a != "--bare"] or [100, 1000], realistic="--bare" not in args)
