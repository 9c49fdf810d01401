"""The jobs that pin a new image in the platform repository, by pull request.

Each opens (or updates) one pull request per environment on a fixed branch,
`platform/pin-<service>-<env>`: the environment file's `spec.images.<service>` set to
the image digest that was built, scanned and recorded, edited with yq (on GitHub's
Ubuntu runners), and the tree re-rendered with the platform's own compiler, so the pull
request carries the manifests it deploys and passes `platform render --check`.
"""

from __future__ import annotations

from typing import Any

from generators.domain.ci.actions import uses
from generators.domain.ci.plan import Pin, Plan

#: The repository secret that opens pull requests on the platform repository.
TOKEN_SECRET = "PLATFORM_REPO_TOKEN"
#: The GitHub environment whose protection rules (required reviewers) gate production.
PRODUCTION = "production"
#: The Python the pin jobs install the compiler with.
COMPILER_PYTHON = "3.12"

_CHECK_TOKEN = f"""\
if [ -z "$TOKEN" ]; then
  echo "::error::Add the repository secret {TOKEN_SECRET}, allowed to push branches to and \
open pull requests on $PLATFORM_REPOSITORY (docs/ci.md)."
  exit 1
fi
"""

_PIN = """\
: "${PIN:?the build job reported no image digest}"
branch="platform/pin-$SERVICE-$ENVIRONMENT"
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
if [ -n "$BASE" ]; then
  git fetch --quiet --depth=1 origin "refs/heads/$BASE"
  git switch --quiet --discard-changes --force-create "$branch" FETCH_HEAD
else
  git switch --quiet --discard-changes --force-create "$branch" "$START"
fi
yq -i "$PIN_EXPRESSION" "$ENVIRONMENT_FILE"
platform --root "$PLATFORM_ROOT" render
git add -A -- "$ENVIRONMENT_FILE" "$PLATFORM_ROOT/rendered"
if git diff --cached --quiet; then
  echo "$SERVICES already run $IMAGE@$PIN in $ENVIRONMENT."
  exit 0
fi
title="Deploy $SERVICE ${SOURCE_REPOSITORY}@${SOURCE_SHA:0:12} to $ENVIRONMENT"
body="Pins \\`$IMAGE@$PIN\\` for $SERVICES in \\`$ENVIRONMENT_FILE\\`: \
built from $SERVER_URL/$SOURCE_REPOSITORY/commit/$SOURCE_SHA, scanned with Trivy and \
recorded as an SBOM by $RUN_URL.

The rendered manifests are included; merging deploys them."
git commit --quiet --message "$title" --message "$body"
git push --force origin "HEAD:refs/heads/$branch"
open="$(gh pr list --repo "$PLATFORM_REPOSITORY" --head "$branch" --state open \\
  --json number --jq '.[0].number // empty')"
if [ -n "$open" ]; then
  gh pr edit "$open" --repo "$PLATFORM_REPOSITORY" --title "$title" --body "$body"
else
  base=()
  if [ -n "$BASE" ]; then base=(--base "$BASE"); fi
  gh pr create --repo "$PLATFORM_REPOSITORY" --head "$branch" "${base[@]}" \\
    --title "$title" --body "$body"
fi
"""


def token(plan: Plan) -> str:
    """The token that pushes the branch and opens the pull request."""
    if plan.in_repo:
        # GITHUB_TOKEN suffices, but pull requests it opens start no workflows.
        return f"${{{{ secrets.{TOKEN_SECRET} || github.token }}}}"
    return f"${{{{ secrets.{TOKEN_SECRET} }}}}"


def expression(services: tuple[str, ...]) -> str:
    """The yq expression setting each service's pin (names are DNS labels: no quoting)."""
    parts = []
    for name in services:
        key = f'.spec.images["{name}"]'
        parts += [f"{key} = strenv(PIN)", f'{key} style="double"']
    return " | ".join(parts)


def job(
    plan: Plan, pins: tuple[Pin, ...], needs: list[str], publish: str, environment: str | None
) -> dict[str, Any]:
    """A job pinning the image in ``pins``, one pull request each.

    ``environment`` names the GitHub environment whose protection rules gate the job.
    """
    repository = plan.platform_repository or "${{ github.repository }}"
    base_fallback = "${{ github.event.repository.default_branch }}" if plan.in_repo else ""
    steps: list[dict[str, Any]] = []
    if not plan.in_repo:
        steps.append(
            {
                "name": "Check the platform repository token",
                "env": {
                    "TOKEN": f"${{{{ secrets.{TOKEN_SECRET} }}}}",
                    "PLATFORM_REPOSITORY": repository,
                },
                "run": _CHECK_TOKEN,
            }
        )
    checkout: dict[str, Any] = {"token": token(plan)}
    if not plan.in_repo:
        checkout = {"repository": repository, **checkout}
    bases = {pin.base for pin in pins}
    if len(bases) == 1 and (only := bases.pop()) is not None:
        checkout["ref"] = only
    elif plan.in_repo:
        checkout["ref"] = base_fallback
    steps += [
        {
            "name": "Check out the platform repository",
            "uses": uses("actions/checkout"),
            "with": checkout,
        },
        {
            "name": "Set up Python",
            "uses": uses("actions/setup-python"),
            "with": {"python-version": COMPILER_PYTHON},
        },
        {
            "name": "Install the platform compiler",
            "run": 'python -m pip install .\necho "START=$(git rev-parse HEAD)" >> "$GITHUB_ENV"\n',
        },
    ]
    for pin in pins:
        steps.append(
            {
                "name": f"Open the pull request pinning the image in {pin.environment}",
                "env": {
                    "GH_TOKEN": token(plan),
                    "PLATFORM_REPOSITORY": repository,
                    "PLATFORM_ROOT": plan.platform_path.rstrip("/") or ".",
                    "ENVIRONMENT": pin.environment,
                    "ENVIRONMENT_FILE": pin.file,
                    "BASE": pin.base or base_fallback,
                    "SERVICE": plan.service,
                    "SERVICES": " ".join(pin.services),
                    "PIN": "${{ needs.build.outputs.digest }}",
                    "PIN_EXPRESSION": expression(pin.services),
                    "SOURCE_REPOSITORY": "${{ github.repository }}",
                    "SOURCE_SHA": "${{ github.sha }}",
                    "SERVER_URL": "${{ github.server_url }}",
                    "RUN_URL": "${{ github.server_url }}/${{ github.repository }}"
                    "/actions/runs/${{ github.run_id }}",
                },
                "run": _PIN,
            }
        )
    permissions = {"contents": "write", "pull-requests": "write"} if plan.in_repo else {}
    envs = ", ".join(pin.environment for pin in pins)
    return {
        "name": f"Pin the image in {envs}",
        "needs": needs,
        "if": publish,
        **({"environment": environment} if environment else {}),
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 20,
        "permissions": permissions,
        # One pin at a time per environment; a newer image queues behind (never cancels).
        "concurrency": {
            "group": f"{plan.service}-pin-{pins[0].environment if len(pins) == 1 else PRODUCTION}",
            "cancel-in-progress": False,
        },
        "steps": steps,
    }


def jobs(plan: Plan, publish: str) -> dict[str, dict[str, Any]]:
    """`pin-<first env>`, then `production` (the protected environments, after approval)."""
    out: dict[str, dict[str, Any]] = {}
    gate = ["build", "scan", "sbom"]
    if plan.first is not None:
        out[f"pin-{plan.first.environment}"] = job(plan, (plan.first,), gate, publish, None)
        gate = ["build", f"pin-{plan.first.environment}"]
    if plan.protected:
        out[PRODUCTION] = job(plan, plan.protected, gate, publish, PRODUCTION)
    return out
