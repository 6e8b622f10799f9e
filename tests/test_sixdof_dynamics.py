"""The 6-DoF equations of motion against the 3-DoF kernel, against forces and moments worked out
independently here (r x F, the coefficient tables read with numpy, the USSA1976 density), and
compiled against interpreted."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.interpolate import RegularGridInterpolator
from scipy.spatial.transform import Rotation

from boostback.constants import G0_MPS2
from boostback.dynamics import sixdof_params as sp
from boostback.dynamics.actuators import channels_step, effective_throttle, spool_step
from boostback.dynamics.aero6 import bilinear
from boostback.dynamics.fast import compile_kernel
from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.dynamics.rigid_body import quat_between
from boostback.dynamics.rigid_state import MASS, QUAT, RATE, SIZE3
from boostback.dynamics.sixdof import (
    AD_ALPHA,
    AD_FORCE,
    AD_MACH,
    AD_MOMENT,
    AD_QBAR,
    AD_THRUST,
    SixDofKernel,
    mass_properties,
)
from boostback.environment.atmosphere import ussa1976_scalar
from sixdof_vehicle import (
    AIR_FLAT,
    CD,
    DRY_KG,
    MACH,
    VACUUM_FLAT,
    aero_3dof,
    drag_only_tables,
    inert,
    make_params,
    state,
)

HERE = Path(__file__).parent
DT = 0.02
X_BODY = (1.0, 0.0, 0.0)
UP = (0.0, 0.0, 1.0)
UPRIGHT = quat_between(X_BODY, UP)


def idle(params: sp.SixDofParams):
    """Engines off, gimbals centred, fins at zero, thrusters off."""
    k, f = params.engine_position_m.shape[0], params.fin_azimuth_rad.shape[0]
    c = params.rcs_position_m.shape[0]
    return np.zeros(k), np.zeros((k, 2)), np.zeros(f), np.zeros(c)


def no_fins(**changes: object) -> sp.SixDofParams:
    """The drag-only body without fins or thrusters."""
    base = dict(
        fin_azimuth_rad=np.zeros(0), rcs_position_m=np.zeros((0, 3)), rcs_direction=np.zeros((0, 3))
    )
    base.update(changes)
    return make_params(**base)


def cg_and_inertia(params: sp.SixDofParams, mass_kg: float):
    prop = mass_kg - params.dry_mass_kg
    cg = np.interp(prop, params.mp_propellant_kg, params.mp_cg_station_m)
    inertia = [
        np.interp(prop, params.mp_propellant_kg, params.mp_inertia_kgm2[:, j]) for j in (0, 1, 2)
    ]
    return cg, np.array(inertia)


def density_and_sound(h_m: float) -> tuple[float, float]:
    _t, _p, rho, a = ussa1976_scalar(h_m)
    return rho, a


# ---- packing -------------------------------------------------------------------------------

FIELD_OF = {
    "P_THRUST_VAC": "engine_thrust_vac_n", "P_EXIT_AREA": "engine_exit_area_m2",
    "P_MASS_FLOW": "engine_mass_flow_kgps", "P_THROTTLE_MIN": "throttle_min",
    "P_THROTTLE_MAX": "throttle_max", "P_THROTTLE_RATE": "throttle_rate_per_s",
    "P_THROTTLE_TAU": "throttle_time_constant_s", "P_GIMBAL_MAX": "gimbal_max_rad",
    "P_GIMBAL_RATE": "gimbal_rate_rad_s", "P_GIMBAL_TAU": "gimbal_time_constant_s",
    "P_STARTUP": "startup_s", "P_SHUTDOWN": "shutdown_s", "P_ROLL_DAMPING": "aero_roll_damping",
    "P_REF_AREA": "ref_area_m2", "P_REF_LENGTH": "ref_length_m", "P_FIN_STATION": "fin_station_m",
    "P_FIN_RADIUS": "fin_span_radius_m", "P_FIN_AREA": "fin_area_m2", "P_FIN_MAX": "fin_max_rad",
    "P_FIN_RATE": "fin_rate_rad_s", "P_FIN_TAU": "fin_time_constant_s",
    "P_RCS_THRUST": "rcs_thrust_n", "P_RCS_ISP": "rcs_isp_s", "P_RCS_GAS": "rcs_gas_kg",
    "P_LEG_COUNT": "leg_count", "P_LEG_RADIUS": "leg_footprint_radius_m",
    "P_LEG_STATION": "leg_station_m", "P_LENGTH": "length_m", "P_DIAMETER": "diameter_m",
    "P_DRY_MASS": "dry_mass_kg",
}  # fmt: skip


def test_every_packed_scalar_sits_at_its_named_index() -> None:
    values = {name: 100.0 + i for i, name in enumerate(FIELD_OF.values())}
    packed = sp.pack_scalars(make_params(**values))
    assert packed.shape == (sp.P_SIZE,) == (len(FIELD_OF),)
    for const, name in FIELD_OF.items():
        assert packed[getattr(sp, const)] == values[name], const


# ---- against the 3-DoF kernel ----------------------------------------------------------------


def test_free_fall_in_vacuum_matches_the_3dof_kernel() -> None:
    params = inert()
    six = SixDofKernel.build(params, VACUUM_FLAT)
    three = compile_kernel(
        PropulsionParams(1.0, 0.0, 1.0, 0.4, 1.0), AeroParams(1.0, (), ()), VACUUM_FLAT
    )
    x6 = state(r=(30.0, -20.0, 8_000.0), v=(120.0, -40.0, 15.0))
    x3 = tuple(x6[:SIZE3])
    for _ in range(1000):
        x6, _g = six.step(x6, DT, *idle(params))
        x3 = three.step(x3, DT, 0.0, UP)
        np.testing.assert_allclose(x6[:SIZE3], x3, rtol=1e-14, atol=1e-9)
    np.testing.assert_array_equal(x6[RATE], 0.0)


def test_falling_engines_first_through_air_matches_the_3dof_drag_with_its_plume() -> None:
    """Upright and falling straight down, the body is at alpha = pi: its drag is C_A(Mach, pi) =
    -C_D(Mach), the 3-DoF drag, shielded by the same plume while the centre engine fires."""
    plume = dict(
        plume_ct=np.array([0.0, 0.5, 1.0, 2.0]), plume_factor=np.array([1.0, 0.35, 0.1, 0.03])
    )
    params = no_fins(**plume)
    six = SixDofKernel.build(params, AIR_FLAT)
    k = 3.0  # the centre engine and a facing pair
    prop = PropulsionParams(
        k * params.engine_thrust_vac_n, k * params.engine_exit_area_m2,
        k * params.engine_mass_flow_kgps, 0.4, 1.0,
    )  # fmt: skip
    aero = dataclasses.replace(
        aero_3dof(), plume_ct=(0.0, 0.5, 1.0, 2.0), plume_factor=(1.0, 0.35, 0.1, 0.03)
    )
    three = compile_kernel(prop, aero, AIR_FLAT)
    x6 = state(r=(0.0, 0.0, 6_000.0), v=(0.0, 0.0, -300.0), q=UPRIGHT)
    x3 = tuple(x6[:SIZE3])
    thr, gim, fins, rcs = idle(params)
    for i in range(800):
        throttle = 0.0 if i < 300 else 0.5 + 0.4 * math.sin(i / 50.0)  # coast, then burn
        thr[[0, 1, 5]] = throttle
        x6, _g = six.step(x6, DT, thr, gim, fins, rcs)
        x3 = three.step(x3, DT, throttle, UP)
        np.testing.assert_allclose(x6[:SIZE3], x3, rtol=1e-12, atol=1e-9)
    assert x3[5] > -200.0  # the burn did slow it (falling at 300 m/s when it lit)


def pitch_program(t: float) -> tuple[float, float, float]:
    """A thrust direction sweeping through the sky, as a landing guidance's might."""
    tilt, az = 0.4 * math.sin(0.3 * t), 0.7 * t
    return (math.sin(tilt) * math.cos(az), math.sin(tilt) * math.sin(az), math.cos(tilt))


def test_ideal_attitude_control_reproduces_the_3dof_burn_step_for_step() -> None:
    """The lead's reduction: thrust held along the commanded direction by setting the attitude
    each step, no moments (the centre engine and a facing pair at one throttle): the translation
    is the 3-DoF kernel's, to round-off, over a 30 s burn."""
    params = inert()
    six = SixDofKernel.build(params, VACUUM_FLAT)
    lit = [0, 1, 5]
    prop = PropulsionParams(
        3 * params.engine_thrust_vac_n, 3 * params.engine_exit_area_m2,
        3 * params.engine_mass_flow_kgps, 0.4, 1.0,
    )  # fmt: skip
    three = compile_kernel(prop, AeroParams(1.0, (), ()), VACUUM_FLAT)
    x6 = state(r=(-300.0, 200.0, 5_000.0), v=(40.0, -25.0, -200.0))
    x3 = tuple(x6[:SIZE3])
    thr, gim, fins, rcs = idle(params)
    for i in range(1500):
        t = i * DT
        d = pitch_program(t)
        throttle = 0.6 + 0.3 * math.cos(0.2 * t)
        thr[lit] = throttle
        x6[QUAT] = quat_between(X_BODY, d)
        x6[RATE] = 0.0
        x6, _g = six.step(x6, DT, thr, gim, fins, rcs)
        x3 = three.step(x3, DT, throttle, d)
        np.testing.assert_allclose(x6[:SIZE3], x3, rtol=1e-11, atol=1e-8)
        np.testing.assert_allclose(x6[RATE], 0.0, atol=1e-15)  # no moment appeared
    assert x3[MASS] < 65_000.0 - 20_000.0  # a real burn: 27 t of propellant


def test_a_drag_only_body_at_any_attitude_feels_the_3dof_drag_to_table_accuracy() -> None:
    """Off alpha = pi the body's C_A = C_D cos(alpha), C_N = C_D sin(alpha) tables (1 degree
    apart) give the 3-DoF drag to the linear interpolation's error, h^2/8 of C_D per component."""
    alphas = np.radians(np.arange(0.0, 180.5, 1.0))
    alphas[-1] = math.pi
    ca, cn = drag_only_tables(alphas)
    params = no_fins(
        aero_alpha_rad=alphas,
        aero_axial=ca,
        aero_normal=cn,
        aero_cp_station_m=np.full(ca.shape, 11.0),
    )
    six = SixDofKernel.build(params, AIR_FLAT)
    three = compile_kernel(PropulsionParams(1.0, 0.0, 1.0, 0.4, 1.0), aero_3dof(), AIR_FLAT)
    thr, gim, fins, rcs = idle(params)
    rng = np.random.default_rng(3)
    bound = math.radians(1.0) ** 2 / 8 * math.sqrt(2.0) * CD.max()
    for _ in range(200):
        q = Rotation.random(random_state=rng).as_quat()
        v = rng.uniform(-600.0, 600.0, 3)
        x = state(
            r=(0.0, 0.0, rng.uniform(500.0, 30_000.0)), v=tuple(v), q=(q[3], q[0], q[1], q[2])
        )
        a6 = six.derivatives(x, thr, gim, fins, rcs)[3:6]
        a3 = np.array(three.derivatives(tuple(x[:SIZE3]), 0.0, UP)[3:6])
        rho, _a = density_and_sound(x[2])
        drag_per_cd = 0.5 * rho * float(v @ v) * params.ref_area_m2 / x[MASS]
        assert np.linalg.norm(a6 - a3) <= bound * drag_per_cd + 1e-12


# ---- engines and thrusters -------------------------------------------------------------------


def turned(axis, gimbal_y: float, gimbal_z: float) -> np.ndarray:
    """``axis`` turned about y_body by ``gimbal_y``, then about z_body by ``gimbal_z`` (scipy)."""
    rot = Rotation.from_rotvec([0.0, 0.0, gimbal_z]) * Rotation.from_rotvec([0.0, gimbal_y, 0.0])
    return rot.apply(np.asarray(axis, dtype=float))


def rate_derivative(kern, x, thr, gim, fins, rcs) -> np.ndarray:
    return kern.derivatives(x, thr, gim, fins, rcs)[RATE]


def test_an_engine_through_the_centre_of_mass_gives_no_moment() -> None:
    params = inert()
    kern = SixDofKernel.build(params, VACUUM_FLAT)
    thr, gim, fins, rcs = idle(params)
    thr[0] = 0.8
    d = kern.derivatives(state(), thr, gim, fins, rcs)
    np.testing.assert_array_equal(d[RATE], 0.0)
    accel = 0.8 * params.engine_thrust_vac_n / state()[MASS]
    np.testing.assert_allclose(d[3:6], (accel, 0.0, -9.80665), rtol=1e-15)  # x_body is east


@pytest.mark.parametrize("engine", [0, 3])
@pytest.mark.parametrize("gimbal", [(0.05, 0.0), (0.0, -0.04), (0.03, 0.06)])
def test_a_gimballed_engine_gives_r_cross_f(engine, gimbal) -> None:
    params = inert()
    kern = SixDofKernel.build(params, AIR_FLAT)
    thr, gim, fins, rcs = idle(params)
    thr[engine], gim[engine] = 0.9, gimbal
    x = state(r=(0.0, 0.0, 2_000.0), v=(0.0, 0.0, 0.0))
    cg, inertia = cg_and_inertia(params, x[MASS])
    _t, p, _rho, _a = ussa1976_scalar(2_000.0)
    thrust = 0.9 * params.engine_thrust_vac_n - params.engine_exit_area_m2 * p
    force = thrust * turned(params.engine_axis[engine], *gimbal)
    r = params.engine_position_m[engine] - (cg, 0.0, 0.0)
    np.testing.assert_allclose(
        rate_derivative(kern, x, thr, gim, fins, rcs) * inertia,
        np.cross(r, force),
        rtol=1e-12,
        atol=1e-6,
    )
    d = kern.derivatives(x, thr, gim, fins, rcs)
    np.testing.assert_allclose(
        d[3:6] - (0.0, 0.0, -9.80665), force / x[MASS], rtol=1e-12, atol=1e-12
    )
    air = kern.air_data(x, thr, gim, fins)
    assert air[AD_THRUST] == pytest.approx(thrust, rel=1e-15)


def test_jet_damping_and_the_draining_inertia_act_on_the_rates_as_derived() -> None:
    """Centre engine, pitching at 0.1 rad/s: I w' = -mdot r^2 w (jet damping, r from the centre
    of mass to the gimbal point) - I' w (I' = dI/dm m', the table's slope)."""
    params = inert()
    kern = SixDofKernel.build(params, VACUUM_FLAT)
    thr, gim, fins, rcs = idle(params)
    thr[0] = 0.7
    x = state(w=(0.0, 0.1, 0.0))
    cg, inertia = cg_and_inertia(params, x[MASS])
    mdot = 0.7 * params.engine_mass_flow_kgps
    slope = (params.mp_inertia_kgm2[2, 1] - params.mp_inertia_kgm2[1, 1]) / 20_000.0
    expected = (-mdot * cg**2 * 0.1 - slope * (-mdot) * 0.1) / inertia[1]
    np.testing.assert_allclose(
        rate_derivative(kern, x, thr, gim, fins, rcs), (0.0, expected, 0.0), rtol=1e-12, atol=1e-18
    )


def test_mass_falls_at_the_flow_and_the_centre_of_mass_moves_with_the_table() -> None:
    params = inert()
    kern = SixDofKernel.build(params, VACUUM_FLAT)
    thr, gim, fins, rcs = idle(params)
    thr[[0, 2, 6]] = 0.8
    x = state()
    for _ in range(250):  # 5 s
        x, _g = kern.step(x, DT, thr, gim, fins, rcs)
    assert x[MASS] == pytest.approx(state()[MASS] - 3 * 0.8 * 300.0 * 5.0, rel=1e-14)
    # the centre of mass and the inertia the kernel uses are the table's at the new propellant
    cg, inertia = cg_and_inertia(params, x[MASS])
    got_cg, got_i, _d = mass_properties(
        x[MASS] - DRY_KG, params.mp_propellant_kg, params.mp_cg_station_m, params.mp_inertia_kgm2
    )
    assert got_cg == pytest.approx(cg, rel=1e-14) and cg > 9.5 + 0.5  # it has moved up
    np.testing.assert_allclose(got_i, inertia, rtol=1e-14)
    thr[:] = 0.0
    thr[0], gim[0] = 0.5, (0.05, 0.0)  # and a gimballed engine's moment uses them
    x[RATE] = 0.0
    force = 0.5 * params.engine_thrust_vac_n * turned(X_BODY, 0.05, 0.0)
    np.testing.assert_allclose(
        rate_derivative(kern, x, thr, gim, fins, rcs) * inertia,
        np.cross((-cg, 0.0, 0.0), force),
        rtol=1e-12,
    )


def test_cold_gas_thrusters_push_turn_and_use_gas_at_their_isp() -> None:
    params = make_params(fin_azimuth_rad=np.zeros(0))
    kern = SixDofKernel.build(params, VACUUM_FLAT)
    thr, gim, fins, rcs = idle(params)
    rcs[[0, 2]] = (1.0, 0.5)
    x = state()
    cg, inertia = cg_and_inertia(params, x[MASS])
    force = params.rcs_thrust_n * (1.0 * params.rcs_direction[0] + 0.5 * params.rcs_direction[2])
    r0 = params.rcs_position_m[0] - (cg, 0, 0)
    r2 = params.rcs_position_m[2] - (cg, 0, 0)
    moment = params.rcs_thrust_n * (
        np.cross(r0, params.rcs_direction[0]) + 0.5 * np.cross(r2, params.rcs_direction[2])
    )
    np.testing.assert_allclose(
        rate_derivative(kern, x, thr, gim, fins, rcs) * inertia, moment, rtol=1e-12
    )
    assert moment[0] != 0.0  # tangential thrusters roll
    flow = 1.5 * params.rcs_thrust_n / (params.rcs_isp_s * G0_MPS2)
    d = kern.derivatives(x, thr, gim, fins, rcs)
    assert d[MASS] == pytest.approx(-flow, rel=1e-15)
    np.testing.assert_allclose(d[3:6] - (0, 0, -9.80665), force / x[MASS], rtol=1e-12, atol=1e-15)
    y, gas = kern.step(x, 1.0, thr, gim, fins, rcs)
    assert gas == pytest.approx(flow, rel=1e-15)
    assert x[MASS] - y[MASS] == pytest.approx(gas, rel=1e-9)


# ---- aerodynamics -----------------------------------------------------------------------------

H_AIR = 3_000.0


def moving(alpha_deg: float, speed: float = 250.0, w=(0.0, 0.0, 0.0)) -> np.ndarray:
    """Attitude identity (x_body east), moving at ``alpha`` in the east-north plane."""
    a = math.radians(alpha_deg)
    return state(r=(0.0, 0.0, H_AIR), v=(speed * math.cos(a), speed * math.sin(a), 0.0), w=w)


def q_s(params, speed: float) -> tuple[float, float]:
    rho, a = density_and_sound(H_AIR)
    return 0.5 * rho * speed * speed * params.ref_area_m2, speed / a


@pytest.mark.parametrize("alpha_deg", [15.0, 30.0, 165.0])
@pytest.mark.parametrize("cp_station", [4.0, 18.0])
def test_the_normal_force_at_the_centre_of_pressure_turns_the_body_as_derived(
    alpha_deg, cp_station
) -> None:
    """Nose first (alpha < 90 deg) the body is statically stable with its centre of pressure aft
    of the centre of mass (it turns the nose into the wind) and unstable ahead of it; engines
    first, the other way round. The moment is (x_cp - x_cg) x_body x (-C_N qbar S n)."""
    params = no_fins(aero_cp_station_m=np.full((MACH.size, 13), cp_station))
    kern = SixDofKernel.build(params, AIR_FLAT)
    thr, gim, fins, rcs = idle(params)
    x = moving(alpha_deg)
    cg, inertia = cg_and_inertia(params, x[MASS])
    qs, mach = q_s(params, 250.0)
    c_n = np.interp(mach, MACH, CD) * math.sin(math.radians(alpha_deg))  # alpha on the grid
    moment_z = (cp_station - cg) * (-c_n * qs)  # the crossflow n is +y_body
    air = kern.air_data(x, thr, gim, fins)
    assert air[AD_ALPHA] == pytest.approx(math.radians(alpha_deg), rel=1e-14)
    assert air[AD_MACH] == pytest.approx(mach, rel=1e-14)
    assert air[AD_QBAR] * params.ref_area_m2 == pytest.approx(qs, rel=1e-12)
    np.testing.assert_allclose(air[AD_MOMENT], (0.0, 0.0, moment_z), rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(
        rate_derivative(kern, x, thr, gim, fins, rcs) * inertia,
        air[AD_MOMENT],
        rtol=1e-12,
        atol=1e-6,
    )
    leading = 1.0 if alpha_deg < 90.0 else -1.0  # +x_body leads nose first, -x_body engines first
    restoring = air[AD_MOMENT][2] * leading > 0.0  # turns the leading end towards the velocity (+y)
    trailing_cp = (cp_station - cg) * leading < 0.0
    assert restoring == trailing_cp


def test_the_body_forces_are_the_tables_along_and_across_the_axis() -> None:
    params = no_fins()
    kern = SixDofKernel.build(params, AIR_FLAT)
    x = moving(30.0)
    qs, mach = q_s(params, 250.0)
    cd = np.interp(mach, MACH, CD)
    air = kern.air_data(x, *idle(params)[:3])
    a = math.radians(30.0)
    expected = (-cd * math.cos(a) * qs, -cd * math.sin(a) * qs, 0.0)  # -C_A, -C_N along n = +y
    np.testing.assert_allclose(air[AD_FORCE], expected, rtol=1e-12, atol=1e-6)


def test_damping_bleeds_the_rates_at_the_derived_rate() -> None:
    params = no_fins(
        mp_cg_station_m=np.full(3, 11.0), aero_cp_station_m=np.full((MACH.size, 13), 11.0)
    )
    kern = SixDofKernel.build(params, AIR_FLAT)
    thr, gim, fins, rcs = idle(params)
    w = np.array([0.3, 0.1, -0.15])
    x = state(r=(0.0, 0.0, H_AIR), v=(0.0, 0.0, -250.0), q=UPRIGHT, w=tuple(w))
    _cg, inertia = cg_and_inertia(params, x[MASS])
    qs, _mach = q_s(params, 250.0)
    length, diam = params.ref_length_m, params.diameter_m
    moment = np.array([
        params.aero_roll_damping * qs * diam * diam / 500.0 * w[0],
        -2.0 * qs * length * length / 500.0 * w[1],
        -2.0 * qs * length * length / 500.0 * w[2],
    ])  # fmt: skip
    gyro = np.cross(w, inertia * w)
    np.testing.assert_allclose(
        rate_derivative(kern, x, thr, gim, fins, rcs), (moment - gyro) / inertia, rtol=1e-12
    )
    energy = 0.5 * float(w @ (inertia * w))
    for _ in range(500):  # the rotational energy only falls (the gyroscopic term does no work)
        x, _g = kern.step(x, DT, thr, gim, fins, rcs)
        _cg, inertia = cg_and_inertia(params, x[MASS])
        now = 0.5 * float(x[RATE] @ (inertia * x[RATE]))
        assert now < energy
        energy = now
    assert np.linalg.norm(x[RATE][1:]) < 0.1 * np.linalg.norm(w[1:])  # pitch and yaw damp fast
    assert 0.0 < x[RATE][0] < w[0]  # roll slowly (a smooth cylinder has little roll damping)


def fin_case(deflections_deg):
    params = make_params(
        rcs_position_m=np.zeros((0, 3)),
        rcs_direction=np.zeros((0, 3)),
        aero_cp_station_m=np.full((MACH.size, 13), 0.0),
    )
    kern = SixDofKernel.build(params, AIR_FLAT)
    thr, gim, _f, _rcs = idle(params)
    fins = np.radians(deflections_deg)
    x = state(r=(0.0, 0.0, H_AIR), v=(0.0, 0.0, -250.0), q=UPRIGHT)  # alpha = pi
    body = SixDofKernel.build(no_fins(aero_cp_station_m=np.full((MACH.size, 13), 0.0)), AIR_FLAT)
    air = kern.air_data(x, thr, gim, fins) - body.air_data(x, thr, gim, fins[:0])
    rho, a = density_and_sound(H_AIR)
    qs = 0.5 * rho * 250.0**2 * params.fin_area_m2
    c_f = np.interp(250.0 / a, params.fin_mach, params.fin_force[:, 2])  # at +20 deg
    c_a = np.interp(250.0 / a, params.fin_mach, params.fin_axial)
    cg, _i = cg_and_inertia(params, x[MASS])
    return params, air, qs * c_f, qs * c_a, params.fin_station_m - cg


def test_equal_fin_deflections_roll_the_vehicle() -> None:
    params, air, normal, axial, _arm = fin_case([20.0, 20.0, 20.0, 20.0])
    # descending, each fin pushes along its tangent: C_F qbar S (-cos pi) at span radius R
    np.testing.assert_allclose(
        air[AD_MOMENT], (4 * params.fin_span_radius_m * normal, 0.0, 0.0), rtol=1e-12, atol=1e-6
    )
    np.testing.assert_allclose(air[AD_FORCE], (4 * axial, 0.0, 0.0), rtol=1e-12, atol=1e-6)


def test_opposite_deflections_of_a_facing_pair_pitch_the_vehicle() -> None:
    _params, air, normal, axial, arm = fin_case([20.0, 0.0, -20.0, 0.0])
    # fins at azimuth 0 and pi: both push along +z_body (2 N) at the fins' station
    np.testing.assert_allclose(air[AD_FORCE], (4 * axial, 0.0, 2 * normal), rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(air[AD_MOMENT], (0.0, -arm * 2 * normal, 0.0), rtol=1e-12, atol=1e-6)


def test_bilinear_agrees_with_scipy_and_holds_at_the_edges() -> None:
    rng = np.random.default_rng(5)
    xs, ys = np.array([0.0, 0.5, 1.5, 4.0]), np.array([-1.0, 0.0, 2.0])
    table = rng.normal(size=(4, 3))
    peer = RegularGridInterpolator((xs, ys), table)
    for x, y in rng.uniform((-1.0, -2.0), (5.0, 3.0), (300, 2)):
        expected = peer((min(max(x, 0.0), 4.0), min(max(y, -1.0), 2.0)))
        assert bilinear(x, y, xs, ys, table) == pytest.approx(float(expected), rel=1e-13, abs=1e-15)
    assert bilinear(4.0, 2.0, xs, ys, table) == table[-1, -1]  # the corner itself
    assert math.isnan(bilinear(math.nan, 0.0, xs, ys, table))


# ---- actuators -------------------------------------------------------------------------------


def test_a_lagged_channel_follows_the_exponential_and_its_limits() -> None:
    pos, cmd, out = np.zeros(3), np.array([0.05, -0.5, 0.02]), np.zeros(3)
    tau, dt = 0.05, 0.02
    for k in range(1, 31):
        channels_step(pos, cmd, dt, -0.1, 0.1, 5.0, tau, out)
        pos[:] = out
        t = k * dt
        assert pos[0] == pytest.approx(0.05 * (1.0 - math.exp(-t / tau)), rel=1e-12)  # lag only
        assert -0.1 <= pos[1] < 0.0  # towards the limit, not the command
    assert pos[1] == pytest.approx(-0.1 * (1.0 - math.exp(-0.6 / tau)), rel=1e-12)
    # rate limit binds: a 0.02 step commanded at tau = 0 moves 0.5 rad/s * dt per step
    pos[:] = 0.0
    channels_step(pos, np.full(3, 0.1), dt, -0.1, 0.1, 0.5, 0.0, out)
    np.testing.assert_allclose(out, 0.01, rtol=1e-15)


def test_engines_spool_up_and_down_linearly_and_an_early_cut_ramps_from_where_it_was() -> None:
    spool, lit = np.zeros(2), np.array([1.0, 1.0])
    for _ in range(25):  # 0.5 s of a 1 s start-up
        spool_step(spool, lit, 0.02, 1.0, 0.5, spool)
    np.testing.assert_allclose(spool, 0.5, rtol=1e-12)
    lit[1] = 0.0
    for _ in range(10):  # 0.2 s: engine 1 falls at 1 / 0.5 s from 0.5
        spool_step(spool, lit, 0.02, 1.0, 0.5, spool)
    np.testing.assert_allclose(spool, (0.7, 0.1), rtol=1e-12)
    for _ in range(50):
        spool_step(spool, lit, 0.02, 1.0, 0.5, spool)
    np.testing.assert_array_equal(spool, (1.0, 0.0))
    out = np.zeros(2)
    effective_throttle(np.array([0.5, 1.0]), np.array([0.8, 0.6]), out)
    np.testing.assert_array_equal(out, (0.4, 0.6))


# ---- compiled against interpreted --------------------------------------------------------------


def test_compiled_and_interpreted_kernels_give_the_same_bits() -> None:
    def run(jit: bool) -> dict:
        env = {**os.environ, "BOOSTBACK_JIT": "1" if jit else "0"}
        out = subprocess.run(
            [sys.executable, str(HERE / "sixdof_vehicle.py")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return json.loads(out.stdout)

    compiled, interpreted = run(True), run(False)
    assert compiled.keys() == {"deriv", "run", "air"}
    assert float.fromhex(compiled["run"][-1]) > 0.0  # gas was used
    assert compiled == interpreted
