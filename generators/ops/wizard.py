"""The `platform new` wizard: a template's questions, asked in a terminal with questionary.

Each answer is checked as it is typed (a name no service has, a quantity Kubernetes
reads, a number in range); lists are checkboxes of what the platform has. The answers
come back as `--set` pairs, so the wizard and a script take one path from there on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generators.errors import UsageError
from generators.ops.scaffold import (
    TEMPLATES_DIR,
    PlatformFacts,
    list_templates,
    load_template,
)
from generators.ops.scaffold.render import render_default
from generators.spec.quantity import parse_quantity
from generators.spec.template import Parameter

NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def ask(
    root: Path, template: str | None, given: Sequence[str], facts: PlatformFacts
) -> tuple[str, list[str]]:
    """The template and every answer not ``given``, asked one by one.

    Raises:
        UsageError: when the questions are interrupted (nothing is written).
    """
    import questionary

    templates = list_templates(root / TEMPLATES_DIR)
    if template is None:
        choices = [
            questionary.Choice(f"{t.name}: {t.manifest.metadata.description[:60]}", t.name)
            for t in templates
        ]
        template = _answer(questionary.select("Template:", choices=choices))
    chosen = load_template(root / TEMPLATES_DIR, template)
    so_far: dict[str, Any] = {}
    for pair in given:
        key, _, value = pair.partition("=")
        so_far[key] = value
    out = list(given)
    for parameter in chosen.manifest.spec.parameters:
        if parameter.name in so_far:
            continue
        default = parameter.default
        if isinstance(default, str) and "{{" in default:  # refers to earlier answers
            default = render_default(default, so_far)
        answer = _question(questionary, parameter, default, facts)
        if answer is not None:
            out.append(f"{parameter.name}={answer}")
            so_far[parameter.name] = answer
    return template, out


def _question(
    questionary: Any, parameter: Parameter, default: Any, facts: PlatformFacts
) -> str | None:
    """Ask one parameter; its answer as `--set` text (None: keep the default)."""
    prompt = f"{parameter.description}"
    kind = parameter.type
    if kind in ("team", "choice", "secret"):
        options = {
            "team": sorted(facts.teams),
            "choice": list(parameter.choices or ()),
            "secret": ["", *sorted(facts.secrets)],
        }[kind]
        start = str(default) if default in options else None
        return str(_answer(questionary.select(prompt, choices=options, default=start)))
    if kind in ("environments", "services", "integrations"):
        options = {
            "environments": list(facts.unprotected),
            "services": sorted(facts.services),
            "integrations": sorted(facts.integrations),
        }[kind]
        if not options:
            return None
        picked = _answer(questionary.checkbox(prompt, choices=options))
        return ",".join(picked) if picked else ("" if kind != "environments" else None)
    if kind == "boolean":
        return "true" if _answer(questionary.confirm(prompt, default=bool(default))) else "false"
    text = "" if default is None else str(default)
    check = _checker(parameter, facts)
    return str(_answer(questionary.text(prompt, default=text, validate=check))) or None


def _checker(parameter: Parameter, facts: PlatformFacts) -> Any:
    """The check a typed answer must pass: True, or what is wrong with it."""

    def check(value: str) -> bool | str:
        value = value.strip()
        if not value:
            return "an answer is needed" if parameter.required else True
        if parameter.type == "name":
            if not NAME.fullmatch(value) or len(value) > 55:
                return "lowercase letters, digits and '-', starting with a letter (at most 55)"
            if value in facts.services:
                return f"a service {value!r} exists already ({facts.services[value]})"
        if parameter.type == "integer":
            if not re.fullmatch(r"-?[0-9]+", value):
                return "a whole number"
            number = int(value)
            low, high = parameter.minimum, parameter.maximum
            if (low is not None and number < low) or (high is not None and number > high):
                return f"between {low} and {high}"
        if parameter.type == "quantity":
            try:
                parse_quantity(value)
            except ValueError:
                return "a Kubernetes quantity, e.g. 250m or 512Mi"
        if parameter.pattern is not None and not re.fullmatch(parameter.pattern, value):
            return f"it must match {parameter.pattern}"
        return True

    return check


def _answer(question: Any) -> Any:
    value = question.ask()
    if value is None:  # Ctrl-C or Ctrl-D: questionary returns None
        raise UsageError(message="interrupted: nothing was written")
    return value
