"""What every ``boostback`` command shares: consoles, exit statuses, JSON, output folders.

Every command exits with one of these statuses: 0 landed (or done), 1 did not land, 2 bad input
(one line on stderr naming the file, the key and the problem, no traceback), 3 internal error
(a bug: the traceback, then one line), 130 interrupted. :func:`guarded` applies them.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from boostback.config.errors import ConfigError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_LANDED",
    "EXIT_OK",
    "check_finite",
    "console",
    "err_console",
    "fail",
    "guarded",
    "jsonable",
    "make_console",
    "out_folder",
    "prepare_out",
    "print_json",
    "print_notes",
    "spinner",
    "write_html_report",
    "write_json",
]

EXIT_OK = 0
EXIT_NOT_LANDED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

P = ParamSpec("P")
R = TypeVar("R")


def make_console(*, stderr: bool = False, piped_width: int | None = None) -> Console:
    """Create a rich console for a command's output.

    Parameters
    ----------
    stderr : bool
        Write to standard error instead of standard output.
    piped_width : int or None
        Width to lay out at when standard output is not a terminal and ``COLUMNS`` is unset
        (rich would otherwise assume 80 columns); ``None`` keeps rich's choice.

    Returns
    -------
    Console
        The console. It looks up ``sys.stdout``/``sys.stderr`` when it prints, so it follows
        any redirection made after it was created.
    """
    width = None
    if piped_width is not None and not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        width = piped_width
    return Console(stderr=stderr, width=width)


console = make_console()
err_console = make_console(stderr=True)


def fail(message: str) -> NoReturn:
    """Print one ``error:`` line on standard error and exit with status 2 (bad input).

    Parameters
    ----------
    message : str
        The problem, naming the file and the key when there are ones
        (``str(ConfigError)`` already does).
    """
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=EXIT_BAD_INPUT)


def _internal_error(exc: Exception) -> NoReturn:
    """The traceback of a bug, one ``internal error:`` line, and status 3."""
    err_console.print_exception(suppress=[typer], show_locals=False)
    err_console.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=EXIT_INTERNAL)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that its failures end with the shared exit statuses.

    A :class:`~boostback.config.errors.ConfigError` prints its one line and exits 2, an
    interruption exits 130, any other exception prints its traceback and exits 3. Exits the
    command chose itself (``typer.Exit``), usage errors and a closed output pipe pass through
    unchanged. The wrapper keeps the command's signature and docstring, so typer sees the same
    options and help.

    Parameters
    ----------
    command : callable
        The command function.

    Returns
    -------
    callable
        The wrapped command.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise
        except ConfigError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            raise typer.Exit(code=EXIT_INTERRUPTED) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # `boostback ... | head`: typer closes quietly
                raise
            _internal_error(exc)
        except Exception as exc:
            _internal_error(exc)

    return run


def check_finite(options: Mapping[str, float | None]) -> None:
    """Reject a command-line number that is NaN or infinite as bad input (status 2).

    Parameters
    ----------
    options : mapping of str to float or None
        Option name (``"--wind"``) to the value given; ``None`` means not given.
    """
    for name, value in options.items():
        if value is not None and not math.isfinite(value):
            fail(f"{name}: must be a finite number, got {value}")


def jsonable(obj: Any) -> Any:
    """Turn a result into plain JSON data: non-finite floats become ``None`` (JSON null).

    Parameters
    ----------
    obj : Any
        Dicts, lists, tuples, numbers, strings, and numpy scalars, nested in any way.

    Returns
    -------
    Any
        The same data with string keys, lists for tuples, Python numbers for numpy scalars and
        ``None`` for NaN and infinities.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "item"):
        return jsonable(obj.item())
    return obj


def print_json(obj: Any) -> None:
    """Print ``obj`` to standard output as one line of JSON (see :func:`jsonable`).

    Parameters
    ----------
    obj : Any
        The data to print.
    """
    sys.stdout.write(json.dumps(jsonable(obj)) + "\n")


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` to ``path`` as indented JSON (see :func:`jsonable`).

    Parameters
    ----------
    path : Path
        The file to write.
    obj : Any
        The data to write.
    """
    path.write_text(json.dumps(jsonable(obj), indent=2) + "\n")


def out_folder(out: Path | None, *, report: bool, default: str) -> Path | None:
    """The folder a command writes to: ``--out``, else ``out/DEFAULT`` when ``--report`` is on.

    Parameters
    ----------
    out : Path or None
        The ``--out`` option.
    report : bool
        The ``--report`` option, which needs a folder.
    default : str
        Folder name under ``out/`` to use when only ``--report`` asks for one.

    Returns
    -------
    Path or None
        The folder, or ``None`` when the command writes no files.
    """
    if report and out is None:
        return Path("out") / default
    return out


def prepare_out(out: Path) -> Path:
    """Create an output folder (and its parents) if it does not exist.

    Parameters
    ----------
    out : Path
        The folder.

    Returns
    -------
    Path
        ``out``, for chaining.
    """
    out.mkdir(parents=True, exist_ok=True)
    return out


def spinner(message: str, *, quiet: bool) -> contextlib.AbstractContextManager[Any]:
    """A spinner on the console while a block runs, or nothing when ``quiet`` (e.g. ``--json``).

    Parameters
    ----------
    message : str
        What the command is doing.
    quiet : bool
        Show nothing.

    Returns
    -------
    context manager
        Use in a ``with`` statement.
    """
    if quiet:
        return contextlib.nullcontext()
    return console.status(message, spinner="dots")


def print_notes(notes: Iterable[str]) -> None:
    """Print a flight's notes, one ``note:`` line each.

    Parameters
    ----------
    notes : iterable of str
        The notes.
    """
    for note in notes:
        console.print(f"[yellow]note:[/] {note}")


def write_html_report(result: Any, vehicle: Any, out: Path, *, quiet: bool) -> Path:
    """Write a flight's ``report.html`` into ``out`` (no PNGs) and say where, unless quiet.

    Parameters
    ----------
    result : LandingResult or MissionResult
        The flight.
    vehicle : Vehicle
        The vehicle flown.
    out : Path
        The folder.
    quiet : bool
        Print nothing (``--json``).

    Returns
    -------
    Path
        The report file.
    """
    from boostback.report.html import write_flight_report

    path = write_flight_report(result, vehicle, out, png=False)
    if not quiet:
        console.print(f"report written to [bold]{path}[/]")
    return path
