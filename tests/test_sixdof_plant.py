"""The 6-DoF landing plant and its parts (issue #16): the rigid body reproduces the point mass when
its attitude is ideal and nothing turns it, the legs' tip-over criterion against its closed form,
and the control allocation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.config import load_landing
from boostback.control.allocation import allocate
from boostback.dynamics.rigid_body import quat_from_axis_angle
from boostback.dynamics.rigid_state import MASS, QUAT, RATE, SIZE
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.gnc.faults import FaultState
from boostback.mission.landing import fly_landing
from boostback.plant.legs import feet_body, tipover_margin
from boostback.plant.setup import LandingSetup, landing_setup
from boostback.plant.sixdof import SixDofPlant, retrograde_state
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

G = 9.80665


def _point_like(setup: LandingSetup) -> SixDofParams:
    """The vehicle's rigid body with the point mass's drag and nothing that turns it: the 3-DoF
    drag table as C_A = C_D cos(alpha), C_N = C_D sin(alpha) (the drag along the air flow at any
    attitude), no damping, no fins, no spool transients, and the centre of mass, the centre of
    pressure and the feet at one station (the point mass has its air data, its thrust and its
    touchdown at one point)."""
    p = sixdof_params(setup.vehicle)
    a = setup.aero
    mach, cd = np.array(a.mach), np.array(a.cd)
    alpha = np.linspace(0.0, math.pi, 37)
    station = 15.0
    return dataclasses.replace(
        p,
        aero_mach=mach,
        aero_alpha_rad=alpha,
        aero_axial=cd[:, None] * np.cos(alpha)[None, :],
        aero_normal=cd[:, None] * np.sin(alpha)[None, :],
        aero_cp_station_m=np.full((mach.size, alpha.size), station),
        aero_pitch_damping=np.zeros(mach.size),
        aero_roll_damping=0.0,
        ref_area_m2=a.reference_area_m2,
        plume_ct=np.array(a.plume_ct),
        plume_factor=np.array(a.plume_factor),
        fin_axial=np.zeros_like(p.fin_axial),
        fin_force=np.zeros_like(p.fin_force),
        startup_s=0.0,
        shutdown_s=0.0,
        mp_cg_station_m=np.full(p.mp_propellant_kg.size, station),
        leg_station_m=station,
        leg_footprint_radius_m=0.01,
    )


@pytest.mark.parametrize("name", ["falcon9_landing", "zhuque3_landing"])
def test_with_ideal_attitude_and_no_moments_the_rigid_body_lands_as_the_point_mass(name) -> None:
    scenario, vehicle = load_landing(name)
    setup = landing_setup(vehicle, scenario)
    engines = tuple(int(i) for i in burn_engines(setup.stage, "landing"))
    point = fly_landing(setup)
    plant = SixDofPlant(setup, FaultState(), _point_like(setup), engines, ideal_attitude=True)
    rigid = fly_landing(setup, plant=plant)
    assert rigid.outcome is point.outcome
    a, b = point.trajectory, rigid.trajectory
    assert np.linalg.norm(b.r_enu_m[-1] - a.r_enu_m[-1]) < 1.0
    assert np.linalg.norm(b.v_enu_mps[-1] - a.v_enu_mps[-1]) < 0.1
    assert rigid.touchdown is not None and point.touchdown is not None
    assert rigid.touchdown.t_s == pytest.approx(point.touchdown.t_s, abs=0.05)


def test_the_plant_shows_the_feet_centre_and_starts_engines_into_the_flow() -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    setup = landing_setup(vehicle, scenario)
    params = sixdof_params(vehicle)
    x3 = setup.initial_state()
    x = retrograde_state(x3, params)
    assert x.shape == (SIZE,)
    assert np.linalg.norm(x[QUAT]) == pytest.approx(1.0)
    plant = SixDofPlant(setup, FaultState(), params, (0,))
    # the 3-DoF view is the feet's centre, which starts where the scenario says
    assert plant.state[:3] == pytest.approx(x3[:3], abs=1e-9)
    assert plant.state[MASS] == x3[MASS]
    # the body's axis points against the velocity (engines first into the air flow)
    v = np.asarray(x3[3:6])
    assert np.dot(plant.axis, -v / np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-12)
    # the centre of mass is up the axis from the feet, by the feet's station below it
    cg = plant.rigid_state[:3]
    assert np.linalg.norm(cg - np.asarray(x3[:3])) > 10.0


# --- the legs: the energy criterion against its closed form ---------------------------------


def _upright(h_cg: float, m: float, v_east: float = 0.0) -> np.ndarray:
    """A state standing upright (x_body up) with its centre of mass ``h_cg`` above the feet."""
    x = np.zeros(SIZE)
    x[2] = h_cg
    x[3] = v_east
    x[MASS] = m
    x[QUAT] = quat_from_axis_angle((0.0, 1.0, 0.0), -math.pi / 2)  # x_body -> up
    return x


def _critical_speed(h: float, d: float, m: float, i_edge_axis: float) -> float:
    """The sideways speed that just tips a body over an edge ``d`` from its centre of mass,
    ``h`` below it: ``(m v h)^2 / (2 I_edge) = m g (sqrt(d^2 + h^2) - h)``."""
    i_edge = i_edge_axis + m * (d * d + h * h)
    return math.sqrt(2.0 * i_edge * m * G * (math.hypot(d, h) - h)) / (m * h)


def test_at_rest_upright_on_its_legs_the_margin_is_full() -> None:
    feet = feet_body(4, 9.0, -3.0, 15.0)
    x = _upright(18.0, 30_000.0)
    assert x[:3] == pytest.approx([0.0, 0.0, 18.0])
    assert tipover_margin(x, feet, np.array([1e5, 5e6, 5e6]), G) == pytest.approx(1.0)


def test_sliding_sideways_tips_it_over_at_the_closed_form_speed() -> None:
    m, inertia = 30_000.0, np.array([1e5, 5e6, 5e6])
    h = 18.0  # centre of mass above the feet
    feet = feet_body(4, 9.0, -3.0, 15.0)  # legs at 45 deg: the edges face east, north, ...
    d = 9.0 * math.cos(math.radians(45.0))  # the east edge is this far from the axis
    v_crit = _critical_speed(h, d, m, float(inertia[1]))
    below = tipover_margin(_upright(h, m, 0.99 * v_crit), feet, inertia, G)
    above = tipover_margin(_upright(h, m, 1.01 * v_crit), feet, inertia, G)
    assert below > 0.0 > above
    assert tipover_margin(_upright(h, m, v_crit), feet, inertia, G) == pytest.approx(0.0, abs=1e-9)


def test_a_rate_adds_to_the_slide_and_a_centre_of_mass_outside_tips_at_once() -> None:
    m, inertia = 30_000.0, np.array([1e5, 5e6, 5e6])
    feet = feet_body(4, 9.0, -3.0, 15.0)
    slide = tipover_margin(_upright(18.0, m, 2.0), feet, inertia, G)
    # a body rate turning the top the same way (eastwards) lowers the margin
    turning = _upright(18.0, m, 2.0)
    turning[RATE] = (0.0, -0.05, 0.0)
    other = _upright(18.0, m, 2.0)
    other[RATE] = (0.0, 0.05, 0.0)
    margins = sorted(
        [tipover_margin(turning, feet, inertia, G), tipover_margin(other, feet, inertia, G)]
    )
    assert margins[0] < slide < margins[1]
    # tilted 40 deg about north: the centre of mass stands outside the feet
    x = _upright(18.0, m)
    x[QUAT] = quat_from_axis_angle((0.0, 1.0, 0.0), -math.pi / 2 + math.radians(40.0))
    assert tipover_margin(x, feet, inertia, G) == -math.inf


# --- control allocation ---------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3), st.integers(0, 10_000))
def test_an_achievable_demand_is_met_exactly_within_bounds(a_frac, seed) -> None:
    rng = np.random.default_rng(seed)
    b = rng.normal(size=(3, 8))
    lo, hi = -np.ones(8), np.ones(8)
    a = 0.2 * np.asarray(a_frac)  # small beside what the actuators reach
    u, short = allocate(b, a, lo, hi, np.ones(8))
    assert np.all(u >= lo - 1e-12) and np.all(u <= hi + 1e-12)
    if np.all(np.abs(u) < 1.0 - 1e-9):  # nothing saturated: met exactly
        assert b @ u == pytest.approx(a, abs=1e-6)
        assert short == pytest.approx(np.zeros(3), abs=1e-6)
    else:
        assert short == pytest.approx(a - b @ u)


def test_a_saturated_actuator_hands_the_rest_on_and_the_shortfall_is_reported() -> None:
    # two actuators on one axis: the cheap one saturates, the costly one takes the rest
    b = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    w = np.array([1.0, 100.0])
    u, short = allocate(b, np.array([0.0, 1.5, 0.0]), lo, hi, w)
    assert u == pytest.approx([1.0, 0.5])
    assert short == pytest.approx(np.zeros(3), abs=1e-8)
    u, short = allocate(b, np.array([0.0, 3.0, 0.0]), lo, hi, w)
    assert u == pytest.approx([1.0, 1.0])
    assert short == pytest.approx([0.0, 1.0, 0.0])
    # a thruster only pushes: its lower bound is zero
    u, _ = allocate(b, np.array([0.0, -0.5, 0.0]), np.array([-1.0, 0.0]), hi, w)
    assert u[1] == 0.0 and u[0] == pytest.approx(-0.5)
