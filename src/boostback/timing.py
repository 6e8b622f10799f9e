"""One timing of ``make bench``: a case, its median and p90, and its baseline in the same run.

At the bottom of the layering so that every package that measures itself (the guidance, the
payload solver, the campaign store) returns the same row the benchmark table prints.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BenchRow"]


@dataclass(frozen=True)
class BenchRow:
    """A measured case against its baseline (``target_s``: the absolute goal on a quiet machine,
    None for none)."""

    case: str
    median_s: float
    p90_s: float
    baseline: str
    baseline_median_s: float
    target_s: float | None
    note: str = ""

    @property
    def ratio(self) -> float:
        """How many times faster than the baseline (>1 is faster)."""
        return self.baseline_median_s / self.median_s if self.median_s > 0 else float("nan")
