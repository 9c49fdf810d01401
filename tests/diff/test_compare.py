"""`platform diff` on real git repositories: what each kind of spec change shows."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generators.diff import compare, report
from tests import gitrepo
from tests.conftest import copy_base, invoke

WORKER = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: {name}
  team: shop
spec:
  type: worker
  image: ghcr.io/example/{name}:1.0.0
  resources:
    requests: {{cpu: 250m, memory: 256Mi}}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The small base platform, committed on `main` (day 0)."""
    root = copy_base(tmp_path / "repo")
    gitrepo.commit(gitrepo.init(root), "Base platform")
    return root


def diff_json(root: Path, *args: str) -> dict:
    done = invoke("diff", "--root", str(root), "--format", "json", *args)
    assert done.exit_code == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def changed(data: dict, status: str) -> set[tuple[str, str, str]]:
    return {
        (c["environment"], c["kind"], c["name"]) for c in data["changes"] if c["status"] == status
    }


def test_no_change_is_reported_as_such(repo: Path) -> None:
    done = invoke("diff", "--root", str(repo), "--exit-code")
    assert done.exit_code == 0, done.stdout
    assert "No changes." in done.stdout
    assert "(merge-base with main)" in done.stdout


def test_an_added_service_is_added_objects_in_every_environment(repo: Path) -> None:
    (repo / "platform/services/mailer.yaml").write_text(WORKER.format(name="mailer"))
    data = diff_json(repo)
    added = changed(data, "added")
    assert ("dev", "Deployment", "mailer") in added
    assert ("dev", "ServiceAccount", "mailer") in added
    assert not changed(data, "removed")
    # Lifecycle `development` (the default): only the first environment runs it.
    assert not any(env == "production" for env, _, _ in added)
    assert data["environments"]["dev"]["requests"] == {"cpu": "0.250", "memory": "268435456"}
    deployment = next(c for c in data["changes"] if c["kind"] == "Deployment")
    assert deployment["object"]["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "ghcr.io/example/mailer:1.0.0"
    )


def test_a_removed_service_is_flagged_first(repo: Path) -> None:
    (repo / "platform/services/nightly.yaml").unlink()
    done = invoke("diff", "--root", str(repo), "--format", "markdown")
    assert done.exit_code == 0, done.stdout
    impact = done.stdout.split("### Summary")[0]
    assert "**Removed services** (dev): nightly leaves dev" in impact
    assert "ServiceAccount" not in impact  # what left with it is not a finding of its own
    data = diff_json(repo)
    assert ("dev", "CronJob", "nightly") in changed(data, "removed")


def test_a_renamed_service_is_one_removed_and_one_added(repo: Path) -> None:
    old = repo / "platform/services/worker.yaml"
    text = old.read_text().replace("name: worker", "name: jobs")
    old.unlink()
    (repo / "platform/services/jobs.yaml").write_text(text)
    data = diff_json(repo, "--env", "dev")
    assert ("dev", "Deployment", "worker") in changed(data, "removed")
    assert ("dev", "Deployment", "jobs") in changed(data, "added")
    assert set(data["environments"]) == {"dev"}


def test_a_changed_field_is_shown_by_its_path(repo: Path) -> None:
    api = repo / "platform/services/worker.yaml"
    api.write_text(api.read_text().replace("worker:1.2.3", "worker:1.3.0"))
    data = diff_json(repo, "--env", "dev")
    (deployment,) = [c for c in data["changes"] if c["kind"] == "Deployment"]
    assert deployment["status"] == "changed"
    assert {
        "path": "spec.template.spec.containers[worker].image",
        "old": "ghcr.io/example/worker:1.2.3",
        "new": "ghcr.io/example/worker:1.3.0",
    } in deployment["fields"]
    text = invoke("diff", "--root", str(repo), "--env", "dev").stdout
    assert "@@ spec.template.spec.containers[worker].image @@" in text
    assert '- "ghcr.io/example/worker:1.2.3"' in text


def test_exit_code_and_the_working_tree_stay_untouched(repo: Path) -> None:
    api = repo / "platform/services/worker.yaml"
    api.write_text(api.read_text().replace("worker:1.2.3", "worker:1.3.0"))
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert invoke("diff", "--root", str(repo), "--exit-code").exit_code == 2
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before


def test_a_newly_public_service_leads_the_impact(repo: Path) -> None:
    # A new web service, public, running in production. (Re-sealed secrets in the impact:
    # test_secret_values_are_never_printed.)
    (repo / "platform/services/site.yaml").write_text(
        WORKER.format(name="site")
        .replace("type: worker", "type: web")
        .replace("team: shop", "team: shop\n  lifecycle: production")
        + "  ports: [{name: http, port: 8080}]\n  expose: {visibility: public, hosts: [site]}\n"
    )
    data = diff_json(repo, "--env", "production")
    texts = [(f["category"], f["text"]) for f in data["impact"]]
    assert any(c == "exposure" and "site is public at site." in t for c, t in texts), texts


def test_secret_values_are_never_printed(repo: Path) -> None:
    stripe = repo / "platform/secrets/stripe.yaml"
    text = stripe.read_text()
    sealed_line = next(line for line in text.splitlines() if "secret-key: AQ" in line)
    ciphertext = sealed_line.split(": ", 1)[1]
    stripe.write_text(text.replace(ciphertext, ciphertext[:-8] + "AAAAAAA="))
    for fmt in ("text", "markdown", "json"):
        out = invoke("diff", "--root", str(repo), "--format", fmt).stdout
        assert ciphertext[:40] not in out
        assert "AAAAAAA=" not in out
    data = diff_json(repo)
    (sealed,) = [c for c in data["changes"] if c["kind"] == "SealedSecret"]
    assert sealed["fields"][0]["new"] == "<ciphertext, re-sealed>"
    assert any("re-sealed: secret-key" in f["text"] for f in data["impact"])


def test_a_base_with_invalid_specs_is_reported_not_a_crash(repo: Path) -> None:
    api = repo / "platform/services/worker.yaml"
    good = api.read_text()
    api.write_text(good.replace("type: worker", "type: wroker"))
    gitrepo.commit(gitrepo.init(repo), "Break the worker", day=1)
    api.write_text(good)
    done = invoke("diff", "--root", str(repo), "--base", "HEAD", "--format", "markdown")
    assert done.exit_code == 0, done.stdout
    assert (
        "> **The base does not validate (1 error; first: platform/services/worker.yaml:7:9: "
        "'wroker' is not one of 'web', 'worker', 'cron', 'job'); every object is shown as "
        "added**"
    ) in done.stdout
    assert "### Impact" in done.stdout


def test_invalid_working_tree_specs_are_reported_like_validate(repo: Path) -> None:
    api = repo / "platform/services/worker.yaml"
    api.write_text(api.read_text().replace("team: shop", "team: shp"))
    done = invoke("diff", "--root", str(repo))
    assert done.exit_code == 1
    assert "platform/services/worker.yaml:5:9: error[PL301]" in done.stdout
    assert "Nothing to compare" in done.stdout


def test_invalid_specs_still_get_a_bounded_pr_comment(repo: Path) -> None:
    # 1,000 services with a mistake each: the comment says so within GitHub's limit.
    for i in range(1000):
        text = WORKER.format(name=f"w{i}").replace("team: shop", f"team: shp{i % 7}")
        (repo / f"platform/services/w{i}.yaml").write_text(text)
    done = invoke("diff", "--root", str(repo), "--format", "markdown")
    assert done.exit_code == 1
    comment = done.stdout
    assert comment.startswith(report.MARKER)
    assert len(comment) <= report.GITHUB_LIMIT
    assert "**The specs do not validate: 1,000 errors and 0 warnings in 1,011 files.**" in comment
    assert "| `platform/services/w0.yaml:5:9` | PL301 | unknown team 'shp0' |" in comment
    shown = comment.count("| PL301 |")
    assert 100 < shown < 1000
    assert f"_… and {1000 - shown} more: run `platform validate` for every one._" in comment
    # JSON is data too: every diagnostic, no human text.
    data = json.loads(invoke("diff", "--root", str(repo), "--format", "json").stdout)
    assert data["valid"] is False
    assert data["errors"] == 1000
    assert len(data["diagnostics"]) == 1000


def test_a_thousand_changed_apps_fit_in_the_comment(repo: Path) -> None:
    # Each new public service is a finding of its own in every environment.
    public = WORKER.replace("type: worker", "type: web") + (
        "  ports: [{{name: http, port: 8080}}]\n"
        "  probes: {{readiness: {{http: {{path: /readyz}}}}}}\n"
        "  expose: {{visibility: public, hosts: [{name}]}}\n"
    )
    for i in range(1000):
        (repo / f"platform/services/w{i}.yaml").write_text(public.format(name=f"w{i}"))
    result = compare.compare(repo)
    assert len(result.findings) >= 1000
    comment = report.markdown(result)
    assert len(comment) <= report.GITHUB_LIMIT
    assert comment.count("<details>") == comment.count("</details>")
    assert "more findings (`platform diff --format json` lists them all)_" in comment
    assert "**Truncated:**" in comment
    assert "### Summary" in comment  # the impact never crowds out the summary


def test_unknown_base_and_environment_are_usage_errors(repo: Path) -> None:
    done = invoke("diff", "--root", str(repo), "--base", "no-such-branch")
    assert done.exit_code == 3
    assert "no commit 'no-such-branch' in this clone" in done.stderr
    done = invoke("diff", "--root", str(repo), "--env", "prod")
    assert done.exit_code == 3
    assert "did you mean 'production'?" in done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="the git command is not installed")
def test_a_shallow_clone_diffs_against_what_it_has(repo: Path, tmp_path: Path) -> None:
    worker = repo / "platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("worker:1.2.3", "worker:1.3.0"))
    gitrepo.commit(gitrepo.init(repo), "Bump the worker", day=1)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    # The default branch is the clone's HEAD: nothing changed yet.
    assert "No changes." in invoke("diff", "--root", str(clone)).stdout
    # The previous commit is not in the clone: say so, and how to fetch it.
    done = invoke("diff", "--root", str(clone), "--base", "HEAD~1")
    assert done.exit_code == 3
    assert "shallow clone" in done.stderr
    assert "fetch-depth: 0" in done.stderr


def test_markdown_stays_under_the_limit_with_a_notice(repo: Path) -> None:
    for i in range(40):
        (repo / f"platform/services/w{i}.yaml").write_text(WORKER.format(name=f"w{i}"))
    result = compare.compare(repo)
    full = report.markdown(result, limit=10**9)
    assert len(full) > 20_000
    for limit in (20_000, 8_000):
        cut = report.markdown(result, limit=limit)
        assert len(cut) <= limit
        assert "**Truncated:**" in cut
        assert cut.count("<details>") == cut.count("</details>")
        assert cut.count("```") % 2 == 0
        assert "apps not shown (" in cut
        assert "Run `platform diff` locally" in cut
        assert cut.startswith(report.MARKER)
    assert "Truncated" not in full
    assert report.GITHUB_LIMIT == 65_536


def test_text_is_coloured_only_when_asked(repo: Path) -> None:
    worker = repo / "platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("worker:1.2.3", "worker:1.3.0"))
    result = compare.compare(repo)
    plain = report.text(result)
    coloured = report.text(result, color=True)
    assert "\x1b[" not in plain
    assert '\x1b[31m    - "ghcr.io/example/worker:1.2.3"\x1b[0m' in coloured
    assert '\x1b[32m    + "ghcr.io/example/worker:1.3.0"\x1b[0m' in coloured
    assert "\x1b[33m~ Deployment shop-dev/worker (changed)\x1b[0m" in coloured
    # Through the CLI (not a terminal): plain.
    assert "\x1b[" not in invoke("diff", "--root", str(repo)).stdout


def test_a_base_whose_secrets_fell_overdue_since_is_still_compared(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rotation is judged against today: the base is compared, the working tree is held to it."""
    monkeypatch.setenv("PLATFORM_TODAY", "2028-06-01")
    base = compare.compile_base(repo, "HEAD")
    assert base.errors == ()
    assert base.tree
    done = invoke("diff", "--root", str(repo))
    assert done.exit_code == 1
    assert "error[PL711]" in done.stdout
