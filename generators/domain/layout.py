"""The rendered tree's layout: where each file goes, and the marks on objects others read.

Targets write this layout; the pipeline scopes renders by it (``--env``), ``platform
diff`` groups changes by it, and history and hydrate walk it. One place, so they agree::

    rendered/<env>/<app>/manifests.yaml     a service, or an environment-wide app (_…)
    rendered/_argocd/<env>/manifests.yaml   Argo CD projects and applications
    rendered/_silences/<env>/silences.json  Alertmanager silences (not Kubernetes objects)
    rendered/_ci/<service>/ci.yml           CI of a service whose code lives elsewhere
    <repository>/.github/workflows/<service>.yml   CI of a service whose code lives here

Service names are DNS labels, so no service directory can start with ``_``.
"""

from __future__ import annotations

#: Where render output goes, relative to the platform root.
OUTPUT_DIR = "rendered"
#: The one file of each app directory; it holds the app's objects, one YAML document each.
MANIFESTS = "manifests.yaml"

#: Environment-wide apps inside ``<env>/``.
NAMESPACES_APP = "_namespaces"
SECRETS_APP = "_secrets"
OBSERVABILITY_APP = "_observability"
#: Top directories of the output that hold one directory per environment.
ARGOCD_APP = "_argocd"
SILENCES_DIR = "_silences"
ENVIRONMENT_SCOPED = (ARGOCD_APP, SILENCES_DIR)
#: The workflow of a service whose code lives in another repository: ``_ci/<svc>/ci.yml``.
CI_DIR = "_ci"
CI_FILE = "ci.yml"
#: Where GitHub reads a repository's workflows, relative to its root.
WORKFLOWS_DIR = ".github/workflows"
#: The pseudo-environment of platform-wide files (not under any environment).
PLATFORM_WIDE = ""

#: Who made an object (the `app.kubernetes.io/managed-by` label of everything rendered).
MANAGED_BY = "platform-compiler"
#: On a Secret whose data holds no credential (the Alertmanager configuration, whose
#: credentials are file paths), "false": `platform diff` may then show its changes.
CREDENTIALS_ANNOTATION = "platform/holds-credentials"


def app_path(*parts: str) -> str:
    """``<parts...>/manifests.yaml``: the file an app's objects are written to.

    One multi-document file per app directory, not one file per object: creating files
    is most of the cost of a render (see docs/benchmarks.md), Argo CD and Flux read
    multi-document files as they are, and the app directory stays the unit of review
    and ownership.
    """
    return "/".join((*parts, MANIFESTS))


def environment_prefixes(environment: str) -> tuple[str, ...]:
    """The path prefixes under the output that belong to one environment."""
    return tuple(
        f"{top}/" for top in (environment, *(f"{d}/{environment}" for d in ENVIRONMENT_SCOPED))
    )


def place(path: str) -> tuple[str, str]:
    """(environment, app) of a rendered path.

    `<env>/<app>/…`; `_argocd/<env>/…` and `_silences/<env>/…` belong to `<env>`;
    anything else under an `_`-directory (`_ci/<service>/…`), and the repository's
    generated workflows (`.github/workflows/…`), is platform-wide.
    """
    parts = path.split("/")
    if parts[0] in ENVIRONMENT_SCOPED and len(parts) > 2:
        return parts[1], parts[0]
    if parts[0].startswith(("_", ".")) or len(parts) < 3:
        return PLATFORM_WIDE, "/".join(parts[:2]) if len(parts) > 2 else parts[0]
    return parts[0], parts[1]
