"""Hand-built rigid vehicles for the 6-DoF dynamics tests, and the cases the JIT parity test flies.

The numbers are round, booster-like test values (not a real vehicle's data: the vehicle files
and their sources are the vehicle data's business). Run as a script, it prints the parity cases
as JSON (floats as hex), once compiled and once with BOOSTBACK_JIT=0
(tests/test_sixdof_dynamics.py).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np

from boostback.dynamics.point_mass import AeroParams, Environment
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.environment.atmosphere import USSA1976, Vacuum
from boostback.environment.gravity import UniformGravity
from boostback.environment.wind import LayeredWind, NoWind

DRY_KG = 25_000.0
PROPELLANT_KG = 40_000.0
ENGINE_RING_M = 1.5
MACH = np.array([0.0, 0.8, 1.2, 3.0, 6.0])
CD = np.array([0.9, 1.0, 1.3, 1.1, 1.0])  # a 3-DoF Cd(Mach) for the drag-only body


def ring_engines(k: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """One centre engine and ``k - 1`` on a ring, all at the gimbal plane, axes along x_body."""
    pos = [(0.0, 0.0, 0.0)]
    for i in range(k - 1):
        az = 2.0 * math.pi * i / (k - 1)
        pos.append((0.0, ENGINE_RING_M * math.cos(az), ENGINE_RING_M * math.sin(az)))
    axis = np.tile([1.0, 0.0, 0.0], (k, 1))
    return np.array(pos), axis


def drag_only_tables(alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C_A and C_N of a body that feels only the 3-DoF drag: ``C_D cos(alpha)``, ``C_D sin``."""
    ca = CD[:, None] * np.cos(alphas)[None, :]
    cn = CD[:, None] * np.sin(alphas)[None, :]
    return ca, cn


def make_params(**changes: object) -> SixDofParams:
    """A nine-engine booster with four grid fins and eight thrusters; ``changes`` replace
    fields (``dataclasses.replace``)."""
    e_pos, e_axis = ring_engines()
    alphas = np.linspace(0.0, math.pi, 13)
    ca, cn = drag_only_tables(alphas)
    fin_az = np.array([0.0, 0.5, 1.0, 1.5]) * math.pi
    rcs_az = np.repeat(fin_az, 2)
    rcs_pos = np.array([(40.0, 1.8 * math.cos(a), 1.8 * math.sin(a)) for a in rcs_az])
    sign = np.tile([1.0, -1.0], 4)  # a pair at each azimuth, firing either way tangentially
    rcs_dir = np.stack([np.zeros(8), -sign * np.sin(rcs_az), sign * np.cos(rcs_az)], axis=1)
    params = SixDofParams(
        mp_propellant_kg=np.array([0.0, 20_000.0, PROPELLANT_KG]),
        mp_cg_station_m=np.array([14.0, 11.0, 9.5]),
        mp_inertia_kgm2=np.array([[8e4, 4.0e6, 4.0e6], [1.4e5, 5.0e6, 5.0e6], [2e5, 6e6, 6e6]]),
        engine_position_m=e_pos,
        engine_axis=e_axis,
        engine_thrust_vac_n=900_000.0,
        engine_exit_area_m2=0.9,
        engine_mass_flow_kgps=300.0,
        throttle_min=0.4,
        throttle_max=1.0,
        throttle_rate_per_s=1.0,
        throttle_time_constant_s=0.1,
        gimbal_max_rad=math.radians(5.0),
        gimbal_rate_rad_s=math.radians(20.0),
        gimbal_time_constant_s=0.05,
        startup_s=1.0,
        shutdown_s=0.5,
        aero_mach=MACH.copy(),
        aero_alpha_rad=alphas,
        aero_axial=ca,
        aero_normal=cn,
        aero_cp_station_m=np.full((MACH.size, alphas.size), 20.0),
        aero_pitch_damping=np.full(MACH.size, -2.0),
        aero_roll_damping=-0.05,
        ref_area_m2=10.5,
        ref_length_m=45.0,
        fin_azimuth_rad=fin_az,
        fin_station_m=42.0,
        fin_span_radius_m=2.5,
        fin_area_m2=1.5,
        fin_mach=np.array([0.0, 2.0, 5.0]),
        fin_deflection_rad=np.radians([-20.0, 0.0, 20.0]),
        fin_force=np.array([[-0.6, 0.0, 0.6], [-0.5, 0.0, 0.5], [-0.3, 0.0, 0.3]]),
        fin_axial=np.array([0.5, 0.6, 0.4]),
        fin_max_rad=math.radians(20.0),
        fin_rate_rad_s=math.radians(30.0),
        rcs_position_m=rcs_pos,
        rcs_direction=rcs_dir,
        rcs_thrust_n=450.0,
        rcs_isp_s=70.0,
        rcs_gas_kg=300.0,
        leg_count=4,
        leg_footprint_radius_m=9.0,
        leg_station_m=-1.0,
        length_m=45.0,
        diameter_m=3.7,
        dry_mass_kg=DRY_KG,
    )
    return dataclasses.replace(params, **changes)  # type: ignore[arg-type]


def inert(**changes: object) -> SixDofParams:
    """``make_params`` with no aerodynamics, no fins and no thrusters (a bare rigid body)."""
    base = dict(
        aero_mach=np.zeros(0),
        aero_alpha_rad=np.zeros(0),
        aero_axial=np.zeros((0, 0)),
        aero_normal=np.zeros((0, 0)),
        aero_cp_station_m=np.zeros((0, 0)),
        aero_pitch_damping=np.zeros(0),
        fin_azimuth_rad=np.zeros(0),
        fin_mach=np.zeros(0),
        fin_force=np.zeros((0, 3)),
        fin_axial=np.zeros(0),
        rcs_position_m=np.zeros((0, 3)),
        rcs_direction=np.zeros((0, 3)),
    )
    base.update(changes)
    return make_params(**base)


def aero_3dof() -> AeroParams:
    """The 3-DoF drag of the drag-only body: the same Cd(Mach) and reference area."""
    return AeroParams(10.5, tuple(MACH), tuple(CD))


VACUUM_FLAT = Environment(Vacuum(), UniformGravity(9.80665), NoWind())
AIR_FLAT = Environment(USSA1976(), UniformGravity(9.80665), NoWind())
WIND = LayeredWind((0.0, 5_000.0, 20_000.0), ((8.0, -3.0, 0.0), (25.0, 4.0, 0.0), (10.0, 0.0, 0.0)))
AIR_WIND = Environment(USSA1976(), UniformGravity(9.80665), WIND)


def state(
    r=(0.0, 0.0, 3_000.0),
    v=(0.0, 0.0, -250.0),
    m=DRY_KG + 30_000.0,
    q=(1.0, 0.0, 0.0, 0.0),
    w=(0.0, 0.0, 0.0),
) -> np.ndarray:
    """A 14-float rigid-body state."""
    return np.array([*r, *v, m, *q, *w], dtype=np.float64)


def parity_cases() -> dict[str, list[str]]:
    """A short powered, gimballed, finned, thrusting run in a layered wind, and its air data."""
    from boostback.dynamics.sixdof import SixDofKernel

    kern = SixDofKernel.build(make_params(), AIR_WIND)
    q = (math.cos(0.5 * 2.9), 0.0, math.sin(0.5 * 2.9), 0.0)  # about 166 deg from up
    x = state(r=(100.0, -50.0, 4_000.0), v=(60.0, -10.0, -280.0), q=q, w=(0.05, 0.02, -0.03))
    thr = np.array([0.8, 0.0, 0.7, 0.0, 0.0, 0.0, 0.6, 0.0, 0.0])
    gim = np.zeros((9, 2))
    gim[0] = (0.02, -0.03)
    fins = np.radians([5.0, -3.0, 2.0, 7.0])
    rcs = np.array([1.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.25])
    out = {"deriv": kern.derivatives(x, thr, gim, fins, rcs).tolist()}
    gas = 0.0
    for _ in range(100):
        x, g = kern.step(x, 0.02, thr, gim, fins, rcs)
        gas += g
    out["run"] = [*x.tolist(), gas]
    out["air"] = kern.air_data(x, thr, gim, fins).tolist()
    return {k: [float(v).hex() for v in vals] for k, vals in out.items()}


if __name__ == "__main__":
    print(json.dumps(parity_cases()))
