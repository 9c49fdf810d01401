"""The third-party actions generated workflows use, each pinned to a full commit SHA.

A tag can be moved to other code (in March 2026 most of aquasecurity/trivy-action's
tags were, to a secret stealer); a commit cannot. Each SHA below was checked against
several independent public repositories that pin the same commit with the same
version; the version is written beside every `uses:` line as a comment, so Dependabot
or Renovate (`github-actions` ecosystem) can update the pins in the services'
repositories. To update one here: change the SHA and its version together, then
re-render (docs/ci.md).
"""

from __future__ import annotations

import re

#: action -> (commit, version). Node 24 runtimes throughout (Node 20 left the runners).
PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
    "actions/setup-node": ("a0853c24544627f65ddf259abe73b1d18a591444", "v5.0.0"),
    "actions/setup-go": ("44694675825211faa026b3c33043df3e48a5fa00", "v6.0.0"),
    "actions/setup-python": ("e797f83bcb11b83ae66e0230d6156d7c80228e7c", "v6.0.0"),
    "docker/setup-buildx-action": ("f87e5991a6d7451dcb8d9637bfbc97413f497069", "v4.4.1"),
    "docker/login-action": ("dbcb813823bdd20940b903addbd779551569679f", "v4.6.0"),
    "docker/build-push-action": ("c3c9e263c25d99ce0380d002d59b67737d91b0dc", "v7.4.0"),
    # v0.35.0: the first release after the March 2026 tag compromise, on immutable tags.
    "aquasecurity/trivy-action": ("57a97c7e7821a5776cebc9bb87c984fa69cba8f1", "v0.35.0"),
    "github/codeql-action/upload-sarif": ("5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9"),
    "anchore/sbom-action": ("e22c389904149dbc22b58101806040fa8d37a610", "v0.24.0"),
}

_USES = re.compile(r"^(?P<head>\s*(?:- )?uses: )(?P<ref>[^\s@]+)@(?P<sha>[0-9a-f]{40})$")


def uses(action: str) -> str:
    """``action@<commit>``: the value of a step's `uses:`."""
    return f"{action}@{PINS[action][0]}"


def annotate(text: str) -> str:
    """Append the version comment to every `uses:` line of a pinned action.

    YAML comments are not data, so the emitter cannot write them; a parser ignores them.
    """
    lines = []
    for line in text.split("\n"):
        match = _USES.match(line)
        if match is not None and PINS.get(match["ref"], ("", ""))[0] == match["sha"]:
            line = f"{line} # {PINS[match['ref']][1]}"
        lines.append(line)
    return "\n".join(lines)
