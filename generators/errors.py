"""The compiler's exceptions: one root, each carrying what the user needs as data."""

from __future__ import annotations

__all__ = ["PlatformError", "UsageError"]


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
