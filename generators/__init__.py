"""The platform compiler: validates platform specs and renders what the runtime needs."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
