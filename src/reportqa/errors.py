"""Every error reportqa declares: the library's, meant for the person using it rather than a
traceback, and the command line's, which carry the exit status.

The library raises `ReportQAError` subclasses; a command turns them into `CommandError`s in one
place (`command_errors`), and click prints "Error: <message>" on stderr and exits with the status
the error carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final, Literal

import click


class ReportQAError(Exception):
    """A user-facing problem: bad input, a missing model, a missing or mismatched index."""


class ModelUnavailableError(ReportQAError):
    """The embedding model is neither bundled nor found locally."""


class IndexUnusableError(ReportQAError):
    """The index is missing, corrupt, or was built with other settings."""


class InputError(ReportQAError):
    """A question or a report file that cannot be used as given."""


class UnsafeIndexDirError(InputError):
    """The index folder holds something reportqa did not make; it will not be replaced."""


class GeneratorError(ReportQAError):
    """The generator failed (unreachable, timed out, bad reply, model missing)."""


class AdminRefused(ReportQAError):
    """Report management cannot be enabled as asked (the message says why)."""


# --- the command line ---------------------------------------------------------------------------

# Exit statuses, as the README states them: 1 when a command could not do its work (a missing or
# damaged index, a missing model, files that could not be read), 2 when its input cannot be used.
FAILED: Final = 1
BAD_INPUT: Final = 2


class CommandError(click.ClickException):
    """A command that could not do its work; click prints the message and exits with status 1."""

    exit_code = FAILED


class CommandInputError(CommandError):
    """A command given input it cannot use (a question, a file, a report id); exit status 2."""

    exit_code = BAD_INPUT


def command_error(exc: ReportQAError, input_status: Literal[1, 2] = BAD_INPUT) -> CommandError:
    """The command-line error for a library error: its message, and status 2 for bad input (or
    `input_status`: eval, reports, remove and serve have always exited with 1 for every error, and
    scripts may rely on it), 1 for anything else."""
    if isinstance(exc, InputError) and input_status == BAD_INPUT:
        return CommandInputError(str(exc))
    return CommandError(str(exc))


@contextmanager
def command_errors(input_status: Literal[1, 2] = BAD_INPUT) -> Iterator[None]:
    """Library errors raised inside the block leave it as command-line errors (see
    `command_error`); the command's own messages and click's errors pass through untouched."""
    try:
        yield
    except ReportQAError as exc:
        raise command_error(exc, input_status) from exc
