"""The 6-DoF equations of motion of a rigid, draining booster, written once and compiled.

State: fourteen floats (``dynamics.rigid_state``): position and velocity of the centre of mass in
the pad-centred ENU frame, mass, attitude quaternion (body -> ENU) and body rates. The frame is
taken as inertial, as the 3-DoF landing kernel (``point_mass``) takes it, and the world is the
same: gravity (``point_mass.gravity_at``), atmosphere (``air_state``) and wind
(``point_mass.wind_at``) from the arrays ``dynamics.fast`` packs.

    r' = v
    v' = g + R(q) (F_engines + F_rcs + F_aero + F_fins) / m
    m' = -(sum_i throttle_i mdot + rcs gas flow)
    q' = 1/2 q (0, w)
    I w' = M - w x (I w) - I' w         (``rigid_body``; jet damping inside M)

Mass properties (centre-of-mass station, principal inertias) are interpolated from the
``SixDofParams`` tables at the propellant aboard ``m - dry_mass``, and ``I' = dI/dm m'`` on the
table's segment. Forces: ``propulsion6`` (engines, jet damping, cold gas), ``aero6`` (body and
grid fins). The actuators' outputs are held over a step: throttles (k,), gimbal angles (k, 2),
fin deflections (f,), thruster on-fractions (c,) (``dynamics.actuators`` makes them).

The step is classical RK4, in ``n`` equal sub-steps with ``n = 1 + floor(|w| dt / ROT_STEP_RAD)``
(one sub-step below 0.25 rad/s at the plant's 20 ms, at most ``MAX_SUBSTEPS``), the quaternion
renormalised after each. The cold gas used over the step is returned beside the state: the
14-float layout has no place for it, and its flow is constant over a step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.dynamics.aero6 import body_aero, fin_aero
from boostback.dynamics.fast import env_arrays
from boostback.dynamics.point_mass import (
    ENV_BASE,
    ENV_USE_ATM,
    Environment,
    gravity_at,
    wind_at,
)
from boostback.dynamics.propulsion6 import engine_forces, rcs_forces
from boostback.dynamics.rigid_body import (
    quat_between,
    quat_derivative,
    quat_multiply,
    quat_normalise,
    rigid_body_rates,
    rotate_body_to_frame,
    rotate_frame_to_body,
)
from boostback.dynamics.rigid_state import MASS, QW, QX, QY, QZ, SIZE, VEL, WX, WY, WZ
from boostback.dynamics.sixdof_params import P_DRY_MASS, SixDofParams, pack_scalars
from boostback.environment import atmosphere as atm
from boostback.environment.atmosphere import air_state
from boostback.jit import jit

__all__ = [
    "AD_ALPHA",
    "AD_FORCE",
    "AD_MACH",
    "AD_MOMENT",
    "AD_QBAR",
    "AD_SIZE",
    "AD_THRUST",
    "ROT_STEP_RAD",
    "SixDofKernel",
    "air_data_kernel",
    "alpha_many_kernel",
    "effectiveness_kernel",
    "mass_properties",
    "rigid_rk4",
    "sixdof_derivatives",
    "sixdof_rk4",
    "substeps",
]

# Largest rotation (rad) of one RK4 sub-step. RK4's error in a torque-free tumble grows as
# (|w| h)^4. Measured over 100 s of tumbling at 0.1-1 rad/s (tests/test_rigid_body.py), worst
# relative drift of angular momentum or energy: one 20 ms step (20 mrad at 1 rad/s) 1.2e-6;
# 10 mrad 9e-10; 5 mrad 4e-11; 2 mrad 1.4e-12. At 5 mrad, rates below 0.25 rad/s (a landing
# burn's) take one sub-step at the plant's 20 ms.
ROT_STEP_RAD = 0.005
MAX_SUBSTEPS = 64  # 5 mrad sub-steps up to 16 rad/s at 20 ms; beyond, fewer (RK4 still stable)

# The air-data / loads record (``air_data_kernel``).
AD_ALPHA, AD_MACH, AD_QBAR = 0, 1, 2
AD_FORCE = slice(3, 6)  # aerodynamic force, body and fins, body axes [N]
AD_MOMENT = slice(6, 9)  # their moment about the centre of mass, body axes [N m]
AD_THRUST = 9  # total engine thrust [N]
AD_SIZE = 10

# The vehicle's arrays as one tuple ``veh`` (``SixDofKernel.build`` is the one place that
# packs it; ``_loads`` unpacks it in this order): packed scalars, mass-property tables, engines,
# thrusters, body aerodynamics, grid fins.
V_PAR, V_ENG_POS, V_RCS_POS, V_RCS_DIR, V_FIN_AZ = 0, 4, 6, 7, 16
_V0 = VEL.start  # the velocity's first index, as the compiled loops read it


@jit(inline="always")
def _lookup(x, xs, ys, col):
    """Value and slope of column ``col`` of table ``ys`` at ``x`` (held, slope 0, outside)."""
    n = xs.shape[0]
    if n < 2 or x <= xs[0]:
        return ys[0, col], 0.0
    if x >= xs[n - 1]:
        return ys[n - 1, col], 0.0
    i = np.searchsorted(xs, x, side="right") - 1
    slope = (ys[i + 1, col] - ys[i, col]) / (xs[i + 1] - xs[i])
    return ys[i, col] + (x - xs[i]) * slope, slope


@jit(inline="always")
def mass_properties(propellant_kg, mp_p, mp_cg, mp_i):
    """Centre-of-mass station, principal inertias and their slopes against the propellant.

    Parameters
    ----------
    propellant_kg : float
        Propellant aboard [kg].
    mp_p, mp_cg, mp_i : ndarray
        The tables (``SixDofParams.mp_*``); ``mp_cg`` is taken as one column.

    Returns
    -------
    tuple
        ``(cg_m, inertia, d_inertia)``: station [m], inertias (3-tuple) [kg m^2] and their
        derivatives with the propellant (3-tuple) [m^2].
    """
    cg, _s = _lookup(propellant_kg, mp_p, mp_cg.reshape((-1, 1)), 0)
    ix, dx = _lookup(propellant_kg, mp_p, mp_i, 0)
    iy, dy = _lookup(propellant_kg, mp_p, mp_i, 1)
    iz, dz = _lookup(propellant_kg, mp_p, mp_i, 2)
    return cg, (ix, iy, iz), (dx, dy, dz)


@jit(inline="always")
def _loads(x, thr, gim, fins, veh, air):
    """Everything the derivative needs besides gravity: body forces and moments, flows."""
    (par, mp_p, mp_cg, mp_i, e_pos, e_axis, _r_pos, _r_dir,
     a_m, a_a, a_ca, a_cn, a_cp, a_mq, pl_ct, pl_f, f_az, f_m, f_d, f_cf, f_ca) = veh  # fmt: skip
    env, at, wz, wv = air
    cg, inertia, d_inertia = mass_properties(x[MASS] - par[P_DRY_MASS], mp_p, mp_cg, mp_i)
    q = (x[QW], x[QX], x[QY], x[QZ])
    w = (x[WX], x[WY], x[WZ])
    h = x[2] + env[ENV_BASE]
    p, rho, a = air_state(h, env[ENV_USE_ATM] > 0.5, at[0], at[1], at[2], at[3], at[4])
    f_e, m_e, thrust, flow = engine_forces(thr, gim, e_pos, e_axis, par, p, cg, w)
    u = (0.0, 0.0, 0.0)
    if rho > 0.0:
        we, wn, wu = wind_at(h, env, wz, wv)
        u = rotate_frame_to_body(q, (x[3] - we, x[4] - wn, x[5] - wu))
    tabs = (a_m, a_a, a_ca, a_cn, a_cp, a_mq, pl_ct, pl_f)
    f_a, m_a, alpha, mach, qbar = body_aero(u, w, rho, a, cg, thrust, par, tabs)
    f_f, m_f = fin_aero(u, rho, a, cg, fins, par, (f_az, f_m, f_d, f_cf, f_ca))
    force_aero = (f_a[0] + f_f[0], f_a[1] + f_f[1], f_a[2] + f_f[2])
    moment_aero = (m_a[0] + m_f[0], m_a[1] + m_f[1], m_a[2] + m_f[2])
    return (
        q, w, cg, inertia, d_inertia, f_e, m_e, thrust, flow,
        force_aero, moment_aero, alpha, mach, qbar,
    )  # fmt: skip


@jit
def sixdof_derivatives(x, thr, gim, fins, rcs, veh, air):
    """Time derivative of the rigid-body state ``x`` with the actuators held.

    Parameters
    ----------
    x : ndarray
        (14,) state (``rigid_state``).
    thr, gim, fins, rcs : ndarray
        Engine throttles (k,), gimbal angles (k, 2) [rad], fin deflections (f,) [rad],
        thruster on-fractions (c,).
    veh : tuple of ndarray
        The vehicle's arrays, as ``SixDofKernel.veh`` packs them.
    air : tuple of ndarray
        ``(env, atmosphere layers, wind heights, wind table)`` as ``dynamics.fast`` packs them.

    Returns
    -------
    ndarray
        (14,) ``dx/dt``.
    """
    par, r_pos, r_dir = veh[V_PAR], veh[V_RCS_POS], veh[V_RCS_DIR]
    q, w, cg, inertia, d_inertia, f_e, m_e, _t, flow, f_a, m_a, _al, _ma, _qb = _loads(
        x, thr, gim, fins, veh, air
    )
    f_r, m_r, gas = rcs_forces(rcs, r_pos, r_dir, par, cg)
    force = (f_e[0] + f_r[0] + f_a[0], f_e[1] + f_r[1] + f_a[1], f_e[2] + f_r[2] + f_a[2])
    moment = (m_e[0] + m_r[0] + m_a[0], m_e[1] + m_r[1] + m_a[1], m_e[2] + m_r[2] + m_a[2])
    gx, gy, gz = gravity_at(x, air[0])
    f = rotate_body_to_frame(q, force)
    m = x[MASS]
    mdot = -(flow + gas)
    i_dot = (d_inertia[0] * mdot, d_inertia[1] * mdot, d_inertia[2] * mdot)
    w_dot = rigid_body_rates(w, inertia, i_dot, moment)
    q_dot = quat_derivative(q, w)
    out = np.empty(SIZE)
    out[0], out[1], out[2] = x[3], x[4], x[5]
    out[3], out[4], out[5] = gx + f[0] / m, gy + f[1] / m, gz + f[2] / m
    out[MASS] = mdot
    out[QW], out[QX], out[QY], out[QZ] = q_dot
    out[WX], out[WY], out[WZ] = w_dot
    return out


@jit(inline="always")
def substeps(x, dt):
    """How many RK4 sub-steps a step of ``dt`` from rigid state ``x`` takes: one per
    ``ROT_STEP_RAD`` of rotation (at most ``MAX_SUBSTEPS``; one for NaN rates, whose NaNs the
    caller sees)."""
    rate = math.sqrt(x[WX] * x[WX] + x[WY] * x[WY] + x[WZ] * x[WZ])
    turn = rate * dt / ROT_STEP_RAD
    if turn < MAX_SUBSTEPS - 1:
        return 1 + int(turn)
    if not turn >= 0.0:
        return 1
    return MAX_SUBSTEPS


@jit(inline="always")
def rigid_rk4(derivatives, x, dt, thr, gim, fins, rcs, veh, env):
    """One step of length ``dt`` (RK4 sub-steps, see the module) of a rigid body whose
    equations are ``derivatives(x, thr, gim, fins, rcs, veh, env)`` (this module's flat ones,
    or the rotating Earth's of ``flight.rigid_kernel``), with the actuators held.

    Returns
    -------
    tuple
        ``(state after dt, cold gas used [kg])``, the quaternion of unit norm.
    """
    n = substeps(x, dt)
    h = dt / n
    y = x.copy()
    for _ in range(n):
        k1 = derivatives(y, thr, gim, fins, rcs, veh, env)
        k2 = derivatives(y + 0.5 * h * k1, thr, gim, fins, rcs, veh, env)
        k3 = derivatives(y + 0.5 * h * k2, thr, gim, fins, rcs, veh, env)
        k4 = derivatives(y + h * k3, thr, gim, fins, rcs, veh, env)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        y[QW], y[QX], y[QY], y[QZ] = quat_normalise((y[QW], y[QX], y[QY], y[QZ]))
    _f, _m, gas = rcs_forces(rcs, veh[V_RCS_POS], veh[V_RCS_DIR], veh[V_PAR], 0.0)
    return y, gas * dt


@jit
def sixdof_rk4(x, dt, thr, gim, fins, rcs, veh, air):
    """One step of length ``dt`` over a flat Earth (:func:`rigid_rk4` on
    :func:`sixdof_derivatives`), with the actuators held.

    Parameters
    ----------
    x : ndarray
        (14,) state at the step's start.
    dt : float
        Step length [s].
    thr, gim, fins, rcs, veh, air
        As for :func:`sixdof_derivatives`.

    Returns
    -------
    tuple
        ``(state after dt, cold gas used [kg])``, the quaternion of unit norm.
    """
    return rigid_rk4(sixdof_derivatives, x, dt, thr, gim, fins, rcs, veh, air)


@jit
def effectiveness_kernel(x, thr, veh, air, gimbal_step, fin_step, out):
    """Angular acceleration (body axes) per unit of each actuator about the actuators at rest,
    by forward differences of :func:`sixdof_derivatives`, into ``out`` (3, 2k + f + c): each
    engine's two gimbal axes (per rad; zero for an engine not lit in ``thr``), each fin (per
    rad), each thruster (per unit duty). The attitude loop's design model (``control.attitude``).
    """
    k, f, c = thr.shape[0], veh[V_FIN_AZ].shape[0], veh[V_RCS_POS].shape[0]
    gim = np.zeros((k, 2))
    fins = np.zeros(f)
    rcs = np.zeros(c)
    base = sixdof_derivatives(x, thr, gim, fins, rcs, veh, air)
    out[:, :] = 0.0
    col = 0
    for i in range(k):
        for a in range(2):
            if thr[i] > 0.0:
                gim[i, a] = gimbal_step
                d = sixdof_derivatives(x, thr, gim, fins, rcs, veh, air)
                gim[i, a] = 0.0
                for j in range(3):
                    out[j, col] = (d[WX + j] - base[WX + j]) / gimbal_step
            col += 1
    for i in range(f):
        fins[i] = fin_step
        d = sixdof_derivatives(x, thr, gim, fins, rcs, veh, air)
        fins[i] = 0.0
        for j in range(3):
            out[j, col] = (d[WX + j] - base[WX + j]) / fin_step
        col += 1
    for i in range(c):
        rcs[i] = 1.0
        d = sixdof_derivatives(x, thr, gim, fins, rcs, veh, air)
        rcs[i] = 0.0
        for j in range(3):
            out[j, col] = d[WX + j] - base[WX + j]
        col += 1


@jit(inline="always")
def _turned_onto(x, axis):
    """``x`` with its body axis turned onto unit ``axis`` by the shortest rotation (rates
    kept)."""
    y = x.copy()
    q = (x[QW], x[QX], x[QY], x[QZ])
    turn = quat_between(rotate_body_to_frame(q, (1.0, 0.0, 0.0)), (axis[0], axis[1], axis[2]))
    y[QW], y[QX], y[QY], y[QZ] = quat_multiply(turn, q)
    return y


@jit
def lift_per_rad_kernel(x, back, across, step, veh, air, out):
    """The acceleration of the centre of mass across the flow per radian of the body axis tilted
    from ``back`` (unit) towards each row of ``across`` (2, 3; unit, normal to ``back``), along
    each of those rows: ``out[i, j]`` (2, 2), forward differences of step ``step`` rad of
    :func:`sixdof_derivatives` with every actuator at rest. The grid-fin descent's design model
    of lift (``flight.rigid_steering.LiftSteering``)."""
    k, f, c = veh[V_ENG_POS].shape[0], veh[V_FIN_AZ].shape[0], veh[V_RCS_POS].shape[0]
    thr, gim, fins, rcs = np.zeros(k), np.zeros((k, 2)), np.zeros(f), np.zeros(c)
    base = sixdof_derivatives(_turned_onto(x, back), thr, gim, fins, rcs, veh, air)
    a = np.empty(3)
    for j in range(2):
        for m in range(3):
            a[m] = back[m] + step * across[j, m]
        a /= math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
        d = sixdof_derivatives(_turned_onto(x, a), thr, gim, fins, rcs, veh, air)
        for i in range(2):
            acc = 0.0
            for m in range(3):
                acc += (d[_V0 + m] - base[_V0 + m]) * across[i, m]
            out[i, j] = acc / step


@jit
def alpha_many_kernel(states, veh, air, out):
    """Total angle of attack (rad) of every row of ``states`` (n, 14), engines and fins at rest,
    into ``out`` (n,)."""
    k, f = veh[V_ENG_POS].shape[0], veh[V_FIN_AZ].shape[0]
    thr, gim, fins = np.zeros(k), np.zeros((k, 2)), np.zeros(f)
    for i in range(states.shape[0]):
        out[i] = _loads(states[i], thr, gim, fins, veh, air)[11]


@jit
def air_data_kernel(x, thr, gim, fins, veh, air, out):
    """Air data and loads at state ``x``, into ``out`` (``AD_SIZE``,) at the ``AD_*`` indices.

    Parameters
    ----------
    x, thr, gim, fins, veh, air
        As for :func:`sixdof_derivatives`.
    out : ndarray
        (AD_SIZE,): alpha [rad], Mach, qbar [Pa], aerodynamic force (body and fins) [N] and its
        moment about the centre of mass [N m] in body axes, total engine thrust [N].
    """
    r = _loads(x, thr, gim, fins, veh, air)
    f_a, m_a = r[9], r[10]
    out[AD_ALPHA], out[AD_MACH], out[AD_QBAR] = r[11], r[12], r[13]
    out[3], out[4], out[5] = f_a
    out[6], out[7], out[8] = m_a
    out[AD_THRUST] = r[7]


@dataclass(frozen=True, eq=False)
class SixDofKernel:
    """One rigid vehicle in one environment, as arrays for the compiled 6-DoF kernels.

    Build it with :meth:`build`; the plant calls :meth:`step` once per control step.
    """

    params: SixDofParams
    veh: tuple
    air: tuple

    @classmethod
    def build(cls, params: SixDofParams, env: Environment) -> SixDofKernel:
        """Pack ``params`` and ``env`` once.

        Parameters
        ----------
        params : SixDofParams
            The vehicle.
        env : Environment
            Atmosphere, gravity and wind (the models ``dynamics.fast`` compiles; TypeError for
            another).

        Returns
        -------
        SixDofKernel
            The arrays, ready to step.
        """
        env_arr, wz, wv = env_arrays(env)
        p = params

        def f64(a: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(a, dtype=np.float64)

        veh = (
            pack_scalars(p), f64(p.mp_propellant_kg), f64(p.mp_cg_station_m),
            f64(p.mp_inertia_kgm2).reshape(-1, 3), f64(p.engine_position_m).reshape(-1, 3),
            f64(p.engine_axis).reshape(-1, 3), f64(p.rcs_position_m).reshape(-1, 3),
            f64(p.rcs_direction).reshape(-1, 3), f64(p.aero_mach), f64(p.aero_alpha_rad),
            f64(p.aero_axial), f64(p.aero_normal), f64(p.aero_cp_station_m),
            f64(p.aero_pitch_damping), f64(p.plume_ct), f64(p.plume_factor),
            f64(p.fin_azimuth_rad), f64(p.fin_mach), f64(p.fin_deflection_rad),
            f64(p.fin_force), f64(p.fin_axial),
        )  # fmt: skip
        return cls(params, veh, (env_arr, atm.LAYERS, wz, wv))

    def step(
        self,
        x: np.ndarray,
        dt: float,
        throttle: np.ndarray,
        gimbal: np.ndarray,
        fins: np.ndarray,
        rcs: np.ndarray,
    ) -> tuple[np.ndarray, float]:
        """One step of ``dt`` with the actuators held: ``(state after dt, cold gas used [kg])``.

        ``throttle`` (k,), ``gimbal`` (k, 2) [rad], ``fins`` (f,) [rad], ``rcs`` (c,) on-fractions,
        all float64 arrays (see :func:`sixdof_rk4`).
        """
        y, gas = sixdof_rk4(x, dt, throttle, gimbal, fins, rcs, self.veh, self.air)
        return y, float(gas)

    def derivatives(
        self, x: np.ndarray, throttle: np.ndarray, gimbal: np.ndarray, fins: np.ndarray,
        rcs: np.ndarray,
    ) -> np.ndarray:  # fmt: skip
        """``dx/dt`` at ``x`` with the actuators held (see :func:`sixdof_derivatives`)."""
        return sixdof_derivatives(x, throttle, gimbal, fins, rcs, self.veh, self.air)  # type: ignore[no-any-return]

    def effectiveness(
        self, x: np.ndarray, throttle: np.ndarray, gimbal_step: float, fin_step: float
    ) -> np.ndarray:
        """Angular acceleration per unit of each actuator at ``x`` (3, 2k + f + c), see
        :func:`effectiveness_kernel`."""
        n = 2 * throttle.shape[0] + self.params.fin_azimuth_rad.shape[0]
        out = np.empty((3, n + self.params.rcs_position_m.shape[0]))
        effectiveness_kernel(x, throttle, self.veh, self.air, gimbal_step, fin_step, out)
        return out

    def lift_per_rad(
        self, x: np.ndarray, back: np.ndarray, across: np.ndarray, step_rad: float
    ) -> np.ndarray:
        """Lateral acceleration per radian of tilt from ``back`` towards each row of ``across``
        (2, 2), see :func:`lift_per_rad_kernel`."""
        out = np.empty((2, 2))
        lift_per_rad_kernel(x, back, across, step_rad, self.veh, self.air, out)
        return out

    def alpha_many(self, states: np.ndarray) -> np.ndarray:
        """Total angle of attack (rad) of many states (n, 14)."""
        out = np.empty(states.shape[0])
        alpha_many_kernel(np.ascontiguousarray(states, dtype=np.float64), self.veh, self.air, out)
        return out

    def air_data(
        self, x: np.ndarray, throttle: np.ndarray, gimbal: np.ndarray, fins: np.ndarray
    ) -> np.ndarray:
        """Air data and loads at ``x``: an (``AD_SIZE``,) array at the ``AD_*`` indices."""
        out = np.empty(AD_SIZE)
        air_data_kernel(x, throttle, gimbal, fins, self.veh, self.air, out)
        return out
