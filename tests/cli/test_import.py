"""`platform import`, run in-process through the real entry point."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import invoke

MANIFESTS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, namespace: shop, labels: {app: orders}}
spec:
  replicas: 2
  selector: {matchLabels: {app: orders}}
  template:
    metadata: {labels: {app: orders}}
    spec:
      nodeSelector: {pool: general}
      containers:
        - name: orders
          image: ghcr.io/example/orders:3.2.1
          ports: [{name: http, containerPort: 8080}]
          env: [{name: API_ADDR, value: "api:8080"}]
          readinessProbe: {httpGet: {path: /ready, port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec:
  selector: {app: orders}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: orders, namespace: shop}
spec: {}
"""


def manifests(tmp_path: Path, text: str = MANIFESTS) -> Path:
    path = tmp_path / "orders.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_help_has_an_example() -> None:
    result = invoke("import", "--help")
    assert result.exit_code == 0
    assert "\n  Example:\n    platform import " in result.stdout
    for flag in ("--team", "--dry-run", "--force", "--format", "--root", "--lifecycle"):
        assert flag in result.stdout


def test_a_dry_run_prints_the_specs_and_the_report_and_writes_nothing(
    base_tree: Path, tmp_path: Path
) -> None:
    result = invoke(
        "import", "--root", str(base_tree), "--team", "shop", "--dry-run", str(manifests(tmp_path))
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not (base_tree / "platform/services/orders.yaml").exists()
    out = result.stdout
    assert out.startswith("--- # platform/services/orders.yaml\n# yaml-language-server: ")
    spec = YAML(typ="safe").load(out.split("\n", 1)[1].split("\n\n", 1)[0])
    assert spec["spec"]["ports"] == [{"name": "http", "port": 8080, "servicePort": 80}]
    assert "orders -> platform/services/orders.yaml\n" in out
    assert "  Deployment/orders  spec.replicas" in out
    assert "    node-selector  Deployment: not expressible as a spec field: nodeSelector\n" in out
    assert "Not imported:\n  Ingress/orders (" in out
    assert "use expose.visibility: public with hosts (and paths)" in out
    assert out.endswith("Dry run: 1 service spec valid, nothing written.\n")


def test_an_import_writes_specs_that_validate(base_tree: Path, tmp_path: Path) -> None:
    result = invoke("import", "--root", str(base_tree), "--team", "shop", str(manifests(tmp_path)))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.endswith("Wrote 1 service spec:\n  platform/services/orders.yaml\n")
    written = (base_tree / "platform/services/orders.yaml").read_text()
    assert written.startswith("# yaml-language-server: $schema=../../schemas/service.schema.json\n")
    spec = YAML(typ="safe").load(written)
    assert spec["spec"]["dependsOn"] == ["api"]  # a service of the platform, called by name
    assert invoke("validate", "--root", str(base_tree)).exit_code == 0


def test_an_existing_spec_file_is_refused_and_nothing_is_written(
    base_tree: Path, tmp_path: Path
) -> None:
    before = (base_tree / "platform/services/api.yaml").read_text()
    two = MANIFESTS + "---\n" + MANIFESTS.split("---\n")[0].replace("orders", "api")
    result = invoke(
        "import", "--root", str(base_tree), "--team", "shop", str(manifests(tmp_path, two))
    )
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: platform/services/api.yaml exists already; nothing was written\n"
    )
    assert "--force" in result.stderr
    assert (base_tree / "platform/services/api.yaml").read_text() == before
    assert not (base_tree / "platform/services/orders.yaml").exists()


def test_force_overwrites_an_existing_spec(base_tree: Path, tmp_path: Path) -> None:
    path = manifests(tmp_path)
    assert invoke("import", "--root", str(base_tree), "--team", "shop", str(path)).exit_code == 0
    path.write_text(path.read_text().replace("orders:3.2.1", "orders:3.3.0"))
    again = invoke("import", "--root", str(base_tree), "--team", "shop", str(path))
    assert again.exit_code == 3
    result = invoke("import", "--root", str(base_tree), "--team", "shop", "--force", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    spec = YAML(typ="safe").load((base_tree / "platform/services/orders.yaml").read_text())
    assert spec["spec"]["image"] == "ghcr.io/example/orders:3.3.0"


def test_specs_that_do_not_validate_are_not_written(base_tree: Path, tmp_path: Path) -> None:
    result = invoke("import", "--root", str(base_tree), "--team", "shpo", str(manifests(tmp_path)))
    assert result.exit_code == 1
    assert "platform/services/orders.yaml:" in result.stdout
    assert "error[PL301]: unknown team 'shpo'" in result.stdout
    assert "|   team: shpo" in result.stdout  # the spec's own line, though it was not written
    assert "Did you mean 'shop'?" in result.stdout
    assert result.stdout.endswith(
        "Nothing was written: the imported specs do not validate (see above).\n"
    )
    assert not (base_tree / "platform/services/orders.yaml").exists()


def test_the_json_report(base_tree: Path, tmp_path: Path) -> None:
    result = invoke(
        "import",
        "--root",
        str(base_tree),
        "--team",
        "shop",
        "--format",
        "json",
        "--dry-run",
        str(manifests(tmp_path)),
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dryRun"] is True
    assert report["written"] == []
    assert report["errors"] == 0
    (service,) = report["services"]
    assert service["name"] == "orders"
    assert service["file"] == "platform/services/orders.yaml"
    assert service["sources"] == ["Deployment/orders", "Service/orders"]
    assert {
        "object": "Deployment/orders",
        "field": "spec.replicas",
        "to": "spec.scaling.replicas",
    } in (service["mapped"])
    assert service["patches"] == [
        {
            "name": "node-selector",
            "target": "Deployment",
            "reason": "not expressible as a spec field: nodeSelector",
        }
    ]
    assert report["notImported"][0]["object"] == "Ingress/orders"
    assert set(report["specs"]) == {"platform/services/orders.yaml"}


def test_a_json_report_of_a_write_lists_the_files(base_tree: Path, tmp_path: Path) -> None:
    result = invoke(
        "import",
        "--root",
        str(base_tree),
        "--team",
        "shop",
        "--format",
        "json",
        str(manifests(tmp_path)),
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["written"] == ["platform/services/orders.yaml"]
    assert "specs" not in report


def test_bad_input_is_an_error_with_file_and_line(base_tree: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n")
    result = invoke("import", "--root", str(base_tree), "--team", "shop", str(broken))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {broken}:5: not valid YAML: ")
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(base_tree: Path, tmp_path: Path) -> None:
    result = invoke("import", "--root", str(base_tree), str(tmp_path / "nope.yaml"))
    assert result.exit_code == 3
    assert "nope.yaml' does not exist" in result.stderr


def test_a_directory_stands_for_its_yaml_files(base_tree: Path, tmp_path: Path) -> None:
    manifests(tmp_path)
    (tmp_path / "notes.txt").write_text("not a manifest")
    result = invoke(
        "import", "--root", str(base_tree), "--team", "shop", "--dry-run", str(tmp_path)
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "orders -> platform/services/orders.yaml" in result.stdout
