"""What every ``boostback`` command shares: consoles, exit statuses, JSON, output folders.

Every command exits with one of these statuses: 0 landed (or done), 1 did not land, 2 bad input
(one line on stderr naming the file or the option, the key and the problem, no traceback),
3 internal error (a bug: one line on stderr naming the log file that holds the traceback, see
:func:`log_dir`), 130 interrupted. :func:`guarded` applies them.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import functools
import math
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer._click import exceptions as click_errors  # the click typer ships (typer >= 0.25)
from typer.core import TyperGroup

from boostback.config.errors import ConfigError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_LANDED",
    "EXIT_OK",
    "LOG_DIR_ENV",
    "OneLineErrors",
    "builtin_site",
    "check_finite",
    "check_out_dir",
    "check_range",
    "console",
    "err_console",
    "fail",
    "guarded",
    "log_dir",
    "make_console",
    "out_folder",
    "prepare_out",
    "print_notes",
    "safe_name",
    "spinner",
    "wall_clock_limit",
    "write_html_report",
]

EXIT_OK = 0
EXIT_NOT_LANDED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

LOG_DIR_ENV = "BOOSTBACK_LOG_DIR"

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


def log_dir() -> Path:
    """The folder that internal-error logs go to.

    ``$BOOSTBACK_LOG_DIR`` when set, else ``$XDG_STATE_HOME/boostback/logs`` (by default
    ``~/.local/state/boostback/logs``, the XDG base-directory place for logs).

    Returns
    -------
    Path
        The folder (not created here).
    """
    if os.environ.get(LOG_DIR_ENV):
        return Path(os.environ[LOG_DIR_ENV]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(state) / "boostback" / "logs"


def _write_log(exc: BaseException) -> Path | None:
    """Write the command line and the full traceback of ``exc`` to a fresh log file; its path,
    or ``None`` when no log folder can be written (then the traceback goes to stderr)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "".join(
        [
            f"boostback internal error, {datetime.datetime.now().isoformat(timespec='seconds')}\n",
            f"command: {' '.join(sys.argv)}\n",
            f"python: {sys.version.split()[0]}\n\n",
            *traceback.format_exception(exc),
        ]
    )
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "boostback-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"boostback-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        _prune_logs(folder)
        return path
    return None


KEEP_LOGS = 50  # the newest internal-error logs kept in a log folder


def _prune_logs(folder: Path) -> None:
    """Keep the newest ``KEEP_LOGS`` logs of ``folder`` (the names sort by time)."""
    logs = sorted(folder.glob("boostback-*.log"))
    for old in logs[:-KEEP_LOGS]:
        with contextlib.suppress(OSError):
            old.unlink()


def _internal_error(exc: Exception) -> NoReturn:
    """One ``internal error:`` line naming the log file with the traceback, and status 3."""
    path = _write_log(exc)
    if path is None:  # nowhere to write it: the traceback is all the user has
        err_console.print_exception(suppress=[typer], show_locals=False)
    where = f" (traceback in {path})" if path is not None else ""
    message = " ".join(f"{type(exc).__name__}: {exc}".split())
    err_console.print(
        f"[bold red]internal error:[/] {escape(message)}{escape(where)}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=EXIT_INTERNAL)


def _timed_out(exc: Exception) -> NoReturn:
    """A run that passed its wall-clock limit: bad input (a step or a limit that asks for more
    than the time allowed), said in one line."""
    fail(f"--wall-limit: {exc}; allow more time with --wall-limit, or give a coarser time step")


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that its failures end with the shared exit statuses.

    A :class:`~boostback.config.errors.ConfigError` prints its one line and exits 2, as does a
    run that passes its wall-clock limit (``RunTimeout``); an interruption exits 130; any other
    exception writes its traceback to a log file (see :func:`log_dir`), prints one line naming
    that file and exits 3. Exits the
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
            from boostback.gnc.loop import RunTimeout  # here: start-up need not import it

            if isinstance(exc, RunTimeout):
                _timed_out(exc)
            _internal_error(exc)

    return run


@contextlib.contextmanager
def wall_clock_limit(seconds: float) -> Any:
    """Bound a block in wall-clock time: past ``seconds`` it raises ``RunTimeout`` (which
    :func:`guarded` reports as one line and status 2), whatever phase is running. Uses the
    process's interval timer (``SIGALRM``), so it bounds code that checks no deadline itself;
    where there is no such timer (Windows) or off the main thread, the block runs unbounded.

    Parameters
    ----------
    seconds : float
        The limit.
    """
    import signal
    import threading

    from boostback.gnc.loop import RunTimeout

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RunTimeout(f"the run passed its wall-clock limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


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


def check_range(option: str, value: float | None, low: float, high: float) -> None:
    """Reject a command-line number outside ``[low, high]`` (or not finite) as bad input, in the
    words a file's key gets: ``--repeats: must be <= 10000, got 20000 (allowed: [1, 10000])``.

    Parameters
    ----------
    option : str
        The option's name.
    value : float or None
        The value given; ``None`` means not given.
    low, high : float
        The allowed range, ends included.
    """
    if value is None:
        return
    allowed = f"[{low:g}, {high:g}]"
    if not math.isfinite(value):
        fail(f"{option}: must be a finite number in {allowed}, got {value}")
    if value < low:
        fail(f"{option}: must be >= {low:g}, got {value:g} (allowed: {allowed})")
    if value > high:
        fail(f"{option}: must be <= {high:g}, got {value:g} (allowed: {allowed})")


@contextlib.contextmanager
def _usage_in_one_line() -> Any:
    """Turn a usage error (unknown option, missing argument, a value of the wrong type or out
    of an option's range) into one ``error:`` line and status 2; help for a bare group passes."""
    try:
        yield
    except click_errors.NoArgsIsHelpError:
        raise
    except click_errors.UsageError as exc:
        names, ctx = [], exc.ctx
        while ctx is not None and ctx.parent is not None:  # the root is "boostback" however run
            names.append(ctx.info_name)
            ctx = ctx.parent
        where = " ".join(["boostback", *reversed(names)])
        hint = f" (see '{where} --help')"
        fail(f"{where}: {exc.format_message()}{hint}")


class OneLineErrors(TyperGroup):
    """The ``boostback`` command group: a usage error anywhere below it (in any command or
    sub-group) is one ``error:`` line on stderr and status 2, like a bad file, instead of the
    usage text and a framed message."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Parse the group's own options (one-line errors)."""
        with _usage_in_one_line():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        """Resolve and run the command (one-line errors from its parsing)."""
        with _usage_in_one_line():
            return super().invoke(ctx)


def safe_name(text: str, *, default: str) -> str:
    """``text`` as one safe path component: letters, digits, ``.``, ``_`` and ``-`` kept, runs
    of anything else made one ``_``, no leading or trailing dots; ``default`` when nothing is
    left. A vehicle key such as ``../../x`` or ``/etc`` can then never name a folder outside
    the one it is put in.

    Parameters
    ----------
    text : str
        The name to clean (a vehicle key, a telemetry name).
    default : str
        The name to use when nothing usable is left.

    Returns
    -------
    str
        A non-empty name without path separators, never ``.`` or ``..``.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return name[:100] or default


def out_folder(out: Path | None, *, report: bool, default: str) -> Path | None:
    """The folder a command writes to: ``--out``, else ``out/DEFAULT`` when ``--report`` is on.

    Parameters
    ----------
    out : Path or None
        The ``--out`` option.
    report : bool
        The ``--report`` option, which needs a folder.
    default : str
        Folder name under ``out/`` to use when only ``--report`` asks for one; made one safe
        path component (:func:`safe_name`), so it cannot lead outside ``out/``.

    Returns
    -------
    Path or None
        The folder, or ``None`` when the command writes no files.
    """
    if report and out is None:
        return Path("out") / safe_name(default, default="flight")
    return out


def check_out_dir(out: Path | None, option: str = "--out") -> None:
    """Refuse, as bad input and before any work, an output folder that cannot be made or written.

    ``out`` must be a folder that exists and is writable, or a path whose nearest existing
    ancestor is a writable folder (the folders between are created later). A path naming a
    file, or under one, or in a read-only place, is one ``error:`` line and status 2.

    Parameters
    ----------
    out : Path or None
        The folder; ``None`` (no output) passes.
    option : str
        The option that gave it, named in the message.
    """
    if out is None:
        return
    if str(out).strip() == "":
        fail(f"{option}: empty path")
    path = Path(out).expanduser()
    existing = path
    while not existing.exists() and not existing.is_symlink():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        kind = "a file" if existing.is_file() else "not a folder"
        if existing.is_symlink() and not existing.exists():
            kind = "a broken symbolic link"
        if existing == path:
            fail(f"{option}: {out}: is {kind}; give a folder")
        fail(f"{option}: {out}: cannot make a folder there: {existing} is {kind}")
    try:  # a real file, written and removed: permissions, a read-only mount, a full disk
        with tempfile.TemporaryFile(dir=existing) as probe:
            probe.write(b"boostback")
            probe.flush()
    except OSError as exc:
        where = "the folder" if existing == path else existing
        fail(f"{option}: {out}: {where} is not writable ({exc.strerror or type(exc).__name__})")


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
    from boostback.mission.tables import notes_lines

    for line in notes_lines(notes):
        console.print(line)


def builtin_site(key: str | None) -> Any:
    """The built-in ``Site`` named by ``--site`` (``environment.frames.SITES``), or ``None``.

    Raises
    ------
    ConfigError
        For a key that names no site (the command line's ``--site``).
    """
    if key is None:
        return None
    from boostback.environment.frames import SITES

    if key not in SITES:
        raise ConfigError(f"unknown site '{key}': one of {', '.join(sorted(SITES))}", key="--site")
    return SITES[key]


def write_html_report(
    result: Any, vehicle: Any, out: Path, *, quiet: bool, site: Any = None
) -> Path:
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
    site : Site, optional
        Where a pad-centred landing is on the Earth, for its map (``builtin_site``).

    Returns
    -------
    Path
        The report file.
    """
    from boostback.report.html import write_flight_report

    path = write_flight_report(result, vehicle, out, png=False, site=site)
    if not quiet:
        console.print(f"report written to [bold]{path}[/]")
    return path
