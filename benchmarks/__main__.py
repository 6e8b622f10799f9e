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
    flight_benchmark,
    run_benchmarks,
    scvx_rows,
    sixdof_flight_rows,
    sixdof_landing_rows,
)
from boostback.config import load_landing

from .startup import load_note, run_startup, startup_table


def main() -> int:
    # piped output (make bench > file) would otherwise wrap the table at 80 columns
    console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 150)
    name = sys.argv[1] if len(sys.argv) > 1 else "falcon9_landing"
    scenario, vehicle = load_landing(name)
    with console.status("measuring…") as status:
        rows = run_benchmarks(vehicle, scenario, progress=lambda m: status.update(m))
        status.update("full recovery flight")
        rows.append(flight_benchmark("falcon9_rtls"))
        status.update("6-DoF landing burn (the interpreted one takes minutes)")
        six = sixdof_landing_rows("falcon9_landing")
        status.update("whole 6-DoF flight (the interpreted one takes minutes)")
        six += sixdof_flight_rows("falcon9_rtls")
        status.update("6-DoF successive convexification, published problem")
        six += scvx_rows()
    console.print(bench_table(rows, f"boostback benchmarks: {vehicle.name} ({name})"))
    console.print(bench_table(six, "boostback benchmarks: 6-DoF"))
    with console.status("payload to orbit, every recovery mode…"):
        from boostback.payload.bench import payload_rows

        payload = payload_rows()
    console.print(bench_table(payload, "boostback benchmarks: payload"))
    with console.status("campaign store (a million runs) and executors' start-up…"):
        from boostback.campaign.bench_store import store_rows

        store = store_rows()
    console.print(bench_table(store, "boostback benchmarks: campaign store and executors"))
    cases = [
        (name, "landing burns", 16, None),
        ("falcon9_rtls", "whole RTLS flights", 8, FLIGHT_DISPERSIONS),
    ]
    for scen, label, runs, disp in cases:
        with console.status(f"campaign throughput: {label}…"):
            t0 = time.perf_counter()
            rates = campaign_throughput(scen, tempfile.gettempdir(), runs, dispersions=disp)
        one, two = rates[1], rates[2]
        console.print(
            f"Campaign throughput, {label} ({scen}, {runs} dispersed runs): {one:.2f} runs/s on "
            f"1 worker, {two:.2f} runs/s on 2 workers, speed-up {two / one:.2f}x "
            f"({os.cpu_count()} cores here; {time.perf_counter() - t0:.0f} s measuring)"
        )
    with console.status("start-up: warm boostback land and fly, end to end…"):
        startup = run_startup()
    console.print(startup_table(startup))
    console.print(load_note())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
