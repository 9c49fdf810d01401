"""The compiler's exceptions: one root, each carrying what the user needs as data."""

from __future__ import annotations

from collections.abc import Sequence

from generators.diagnostics import Diagnostic

__all__ = ["InvalidSpecsError", "PlatformError", "UsageError"]


class PlatformError(Exception):
    """Root of every error the compiler raises on purpose."""

    exit_code = 4


class UsageError(PlatformError):
    """The command line or the repository layout is not usable (exit 3)."""

    exit_code = 3

    def __init__(self, *, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


class InvalidSpecsError(PlatformError):
    """The specs have errors; each is a located diagnostic (exit 1)."""

    exit_code = 1

    def __init__(self, *, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__(f"{len(self.diagnostics)} problem(s) in the specs")
