"""Classify how a flight ended, against the vehicle's landing limits."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from boostback.config.models import LandingLimits
from boostback.config.vocab import Outcome


@dataclass(frozen=True)
class Touchdown:
    t_s: float
    vertical_speed_mps: float  # positive down
    lateral_speed_mps: float
    tilt_deg: float
    miss_m: float
    propellant_kg: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def classify(td: Touchdown | None, limits: LandingLimits, ran_dry: bool) -> Outcome:
    """Most serious first: a dry tank explains a crash; a crash outranks a hard landing, etc."""
    if td is None:
        return Outcome.PROPELLANT_DEPLETED if ran_dry else Outcome.TIMEOUT
    if ran_dry and td.vertical_speed_mps > limits.max_vertical_speed_mps:
        return Outcome.PROPELLANT_DEPLETED
    if td.vertical_speed_mps > limits.crash_speed_mps:
        return Outcome.CRASHED
    if td.vertical_speed_mps > limits.max_vertical_speed_mps:
        return Outcome.HARD_LANDING
    if td.lateral_speed_mps > limits.max_lateral_speed_mps or td.tilt_deg > limits.max_tilt_deg:
        return Outcome.TIPPED_OVER
    if td.miss_m > limits.max_miss_m or not math.isfinite(td.miss_m):
        return Outcome.MISSED_PAD
    return Outcome.LANDED
