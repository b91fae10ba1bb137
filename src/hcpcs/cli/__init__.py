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


def main() -> None:
    """Run the CLI; errors become one line on stderr and exit status 2."""
    try:
        app()
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
