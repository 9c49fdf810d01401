"""A synthetic platform of N services, for the benchmarks.

Usage: python bench/synthetic.py [N ...]   (default: 100 1000) times `validate` alone.

N web services with ports, env references, resources, autoscaling, probes, public
hosts, a dependency each, a config file and a production override; N/20 teams with
contacts, and an alerting policy with a maintenance window and a silence; three
environments with GitOps settings (so Argo CD objects are rendered too).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from generators.pipeline import tune_gc, validate_platform

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


def generate(root: Path, services: int) -> None:
    """Write a valid platform with ``services`` services under ``root``."""
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


def main(sizes: list[int]) -> None:
    """Time validation for each size and print a Markdown table row per size."""
    tune_gc()  # as the command line does
    print("| services | files | best of 3 | per service |")
    print("|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root, size)
            timings = []
            for _ in range(3):
                start = time.perf_counter()
                result = validate_platform(root)
                timings.append(time.perf_counter() - start)
            assert result.diagnostics == (), result.diagnostics[:3]
            best = min(timings)
            print(f"| {size} | {len(result.files)} | {best:.2f} s | {best / size * 1000:.2f} ms |")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000])
