"""``boostback bench``: the speed table for a user's own landing or whole-flight scenario."""

from __future__ import annotations

import os
import tempfile
from typing import Annotated

import typer

from boostback.cli.common import guarded, make_console

__all__ = ["bench"]

# Enough for any timing worth having; more only makes a run that does not end.
MAX_REPEATS = 10_000
MAX_THROUGHPUT_RUNS = 10_000


@guarded
def bench(
    scenario: Annotated[
        str,
        typer.Argument(
            help="Built-in scenario name, or a landing or whole-flight scenario TOML file."
        ),
    ] = "falcon9_landing",
    repeats: Annotated[
        int,
        typer.Option(min=1, max=MAX_REPEATS, help="Repetitions of the fixed-time solve (landing)."),
    ] = 40,
    throughput: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_THROUGHPUT_RUNS,
            help="Also fly this many dispersed runs on 1 and on 2 workers and report runs/s "
            "(0: skip; runs go out in batches of 2, so use 8 or more).",
        ),
    ] = 0,
) -> None:
    """Time the guidance and closed loop, or the whole flight, against baselines in one run.

    Exit status: 0 done, 2 bad input (one line), 3 internal error (one line naming the log
    file with the traceback), 130 interrupted.
    """
    from boostback.bench import (
        FLIGHT_DISPERSIONS,
        bench_table,
        campaign_throughput,
        flight_benchmark,
        run_benchmarks,
    )
    from boostback.config.loader import load_flight, load_landing, names_flight

    console = make_console(piped_width=150)
    flight = names_flight(scenario)
    scen, vehicle = load_flight(scenario) if flight else load_landing(scenario)
    with console.status("measuring…") as status:
        if flight:
            status.update(
                "whole flight, compiled and interpreted (BOOSTBACK_JIT=0, takes a minute)"
            )
            rows = [flight_benchmark(scenario)]
            title = f"{vehicle.name}: whole-flight timing"
        else:
            rows = run_benchmarks(
                vehicle, scen, solve_repeats=repeats, progress=lambda m: status.update(m)
            )
            title = f"{vehicle.name}: guidance and closed-loop timings"
    console.print(bench_table(rows, title))
    if throughput:
        with console.status(f"campaign throughput: {throughput} runs on 1 and 2 workers…"):
            rates = campaign_throughput(
                scenario,
                tempfile.gettempdir(),
                throughput,
                dispersions=FLIGHT_DISPERSIONS if flight else None,
            )
        console.print(
            f"Campaign throughput ({throughput} dispersed runs): {rates[1]:.2f} runs/s on 1 "
            f"worker, {rates[2]:.2f} runs/s on 2 workers, speed-up {rates[2] / rates[1]:.2f}x "
            f"({os.cpu_count()} cores here)"
        )
