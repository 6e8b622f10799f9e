"""Classify how a flight ended, against the vehicle's landing limits."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from boostback.config.models import LandingLimits
from boostback.config.vocab import Outcome


@dataclass(frozen=True)
class Touchdown:
    """The state at first contact with the ground.

    ``tipover_margin`` is a rigid body's margin against tipping over on its legs (1 - the
    rotational energy about the critical edge of the legs' footprint over the energy it takes to
    lift the centre of mass over that edge: ``plant.legs``); negative means it tips over. A point
    mass has none (NaN) and is judged by its lateral speed and tilt against the vehicle's limits.
    ``rates_dps`` is the body rates' magnitude at contact (NaN for a point mass).
    """

    t_s: float
    vertical_speed_mps: float  # positive down
    lateral_speed_mps: float
    tilt_deg: float
    miss_m: float
    propellant_kg: float
    tipover_margin: float = math.nan
    rates_dps: float = math.nan

    def as_dict(self) -> dict[str, float]:
        """The fields, without the rigid-body ones a point mass does not have."""
        d = asdict(self)
        for key in ("tipover_margin", "rates_dps"):
            if math.isnan(d[key]):
                del d[key]
        return d


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
    if math.isfinite(td.tipover_margin):  # a rigid body on its legs: the legs decide
        if td.tipover_margin < 0.0:
            return Outcome.TIPPED_OVER
    elif td.lateral_speed_mps > limits.max_lateral_speed_mps or td.tilt_deg > limits.max_tilt_deg:
        return Outcome.TIPPED_OVER
    if td.miss_m > limits.max_miss_m or not math.isfinite(td.miss_m):
        return Outcome.MISSED_PAD
    return Outcome.LANDED
