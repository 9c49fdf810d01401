"""The rendered example is accepted by the tools that apply it.

* every built-in object validates against the Kubernetes OpenAPI schema, strictly
  (unknown fields are errors), for a pinned Kubernetes version;
* every custom resource validates against its upstream CRD schema (vendored in
  tests/crd-schemas/ with provenance and licence);
* `kubectl kustomize` builds every environment (when kubectl is installed);
* checkov's Kubernetes checks pass, except those listed in CHECKOV_SKIPS with a reason
  (when checkov is installed; .ci/run installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from generators.pipeline import render_platform

# The Kubernetes version the output must be valid for: the one patches are checked for.
from generators.targets.kubernetes.schema import KUBERNETES_VERSION
from tests.conftest import REPO, TESTS

CRD_SCHEMAS = TESTS / "crd-schemas"
CRDS = {
    ("argoproj.io/v1alpha1", "Application"): "application_argoproj.io_v1alpha1.json",
    ("argoproj.io/v1alpha1", "AppProject"): "appproject_argoproj.io_v1alpha1.json",
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "httproute_gateway.networking.k8s.io_v1.json",
    ("bitnami.com/v1alpha1", "SealedSecret"): "sealedsecret_bitnami.com_v1alpha1.json",
    ("external-secrets.io/v1", "ExternalSecret"): "externalsecret_external-secrets.io_v1.json",
    ("external-secrets.io/v1", "SecretStore"): "secretstore_external-secrets.io_v1.json",
    ("external-secrets.io/v1", "ClusterSecretStore"): (
        "clustersecretstore_external-secrets.io_v1.json"
    ),
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrule_monitoring.coreos.com_v1.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor_monitoring.coreos.com_v1.json",
    ("monitoring.coreos.com/v1", "PodMonitor"): "podmonitor_monitoring.coreos.com_v1.json",
    # Shipped with the compiler, which checks patched Rollouts against them (its README).
    ("argoproj.io/v1alpha1", "Rollout"): "../../generators/targets/kubernetes/crds/"
    "rollout_argoproj.io_v1alpha1.json",
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): "../../generators/targets/kubernetes/crds/"
    "analysistemplate_argoproj.io_v1alpha1.json",
}
#: checkov checks that do not apply, each with the reason (docs/conformance.md repeats it).
CHECKOV_SKIPS = {
    "CKV_K8S_15": "imagePullPolicy Always: each environment pins an immutable tag or digest, "
    "so IfNotPresent is as safe and spares a registry round trip per pod start",
    "CKV_K8S_43": "image digests: environments may pin tags (the example does); a tag is "
    "immutable by registry policy, and `platform validate` warns about `latest` (PL601)",
    "CKV_K8S_8": "liveness probes are the spec's choice: a restart loop is not always the "
    "right answer (the example's legacy-pricing has none on purpose)",
    "CKV_K8S_9": "readiness probes: workers, cron jobs and jobs serve no traffic; for web "
    "services `platform validate` warns (PL603)",
    "CKV_K8S_35": "secrets as env vars: the integrations' SDKs read their credentials from "
    "env vars (STRIPE_SECRET_KEY, SENTRY_DSN); the spec offers `secretFiles` for mounting "
    "instead, and each service reads only its own Secrets (RBAC where enabled)",
}
#: Per-object exceptions that follow from an explicit spec setting.
CHECKOV_SPEC_EXCEPTIONS = {
    "CKV_K8S_38": "the service sets `serviceAccountToken: true` (it calls the Kubernetes API)",
}


@cache
def objects() -> list[tuple[str, dict[str, Any]]]:
    """Every rendered object, as ``(file#kind/name, object)``."""
    result = render_platform(REPO)
    assert result.validation.errors == 0
    yaml = YAML(typ="safe", pure=False)
    return [
        (f"{path}#{obj['kind']}/{obj['metadata']['name']}", obj)
        for path, content in result.tree.items()
        if path.endswith(".yaml")  # not the silences (JSON for Alertmanager's API)
        for obj in yaml.load_all(content)
    ]


#: A typed dependency's Crossplane claim, of the platform team's own XRD (README there).
CLAIM_SCHEMA = "crossplane-claim.json"
CLAIM_LABEL = "platform/resource-type"


def is_claim(obj: dict[str, Any]) -> bool:
    """Whether an object is a managed dependency's claim (its kind is the XRD's)."""
    return CLAIM_LABEL in obj["metadata"].get("labels", {})


def test_every_kind_has_a_schema() -> None:
    kinds = {(o["apiVersion"], o["kind"]) for _, o in objects() if not is_claim(o)}
    builtin = {"networking.k8s.io", "rbac.authorization.k8s.io"}  # groups with a dot, not CRDs
    custom = {k for k in kinds if "." in (group := k[0].split("/")[0]) and group not in builtin}
    assert custom <= set(CRDS), f"vendor the CRD schema of {custom - set(CRDS)}"


def assert_valid(obj: dict[str, Any]) -> None:
    """A built-in object against the strict OpenAPI schema; a custom one against its CRD's."""
    key = (obj["apiVersion"], obj["kind"])
    if is_claim(obj):
        schema = json.loads((CRD_SCHEMAS / CLAIM_SCHEMA).read_text())
        jsonschema.Draft7Validator(schema).validate(obj)
    elif key in CRDS:
        schema = json.loads((CRD_SCHEMAS / CRDS[key]).read_text())
        jsonschema.Draft7Validator(schema).validate(obj)
    else:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(("path", "obj"), objects(), ids=[p for p, _ in objects()])
def test_object_is_valid(path: str, obj: dict[str, Any]) -> None:
    assert_valid(obj)


def test_schema_validation_catches_a_typo() -> None:
    obj = next(o for _, o in objects() if o["kind"] == "Deployment")
    broken = json.loads(json.dumps(obj))
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    app = next(o for _, o in objects() if o["kind"] == "Application")
    broken = json.loads(json.dumps(app))
    broken["spec"]["syncPolicy"]["syncOptionz"] = []
    schema = json.loads((CRD_SCHEMAS / CRDS[("argoproj.io/v1alpha1", "Application")]).read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def write_tree(target: Path, prefix: str) -> list[str]:
    result = render_platform(REPO)
    files = []
    for path, content in result.tree.items():
        if path.startswith(prefix):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(content)
            files.append(path.removeprefix(prefix))
    return files


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("env", ["dev", "staging", "production"])
def test_kubectl_kustomize_builds_every_environment(env: str, tmp_path: Path) -> None:
    files = write_tree(tmp_path, f"{env}/")
    lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:"]
    (tmp_path / env / "kustomization.yaml").write_text(
        "\n".join(lines + [f"  - {f}" for f in files]) + "\n"
    )
    built = subprocess.run(
        ["kubectl", "kustomize", str(tmp_path / env)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    documents = [d for d in YAML(typ="safe").load_all(built.stdout) if d]
    expected = [o for p, o in objects() if p.startswith(f"{env}/")]
    assert len(documents) == len(expected)


def checkov_binary() -> str | None:
    return os.environ.get("CHECKOV") or shutil.which("checkov")


def run_checkov(binary: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """checkov's Kubernetes checks on ``directory``, JSON out, the documented skips skipped."""
    return subprocess.run(
        [
            binary,
            "--framework",
            "kubernetes",
            "--directory",
            str(directory),
            "--output",
            "json",
            "--quiet",
            "--compact",
            "--skip-check",
            ",".join(sorted(CHECKOV_SKIPS)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(
    checkov_binary() is None, reason="checkov is not installed (.ci/run installs it)"
)
def test_checkov_kubernetes_checks_pass(tmp_path: Path) -> None:
    write_tree(tmp_path, "")
    binary = checkov_binary()
    assert binary is not None
    run = run_checkov(binary, tmp_path)
    report = json.loads(run.stdout) if run.stdout.strip().startswith(("{", "[")) else {}
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for r in reports
        for c in r.get("results", {}).get("failed_checks", [])
    ]
    assert run.returncode in (0, 1), run.stderr[-2000:]
    token_users = {
        f"{o['kind']}.{o['metadata']['namespace']}.{o['metadata']['name']}"
        for _, o in objects()
        if o["kind"] in ("Deployment", "CronJob", "Job")
        and _pod(o).get("automountServiceAccountToken")
    }
    allowed = {f"CKV_K8S_38 {r}" for r in token_users}
    assert [f for f in failed if f.rsplit(" (", 1)[0] not in allowed] == []
    assert token_users, "the example should exercise the serviceAccountToken exception"


def _pod(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


@pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool not installed (.ci/run installs Debian's prometheus package)",
)
def test_promtool_accepts_every_rendered_rule_group(tmp_path: Path) -> None:
    rules = [o for _, o in objects() if o["kind"] == "PrometheusRule"]
    assert rules
    for obj in rules:
        name = f"{obj['metadata']['namespace']}-{obj['metadata']['name']}.yaml"
        path = tmp_path / name
        path.write_text(json.dumps({"groups": obj["spec"]["groups"]}))  # JSON is YAML
        run = subprocess.run(
            ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stdout + run.stderr
