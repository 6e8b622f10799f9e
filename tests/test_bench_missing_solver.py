"""A baseline solver that is not installed is reported as missing, never timed."""

from __future__ import annotations

import math

from rich.console import Console

import boostback.bench as bench
from boostback.config import load_landing


def test_a_missing_ecos_is_reported_not_timed(monkeypatch) -> None:
    calls = []
    real = bench.LcvxSolver

    class Counting(real):  # type: ignore[misc, valid-type]
        def solve(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(self)
            return super().solve(*args, **kwargs)

    monkeypatch.setattr(bench, "LcvxSolver", Counting)
    monkeypatch.setattr(bench, "_ecos", lambda: "CVXPY + ECOS: not installed")
    scenario, vehicle = load_landing("falcon9_landing")
    rows = bench.run_benchmarks(
        vehicle, scenario, solve_repeats=2, search_repeats=1, flight_repeats=1
    )
    assert not calls  # no ECOS solve was attempted
    for row in rows[:2]:
        assert row.baseline == "CVXPY + ECOS: not installed"
        assert math.isnan(row.baseline_median_s) and math.isnan(row.ratio)
    assert not math.isnan(rows[2].baseline_median_s)  # the Clarabel baseline still runs
    console = Console(width=250, record=True)
    console.print(bench.bench_table(rows, "t"))
    text = console.export_text()
    assert "not installed" in text and "nanx" not in text and "nan ms" not in text
