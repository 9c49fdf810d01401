"""`platform render`: the golden tree, freshness, determinism and safe writes."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generators import pipeline
from generators.ops import roundtrip
from generators.output import disk, tree, writer
from tests.conftest import REPO, invoke


def copy_repo(target: Path) -> Path:
    for top in ("platform", "environments", "templates", "rendered", ".github"):
        shutil.copytree(REPO / top, target / top)
    return target


def test_golden_tree(snapshot) -> None:
    result = pipeline.render_platform(REPO)
    assert {path: content.decode() for path, content in result.tree.items()} == snapshot


def test_committed_rendered_tree_is_fresh() -> None:
    result = pipeline.render_platform(REPO)
    drift = tree.compare(REPO / "rendered", result.tree, result.scope)
    assert not drift, f"rendered/ is stale: run `platform render` ({drift})"


def test_byte_identical_across_hash_seeds_cwd_and_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_repo(tmp_path / "repo")
    outputs = []
    for seed, cwd in (("1", repo), ("4242", tmp_path)):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-m", "generators", "--root", str(repo), "render"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        outputs.append(
            {
                p.relative_to(repo).as_posix(): p.read_bytes()
                for p in sorted((repo / "rendered").rglob("*"))
                if p.is_file()
            }
        )
        shutil.rmtree(repo / "rendered")
    assert outputs[0] == outputs[1]
    # Discovery in a shuffled order renders the same bytes.
    discover = pipeline.discover
    monkeypatch.setattr(
        pipeline,
        "discover",
        lambda root: random.Random(7).sample(discover(root), len(discover(root))),
    )
    shuffled = pipeline.render_platform(repo).tree
    assert {f"rendered/{p}": c for p, c in shuffled.items()} == {
        p: c for p, c in outputs[0].items() if not p.endswith(tree.MANIFEST)
    }


def test_check_reports_every_kind_of_drift(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    out = repo / "rendered"
    (out / "dev/web/manifests.yaml").write_text("edited: true\n")
    (out / "dev/checkout-api/manifests.yaml").unlink()
    (out / "dev/web/stray.yaml").write_text("kind: ConfigMap\n")
    result = invoke("render", "--check", "--root", str(repo))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "missing: rendered/dev/checkout-api/manifests.yaml",
        "extra: rendered/dev/web/stray.yaml",
        "differs: rendered/dev/web/manifests.yaml",
        "rendered/ is stale: run `platform render` and commit the result.",
    ]
    assert invoke("render", "--root", str(repo)).exit_code == 0
    assert invoke("render", "--check", "--root", str(repo)).exit_code == 0


def test_render_removes_stale_owned_files_only(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    out = repo / "rendered"
    (out / "README.md").write_text("ours, not the compiler's\n")
    (repo / "platform/services/catalog-migrate.yaml").unlink()
    dev = repo / "environments/dev.yaml"
    dev.write_text(dev.read_text().replace('    catalog-migrate: "1.14.2"\n', ""))
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0, result.stdout
    # Its app directory goes; the Argo CD file loses its Application, and catalog-api's
    # CI workflow stops pinning it (it ran catalog-api's image in dev).
    assert "0 added, 2 changed, 1 removed" in result.stdout
    assert not (out / "dev/catalog-migrate").exists()
    assert (out / "README.md").read_text() == "ours, not the compiler's\n"


def test_invalid_specs_write_nothing(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    before = {p: p.read_bytes() for p in (repo / "rendered").rglob("*") if p.is_file()}
    web = repo / "platform/services/web.yaml"
    web.write_text(web.read_text().replace("team: storefront", "team: storefrnt"))
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 1
    assert "error[PL301]" in result.stdout
    assert result.stdout.endswith("Nothing was rendered: fix the errors above first.\n")
    after = {p: p.read_bytes() for p in (repo / "rendered").rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("change", ["files changed", "a new environment"])
def test_failed_write_leaves_the_previous_tree_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    repo = copy_repo(tmp_path / "repo")
    out = repo / "rendered"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    new = dict(pipeline.render_platform(repo).tree)
    if change == "files changed":
        for path in list(new)[:20]:
            new[path] = b"changed: true\n"
    else:  # many new directories: staged by several threads at once
        new.update(
            {f"qa/app-{i}/manifests.yaml": b"kind: x\n" for i in range(4 * disk.WRITE_THREADS)}
        )
    calls = itertools.count(1)
    original = disk.create

    def flaky(path: str, data: bytes) -> None:
        if next(calls) == 10:
            raise OSError(28, "No space left on device")
        original(path, data)

    monkeypatch.setattr(disk, "create", flaky)
    with pytest.raises(OSError, match="No space"):
        tree.write(out, new)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not (out / tree.STAGING).exists()


def test_interrupted_write_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_repo(tmp_path / "repo")
    out = repo / "rendered"
    new = dict(pipeline.render_platform(repo).tree)
    new["dev/web/manifests.yaml"] = b"changed: true\n"
    monkeypatch.setattr(tree, "replay", lambda out: None)  # "crash" after the journal
    tree.write(out, new)
    assert (out / tree.JOURNAL).exists()
    assert (out / "dev/web/manifests.yaml").read_bytes() != b"changed: true\n"
    monkeypatch.undo()
    tree.replay(out)
    assert (out / "dev/web/manifests.yaml").read_bytes() == b"changed: true\n"
    assert not (out / tree.JOURNAL).exists()
    assert not (out / tree.STAGING).exists()


def test_env_limits_the_work_to_one_environment(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    out = repo / "rendered"
    (out / "staging/web/manifests.yaml").write_text("stale: true\n")
    result = invoke("render", "--env", "dev", "--root", str(repo))
    assert result.exit_code == 0
    assert "for dev into rendered/: 0 added, 0 changed, 0 removed" in result.stdout
    assert (out / "staging/web/manifests.yaml").read_text() == "stale: true\n"
    assert invoke("render", "--env", "dev", "--check", "--root", str(repo)).exit_code == 0
    assert invoke("render", "--env", "staging", "--check", "--root", str(repo)).exit_code == 2
    unknown = invoke("render", "--env", "prod", "--root", str(repo))
    assert unknown.exit_code == 3
    assert "did you mean 'production'?" in unknown.stderr


def test_unchanged_inputs_skip_the_render_but_hand_edits_are_restored(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    out = repo / "rendered"
    assert invoke("render", "--root", str(repo)).exit_code == 0
    again = invoke("render", "--root", str(repo))
    assert again.stdout == "rendered/ is up to date: no spec changed since the last render.\n"
    target = out / "dev/web/manifests.yaml"
    original = target.read_bytes()
    target.write_bytes(original + b"extra: true\n")
    restored = invoke("render", "--root", str(repo))
    assert "0 added, 1 changed, 0 removed" in restored.stdout
    assert target.read_bytes() == original
    (out / "dev/web/stray.yaml").write_text("kind: ConfigMap\n")
    assert "1 removed" in invoke("render", "--root", str(repo)).stdout
    (repo / writer.CACHE_FILE).write_text("{not json")
    assert invoke("render", "--root", str(repo)).exit_code == 0


def test_warnings_are_shown_on_every_render(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    dev = repo / "environments/dev.yaml"
    dev.write_text(dev.read_text().replace('web: "2.8.0"', "web: latest"))
    first = invoke("render", "--root", str(repo))
    second = invoke("render", "--root", str(repo))
    assert "warning[PL601]" in first.stdout
    assert "warning[PL601]" in second.stdout
    assert second.stdout.endswith("no spec changed since the last render.\n")


def test_a_removed_environment_is_cleaned_up(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    (repo / "environments/staging.yaml").unlink()
    for spec in (repo / "platform").rglob("*.yaml"):  # and every spec's staging block
        data = roundtrip.load(spec)
        blocks = data["spec"].get("environments") or {}
        if "staging" in blocks:
            del blocks["staging"]
            roundtrip.write(spec, roundtrip.dump(data))
    policy = repo / "platform/alerting/policy.yaml"  # and the alerting policy's mentions
    data = roundtrip.load(policy)
    for entry in [*data["spec"]["maintenance"], *data["spec"]["silences"]]:
        if "staging" in entry["environments"]:
            entry["environments"].remove("staging")
    data["spec"]["maintenance"] = [w for w in data["spec"]["maintenance"] if w["environments"]]
    roundtrip.write(policy, roundtrip.dump(data))
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0, result.stdout
    assert not (repo / "rendered/staging").exists()
    assert not (repo / "rendered/_argocd/staging").exists()
    assert not (repo / "rendered/_silences/staging").exists()
    assert "staging/" not in (repo / "rendered" / tree.MANIFEST).read_text()
    assert invoke("render", "--check", "--root", str(repo)).exit_code == 0


def test_the_manifest_cannot_reach_outside_the_tree(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    manifest = repo / "rendered" / tree.MANIFEST
    manifest.write_text(manifest.read_text() + "dev/../../../victim.txt\n/etc/passwd\n")
    assert invoke("render", "--root", str(repo)).exit_code == 0
    assert victim.read_text() == "keep me\n"


def test_a_symlinked_app_directory_is_refused(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    outside = tmp_path / "outside"
    shutil.move(repo / "rendered/dev/web", outside)
    (outside / "NOTES.md").write_text("mine\n")
    (outside / "manifests.yaml").write_text("changed: true\n")
    (repo / "rendered/dev/web").symlink_to(outside)
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 3
    assert "leads outside rendered/" in result.stderr
    assert (outside / "NOTES.md").read_text() == "mine\n"


def test_things_in_the_way_are_usage_errors(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / "rendered")
    (repo / "rendered").write_text("not a directory\n")
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 3
    assert result.stderr.startswith("error: cannot write rendered/")
    (repo / "rendered").unlink()
    (repo / ".platform-cache").write_text("a file where the cache goes\n")
    assert invoke("render", "--root", str(repo)).exit_code == 0  # the cache is optional


@pytest.mark.parametrize(
    "content",
    ['{"files": [], "inputs": "x", "report": []}', "[1, 2]", "{not json"],
)
def test_a_damaged_cache_is_ignored(tmp_path: Path, content: str) -> None:
    repo = copy_repo(tmp_path / "repo")
    assert invoke("render", "--root", str(repo)).exit_code == 0
    (repo / writer.CACHE_FILE).write_text(content)
    assert invoke("render", "--root", str(repo)).exit_code == 0


def test_a_damaged_cached_report_is_ignored(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    assert invoke("render", "--root", str(repo)).exit_code == 0
    cache = repo / writer.CACHE_FILE
    cache.write_text(cache.read_text().replace('"report": []', '"report": [{"bogus": 1}]'))
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0
    assert "0 added, 0 changed, 0 removed" in result.stdout


def test_a_lost_manifest_is_noticed_and_restored(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    assert invoke("render", "--root", str(repo)).exit_code == 0
    (repo / "rendered" / tree.MANIFEST).unlink()
    check = invoke("render", "--check", "--root", str(repo))
    assert check.exit_code == 2
    assert f"missing: rendered/{tree.MANIFEST}" in check.stdout
    assert invoke("render", "--root", str(repo)).exit_code == 0
    assert (repo / "rendered" / tree.MANIFEST).is_file()


def test_names_never_clash_in_argo_cd(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    # A team called "platform": its project must not clash with the environment's.
    for path in (repo / "platform").rglob("*.yaml"):
        text = path.read_text().replace("team: payments", "team: platform")
        text = text.replace("teams: [payments]", "teams: [platform]")
        # Seal targets follow the namespaces (a real rename reseals: PL707 says so).
        path.write_text(text.replace("namespace: payments", "namespace: platform"))
    team = repo / "platform/teams/payments.yaml"
    team.write_text(team.read_text().replace("name: payments", "name: platform"))
    team.rename(repo / "platform/teams/platform.yaml")
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0, result.stdout + result.stderr
    argocd = (repo / "rendered/_argocd/dev/manifests.yaml").read_text()
    assert "  name: platform.dev\n" in argocd  # the team's project
    assert "  name: dev\n" in argocd  # the environment's own project and application


def test_an_empty_scaling_block_keeps_the_environment_replicas(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    worker = repo / "platform/services/payments-worker.yaml"
    worker.write_text(
        worker.read_text().replace("  scaling:\n    replicas: 1\n", "  scaling: {}\n")
    )
    assert invoke("render", "--root", str(repo)).exit_code == 0
    text = (repo / "rendered/production/payments-worker/manifests.yaml").read_text()
    assert "  replicas: 3\n" in text  # production's own block still sets 3
    staging = (repo / "rendered/staging/payments-worker/manifests.yaml").read_text()
    assert "  replicas: 2\n" in staging  # the environment default, not Kubernetes' 1
