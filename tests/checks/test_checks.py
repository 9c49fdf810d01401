"""Cross-reference and consistency checks beyond the one-mistake corpus."""

from __future__ import annotations

from pathlib import Path

from generators import pipeline
from generators.checks.references import find_cycles
from tests.conftest import build_tree

SERVICE = """
apiVersion: platform/v1
kind: Service
metadata:
  name: {name}
  team: shop
spec:
  type: worker
  image: ghcr.io/example/{name}:1.0.0
{extra}
"""


def service(name: str, extra: str = "") -> str:
    return SERVICE.format(name=name, extra=extra)


def found(root: Path) -> list[tuple[str, str, int, str, tuple[str, ...]]]:
    result = pipeline.validate_platform(root)
    return [
        (d.code.id, d.location.file, d.location.line, d.message, d.environments)
        for d in result.diagnostics
    ]


def test_find_cycles_is_iterative_and_canonical() -> None:
    chain = {f"s{i}": [f"s{i + 1}"] for i in range(5000)}
    chain["s5000"] = ["s0"]
    (cycle,) = find_cycles(chain)
    assert cycle[0] == "s0"
    assert len(cycle) == 5001
    assert find_cycles({"b": ["c"], "c": ["a"], "a": ["b"], "d": ["d"]}) == [("a", "b", "c")]


def test_schema_error_does_not_hide_reference_errors(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/q.yaml": service(
                "q",
                "  dependsOn: [apii]\n  environments:\n    prd: {}\n",
            ).replace("team: shop", "team: shp\n  lifecycle: prod")
        },
    )
    assert [(c, line) for c, _, line, _, _ in found(base_tree)] == [
        ("PL301", 5),
        ("PL204", 6),
        ("PL302", 10),
        ("PL303", 12),
    ]


def test_override_dependencies_are_checked_and_cycles_named_by_environment(
    base_tree: Path,
) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/a.yaml": service("a", "  dependsOn: [b]\n"),
            "platform/services/b.yaml": service(
                "b",
                "  environments:\n    dev:\n      dependsOn: [a, nope, a]\n",
            ),
        },
    )
    assert found(base_tree) == [
        # Reported at the cycle's first edge, a → b, which the spec of a declares.
        ("PL304", "platform/services/a.yaml", 9, "dependency cycle: a → b → a", ("dev",)),
        ("PL302", "platform/services/b.yaml", 11, "unknown service 'nope'", ()),
        ("PL310", "platform/services/b.yaml", 11, "'a' is listed twice", ()),
    ]


def test_undeclared_dependency_follows_each_environment(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/c.yaml": service(
                "c",
                "  env:\n    A: ${services.api.url}\n"
                "  environments:\n    dev:\n      dependsOn: [api]\n",
            )
        },
    )
    assert found(base_tree) == [
        (
            "PL308",
            "platform/services/c.yaml",
            10,
            "${services.api.url} uses service 'api', which dependsOn does not list",
            ("production",),
        )
    ]


def test_self_reference_is_reported_without_advice_to_depend_on_itself(
    base_tree: Path,
) -> None:
    build_tree(
        base_tree, {"platform/services/c.yaml": service("c", "  env:\n    A: ${services.c.url}\n")}
    )
    assert [(c, m) for c, _, _, m, _ in found(base_tree)] == [
        ("PL307", "${services.c.url} refers to the service itself")
    ]


def test_reference_in_block_scalar_is_located_on_its_line(base_tree: Path) -> None:
    extra = "  env:\n    A: |\n      first line\n      then ${services.nope.url}\n"
    build_tree(base_tree, {"platform/services/c.yaml": service("c", extra)})
    result = pipeline.validate_platform(base_tree)
    (problem,) = result.diagnostics
    assert (problem.location.line, problem.location.col) == (12, 12)


def test_aliased_override_reports_each_mistake_once(base_tree: Path) -> None:
    extra = (
        "  environments:\n    dev: &o\n      env: {A: '${services.nope.url}'}\n    production: *o\n"
    )
    build_tree(base_tree, {"platform/services/c.yaml": service("c", extra)})
    assert [c for c, *_ in found(base_tree)] == ["PL302"]


def test_cron_name_limit_applies_when_any_environment_runs_it_as_cron(base_tree: Path) -> None:
    name = "n" * 54
    extra = "  environments:\n    dev: {type: cron, schedule: '@daily'}\n"
    build_tree(base_tree, {f"platform/services/{name}.yaml": service(name, extra)})
    assert [(c, m) for c, _, _, m, _ in found(base_tree)] == [
        ("PL402", f"Service name '{name}' is 54 characters; the limit is 52")
    ]


def test_latest_tag_warns_in_the_image_too(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {"platform/services/c.yaml": service("c").replace(":1.0.0", ":latest")},
    )
    assert [c for c, *_ in found(base_tree)] == ["PL601"]


def test_expose_port_by_number(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    text = api.read_text().replace("hosts: [api]", "hosts: [api]\n    port: 8080")
    api.write_text(text)
    assert found(base_tree) == []
    api.write_text(text.replace("hosts: [api]\n    port: 8080", "hosts: [api]\n    port: 9999"))
    assert [c for c, *_ in found(base_tree)] == ["PL507"]


def test_huge_cpu_request_without_limit_is_fine(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {"platform/services/c.yaml": service("c", "  resources:\n    requests: {cpu: '1e3'}\n")},
    )
    assert found(base_tree) == []


def test_env_var_name_error_points_at_the_key(base_tree: Path) -> None:
    build_tree(base_tree, {"platform/services/c.yaml": service("c", "  env:\n    1BAD: x\n")})
    result = pipeline.validate_platform(base_tree)
    (problem,) = result.diagnostics
    assert (problem.code.id, problem.location.line, problem.location.col) == ("PL204", 10, 5)
    assert problem.message == "'1BAD' is not a valid name here"


def test_host_listed_twice_in_one_service(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    api.write_text(api.read_text().replace("hosts: [api]", "hosts: [api, api]"))
    assert [(c, m) for c, _, _, m, _ in found(base_tree)] == [
        ("PL502", "host 'api' is listed twice")
    ]


def test_reserved_namespaces_are_refused(base_tree: Path) -> None:
    prod = base_tree / "environments/production.yaml"
    prod.write_text(prod.read_text() + "  namespaceStrategy: per-team\n")
    build_tree(
        base_tree,
        {
            "platform/teams/kube-system.yaml": "apiVersion: platform/v1\nkind: Team\n"
            "metadata:\n  name: kube-system\nspec:\n  owners: ['@x/y']\n"
        },
    )
    assert [(c, m) for c, _, _, m, _ in found(base_tree)] == [
        (
            "PL401",
            (
                "namespace 'kube-system' in environment 'production' is reserved "
                "(Kubernetes, Argo CD or the ingress controller use it)"
            ),
        )
    ]


def test_a_worker_cannot_be_reached_by_reference(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/c.yaml": service(
                "c", "  env:\n    W: ${services.worker.host}\n  dependsOn: [worker]\n"
            )
        },
    )
    assert [m for c, _, _, m, _ in found(base_tree)] == [
        "${services.worker.host} cannot resolve: 'worker' is a worker, with no Service"
    ]


def test_route_paths_and_config_paths_the_api_server_rejects(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    api.write_text(api.read_text().replace("hosts: [api]", "hosts: [api]\n    paths: [/a//b]"))
    build_tree(
        base_tree,
        {
            "platform/services/c.yaml": service(
                "c", "  configFiles:\n    - {path: /tmp, content: x}\n"
            )
        },
    )
    assert [c for c, *_ in found(base_tree)] == ["PL204", "PL510"]


def test_environments_sharing_a_cluster_need_their_own_namespaces(base_tree: Path) -> None:
    prod = base_tree / "environments/production.yaml"
    prod.write_text(
        prod.read_text().replace("name: prod-1", "name: dev-1") + "  namespaceStrategy: per-team\n"
    )
    dev = base_tree / "environments/dev.yaml"
    dev.write_text(dev.read_text() + "  namespaceStrategy: per-team\n")
    # (The dev values, sealed for shop-dev, no longer open in `shop`: PL707, checked apart.)
    assert [(c, f, m) for c, f, _, m, _ in found(base_tree) if c != "PL707"] == [
        (
            "PL403",
            "environments/production.yaml",
            "namespace 'shop' on cluster 'dev-1' is also used by environment 'dev'",
        )
    ]
