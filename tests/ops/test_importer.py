"""`platform import`'s mapping: each Kubernetes field to its spec field, or to a patch."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generators.errors import UsageError
from generators.ops import importer
from generators.spec.service import Service, ServiceMetadata, ServiceSpec
from tests.conftest import copy_base

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
  labels: {app: api, tier: backend, app.kubernetes.io/part-of: web}
  annotations: {owner: team-web, deployment.kubernetes.io/revision: "7"}
  uid: 0f0e
  resourceVersion: "42"
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api, track: stable}
      annotations: {linkerd.io/inject: enabled, checksum/config: abc}
    spec:
      serviceAccountName: api
      terminationGracePeriodSeconds: 45
      securityContext: {runAsUser: 2000, runAsNonRoot: true}
      containers:
        - name: server
          image: ghcr.io/acme/api:2.1.0
          command: [/app/api]
          args: [--listen, ":8080"]
          ports:
            - {name: http, containerPort: 8080}
            - {name: admin, containerPort: 9000, protocol: TCP}
          env:
            - {name: MODE, value: production}
            - {name: TEMPLATE, value: "${HOME}/x"}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 512Mi}
          readinessProbe:
            httpGet:
              path: /ready
              port: http
              scheme: HTTPS
              httpHeaders: [{name: X-Probe, value: ready}]
            periodSeconds: 5
            failureThreshold: 2
          livenessProbe:
            tcpSocket: {port: 8080}
            initialDelaySeconds: 10
          startupProbe:
            exec: {command: [cat, /tmp/ready]}
            timeoutSeconds: 3
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: false
            capabilities: {drop: [ALL]}
status: {replicas: 3}
"""
SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: web
  annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  loadBalancerSourceRanges: [10.0.0.0/8]
  clusterIP: 10.96.0.10
  selector: {app: api}
  ports:
    - {name: http, port: 80, targetPort: http, nodePort: 30080, appProtocol: http}
    - {name: admin, port: 9000, targetPort: 9000}
"""
ACCOUNT = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: web}
automountServiceAccountToken: true
"""


def write(tmp_path: Path, *documents: str, name: str = "app.yaml") -> Path:
    path = tmp_path / name
    path.write_text("---\n".join(textwrap.dedent(d).lstrip("\n") for d in documents))
    return path


def run(tmp_path: Path, *documents: str, team: str | None = "shop") -> importer.Imports:
    return importer.import_manifests([write(tmp_path, *documents)], team=team)


def spec(imports: importer.Imports, name: str) -> dict[str, Any]:
    return YAML(typ="safe").load(imports.specs[f"platform/services/{name}.yaml"])


def rows(imports: importer.Imports, name: str) -> dict[tuple[str, str], str]:
    service = next(s for s in imports.report.services if s.name == name)
    return {(r.object, r.field): r.to for r in service.rows}


def patches(imports: importer.Imports, name: str) -> dict[str, Any]:
    return spec(imports, name)["spec"].get("patches", {})


def pod(merge: dict[str, Any]) -> dict[str, Any]:
    return merge["spec"]["template"]["spec"]


def test_a_deployment_with_its_service_is_a_web_service(tmp_path: Path) -> None:
    imports = run(tmp_path, DEPLOYMENT, SERVICE, ACCOUNT)
    doc = spec(imports, "api")
    assert doc["metadata"] == {
        "name": "api",
        "team": "shop",
        "lifecycle": "production",
        "labels": {"app": "api", "tier": "backend"},
        "annotations": {"owner": "team-web"},
    }
    body = doc["spec"]
    assert body["type"] == "web"
    assert body["image"] == "ghcr.io/acme/api:2.1.0"
    assert body["command"] == ["/app/api"]
    assert body["args"] == ["--listen", ":8080"]
    assert body["ports"] == [
        {"name": "http", "port": 8080, "servicePort": 80, "nodePort": 30080, "appProtocol": "http"},
        {"name": "admin", "port": 9000},
    ]
    assert body["env"] == {"MODE": "production", "TEMPLATE": "$${HOME}/x"}
    assert body["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    }
    assert body["scaling"] == {"replicas": 3}
    assert body["probes"] == {
        "liveness": {"tcp": {"port": 8080}, "initialDelaySeconds": 10},
        "readiness": {
            "http": {
                "path": "/ready",
                "port": "http",
                "scheme": "HTTPS",
                "headers": {"X-Probe": "ready"},
            },
            "periodSeconds": 5,
            "failureThreshold": 2,
        },
        "startup": {"exec": {"command": ["cat", "/tmp/ready"]}, "timeoutSeconds": 3},
    }
    assert body["expose"] == {
        "type": "LoadBalancer",
        "loadBalancerSourceRanges": ["10.0.0.0/8"],
        "externalTrafficPolicy": "Local",
        "serviceAnnotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"},
    }
    assert body["serviceAccountToken"] is True
    assert body["security"] == {"readOnlyRootFilesystem": False, "runAsUser": 2000}
    assert body["pod"] == {
        "labels": {"track": "stable"},
        "annotations": {"linkerd.io/inject": "enabled"},
        "terminationGracePeriodSeconds": 45,
        "containerName": "server",
    }
    assert "patches" not in body  # everything else is what the platform renders anyway
    found = rows(imports, "api")
    assert found[("Deployment/api", "spec.replicas")] == "spec.scaling.replicas"
    assert found[("Service/api", "spec.clusterIP")] == "dropped: the cluster assigns it"
    assert found[("Deployment/api", "metadata.labels.app.kubernetes.io/part-of")] == (
        "dropped: the platform sets its own"
    )
    assert found[("Deployment/api", "template.metadata.annotations.checksum/config")] == (
        "dropped: the platform writes its own checksums"
    )


def test_the_team_comes_from_the_part_of_label_without_team(tmp_path: Path) -> None:
    imports = run(tmp_path, DEPLOYMENT, team=None)
    assert spec(imports, "api")["metadata"]["team"] == "web"


def test_without_a_service_a_deployment_is_a_worker(tmp_path: Path) -> None:
    imports = run(tmp_path, DEPLOYMENT)
    body = spec(imports, "api")["spec"]
    assert body["type"] == "worker"
    assert "expose" not in body
    assert [p["name"] for p in body["ports"]] == ["http", "admin"]


def test_spec_keys_follow_the_models_field_order(tmp_path: Path) -> None:
    doc = spec(run(tmp_path, DEPLOYMENT, SERVICE, ACCOUNT), "api")
    assert list(doc) == ["apiVersion", "kind", "metadata", "spec"]
    for data, model in ((doc["metadata"], ServiceMetadata), (doc["spec"], ServiceSpec)):
        order = list(model.model_fields)
        assert list(data) == sorted(data, key=order.index)
    Service.model_validate(doc)


def test_the_output_does_not_depend_on_the_order_of_the_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = [
        write(tmp_path / "a", d, name=f"{i}.yaml")
        for i, d in enumerate((DEPLOYMENT, SERVICE, ACCOUNT))
    ]
    two = [
        write(tmp_path / "b", d, name=f"{i}.yaml")
        for i, d in enumerate((ACCOUNT, SERVICE, DEPLOYMENT))
    ]
    first = importer.import_manifests(one, team="shop").specs
    assert importer.import_manifests(list(reversed(two)), team="shop").specs == first
    combined = write(tmp_path, SERVICE, ACCOUNT, DEPLOYMENT, name="all.yaml")
    assert importer.import_manifests([combined], team="shop").specs == first


CRON = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: web}
spec:
  schedule: "0 4 * * *"
  timeZone: {zone}
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 3
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: ghcr.io/acme/report:1.0.0
              args: [--daily]
"""


def test_a_cron_job_is_cron_with_its_schedule(tmp_path: Path) -> None:
    imports = run(tmp_path, CRON.replace("{zone}", "Etc/UTC"))
    body = spec(imports, "report")["spec"]
    assert body["type"] == "cron"
    assert body["schedule"] == "0 4 * * *"
    assert body["args"] == ["--daily"]
    assert "patches" not in body  # Forbid, backoffLimit 3 and OnFailure are rendered anyway


def test_a_cron_jobs_time_zone_other_than_utc_is_a_patch(tmp_path: Path) -> None:
    imports = run(tmp_path, CRON.replace("{zone}", "Europe/Berlin"))
    assert patches(imports, "report") == {
        "time-zone": {
            "target": {"kind": "CronJob"},
            "merge": {"spec": {"timeZone": "Europe/Berlin"}},
            "reason": "the platform renders spec.timeZone otherwise (Etc/UTC)",
        }
    }


def test_a_job_is_job_and_its_other_settings_are_patches(tmp_path: Path) -> None:
    job = """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate, namespace: web}
    spec:
      backoffLimit: 3
      ttlSecondsAfterFinished: 600
      template:
        metadata:
          labels: {job-name: migrate, controller-uid: abc}
        spec:
          restartPolicy: Never
          containers:
            - name: migrate
              image: ghcr.io/acme/api:2.1.0
              command: [/app/migrate]
    """
    imports = run(tmp_path, job)
    body = spec(imports, "migrate")["spec"]
    assert body["type"] == "job"
    assert "pod" not in body  # the controller's labels are not the application's
    assert body["patches"] == {
        "ttl-seconds-after-finished": {
            "target": {"kind": "Job"},
            "merge": {"spec": {"ttlSecondsAfterFinished": 600}},
            "reason": "not expressible as a spec field: spec.ttlSecondsAfterFinished",
        }
    }


STATEFULSET = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          image: postgres:16.3
          ports: [{name: pg, containerPort: 5432}]
          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOncePod]
        storageClassName: fast
        resources: {requests: {storage: 20Gi}}
"""


def test_a_statefulsets_claim_templates_become_claims_of_a_deployment(tmp_path: Path) -> None:
    db_service = """
    apiVersion: v1
    kind: Service
    metadata: {name: db, namespace: data}
    spec:
      selector: {app: db}
      ports: [{name: pg, port: 5432}]
    """
    imports = run(tmp_path, STATEFULSET, db_service)
    body = spec(imports, "db")["spec"]
    assert body["type"] == "web"
    assert body["volumes"] == [
        {
            "name": "data",
            "path": "/var/lib/postgresql/data",
            "claim": {"size": "20Gi", "storageClass": "fast", "accessMode": "ReadWriteOncePod"},
        }
    ]
    assert "patches" not in body
    report = imports.report.services[0]
    assert any("StatefulSet becomes a Deployment" in note for note in report.notes)
    assert rows(imports, "db")[("StatefulSet/db", "spec.serviceName")] == (
        "dropped: a Deployment has no such field"
    )


CONFIG = """
apiVersion: v1
kind: ConfigMap
metadata: {name: api-config, namespace: web}
data:
  LEVEL: debug
  app.toml: |
    [server]
    port = 8080
  rules.json: "{}"
"""


def test_values_and_files_of_an_input_config_map_become_literals(tmp_path: Path) -> None:
    deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: web}
    spec:
      template:
        spec:
          containers:
            - name: api
              image: ghcr.io/acme/api:2.1.0
              envFrom: [{configMapRef: {name: api-config}, prefix: CFG_}]
              env:
                - name: LOG_LEVEL
                  valueFrom: {configMapKeyRef: {name: api-config, key: LEVEL}}
              volumeMounts:
                - {name: config, mountPath: /etc/api}
                - {name: rules, mountPath: /srv/rules.json, subPath: rules.json}
          volumes:
            - name: config
              configMap: {name: api-config, items: [{key: app.toml, path: app.toml}]}
            - {name: rules, configMap: {name: api-config}}
    """
    imports = run(tmp_path, deployment, CONFIG)
    body = spec(imports, "api")["spec"]
    assert body["env"]["LOG_LEVEL"] == "debug"
    assert body["env"]["CFG_LEVEL"] == "debug"
    assert body["configFiles"] == [
        {"path": "/etc/api/app.toml", "content": "[server]\nport = 8080\n"},
        {"path": "/srv/rules.json", "content": "{}"},
    ]
    assert "volumes" not in body
    assert "patches" not in body
    assert imports.report.skipped == ()  # the ConfigMap went into the spec
    assert "ConfigMap/api-config" in imports.report.services[0].sources


def test_volumes_the_spec_expresses(tmp_path: Path) -> None:
    deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: web}
    spec:
      template:
        spec:
          containers:
            - name: api
              image: ghcr.io/acme/api:2.1.0
              volumeMounts:
                - {name: scratch, mountPath: /tmp}
                - {name: cache, mountPath: /cache}
                - {name: data, mountPath: /data, readOnly: true}
                - {name: banners, mountPath: /etc/banners, readOnly: true}
          volumes:
            - {name: scratch, emptyDir: {}}
            - {name: cache, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
            - {name: data, persistentVolumeClaim: {claimName: api-data}}
            - name: banners
              configMap: {name: banners, optional: true, items: [{key: top, path: top.html}]}
            - {name: unused, emptyDir: {}}
    """
    imports = run(tmp_path, deployment)
    body = spec(imports, "api")["spec"]
    assert body["volumes"] == [
        {"name": "cache", "path": "/cache", "emptyDir": {"memory": True, "sizeLimit": "64Mi"}},
        {"name": "data", "path": "/data", "readOnly": True, "claim": {"claimName": "api-data"}},
        {
            "name": "banners",
            "path": "/etc/banners",
            "readOnly": True,
            "configMap": {"name": "banners", "items": {"top": "top.html"}, "optional": True},
        },
    ]
    assert "patches" not in body
    found = rows(imports, "api")
    assert found[("Deployment/api", "template.spec.volumes[scratch]")] == "the platform's own /tmp"
    assert found[("Deployment/api", "template.spec.volumes[unused]")] == (
        "dropped: no container mounts it"
    )


def test_init_containers_with_their_volumes_and_literal_env(tmp_path: Path) -> None:
    deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: web}
    spec:
      template:
        spec:
          initContainers:
            - name: seed
              image: busybox:1.36
              command: [sh, -c, cp -r /seed/. /data]
              env: [{name: TARGET, value: /data}]
              volumeMounts: [{name: data, mountPath: /data}]
              resources: {requests: {cpu: 10m}}
            - name: wait
              image: busybox:1.36
              args: [sleep, "1"]
          containers:
            - name: api
              image: ghcr.io/acme/api:2.1.0
              volumeMounts: [{name: data, mountPath: /data}]
          volumes: [{name: data, emptyDir: {}}]
    """
    body = spec(run(tmp_path, deployment), "api")["spec"]
    assert body["initContainers"] == [
        {
            "name": "seed",
            "image": "busybox:1.36",
            "command": ["sh", "-c", "cp -r /seed/. /data"],
            "env": {"TARGET": "/data"},
            "resources": {"requests": {"cpu": "10m"}},
        },
        {"name": "wait", "image": "busybox:1.36", "args": ["sleep", "1"], "volumes": []},
    ]
    assert "patches" not in body


def minimal(pod_fields: str = "", container_fields: str = "") -> str:
    pod = textwrap.indent(textwrap.dedent(pod_fields).strip("\n"), " " * 6) if pod_fields else ""
    extra = textwrap.indent(textwrap.dedent(container_fields).strip("\n"), " " * 10)
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: web}}
spec:
  template:
    spec:
{pod}
      containers:
        - name: api
          image: ghcr.io/acme/api:2.1.0
{extra if container_fields else ""}
"""


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("nodeSelector", {"disk": "ssd"}, "node-selector"),
        ("tolerations", [{"key": "dedicated", "operator": "Exists"}], "tolerations"),
        (
            "affinity",
            {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}]}},
            "affinity",
        ),
        ("hostAliases", [{"ip": "10.0.0.1", "hostnames": ["legacy"]}], "host-aliases"),
        (
            "topologySpreadConstraints",
            [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}],
            "topology-spread-constraints",
        ),
        ("hostNetwork", True, "host-network"),
        ("dnsConfig", {"options": [{"name": "ndots", "value": "2"}]}, "dns-config"),
        ("priorityClassName", "high", "priority-class-name"),
    ],
)
def test_each_pod_field_without_a_spec_field_is_a_patch_of_its_own(
    tmp_path: Path, field: str, value: Any, name: str
) -> None:
    import json

    imports = run(tmp_path, minimal(f"{field}: {json.dumps(value)}"))
    assert patches(imports, "api") == {
        name: {
            "target": {"kind": "Deployment"},
            "merge": {"spec": {"template": {"spec": {field: value}}}},
            "reason": f"not expressible as a spec field: {field}",
        }
    }
    assert rows(imports, "api")[("Deployment/api", f"template.spec.{field}")] == f"patch {name}"


def test_container_settings_below_the_platforms_are_patches(tmp_path: Path) -> None:
    imports = run(
        tmp_path,
        minimal(
            container_fields="""
            securityContext:
              privileged: true
              capabilities: {add: [NET_ADMIN], drop: [ALL]}
            lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
            """
        ),
    )
    found = patches(imports, "api")
    assert pod(found["container-security-context"]["merge"])["containers"] == [
        {
            "name": "api",
            "securityContext": {"privileged": True, "capabilities": {"add": ["NET_ADMIN"]}},
        }
    ]
    assert pod(found["container-lifecycle"]["merge"])["containers"] == [
        {"name": "api", "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}
    ]
    assert found["container-lifecycle"]["reason"] == (
        "not expressible as a spec field: containers[api].lifecycle"
    )


def test_what_the_platform_renders_anyway_is_no_patch(tmp_path: Path) -> None:
    imports = run(
        tmp_path,
        minimal(
            """
            dnsPolicy: ClusterFirst
            restartPolicy: Always
            securityContext:
              runAsNonRoot: true
              seccompProfile: {type: RuntimeDefault}
            """,
            """
            imagePullPolicy: IfNotPresent
            terminationMessagePath: /dev/termination-log
            securityContext:
              allowPrivilegeEscalation: false
              privileged: false
              readOnlyRootFilesystem: true
              runAsNonRoot: true
              capabilities: {drop: [NET_RAW]}
            """,
        ),
    )
    assert patches(imports, "api") == {}
    found = rows(imports, "api")
    assert found[("Deployment/api", "template.spec.dnsPolicy")] == "dropped: Kubernetes' default"
    assert found[("Deployment/api", "containers[api].securityContext.capabilities.drop")] == (
        "the platform drops ALL"
    )


def test_env_from_secrets_and_fields_are_patches_without_values(tmp_path: Path) -> None:
    imports = run(
        tmp_path,
        minimal(
            container_fields="""
            env:
              - {name: MODE, value: live}
              - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
              - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            """
        ),
    )
    body = spec(imports, "api")["spec"]
    assert body["env"] == {"MODE": "live"}
    assert set(body["patches"]) == {"env-from-secrets", "env-from-fields"}
    secrets = body["patches"]["env-from-secrets"]
    assert pod(secrets["merge"])["containers"] == [
        {
            "name": "api",
            "env": [
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}},
                }
            ],
        }
    ]
    assert secrets["reason"] == (
        "not expressible as a spec field: containers[api].env DB_PASSWORD (from secrets)"
    )


def test_sidecars_and_secret_volumes_are_patches(tmp_path: Path) -> None:
    deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: web}
    spec:
      template:
        spec:
          containers:
            - name: api
              image: ghcr.io/acme/api:2.1.0
              volumeMounts:
                - {name: cache, mountPath: /cache}
                - {name: certs, mountPath: /etc/certs, readOnly: true}
            - name: proxy
              image: envoyproxy/envoy:v1.30.0
              volumeMounts: [{name: cache, mountPath: /cache}]
          volumes:
            - {name: cache, emptyDir: {}}
            - {name: certs, secret: {secretName: api-tls}}
    """
    imports = run(tmp_path, deployment)
    found = patches(imports, "api")
    assert pod(found["sidecar-proxy"]["merge"]) == {
        "containers": [
            {
                "name": "proxy",
                "image": "envoyproxy/envoy:v1.30.0",
                "volumeMounts": [{"name": "vol-cache", "mountPath": "/cache"}],
            }
        ]
    }
    assert pod(found["volume-certs"]["merge"]) == {
        "volumes": [{"name": "certs", "secret": {"secretName": "api-tls"}}],
        "containers": [
            {
                "name": "api",
                "volumeMounts": [{"name": "certs", "mountPath": "/etc/certs", "readOnly": True}],
            }
        ],
    }
    assert (
        found["volume-certs"]["reason"] == "not expressible as a spec field: volume certs (secret)"
    )
    text = imports.specs["platform/services/api.yaml"]
    assert "secretName: api-tls\n" in text  # a Secret's name: the plaintext check skips it


def test_service_and_account_leftovers_are_patches_on_them(tmp_path: Path) -> None:
    service = """
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: web}
    spec:
      sessionAffinity: ClientIP
      selector: {app: api}
      ports:
        - {name: http, port: 80, targetPort: 8080}
        - {name: alt, port: 8081, targetPort: 8080}
    """
    account = """
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: api
      namespace: web
      annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/api"}
    """
    deployment = minimal("serviceAccountName: api", "ports: [{containerPort: 8080}]").replace(
        "template:\n", "template:\n    metadata: {labels: {app: api}}\n"
    )
    imports = run(tmp_path, deployment, service, account)
    body = spec(imports, "api")["spec"]
    assert body["ports"] == [{"name": "http", "port": 8080, "servicePort": 80}]
    assert body["patches"]["service-port-8081"] == {
        "target": {"kind": "Service"},
        "merge": {"spec": {"ports": [{"name": "alt", "port": 8081, "targetPort": 8080}]}},
        "reason": "not expressible as a spec field: a second Service port (8081) on 8080",
    }
    assert body["patches"]["service-session-affinity"]["merge"] == {
        "spec": {"sessionAffinity": "ClientIP"}
    }
    assert body["patches"]["account-annotations"] == {
        "target": {"kind": "ServiceAccount"},
        "merge": {
            "metadata": {
                "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api"}
            }
        },
        "reason": "not expressible as a spec field: metadata.annotations",
    }


def test_objects_it_does_not_know_are_listed_with_a_hint(tmp_path: Path) -> None:
    others = """
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: api, namespace: web}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: api, namespace: web}
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: gadget, namespace: web}
    """
    imports = run(tmp_path, DEPLOYMENT, *textwrap.dedent(others).split("---\n"))
    hints = {s.object: s.hint for s in imports.report.skipped}
    assert hints == {
        "HorizontalPodAutoscaler/api": "use scaling: {min, max, targetCPU and/or targetMemory}",
        "Ingress/api": "use expose.visibility: public with hosts (and paths)",
        "Widget/gadget": "no Service spec field describes a Widget: keep it outside",
    }
    assert [s.name for s in imports.report.services] == ["api"]


def worker(name: str, env: str) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: web}}
spec:
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: ghcr.io/acme/{name}:1.0.0
          ports: [{{name: http, containerPort: 8080}}]
          env: [{env}]
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: web}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""


def test_services_called_by_address_are_dependencies(tmp_path: Path) -> None:
    imports = run(
        tmp_path,
        worker("front", "{name: API, value: 'http://back.web.svc.cluster.local:80/v1'}"),
        worker("back", "{name: CACHE, value: 'cache'}"),
        worker("cache", "{name: NOTE, value: 'front is not an address here'}"),
    )
    assert spec(imports, "front")["spec"]["dependsOn"] == ["back"]
    assert spec(imports, "back")["spec"]["dependsOn"] == ["cache"]
    assert "dependsOn" not in spec(imports, "cache")["spec"]


def test_a_dependency_that_would_close_a_cycle_is_left_out(tmp_path: Path) -> None:
    imports = run(
        tmp_path,
        worker("one", "{name: PEER, value: 'two:80'}"),
        worker("two", "{name: PEER, value: 'one:80'}"),
    )
    assert spec(imports, "one")["spec"]["dependsOn"] == ["two"]
    assert "dependsOn" not in spec(imports, "two")["spec"]
    notes = next(s for s in imports.report.services if s.name == "two").notes
    assert any("may not form a cycle" in note for note in notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: [unclosed\n", "app.yaml:2: not valid YAML"),
        ("a: 1\na: 2\n", "app.yaml:2: not valid YAML"),
        ("- just\n- a list\n", "app.yaml:1: document 1 is not a mapping"),
        ("metadata: {name: x}\n", "app.yaml:1: not a Kubernetes object"),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {}\n",
            "app.yaml:1: Service has no `metadata.name`",
        ),
        (
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
                "spec: {template: {spec: {}}}\n"
            ),
            "app.yaml:1: Deployment/api has no containers",
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Api_1}\n",
            "app.yaml:1: Deployment/Api_1: 'Api_1' cannot be a service name",
        ),
        (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {'a' * 56}}}\n",
            "cannot be a service name",
        ),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "the input holds no workload"),
    ],
)
def test_bad_input_is_a_usage_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as caught:
        importer.import_manifests([path], team="shop")
    assert message in caught.value.message


def test_a_missing_file_and_a_missing_team_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        importer.import_manifests([tmp_path / "nope.yaml"], team="shop")
    plain = DEPLOYMENT.replace(", app.kubernetes.io/part-of: web", "")
    with pytest.raises(UsageError) as caught:
        run(tmp_path, plain, team=None)
    assert "names no owning team" in caught.value.message
    assert "--team" in caught.value.hint


def test_an_object_given_twice_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is given twice"):
        run(tmp_path, SERVICE, SERVICE)


def test_every_patch_it_writes_passes_validation(tmp_path: Path) -> None:
    busy = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: shopapi, namespace: web}
    spec:
      strategy: {type: Recreate}
      template:
        spec:
          nodeSelector: {disk: ssd}
          tolerations: [{key: dedicated, operator: Exists}]
          hostAliases: [{ip: 10.0.0.1, hostnames: [legacy]}]
          securityContext: {fsGroup: 3000}
          containers:
            - name: shopapi
              image: ghcr.io/acme/api:2.1.0
              env:
                - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
              resources: {requests: {ephemeral-storage: 1Gi}}
              lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
              volumeMounts: [{name: certs, mountPath: /etc/certs, readOnly: true}]
            - name: proxy
              image: envoyproxy/envoy:v1.30.0
              securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
          volumes:
            - {name: certs, secret: {secretName: api-tls}}
    """
    root = copy_base(tmp_path / "repo")
    outcome = importer.run_import(root, [write(tmp_path, busy)], team="shop")
    assert outcome.report.errors == 0, outcome.diagnostics
    written = YAML(typ="safe").load((root / "platform/services/shopapi.yaml").read_text())
    assert written["spec"]["delivery"] == {"strategy": "recreate"}  # a field, not a patch
    assert set(written["spec"]["patches"]) == {
        "node-selector",
        "tolerations",
        "host-aliases",
        "pod-security-context",
        "env-from-secrets",
        "container-resources",
        "container-lifecycle",
        "volume-certs",
        "sidecar-proxy",
    }


def test_a_list_unnamed_ports_and_a_service_named_otherwise(tmp_path: Path) -> None:
    listed = """
    apiVersion: v1
    kind: List
    items:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: {name: dns, namespace: infra}
        spec:
          template:
            metadata: {labels: {app: dns}}
            spec:
              containers:
                - name: dns
                  image: coredns/coredns:1.11.1
                  env: [{name: EXPAND, value: "$(HOME)/x"}]
                  ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53}]
      - apiVersion: v1
        kind: Service
        metadata: {name: dns-svc, namespace: infra}
        spec:
          selector: {app: dns}
          ports: [{port: 53, protocol: UDP}, {name: dns-tcp, port: 53, targetPort: 53}]
    """
    imports = run(tmp_path, listed)
    body = spec(imports, "dns")["spec"]
    assert body["type"] == "web"
    assert body["ports"] == [
        {"name": "udp-53", "port": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "port": 53},
    ]
    notes = imports.report.services[0].notes
    assert any("Service/dns-svc is rendered as Service/dns" in n for n in notes)
    assert any("env EXPAND expands $(...)" in n for n in notes)


def test_a_service_that_targets_no_declared_port_leaves_a_worker(tmp_path: Path) -> None:
    deployment = minimal().replace("template:\n", "template:\n    metadata: {labels: {app: api}}\n")
    service = """
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: web}
    spec:
      selector: {app: api}
      ports: [{name: web, port: 80, targetPort: web}]
    """
    imports = run(tmp_path, deployment, service)
    body = spec(imports, "api")["spec"]
    assert body["type"] == "worker"
    assert "patches" not in body
    notes = imports.report.services[0].notes
    assert any("targets 'web', which the container does not declare" in n for n in notes)
    assert any("imported as a worker" in n for n in notes)


@pytest.mark.parametrize(
    ("strategy", "delivery"),
    [
        ("{type: Recreate}", {"strategy": "recreate"}),
        (
            "{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}",
            {"rolling": {"maxSurge": 1, "maxUnavailable": 0}},
        ),
        ("{rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}", None),  # the defaults
    ],
)
def test_a_deployments_update_strategy_is_its_delivery(
    tmp_path: Path, strategy: str, delivery: dict[str, Any] | None
) -> None:
    text = DEPLOYMENT.replace("  replicas: 3\n", f"  replicas: 3\n  strategy: {strategy}\n")
    imports = run(tmp_path, text, SERVICE)
    assert spec(imports, "api")["spec"].get("delivery") == delivery
    assert not any("strategy" in str(p) for p in patches(imports, "api").values())
