"""Start-up: the wall time of a warm ``boostback land falcon9`` and ``boostback fly falcon9``,
end to end, as a user at a terminal pays it (a new process each time).

Each command runs once untimed (numba's kernels are loaded from, or compiled into, the on-disk
cache), then ``repeats`` times timed; the table gives the median and the best wall time, the
child's CPU time (user + system, less sensitive than wall time to other work on the machine),
the target, and which heavy libraries the process loaded that it does not need (CVXPY, scipy.stats
and pandas must stay out of a landing or a flight: they are for the CVXPY reference, campaigns
and reports). The load average is printed beside the table: on a busy machine wall times grow.

``python -m benchmarks.startup`` prints this table alone; ``make bench`` prints it after the
others.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

__all__ = [
    "HEAVY",
    "TARGETS",
    "StartupRow",
    "heavy_modules",
    "main",
    "startup_table",
    "time_command",
]

# command (arguments of `boostback`) -> wall-time target on a quiet machine, s
TARGETS: dict[tuple[str, ...], float] = {
    ("land", "falcon9"): 1.5,
    ("fly", "falcon9"): 2.0,
}
HEAVY = ("cvxpy", "scipy.stats", "pandas")
REPEATS = 5

# Runs a boostback command in this process and prints the heavy modules it loaded, one a line
_PROBE = """
import sys
from boostback.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
for name in {heavy!r}:
    if name in sys.modules:
        print(name)
"""


@dataclass(frozen=True)
class StartupRow:
    """One command's start-up figures."""

    command: tuple[str, ...]
    median_s: float
    best_s: float
    cpu_s: float  # median user + system time of the child
    target_s: float
    heavy: tuple[str, ...]

    @property
    def meets(self) -> bool:
        return self.median_s <= self.target_s


def _boostback() -> list[str]:
    """The ``boostback`` console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("boostback")
    if script.exists():
        return [str(script)]
    found = shutil.which("boostback")
    return [found] if found else [sys.executable, "-m", "boostback.cli"]


def _run_once(argv: list[str], cwd: str) -> tuple[float, float]:
    """Wall and CPU time of one run of ``argv`` (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_modules(
    command: tuple[str, ...], cwd: str | None = None, heavy: tuple[str, ...] = HEAVY
) -> tuple[str, ...]:
    """The modules of ``heavy`` that running ``boostback COMMAND`` loads, at start-up or later.

    Parameters
    ----------
    command : tuple of str
        The arguments after ``boostback``.
    cwd : str, optional
        Folder to run in.
    heavy : tuple of str
        The modules to look for.

    Returns
    -------
    tuple of str
        The modules of ``heavy`` the command loaded, in ``heavy``'s order.
    """
    probe = _PROBE.format(heavy=heavy)
    proc = subprocess.run(
        [sys.executable, "-c", probe, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return tuple(line for line in proc.stdout.splitlines() if line in heavy)


def time_command(command: tuple[str, ...], target_s: float, repeats: int = REPEATS) -> StartupRow:
    """Time ``boostback COMMAND`` in fresh processes, after one untimed warm-up run.

    Parameters
    ----------
    command : tuple of str
        The arguments after ``boostback``.
    target_s : float
        The wall-time target.
    repeats : int
        Timed runs.

    Returns
    -------
    StartupRow
    """
    argv = [*_boostback(), *command]
    with tempfile.TemporaryDirectory() as cwd:
        _run_once(argv, cwd)  # warm: kernels cached, files in the page cache
        runs = [_run_once(argv, cwd) for _ in range(repeats)]
        heavy = heavy_modules(command, cwd)
    walls = [w for w, _ in runs]
    return StartupRow(
        command=command,
        median_s=statistics.median(walls),
        best_s=min(walls),
        cpu_s=statistics.median(c for _, c in runs),
        target_s=target_s,
        heavy=heavy,
    )


def startup_table(rows: list[StartupRow]) -> Table:
    """The start-up rows as a table.

    Parameters
    ----------
    rows : list of StartupRow
        From :func:`time_command`.

    Returns
    -------
    Table
    """
    table = Table(title="Start-up: a warm command, end to end (new process each run)")
    for col in ("command", "median", "best", "CPU", "target", "meets", "heavy imports"):
        table.add_column(col, justify="left" if col in ("command", "heavy imports") else "right")
    for r in rows:
        table.add_row(
            "boostback " + " ".join(r.command),
            f"{r.median_s:.2f} s",
            f"{r.best_s:.2f} s",
            f"{r.cpu_s:.2f} s",
            f"{r.target_s:.1f} s",
            "yes" if r.meets else "no",
            ", ".join(r.heavy) or "none",
        )
    return table


def run_startup(repeats: int = REPEATS) -> list[StartupRow]:
    """Time every command of ``TARGETS``.

    Parameters
    ----------
    repeats : int
        Timed runs per command.

    Returns
    -------
    list of StartupRow
    """
    return [time_command(cmd, target, repeats) for cmd, target in TARGETS.items()]


def load_note() -> str:
    """The machine's load, to read the wall times by."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 150)
    with console.status("timing start-up…"):
        rows = run_startup()
    console.print(startup_table(rows))
    console.print(load_note())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
