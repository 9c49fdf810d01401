"""A template rendered with its answers: the spec texts and the skeleton's files, in memory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from generators.domain.layout import CI_DIR, WORKFLOWS_DIR
from generators.ops.scaffold.catalog import Template
from generators.spec.template import Answer

#: The answers file written into every skeleton (copier-style: replay it with `--answers`).
ANSWERS_FILE = ".platform-answers.yaml"
#: Skeleton files with this suffix are rendered (and lose it); others are copied as they are.
RENDERED_SUFFIX = ".j2"


def _quote(value: Any) -> str:
    """A value as a YAML (JSON) flow scalar or list: safe whatever the text holds."""
    return json.dumps(value, ensure_ascii=False)


def _camel(value: str) -> str:
    """A service name as the start of an alert name: `orders-worker` -> `OrdersWorker`."""
    return "".join(part[:1].upper() + part[1:] for part in value.replace("_", "-").split("-"))


def _environment(directory: Path | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory) if directory is not None else None,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["quote"] = _quote
    env.filters["camel"] = _camel
    return env


def render_default(text: str, answers: Mapping[str, Answer]) -> str:
    """A parameter's default that refers to earlier answers (`{{ name }}`)."""
    return _environment(None).from_string(text).render(**answers)


def context(template: Template, answers: Mapping[str, Answer], first: str | None) -> dict[str, Any]:
    """What spec templates and skeleton files see: the answers, and what follows from them.

    * ``lifecycle``: `development` when the service starts in the first environment only
      (``first``), `staging` when in every unprotected one;
    * ``requests``/``limits``: the `resources` preset's, with the `cpu` and `memory`
      answers (when given) as the requests;
    * ``template``: the template's name.
    """
    out: dict[str, Any] = dict(answers)
    envs = answers.get("environments")
    out["lifecycle"] = "development" if isinstance(envs, list) and envs == [first] else "staging"
    presets = template.manifest.spec.presets
    preset = presets.get(str(answers.get("resources")))  # type: ignore[call-overload]
    if preset is not None:
        requests = preset.requests.model_dump(exclude_none=True)
        limits = preset.limits.model_dump(exclude_none=True)
        for key in ("cpu", "memory"):
            if answers.get(key) is not None:
                requests[key] = answers[key]
        out["requests"], out["limits"] = requests, limits
    out["template"] = template.name
    return out


def render_specs(template: Template, values: Mapping[str, Any]) -> dict[str, str]:
    """The spec files the template adds, ``{path in the platform: text}``, sorted."""
    env = _environment(template.directory)
    out: dict[str, str] = {}
    for target, source in sorted(template.manifest.spec.specs.items()):
        path = env.from_string(target).render(**values)
        out[path] = env.get_template(source).render(**values)
    return dict(sorted(out.items()))


def render_skeleton(template: Template, values: Mapping[str, Any]) -> dict[str, bytes]:
    """The starter code, ``{relative path: bytes}``, sorted; with the answers file.

    Paths may use `{{ name }}`; files ending in `.j2` are rendered (the suffix dropped),
    others copied byte for byte. Empty when the template has no skeleton.
    """
    root = template.skeleton
    if root is None or not root.is_dir():
        return {}
    env = _environment(root)
    out: dict[str, bytes] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        target = env.from_string(rel).render(**values) if "{{" in rel else rel
        if target.endswith(RENDERED_SUFFIX):
            target = target.removesuffix(RENDERED_SUFFIX)
            out[target] = env.get_template(rel).render(**values).encode()
        else:
            out[target] = path.read_bytes()
    return dict(sorted(out.items()))


def answers_text(template: Template, answers: Mapping[str, Answer]) -> str:
    """The answers as a YAML file that `--answers` replays, in the parameters' order."""
    lines = [
        f"# Answers to the {template.name!r} service template; replay them with",
        f"# `platform new {template.name} --answers {ANSWERS_FILE}`.",
        f"_template: {_quote(template.name)}",
    ]
    for param in template.manifest.spec.parameters:
        value = answers.get(param.name)
        lines.append(f"{param.name}: {'null' if value is None else _quote(value)}")
    return "\n".join(lines) + "\n"


def with_workflow(
    skeleton: Mapping[str, bytes], tree: Mapping[str, bytes], service: str
) -> dict[str, bytes]:
    """The skeleton plus the CI workflow the compiler rendered for the service.

    ``tree`` is the platform rendered with the new spec. A service whose code lives in
    its own repository gets its workflow at `rendered/_ci/<service>/ci.yml`; it goes
    into the skeleton as `.github/workflows/ci.yml`. Code kept in the platform
    repository is built by the platform's own `.github/workflows/<service>.yml`, so
    the skeleton is returned as it is.
    """
    workflow = tree.get(f"{CI_DIR}/{service}/ci.yml")
    if workflow is None:
        return dict(skeleton)
    return dict(sorted({**skeleton, f"{WORKFLOWS_DIR}/ci.yml": workflow}.items()))
