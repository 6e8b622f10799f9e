"""Engine and cold-gas thruster forces and moments on the rigid body, compiled.

Per engine ``i`` (``dynamics.sixdof_params`` conventions, body axes):

- thrust ``T_i = throttle_i T_vac - A_exit p`` (never negative): ``forces.engine_thrust``, the
  3-DoF model's law per engine, so ``k`` engines at one throttle give the 3-DoF vehicle's thrust;
- along its nominal axis turned by gimbal angle 0 about ``y_body``, then by gimbal angle 1
  about ``z_body``; it acts at the gimbal point ``p_i``, so its moment about the centre of mass
  is ``(p_i - c) x F_i``;
- propellant flow ``throttle_i mdot`` (the 3-DoF flow per engine);
- **jet damping**: the exhaust leaves with the transverse velocity ``w x r_i`` of the nozzle it
  leaves from, carrying angular momentum away: ``M = -mdot_i r_i x (w x r_i)`` with
  ``r_i = p_i - c`` (the gimbal point standing in for the nozzle exit). It opposes every rate
  (for a central engine it damps pitch and yaw, an engine off the axis also roll). This is the
  jet-damping moment of the rigid-body equations (``dynamics.rigid_body``), whose ``-I' w``
  term is the other part of the variable-mass correction.

Cold-gas thrusters: thruster ``j`` on for a fraction ``on_j`` in [0, 1] of the step gives
``on_j F_rcs`` along its direction at its position, and uses ``on_j F_rcs / (Isp g0)`` kg/s of
gas.
"""

from __future__ import annotations

import math

from boostback.constants import G0_MPS2
from boostback.dynamics.forces import engine_thrust
from boostback.dynamics.sixdof_params import (
    P_EXIT_AREA,
    P_MASS_FLOW,
    P_RCS_ISP,
    P_RCS_THRUST,
    P_THRUST_VAC,
)
from boostback.jit import jit

__all__ = ["engine_direction", "engine_forces", "jet_damping", "rcs_forces"]


@jit(inline="always")
def engine_direction(axis, gimbal_y, gimbal_z):
    """The unit ``axis`` turned by ``gimbal_y`` about ``y_body``, then ``gimbal_z`` about
    ``z_body`` (right-hand rule, radians).

    Parameters
    ----------
    axis : tuple of float
        Nominal thrust direction, body axes (unit).
    gimbal_y, gimbal_z : float
        Gimbal angles [rad].

    Returns
    -------
    tuple of float
        The thrust direction, body axes.
    """
    cy, sy = math.cos(gimbal_y), math.sin(gimbal_y)
    x1 = axis[0] * cy + axis[2] * sy
    z1 = -axis[0] * sy + axis[2] * cy
    cz, sz = math.cos(gimbal_z), math.sin(gimbal_z)
    return (x1 * cz - axis[1] * sz, x1 * sz + axis[1] * cz, z1)


@jit(inline="always")
def jet_damping(mass_flow_kgps, r, w):
    """Jet-damping moment ``-mdot r x (w x r)`` of exhaust leaving at ``r`` from the centre of
    mass, body rates ``w``.

    Parameters
    ----------
    mass_flow_kgps : float
        Flow out of the nozzle [kg/s] (positive).
    r : tuple of float
        Nozzle position relative to the centre of mass [m].
    w : tuple of float
        Body rates [rad/s].

    Returns
    -------
    tuple of float
        The moment [N m], body axes.
    """
    rr = r[0] * r[0] + r[1] * r[1] + r[2] * r[2]
    rw = r[0] * w[0] + r[1] * w[1] + r[2] * w[2]
    # r x (w x r) = w |r|^2 - r (r . w)
    return (
        -mass_flow_kgps * (w[0] * rr - r[0] * rw),
        -mass_flow_kgps * (w[1] * rr - r[1] * rw),
        -mass_flow_kgps * (w[2] * rr - r[2] * rw),
    )


@jit(inline="always")
def engine_forces(throttle, gimbal, position, axis, par, pressure_pa, cg_m, w):
    """Force, moment (jet damping included), total thrust and propellant flow of the engines.

    Parameters
    ----------
    throttle : ndarray
        (k,) each engine's throttle (0: off; ramps already applied, ``dynamics.actuators``).
    gimbal : ndarray
        (k, 2) gimbal angles [rad].
    position, axis : ndarray
        (k, 3) gimbal points [m] and nominal unit axes, body axes.
    par : ndarray
        The packed scalars (``sixdof_params.pack_scalars``).
    pressure_pa : float
        Ambient pressure [Pa].
    cg_m : float
        Station of the centre of mass [m].
    w : tuple of float
        Body rates [rad/s].

    Returns
    -------
    tuple
        ``(force, moment, thrust_n, flow_kgps)``: force [N] and moment about the centre of
        mass [N m] as 3-tuples, the sum of the engines' thrust magnitudes, their total flow.
    """
    fx, fy, fz, mx, my, mz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    total, flow = 0.0, 0.0
    t_vac, area, mdot = par[P_THRUST_VAC], par[P_EXIT_AREA], par[P_MASS_FLOW]
    for i in range(throttle.shape[0]):
        if not throttle[i] > 0.0:
            continue
        thrust = engine_thrust(throttle[i], t_vac, area, pressure_pa)
        a = (axis[i, 0], axis[i, 1], axis[i, 2])
        d = engine_direction(a, gimbal[i, 0], gimbal[i, 1])
        gx, gy, gz = thrust * d[0], thrust * d[1], thrust * d[2]
        r = (position[i, 0] - cg_m, position[i, 1], position[i, 2])
        flow_i = throttle[i] * mdot
        jd = jet_damping(flow_i, r, w)
        fx += gx
        fy += gy
        fz += gz
        mx += r[1] * gz - r[2] * gy + jd[0]
        my += r[2] * gx - r[0] * gz + jd[1]
        mz += r[0] * gy - r[1] * gx + jd[2]
        total += thrust
        flow += flow_i
    return (fx, fy, fz), (mx, my, mz), total, flow


@jit(inline="always")
def rcs_forces(on, position, direction, par, cg_m):
    """Force, moment and gas flow of the cold-gas thrusters.

    Parameters
    ----------
    on : ndarray
        (c,) on-fraction of each thruster over the step, in [0, 1].
    position, direction : ndarray
        (c, 3) positions [m] and unit thrust directions, body axes.
    par : ndarray
        The packed scalars.
    cg_m : float
        Station of the centre of mass [m].

    Returns
    -------
    tuple
        ``(force, moment, gas_kgps)``: force [N] and moment about the centre of mass [N m] as
        3-tuples, and the gas used per second.
    """
    fx, fy, fz, mx, my, mz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    total = 0.0
    f_rcs = par[P_RCS_THRUST]
    for j in range(on.shape[0]):
        if not on[j] > 0.0:
            continue
        f = on[j] * f_rcs
        gx, gy, gz = f * direction[j, 0], f * direction[j, 1], f * direction[j, 2]
        rx, ry, rz = position[j, 0] - cg_m, position[j, 1], position[j, 2]
        fx += gx
        fy += gy
        fz += gz
        mx += ry * gz - rz * gy
        my += rz * gx - rx * gz
        mz += rx * gy - ry * gx
        total += f
    gas = total / (par[P_RCS_ISP] * G0_MPS2) if total > 0.0 else 0.0
    return (fx, fy, fz), (mx, my, mz), gas
