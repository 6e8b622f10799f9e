"""A rigid vehicle as plain arrays, for the compiled 6-DoF kernels.

``plant.sixdof_setup`` builds one ``SixDofParams`` from a vehicle file's ``[booster.rigid_body]``
section; the kernels of ``dynamics.sixdof`` take its arrays. Conventions (docs/six_dof.md): body
frame ``x`` along the axis towards the nose; stations (``*_station_m``, and the x component of
every body position) measured along ``x_body`` from the engines' gimbal plane; angles in radians;
the total angle of attack ``alpha`` runs from 0 (air flowing onto the nose: ascent) to pi (air
flowing onto the engines: the descent, engines first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SixDofParams"]


@dataclass(frozen=True, eq=False)
class SixDofParams:
    """One rigid vehicle: mass properties, engines, aerodynamics, grid fins, cold-gas thrusters,
    legs. Every array is float64 and C-contiguous.

    Mass properties, tabulated against the propellant aboard (ascending, first row 0 kg):

    mp_propellant_kg : (n,)
    mp_cg_station_m : (n,) station of the centre of mass
    mp_inertia_kgm2 : (n, 3) principal moments about the centre of mass: roll (x_body), pitch
        (y_body), yaw (z_body); the tanks and dry structure are axisymmetric, so products of
        inertia are zero.

    Engines (k of them, identical):

    engine_position_m : (k, 3) body position of each engine's gimbal point
    engine_axis : (k, 3) unit nominal thrust direction in body (about +x_body; a canted engine
        tilts outwards)
    engine_thrust_vac_n, engine_exit_area_m2, engine_mass_flow_kgps : float, one engine at full
        throttle
    throttle_min, throttle_max : float
    throttle_rate_per_s : float, how fast the throttle setting can move (fraction per second)
    throttle_time_constant_s : float, first-order lag of the thrust behind the valves
    gimbal_max_rad, gimbal_rate_rad_s, gimbal_time_constant_s : float, per axis (two axes per
        engine: about y_body and about z_body)
    startup_s, shutdown_s : float, thrust ramps at ignition and cut-off

    Aerodynamics of the body (grid fins apart), tabulated on ``aero_mach`` (m,) x
    ``aero_alpha_rad`` (a,), alpha in [0, pi]:

    aero_axial : (m, a) axial force coefficient C_A (positive pushes towards -x_body)
    aero_normal : (m, a) normal force coefficient C_N (positive pushes along the crossflow,
        i.e. in the direction of the air-relative velocity's component normal to the axis)
    aero_cp_station_m : (m, a) station of the centre of pressure
    aero_pitch_damping : (m,) pitch/yaw damping derivative C_mq (per rad, on q L / 2V, negative
        damps)
    aero_roll_damping : float, C_lp
    ref_area_m2, ref_length_m : float (the base area and the stage length)

    Grid fins (f of them, at ``fin_station_m``, hinge lines radial):

    fin_azimuth_rad : (f,) angle of each fin's hinge line about x_body, from y_body towards z_body
    fin_station_m : float
    fin_span_radius_m : float, radius of each fin's centre of pressure from the axis
    fin_area_m2 : float, reference area of one fin
    fin_mach : (p,), fin_deflection_rad : (d,)
    fin_force : (p, d) force coefficient of one fin normal to its plane at a deflection
    fin_axial : (p,) axial (drag) coefficient of one fin, deployed
    fin_max_rad, fin_rate_rad_s : float

    Cold-gas thrusters (c of them):

    rcs_position_m : (c, 3), rcs_direction : (c, 3) unit thrust direction in body
    rcs_thrust_n, rcs_isp_s : float; rcs_gas_kg : float, nitrogen aboard at separation

    Legs (touchdown): leg_count, leg_footprint_radius_m (axis to foot), leg_station_m (station of
    the feet: negative, below the gimbal plane).

    Dimensions: length_m, diameter_m; dry_mass_kg.
    """

    mp_propellant_kg: np.ndarray
    mp_cg_station_m: np.ndarray
    mp_inertia_kgm2: np.ndarray
    engine_position_m: np.ndarray
    engine_axis: np.ndarray
    engine_thrust_vac_n: float
    engine_exit_area_m2: float
    engine_mass_flow_kgps: float
    throttle_min: float
    throttle_max: float
    throttle_rate_per_s: float
    throttle_time_constant_s: float
    gimbal_max_rad: float
    gimbal_rate_rad_s: float
    gimbal_time_constant_s: float
    startup_s: float
    shutdown_s: float
    aero_mach: np.ndarray
    aero_alpha_rad: np.ndarray
    aero_axial: np.ndarray
    aero_normal: np.ndarray
    aero_cp_station_m: np.ndarray
    aero_pitch_damping: np.ndarray
    aero_roll_damping: float
    ref_area_m2: float
    ref_length_m: float
    fin_azimuth_rad: np.ndarray
    fin_station_m: float
    fin_span_radius_m: float
    fin_area_m2: float
    fin_mach: np.ndarray
    fin_deflection_rad: np.ndarray
    fin_force: np.ndarray
    fin_axial: np.ndarray
    fin_max_rad: float
    fin_rate_rad_s: float
    rcs_position_m: np.ndarray
    rcs_direction: np.ndarray
    rcs_thrust_n: float
    rcs_isp_s: float
    rcs_gas_kg: float
    leg_count: int
    leg_footprint_radius_m: float
    leg_station_m: float
    length_m: float
    diameter_m: float
    dry_mass_kg: float
