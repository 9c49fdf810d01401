"""Bad answers to a service template: located, fix-hinting diagnostics, and nothing rendered."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from generators.diagnostics import Diagnostic, Location
from generators.errors import UsageError
from generators.ops import scaffold as sc
from generators.pipeline import validate_platform
from tests.conftest import BASE, REPO, build_tree

TEMPLATES = REPO / sc.TEMPLATES_DIR


@cache
def facts() -> sc.PlatformFacts:
    return sc.facts_from(validate_platform(BASE).platform)


def refused(template: str, raw: sc.RawAnswers) -> list[Diagnostic]:
    result = sc.scaffold(sc.load_template(TEMPLATES, template), raw, facts())
    assert not result.ok
    assert result.specs == {}
    assert result.skeleton == {}
    return list(result.diagnostics)


def from_file(tmp_path: Path, text: str) -> sc.RawAnswers:
    build_tree(tmp_path, {"answers.yaml": text})
    raw, problems = sc.answers_from_file(tmp_path / "answers.yaml", "answers.yaml")
    assert problems == []
    assert raw is not None
    return raw


def test_a_name_clash_points_at_the_argument_and_the_existing_spec() -> None:
    [problem] = refused("go-api", sc.answers_from_set(["team=shop", "name=api"]))
    assert (problem.code.id, problem.location) == ("PL305", Location("--set", 2, 6))
    assert problem.message == "a service named 'api' exists already"
    assert "platform/services/api.yaml defines 'api'" in problem.hint


def test_an_unknown_team_in_a_file_is_located_with_did_you_mean(tmp_path: Path) -> None:
    raw = from_file(tmp_path, "name: orders\nteam: shopp\n")
    [problem] = refused("go-api", raw)
    assert (problem.code.id, problem.location) == ("PL301", Location("answers.yaml", 2, 7))
    assert problem.hint.startswith("Did you mean 'shop'?")


def test_a_bad_quantity() -> None:
    [problem] = refused("worker", sc.answers_from_set(["name=mailer", "team=shop", "memory=12 GB"]))
    assert (problem.code.id, problem.key_path) == ("PL505", "memory")
    assert "512Mi" in problem.hint


def test_an_unknown_integration_is_located_at_its_item(tmp_path: Path) -> None:
    raw = from_file(tmp_path, "name: orders\nteam: shop\nintegrations:\n  - stripe\n  - strype\n")
    [problem] = refused("go-api", raw)
    assert (problem.code.id, problem.location) == ("PL712", Location("answers.yaml", 5, 5))
    assert problem.key_path == "integrations[1]"
    assert problem.hint.startswith("Did you mean 'stripe'?")


def test_a_wrong_type_in_a_file(tmp_path: Path) -> None:
    raw = from_file(tmp_path, "name: orders\nteam: shop\nport: eighty\npublic: yes\n")
    problems = refused("go-api", raw)
    assert [(p.code.id, p.key_path, p.location.line) for p in problems] == [
        ("PL203", "port", 3),
        ("PL203", "public", 4),
    ]
    assert problems[0].message == "expected an integer, got a string"
    assert problems[1].hint == "Write true or false"


def test_a_wrong_type_on_the_command_line() -> None:
    [problem] = refused("go-api", sc.answers_from_set(["name=orders", "team=shop", "port=80a"]))
    assert (problem.code.id, problem.location) == ("PL203", Location("--set", 3, 6))


def test_an_unknown_parameter_suggests_the_right_one() -> None:
    [problem] = refused("go-api", sc.answers_from_set(["name=orders", "team=shop", "prot=80"]))
    assert (problem.code.id, problem.location.col) == ("PL201", 1)
    assert problem.hint == "Did you mean 'port'?"


def test_production_is_not_where_a_service_starts() -> None:
    problems = refused(
        "nextjs", sc.answers_from_set(["name=web", "team=shop", "environments=dev,production"])
    )
    assert [p.code.id for p in problems] == ["PL204"]
    assert "production is a later, explicit promotion" in problems[0].hint


def test_an_unknown_environment_and_dependency(tmp_path: Path) -> None:
    raw = from_file(
        tmp_path, "name: web\nteam: shop\nenvironments: [dve]\ndependencies: [api, nightly, apx]\n"
    )
    problems = refused("nextjs", raw)
    assert [(p.code.id, p.key_path) for p in problems] == [
        ("PL303", "environments[0]"),
        ("PL204", "dependencies[1]"),
        ("PL302", "dependencies[2]"),
    ]
    assert problems[0].hint == "Did you mean 'dev'?"
    assert problems[2].hint == "Did you mean 'api'?"


def test_missing_and_invalid_names() -> None:
    problems = refused("database", sc.answers_from_set(["team=shop"]))
    assert [(p.code.id, p.key_path) for p in problems] == [("PL202", "name")]
    assert problems[0].hint.startswith("Add --set name=")
    problems = refused("database", sc.answers_from_set(["team=shop", "name=Orders_DB"]))
    assert [p.code.id for p in problems] == ["PL401"]
    problems = refused("database", sc.answers_from_set(["team=shop", "name=" + "a" * 56]))
    assert [p.code.id for p in problems] == ["PL402"]


def test_choices_and_patterns() -> None:
    problems = refused(
        "database",
        sc.answers_from_set(["name=db", "team=shop", "resources=XL", "database=my-db"]),
    )
    assert [(p.code.id, p.key_path) for p in problems] == [
        ("PL204", "resources"),
        ("PL204", "database"),
    ]
    assert problems[0].hint == "Did you mean 'L'?"
    [problem] = refused("database", sc.answers_from_set(["name=db", "team=shop", "version=9"]))
    assert problem.hint == "Choose one of '17.2', '16.6'"


def test_an_unknown_secret() -> None:
    [problem] = refused(
        "database", sc.answers_from_set(["name=db", "team=shop", "passwordSecret=api-bd"])
    )
    assert problem.code.id == "PL701"
    assert problem.hint.startswith("Did you mean 'api-db'?")


def test_a_set_argument_without_a_value_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="key=value"):
        sc.answers_from_set(["name"])


def test_an_unknown_template_suggests_one() -> None:
    with pytest.raises(UsageError) as caught:
        sc.load_template(TEMPLATES, "go-apl")
    assert caught.value.hint == "did you mean 'go-api'?"


def test_a_broken_answers_file_is_a_located_load_error(tmp_path: Path) -> None:
    build_tree(tmp_path, {"answers.yaml": "name: [orders\n"})
    raw, problems = sc.answers_from_file(tmp_path / "answers.yaml", "answers.yaml")
    assert raw is None
    assert [p.code.id for p in problems] == ["PL101"]
