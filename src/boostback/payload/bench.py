"""The payload solve's benchmark row: every recovery mode of a vehicle to one orbit, timed.

``payload_rows`` returns the rows ``make bench`` prints (``boostback.timing.BenchRow``).
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from boostback.payload.table import solve_modes
from boostback.payload.upper_stage import parse_orbit
from boostback.timing import BenchRow

__all__ = ["payload_rows"]


def payload_rows(
    cases: tuple[tuple[str, str], ...] = (("falcon9", "200x200x28.5"),),
    repeats: int = 3,
    warmup: bool = True,
) -> list[BenchRow]:
    """Time the payload solve of all modes, once warm, ``repeats`` times per case.

    Parameters
    ----------
    cases : tuple of (vehicle, orbit)
        Vehicles and orbit strings (``payload.upper_stage.parse_orbit``).
    repeats : int
        Timed solves per case.
    warmup : bool
        Solve once untimed first (loads the compiled kernels).

    Returns
    -------
    list of BenchRow
        One per case; no baseline (NaN): the interpreted solve would take many minutes.
    """
    rows = []
    for vehicle, orbit in cases:
        target = parse_orbit(orbit)
        if warmup:
            solve_modes(vehicle, target)
        times, table = [], None
        for _ in range(max(repeats, 1)):
            t0 = time.perf_counter()
            table = solve_modes(vehicle, target)
            times.append(time.perf_counter() - t0)
        assert table is not None
        payloads = ", ".join(f"{r.mode} {r.payload_kg / 1e3:.1f} t" for r in table.results)
        rows.append(
            BenchRow(
                case=f"payload solve, all modes ({vehicle}, {orbit})",
                median_s=statistics.median(times),
                p90_s=float(np.percentile(times, 90)),
                baseline="none (interpreted: many minutes)",
                baseline_median_s=math.nan,
                target_s=None,
                note=payloads,
            )
        )
    return rows
