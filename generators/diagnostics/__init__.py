"""Diagnostics: how every problem of a run is coded, located, suggested about and printed.

* :mod:`~generators.diagnostics.codes`: the stable codes (PL101 …) and their severities;
* :mod:`~generators.diagnostics.diagnostic`: :class:`Diagnostic` and its :class:`Location`;
* :mod:`~generators.diagnostics.suggest`: "did you mean" hints;
* :mod:`~generators.diagnostics.formats`: human, GitHub, JSON and SARIF output.
"""

from __future__ import annotations

from generators.diagnostics.codes import Code, Severity
from generators.diagnostics.diagnostic import Diagnostic, Location, SpecErrors, merge_environments

__all__ = ["Code", "Diagnostic", "Location", "Severity", "SpecErrors", "merge_environments"]
