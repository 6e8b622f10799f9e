"""Aerodynamic force and moment on the rigid body and its grid fins, compiled.

Everything is in body axes, from the vehicle's velocity relative to the air ``u`` (body axes) and
the body rates; conventions and table layouts are those of ``dynamics.sixdof_params``:

- total angle of attack ``alpha = atan2(|u_perp|, u_x)`` in [0, pi], Mach ``|u| / a``,
  ``qbar = rho |u|^2 / 2``; the crossflow direction ``n = u_perp / |u_perp|``;
- the body: axial force ``-C_A qbar S x_body`` along the axis (no moment: the centre of mass is
  on the axis) and normal force ``-C_N qbar S n`` at the centre of pressure, ``C_A``, ``C_N``
  and the centre-of-pressure station bilinear in (Mach, alpha), held at the tables' edges;
  pitch/yaw damping ``C_mq qbar S L (w_perp L / 2V)`` and roll damping
  ``C_lp qbar S d (p d / 2V)``; the whole body term scaled by the retro-propulsion plume factor
  against ``C_T = T / (qbar S)`` while the engines fire (``dynamics.forces.plume_factor``, the
  3-DoF model's shielding);
- each grid fin: a force ``C_F(Mach, delta) qbar S_fin (-cos alpha)`` along its plane's normal
  (the tangent at its azimuth) plus its axial drag ``-C_Af(Mach) qbar S_fin cos(alpha)``, both at
  its station and span radius, so their moments about the centre of mass follow from the
  geometry: equal deflections roll, opposite deflections of a facing pair pitch or yaw. The fins
  sit at the top of the stage, far from the plume: they are not shielded.

A drag-only body (``C_A = C_D cos(alpha)``, ``C_N = C_D sin(alpha)``) gives the 3-DoF drag
``-C_D qbar S u / |u|``; at alpha = pi exactly (the axis along the air-relative velocity) only
``C_A(Mach, pi) = -C_D(Mach)`` matters, and the force is the 3-DoF kernel's to round-off.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.dynamics.forces import plume_factor
from boostback.dynamics.sixdof_params import (
    P_DIAMETER,
    P_FIN_AREA,
    P_FIN_RADIUS,
    P_FIN_STATION,
    P_REF_AREA,
    P_REF_LENGTH,
    P_ROLL_DAMPING,
)
from boostback.jit import jit
from boostback.numerics import interp

__all__ = ["air_angles", "bilinear", "body_aero", "fin_aero"]


@jit(inline="always")
def _bracket(x, xs):
    """Segment index ``i`` and weight ``w`` of ``x`` in ascending ``xs``, clamped to the ends."""
    n = xs.shape[0]
    if n < 2 or x <= xs[0]:
        return 0, 0.0
    if x >= xs[n - 1]:  # the last value itself (with i + 1 clamped by the caller)
        return n - 1, 0.0
    if math.isnan(x):
        return 0, math.nan
    i = np.searchsorted(xs, x, side="right") - 1
    return i, (x - xs[i]) / (xs[i + 1] - xs[i])


@jit(inline="always")
def bilinear(x, y, xs, ys, table):
    """Bilinear interpolation in ``table[i, j]`` at ``(xs[i], ys[j])``, held at the edges.

    Parameters
    ----------
    x, y : float
        Where to interpolate.
    xs, ys : ndarray
        Ascending abscissae (at least one each).
    table : ndarray
        (len(xs), len(ys)) values.

    Returns
    -------
    float
        The interpolated value (NaN for a NaN ``x`` or ``y``).
    """
    i, wx = _bracket(x, xs)
    j, wy = _bracket(y, ys)
    i1 = min(i + 1, xs.shape[0] - 1)
    j1 = min(j + 1, ys.shape[0] - 1)
    lo = table[i, j] + wx * (table[i1, j] - table[i, j])
    hi = table[i, j1] + wx * (table[i1, j1] - table[i, j1])
    return lo + wy * (hi - lo)


@jit(inline="always")
def air_angles(u, rho, sound_mps):
    """Speed, total angle of attack, crossflow direction, Mach and ``qbar`` of body velocity ``u``.

    Parameters
    ----------
    u : tuple of float
        The vehicle's velocity relative to the air, body axes [m/s].
    rho, sound_mps : float
        Air density [kg/m^3] and speed of sound [m/s].

    Returns
    -------
    tuple
        ``(speed, alpha, (n_y, n_z), mach, qbar)``; alpha 0 and ``n = (0, 0)`` with no crossflow.
    """
    speed = math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2])
    cross = math.sqrt(u[1] * u[1] + u[2] * u[2])
    alpha = math.atan2(cross, u[0])
    ny, nz = 0.0, 0.0
    if cross > 0.0:
        ny, nz = u[1] / cross, u[2] / cross
    return speed, alpha, (ny, nz), speed / sound_mps, 0.5 * rho * speed * speed


@jit(inline="always")
def body_aero(u, w, rho, sound_mps, cg_m, thrust_n, par, tabs):
    """Aerodynamic force and moment of the body (grid fins apart), body axes.

    Parameters
    ----------
    u : tuple of float
        Velocity relative to the air, body axes [m/s].
    w : tuple of float
        Body rates [rad/s].
    rho, sound_mps : float
        Air density [kg/m^3] and speed of sound [m/s].
    cg_m : float
        Station of the centre of mass [m].
    thrust_n : float
        Total engine thrust [N] (for the plume's shielding; 0: engines off).
    par : ndarray
        The packed scalars (``sixdof_params.pack_scalars``).
    tabs : tuple of ndarray
        ``(mach, alpha, C_A, C_N, cp station, C_mq, plume C_T, plume factor)``.

    Returns
    -------
    tuple
        ``(force, moment, alpha, mach, qbar)``: force [N] and moment about the centre of mass
        [N m] as 3-tuples.
    """
    a_m, a_a, a_ca, a_cn, a_cp, a_mq, pl_ct, pl_f = tabs
    speed, alpha, n, mach, qbar = air_angles(u, rho, sound_mps)
    zero = (0.0, 0.0, 0.0)
    if not (speed > 0.0 and rho > 0.0 and a_m.shape[0] > 0):
        return zero, zero, alpha, mach, qbar
    area = par[P_REF_AREA]
    qs = qbar * area * plume_factor(thrust_n, qbar * area, pl_ct, pl_f)
    c_a = bilinear(mach, alpha, a_m, a_a, a_ca)
    c_n = bilinear(mach, alpha, a_m, a_a, a_cn)
    arm = bilinear(mach, alpha, a_m, a_a, a_cp) - cg_m
    fy, fz = -c_n * qs * n[0], -c_n * qs * n[1]
    length, diam = par[P_REF_LENGTH], par[P_DIAMETER]
    k_pitch = interp(mach, a_m, a_mq) * qs * length * length / (2.0 * speed)
    k_roll = par[P_ROLL_DAMPING] * qs * diam * diam / (2.0 * speed)
    moment = (k_roll * w[0], -arm * fz + k_pitch * w[1], arm * fy + k_pitch * w[2])
    return (-c_a * qs, fy, fz), moment, alpha, mach, qbar


@jit(inline="always")
def fin_aero(u, rho, sound_mps, cg_m, deflection, par, tabs):
    """Force and moment of the grid fins at their deflections, body axes.

    Parameters
    ----------
    u : tuple of float
        Velocity relative to the air, body axes [m/s].
    rho, sound_mps : float
        Air density [kg/m^3] and speed of sound [m/s].
    cg_m : float
        Station of the centre of mass [m].
    deflection : ndarray
        (f,) fin deflections [rad].
    par : ndarray
        The packed scalars.
    tabs : tuple of ndarray
        ``(azimuth (f,), mach (p,), deflection (d,), C_F (p, d), C_Af (p,))``.

    Returns
    -------
    tuple
        ``(force, moment)`` [N, N m] as 3-tuples.
    """
    f_az, f_m, f_d, f_cf, f_ca = tabs
    speed, _alpha, _n, mach, qbar = air_angles(u, rho, sound_mps)
    fx, fy, fz, mx, my, mz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    if not (speed > 0.0 and rho > 0.0 and f_m.shape[0] > 0):
        return (fx, fy, fz), (mx, my, mz)
    qs = qbar * par[P_FIN_AREA]
    cos_a = u[0] / speed
    axial = -interp(mach, f_m, f_ca) * qs * cos_a  # same for every fin
    arm = par[P_FIN_STATION] - cg_m
    radius = par[P_FIN_RADIUS]
    for i in range(f_az.shape[0]):
        c, s = math.cos(f_az[i]), math.sin(f_az[i])
        normal = -bilinear(mach, deflection[i], f_m, f_d, f_cf) * qs * cos_a
        px, py, pz = arm, radius * c, radius * s  # the fin's centre of pressure
        gx, gy, gz = axial, -normal * s, normal * c  # its force
        fx += gx
        fy += gy
        fz += gz
        mx += py * gz - pz * gy
        my += pz * gx - px * gz
        mz += px * gy - py * gx
    return (fx, fy, fz), (mx, my, mz)
