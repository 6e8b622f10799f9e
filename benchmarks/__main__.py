"""Print the speed table for the built-in Falcon 9 landing (fast path against its baseline)."""

from __future__ import annotations

import os
import sys
import tempfile
import time

from rich.console import Console

from boostback.bench import (
    FLIGHT_DISPERSIONS,
    bench_table,
    campaign_throughput,
    run_benchmarks,
)
from boostback.config import load_landing


def main() -> int:
    console = Console()
    name = sys.argv[1] if len(sys.argv) > 1 else "falcon9_landing"
    scenario, vehicle = load_landing(name)
    with console.status("measuring…") as status:
        rows = run_benchmarks(vehicle, scenario, progress=lambda m: status.update(m))
    table = bench_table(rows, f"boostback benchmarks: {vehicle.name} ({name})")
    console.print(table)
    cases = [
        (name, "landing burns", 16, None),
        ("falcon9_rtls", "whole RTLS flights", 4, FLIGHT_DISPERSIONS),
    ]
    for scen, label, runs, disp in cases:
        with console.status(f"campaign throughput: {label}…"):
            t0 = time.perf_counter()
            flight = run_flight_once(scen) if disp is not None else None
            rates = campaign_throughput(scen, tempfile.gettempdir(), runs, dispersions=disp)
        one, two = rates[1], rates[2]
        extra = f"; one flight {flight:.2f} s wall" if flight is not None else ""
        console.print(
            f"Campaign throughput, {label} ({scen}, {runs} dispersed runs): {one:.2f} runs/s on "
            f"1 worker, {two:.2f} runs/s on 2 workers, speed-up {two / one:.2f}x "
            f"({os.cpu_count()} cores here{extra}; {time.perf_counter() - t0:.0f} s measuring)"
        )
    return 0


def run_flight_once(scenario: str) -> float:
    """Wall time of one whole flight (liftoff to touchdown), after a warm-up flight."""
    from boostback.config.loader import load_flight
    from boostback.flight.executive import fly_mission

    scen, vehicle = load_flight(scenario)
    fly_mission(scen, vehicle)
    t0 = time.perf_counter()
    fly_mission(scen, vehicle)
    return time.perf_counter() - t0


if __name__ == "__main__":
    raise SystemExit(main())
