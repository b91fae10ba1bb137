"""The `hcpcs` command line: thin over the Python API (parse, call, render).
One module per group of commands; importing them registers the commands on the app."""

from __future__ import annotations

import sys

import typer

from hcpcs.cli import claims, codes, drugs, export, history, releases, serve  # noqa: F401  (registers commands)
from hcpcs.cli.app import app
from hcpcs.errors import HcpcsError, UnknownCodeError

__all__ = ["app", "main"]

#: The order `hcpcs --help` lists the commands in: releases, codes, time, claims, output.
ORDER = ("load", "releases", "update", "warnings", "show", "search", "codebook", "price", "ndc", "diff", "history",
         "validate", "export", "serve")  # fmt: skip
app.registered_commands.sort(key=lambda command: ORDER.index(command.name or command.callback.__name__))


def main(args: list[str] | None = None) -> None:
    """Run the CLI; errors become one line on stderr: exit status 2 for a mistake in the command
    or the input, 1 for a code that is not there."""
    from hcpcs.cli.mistakes import click_errors, usage_line

    errors = click_errors()
    try:
        status = typer.main.get_command(app).main(args, prog_name="hcpcs", standalone_mode=False)
    except errors.NoArgsIsHelpError as error:
        typer.echo(error.format_message())
        sys.exit(2)
    except errors.ClickException as error:
        typer.echo(f"error: {usage_line(error)}", err=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(1)
    except UnknownCodeError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
    except HcpcsError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(status if isinstance(status, int) else 0)
