"""Quaternion algebra against independent formulas (rotation matrices, Rodrigues), and the
rigid-body step against the invariants and the closed-form solutions of torque-free motion, flown
through the step the plant calls (``SixDofKernel.step`` at 20 ms)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from boostback.dynamics.point_mass import Environment
from boostback.dynamics.rigid_body import (
    quat_between,
    quat_conjugate,
    quat_derivative,
    quat_from_axis_angle,
    quat_multiply,
    quat_normalise,
    rigid_body_rates,
    rotate_body_to_frame,
    rotate_frame_to_body,
    tilt_rad,
)
from boostback.dynamics.rigid_state import QUAT, RATE
from boostback.dynamics.sixdof import SixDofKernel
from boostback.environment.atmosphere import Vacuum
from boostback.environment.gravity import UniformGravity
from boostback.environment.wind import NoWind
from sixdof_vehicle import inert, state

DT = 0.02  # the plant's step
# a uniform field exerts no moment: the rotation is torque-free whatever g is
SPACE = Environment(Vacuum(), UniformGravity(9.80665), NoWind())

finite = st.floats(-1.0, 1.0, allow_nan=False)
vectors = st.tuples(finite, finite, finite).filter(lambda v: np.linalg.norm(v) > 1e-3)
quats = st.tuples(finite, finite, finite, finite).filter(lambda q: np.linalg.norm(q) > 1e-3)


def unit(v) -> tuple:
    a = np.asarray(v, dtype=float)
    return tuple(a / np.linalg.norm(a))


def matrix(q) -> np.ndarray:
    """Rotation matrix of unit quaternion (w, x, y, z), by scipy (scalar last)."""
    return Rotation.from_quat([q[1], q[2], q[3], q[0]]).as_matrix()


@settings(max_examples=200, deadline=None)
@given(q=quats, v=vectors)
def test_rotations_agree_with_the_rotation_matrix(q, v) -> None:
    q = quat_normalise(q)
    r = matrix(q)
    np.testing.assert_allclose(rotate_body_to_frame(q, v), r @ v, atol=1e-14)
    np.testing.assert_allclose(rotate_frame_to_body(q, v), r.T @ v, atol=1e-14)
    # q v q* by two Hamilton products is the same rotation
    qv = quat_multiply(quat_multiply(q, (0.0, *v)), quat_conjugate(q))
    np.testing.assert_allclose(qv[1:], r @ v, atol=1e-14)
    assert abs(qv[0]) < 1e-14


@settings(max_examples=200, deadline=None)
@given(a=quats, b=quats)
def test_the_product_composes_rotations(a, b) -> None:
    a, b = quat_normalise(a), quat_normalise(b)
    ab = quat_multiply(a, b)
    assert math.fsum(c * c for c in ab) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(matrix(ab), matrix(a) @ matrix(b), atol=1e-14)


@settings(max_examples=200, deadline=None)
@given(axis=vectors, angle=st.floats(-7.0, 7.0), v=vectors)
def test_axis_angle_is_rodrigues(axis, angle, v) -> None:
    k = np.array(unit(axis))
    v = np.array(v)
    rodrigues = (
        v * math.cos(angle)
        + np.cross(k, v) * math.sin(angle)
        + k * (k @ v) * (1.0 - math.cos(angle))
    )
    q = quat_from_axis_angle(tuple(k), angle)
    np.testing.assert_allclose(rotate_body_to_frame(q, tuple(v)), rodrigues, atol=1e-14)


@settings(max_examples=300, deadline=None)
@given(u=vectors, v=vectors)
def test_quat_between_turns_one_vector_onto_the_other_by_the_shortest_arc(u, v) -> None:
    u, v = unit(u), unit(v)
    q = quat_between(u, v)
    assert math.fsum(c * c for c in q) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(rotate_body_to_frame(q, u), v, atol=1e-12)
    angle = 2.0 * math.atan2(math.sqrt(q[1] ** 2 + q[2] ** 2 + q[3] ** 2), q[0])
    between = math.atan2(np.linalg.norm(np.cross(u, v)), np.dot(u, v))
    assert angle == pytest.approx(between, abs=1e-7)


@pytest.mark.parametrize(
    "u", [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, -1.0), unit((0.3, -0.5, 0.8))]
)
def test_quat_between_opposite_vectors_is_a_half_turn(u) -> None:
    v = tuple(-c for c in u)
    q = quat_between(u, v)
    assert q[0] == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(rotate_body_to_frame(q, u), v, atol=1e-14)
    assert quat_between(u, u) == pytest.approx((1.0, 0.0, 0.0, 0.0), abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(q=quats)
def test_tilt_is_the_angle_of_the_long_axis_from_up(q) -> None:
    q = quat_normalise(q)
    axis = matrix(q)[:, 0]
    expected = math.acos(min(max(axis[2], -1.0), 1.0))
    assert tilt_rad(q, (0.0, 0.0, 1.0)) == pytest.approx(expected, abs=1e-7)


def test_tilt_is_exact_at_upright_flat_and_inverted() -> None:
    up = (0.0, 0.0, 1.0)
    assert tilt_rad((1.0, 0.0, 0.0, 0.0), (1.0, 0.0, 0.0)) == 0.0
    assert tilt_rad(quat_between((1.0, 0.0, 0.0), up), up) == pytest.approx(0.0, abs=1e-15)
    assert tilt_rad((1.0, 0.0, 0.0, 0.0), up) == pytest.approx(math.pi / 2, abs=1e-15)
    down = quat_between((1.0, 0.0, 0.0), (0.0, 0.0, -1.0))
    assert tilt_rad(down, up) == pytest.approx(math.pi, abs=1e-15)


@settings(max_examples=100, deadline=None)
@given(q=quats, w=vectors, t=st.floats(0.0, 2.0))
def test_quat_derivative_is_the_rate_of_a_steady_rotation(q, w, t) -> None:
    """For constant body rates, q(t) = q0 (cos(|w|t/2), sin(|w|t/2) w/|w|)."""
    q0, w = quat_normalise(q), tuple(w)
    speed = math.sqrt(sum(c * c for c in w))
    axis = tuple(c / speed for c in w)

    def q_at(s: float) -> tuple:
        return quat_multiply(q0, quat_from_axis_angle(axis, speed * s))

    qt = q_at(t)
    # derivative of the closed form: q0 (0, w/2) exp(...) = q(t) (0, w)/2 (they commute)
    exact = quat_multiply(qt, (0.0, *(0.5 * c for c in w)))
    np.testing.assert_allclose(quat_derivative(qt, w), exact, atol=1e-14)
    h = 1e-6
    numeric = (np.array(q_at(t + h)) - np.array(q_at(t - h))) / (2 * h)
    np.testing.assert_allclose(quat_derivative(qt, w), numeric, atol=1e-8)


def test_euler_equations_with_a_changing_inertia() -> None:
    """d(I w)/dt = M - w x (I w) term by term, with I' w the inertia's own change."""
    w, inertia, i_dot, moment = (0.3, -0.2, 0.5), (2.0, 5.0, 7.0), (-0.1, -0.4, -0.3), (1, 2, 3)
    wd = np.array(rigid_body_rates(w, inertia, i_dot, moment))
    iw = np.array(inertia) * w
    lhs = np.array(inertia) * wd + np.array(i_dot) * w  # d(I w)/dt
    np.testing.assert_allclose(lhs, np.array(moment) - np.cross(w, iw), rtol=1e-15)


def fly_torque_free(inertia, w0, seconds: float, q0=(1.0, 0.0, 0.0, 0.0)):
    """Fly a bare body with constant inertia, no forces, through the plant's step."""
    params = inert(mp_inertia_kgm2=np.tile(inertia, (3, 1)))
    kern = SixDofKernel.build(params, SPACE)
    k = params.engine_position_m.shape[0]
    off, gim = np.zeros(k), np.zeros((k, 2))
    none = np.zeros(0)
    x = state(v=(0.0, 0.0, 0.0), q=q0, w=w0)
    for _ in range(round(seconds / DT)):
        x, _gas = kern.step(x, DT, off, gim, none, none)
    return x


def invariants(x, inertia):
    """Inertial angular momentum and rotational kinetic energy of state ``x``."""
    q, w = tuple(x[QUAT]), np.asarray(x[RATE])
    h_body = np.asarray(inertia) * w
    return np.array(rotate_body_to_frame(q, tuple(h_body))), 0.5 * float(w @ h_body)


@pytest.mark.parametrize(
    "w0",
    [(0.1, 0.8, -0.5), (1.0, 0.05, 0.3), (0.2, -0.15, 0.9)],
    ids=["near-intermediate", "near-minor", "near-major"],
)
def test_torque_free_tumbling_conserves_momentum_and_energy(w0) -> None:
    inertia = (1.2e5, 4.0e6, 5.5e6)  # asymmetric
    h0, e0 = invariants(state(w=w0), inertia)
    x = fly_torque_free(inertia, w0, 100.0)
    h1, e1 = invariants(x, inertia)
    assert np.linalg.norm(h1 - h0) / np.linalg.norm(h0) < 1e-9
    assert abs(e1 - e0) / e0 < 1e-9
    assert np.linalg.norm(x[QUAT]) == pytest.approx(1.0, abs=1e-15)
    assert not np.allclose(x[RATE], w0, atol=1e-2)  # it did tumble


def test_an_axisymmetric_body_nutates_and_precesses_at_the_analytic_rates() -> None:
    """Symmetry axis x_body (roll inertia i1), transverse it. The transverse rates turn in the body
    at Omega = (i1 - it)/it w_x, the axis about the inertial momentum at |L|/it; the attitude is
    q(t) = q_L(|L| t / it) q0 q_x(-Omega t)."""
    i1, it = 1.5e5, 5.0e6
    w0 = (0.9, 0.12, -0.07)
    seconds = 100.0
    x = fly_torque_free((i1, it, it), w0, seconds)
    omega = (i1 - it) / it * w0[0]
    turn = omega * seconds
    wy = w0[1] * math.cos(turn) - w0[2] * math.sin(turn)
    wz = w0[1] * math.sin(turn) + w0[2] * math.cos(turn)
    np.testing.assert_allclose(x[RATE], (w0[0], wy, wz), atol=1e-11)
    h = np.array([i1 * w0[0], it * w0[1], it * w0[2]])  # inertial, q0 = identity
    precession = np.linalg.norm(h) / it * seconds
    q_l = quat_from_axis_angle(tuple(h / np.linalg.norm(h)), precession)
    expected = quat_multiply(q_l, quat_from_axis_angle((1.0, 0.0, 0.0), -turn))
    sign = 1.0 if float(np.dot(expected, x[QUAT])) > 0 else -1.0
    np.testing.assert_allclose(x[QUAT], sign * np.array(expected), atol=1e-9)
