"""``boostback bench``: the speed table for a user's own landing scenario."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console

from boostback.config.errors import ConfigError


def bench(
    scenario: Annotated[
        str, typer.Argument(help="Built-in scenario name or a landing scenario TOML file.")
    ] = "falcon9_landing",
    repeats: Annotated[int, typer.Option(help="Repetitions of the fixed-time solve.")] = 40,
) -> None:
    """Time the landing guidance and the closed loop against their baselines, in one run."""
    from boostback.bench import bench_table, run_benchmarks
    from boostback.config.loader import load_landing

    console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 150)
    try:
        scen, vehicle = load_landing(scenario)
    except ConfigError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    with console.status("measuring…") as status:
        rows = run_benchmarks(
            vehicle, scen, solve_repeats=repeats, progress=lambda m: status.update(m)
        )
    table = bench_table(rows, f"{vehicle.name}: guidance and closed-loop timings")
    console.print(table)
