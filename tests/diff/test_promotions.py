"""PL314: a promotion into a protected environment is a pull request of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import gitrepo
from tests.conftest import copy_base, invoke


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


def committed(root: Path, dev_pin: str) -> Path:
    """The base platform with dev running api ``dev_pin``, committed (production: 1.0.0)."""
    edit(root, "environments/dev.yaml", 'api: "1.0.0"', f'api: "{dev_pin}"')
    gitrepo.commit(gitrepo.init(root), "Base")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Dev runs api 1.1.0; production (protected) 1.0.0: 1.1.0 is a promotion."""
    return committed(copy_base(tmp_path / "repo"), "1.1.0")


def diff(root: Path) -> tuple[int, str]:
    done = invoke("diff", "--root", str(root))
    return done.exit_code, done.stdout + done.stderr


PRODUCTION = "environments/production.yaml"
PIN = ('api: "1.0.0"', 'api: "1.1.0"')


def test_a_promotion_alone_passes(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)
    code, out = diff(root)
    assert code == 0, out
    assert "PL314" not in out


def test_a_promotion_with_another_spec_change_is_refused_at_the_pin(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)
    edit(root, "platform/services/api.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug")
    code, out = diff(root)
    assert code == 1
    line = next(
        n for n, t in enumerate((root / PRODUCTION).read_text().splitlines(), 1) if "api:" in t
    )
    assert f"{PRODUCTION}:{line}:10: error[PL314]" in out
    assert (
        "this change promotes into protected environment 'production' (api 1.0.0 → 1.1.0) "
        "and also changes platform/services/api.yaml"
    ) in out
    assert "Open the promotion as a pull request of its own" in out
    assert "spec.images.api" in out


def test_the_protected_file_may_change_its_pins_only(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)
    edit(root, PRODUCTION, "replicas: 2", "replicas: 3")
    code, out = diff(root)
    assert code == 1
    assert f"also changes {PRODUCTION} (beyond its pins)" in out


def test_the_message_counts_what_it_does_not_name(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)
    touched = ["platform/services/nightly.yaml", "platform/services/worker.yaml"]
    touched += ["environments/dev.yaml", "platform/teams/shop.yaml"]
    for rel in touched:
        (root / rel).write_text((root / rel).read_text() + "# touched\n")
    code, out = diff(root)
    assert code == 1
    assert "also changes environments/dev.yaml, platform/services/nightly.yaml, " in out
    assert "platform/services/worker.yaml and 1 more" in out


def test_a_promoted_services_own_block_may_come_along(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)  # `platform promote --with` copies overrides so
    edit(
        root,
        "platform/services/api.yaml",
        "      scaling: {min: 3, max: 10}",
        "      scaling: {min: 4, max: 10}",
    )
    assert diff(root)[0] == 0
    edit(root, "platform/services/api.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug")  # not so
    code, out = diff(root)
    assert code == 1
    assert "also changes platform/services/api.yaml" in out


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("environments/dev.yaml", 'api: "1.1.0"', 'api: "1.2.0"'),  # not protected
        (PRODUCTION, '  images:\n    api: "1.0.0"\n', "  images: {}\n"),  # a pin removed
        (PRODUCTION, 'api: "1.0.0"', 'api: "1.0.1"'),  # a build no environment runs yet
    ],
)
def test_other_pin_changes_may_come_with_more(root: Path, rel: str, old: str, new: str) -> None:
    edit(root, rel, old, new)
    edit(root, "platform/services/api.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug")
    _code, out = diff(root)
    assert "PL314" not in out, out


def test_the_pull_request_comment_says_a_rule_is_broken_not_the_specs(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)
    edit(root, "platform/services/api.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug")
    done = invoke("diff", "--root", str(root), "--format", "markdown")
    assert done.exit_code == 1
    assert "**This change breaks a rule of pull requests: 1 error.**" in done.stdout
    assert "do not validate" not in done.stdout
    assert f"| `{PRODUCTION}:" in done.stdout
    assert "| PL314 |" in done.stdout


def test_a_step_back_to_what_an_earlier_environment_runs_is_a_rollback(tmp_path: Path) -> None:
    root = committed(copy_base(tmp_path / "repo"), "0.9.0")
    edit(root, PRODUCTION, 'api: "1.0.0"', 'api: "0.9.0"')  # `platform rollback` does so
    edit(root, "platform/services/api.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug")
    code, out = diff(root)
    assert code == 0, out


def test_unprotecting_in_the_same_change_does_not_lift_the_rule(root: Path) -> None:
    edit(root, PRODUCTION, *PIN)
    edit(root, PRODUCTION, "protected: true", "protected: false")
    edit(root, "platform/teams/shop.yaml", "name: shop", "name: shop  # touched")
    code, out = diff(root)
    assert code == 1
    assert "error[PL314]" in out
    assert "(beyond its pins), platform/teams/shop.yaml" in out
