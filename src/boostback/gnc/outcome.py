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


NO_TOUCHDOWN_MARGIN = -1.0  # never reached the ground (ran dry in the air, or timed out)


def _fraction_left(value: float, limit: float) -> float:
    """``1 - value / limit`` written so that its sign is exactly that of ``limit - value``
    (the subtraction is exact in sign; ``1 - value / limit`` can round a value just past the
    limit to 0)."""
    return (limit - value) / limit


def margins(td: Touchdown | None, limits: LandingLimits, propellant0_kg: float) -> dict[str, float]:
    """Each touchdown limit's normalised margin: 1 - value / limit (negative: violated).

    ``vertical`` (against ``max_vertical_speed_mps``; the crash speed lies above it), ``miss``
    (against the pad radius ``max_miss_m``; a non-finite miss is -1), ``tipover`` (a rigid body
    on its legs: ``Touchdown.tipover_margin`` as it is) or, for a point mass, ``lateral`` and
    ``tilt``; and ``propellant``, the fraction of the burn's propellant left at touchdown
    (never negative: a dry tank fails through the touchdown speed it leaves, so this term only
    says how close the run came). Terms a touchdown does not have (NaN) are left out, as
    :func:`classify` ignores them.

    Parameters
    ----------
    td : Touchdown or None
        The touchdown, or ``None`` when the flight never reached the ground.
    limits : LandingLimits
        The vehicle's limits.
    propellant0_kg : float
        Propellant aboard at the start of the burn (the scale of ``propellant``).

    Returns
    -------
    dict of str to float
        Empty when there was no touchdown.
    """
    if td is None:
        return {}
    out = {"vertical": _fraction_left(td.vertical_speed_mps, limits.max_vertical_speed_mps)}
    if math.isfinite(td.tipover_margin):
        out["tipover"] = td.tipover_margin
    else:
        out["lateral"] = _fraction_left(td.lateral_speed_mps, limits.max_lateral_speed_mps)
        out["tilt"] = _fraction_left(td.tilt_deg, limits.max_tilt_deg)
    miss = td.miss_m
    out["miss"] = _fraction_left(miss, limits.max_miss_m) if math.isfinite(miss) else -1.0
    if propellant0_kg > 0.0 and math.isfinite(td.propellant_kg):
        out["propellant"] = max(td.propellant_kg, 0.0) / propellant0_kg
    return {k: float(v) for k, v in out.items() if not math.isnan(v)}


def landing_margin(td: Touchdown | None, limits: LandingLimits, propellant0_kg: float) -> float:
    """The signed distance to failure: the most violated normalised limit of :func:`margins`.

    Negative exactly when :func:`classify` says the landing failed (whatever ``ran_dry``: a dry
    tank fails a landing only through a touchdown speed above the limit), zero or positive when
    it landed; -1 when there was no touchdown. The structural and heating peaks of a whole
    flight are reported beside it but decide no outcome, so they are not part of it.

    Parameters
    ----------
    td : Touchdown or None
        The touchdown, or ``None``.
    limits : LandingLimits
        The vehicle's limits.
    propellant0_kg : float
        Propellant aboard at the start of the burn.

    Returns
    -------
    float
    """
    terms = margins(td, limits, propellant0_kg)
    return min(terms.values()) if terms else NO_TOUCHDOWN_MARGIN
