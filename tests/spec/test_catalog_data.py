"""Integration catalog data: each templates/integrations entry is a valid CatalogEntry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generators.spec.catalog import CatalogEntry
from tests.conftest import REPO

CATALOG = REPO / "templates" / "integrations"
EXPECTED = {
    "clerk", "auth0", "oidc", "stripe", "paypal", "square", "turso", "aws-rds", "gcp-cloud-sql",
    "elevenlabs", "openrouter", "openai", "aws-s3", "gcs", "sendgrid", "twilio", "slack",
    "datadog", "newrelic", "sentry",
}  # fmt: skip
DEFAULT_TYPES = {"string": str, "url": str, "enum": str, "integer": int, "boolean": bool}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
FILES = sorted(CATALOG.glob("*.yaml"))


def test_catalog_has_exactly_the_expected_entries() -> None:
    assert {path.stem for path in CATALOG.iterdir()} == EXPECTED
    assert {path.stem for path in FILES} == EXPECTED


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_entry(path: Path) -> None:
    entry = CatalogEntry.model_validate(yaml.safe_load(path.read_text()))
    spec = entry.spec
    assert entry.metadata.name == path.stem

    envs = [s.env for s in spec.secrets] + [s.env for s in spec.settings]
    envs += [f"{spec.envPrefix}_HEALTH_URL", f"{spec.envPrefix}_RATE_LIMIT"]
    assert len(envs) == len(set(envs)), f"duplicate env vars: {sorted(envs)}"

    usable = {s.name for s in spec.settings if s.required or s.default is not None}
    templated = [e.host for e in spec.egress] + [spec.healthCheck.url]
    for text in templated:
        for name in PLACEHOLDER.findall(text):
            assert name in usable, f"{{{name}}} in {text!r} is not a required or defaulted setting"

    for setting in spec.settings:
        if setting.default is not None:
            assert type(setting.default) is DEFAULT_TYPES[setting.type], setting.name
        if setting.type == "enum":
            assert setting.values, f"enum {setting.name} lists no values"
            assert setting.default is None or setting.default in setting.values
        else:
            assert not setting.values, f"{setting.name} is not an enum but lists values"
