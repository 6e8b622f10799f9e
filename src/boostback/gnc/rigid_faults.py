"""Faults of a rigid vehicle's hardware, registered with the others (``gnc.faults``): they act
only on a 6-DoF plant (``plant.sixdof``); a point mass has no gimbals, thrusters or centre of
mass to get wrong.

- ``gimbal_stuck``: one engine's gimbal freezes where it is when the onset holds;
- ``gimbal_hard_over``: one engine's gimbal runs to ``fraction`` of its limit on one axis and
  stays there (an actuator failure driving it against its stop);
- ``thruster_failure``: ``thrusters`` of the cold-gas thrusters give nothing from the onset;
- ``cg_offset``: the centre of mass sits ``lateral_m`` off the thrust axis (as loaded);
- ``thrust_misalignment``: the burn's engines thrust ``angle_deg`` off their nominal axis (as
  built).

``engine`` counts in the burn's own list of engines (0: the first engine the burn lights), so a
campaign file needs no knowledge of the vehicle's engine numbering.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from boostback.dynamics.sixdof_params import SixDofParams
from boostback.gnc.faults import Fault, FaultState, Onset, Param, register

__all__ = [
    "CgOffset",
    "GimbalHardOver",
    "GimbalStuck",
    "ThrustMisalignment",
    "ThrusterFailure",
    "as_built",
    "gimbal_faults",
    "thrusters_failed",
]

MAX_ENGINE_INDEX = 50.0
MAX_CG_OFFSET_M = 2.0
MAX_MISALIGNMENT_DEG = 10.0
MAX_THRUSTERS = 64.0


@register("gimbal_stuck", Param("engine", 0.0, low=0.0, high=MAX_ENGINE_INDEX))
@dataclass(frozen=True)
class GimbalStuck(Fault):
    """The gimbal of the burn's ``engine`` freezes where it is when the onset first holds."""

    engine: float = 0.0
    onset: Onset = field(default_factory=Onset)


@register(
    "gimbal_hard_over",
    Param("engine", 0.0, low=0.0, high=MAX_ENGINE_INDEX),
    Param("axis", 0.0, low=0.0, high=1.0),
    Param("fraction", 1.0, low=-1.0, high=1.0),
)
@dataclass(frozen=True)
class GimbalHardOver(Fault):
    """The gimbal of the burn's ``engine`` runs to ``fraction`` of its limit about ``axis`` (0:
    y_body, 1: z_body) and stays there; its other axis freezes."""

    engine: float = 0.0
    axis: float = 0.0
    fraction: float = 1.0
    onset: Onset = field(default_factory=Onset)


@register("thruster_failure", Param("thrusters", 1.0, low=0.0, high=MAX_THRUSTERS))
@dataclass(frozen=True)
class ThrusterFailure(Fault):
    """``thrusters`` of the cold-gas thrusters (the last of them) give nothing."""

    thrusters: float = 1.0
    onset: Onset = field(default_factory=Onset)


@register("cg_offset", Param("lateral_m", 0.1, low=-MAX_CG_OFFSET_M, high=MAX_CG_OFFSET_M))
@dataclass(frozen=True)
class CgOffset(Fault):
    """The centre of mass ``lateral_m`` off the axis along y_body, as loaded (a thrust through
    the axis then turns the vehicle; the body's air loads still act on the axis)."""

    lateral_m: float = 0.1
    onset: Onset = field(default_factory=Onset)


@register(
    "thrust_misalignment",
    Param("angle_deg", 0.5, low=-MAX_MISALIGNMENT_DEG, high=MAX_MISALIGNMENT_DEG),
)
@dataclass(frozen=True)
class ThrustMisalignment(Fault):
    """Every engine of the burn thrusts ``angle_deg`` off its nominal axis, about z_body."""

    angle_deg: float = 0.5
    onset: Onset = field(default_factory=Onset)


def as_built(params: SixDofParams, faults: FaultState, burn: tuple[int, ...]) -> SixDofParams:
    """The vehicle as loaded and built: a centre-of-mass offset moves every body position the
    other way; a misalignment turns the burn's engines' axes."""
    offset = sum(f.lateral_m for f in faults.faults if isinstance(f, CgOffset))
    angle = sum(f.angle_deg for f in faults.faults if isinstance(f, ThrustMisalignment))
    if not offset and not angle:
        return params
    shift = np.array([0.0, offset, 0.0])
    axis = params.engine_axis.copy()
    if angle:
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        for i in burn:
            a = axis[i]
            axis[i] = (c * a[0] - s * a[1], s * a[0] + c * a[1], a[2])  # about z_body
    return dataclasses.replace(
        params,
        engine_position_m=params.engine_position_m - shift,
        engine_axis=axis,
        rcs_position_m=params.rcs_position_m - shift,
    )


def gimbal_faults(
    faults: FaultState, t: float, phase: str, alt: float, burn: tuple[int, ...]
) -> list[GimbalStuck | GimbalHardOver]:
    """The gimbal faults acting now whose engine the burn has (in the burn's order)."""
    found: list[GimbalStuck | GimbalHardOver] = []
    for f in faults.active(t, phase, alt):
        if isinstance(f, GimbalStuck | GimbalHardOver) and int(f.engine) < len(burn):
            found.append(f)
    return found


def thrusters_failed(faults: FaultState, t: float, phase: str, alt: float) -> int:
    """How many cold-gas thrusters the active faults have taken."""
    return int(
        sum(f.thrusters for f in faults.active(t, phase, alt) if isinstance(f, ThrusterFailure))
    )
