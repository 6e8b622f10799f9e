"""Rotating-Earth 3-DoF kernel: conservation laws, frames, thrust, fins, event location."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment.atmosphere import USSA1976, Vacuum
from boostback.environment.earth import SphericalEarth, WGS84Earth
from boostback.environment.frames import ecef_to_eci, eci_to_ecef
from boostback.flight.dynamics import COAST, Body, Command, World, air_data
from boostback.flight.integrate import altitude_event, mass_event, step
from boostback.flight.kernel import derivatives, rk4_step

SPHERE = SphericalEarth()
VACUUM_WORLD = World(SPHERE, Vacuum())
NO_DRAG = Body(AeroParams(10.0, (), ()))
PROP = PropulsionParams(2.7e6, 0.0, 900.0, 0.4, 1.0)


def jacobi(x: tuple[float, ...], earth: SphericalEarth) -> float:
    """Energy per unit mass in the rotating frame (conserved when coasting in vacuum)."""
    r = math.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
    v2 = x[3] ** 2 + x[4] ** 2 + x[5] ** 2
    w = earth.omega_radps
    return 0.5 * v2 - earth.mu_m3ps2 / r - 0.5 * w * w * (x[0] ** 2 + x[1] ** 2)


def surface_state(lat: float, lon: float, h: float, v_enu: tuple[float, float, float]):
    r = SPHERE.geodetic_to_ecef(lat, lon, h)
    sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    east = np.array([-so, co, 0.0])
    north = np.array([-sl * co, -sl * so, cl])
    up = np.array([cl * co, cl * so, sl])
    v = v_enu[0] * east + v_enu[1] * north + v_enu[2] * up
    return (*map(float, r), *map(float, v), 30_000.0)


@settings(max_examples=25, deadline=None)
@given(
    lat=st.floats(-1.4, 1.4),
    lon=st.floats(-3.1, 3.1),
    h=st.floats(50e3, 300e3),
    ve=st.floats(-2000, 2000),
    vn=st.floats(-2000, 2000),
    vu=st.floats(-500, 1500),
)
def test_coasting_in_vacuum_conserves_the_jacobi_integral(lat, lon, h, ve, vn, vu) -> None:
    x = surface_state(lat, lon, h, (ve, vn, vu))
    e0 = jacobi(x, SPHERE)
    for _ in range(50):
        x = rk4_step(x, 2.0, COAST, NO_DRAG, VACUUM_WORLD)
    assert jacobi(x, SPHERE) == pytest.approx(e0, rel=1e-9, abs=1e-3)
    assert x[6] == 30_000.0


def test_inertial_circular_orbit_stays_circular_when_flown_in_ecef() -> None:
    r0 = SPHERE.radius_m + 400e3
    v_circ = math.sqrt(SPHERE.mu_m3ps2 / r0)
    inc = math.radians(51.6)
    r_eci = np.array([r0, 0.0, 0.0])
    v_eci = v_circ * np.array([0.0, math.cos(inc), math.sin(inc)])
    r, v = eci_to_ecef(r_eci, v_eci, 0.0, SPHERE.omega_radps)
    x = (*r, *v, 1000.0)
    t = 0.0
    for _ in range(300):
        x = rk4_step(x, 5.0, COAST, NO_DRAG, VACUUM_WORLD)
        t += 5.0
    r1, v1 = ecef_to_eci(np.array(x[:3]), np.array(x[3:6]), t, SPHERE.omega_radps)
    assert np.linalg.norm(r1) == pytest.approx(r0, rel=1e-7)
    assert np.linalg.norm(v1) == pytest.approx(v_circ, rel=1e-7)


def test_a_body_at_rest_on_the_ground_feels_gravity_minus_centrifugal() -> None:
    x = surface_state(0.0, 0.0, 0.0, (0.0, 0.0, 0.0))
    d = derivatives(x, COAST, NO_DRAG, VACUUM_WORLD)
    g = SPHERE.mu_m3ps2 / SPHERE.radius_m**2
    centrifugal = SPHERE.omega_radps**2 * SPHERE.radius_m
    assert d[3] == pytest.approx(-(g - centrifugal), rel=1e-12)
    assert d[4:6] == pytest.approx((0.0, 0.0), abs=1e-12)


def test_thrust_accelerates_along_the_command_and_burns_propellant() -> None:
    x = surface_state(0.3, 0.2, 100e3, (0.0, 0.0, 0.0))
    up = np.array(x[:3]) / np.linalg.norm(x[:3])
    cmd = Command(1.0, PROP, tuple(map(float, up)))
    d_coast = np.array(derivatives(x, COAST, NO_DRAG, VACUUM_WORLD))
    d_burn = np.array(derivatives(x, cmd, NO_DRAG, VACUUM_WORLD))
    assert d_burn[3:6] - d_coast[3:6] == pytest.approx(PROP.thrust_vac_n / x[6] * up)
    assert d_burn[6] == -PROP.mass_flow_kgps


def test_drag_opposes_the_air_relative_velocity_and_fins_do_no_work() -> None:
    world = World(WGS84Earth(), USSA1976())
    body = Body(AeroParams(10.0, (0.0, 5.0), (1.0, 1.0)), fin_authority_m2=4.0)
    x = surface_state(0.5, 1.0, 10e3, (100.0, 50.0, -300.0))
    v = np.array(x[3:6])
    d0 = np.array(derivatives(x, COAST, Body(AeroParams(10.0, (), ())), world))
    d1 = np.array(derivatives(x, COAST, body, world))
    drag = d1[3:6] - d0[3:6]
    assert float(drag @ v) < 0.0
    assert np.linalg.norm(np.cross(drag, v)) == pytest.approx(0.0, abs=1e-9)
    fin = Command(0.0, None, (0.0, 0.0, 1.0), (0.3, -0.2, 0.5))
    d2 = np.array(derivatives(x, fin, body, world))
    lateral = d2[3:6] - d1[3:6]
    assert abs(float(lateral @ v)) < 1e-9 * np.linalg.norm(lateral) * np.linalg.norm(v)
    air = air_data(x, world)
    assert np.linalg.norm(lateral) <= air.qbar_pa * 4.0 / x[6] * 0.62


def test_altitude_and_mass_events_are_located_exactly() -> None:
    x = surface_state(0.2, 0.1, 1000.0, (0.0, 0.0, -50.0))
    ground = altitude_event("ground", 0.0)
    t = 0.0
    while True:
        res = step(x, 1.0, COAST, NO_DRAG, VACUUM_WORLD, [ground])
        x, t = res.state, t + res.dt
        if res.event:
            break
    assert SPHERE.altitude_m(np.array(x[:3])) == pytest.approx(0.0, abs=1e-6)
    # fall from 1000 m at 50 m/s: 1000 = 50 t + g t^2 / 2 with g ~ 9.8: t ~ 10.07 s
    assert 10.0 < t < 10.2
    y = surface_state(0.2, 0.1, 50e3, (0.0, 0.0, 0.0))
    cmd = Command(1.0, PROP, (1.0, 0.0, 0.0))
    res = step(y, 10.0, cmd, NO_DRAG, VACUUM_WORLD, [mass_event("dry", 29_000.0)])
    assert res.event == "dry"
    assert res.dt == pytest.approx(1000.0 / PROP.mass_flow_kgps, rel=1e-6)
    assert res.state[6] == pytest.approx(29_000.0, abs=1e-3)
