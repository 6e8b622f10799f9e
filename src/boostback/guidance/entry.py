"""Entry-burn targeting: the speed to slow to so the descent stays within the stage's limits.

Peak dynamic pressure and peak heating (the Sutton-Graves index) of the rest of the descent both
grow with the speed at which the entry burn ends, so the target is found by bisection on that
speed, each candidate judged by a full prediction of the burn and the fall (``peaks``). The
target keeps both peaks ``margin`` below their limits; if even the slowest allowed speed cannot,
it is returned with ``feasible = False`` and the flight goes on (the summary reports the excess).

A mission may also cap the end-of-burn speed (``v_max_mps``): a deeper burn than the limits ask
for, when the landing burn needs the stage to reach the handover slower and steeper (the burn is
retrograde, so it takes out horizontal speed too). The target is then the lower of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["EntryTarget", "entry_target_speed"]

PeaksFn = Callable[[float], tuple[float, float]]
"""Target speed (m/s) in; predicted peak dynamic pressure (Pa) and heating index (W/m^2) out."""


@dataclass(frozen=True)
class EntryTarget:
    speed_mps: float
    peak_qbar_pa: float
    peak_heat_wpm2: float
    needed: bool  # False: the descent is within limits without a burn
    feasible: bool  # False: not even ``v_min_mps`` keeps the peaks within the limits
    predictions: int


def entry_target_speed(
    peaks: PeaksFn,
    speed_now_mps: float,
    q_limit_pa: float,
    heat_limit_wpm2: float,
    margin: float,
    v_min_mps: float = 250.0,
    tol_mps: float = 5.0,
    v_max_mps: float | None = None,
) -> EntryTarget:
    """Highest end-of-burn speed whose predicted peaks stay ``margin`` under both limits.

    With ``v_max_mps``, no higher than that either (a burn is needed whenever the stage is
    faster than the cap).
    """

    def excess(v: float) -> tuple[float, float, float]:
        q, heat = peaks(v)
        return max(q / q_limit_pa, heat / heat_limit_wpm2) - (1.0 - margin), q, heat

    capped = v_max_mps is not None and v_max_mps < speed_now_mps
    top = min(speed_now_mps, v_max_mps) if v_max_mps is not None else speed_now_mps
    f_hi, q_hi, h_hi = excess(top)
    n = 1
    if f_hi <= 0.0:
        return EntryTarget(top, q_hi, h_hi, capped, True, n)
    lo = min(v_min_mps, top)
    f_lo, q_lo, h_lo = excess(lo)
    n += 1
    if f_lo > 0.0:
        return EntryTarget(lo, q_lo, h_lo, True, False, n)
    hi = top
    while hi - lo > tol_mps:
        mid = 0.5 * (lo + hi)
        f, q, heat = excess(mid)
        n += 1
        if f <= 0.0:
            lo, q_lo, h_lo = mid, q, heat
        else:
            hi = mid
    return EntryTarget(lo, q_lo, h_lo, True, True, n)
