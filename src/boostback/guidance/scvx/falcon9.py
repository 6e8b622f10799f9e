"""A dimensional Falcon 9 6-DoF landing burn for successive convexification.

Numbers from the vehicle file (``vehicles/falcon9.toml``, cited there): the booster's dry mass,
one Merlin 1D at sea level (845 kN, Isp 282 s, throttle floor 40 %, gimbal 5 deg), the landing
burn's tilt limit and glide slope and its turn-rate limit, the stage's length and diameter. The
initial state is the ``falcon9_landing`` scenario's (3 km up, 400 m east of the pad, falling at
250 m/s with 15 m/s westward drift, 9 t of propellant), upright and not rotating.

Estimates, not published figures:

- inertia: a uniform solid cylinder of the stage's length and diameter and of its mass at the
  start of the burn, ``I_roll = m R^2 / 2``, ``I_pitch = I_yaw = m (3 R^2 + L^2) / 12``, held
  constant through the burn (as the literature's model does);
- thrust point: the engine's gimbal at the base of that cylinder, so ``L / 2`` below the centre
  of mass;
- touchdown: 1 m/s straight down, upright, not rotating, the engine not gimballed.

The problem is solved nondimensionally (``falcon9_scales``): length the initial altitude, time
``sqrt(L / g)``, mass the initial mass, so that gravity is 1 and every state is of order one.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.config.loader import load_vehicle
from boostback.config.models import Vehicle
from boostback.constants import G0_MPS2
from boostback.guidance.scvx.frames import scvx_from_rigid
from boostback.guidance.scvx.problem import Scales, SixDofProblem

__all__ = ["cylinder_inertia", "falcon9_problem", "falcon9_scales"]


def cylinder_inertia(mass_kg: float, length_m: float, diameter_m: float) -> np.ndarray:
    """Principal inertia tensor (kg m^2) of a uniform solid cylinder about its centre, x along
    its axis (an estimate of a stage's)."""
    r2 = (diameter_m / 2.0) ** 2
    roll = mass_kg * r2 / 2.0
    pitch = mass_kg * (3.0 * r2 + length_m**2) / 12.0
    return np.diag([roll, pitch, pitch])


def falcon9_problem(
    vehicle: Vehicle | None = None,
    *,
    r0_enu_m: tuple[float, float, float] = (400.0, 0.0, 3000.0),
    v0_enu_mps: tuple[float, float, float] = (-15.0, 0.0, -250.0),
    propellant_kg: float = 9000.0,
    touchdown_speed_mps: float = 1.0,
    tf_guess_s: float = 20.0,
    cost: str = "fuel",
) -> SixDofProblem:
    """The Falcon 9 landing burn in SI units, up-east-north (module docstring).

    Parameters
    ----------
    vehicle : Vehicle, optional
        Default: the built-in ``falcon9``.
    r0_enu_m, v0_enu_mps : initial position (pad-centred) and velocity, east-north-up.
    propellant_kg : propellant aboard at ignition.
    touchdown_speed_mps : planned vertical speed at touchdown.
    tf_guess_s : initial guess of the burn time.
    cost : "fuel" (maximum final mass) or "time".
    """
    veh = vehicle or load_vehicle("falcon9")
    stage = veh.booster
    engine = stage.engine
    if stage.landing is None:
        raise ValueError(f"{veh.key} has no [booster.landing] section")
    thrust = engine.thrust_sl_n if engine.thrust_sl_n is not None else engine.thrust_vac_n
    isp = engine.isp_sl_s if engine.isp_sl_s is not None else engine.isp_vac_s
    n_eng = stage.landing.engines
    m0 = stage.dry_mass_kg + propellant_kg
    rigid = np.zeros(14)
    rigid[0:3] = r0_enu_m
    rigid[3:6] = v0_enu_mps
    rigid[6] = m0
    rigid[7:11] = (0.5, -0.5, -0.5, -0.5)  # body x up: the identity in up-east-north
    x_init = scvx_from_rigid(rigid)
    x_init[7:11] = np.round(x_init[7:11], 12)
    x_final = np.zeros(14)
    x_final[0] = stage.dry_mass_kg
    x_final[4] = -touchdown_speed_mps
    x_final[7] = 1.0
    free_final = np.zeros(14, dtype=bool)
    free_final[0] = True
    return SixDofProblem(
        x_init=x_init,
        x_final=x_final,
        m_dry=stage.dry_mass_kg,
        thrust_min=n_eng * thrust * engine.throttle_min,
        thrust_max=n_eng * thrust * engine.throttle_max,
        alpha=1.0 / (isp * G0_MPS2),
        g=np.array([-G0_MPS2, 0.0, 0.0]),
        inertia=cylinder_inertia(m0, stage.length_m, stage.diameter_m),
        r_thrust=np.array([-stage.length_m / 2.0, 0.0, 0.0]),
        gimbal_max_rad=math.radians(engine.gimbal_deg),
        tilt_max_rad=math.radians(stage.landing.max_tilt_deg),
        glide_slope_rad=math.radians(max(stage.landing.glide_slope_deg, 1e-3)),
        rate_max_rad=math.radians(stage.landing.max_turn_rate_deg_s),
        tf_guess=tf_guess_s,
        tf_min=1.0,
        tf_max=120.0,
        final_free=free_final,
        final_thrust_axial=True,
        cost=cost,
    )


def falcon9_scales(prob: SixDofProblem) -> Scales:
    """Units for ``prob``: its initial altitude, ``sqrt(altitude / g)``, its initial mass."""
    length = float(prob.x_init[1])
    return Scales(
        length=length,
        time=math.sqrt(length / float(np.linalg.norm(prob.g))),
        mass=float(prob.x_init[0]),
    )
