"""Service templates (`templates/services/`): listed, answered, rendered and written.

What `platform new` calls, in order:

* :mod:`~generators.ops.scaffold.catalog`: the templates and their manifests;
* :mod:`~generators.ops.scaffold.facts`: the names a platform has (teams, services…);
* :mod:`~generators.ops.scaffold.answers`: answers from `--set` or a file, checked
  against the template's parameters and those facts (located diagnostics);
* :mod:`~generators.ops.scaffold.render`: the spec texts and the skeleton, in memory;
* :mod:`~generators.ops.scaffold.write`: the skeleton into a directory or a new git
  repository.

:func:`scaffold` runs the first three: nothing is written when an answer is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.diagnostics import Diagnostic
from generators.ops.scaffold.answers import (
    RawAnswers,
    answers_from_file,
    answers_from_set,
    resolve_answers,
)
from generators.ops.scaffold.catalog import (
    TEMPLATES_DIR,
    Template,
    list_templates,
    load_template,
    template_names,
)
from generators.ops.scaffold.facts import EnvironmentFacts, PlatformFacts, facts_from
from generators.ops.scaffold.render import (
    ANSWERS_FILE,
    answers_text,
    context,
    render_default,
    render_skeleton,
    render_specs,
    with_workflow,
)
from generators.ops.scaffold.write import write_directory, write_repository
from generators.spec.template import Answer

__all__ = [
    "ANSWERS_FILE",
    "TEMPLATES_DIR",
    "EnvironmentFacts",
    "PlatformFacts",
    "RawAnswers",
    "Scaffold",
    "Template",
    "answers_from_file",
    "answers_from_set",
    "facts_from",
    "list_templates",
    "load_template",
    "scaffold",
    "template_names",
    "with_workflow",
    "write_directory",
    "write_repository",
]


@dataclass(frozen=True)
class Scaffold:
    """A template answered: the specs and skeleton to write, or why there are none."""

    template: Template
    answers: dict[str, Answer]
    diagnostics: tuple[Diagnostic, ...]
    #: Spec files to add to the platform, ``{path: text}`` (empty when there are errors).
    specs: dict[str, str]
    #: The starter code with its answers file, ``{path: bytes}`` (empty on errors).
    skeleton: dict[str, bytes]

    @property
    def ok(self) -> bool:
        """Whether every answer was accepted."""
        return not self.diagnostics


def scaffold(template: Template, raw: RawAnswers, facts: PlatformFacts) -> Scaffold:
    """Check ``raw`` against the template and the platform; render when all are good."""
    answers, found = resolve_answers(template.manifest, raw, facts, render_default)
    if found:
        return Scaffold(template, answers, tuple(sorted(found, key=Diagnostic.sort_key)), {}, {})
    values = context(template, answers, facts.first)
    skeleton = render_skeleton(template, values)
    if skeleton:
        skeleton[ANSWERS_FILE] = answers_text(template, answers).encode()
        skeleton = dict(sorted(skeleton.items()))
    return Scaffold(template, answers, (), render_specs(template, values), skeleton)
