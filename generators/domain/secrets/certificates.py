"""Each environment's sealing certificate, read from the repository (or why it cannot be)."""

from __future__ import annotations

from pathlib import Path

from generators.errors import UsageError
from generators.model.platform import Platform


def load_certificates(root: Path, platform: Platform) -> dict[str, object]:
    """Environment -> its sealing certificate (a sealing.Certificate), or why it is unusable.

    Only environments that seal have one; cryptography is imported only for them.
    """
    out: dict[str, object] = {}
    for env, (_, environment) in platform.environments.items():
        sealing = environment.spec.secrets.sealing
        if sealing is None:
            continue
        from generators.domain.secrets import sealing as sealer  # cryptography: only when used

        path = root / sealing.certificate
        if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
            out[env] = f"the certificate file {sealing.certificate} does not exist"
            continue
        try:
            out[env] = sealer.load_certificate(path.read_bytes(), sealing.certificate)
        except UsageError as exc:
            out[env] = exc.message
        except OSError as exc:
            out[env] = f"the certificate file {sealing.certificate} cannot be read ({exc.strerror})"
    return out
