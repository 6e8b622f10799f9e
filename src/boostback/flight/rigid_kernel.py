"""The rigid-body equations of motion on the rotating Earth, in the Earth-fixed (ECEF) frame,
written once and compiled: the 6-DoF counterpart of ``flight.kernel`` for a whole flight.

State: fourteen floats (``dynamics.rigid_state``), in the frame ``flight.kernel`` flies in:

- position of the centre of mass in ECEF [m], its velocity **relative to the Earth** in ECEF
  axes [m/s], mass [kg] (the first seven floats are exactly a 3-DoF flight state);
- the attitude quaternion (scalar first), body -> ECEF;
- the body rates **relative to the ECEF frame** [rad/s], body axes.

Translation::

    r' = v
    v' = a_frame(r, v) + R(q) (F_engines + F_rcs + F_aero + F_fins) / m

``a_frame`` is the flight kernel's own: gravity of the Earth model (inverse-square, J2 on
WGS-84) with the centrifugal and Coriolis terms of the rotating frame, taken from
``flight.kernel.ecef_derivatives`` on a body with no drag and no engines (one source for those
terms). The body forces are ``dynamics.propulsion6`` (engines, cold gas) and ``dynamics.aero6``
(body and grid fins), fed the air data of the flight kernel's atmosphere and wind at the geodetic
height: density, speed of sound and pressure (``flight.kernel.air``), the velocity relative to
the co-rotating air less the wind (``flight.kernel.air_velocity``), turned into body axes.

Rotation: **Earth's rotation is included** in the attitude dynamics. With ``Omega_b`` the Earth's
rate (7.292e-5 rad/s about ECEF z) in body axes, the inertial body rates are
``w_i = w + Omega_b``; Euler's equations hold for them, ``I w_i' = M - w_i x (I w_i) - I' w_i``,
and since ``Omega_b`` turns in the body at ``-w``, ``w' = w_i' + w x Omega_b``; the quaternion
follows the relative rates, ``q' = 1/2 q (0, w)``. Left out, a torque-free body would hold its
attitude fixed to the Earth instead of to the stars (a drift of 0.0042 deg/s; 2 deg over a
whole recovery), and the test of angular momentum would fail at that level. Aerodynamic damping
takes the relative rates (the air turns with the Earth), jet damping the inertial ones.

The step is classical RK4 in ``n = 1 + floor(|w| dt / ROT_STEP_RAD)`` sub-steps (as
``dynamics.sixdof``), the quaternion renormalised after each; the cold gas used is returned
beside the state. The vehicle's arrays are ``dynamics.sixdof.SixDofKernel.veh`` (built once by
``SixDofKernel.build``); the world's are ``flight.kernel.FlightKernel``'s (``wp``, the
atmosphere's layers, the wind table).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from boostback.dynamics.aero6 import body_aero, fin_aero
from boostback.dynamics.point_mass import AeroParams, Environment
from boostback.dynamics.propulsion6 import engine_forces, rcs_forces
from boostback.dynamics.rigid_body import (
    quat_derivative,
    rigid_body_rates,
    rotate_body_to_frame,
    rotate_frame_to_body,
)
from boostback.dynamics.rigid_state import MASS, QW, QX, QY, QZ, SIZE, SIZE3, WX, WY, WZ
from boostback.dynamics.sixdof import (
    SixDofKernel,
    mass_properties,
    rigid_rk4,
)
from boostback.dynamics.sixdof_params import P_DRY_MASS, SixDofParams
from boostback.environment.atmosphere import Vacuum
from boostback.environment.gravity import UniformGravity
from boostback.environment.wind import NoWind
from boostback.flight.dynamics import Body, World
from boostback.flight.kernel import air, air_velocity, ecef_derivatives, flight_kernel
from boostback.jit import jit

__all__ = [
    "RD_ALPHA",
    "RD_MACH",
    "RD_QBAR",
    "RD_SIZE",
    "RigidFlightKernel",
    "rigid_air_data",
    "rigid_ecef_derivatives",
    "rigid_ecef_rk4",
]

# The air-data record (``rigid_air_data``).
RD_ALPHA, RD_MACH, RD_QBAR, RD_HEIGHT, RD_PRESSURE = 0, 1, 2, 3, 4
RD_SIZE = 5


@jit(inline="always")
def _air_body(x, mdl):
    """Height, pressure, density, speed of sound and the air-relative velocity in body axes."""
    wp, at, wind = mdl[0], mdl[1], mdl[2]
    h, ux, uy, uz = air_velocity(x[0], x[1], x[2], x[3], x[4], x[5], wp, wind)
    p, rho, a = air(h, wp, at)
    q = (x[QW], x[QX], x[QY], x[QZ])
    u = (0.0, 0.0, 0.0)
    if rho > 0.0:
        u = rotate_frame_to_body(q, (ux, uy, uz))
    return h, p, rho, a, u


@jit(inline="always")
def _rigid_loads(x, thr, gim, fins, w_i, veh, mdl):
    """Body forces and moments (engines, body aerodynamics, grid fins), mass properties, flow."""
    (par, mp_p, mp_cg, mp_i, e_pos, e_axis, _r_pos, _r_dir,
     a_m, a_a, a_ca, a_cn, a_cp, a_mq, pl_ct, pl_f, f_az, f_m, f_d, f_cf, f_ca) = veh  # fmt: skip
    cg, inertia, d_inertia = mass_properties(x[MASS] - par[P_DRY_MASS], mp_p, mp_cg, mp_i)
    w = (x[WX], x[WY], x[WZ])
    h, p, rho, a, u = _air_body(x, mdl)
    f_e, m_e, thrust, flow = engine_forces(thr, gim, e_pos, e_axis, par, p, cg, w_i)
    tabs = (a_m, a_a, a_ca, a_cn, a_cp, a_mq, pl_ct, pl_f)
    f_a, m_a, alpha, mach, qbar = body_aero(u, w, rho, a, cg, thrust, par, tabs)
    f_f, m_f = fin_aero(u, rho, a, cg, fins, par, (f_az, f_m, f_d, f_cf, f_ca))
    force = (f_e[0] + f_a[0] + f_f[0], f_e[1] + f_a[1] + f_f[1], f_e[2] + f_a[2] + f_f[2])
    moment = (m_e[0] + m_a[0] + m_f[0], m_e[1] + m_a[1] + m_f[1], m_e[2] + m_a[2] + m_f[2])
    return cg, inertia, d_inertia, force, moment, flow, (alpha, mach, qbar, h, p)


@jit
def rigid_ecef_derivatives(x, thr, gim, fins, rcs, veh, mdl):
    """Time derivative of the rigid-body ECEF state ``x`` with the actuators held.

    Parameters
    ----------
    x : ndarray
        (14,) state (see the module: ECEF, rates relative to the Earth).
    thr, gim, fins, rcs : ndarray
        Engine throttles (k,), gimbal angles (k, 2) [rad], fin deflections (f,) [rad],
        thruster on-fractions (c,).
    veh : tuple of ndarray
        The vehicle's arrays (``dynamics.sixdof.SixDofKernel.veh``).
    mdl : tuple
        ``(wp, atmosphere layers, wind table, frame model, coast command)``: the flight
        kernel's world arrays, then its model of a bare body (no drag, no fins, no air) and an
        engines-off command, on which its derivative is gravity and the frame's terms alone
        (``RigidFlightKernel.build``).

    Returns
    -------
    ndarray
        (14,) ``dx/dt``.
    """
    wp = mdl[0]
    q = (x[QW], x[QX], x[QY], x[QZ])
    w = (x[WX], x[WY], x[WZ])
    om = rotate_frame_to_body(q, (0.0, 0.0, wp[6]))  # the Earth's rate, body axes
    w_i = (w[0] + om[0], w[1] + om[1], w[2] + om[2])
    cg, inertia, d_inertia, f_b, m_b, flow, _ad = _rigid_loads(x, thr, gim, fins, w_i, veh, mdl)
    f_r, m_r, gas = rcs_forces(rcs, veh[6], veh[7], veh[0], cg)
    force = (f_b[0] + f_r[0], f_b[1] + f_r[1], f_b[2] + f_r[2])
    moment = (m_b[0] + m_r[0], m_b[1] + m_r[1], m_b[2] + m_r[2])
    out = np.empty(SIZE)
    ecef_derivatives(x[:SIZE3], mdl[4], mdl[3], out[:SIZE3])  # r', gravity and frame terms
    f = rotate_body_to_frame(q, force)
    m = x[MASS]
    mdot = -(flow + gas)
    out[3] += f[0] / m
    out[4] += f[1] / m
    out[5] += f[2] / m
    out[MASS] = mdot
    i_dot = (d_inertia[0] * mdot, d_inertia[1] * mdot, d_inertia[2] * mdot)
    a_i = rigid_body_rates(w_i, inertia, i_dot, moment)
    out[WX] = a_i[0] + w[1] * om[2] - w[2] * om[1]  # w' = w_i' + w x Omega_b
    out[WY] = a_i[1] + w[2] * om[0] - w[0] * om[2]
    out[WZ] = a_i[2] + w[0] * om[1] - w[1] * om[0]
    out[QW], out[QX], out[QY], out[QZ] = quat_derivative(q, w)
    return out


@jit
def rigid_ecef_rk4(x, dt, thr, gim, fins, rcs, veh, mdl):
    """One step of length ``dt`` on the rotating Earth (``dynamics.sixdof.rigid_rk4`` on
    :func:`rigid_ecef_derivatives`), with the actuators held.

    Parameters
    ----------
    x : ndarray
        (14,) state at the step's start.
    dt : float
        Step length [s].
    thr, gim, fins, rcs, veh, mdl
        As for :func:`rigid_ecef_derivatives`.

    Returns
    -------
    tuple
        ``(state after dt, cold gas used [kg])``, the quaternion of unit norm.
    """
    return rigid_rk4(rigid_ecef_derivatives, x, dt, thr, gim, fins, rcs, veh, mdl)


@jit
def rigid_air_data(x, veh, mdl, out):
    """Air data at state ``x`` (engines and fins at rest), into ``out`` (``RD_SIZE``,): total
    angle of attack [rad], Mach, dynamic pressure [Pa], geodetic height [m], pressure [Pa]."""
    k, f = veh[4].shape[0], veh[16].shape[0]
    w_i = (x[WX], x[WY], x[WZ])
    r = _rigid_loads(x, np.zeros(k), np.zeros((k, 2)), np.zeros(f), w_i, veh, mdl)
    for i in range(RD_SIZE):
        out[i] = r[6][i]


_STILL = Environment(Vacuum(), UniformGravity(9.80665), NoWind())  # the vehicle's arrays need one
_BARE = Body(AeroParams(reference_area_m2=0.0, mach=(0.0, 10.0), cd=(0.0, 0.0)))


@dataclass(frozen=True, eq=False)
class RigidFlightKernel:
    """One rigid vehicle in one rotating-Earth world, as arrays for the compiled kernels.

    ``veh`` is the vehicle's (``SixDofKernel.veh``), ``mdl`` the world's (see
    :func:`rigid_ecef_derivatives`). Build it with :meth:`build`.
    """

    params: SixDofParams
    veh: tuple
    mdl: tuple

    @classmethod
    def build(cls, params: SixDofParams, world: World) -> RigidFlightKernel:
        """Pack ``params`` and ``world`` once.

        Parameters
        ----------
        params : SixDofParams
            The vehicle.
        world : World
            Earth model, atmosphere and wind (those ``flight.kernel`` compiles; TypeError for
            another).

        Returns
        -------
        RigidFlightKernel
        """
        veh = SixDofKernel.build(params, _STILL).veh  # the one packing of a vehicle's arrays
        fk = flight_kernel(_BARE, world)
        wp_bare = fk.wp.copy()
        wp_bare[8] = 0.0  # no air: the bare body's derivative is r', gravity and frame terms
        bare = (wp_bare, fk.bp, fk.aero, fk.model[3], np.zeros((0, 4)))
        return cls(params, veh, (fk.wp, fk.model[3], fk.wind, bare, np.zeros(10)))

    def step(
        self,
        x: np.ndarray,
        dt: float,
        throttle: np.ndarray,
        gimbal: np.ndarray,
        fins: np.ndarray,
        rcs: np.ndarray,
    ) -> tuple[np.ndarray, float]:
        """One step of ``dt`` with the actuators held: ``(state after dt, cold gas used [kg])``."""
        y, gas = rigid_ecef_rk4(x, dt, throttle, gimbal, fins, rcs, self.veh, self.mdl)
        return y, float(gas)

    def derivatives(
        self, x: np.ndarray, throttle: np.ndarray, gimbal: np.ndarray, fins: np.ndarray,
        rcs: np.ndarray,
    ) -> np.ndarray:  # fmt: skip
        """``dx/dt`` at ``x`` with the actuators held (see :func:`rigid_ecef_derivatives`)."""
        return rigid_ecef_derivatives(x, throttle, gimbal, fins, rcs, self.veh, self.mdl)  # type: ignore[no-any-return]

    def air_data(self, x: np.ndarray) -> np.ndarray:
        """Air data at ``x``: an (``RD_SIZE``,) array at the ``RD_*`` indices."""
        out = np.empty(RD_SIZE)
        rigid_air_data(np.ascontiguousarray(x, dtype=np.float64), self.veh, self.mdl, out)
        return out
