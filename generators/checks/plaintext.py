"""Plaintext secret detection in specs, with detect-secrets' detectors (the one user of it).

Every string value of every spec is looked at, except the fields that hold ciphertext
or digests by design. A cheap pre-filter picks the values that could be a credential
(long tokens with letters and digits, URLs with a user part, key blocks, values under
password-like keys); those go through detect-secrets' plugins (provider formats, JWTs,
private keys, basic-auth URLs, keyword and high-entropy detectors) with its default
filters. A false positive is silenced like in detect-secrets: a
`# pragma: allowlist secret` comment on the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from generators.diagnostics import Diagnostic, codes
from generators.model.platform import Platform
from generators.source.located import KeyPath, dotted

ALLOWLIST = "pragma: allowlist secret"
# Values under these keys are ciphertext, digests, references by name, or formats the
# schema pins down (images, hosts, GitHub handles): none can hold a credential.
_SKIP_KEYS = {
    "encryptedData",
    "certificate",
    "image",
    "documentation",
    "external",
    "access",
    "owners",
    "members",
    "dependsOn",
    "integrations",
    "hosts",
    "configSecret",  # the name of the Secret the Alertmanager configuration goes to
    "secretName",  # a Kubernetes Secret's name, in a patch's volume
}
# A mapping with only these keys is a reference to a secret ({secret, key}, a secret file).
_REFERENCE = {"secret", "key", "path"}
# Catalog entries are data the compiler ships: their prose describes key formats; only
# their setting defaults reach a service.
_CATALOG = "IntegrationCatalogEntry"
_SECRETISH_KEY = re.compile(r"pass|secret|token|api[-_]?key|credential|private|auth", re.IGNORECASE)
_TOKEN = re.compile(r"\S{16,}")
_REFERENCES = re.compile(r"\$\{[^}]*\}")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DIGEST = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")


def check_plaintext(platform: Platform) -> Iterator[Diagnostic]:
    """No spec holds something that looks like a credential in a plain field."""
    with _detectors():
        yield from _plaintext(platform)


def _plaintext(platform: Platform) -> Iterator[Diagnostic]:
    for doc in platform.documents:
        for path, value in _strings(doc.source.data, ()):
            if doc.kind.name == _CATALOG and "default" not in path:
                continue
            if not _candidate(path, value):
                continue
            kinds = detect(_key(path), value)
            if not kinds:
                continue
            location = doc.source.locate(path)
            if ALLOWLIST in doc.source.line_text(location.line):
                continue
            yield Diagnostic(
                codes.PLAINTEXT_SECRET,
                f"this value looks like a secret ({', '.join(kinds)}); specs are committed "
                "in plain text",
                location,
                dotted(path),
                "remove it and rotate it at its provider (it is in git history now); seal "
                "the new value with `platform secrets seal` and reference it as "
                "`{secret: NAME, key: KEY}`. A false positive: add `# " + ALLOWLIST + "`",
            )


def detect(key: str, value: str) -> list[str]:
    """The detect-secrets secret types ``value`` matches under ``key`` (sorted).

    A multi-line value (a config file) is scanned line by line, both as it stands (so
    its own `key: value` syntax is read) and as the value of ``key``.
    """
    found: set[str] = set()
    lines = [line.strip() for line in value.splitlines() if line.strip()] or [value]
    for line in lines:
        found |= _detect(key, line)
        if len(lines) > 1:
            found |= _detect_raw(line)
    if _DIGEST.match(value) and not _SECRETISH_KEY.search(key):
        # A git commit or a content digest (GIT_SHA, release): public by nature.
        found.discard("Hex High Entropy String")
    return sorted(found)


@cache
def _detect_raw(line: str) -> frozenset[str]:
    return _scan(line)


@cache
def _detect(key: str, value: str) -> frozenset[str]:
    return _scan(f"{key}: {json.dumps(value)}")


def _scan(line: str) -> frozenset[str]:
    from detect_secrets.core.scan import _process_line_based_plugins

    with _detectors():
        # The line-based scanner with detect-secrets' own default plugins and filters.
        return frozenset(s.type for s in _process_line_based_plugins([(1, line)], "spec.yaml"))


_ACTIVE: list[bool] = []


@contextmanager
def _detectors() -> Iterator[None]:
    """detect-secrets' default plugins and filters, set up once for all the lines scanned.

    Setting them up (and restoring the caller's settings after) costs more than
    scanning a line, so a whole check runs inside one setup; nested uses reuse it.
    """
    if _ACTIVE:
        yield
        return
    from detect_secrets.settings import default_settings

    with default_settings():
        _ACTIVE.append(True)
        try:
            yield
        finally:
            _ACTIVE.pop()


def _candidate(path: KeyPath, value: str) -> bool:
    """Whether ``value`` could hold a credential (cheap tests first: most values do not)."""
    if len(value) < 6:
        return False
    if "-----BEGIN" in value:
        return True
    text = _REFERENCES.sub("", value) if "${" in value else value
    if "://" in text and "@" in text.split("://", 1)[1].split("/", 1)[0]:
        return True  # a user (and maybe a password) in a URL
    if any(any(c.isdigit() for c in token) for token in _TOKEN.findall(text)):
        return True  # a long token with digits, anywhere in the value
    return bool(_SECRETISH_KEY.search(_key(path))) and len(text) >= 6


def _key(path: KeyPath) -> str:
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "value")


def _strings(data: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    # Loaded specs hold plain dicts, lists and scalars: exact type tests are enough.
    kind = type(data)
    if kind is str:
        yield path, data
    elif kind is dict:
        if "secret" in data and (
            data.keys() <= _REFERENCE or _NAME.match(str(data["secret"]))
        ):  # a reference to a secret by name (even one with a mistyped field)
            return
        for key, value in data.items():
            if key not in _SKIP_KEYS and type(value) in _CONTAINERS:
                yield from _strings(value, (*path, key))
    elif kind is list:
        for i, value in enumerate(data):
            if type(value) in _CONTAINERS:
                yield from _strings(value, (*path, i))


_CONTAINERS = {str, dict, list}
