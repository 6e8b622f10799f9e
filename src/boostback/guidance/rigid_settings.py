"""Guidance settings for a rigid vehicle, derived from how fast it can turn its thrust axis.

A point mass turns its thrust at once; a rigid booster turns it through its attitude loop, with
the angular acceleration its gimbals give (``agility``). The landing guidance of a 6-DoF burn
takes its settings from that agility instead of from the point mass's:

- the **plan tilt limit** is ``PLAN_TILT_FRACTION`` of the vehicle's: the rest of the cone is
  left to feedback (``LcvxGuidance`` plans in the whole cone when no landing exists inside);
- the **turn time** ``T``: the time to swing the axis from one side of the plan's cone to the
  other and stop there, at the share of the agility the attitude loop's reference may use (a
  bang-bang turn, ``2 sqrt(2 theta / a)``);
- the **terminal vertical segment** lasts at least ``T / 2 + TERMINAL_SETTLE_S``: the vehicle
  starts to come upright half a turn before the segment (the controller smooths the plan's
  thrust over ``T``, centred), is upright half a turn into it, and has ``TERMINAL_SETTLE_S``
  left to null what is left of its sideways speed;
- **re-plans stop** ``T`` before that segment: a plan re-solved from the present state with a
  short time to go is a feedback of gain ~ 1/t_go^2 that a slow axis cannot follow, so the last
  turn is flown by the controller alone on the last plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from boostback.dynamics.sixdof import SixDofKernel
from boostback.plant.setup import LandingSetup
from boostback.plant.sixdof import retrograde_state
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

__all__ = [
    "PLAN_TILT_FRACTION",
    "REFERENCE_FRACTION",
    "RigidTiming",
    "agility_rad_s2",
    "rigid_setup",
    "rigid_timing",
]

REFERENCE_FRACTION = 0.4  # share of the gimbals' angular acceleration a planned turn may use
TERMINAL_SETTLE_S = 2.0  # upright time left to null the sideways speed before touchdown
PLAN_TILT_FRACTION = 0.6  # share of the vehicle's tilt limit a plan may use: the rest is feedback's


def agility_rad_s2(setup: LandingSetup) -> float:
    """Pitch acceleration (rad/s^2) the landing engines' gimbals give at full deflection.

    At the planning floor throttle (the least thrust a plan commands), the burn's starting
    mass (the largest inertia) and upright; fins and thrusters are left out (the fins fade
    with the speed, the thrusters are weak), so it is the least the vehicle has in the burn.
    """
    params = sixdof_params(setup.vehicle)
    model = SixDofKernel.build(params, setup.env)
    x3 = setup.initial_state()
    x = retrograde_state((*x3[:3], 0.0, 0.0, 0.0, x3[6]), params)
    k = params.engine_position_m.shape[0]
    engines = burn_engines(setup.stage, "landing")
    prop, g = setup.prop, setup.guidance
    throttles = np.zeros(k)
    throttles[engines] = min(prop.throttle_min + g.planning_throttle_floor_margin, 1.0)
    gimbal = np.zeros((k, 2))
    fins = np.zeros(params.fin_azimuth_rad.shape[0])
    rcs = np.zeros(params.rcs_position_m.shape[0])
    base = model.derivatives(x, throttles, gimbal, fins, rcs)[12]
    gimbal[engines, 0] = params.gimbal_max_rad
    return abs(float(model.derivatives(x, throttles, gimbal, fins, rcs)[12] - base))


@dataclass(frozen=True)
class RigidTiming:
    """How fast a rigid vehicle turns its thrust axis, and the guidance settings that follow."""

    agility_rad_s2: float
    plan_tilt_rad: float  # the plans' tilt limit: a share of the vehicle's
    turn_s: float  # swing from one side of the plan's tilt cone to the other, and stop
    terminal_vertical_s: float  # the plan's final vertical segment
    freeze_s: float  # no re-plans closer than this to the end of the plan


def rigid_timing(setup: LandingSetup) -> RigidTiming:
    """The turn time and the guidance settings of ``setup``'s vehicle (module docstring)."""
    a = agility_rad_s2(setup)
    landing = setup.stage.landing
    tilt = math.radians(landing.max_tilt_deg) if landing else math.radians(20.0)
    plan_tilt = PLAN_TILT_FRACTION * tilt
    turn = 2.0 * math.sqrt(2.0 * plan_tilt / (REFERENCE_FRACTION * a))
    vertical = max(setup.guidance.terminal_vertical_s, 0.5 * turn + TERMINAL_SETTLE_S)
    return RigidTiming(a, plan_tilt, turn, vertical, vertical + turn)


def rigid_setup(setup: LandingSetup) -> LandingSetup:
    """``setup`` with its guidance's terminal vertical segment lengthened for a rigid vehicle
    (``rigid_timing``); a 3-DoF setup is returned as it is."""
    if setup.sim.dof != 6:
        return setup
    timing = rigid_timing(setup)
    return replace(
        setup,
        guidance=setup.guidance.model_copy(
            update={"terminal_vertical_s": timing.terminal_vertical_s}
        ),
    )
