"""A rigid vehicle as plain arrays, for the compiled 6-DoF kernels.

``plant.sixdof_setup`` builds one ``SixDofParams`` from a vehicle file's ``[booster.rigid_body]``
section; the kernels of ``dynamics.sixdof`` take its arrays (``SixDofKernel`` packs them once),
its scalars packed into one array by :func:`pack_scalars` at the indices ``P_*`` defined here.

Conventions (docs/six_dof.md): body frame ``x`` along the axis towards the nose; stations
(``*_station_m``, and the x component of every body position) measured along ``x_body`` from the
engines' gimbal plane; angles in radians. The air-relative velocity ``u`` is the vehicle's
velocity relative to the air, in body axes; the total angle of attack
``alpha = atan2(|u_perp|, u_x)`` runs from 0 (moving nose first: the ascent) to pi (moving
engines first: the descent), and ``n = u_perp / |u_perp|`` is the crossflow direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["P_SIZE", "SixDofParams", "pack_scalars"]

# The scalars of a SixDofParams packed into one array (``pack_scalars``), for the kernels.
P_THRUST_VAC, P_EXIT_AREA, P_MASS_FLOW = 0, 1, 2  # one engine at full throttle
P_THROTTLE_MIN, P_THROTTLE_MAX, P_THROTTLE_RATE, P_THROTTLE_TAU = 3, 4, 5, 6
P_GIMBAL_MAX, P_GIMBAL_RATE, P_GIMBAL_TAU = 7, 8, 9
P_STARTUP, P_SHUTDOWN = 10, 11
P_ROLL_DAMPING, P_REF_AREA, P_REF_LENGTH = 12, 13, 14
P_FIN_STATION, P_FIN_RADIUS, P_FIN_AREA, P_FIN_MAX, P_FIN_RATE, P_FIN_TAU = 15, 16, 17, 18, 19, 20
P_RCS_THRUST, P_RCS_ISP, P_RCS_GAS = 21, 22, 23
P_LEG_COUNT, P_LEG_RADIUS, P_LEG_STATION = 24, 25, 26
P_LENGTH, P_DIAMETER, P_DRY_MASS = 27, 28, 29
P_SIZE = 30
_PACKED = (
    "engine_thrust_vac_n", "engine_exit_area_m2", "engine_mass_flow_kgps",
    "throttle_min", "throttle_max", "throttle_rate_per_s", "throttle_time_constant_s",
    "gimbal_max_rad", "gimbal_rate_rad_s", "gimbal_time_constant_s",
    "startup_s", "shutdown_s",
    "aero_roll_damping", "ref_area_m2", "ref_length_m",
    "fin_station_m", "fin_span_radius_m", "fin_area_m2", "fin_max_rad", "fin_rate_rad_s",
    "fin_time_constant_s",
    "rcs_thrust_n", "rcs_isp_s", "rcs_gas_kg",
    "leg_count", "leg_footprint_radius_m", "leg_station_m",
    "length_m", "diameter_m", "dry_mass_kg",
)  # fmt: skip


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
        engine: the nominal axis is turned first by gimbal angle 0 about y_body, then by gimbal
        angle 1 about z_body, right-hand rule; the thrust line passes through the gimbal point)
    startup_s, shutdown_s : float, thrust ramps at ignition and cut-off (linear, 0 to 1 and back)

    Aerodynamics of the body (grid fins apart), tabulated on ``aero_mach`` (m,) x
    ``aero_alpha_rad`` (a,), alpha in [0, pi]:

    aero_axial : (m, a) axial force coefficient C_A: force ``-C_A qbar S x_body``. Body-axis
        sign: a drag-only body has ``C_A = C_D cos(alpha)``, so C_A is negative in the descent
        (alpha near pi: the drag pushes towards +x_body, the nose).
    aero_normal : (m, a) normal force coefficient C_N: force ``-C_N qbar S n``, i.e. positive
        pushes the body with the air's crossflow, against its own crossflow motion (a drag-only
        body has ``C_N = C_D sin(alpha)``, a slender body C_N > 0 on (0, pi)).
    aero_cp_station_m : (m, a) station of the centre of pressure, where the normal force acts
    aero_pitch_damping : (m,) pitch/yaw damping derivative C_mq (per rad, on w L / 2V with the
        rate w normal to the axis; moment ``C_mq qbar S L (w L / 2V)``, negative damps)
    aero_roll_damping : float, C_lp (per rad, on p d / 2V with d the diameter; moment
        ``C_lp qbar S d (p d / 2V)``, negative damps)
    ref_area_m2, ref_length_m : float (the base area and the stage length)
    plume_ct, plume_factor : (t,) factor on the body's aerodynamic forces and moments against
        the thrust coefficient ``C_T = T / (qbar S)`` while the engines fire (the 3-DoF model's
        retro-propulsion shielding, ``dynamics.forces.plume_factor``); empty: always 1

    Grid fins (f of them, at ``fin_station_m``, hinge lines radial):

    fin_azimuth_rad : (f,) angle of each fin's hinge line about x_body, from y_body towards z_body
    fin_station_m : float
    fin_span_radius_m : float, radius of each fin's centre of pressure from the axis
    fin_area_m2 : float, reference area of one fin
    fin_mach : (p,), fin_deflection_rad : (d,)
    fin_force : (p, d) force coefficient of one fin normal to its plane at a deflection, in
        the descent (air flowing onto the engines). A fin's plane holds x_body and its hinge
        line; the force acts along the tangent ``t = (0, -sin(az), cos(az))`` as
        ``C_F qbar S_fin (-cos(alpha))``: it fades with the axial flow and reverses nose first.
        With ``C_F`` odd in the deflection, equal deflections of all fins roll the vehicle and
        opposite deflections of a facing pair pitch or yaw it.
    fin_axial : (p,) axial (drag) coefficient of one fin, deployed: force
        ``-C_Af qbar S_fin cos(alpha) x_body`` (towards the nose in the descent)
    fin_max_rad, fin_rate_rad_s : float; fin_time_constant_s : float, first-order lag (0: none)

    Cold-gas thrusters (c of them):

    rcs_position_m : (c, 3), rcs_direction : (c, 3) unit thrust direction in body
    rcs_thrust_n, rcs_isp_s : float; rcs_gas_kg : float, nitrogen aboard at separation. The
        gas is part of ``dry_mass_kg``; what the thrusters use leaves the state's mass, so the
        mass-property lookup (propellant ``= m - dry_mass_kg``) reads low by the gas used
        (at most ``rcs_gas_kg``).

    Legs (touchdown): leg_count, leg_footprint_radius_m (axis to foot), leg_station_m (station of
    the feet: negative, below the gimbal plane).

    Dimensions: length_m, diameter_m; dry_mass_kg (the stage without propellant, its cold
    gas included).
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
    plume_ct: np.ndarray = field(default_factory=lambda: np.zeros(0))
    plume_factor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fin_time_constant_s: float = 0.0


def pack_scalars(params: SixDofParams) -> np.ndarray:
    """The scalars of ``params`` as one float64 array, at the indices ``P_*``.

    Parameters
    ----------
    params : SixDofParams
        The vehicle.

    Returns
    -------
    numpy.ndarray
        (P_SIZE,) array: ``out[P_THRUST_VAC]`` is ``params.engine_thrust_vac_n``, and so on.
    """
    return np.array([float(getattr(params, name)) for name in _PACKED], dtype=np.float64)
