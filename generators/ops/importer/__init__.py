"""`platform import`: Kubernetes manifests in, the Service specs that reproduce them out.

:func:`import_manifests` (mapping.py) maps the objects: manifests.py reads and groups
them, workload.py maps each workload with container.py, network.py and volumes.py, and
patching.py with leftovers.py turns what no spec field expresses into `spec.patches`,
compared with what the platform renders (baseline.py). :func:`run_import` (write.py)
validates the result on a copy of the platform and writes it.
"""

from __future__ import annotations

from generators.ops.importer.mapping import Imports, import_manifests, spec_text
from generators.ops.importer.write import Outcome, run_import

__all__ = ["Imports", "Outcome", "import_manifests", "run_import", "spec_text"]
