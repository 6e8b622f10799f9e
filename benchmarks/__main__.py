"""Print the speed table for the built-in Falcon 9 landing (fast path against its baseline)."""

from __future__ import annotations

import os
import sys
import tempfile

from rich.console import Console

from boostback.bench import bench_table, campaign_throughput, run_benchmarks
from boostback.config import load_landing


def main() -> int:
    console = Console()
    name = sys.argv[1] if len(sys.argv) > 1 else "falcon9_landing"
    scenario, vehicle = load_landing(name)
    with console.status("measuring…") as status:
        rows = run_benchmarks(vehicle, scenario, progress=lambda m: status.update(m))
    table = bench_table(rows, f"boostback benchmarks: {vehicle.name} ({name})")
    console.print(table)
    with console.status("campaign throughput…"):
        rates = campaign_throughput(name, tempfile.gettempdir())
    one, two = rates[1], rates[2]
    console.print(
        f"Campaign throughput ({name}, 16 dispersed runs): {one:.2f} runs/s on 1 worker, "
        f"{two:.2f} runs/s on 2 workers: speed-up {two / one:.2f}x "
        f"({os.cpu_count()} cores here)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
