"""Kapitan on comparable work: `kapitan compile` of N jinja2 targets, timed (a script).

Usage: python bench/kapitan_bench.py [--kapitan PATH] [--runs R] [N ...]   (default: 1000)

Kapitan is not a dependency of this project: install it into a venv of its own
(`python3 -m venv /tmp/kapitan-venv && /tmp/kapitan-venv/bin/pip install kapitan==0.36.3`)
and pass its executable with `--kapitan` or the KAPITAN env var (default: `kapitan` on PATH).

For each N, writes in a temporary directory a Kapitan project of N targets, each with the
parameters of a realistic web service of bench/synthetic.py (name, namespace, tagged image,
replicas, ports, 8 env vars, resources, probes, a host, a dependency, an alert threshold),
compiled by `input_type: jinja2` from eight YAML templates (Deployment, Service, HPA, PDB,
NetworkPolicy, ServiceAccount, ConfigMap, PrometheusRule) into compiled/<target>/. Times
`kapitan --mp-method fork compile`, with Kapitan's default parallelism and with `-p` = the
core count: wall time of the whole process (inventory included), best of R runs, compiled/
deleted between runs, untimed. Prints a Markdown table: seconds, ms per target, files and
bytes written, Kapitan version.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMON = """\
parameters:
  team: team-0
  labels: {app.kubernetes.io/part-of: platform, app.kubernetes.io/managed-by: kapitan}
  replicas: 2
  scaling: {min: 2, max: 6, cpu: 70}
  resources:
    requests: {cpu: 200m, memory: 256Mi}
    limits: {cpu: "1", memory: 512Mi}
  probes:
    readiness: {path: /readyz, port: 8080, period: 10}
    liveness: {path: /healthz, port: 8080, period: 20}
  kapitan:
    compile: [{output_path: ., input_type: jinja2, input_paths: [templates]}]
"""
TARGET = """\
classes: [common]
parameters:
  kapitan: {{vars: {{target: svc-{i}}}}}
  name: svc-{i}
  namespace: team-{team}
  team: team-{team}
  image: {{repository: ghcr.io/example/svc-{i}, tag: 1.0.{i}}}
  replicas: 3
  ports: [{{name: http, port: 8080}}, {{name: metrics, port: 9100}}]
  env:
    LOG_LEVEL: info
    PORT: "8080"
    UPSTREAM: http://svc-{dep}.team-{dep_team}.svc:8080
    DB_HOST: svc-{i}-db.team-{team}.svc
    DB_NAME: svc_{i}
    CACHE_TTL: "300"
    FEATURE_FLAGS: checkout,search
    OTEL_SERVICE_NAME: svc-{i}
  host: svc-{i}.production.example.com
  depends_on: [svc-{dep}]
  alert: {{error_rate: 0.05, for: 5m, severity: critical}}
"""
#: Written before each template, with its apiVersion and kind.
HEAD = """\
{% set p = inventory.parameters %}
apiVersion: API
kind: KIND
metadata:
  name: {{ p.name }}
  namespace: {{ p.namespace }}
  labels:
    app.kubernetes.io/name: {{ p.name }}
{% for k, v in p.labels.items() %}
    {{ k }}: {{ v }}
{% endfor %}
"""
#: The templates, each after a `## <file> <apiVersion> <kind>` line, all reading the target's
#: `inventory.parameters` (Kapitan's jinja2 runs with trim_blocks and lstrip_blocks).
TEMPLATES = """\
## deployment.yml apps/v1 Deployment
spec:
  replicas: {{ p.replicas }}
  selector: {matchLabels: {app.kubernetes.io/name: '{{ p.name }}'}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: '{{ p.name }}'}
    spec:
      serviceAccountName: {{ p.name }}
      containers:
        - name: {{ p.name }}
          image: "{{ p.image.repository }}:{{ p.image.tag }}"
          ports:
{% for port in p.ports %}
            - {name: {{ port.name }}, containerPort: {{ port.port }}}
{% endfor %}
          env:
{% for k, v in p.env.items() %}
            - {name: {{ k }}, value: "{{ v }}"}
{% endfor %}
          envFrom: [{configMapRef: {name: '{{ p.name }}'}}]
          resources:
{% for kind, amounts in p.resources.items() %}
            {{ kind }}: {cpu: "{{ amounts.cpu }}", memory: {{ amounts.memory }}}
{% endfor %}
{% for kind, probe in p.probes.items() %}
          {{ kind }}Probe:
            httpGet: {path: {{ probe.path }}, port: {{ probe.port }}}
            periodSeconds: {{ probe.period }}
{% endfor %}
## service.yml v1 Service
spec:
  selector: {app.kubernetes.io/name: '{{ p.name }}'}
  ports:
{% for port in p.ports %}
    - {name: {{ port.name }}, port: {{ port.port }}, targetPort: {{ port.name }}}
{% endfor %}
## hpa.yml autoscaling/v2 HorizontalPodAutoscaler
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: '{{ p.name }}'}
  minReplicas: {{ p.scaling.min }}
  maxReplicas: {{ p.scaling.max }}
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: {{ p.scaling.cpu }}}}
## pdb.yml policy/v1 PodDisruptionBudget
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app.kubernetes.io/name: '{{ p.name }}'}}
## networkpolicy.yml networking.k8s.io/v1 NetworkPolicy
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: '{{ p.name }}'}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {name: ingress}}}]}]
  egress:
{% for dep in p.depends_on %}
    - to: [{podSelector: {matchLabels: {app.kubernetes.io/name: '{{ dep }}'}}}]
{% endfor %}
## serviceaccount.yml v1 ServiceAccount
## configmap.yml v1 ConfigMap
data:
  HOST: "{{ p.host }}"
  TEAM: "{{ p.team }}"
  config.yaml: |
    name: {{ p.name }}
    retries: 3
## prometheusrule.yml monitoring.coreos.com/v1 PrometheusRule
spec:
  groups:
    - name: {{ p.name }}
      rules:
        - alert: {{ p.name }}-error-rate
          expr: >-
            sum(rate(http_requests_total{service="{{ p.name }}",code=~"5.."}[5m]))
            / sum(rate(http_requests_total{service="{{ p.name }}"}[5m]))
            > {{ p.alert.error_rate }}
          for: {{ p.alert.for }}
          labels: {severity: {{ p.alert.severity }}, team: {{ p.team }}}
"""


def generate(root: Path, targets: int) -> None:
    """Write a Kapitan project of ``targets`` targets under ``root``."""
    (root / "inventory" / "classes").mkdir(parents=True)
    (root / "inventory" / "targets").mkdir()
    (root / "templates").mkdir()
    (root / "inventory" / "classes" / "common.yml").write_text(COMMON)
    parts = re.split(r"^## (\S+) (\S+) (\S+)\n", TEMPLATES, flags=re.MULTILINE)[1:]
    for name, api, kind, body in zip(*[iter(parts)] * 4, strict=True):
        head = HEAD.replace("API", api).replace("KIND", kind)
        (root / "templates" / name).write_text(head + body)
    for i in range(targets):
        dep = (i + 1) % targets
        text = TARGET.format(i=i, team=i // 20, dep=dep, dep_team=dep // 20)
        (root / "inventory" / "targets" / f"svc-{i}.yml").write_text(text)


def written(compiled: Path) -> tuple[int, int]:
    """Files and bytes under ``compiled``."""
    files = [p for p in compiled.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def best_of(command: list[str], root: Path, runs: int) -> tuple[float, int, int]:
    """Best wall time of ``runs`` runs of ``command`` in ``root``, and what the last wrote."""
    best = float("inf")
    for _ in range(runs):
        shutil.rmtree(root / "compiled", ignore_errors=True)
        start = time.perf_counter()
        done = subprocess.run(command, check=False, cwd=root, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        best = min(best, elapsed)
    return (best, *written(root / "compiled"))


def main(argv: list[str]) -> None:
    """Time every N given in ``argv`` and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kapitan", default=os.environ.get("KAPITAN", "kapitan"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep and print the project dir")
    parser.add_argument("targets", nargs="*", type=int, default=[1000])
    args = parser.parse_args(argv)
    kapitan = shutil.which(args.kapitan) or sys.exit(f"kapitan not found: {args.kapitan}")
    version = subprocess.run(
        [kapitan, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    cores = os.cpu_count() or 1
    print(f"Kapitan {version} ({kapitan}), {cores} cores, best of {args.runs}\n")
    print("| targets | command | seconds | ms/target | files | bytes | kapitan |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for n in args.targets:
        root = Path(tempfile.mkdtemp(prefix=f"kapitan-bench-{n}-"))
        generate(root, n)
        for flags in ([], ["-p", str(cores)]):
            command = [kapitan, "--mp-method", "fork", "compile", *flags]
            seconds, files, size = best_of(command, root, args.runs)
            shown = " ".join(["kapitan", *command[1:]])
            print(
                f"| {n:,} | `{shown}` | {seconds:.2f} | {1000 * seconds / n:.1f} "
                f"| {files:,} | {size:,} | {version} |",
                flush=True,
            )
        if args.keep:
            print(f"<!-- kept: {root} -->")
        else:
            shutil.rmtree(root)


if __name__ == "__main__":
    main(sys.argv[1:])
