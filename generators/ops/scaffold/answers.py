"""A template's answers: read from `--set` pairs or an answers file, checked, located."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.diagnostics import Code, Diagnostic, Location, codes
from generators.diagnostics.suggest import did_you_mean
from generators.errors import UsageError
from generators.ops.scaffold.facts import PlatformFacts
from generators.source.load import load_text
from generators.spec.quantity import parse_quantity
from generators.spec.template import LIST_TYPES, Answer, Parameter, ServiceTemplate

#: A service name: a DNS-1035 label (it names the Service object), short enough for the
#: names derived from it (`<name>-<volume>` claims, `vol-` prefixes).
SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
SERVICE_NAME_MAX = 55
#: Where `--set` answers are reported: the argument's position, counted from 1.
SET_FILE = "--set"


@dataclass(frozen=True)
class RawAnswers:
    """Answers as given, and where each was written."""

    values: Mapping[str, Any]
    #: Location of an answer (``(key,)``) or of one item of a list (``(key, index)``).
    locate: Callable[[tuple[str | int, ...], bool], Location]
    #: The values are command-line text, to be read as the parameter's type.
    text: bool
    #: Where a missing answer is reported.
    origin: Location


def answers_from_set(pairs: Sequence[str], flags: Mapping[str, str] | None = None) -> RawAnswers:
    """Answers from `--set key=value` arguments (values are text, read per type).

    ``flags`` are answers given by an option of their own (`--name orders`): key ->
    value, reported at that option instead of at a `--set` argument.

    Raises:
        UsageError: an argument without `=`.
    """
    values: dict[str, str] = {}
    places: dict[str, int] = {}
    for index, pair in enumerate(pairs):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(
                message=f"--set {pair!r} is not a key=value pair",
                hint="write it as --set key=value, e.g. --set port=8080",
            )
        values[key.strip()] = value
        places[key.strip()] = index
    flagged = dict(flags or {})
    values.update(flagged)

    def locate(path: tuple[str | int, ...], key: bool) -> Location:
        name = str(path[0])
        if name in flagged:
            return Location(f"--{name}", 1, 1)
        col = 1 if key else len(name) + 2
        return Location(SET_FILE, places.get(name, 0) + 1, col)

    return RawAnswers(values, locate, True, Location(SET_FILE, 1, 1))


def answers_from_file(path: Path, shown: str) -> tuple[RawAnswers | None, list[Diagnostic]]:
    """Answers from a YAML file, located (``shown`` is its path in diagnostics)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(message=f"cannot read the answers file {shown}: {exc.strerror}") from None
    doc, problems = load_text(shown, raw)
    if doc is None:
        return None, problems
    return (
        RawAnswers(
            doc.data,
            lambda p, key: doc.locate(p, key=key),
            False,
            Location(shown, 1, 1),
        ),
        [],
    )


def resolve_answers(
    template: ServiceTemplate,
    raw: RawAnswers,
    facts: PlatformFacts,
    render_default: Callable[[str, Mapping[str, Answer]], str],
) -> tuple[dict[str, Answer], list[Diagnostic]]:
    """Every parameter's answer (given, else its default), and each problem found.

    ``render_default`` renders a string default that refers to earlier answers.
    """
    found: list[Diagnostic] = []
    names = [p.name for p in template.spec.parameters]
    for key in raw.values:
        if str(key).startswith("_") or key in names:
            continue  # `_template` and other `_` keys describe the file, not an answer
        found.append(
            Diagnostic(
                codes.UNKNOWN_FIELD,
                f"the template {template.metadata.name!r} has no parameter {str(key)[:40]!r}",
                raw.locate((str(key),), True),
                str(key),
                did_you_mean(str(key), names, what="parameters"),
            )
        )
    answers: dict[str, Answer] = {}
    for param in template.spec.parameters:
        if param.name in raw.values:
            check = _Check(param, raw, facts)
            answers[param.name] = check.value(raw.values[param.name])
            found.extend(check.found)
        elif param.required:
            how = f"--set {param.name}=…" if raw.text else f"`{param.name}:` to the answers file"
            found.append(
                Diagnostic(
                    codes.MISSING_FIELD,
                    f"the parameter {param.name!r} needs an answer",
                    raw.origin,
                    param.name,
                    f"add {how} — {param.description.rstrip('.')}",
                )
            )
            answers[param.name] = None
        else:
            answers[param.name] = _default(param, facts, answers, render_default)
    return answers, found


def _default(
    param: Parameter,
    facts: PlatformFacts,
    answers: Mapping[str, Answer],
    render_default: Callable[[str, Mapping[str, Answer]], str],
) -> Answer:
    if param.type == "environments" and param.default is None:
        return facts.unprotected
    if isinstance(param.default, str) and "{{" in param.default:
        return render_default(param.default, answers)
    return list(param.default) if isinstance(param.default, list) else param.default


class _Check:
    """One parameter's answer read as its type and checked; problems in ``found``."""

    def __init__(self, param: Parameter, raw: RawAnswers, facts: PlatformFacts) -> None:
        self.param, self.raw, self.facts = param, raw, facts
        self.found: list[Diagnostic] = []

    def problem(self, code: Code, message: str, hint: str, index: int | None = None) -> None:
        path: tuple[str | int, ...] = (
            (self.param.name,)
            if index is None
            else (
                self.param.name,
                index,
            )
        )
        key = self.param.name + (f"[{index}]" if index is not None else "")
        self.found.append(Diagnostic(code, message, self.raw.locate(path, False), key, hint))

    def value(self, value: Any) -> Answer:
        kind = self.param.type
        if value is None and self.param.default is None and not self.param.required:
            return None  # an optional answer left empty: the default, none
        if kind in LIST_TYPES:
            return self.names(value)
        if kind == "integer":
            return self.integer(value)
        if kind == "boolean":
            return self.boolean(value)
        if kind == "quantity":
            return self.quantity(value)
        if not isinstance(value, str):
            self.wrong(value, "a string", "put the value in quotes")
            return None
        text = value.strip() if self.raw.text else value
        getattr(self, kind if kind != "string" else "string")(text)
        return text

    def wrong(self, value: Any, expected: str, hint: str) -> None:
        got = "a list" if isinstance(value, list) else type(value).__name__
        if isinstance(value, bool):
            got = f"a boolean ({str(value).lower()})"
        elif isinstance(value, (int, float)):
            got = f"a number ({value})"
        elif isinstance(value, str):
            got = "a string"
        elif isinstance(value, Mapping):
            got = "a mapping"
        self.problem(codes.WRONG_TYPE, f"expected {expected}, got {got}", hint)

    def integer(self, value: Any) -> int | None:
        if self.raw.text and isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong(value, "an integer", f"write a whole number, e.g. {self.param.default}")
            return None
        low, high = self.param.minimum, self.param.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(
                codes.INVALID_VALUE,
                f"{value} is outside {low if low is not None else '…'}-"
                f"{high if high is not None else '…'}",
                f"choose a number from {low} to {high}",
            )
        return value

    def boolean(self, value: Any) -> bool | None:
        if self.raw.text and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.wrong(value, "true or false", "write true or false")
            return None
        return value

    def quantity(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.wrong(value, "a quantity", "write e.g. 250m or 512Mi")
            return None
        try:
            parse_quantity(value)
        except ValueError:
            self.problem(
                codes.BAD_QUANTITY,
                f"the {self.param.name} value is not a Kubernetes quantity",
                "use a number with an optional suffix: m (milli), k, M, G (powers of 10) "
                "or Ki, Mi, Gi (powers of 2), e.g. 250m or 512Mi",
            )
            return None
        return str(value)

    def string(self, value: str) -> None:
        if self.param.pattern and not re.fullmatch(self.param.pattern, value):
            self.problem(
                codes.INVALID_VALUE,
                f"the {self.param.name} value is not in the expected format",
                f"it must match {self.param.pattern} — {self.param.description.rstrip('.')}",
            )
        self.length(value)

    def length(self, value: str) -> None:
        most = self.param.maxLength
        if most is not None and len(value) > most:
            self.problem(
                codes.NAME_TOO_LONG if self.param.type == "name" else codes.INVALID_VALUE,
                f"the {self.param.name} value is {len(value)} characters; at most {most}",
                f"shorten it to {most} characters or fewer",
            )

    def choice(self, value: str) -> None:
        if value not in self.param.choices:
            shown = ", ".join(repr(c) for c in self.param.choices)
            guess = did_you_mean(value, self.param.choices)
            self.problem(
                codes.INVALID_VALUE,
                f"{value[:24]!r} is not one of {shown}",
                guess if guess.startswith("did") else f"choose one of {shown}",
            )

    def name(self, value: str) -> None:
        if not SERVICE_NAME.fullmatch(value):
            lower = value.lower()
            self.problem(
                codes.INVALID_NAME,
                f"{value[:40]!r} is not a valid service name",
                "use lowercase letters, digits and '-', starting with a letter and not "
                "ending with '-'" + (f", e.g. {lower!r}" if SERVICE_NAME.fullmatch(lower) else ""),
            )
        if self.param.maxLength is None and len(value) > SERVICE_NAME_MAX:
            self.param = self.param.model_copy(update={"maxLength": SERVICE_NAME_MAX})
        self.length(value)
        if value in self.facts.services:
            self.problem(
                codes.DUPLICATE_NAME,
                f"a service named {value!r} exists already",
                f"choose another name: {self.facts.services[value]} defines {value!r}",
            )

    def team(self, value: str) -> None:
        if value not in self.facts.teams:
            self.problem(
                codes.UNKNOWN_TEAM,
                f"there is no team {value[:40]!r}",
                did_you_mean(value, self.facts.teams, what="teams")
                + " (a team is a spec under platform/teams/)",
            )

    def secret(self, value: str) -> None:
        if value and value not in self.facts.secrets:
            self.problem(
                codes.UNKNOWN_SECRET,
                f"there is no secret {value[:40]!r}",
                did_you_mean(value, self.facts.secrets, what="secrets")
                + " (a secret is a spec under platform/secrets/, with a value per environment)",
            )

    def names(self, value: Any) -> list[str] | None:
        if self.raw.text and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong(value, "a list of names", "write a list, e.g. `[a, b]` (--set: a,b)")
            return None
        for index, item in enumerate(value):
            at = None if self.raw.text else index
            if value.index(item) != index:
                self.problem(codes.INVALID_VALUE, f"{item!r} is given twice", "list it once", at)
            elif self.param.type == "services" and item not in self.facts.services:
                self.problem(
                    codes.UNKNOWN_SERVICE,
                    f"there is no service {item[:40]!r} to depend on",
                    did_you_mean(item, self.facts.services, what="services"),
                    at,
                )
            elif self.param.type == "services" and item not in (
                self.facts.services if self.facts.serving is None else self.facts.serving
            ):
                self.problem(
                    codes.INVALID_VALUE,
                    f"{item!r} serves no traffic (it is not a web service) to depend on",
                    "list only web services: their URLs become env vars "
                    + did_you_mean(item, self.facts.serving or (), what="web services"),
                    at,
                )
            elif self.param.type == "integrations" and item not in self.facts.integrations:
                self.problem(
                    codes.UNKNOWN_INTEGRATION,
                    f"there is no integration instance {item[:40]!r}",
                    did_you_mean(item, self.facts.integrations, what="integrations")
                    + " (instances are specs under platform/integrations/)",
                    at,
                )
            elif self.param.type == "environments":
                self.environment(item, at)
        if self.param.type == "environments" and not self.found:
            self.chain(value)
        return value

    def environment(self, item: str, at: int | None) -> None:
        known = {e.name: e for e in self.facts.environments}
        if item not in known:
            self.problem(
                codes.UNKNOWN_ENVIRONMENT,
                f"there is no environment {item[:40]!r}",
                did_you_mean(item, known, what="environments"),
                at,
            )
        elif known[item].protected:
            self.problem(
                codes.INVALID_VALUE,
                f"{item!r} is protected: a new service does not start there",
                "leave it out: production is a later, explicit promotion "
                f"(start in {', '.join(self.facts.unprotected) or 'an unprotected one'})",
                at,
            )

    def chain(self, value: list[str]) -> None:
        if set(value) in ({self.facts.first}, set(self.facts.unprotected)):
            return
        self.problem(
            codes.INVALID_VALUE,
            "a new service runs in the first environment, or in every unprotected one",
            f"answer [{self.facts.first}] (lifecycle development) or "
            f"[{', '.join(self.facts.unprotected)}] (lifecycle staging)",
        )
