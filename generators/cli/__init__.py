"""The ``platform`` command line: the group, and the one boundary from exceptions to exit codes.

Commands live one file per group: generators/cli/specs.py (validate, render, schema),
generators/cli/secrets.py (secrets …), generators/cli/revisions.py (diff, hydrate,
history, rollback), generators/cli/importing.py (import), generators/cli/cost.py (cost),
generators/cli/graph.py (graph) and generators/cli/new.py (new). Each parses its flags,
calls one function and returns an exit code; :func:`run` turns what they raise into
messages. Command modules import the layers that do the work inside each command, so
`platform --version`, `--help` and a hook's `validate` load only what they use
(docs/benchmarks.md: start-up).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from generators import __version__, workers
from generators.cli import cost, graph, importing, new, revisions, secrets, specs
from generators.cli.common import EXIT_BUG, EXIT_USAGE, echo_diagnostics, root_option
from generators.diagnostics import SpecErrors
from generators.errors import PlatformError, UsageError

ISSUES_URL = "https://github.com/acme/platform/issues"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="platform")
@root_option
def cli(root: Path | None) -> None:
    """Validate platform specs and render what the runtime needs.

    \b
    Example:
      platform validate
      platform --root ../acme-platform validate --format github
    """
    del root  # each command reads it (generators/cli/common.py: platform_root)


for command in (
    *specs.COMMANDS,
    secrets.secrets,
    *revisions.COMMANDS,
    *importing.COMMANDS,
    *cost.COMMANDS,
    *graph.COMMANDS,
    *new.COMMANDS,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one place where exceptions become messages and exit codes."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting."""
    workers.tune_gc()
    try:
        code = cli.main(args=argv, prog_name="platform", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code)
    except click.ClickException as exc:  # bad flags: usage error
        exc.show()
        return EXIT_USAGE
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except SpecErrors as exc:  # the user's specs: every problem, then what was not done
        echo_diagnostics(exc.diagnostics, exc.root, exc.files, err=exc.stderr, sources=exc.sources)
        click.echo(exc.message, err=exc.stderr)
        return exc.exit_code
    except UsageError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        return exc.exit_code
    except PlatformError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception:  # noqa: BLE001 - a bug: say so, and what to send
        click.echo(
            f"internal error: this is a bug in platform {__version__}, not in your specs.\n"
            f"Please report it at {ISSUES_URL} with the text below.\n",
            err=True,
        )
        click.echo(traceback.format_exc(), err=True)
        return EXIT_BUG
    return code if isinstance(code, int) else 0
