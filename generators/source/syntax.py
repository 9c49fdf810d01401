"""YAML syntax errors explained the way a user would fix them, at the right place."""

from __future__ import annotations

from ruamel.yaml.error import MarkedYAMLError

from generators.diagnostics import codes
from generators.source.compose import LoadProblem


def syntax_problem(exc: MarkedYAMLError, text: str) -> LoadProblem:
    """Explain a YAML syntax error the way a user would fix it.

    The wording of libyaml and of ruamel's pure parser differ, so the character at
    the error decides where it can.
    """
    problem, context = str(exc.problem or ""), str(exc.context or "")
    mark, opening = exc.problem_mark, exc.context_mark
    lines = text.splitlines()
    line_text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    char = line_text[mark.column : mark.column + 1] if mark is not None else ""
    if "undefined alias" in problem:
        message = "alias (*name) used without a matching anchor (&name)"
        hint = "define the anchor before using it, or quote a value that starts with '*'"
    elif "alias" in context:
        mark = opening or mark
        message = "a value starting with '*' is read as an alias (*name)"
        hint = 'put the value in quotes, e.g. schedule: "*/15 * * * *"'
    elif char == "\t":
        message = "tab character in indentation"
        hint = "YAML indents with spaces only: replace the tab with spaces"
    elif "cannot start any token" in problem:
        message = f"a plain value cannot start with {char!r}"
        hint = f'put the value in quotes, e.g. "{char}..."'
    elif "mapping values are not allowed" in problem:
        message = "unexpected ':' here"
        hint = "quote a value that contains ': ', or fix the indentation of this line"
    elif "block mapping" in context or "block collection" in context:
        message = "this line is indented differently from the lines around it"
        hint = "indent it like its siblings, with the same number of spaces"
    elif "quoted scalar" in context and ("escape" in problem or "hexdecimal" in problem):
        message = "invalid escape sequence in a double-quoted value"
        if "Unicode" in problem:
            hint = (
                "a \\uD800-\\uDFFF escape is half of a UTF-16 surrogate pair (as JSON writes "
                "emoji), which YAML does not combine: write the character itself, or \\U "
                "and 8 hex digits"
            )
        else:
            hint = (
                "\\x takes 2 hex digits, \\u 4 and \\U 8; write \\\\ for a backslash, or "
                "put the value in single quotes"
            )
    elif "quoted scalar" in context:
        mark = opening or mark
        message = "unclosed quote"
        hint = "close the quoted value on the same line (or escape the quote inside it)"
    elif "flow sequence" in context or "flow mapping" in context:
        mark = opening or mark
        closer = "]" if "sequence" in context else "}"
        message = f"unclosed '{'[' if closer == ']' else '{'}'"
        hint = f"close it with '{closer}' and separate items with ','"
    else:
        message = "; ".join(p for p in (problem, context) if p) or "invalid YAML"
        hint = "check indentation, colons and matching quotes/brackets near here"
    if mark is not None and mark.line >= len(lines) and opening is not None:
        mark = opening  # the end of the file says nothing: show where it was opened
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if message.startswith("a value starting with '*'") and line <= len(lines):
        # `*/15 * *` scans as the alias "*/15" and fails later: show the first '*'.
        star = lines[line - 1].find("*")
        col = star + 1 if star >= 0 else col
    return LoadProblem(codes.YAML_SYNTAX, f"invalid YAML: {message}", line, col, hint)
