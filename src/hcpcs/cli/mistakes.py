"""Command-line mistakes (a typo in a command or option, a bad value, a missing argument) as
one `error:` line in the voice of the rest of the CLI, instead of click's boxed usage text."""

from __future__ import annotations

import difflib
import re
from types import ModuleType
from typing import Any

_NO_SUCH_COMMAND = re.compile(r"No such command '(.+?)'")
_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)")


def click_errors() -> ModuleType:
    """Click's exceptions as typer raises them: typer 0.28 carries its own copy of click."""
    try:
        from typer._click import exceptions
    except ImportError:  # older typer raises click's own
        from click import exceptions
    return exceptions


def _closest(word: str, candidates: list[str]) -> str | None:
    """The candidate nearest a mistyped word (dashes aside: `--colour` is not near `--on`)."""
    bare = {candidate.lstrip("-"): candidate for candidate in candidates}
    found = difflib.get_close_matches(word.lstrip("-"), list(bare), n=1, cutoff=0.6)
    return bare[found[0]] if found else None


def _option_names(command: Any) -> list[str]:
    if command is None:
        return []
    return [name for param in command.params for name in (*param.opts, *param.secondary_opts) if name.startswith("-")]


def _where(ctx: Any) -> str:
    """`hcpcs show` for a mistake in a command's arguments, `hcpcs` for one before the command."""
    return ctx.command_path if ctx is not None else "hcpcs"


def _hint(error: Any) -> str:
    """The parameter as the user typed it: `--format`, or an argument's name in capitals."""
    param = error.param
    if param is None:
        return (error.param_hint if isinstance(error.param_hint, str) else "value").strip("'\"")
    options = [name for name in param.opts if name.startswith("--")] or list(param.opts)
    if getattr(param, "param_type_name", "") == "option" and options:
        return options[0]
    return (param.name or "value").upper()


def _bad_value(error: Any) -> str:
    param = error.param
    choices = getattr(param.type, "choices", None) if param is not None else None
    if choices:
        chosen = error.message.split(" is not", 1)[0]
        valid = ", ".join(str(getattr(choice, "value", choice)) for choice in choices)
        return f"{_hint(error)}: {chosen} is not one of {valid}"
    message = error.message.rstrip(".").replace("<=x<=", " to ")
    message = re.sub(r"is not a valid (int|integer)( range)?$", "is not a whole number", message)
    message = re.sub(r"is not a valid float( range)?$", "is not a number", message)
    return f"{_hint(error)}: {message}"


def usage_line(error: Any) -> str:
    """One line (without the `error: ` prefix) saying what was mistyped and what would do."""
    errors = click_errors()
    ctx = getattr(error, "ctx", None)
    command = ctx.command if ctx is not None else None
    unknown_command = _NO_SUCH_COMMAND.match(error.message) if isinstance(error.message, str) else None
    if unknown_command:
        names = sorted(getattr(command, "commands", {}) or {})
        close = _closest(unknown_command.group(1), names)
        guess = f"; did you mean {close}?" if close else f" (commands: {', '.join(names)})"
        return f"no command {unknown_command.group(1)!r}{guess}"
    if isinstance(error, errors.NoSuchOption):
        close = _closest(error.option_name, _option_names(command))
        guess = f"; did you mean {close}?" if close else f" (see {_where(ctx)} --help)"
        return f"{_where(ctx)} has no option {error.option_name}{guess}"
    if isinstance(error, errors.MissingParameter):
        if getattr(error.param, "param_type_name", "") == "option":
            return f"{_where(ctx)} needs {_hint(error)}"
        return f"{_where(ctx)} needs {_hint(error)} (see {_where(ctx)} --help)"
    if isinstance(error, errors.BadParameter):
        return _bad_value(error)
    if isinstance(error, errors.BadOptionUsage) and error.message.endswith("requires an argument."):
        return f"{error.option_name} needs a value"
    extra = _EXTRA_ARGUMENTS.match(error.message)
    if extra:
        quoting = " (quote a query of several words)" if command is not None and command.name == "search" else ""
        return f"{_where(ctx)}: unexpected extra argument(s) {extra.group(1)}{quoting}"
    message = error.format_message().rstrip(".")
    return f"{_where(ctx)}: {message[:1].lower()}{message[1:]}"
