"""RocketPy as a peer for the 6-DoF plant: a passive rigid body flown in RocketPy's ``Flight``.

The body is boostback's (``PassiveBody``: mass, inertia, centre of mass and the aerodynamic
tables of ``SixDofParams``); this module builds the same body and world in RocketPy and returns
its trajectory in boostback's frames and state layout (``dynamics.rigid_state``), so the test can
compare the two plants sample by sample. What is matched, and how:

- **Frames.** RocketPy's inertial frame is x east, y north, z up with the origin at sea level
  below the launch point: with the environment's elevation at 0 it is boostback's pad-centred ENU
  frame. RocketPy's body frame has ``e3`` along the axis towards the nose and ``e1``, ``e2``
  across it; boostback's has ``x`` towards the nose. The map is the cyclic permutation
  ``x_body = e3, y_body = e1, z_body = e2`` (right-handed both ways: ``e3 x e1 = e2``), so a body
  vector or rate is ``v_body = P v_rocketpy`` with ``P`` = :data:`BODY_FROM_ROCKETPY`.
- **Quaternions.** Both are Hamilton, scalar first, body -> inertial (RocketPy's
  ``Matrix.transformation(e)`` is the body-to-inertial matrix and its ``e_dot = e (x) (0, w)/2``
  takes body rates, as boostback's). With ``R_boostback = R_rocketpy P^T`` the attitudes are
  ``q_boostback = q_rocketpy (x) q_perm`` where ``q_perm`` (the rotation ``P^T``) is
  :data:`Q_PERM`, a -120 deg turn about (1, 1, 1).
- **Mass properties.** The rocket is the body's dry mass with an ``EmptyMotor`` (no thrust, no
  mass, no flow), so RocketPy's centre of dry mass is the centre of mass and its variable-mass
  terms vanish; its inertia ``(I11, I22, I33)`` is boostback's (pitch, yaw, roll).
- **Aerodynamics.** The rocket's own drag curve is zero; all of the aerodynamics is one
  ``LinearGenericSurface`` placed at the centre of mass. Its ``cL_0``, ``cQ_0``, ``cD_0`` are
  functions that rebuild the air-relative direction from RocketPy's two angles
  (``alpha = atan2(u2, u3)``, ``beta = atan2(u1, u3)`` of the body's air-relative velocity
  ``u``), look up boostback's ``C_A``, ``C_N`` and centre of pressure against Mach and the total
  angle of attack, and rotate boostback's body force ``qS (-C_A, C_N n)`` into RocketPy's
  lift/side/drag axes; ``cm_0``, ``cn_0`` carry the moment of that force about the centre of
  mass (``r_cp x F``), so a centre of pressure that moves with Mach and alpha is exact. The
  damping is RocketPy's own, on ``w L / 2V`` with the surface's reference length ``L`` for every
  axis: ``cm_q = cn_r = C_mq`` (boostback's pitch convention, the same ``L``), and
  ``cl_p = C_lp (d / L)^2`` since boostback's roll damping is on ``p d / 2V`` with moment arm
  ``d`` (the diameter).
- **World.** Flat Earth (RocketPy's flight frame is flat); constant gravity ``g`` (the
  ``Environment(gravity=g)`` constant); RocketPy's Coriolis term switched off by zeroing
  ``Environment.earth_rotation_vector`` (boostback's flat plant has no Earth rotation); no wind;
  the atmosphere is boostback's USSA 1976 given to RocketPy as a ``custom_atmosphere``: pressure
  and a temperature ``p / (R rho)`` on a 5 m grid, so that RocketPy's ``rho = p / (R T)`` is
  boostback's density and its ``a = sqrt(1.4 R T) = sqrt(1.4 p / rho)`` boostback's speed of sound
  whatever gas constant ``R`` RocketPy holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rocketpy import Environment, Flight, Rocket
from rocketpy.motors import EmptyMotor
from rocketpy.rocket.aero_surface import LinearGenericSurface

from boostback.environment.atmosphere import ussa1976

__all__ = [
    "BODY_FROM_ROCKETPY",
    "Q_PERM",
    "PassiveBody",
    "PeerFlight",
    "body_force_moment",
    "fly_rocketpy",
    "quat_mul",
    "quat_to_matrix",
    "to_boostback",
    "to_rocketpy",
]

# v_body (boostback: x nose, y, z) = BODY_FROM_ROCKETPY @ v (RocketPy: e1, e2, e3 nose)
BODY_FROM_ROCKETPY = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
# the rotation P^T (boostback body -> RocketPy body) as a quaternion: -120 deg about (1, 1, 1)
Q_PERM = np.array([0.5, -0.5, -0.5, -0.5])


@dataclass(frozen=True, eq=False)
class PassiveBody:
    """A rigid body with no propulsion, in boostback's conventions (``SixDofParams``).

    Attributes
    ----------
    mass_kg : float
    inertia_kgm2 : (3,) principal moments about the centre of mass: roll (x_body), pitch, yaw
    cg_station_m : float, station of the centre of mass along x_body
    aero_mach : (m,), aero_alpha_rad : (a,) table axes, alpha in [0, pi]
    aero_axial, aero_normal, aero_cp_station_m : (m, a) C_A, C_N and centre-of-pressure station
    aero_pitch_damping : (m,) C_mq on q L / 2V; aero_roll_damping : float, C_lp on p d / 2V
    ref_area_m2, ref_length_m, diameter_m : float (S, L and d)
    """

    mass_kg: float
    inertia_kgm2: np.ndarray
    cg_station_m: float
    aero_mach: np.ndarray
    aero_alpha_rad: np.ndarray
    aero_axial: np.ndarray
    aero_normal: np.ndarray
    aero_cp_station_m: np.ndarray
    aero_pitch_damping: np.ndarray
    aero_roll_damping: float
    ref_area_m2: float
    ref_length_m: float
    diameter_m: float


@dataclass(frozen=True)
class PeerFlight:
    """RocketPy's trajectory in boostback's frames: ``t`` (n,) and ``x`` (n, 14) in the layout
    of ``dynamics.rigid_state`` (ENU position and velocity, mass, quaternion body -> ENU, body
    rates), one row per step RocketPy's integrator took."""

    t: np.ndarray
    x: np.ndarray


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a (x) b`` of scalar-first quaternions (rows for arrays of them)."""
    aw, ax, ay, az = np.moveaxis(np.asarray(a, dtype=float), -1, 0)
    bw, bx, by, bz = np.moveaxis(np.asarray(b, dtype=float), -1, 0)
    return np.stack(
        (
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ),
        axis=-1,
    )


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrix (body -> frame) of a unit scalar-first quaternion."""
    w, x, y, z = np.asarray(q, dtype=float) / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def _conj(q: np.ndarray) -> np.ndarray:
    return np.asarray(q, dtype=float) * np.array([1.0, -1.0, -1.0, -1.0])


def to_rocketpy(x: np.ndarray) -> list[float]:
    """RocketPy's 13-float state (no time) from a boostback rigid-body state ``x`` (14,)."""
    x = np.asarray(x, dtype=float)
    q = quat_mul(x[7:11], _conj(Q_PERM))
    w = BODY_FROM_ROCKETPY.T @ x[11:14]
    return [*x[0:6], *q, *w]


def to_boostback(u: np.ndarray, mass_kg: float) -> np.ndarray:
    """Boostback rigid-body states (n, 14) from RocketPy solution rows ``u`` (n, 13), the
    quaternions renormalised (RocketPy integrates them unconstrained)."""
    u = np.atleast_2d(np.asarray(u, dtype=float))
    q = u[:, 6:10] / np.linalg.norm(u[:, 6:10], axis=1, keepdims=True)
    out = np.empty((u.shape[0], 14))
    out[:, 0:6] = u[:, 0:6]
    out[:, 6] = mass_kg
    out[:, 7:11] = quat_mul(q, Q_PERM)
    out[:, 11:14] = u[:, 10:13] @ BODY_FROM_ROCKETPY.T
    return out


def _bilinear(mach: float, alpha: float, xs: np.ndarray, ys: np.ndarray, table: np.ndarray):
    """Bilinear interpolation in ``table[mach, alpha]``, held at the edges."""
    m = min(max(mach, xs[0]), xs[-1])
    a = min(max(alpha, ys[0]), ys[-1])
    i = min(max(int(np.searchsorted(xs, m, side="right")) - 1, 0), max(len(xs) - 2, 0))
    j = min(max(int(np.searchsorted(ys, a, side="right")) - 1, 0), max(len(ys) - 2, 0))
    if len(xs) == 1:
        row = table[0]
    else:
        wm = (m - xs[i]) / (xs[i + 1] - xs[i])
        row = (1.0 - wm) * table[i] + wm * table[i + 1]
    if len(ys) == 1:
        return float(row[0])
    wa = (a - ys[j]) / (ys[j + 1] - ys[j])
    return float((1.0 - wa) * row[j] + wa * row[j + 1])


def body_force_moment(body: PassiveBody, u_body: np.ndarray, mach: float):
    """Boostback's static aerodynamics as coefficients, from first principles of its convention.

    Parameters
    ----------
    body : PassiveBody
    u_body : (3,) the body's velocity relative to the air, boostback body frame (any length)
    mach : float

    Returns
    -------
    force, moment : (3,) arrays
        Force ``(-C_A, C_N n_y, C_N n_z)`` on ``q S`` (``n`` the unit crossflow, the air's
        velocity across the axis as the body sees it) and its moment about the centre of mass
        on ``q S L``, both in boostback's body frame.
    """
    u = np.asarray(u_body, dtype=float) / np.linalg.norm(u_body)
    alpha = math.acos(min(max(u[0], -1.0), 1.0))
    tabs = (body.aero_mach, body.aero_alpha_rad)
    c_a = _bilinear(mach, alpha, *tabs, body.aero_axial)
    c_n = _bilinear(mach, alpha, *tabs, body.aero_normal)
    cp = _bilinear(mach, alpha, *tabs, body.aero_cp_station_m)
    cross = math.hypot(u[1], u[2])
    n_y, n_z = (-u[1] / cross, -u[2] / cross) if cross > 0.0 else (0.0, 0.0)
    force = np.array([-c_a, c_n * n_y, c_n * n_z])
    arm = (cp - body.cg_station_m) / body.ref_length_m
    moment = np.array([0.0, -arm * force[2], arm * force[1]])  # (arm x_body) x force
    return force, moment


def _aero_frame(alpha: float, beta: float) -> np.ndarray:
    """RocketPy's aerodynamic-to-body rotation of ``GenericSurface.compute_forces_and_moments``
    (body force = this @ (side, -lift, -drag))."""
    ca, sa, cb, sb = math.cos(alpha), math.sin(alpha), math.cos(beta), math.sin(beta)
    rot_a = np.array([[1.0, 0.0, 0.0], [0.0, ca, -sa], [0.0, sa, ca]])
    rot_b = np.array([[cb, 0.0, -sb], [0.0, 1.0, 0.0], [sb, 0.0, cb]])
    return rot_a @ rot_b


class _Coefficients:
    """RocketPy's six static coefficients of the body at one (alpha, beta, Mach), cached: the
    surface asks for cL, cQ, cD, cm, cn, cl one after the other with the same arguments."""

    def __init__(self, body: PassiveBody) -> None:
        self.body = body
        self.key: tuple[float, float, float] | None = None
        self.value = np.zeros(6)

    def at(self, alpha: float, beta: float, mach: float) -> np.ndarray:
        key = (float(alpha), float(beta), float(mach))
        if key != self.key:
            self.key, self.value = key, self._compute(*key)
        return self.value

    def _compute(self, alpha: float, beta: float, mach: float) -> np.ndarray:
        # RocketPy's angles of the air-relative velocity u (RocketPy body axes):
        # alpha = atan2(u2, u3), beta = atan2(u1, u3); u3 has the sign of cos(alpha).
        if abs(math.cos(alpha)) < 1e-9 or abs(math.cos(beta)) < 1e-9:
            raise ValueError("flow across the axis: RocketPy's alpha and beta lose u")
        u3 = math.copysign(1.0, math.cos(alpha))
        u_rp = np.array([u3 * math.tan(beta), u3 * math.tan(alpha), u3])
        force_b, moment_b = body_force_moment(self.body, BODY_FROM_ROCKETPY @ u_rp, mach)
        force_rp = BODY_FROM_ROCKETPY.T @ force_b
        moment_rp = BODY_FROM_ROCKETPY.T @ moment_b
        side, neg_lift, neg_drag = _aero_frame(alpha, beta).T @ force_rp
        return np.array([-neg_lift, side, -neg_drag, *moment_rp])


def _surface(body: PassiveBody) -> LinearGenericSurface:
    """All of the body's aerodynamics as one RocketPy surface (to be placed at the CG)."""
    coeffs = _Coefficients(body)

    def static(k: int):
        def c(alpha, beta, mach, reynolds, pitch_rate, yaw_rate, roll_rate):
            return coeffs.at(alpha, beta, mach)[k]

        return c

    def pitch_damping(alpha, beta, mach, reynolds, pitch_rate, yaw_rate, roll_rate):
        return float(np.interp(mach, body.aero_mach, body.aero_pitch_damping))

    roll_scale = (body.diameter_m / body.ref_length_m) ** 2

    def roll_damping(alpha, beta, mach, reynolds, pitch_rate, yaw_rate, roll_rate):
        return float(body.aero_roll_damping) * roll_scale

    return LinearGenericSurface(
        reference_area=body.ref_area_m2,
        reference_length=body.ref_length_m,
        coefficients={
            "cL_0": static(0),
            "cQ_0": static(1),
            "cD_0": static(2),
            "cm_0": static(3),
            "cn_0": static(4),
            "cl_0": static(5),
            "cm_q": pitch_damping,
            "cn_r": pitch_damping,
            "cl_p": roll_damping,
        },
        name="boostback body",
    )


def environment(g_mps2: float, top_m: float) -> Environment:
    """RocketPy's world matched to boostback's flat plant: constant ``g``, no Earth rotation, no
    wind, boostback's USSA 1976 from 0 to ``top_m`` (see the module docstring)."""
    env = Environment(gravity=g_mps2, latitude=0.0, longitude=0.0, elevation=0.0)
    h = np.arange(0.0, top_m + 5.0, 5.0)
    air = ussa1976(h)
    temperature = air.pressure_pa / (env.air_gas_constant * air.density_kgpm3)
    env.set_atmospheric_model(
        type="custom_atmosphere",
        pressure=np.column_stack((h, air.pressure_pa)),
        temperature=np.column_stack((h, temperature)),
        wind_u=0.0,
        wind_v=0.0,
    )
    env.earth_rotation_vector = [0.0, 0.0, 0.0]
    return env


def rocket(body: PassiveBody) -> Rocket:
    """The body as a RocketPy ``Rocket``: dry mass and inertia about the CG, no drag curve, an
    ``EmptyMotor``, and its aerodynamics as one surface at the CG."""
    roll, pitch, yaw = (float(v) for v in body.inertia_kgm2)
    radius = 0.5 * body.diameter_m  # only sizes RocketPy's drag curve, which is zero here
    vehicle = Rocket(
        radius=radius,
        mass=body.mass_kg,
        inertia=(pitch, yaw, roll),
        power_off_drag=0.0,
        power_on_drag=0.0,
        center_of_mass_without_motor=body.cg_station_m,
        coordinate_system_orientation="tail_to_nose",
    )
    vehicle.add_motor(EmptyMotor(), position=0.0)
    vehicle.add_surfaces(_surface(body), body.cg_station_m)
    return vehicle


def fly_rocketpy(
    body: PassiveBody,
    x0: np.ndarray,
    duration_s: float,
    *,
    g_mps2: float,
    rtol: float = 1e-9,
    max_step_s: float = 0.05,
) -> PeerFlight:
    """Fly ``body`` from boostback state ``x0`` for ``duration_s`` in RocketPy's 6-DoF Flight.

    Parameters
    ----------
    body : PassiveBody
    x0 : (14,) boostback rigid-body state (ENU position above a sea-level pad, velocity, mass,
        quaternion body -> ENU, body rates); its mass is ignored (``body.mass_kg`` flies)
    duration_s : float
    g_mps2 : float, the constant gravity
    rtol : float, the integrator's relative tolerance (its absolute tolerances are set from it)
    max_step_s : float, the longest step RocketPy may take (its rows are this far apart at most)

    Returns
    -------
    PeerFlight
        Every step RocketPy took, in boostback's layout; it ends early only at ground impact.
    """
    top_m = float(x0[2]) + 0.5 * float(np.linalg.norm(x0[3:6])) ** 2 / g_mps2 + 1000.0
    flight = Flight(
        rocket=rocket(body),
        environment=environment(g_mps2, top_m),
        rail_length=1.0,
        initial_solution=[0.0, *to_rocketpy(x0)],
        max_time=duration_s,
        max_time_step=max_step_s,
        rtol=rtol,
        atol=6 * [rtol * 1e3] + 4 * [rtol * 1e-1] + 3 * [rtol * 1e-1],
        time_overshoot=False,
        ode_solver="LSODA",
        name="boostback peer",
    )
    sol = np.asarray(flight.solution, dtype=float)
    t, keep = np.unique(sol[:, 0], return_index=True)
    return PeerFlight(t=t, x=to_boostback(sol[keep, 1:], body.mass_kg))
