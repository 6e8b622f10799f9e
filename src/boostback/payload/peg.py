"""Powered explicit guidance (PEG) for the upper stage, and its burn and coast, compiled.

The law is the linear-tangent-family "powered explicit guidance" of the Apollo and Space Shuttle
ascent programmes in its 2-D form (Jaggers, "An Explicit Solution to the Exoatmospheric Powered
Flight Guidance and Trajectory Optimization Problem for Rocket Propelled Vehicles", AIAA
77-1051, 1977; McHenry et al., "Space Shuttle Ascent Guidance, Navigation, and Control",
J. Astronaut. Sci. 27(1), 1979; the same equations as written out for the 2-D case by Teren,
"Explicit guidance equations for multistage boost trajectories", NASA TN D-3189, 1966):

- the radial component of the thrust direction is linear in time plus the term that cancels
  gravity less centrifugal acceleration, ``f_r = A + B t + (mu/r^2 - v_t^2/r) / a``, so that
  ``r'' = a(t) (A + B t)`` with ``a = F / (m0 - mdot t)``;
- ``A`` and ``B`` make the radius and radial speed reach their targets at the cut-off time ``T``
  (two linear equations in the thrust integrals ``b0, b1, c0, c1`` of the rocket equation);
- ``T`` is updated from the angular momentum still to gain (the "velocity to be gained" of the
  tangential channel) over the thrust's along-track share as the law flies it (integrated, not
  expanded in small angles), and the three are iterated to a fixed point every major cycle;
- out of plane the same linear law steers the position and velocity normal to the target plane
  to zero at ``T`` (``f_h = A_h + B_h t``); the tangential component is what is left of the unit
  vector.

Close to cut-off ``A``, ``B`` and ``T`` are frozen (``t_freeze``) and the engine is cut when the
orbital energy reaches the target's, interpolated inside the last step.

Everything is in the inertial frame (ECI of ``environment.frames``). Gravity is the Earth
kernel's inverse-square plus J2 (``environment.earth_kernels.gravity``: J2 is symmetric about the
z axis that ECI and ECEF share, so the Earth-fixed formula holds in ECI); the guidance predicts
with inverse-square gravity and the closed loop absorbs the rest. No drag: the upper stage
lights above ~60 km. Kernels take arrays and floats only (``boostback.jit``).
"""

from __future__ import annotations

import math

import numpy as np

from boostback.environment import earth_kernels as ek
from boostback.jit import jit

__all__ = [
    "C_A",
    "C_AH",
    "C_B",
    "C_BH",
    "C_T0",
    "E_FAIRING_ALT",
    "E_FAIRING_KG",
    "E_MDOT",
    "E_M_EMPTY",
    "E_THRUST",
    "G_CYCLE",
    "G_DT",
    "G_FREEZE",
    "G_MAX_S",
    "G_T_GUESS",
    "T_ENERGY",
    "T_NX",
    "T_R",
    "T_SIZE",
    "T_VEL_ONLY",
    "T_VR",
    "T_VT",
    "argument_of_latitude",
    "burn",
    "coast_for",
    "coast_to_latitude_argument",
    "peg_solve",
    "steering",
]

# engine array: thrust [N], mass flow [kg/s], empty mass (dry + payload) [kg], fairing [kg],
# fairing jettison altitude over the reference radius [m], reference radius [m]
E_THRUST, E_MDOT, E_M_EMPTY, E_FAIRING_KG, E_FAIRING_ALT, E_REF_R = 0, 1, 2, 3, 4, 5
# target array: radius, radial speed, tangential speed, plane normal (3), orbital energy, mu,
# and 1 for a velocity-only burn (radius left free: short burns at an apsis) else 0
T_R, T_VR, T_VT, T_NX, T_ENERGY, T_MU, T_VEL_ONLY = 0, 1, 2, 3, 6, 7, 8
T_SIZE = 9
# guidance settings: step, major cycle, freeze time, longest burn, first guess of T
G_DT, G_CYCLE, G_FREEZE, G_MAX_S, G_T_GUESS = 0, 1, 2, 3, 4
# steering coefficients: A, B, cycle start time, A_h, B_h
C_A, C_B, C_T0, C_AH, C_BH = 0, 1, 2, 3, 4

STATUS_CUTOFF, STATUS_FLOOR, STATUS_TIMEOUT = 0, 1, 2


@jit
def _frame(x, tgt):
    """Radius, radial unit, downrange unit (normal x radial, in plane) and the plane normal."""
    r = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
    ur = x[0:3] / r
    n = tgt[T_NX : T_NX + 3]
    ut = np.cross(n, ur)
    ut = ut / math.sqrt(ut[0] * ut[0] + ut[1] * ut[1] + ut[2] * ut[2])
    un = np.cross(ur, ut)
    return r, ur, ut, un


@jit
def steering(x, t, eng, tgt, coeff):
    """Unit thrust direction (ECI) of the law with coefficients ``coeff`` at time ``t``."""
    r, ur, ut, un = _frame(x, tgt)
    v = x[3:6]
    vt = v[0] * ut[0] + v[1] * ut[1] + v[2] * ut[2]
    accel = eng[E_THRUST] / x[6]
    dt = t - coeff[C_T0]
    fr = coeff[C_A] + coeff[C_B] * dt + (tgt[T_MU] / (r * r) - vt * vt / r) / accel
    fh = coeff[C_AH] + coeff[C_BH] * dt
    s = fr * fr + fh * fh
    if s > 0.98:  # keep some thrust along track; the law's components scaled down together
        k = math.sqrt(0.98 / s)
        fr, fh = fr * k, fh * k
        s = 0.98
    ft = math.sqrt(1.0 - s)
    return fr * ur + fh * un + ft * ut


@jit
def _thrust_integrals(ve, tau, big_t):
    b0 = -ve * math.log(1.0 - big_t / tau)
    b1 = b0 * tau - ve * big_t
    c0 = b0 * big_t - b1
    c1 = c0 * tau - 0.5 * ve * big_t * big_t
    return b0, b1, c0, c1


@jit
def _mean_along_track(a_c, b_c, a_h, b_h, g0, g_t, accel, tau, big_t):
    """The along-track share of the thrust over ``0..T``, weighted by the thrust acceleration:
    ``int a(s) f_t(s) ds / int a(s) ds`` with ``f_t = sqrt(1 - f_r^2 - f_h^2)`` and the
    components as ``steering`` flies them (radial law with the gravity-less-centrifugal term
    taken linear in time between now and cut-off; the same 0.98 cap). Simpson, 16 intervals."""
    n = 16
    h = big_t / n
    num, den = 0.0, 0.0
    for k in range(n + 1):
        s = k * h
        w = 1.0 if (k == 0 or k == n) else (4.0 if k % 2 == 1 else 2.0)
        grow = 1.0 / (1.0 - s / tau)  # a(s) / a(0)
        g_s = g0 + (g_t - g0) * s / big_t
        fr = a_c + b_c * s + g_s / (accel * grow)
        fh = a_h + b_h * s
        q = min(fr * fr + fh * fh, 0.98)
        num += w * grow * math.sqrt(1.0 - q)
        den += w * grow
    return num / den


@jit
def peg_solve(x, t, eng, tgt, t_guess, n_iter, coeff):
    """One major cycle: iterate ``A, B`` and the time to go ``T`` from ``t_guess``; fills
    ``coeff`` and returns ``T`` (s).

    ``T`` is the burn that gains the angular momentum still missing, ``dh``, with the thrust's
    along-track share as the law with the current ``A, B`` (and ``A_h, B_h``) flies it:
    ``dv = dh / (r_mean <f_t>)`` by the rocket equation. The share is integrated, not expanded
    in small angles: a long burn from a slow, low cut-off of the booster (a light payload
    climbing straight to 600 km) starts with the radial command near or above one, where
    ``f_t ~ 1 - f_r^2/2`` turns negative and the iteration shortened ``T`` without bound."""
    r, ur, ut, _un = _frame(x, tgt)
    v = x[3:6]
    vr = v[0] * ur[0] + v[1] * ur[1] + v[2] * ur[2]
    vt = v[0] * ut[0] + v[1] * ut[1] + v[2] * ut[2]
    n = tgt[T_NX : T_NX + 3]
    y = x[0] * n[0] + x[1] * n[1] + x[2] * n[2]
    yd = v[0] * n[0] + v[1] * n[1] + v[2] * n[2]
    mu = tgt[T_MU]
    accel = eng[E_THRUST] / x[6]
    ve = eng[E_THRUST] / eng[E_MDOT]
    tau = ve / accel
    r_t, vr_t, vt_t = tgt[T_R], tgt[T_VR], tgt[T_VT]
    g0 = mu / (r * r) - vt * vt / r
    g_t = mu / (r_t * r_t) - vt_t * vt_t / r_t
    dh = r_t * vt_t - r * vt
    vel_only = tgt[T_VEL_ONLY] > 0.5
    big_t = min(max(t_guess, 1.0), 0.995 * tau)
    a_c, b_c, a_h, b_h = 0.0, 0.0, 0.0, 0.0
    for _ in range(n_iter):
        b0, b1, c0, c1 = _thrust_integrals(ve, tau, big_t)
        det = b0 * c1 - b1 * c0
        rhs1, rhs2 = vr_t - vr, r_t - r - vr * big_t
        a_c = (c1 * rhs1 - b1 * rhs2) / det
        b_c = (b0 * rhs2 - c0 * rhs1) / det
        a_h = (c1 * (-yd) - b1 * (-y - yd * big_t)) / det
        b_h = (b0 * (-y - yd * big_t) - c0 * (-yd)) / det
        if vel_only:  # the law that will be flown, not the radius-targeting one
            a_c, b_c, a_h, b_h = (vr_t - vr) / b0, 0.0, -yd / b0, 0.0
        share = _mean_along_track(a_c, b_c, a_h, b_h, g0, g_t, accel, tau, big_t)
        dv = dh / (0.5 * (r + r_t) * share)
        new_t = tau * (1.0 - math.exp(-max(dv, 0.0) / ve))
        new_t = min(max(new_t, 0.05), 0.995 * tau)
        done = abs(new_t - big_t) < 1e-3
        big_t = new_t
        if done:
            break
    b0, b1, c0, c1 = _thrust_integrals(ve, tau, big_t)
    det = b0 * c1 - b1 * c0
    coeff[C_A], coeff[C_B], coeff[C_T0] = a_c, b_c, t
    coeff[C_AH] = (c1 * (-yd) - b1 * (-y - yd * big_t)) / det
    coeff[C_BH] = (b0 * (-y - yd * big_t) - c0 * (-yd)) / det
    if vel_only:  # radius and plane offset free: constant A on the speeds alone
        coeff[C_A], coeff[C_B] = (vr_t - vr) / b0, 0.0
        coeff[C_AH], coeff[C_BH] = -yd / b0, 0.0
    return big_t


@jit
def _deriv(x, t, eng, tgt, coeff, wp, lit, out):
    gx, gy, gz = ek.gravity(x[0], x[1], x[2], wp)
    out[0], out[1], out[2] = x[3], x[4], x[5]
    out[3], out[4], out[5] = gx, gy, gz
    out[6] = 0.0
    if lit:
        d = steering(x, t, eng, tgt, coeff)
        a = eng[E_THRUST] / x[6]
        out[3] += a * d[0]
        out[4] += a * d[1]
        out[5] += a * d[2]
        out[6] = -eng[E_MDOT]


@jit
def _rk4(x, t, h, eng, tgt, coeff, wp, lit):
    k1, k2, k3, k4 = np.empty(7), np.empty(7), np.empty(7), np.empty(7)
    _deriv(x, t, eng, tgt, coeff, wp, lit, k1)
    _deriv(x + 0.5 * h * k1, t + 0.5 * h, eng, tgt, coeff, wp, lit, k2)
    _deriv(x + 0.5 * h * k2, t + 0.5 * h, eng, tgt, coeff, wp, lit, k3)
    _deriv(x + h * k3, t + h, eng, tgt, coeff, wp, lit, k4)
    return x + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@jit
def _energy(x, mu):
    r = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
    return 0.5 * (x[3] * x[3] + x[4] * x[4] + x[5] * x[5]) - mu / r


@jit
def _last_step(x, t, h, eng, tgt, coeff, wp):
    """The step that ends exactly on the target energy (secant on the step length)."""
    e0 = _energy(x, tgt[T_MU]) - tgt[T_ENERGY]
    lo, hi, e_hi = 0.0, h, _energy(_rk4(x, t, h, eng, tgt, coeff, wp, True), tgt[T_MU])
    e_hi -= tgt[T_ENERGY]
    e_lo = e0
    s = h
    for _ in range(30):
        s = lo - e_lo * (hi - lo) / (e_hi - e_lo) if e_hi != e_lo else 0.5 * (lo + hi)
        e_s = _energy(_rk4(x, t, s, eng, tgt, coeff, wp, True), tgt[T_MU]) - tgt[T_ENERGY]
        if abs(e_s) < 1e-9 * abs(tgt[T_ENERGY]):
            break
        if e_s < 0.0:
            lo, e_lo = s, e_s
        else:
            hi, e_hi = s, e_s
    return _rk4(x, t, s, eng, tgt, coeff, wp, True), s


@jit
def burn(x0, t0, eng, tgt, par, wp, rec):
    """Fly one guided burn from ``x0`` (ECI ``[r, v, m]``) at ``t0`` to the target's energy.

    Parameters
    ----------
    x0 : ndarray, shape (7,)
        Inertial state at ignition (position m, velocity m/s, mass kg, fairing included while
        ``eng[E_FAIRING_KG] > 0``).
    t0 : float
        Time of ignition [s] (any epoch: the law uses differences).
    eng, tgt, par : ndarray
        Engine, target and guidance settings (the module's ``E_*``, ``T_*``, ``G_*`` indices).
    wp : ndarray
        The Earth's kernel parameters (``EarthModel.kernel_params``).
    rec : ndarray, shape (n, 8)
        Receives ``[t, r, v, m]`` after every step (at most ``n`` rows).

    Returns
    -------
    tuple
        ``(state at cut-off (7,), time of cut-off, status, rows recorded, fairing dropped at
        (nan if not), last time to go)``; status 0 cut-off on energy, 1 the mass fell below
        half the empty mass (far short of propellant), 2 longest burn reached.
    """
    x = x0.copy()
    t = t0
    coeff = np.zeros(5)
    big_t = peg_solve(x, t, eng, tgt, par[G_T_GUESS], 60, coeff)
    t_cycle, frozen, n, status = t, False, 0, STATUS_TIMEOUT
    if big_t < par[G_FREEZE]:
        # A burn shorter than the freeze (a small apogee trim): A and B would grow as 1/T and
        # 1/T^2 and point the thrust off track. Fly it velocity-only (the radial and normal
        # speeds to their targets over T, the radius left free) until the energy is reached.
        short = tgt.copy()
        short[T_VEL_ONLY] = 1.0
        big_t = peg_solve(x, t, eng, short, big_t, 60, coeff)
        frozen = True
    t_fairing = math.nan
    fairing = eng[E_FAIRING_KG]
    mu, ref_r = tgt[T_MU], eng[E_REF_R]
    while t - t0 < par[G_MAX_S]:
        if not frozen and t - t_cycle >= par[G_CYCLE] - 1e-9:
            big_t = peg_solve(x, t, eng, tgt, big_t - (t - t_cycle), 8, coeff)
            t_cycle = t
            frozen = big_t < par[G_FREEZE]
        x_new = _rk4(x, t, par[G_DT], eng, tgt, coeff, wp, True)
        if _energy(x_new, mu) >= tgt[T_ENERGY]:
            x, h = _last_step(x, t, par[G_DT], eng, tgt, coeff, wp)
            t += h
            status = STATUS_CUTOFF
        else:
            x, t = x_new, t + par[G_DT]
        if (
            fairing > 0.0
            and math.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2) - ref_r > eng[E_FAIRING_ALT]
        ):
            x[6] -= fairing
            fairing, t_fairing = 0.0, t
        if n < rec.shape[0]:
            rec[n, 0] = t
            rec[n, 1:8] = x
            n += 1
        if status == STATUS_CUTOFF:
            break
        if x[6] < 0.5 * eng[E_M_EMPTY]:
            status = STATUS_FLOOR
            break
    return x, t, status, n, t_fairing, big_t


@jit
def argument_of_latitude(x, node, n):
    """Angle [rad, 0..2 pi) from the ascending-node unit vector ``node`` to the position, about
    the orbit normal ``n``."""
    r = x[0:3]
    c = r[0] * node[0] + r[1] * node[1] + r[2] * node[2]
    w = np.cross(n, node)
    s = r[0] * w[0] + r[1] * w[1] + r[2] * w[2]
    return math.atan2(s, c) % (2.0 * math.pi)


@jit
def coast_to_latitude_argument(x0, t0, u_target, node, n, wp, dt, max_s):
    """Coast (gravity only) until the argument of latitude reaches ``u_target``.

    Returns the state and time there (bisection inside the last step) and the coast's length.
    """
    eng = np.zeros(6)
    tgt = np.zeros(T_SIZE)
    coeff = np.zeros(5)
    x, t = x0.copy(), t0
    two_pi = 2.0 * math.pi
    left = (u_target - argument_of_latitude(x, node, n)) % two_pi
    while t - t0 < max_s:
        x_new = _rk4(x, t, dt, eng, tgt, coeff, wp, False)
        left_new = (u_target - argument_of_latitude(x_new, node, n)) % two_pi
        if left_new > left + math.pi:  # passed the target angle during this step
            lo, hi = 0.0, dt
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                xm = _rk4(x, t, mid, eng, tgt, coeff, wp, False)
                lm = (u_target - argument_of_latitude(xm, node, n)) % two_pi
                if lm > left + math.pi or lm < 1e-12:
                    hi = mid
                else:
                    lo = mid
            return _rk4(x, t, hi, eng, tgt, coeff, wp, False), t + hi, t + hi - t0
        x, t, left = x_new, t + dt, left_new
    return x, t, t - t0


@jit
def coast_for(x0, t0, duration_s, wp, dt):
    """Coast (gravity only) for ``duration_s``; returns the state at its end."""
    eng = np.zeros(6)
    tgt = np.zeros(T_SIZE)
    coeff = np.zeros(5)
    x, t = x0.copy(), t0
    steps = int(duration_s / dt) + 1
    h = duration_s / steps
    for _ in range(steps):
        x = _rk4(x, t, h, eng, tgt, coeff, wp, False)
        t += h
    return x
