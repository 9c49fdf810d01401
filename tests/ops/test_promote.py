"""`platform promote` on a real git repository (pinned author and time)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pygit2
import pytest

from tests import gitrepo
from tests.conftest import REPO, invoke


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example platform with its rendered tree, committed on `main`."""
    root = tmp_path / "platform"
    for top in ("platform", "environments", "templates", "rendered"):
        shutil.copytree(REPO / top, root / top)
    assert invoke("render", "--root", str(root)).exit_code == 0  # and its workflows
    gitrepo.clean(root)
    gitrepo.commit(gitrepo.init(root), "The example platform")
    return root


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git/" not in p.as_posix() and ".platform-cache" not in p.as_posix()
    }


def test_staging_to_production_changes_exactly_the_image(repo: Path) -> None:
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production",
        "--root", str(repo), "--format", "json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "Promoted checkout-api 3.1.4 from staging to production (was 3.1.2)." in done.stderr
    changes = json.loads(done.stdout)["changes"]
    fields = [(c["kind"], c["name"], f["path"]) for c in changes for f in c["fields"]]
    assert fields == [
        ("Rollout", "checkout-api", "spec.template.spec.containers[checkout-api].image")
    ]
    pin = (repo / "environments/production.yaml").read_text()
    assert '    checkout-api: "3.1.4"\n' in pin
    assert "# changes need an approver and a manual sync" in pin  # comments kept
    # Promoting again has nothing to do.
    again = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production", "--root", str(repo)
    )
    assert again.exit_code == 0
    assert "already runs 3.1.4 in production: nothing to promote" in again.stdout


def test_a_skip_is_refused_and_changes_nothing(repo: Path) -> None:
    before = files(repo)
    done = invoke(
        "promote", "checkout-api", "--from", "dev", "--to", "production", "--root", str(repo)
    )
    assert done.exit_code == 3
    assert "promoting checkout-api from dev to production skips staging" in done.stderr
    assert "pass --skip" in done.stderr
    assert files(repo) == before
    forced = invoke(
        "promote", "checkout-api", "--from", "dev", "--to", "production", "--skip",
        "--root", str(repo),
    )  # fmt: skip
    assert forced.exit_code == 0, forced.stderr
    assert '    checkout-api: "3.2.0"\n' in (repo / "environments/production.yaml").read_text()


def test_a_pin_not_yet_rendered_is_not_promoted(repo: Path) -> None:
    staging = repo / "environments/staging.yaml"
    staging.write_text(
        staging.read_text().replace('checkout-api: "3.1.4"', 'checkout-api: "3.1.5"')
    )
    before = files(repo)
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production", "--root", str(repo)
    )
    assert done.exit_code == 3
    assert "does not run ghcr.io/acme/checkout:3.1.5, which staging pins" in done.stderr
    assert files(repo) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ("checkout-apii", "--from", "staging", "--to", "production"),
            "did you mean 'checkout-api'",
        ),
        (("checkout-api", "--from", "production", "--to", "staging"), "comes before production"),
        (("checkout-api", "--from", "staging", "--to", "prod"), "did you mean 'production'"),
        (("catalog-migrate", "--from", "dev", "--to", "staging"), "does not run in staging"),
    ],
)
def test_usage_mistakes_are_explained(repo: Path, args: tuple[str, ...], words: str) -> None:
    done = invoke("promote", *args, "--root", str(repo))
    assert done.exit_code == 3
    assert words in done.stderr.lower()


def test_outside_git_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "platform"
    for top in ("platform", "environments", "templates", "rendered"):
        shutil.copytree(REPO / top, root / top)
    before = files(root)
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production", "--root", str(root)
    )
    assert done.exit_code == 3
    assert "is not in a git repository" in done.stderr
    assert files(root) == before


def test_a_release_train_promotes_every_service_in_one_change(repo: Path) -> None:
    staging = repo / "environments/staging.yaml"  # a pin still under review stays behind
    staging.write_text(staging.read_text().replace('web: "2.7.3"', 'web: "2.8.0"'))
    gitrepo.commit(pygit2.Repository(str(repo)), "web 2.8.0 in staging, not rendered yet", day=1)
    done = invoke(
        "promote", "--all", "--from", "staging", "--to", "production",
        "--root", str(repo), "--format", "json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    table = done.stderr.splitlines()
    assert table[0] == "Release train staging → production:"
    rows = {line.split()[0]: line for line in table[2:-1]}
    assert rows["checkout-api"].split() == ["checkout-api", "3.1.2", "3.1.4", "promoted"]
    assert "stayed: rendered/staging/web/manifests.yaml does not run" in rows["web"]
    assert "stayed: retired" in rows["legacy-pricing"]
    assert table[-1] == "5 promoted, 2 stayed"
    changes = json.loads(done.stdout)["changes"]
    assert {f["path"].rsplit(".", 1)[-1] for c in changes for f in c["fields"]} == {"image"}
    promoted = ("catalog-api", "checkout-api", "ledger-reconcile", "payments-worker")
    assert {c["name"] for c in changes} == {*promoted, "session-cache"}


def test_promote_wants_one_service_or_all(repo: Path) -> None:
    done = invoke("promote", "--from", "staging", "--to", "production", "--root", str(repo))
    assert done.exit_code == 3
    assert "name one SERVICE, or pass --all" in done.stderr


def test_history_shows_a_promotion_as_such(repo: Path) -> None:
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production", "--root", str(repo)
    )
    assert done.exit_code == 0, done.stderr
    gitrepo.clean(repo)
    gitrepo.commit(pygit2.Repository(str(repo)), "Promote checkout-api to production", day=1)
    shown = invoke("history", "checkout-api", "--root", str(repo), "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    newest = json.loads(shown.stdout)[0]
    assert newest["summary"] == "Promote checkout-api to production"
    assert newest["promotions"] == [{"from": "staging", "to": "production", "tag": "3.1.4"}]
    table = invoke("history", "checkout-api", "--root", str(repo)).stdout
    assert "promotion staging → production (3.1.4)" in table


def test_a_promotion_into_production_is_its_own_change(repo: Path) -> None:
    web = repo / "platform/services/web.yaml"  # a change since HEAD, not committed
    web.write_text(web.read_text() + "# an unrelated edit\n")
    before = files(repo)
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production", "--root", str(repo)
    )
    assert done.exit_code == 1
    out = done.stdout + done.stderr
    assert "error[PL314]" in out
    assert "also changes platform/services/web.yaml" in out
    assert "Nothing was promoted: checkout-api 3.1.4 into production" in out
    assert files(repo) == before  # the pin and the rendered tree put back


def _with_staging_flag(repo: Path) -> None:
    """checkout-api's staging block turns a flag on, committed and rendered."""
    spec = repo / "platform/services/checkout-api.yaml"
    text = spec.read_text()
    flag = '        NEW_CHECKOUT: "on"  # the flow under test\n'
    block = "  environments:\n    staging:\n      env:\n" + flag
    spec.write_text(text.replace("  environments:\n", block, 1))
    assert invoke("render", "--root", str(repo)).exit_code == 0
    gitrepo.clean(repo)
    gitrepo.commit(pygit2.Repository(str(repo)), "checkout-api: NEW_CHECKOUT in staging", day=1)


def test_named_overrides_go_along_with_the_image(repo: Path) -> None:
    _with_staging_flag(repo)
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production",
        "--with", "env.NEW_CHECKOUT", "--root", str(repo), "--format", "json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "Promoted checkout-api 3.1.4 from staging to production" in done.stderr
    assert "with env.NEW_CHECKOUT" in done.stderr
    spec = (repo / "platform/services/checkout-api.yaml").read_text()
    production = spec[spec.index("    production:\n") :]
    assert 'NEW_CHECKOUT: "on"  # the flow under test' in production  # comment kept
    changed = [
        (c["environment"], c["kind"], c["name"], f["path"], f["new"])
        for c in json.loads(done.stdout)["changes"]
        for f in c["fields"]
    ]
    assert (
        "production",
        "Rollout",
        "checkout-api",
        "spec.template.spec.containers[checkout-api].env[NEW_CHECKOUT]",
        {"name": "NEW_CHECKOUT", "value": "on"},
    ) in changed, changed
    # Its own pull request still: the only spec change outside production's pins is
    # checkout-api's block for production (PL314 allows exactly that).
    assert "PL314" not in done.stdout + done.stderr


def test_an_override_the_source_does_not_set_is_refused_before_writing(repo: Path) -> None:
    _with_staging_flag(repo)
    before = files(repo)
    done = invoke(
        "promote", "checkout-api", "--from", "staging", "--to", "production",
        "--with", "env.NEW_CHEKOUT", "--root", str(repo),
    )  # fmt: skip
    assert done.exit_code == 3
    assert "block for staging in platform/services/checkout-api.yaml sets no 'env.NEW_CHEKOUT'" in (
        done.stderr
    )
    assert "hint: did you mean 'env.NEW_CHECKOUT'?" in done.stderr
    assert files(repo) == before
