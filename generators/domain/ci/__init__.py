"""The per-service CI workflows: plans computed from the platform, and workflows as data.

* :mod:`~generators.domain.ci.plan`: what a service's workflow needs (source, image, pins);
* :mod:`~generators.domain.ci.workflow`: the workflow's test, build, scan and SBOM jobs;
* :mod:`~generators.domain.ci.pins`: the jobs that pin a built image by pull request;
* :mod:`~generators.domain.ci.stacks`: lint and test steps per stack;
* :mod:`~generators.domain.ci.actions`: the third-party actions, pinned to commits.

The target (generators/targets/ci.py) places them; the checks (generators/checks/ci.py)
refuse what they could not build.
"""
