"""The benchmarks' synthetic platforms: valid, realistic where they say so, one change apart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generators import pipeline
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synthetic


@pytest.mark.parametrize("realistic", [True, False], ids=["realistic", "bare"])
def test_a_synthetic_platform_validates_without_a_diagnostic(
    tmp_path: Path, realistic: bool
) -> None:
    synthetic.generate(tmp_path, 14, realistic=realistic)
    result = pipeline.validate_platform(tmp_path)
    assert result.diagnostics == ()
    services = {s for env, s in result.platform.resolved}
    assert len(services) >= 14


def test_realistic_clones_use_what_the_example_uses(tmp_path: Path) -> None:
    synthetic.generate(tmp_path, 12)
    platform = pipeline.validate_platform(tmp_path).platform
    clones = [s for name, (_, s) in platform.services.items() if name.endswith(("-0", "-1"))]
    assert {s.spec.type for s in clones} == {"web", "worker", "cron", "job"}
    texts = "".join(p.read_text() for p in (tmp_path / "platform/services").glob("*-1.yaml"))
    features = ("schedule:", "secretFiles:", "integrations:", "webhooks:", "slos:", "alerts:")
    for feature in (*features, "configFiles:", "metrics:", "environments:"):
        assert feature in texts, f"no clone uses {feature}"


def test_one_change_changes_one_service_and_its_rendered_objects(tmp_path: Path) -> None:
    synthetic.generate(tmp_path, 12)
    before = pipeline.render_platform(tmp_path).tree
    synthetic.one_change(tmp_path)
    after = pipeline.render_platform(tmp_path).tree
    changed = {path for path in before if before[path] != after.get(path)}
    assert {path.split("/")[1] for path in changed} == {"catalog-api-1"}
    assert len(changed) == 3  # its app directory in each environment
