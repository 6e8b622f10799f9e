"""``boostback mc``: run Monte Carlo campaigns, summarise them, and find failure boundaries."""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from boostback.cli.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    check_out_dir,
    check_range,
    console,
    err_console,
    fail,
    guarded,
    log_dir,
)
from boostback.cli.json_out import print_json
from boostback.config.loader import check_kind
from boostback.config.vocab import FileKind

__all__ = ["mc_app"]

mc_app = typer.Typer(no_args_is_help=True, help="Monte Carlo campaigns: dispersions and faults.")

Workers = Annotated[int | None, typer.Option(help="Local worker processes (default: cores).")]
Scheduler = Annotated[
    str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
]
DaskLocal = Annotated[
    int | None, typer.Option("--dask-local", help="Start a Dask LocalCluster of N workers.")
]


MAX_RUNS = 10_000_000  # as a campaign file's ``runs``
MAX_WORKERS = 1024
MIN_CI_WIDTH = 1e-4  # a narrower interval would take some hundred million runs


def _check_options(
    out: Path, runs: int | None, workers: int | None, dask_local: int | None, scheduler: str | None
) -> None:
    """Refuse bad options in one line (status 2) before anything is read or flown."""
    check_out_dir(out)
    check_range("--runs", runs, 1, MAX_RUNS)
    check_range("--workers", workers, 1, MAX_WORKERS)
    check_backend(dask_local, scheduler)


# what installs an extra in a clone (``make dask`` does the first)
DASK_INSTALL = "make dask, or .venv/bin/pip install -e '.[dask]'"
RARE_INSTALL = ".venv/bin/pip install -e '.[rare]'"


def dask_installed() -> bool:
    """Whether Dask's ``distributed`` imports (the 'dask' extra)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def check_backend(dask_local: int | None, scheduler: str | None) -> None:
    """Refuse, in one line (status 2), Dask options that cannot run: both a LocalCluster and a
    scheduler, a LocalCluster size out of range, or Dask asked for without the 'dask' extra.

    Parameters
    ----------
    dask_local : int or None
        ``--dask-local``: workers of a new LocalCluster.
    scheduler : str or None
        ``--scheduler``: a running cluster's address.
    """
    if dask_local is not None and scheduler is not None:
        fail(
            "--dask-local and --scheduler conflict: start a LocalCluster (--dask-local N) or "
            "use a running one (--scheduler ADDR), not both"
        )
    check_range("--dask-local", dask_local, 1, MAX_WORKERS)
    option = "--dask-local" if dask_local is not None else "--scheduler"
    if (dask_local is not None or scheduler is not None) and not dask_installed():
        fail(f"{option}: Dask is not installed (the 'dask' extra); install it with {DASK_INSTALL}")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("landed {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


@mc_app.command("run")
@guarded
def mc_run(
    campaign: Annotated[Path, typer.Argument(help="Campaign TOML file.")],
    out: Annotated[Path, typer.Option(help="Results folder (re-running resumes).")],
    runs: Annotated[int | None, typer.Option(help="Override the number of runs.")] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    until_ci: Annotated[
        float | None,
        typer.Option(
            "--until-ci",
            help="Stop once the 95% Wilson interval of P(landed) is at most this wide "
            "(checked every 50 runs; the run count is the most to fly).",
        ),
    ] = None,
) -> None:
    """Fly every run of a campaign that OUT does not hold yet, then print the summary.

    Ctrl-C keeps the runs already saved in OUT; the same command resumes from them (with
    another batch size or worker count too). One mc run at a time per OUT; a damaged or foreign
    file in OUT/runs is named, moved to OUT/quarantine, and its runs are flown again.
    """
    from boostback.campaign.campaign import run_campaign
    from boostback.campaign.spec import load_campaign
    from boostback.campaign.stats import summarize, summarize_store

    _check_options(out, runs, workers, dask_local, scheduler)
    check_range("--until-ci", until_ci, MIN_CI_WIDTH, 1.0)
    check_kind(str(campaign), FileKind.CAMPAIGN)
    spec, base = load_campaign(campaign)
    total = runs or spec.runs
    bar = _progress_bar()
    try:
        with contextlib.ExitStack() as shown:
            task = bar.add_task(spec.name or campaign.stem, total=total, rate="-")

            def update(p: Any) -> None:
                if not quiet and not bar.live.is_started:  # on the first news: a bad input
                    shown.enter_context(bar)  # found while preparing prints no bar
                if not p.session_done:  # the runs resumed from OUT: not this session's speed
                    bar.reset(task, completed=p.done, rate="-")
                    return
                bar.update(task, completed=p.done, rate=f"{p.landed / p.session_done:.0%}")

            frame = run_campaign(
                spec,
                out,
                base_dir=base,
                runs=runs,
                workers=workers,
                scheduler=scheduler,
                dask_local=dask_local,
                progress=update,
                file=str(campaign),
                until_ci=until_ci,
                table=until_ci is not None,  # otherwise summarised shard by shard
            )
    except KeyboardInterrupt:
        _interrupted(out, total, _resume_command(campaign, out, runs, until_ci))
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            raise
        _disk_full(out, total, exc, _resume_command(campaign, out, runs, until_ci))
    summary = summarize(frame) if frame is not None else summarize_store(out)
    _print_summary(summary, str(out))
    if until_ci is not None:
        _print_until_ci(summary, until_ci, total)


def _print_until_ci(summary: Any, width: float, most: int) -> None:
    lo, hi = summary.interval_95
    if hi - lo <= width:
        console.print(
            f"Stopped at {_runs(summary.runs)}: the 95% interval is {hi - lo:.3f} wide "
            f"(--until-ci {width:g})."
        )
    else:
        console.print(
            f"Flew the most runs allowed ({most}): the 95% interval is still {hi - lo:.3f} wide "
            f"(--until-ci {width:g}); raise --runs to narrow it further."
        )


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _runs(n: int) -> str:
    from boostback.mission.tables import counted  # imported where used, as campaign_tables

    return counted(n, "run")


def _saved(out: Path, total: int) -> int:
    from boostback.campaign.store import completed_runs

    try:
        return sum(run < total for run in completed_runs(out))
    except Exception:  # an unreadable folder must not hide why the run stopped
        return 0


def _write_log(exc: BaseException) -> str:
    """The traceback in a log file (the log folder, else the temporary folder: the full disk
    may hold either); ``log: PATH``, or why there is none."""
    text = "".join(traceback.format_exception(exc))
    why = ""
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix="boostback-mc-", suffix=".log", dir=folder)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            return f"log: {path}"
        except OSError as err:
            why = err.strerror or type(err).__name__
    return f"no log written: {why}"


def _resume_command(campaign: Path, out: Path, runs: int | None, until_ci: float | None) -> str:
    """The command that resumes this campaign (the worker options may change on resume)."""
    args = ["boostback", "mc", "run", str(campaign), "--out", str(out)]
    if runs is not None:
        args += ["--runs", str(runs)]
    if until_ci is not None:
        args += ["--until-ci", f"{until_ci:g}"]
    return shlex.join(args)


def _quiet_libraries() -> None:
    """The process is about to end early with one line: nothing more from Dask's loggers (its
    client and its threads may still log while the interpreter shuts down)."""
    if "distributed" not in sys.modules:  # no Dask in this run: nothing to quiet, nothing to load
        return
    from boostback.campaign.executor import quiet_dask_logging

    quiet_dask_logging()


def _disk_full(out: Path, total: int, exc: OSError, resume: str) -> NoReturn:
    """A full disk: one line (what was saved, how to resume, the log), exit 3."""
    _quiet_libraries()
    where = f" writing {exc.filename}" if exc.filename else ""
    err_console.print(
        f"internal error: no space left on the device{escape(where)}: "
        f"{_saved(out, total)} of {_runs(total)} saved in {escape(str(out))}; free some space and "
        f"resume with: {escape(resume)} ({escape(_write_log(exc))})",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=EXIT_INTERNAL)


def _interrupted(out: Path, total: int, resume: str) -> NoReturn:
    """Say what an interrupted ``mc run`` saved and how to resume it; exit 130."""
    _quiet_libraries()
    err_console.print(
        f"interrupted: {_saved(out, total)} of {_runs(total)} saved in {escape(str(out))}; "
        f"resume with: {escape(resume)}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=EXIT_INTERRUPTED)


@mc_app.command("summary")
@guarded
def mc_summary(
    results: Annotated[Path, typer.Argument(help="A campaign results folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Landing probability, outcomes, percentiles, dispersion ellipse and sensitivities.

    Read shard by shard and column by column: a million runs summarise in seconds and some
    tens of MB.
    """
    from boostback.campaign.stats import summarize_store

    s = summarize_store(results)
    if as_json:
        print_json(s.as_dict())
    else:
        _print_summary(s, str(results))


@mc_app.command("compact")
@guarded
def mc_compact(
    results: Annotated[Path, typer.Argument(help="The results folder of a finished campaign.")],
    rows: Annotated[
        int | None, typer.Option(help="Runs per merged shard (default 10,000).")
    ] = None,
) -> None:
    """Merge the shards of a finished campaign into few large ones, in run order.

    The rows are unchanged; the new shards are listed before the old ones are deleted, so an
    interrupted compaction loses nothing. A campaign with runs missing, a damaged file in its
    folder, or an mc run going on is refused (exit 2).
    """
    from boostback.campaign.store import compact

    check_range("--rows", rows, 1, MAX_RUNS)
    before, after = compact(results, rows)
    what = "shard" if before == 1 else "shards"
    done = f"{before} {what} merged into {after}" if before != after else "already compact"
    console.print(f"{escape(str(results))}: {done}", highlight=False, soft_wrap=True)


@mc_app.command("boundary")
@guarded
def mc_boundary(
    campaign: Annotated[Path, typer.Argument(help="Campaign TOML file.")],
    out: Annotated[Path, typer.Option(help="Folder for the campaigns flown.")],
    fault: Annotated[int, typer.Option(help="Index of the fault in the campaign file.")] = 0,
    param: Annotated[str, typer.Option(help="The fault parameter to sweep.")] = "fraction",
    lo: Annotated[float, typer.Option(help="Smallest magnitude.")] = 0.0,
    hi: Annotated[float, typer.Option(help="Largest magnitude.")] = 0.5,
    threshold: Annotated[float, typer.Option(help="Landing probability to keep.")] = 0.9,
    iterations: Annotated[int, typer.Option(help="Bisection steps.")] = 4,
    runs: Annotated[int | None, typer.Option(help="Runs per magnitude.")] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Largest fault magnitude at which the landing probability stays above THRESHOLD."""
    from boostback.campaign.boundary import find_boundary
    from boostback.campaign.spec import load_campaign

    _check_options(out, runs, workers, dask_local, scheduler)
    check_kind(str(campaign), FileKind.CAMPAIGN)
    spec, base = load_campaign(campaign)
    # at most lo, hi and one campaign per bisection step, each of the same runs
    bar, show, flown = _boundary_progress(max(iterations, 0) + 2, runs or spec.runs)
    try:
        res = find_boundary(
            spec,
            out,
            fault=fault,
            parameter=param,
            lo=lo,
            hi=hi,
            threshold=threshold,
            iterations=iterations,
            base_dir=base,
            runs=runs,
            workers=workers,
            scheduler=scheduler,
            dask_local=dask_local,
            progress=(lambda label, p: None) if as_json else show,
        )
        bar.update(bar.task_ids[0], total=sum(flown.values()))  # the sweep may stop early
    finally:  # started by the first campaign's progress: bad arguments print no bar (and a
        if bar.live.is_started:  # stopped bar that never started prints an empty line)
            bar.stop()
    if res.not_monotonic:
        err_console.print(
            f"[yellow]warning:[/] {escape(res.not_monotonic)}", highlight=False, soft_wrap=True
        )
    if as_json:
        print_json(
            {
                "fault": res.fault,
                "parameter": res.parameter,
                "threshold": res.threshold,
                "boundary": res.boundary,
                "confident": res.confident,
                "monotonic": res.not_monotonic is None,
                "table": res.table.to_dict(orient="records"),
            }
        )
        return
    console.print(_boundary_table(res))
    if res.boundary is None:
        console.print(f"Even {res.parameter} = {lo:g} lands less than {threshold:.0%} of the time.")
    else:
        sure = "" if res.confident else " (the 95 % lower bound is below the threshold there)"
        console.print(
            f"Largest {res.parameter} with P(landed) >= {threshold:.0%}: "
            f"[bold]{res.boundary:.4g}[/]{sure}"
        )


def _boundary_table(res: Any) -> Table:
    table = Table(title=f"{res.fault}: landing probability against {res.parameter}")
    for col in (res.parameter, "runs", "landed", "P(landed)", "95% interval", "meets"):
        table.add_column(col)
    for r in res.table.to_dict(orient="records"):
        table.add_row(
            f"{r[res.parameter]:.4g}",
            str(r["runs"]),
            str(r["landed"]),
            f"{r['landing_probability']:.1%}",
            f"{r['lower_95']:.1%} - {r['upper_95']:.1%}",
            "yes" if r["meets_threshold"] else "no",
        )
    return table


def _boundary_progress(campaigns: int, runs_each: int) -> tuple[Progress, Any, dict[str, int]]:
    """The sweep's overall bar (runs of at most ``campaigns`` campaigns, elapsed, ETA), the
    callback that moves it, and the runs flown so far by magnitude."""
    bar = Progress(
        TextColumn("[bold]boundary"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[where]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
    done: dict[str, int] = {}
    task = bar.add_task("boundary", total=campaigns * runs_each, where="")

    def show(label: str, p: Any) -> None:
        if not bar.live.is_started:
            bar.start()
        done[label] = p.done
        where = f"{label}: magnitude {len(done)} of at most {campaigns}"
        bar.update(task, completed=sum(done.values()), where=where)

    return bar, show, done


def _print_summary(s: Any, where: str) -> None:
    """What ``mc run`` and ``mc summary`` print (the tables ``print(summary)`` shows too)."""
    from boostback.mission.tables import campaign_tables

    for part in campaign_tables(s, where):
        console.print(part)
