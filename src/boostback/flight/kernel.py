"""The equations of motion on the rotating Earth, in the Earth-fixed (ECEF) frame, written once.

State ``x = (x, y, z, vx, vy, vz, m)`` (layout in ``dynamics.state``): ECEF position (m),
velocity relative to the Earth (m/s) and mass (kg). Forces: gravity of the Earth model
(inverse-square, plus J2 for WGS-84), the centrifugal and Coriolis terms of the rotating frame,
thrust along a commanded unit vector with back-pressure-dependent magnitude, drag on the
air-relative velocity (the atmosphere turns with the Earth) from a Cd(Mach) table, shielded by
the retro-propulsion plume, and a grid-fin lateral force perpendicular to that velocity, bounded
by ``qbar * authority``. RK4 with the controls held over a step; event location by regula falsi
(Illinois) on the event's function, each trial a fresh RK4 step from the step's start.

The Earth model, the atmosphere and the body are turned into plain arrays once
(``flight_kernel``); a command becomes a 10-element array (``command_array``). ``advance`` is one
step with events, for the phases that keep their guidance in Python; ``flight.kernel_loops`` runs
whole loops (the impact prediction, the ascent) on top of it.

Array layouts (``mdl``, the model, is the tuple ``(wp, bp, aero, at)``):

- world ``wp``: ``[wgs84 (1) or sphere (0), a (or radius), b, e2, ep2, mu, omega, j2, use_atm]``;
- body ``bp``: ``[reference area, fin authority, k, C_T (k), plume factor (k)]`` with the
  retro-propulsion table (k = 0 without one); aero ``(2, n)``: Mach row, Cd row;
- atmosphere ``at`` ``(5, 8)``: USSA1976 layer bases, lapse rates, base temperatures and
  pressures, and exponents;
- command ``c``: ``[throttle (0 without engines), thrust_vac, exit_area, mass_flow, dir (3),
  fin (3)]``;
- reserve ``rp``: see ``flight.reserve.reserve_array``.

Compiled through ``boostback.jit``, whose cache follows every kernel source (nothing to delete
by hand after an edit); ``BOOSTBACK_JIT=0`` runs the same functions interpreted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.environment import atmosphere as atm
from boostback.environment.atmosphere import air_state as _atmosphere
from boostback.environment.earth import SphericalEarth, WGS84Earth
from boostback.flight.dynamics import Body, Command, State, World
from boostback.flight.reserve import reserve_kg
from boostback.jit import jit
from boostback.numerics import interp as _interp

__all__ = [
    "FlightKernel",
    "advance",
    "command_array",
    "flight_kernel",
    "hypot",
]

ALT, SPEED, MASS, RESERVE, UP_SPEED = 0, 1, 2, 3, 4  # kinds of event: height, speed, mass,
# reserve reached, and the radial (up) speed falling through a level (apogee at 0)
_DBL_MIN = 2.2250738585072014e-308


# --- CPython's math.hypot (3.11), so that positions convert to the same last bit -------------


@jit(inline="always")
def _split(x):
    t = x * 134217729.0  # Veltkamp: 2**27 + 1
    hi = t - (t - x)
    return hi, x - hi


@jit(inline="always")
def _sq(x):
    xh, xl = _split(x)
    p = xh * xh
    q = xh * xl + xl * xh
    z = p + q
    return z, p - z + q + xl * xl


@jit
def _norm2(ax, ay, mx):
    e = math.frexp(mx)[1]
    scale = math.ldexp(1.0, -e)
    csum, frac1, frac2 = 1.0, 0.0, 0.0
    for v in (ax * scale, ay * scale):
        ph, pl = _sq(v)
        s = csum + ph
        frac2 += (csum - s) + ph
        csum = s
        frac1 += pl
    h = math.sqrt(csum - 1.0 + (frac1 + frac2))
    ph, pl = _sq(h)
    ph, pl = -ph, -pl
    s = csum + ph
    frac2 += (csum - s) + ph
    csum = s
    frac1 += pl
    h += (csum - 1.0 + (frac1 + frac2)) / (2.0 * h)
    return h / scale


@jit
def hypot(x, y):
    """sqrt(x^2 + y^2) as CPython 3.11 computes it (scaled, compensated, corrected)."""
    ax, ay = abs(x), abs(y)
    mx = ax if ax > ay else ay
    if math.isinf(mx):
        return mx
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if mx == 0.0:
        return mx
    if math.frexp(mx)[1] < -1023:  # subnormal: made normal first
        return _DBL_MIN * _norm2(ax / _DBL_MIN, ay / _DBL_MIN, mx / _DBL_MIN)
    return _norm2(ax, ay, mx)


# --- the Earth, the air and the equations of motion -------------------------------------------


@jit
def _bowring(p, z, wp):
    """Geodetic latitude and height on WGS-84 from (p, z), as ``earth._bowring``."""
    a, b, e2, ep2 = wp[1], wp[2], wp[3], wp[4]
    beta = math.atan2(a * z, b * p)
    lat = beta
    sl = cl = 0.0
    for k in range(2):
        sb, cb = math.sin(beta), math.cos(beta)
        lat = math.atan2(z + ep2 * b * sb * sb * sb, p - e2 * a * cb * cb * cb)
        sl, cl = math.sin(lat), math.cos(lat)
        if k == 0:  # the reference's last update of beta is not used
            beta = math.atan2(b * sl, a * cl)
    return lat, p * cl + z * sl - a * math.sqrt(1.0 - e2 * sl * sl)


@jit
def height(px, py, pz, wp):
    """Height above the Earth model (``EarthModel.geodetic_xyz(...)[2]``)."""
    if wp[0] < 0.5:
        return hypot(hypot(px, py), pz) - wp[1]
    return _bowring(hypot(px, py), pz, wp)[1]


@jit
def geodetic(px, py, pz, wp):
    """Latitude, longitude and height (``EarthModel.geodetic_xyz``)."""
    p = hypot(px, py)
    if wp[0] < 0.5:
        return math.atan2(pz, p), math.atan2(py, px), hypot(p, pz) - wp[1]
    lat, h = _bowring(p, pz, wp)
    return lat, math.atan2(py, px), h


@jit
def _gravity(x, y, z, wp):
    r2 = x * x + y * y + z * z
    k = -wp[5] / (r2 * math.sqrt(r2))
    if wp[0] < 0.5:
        return k * x, k * y, k * z
    a = wp[1]
    q = 1.5 * wp[7] * a * a / r2
    s = 5.0 * z * z / r2
    kxy = k * (1.0 + q * (1.0 - s))
    return kxy * x, kxy * y, k * (1.0 + q * (3.0 - s)) * z


@jit
def air(h, wp, at):
    """Pressure, density and speed of sound at height ``h``."""
    return _atmosphere(h, wp[8] > 0.5, at[0], at[1], at[2], at[3], at[4])


@jit
def _cd(mach, aero):
    if aero.shape[1] == 0:
        return 0.0
    return _interp(mach, aero[0], aero[1])


@jit
def _derivatives(x, c, mdl, out):
    """Time derivative of the ECEF state ``x`` under command ``c``, into ``out``."""
    wp, bp, aero, at = mdl
    px, py, pz, vx, vy, vz, m = x[0], x[1], x[2], x[3], x[4], x[5], x[6]
    h = height(px, py, pz, wp)
    p_pa, rho, a = air(h, wp, at)
    ax, ay, az = _gravity(px, py, pz, wp)
    w = wp[6]
    ax += w * w * px + 2.0 * w * vy
    ay += w * w * py - 2.0 * w * vx
    mdot = 0.0
    throttle = c[0]
    thrust = 0.0
    if throttle > 0.0:
        thrust = throttle * c[1] - c[2] * p_pa
        if 0.0 > thrust:
            thrust = 0.0
        f = thrust / m
        ax += f * c[4]
        ay += f * c[5]
        az += f * c[6]
        mdot = -throttle * c[3]
    if rho > 0.0:
        speed = math.sqrt(vx * vx + vy * vy + vz * vz)
        if speed > 0.0:
            q = 0.5 * rho * speed * speed
            k = -q * _cd(speed / a, aero) * bp[0] / (m * speed)
            n_pl = int(bp[2])
            if thrust > 0.0 and n_pl > 0:
                # q underflows to zero at vanishing speed: the table's last factor, as the
                # reference's plume_at gives
                if q > 0.0:
                    k *= _interp(
                        thrust / (q * bp[0]), bp[3 : 3 + n_pl], bp[3 + n_pl : 3 + 2 * n_pl]
                    )
                else:
                    k *= bp[2 + 2 * n_pl]
            ax += k * vx
            ay += k * vy
            az += k * vz
            fx, fy, fz = c[7], c[8], c[9]
            if bp[1] > 0.0 and (fx != 0.0 or fy != 0.0 or fz != 0.0):
                along = (fx * vx + fy * vy + fz * vz) / (speed * speed)
                g = q * bp[1] / m
                ax += g * (fx - along * vx)
                ay += g * (fy - along * vy)
                az += g * (fz - along * vz)
    out[0], out[1], out[2] = vx, vy, vz
    out[3], out[4], out[5] = ax, ay, az
    out[6] = mdot


@jit
def rk4(x, dt, c, mdl, work, out):
    """One classical Runge-Kutta step into ``out``; ``work`` is a (5, 7) scratch array."""
    k1, k2, k3, k4, xt = work[0], work[1], work[2], work[3], work[4]
    h2 = 0.5 * dt
    _derivatives(x, c, mdl, k1)
    for i in range(7):
        xt[i] = x[i] + h2 * k1[i]
    _derivatives(xt, c, mdl, k2)
    for i in range(7):
        xt[i] = x[i] + h2 * k2[i]
    _derivatives(xt, c, mdl, k3)
    for i in range(7):
        xt[i] = x[i] + dt * k3[i]
    _derivatives(xt, c, mdl, k4)
    s = dt / 6.0
    for i in range(7):
        out[i] = x[i] + s * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


@jit
def _rk4_new(x, dt, c, wp, bp, aero, at):
    out = np.empty(7)
    rk4(x, dt, c, (wp, bp, aero, at), np.empty((5, 7)), out)
    return out


@jit
def _derivatives_new(x, c, wp, bp, aero, at):
    out = np.empty(7)
    _derivatives(x, c, (wp, bp, aero, at), out)
    return out


# --- event location (as flight.integrate.step and numerics.illinois) --------------------------


@jit
def event(kind, level, x, wp, rp):
    """Value of an event function at ``x`` (positive before the event); ``flight.integrate``'s
    ``altitude_event``, the speed and ``mass_event`` of the entry burn, and the ascent's MECO."""
    if kind == ALT:
        return height(x[0], x[1], x[2], wp) - level
    if kind == SPEED:
        return math.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5]) - level
    if kind == MASS:
        return x[6] - level
    if kind == UP_SPEED:
        r = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
        return (x[0] * x[3] + x[1] * x[4] + x[2] * x[5]) / r - level
    return (x[6] - level) - reserve_kg(x, rp, height(x[0], x[1], x[2], wp))


@jit
def _refine(kind, level, x, dt, g0, g1, c, mdl, rp, work, xh):
    """The end of the step from ``x`` on which the event falls: regula falsi (Illinois) on the
    event function, then a nudge just across so the event is seen as reached."""
    wp = mdl[0]
    a, b, fa, fb = 0.0, dt, g0, g1
    h = b
    fx = g1
    side = 0
    for _ in range(50):
        h = a + (b - a) * fa / (fa - fb) if fa != fb else 0.5 * (a + b)
        rk4(x, h, c, mdl, work, xh)
        fx = event(kind, level, xh, wp, rp)
        if abs(fx) < 1e-9 or abs(b - a) < 1e-10:
            break
        if fx > 0:
            a, fa = h, fx
            if side == 1:
                fb *= 0.5
            side = 1
        else:
            b, fb = h, fx
            if side == -1:
                fa *= 0.5
            side = -1
    hi = b
    nudge = 1e-9 * max(dt, 1.0)
    while fx > 0.0 and h < hi:  # step just across, so the event is seen as reached
        v = h + nudge
        h = hi if hi < v else v
        rk4(x, h, c, mdl, work, xh)
        fx = event(kind, level, xh, wp, rp)
        nudge *= 4.0
    return h


@jit
def step(x, dt, c, mdl, rp, kinds, levels, g0s, n, work, x1, xe, out):
    """Advance ``x`` by at most ``dt`` into ``out`` (``integrate.step``), given the events'
    values ``g0s`` at ``x``. Returns the step's length, the event's index (-1: none) and the
    height at the end when no event cut the step short and one was a height (else NaN)."""
    wp = mdl[0]
    rk4(x, dt, c, mdl, work, x1)
    h1 = math.nan
    best, best_h = -1, dt
    for j in range(n):
        g0 = g0s[j]
        if g0 <= 0.0:
            continue
        if kinds[j] == ALT:
            if math.isnan(h1):
                h1 = height(x1[0], x1[1], x1[2], wp)
            g1 = h1 - levels[j]
        else:
            g1 = event(kinds[j], levels[j], x1, wp, rp)
        if g1 > 0.0:
            continue
        h = _refine(kinds[j], levels[j], x, dt, g0, g1, c, mdl, rp, work, xe)
        if best < 0 or h < best_h:
            best, best_h = j, h
            out[:] = xe
    if best < 0:
        out[:] = x1
        return best_h, best, h1
    return best_h, best, math.nan


@jit
def advance(x, dt, c, mdl, rp, kinds, levels):
    """One step of at most ``dt`` from ``x`` to the earliest of the events ``(kinds, levels)``.
    Returns the new state, the step's length and the event's index (-1: none)."""
    n = kinds.shape[0]
    g0s = np.empty(n)
    for j in range(n):
        g0s[j] = event(kinds[j], levels[j], x, mdl[0], rp)
    work = np.empty((5, 7))
    x1, xe, out = np.empty(7), np.empty(7), np.empty(7)
    h, best, _h1 = step(x, dt, c, mdl, rp, kinds, levels, g0s, n, work, x1, xe, out)
    return out, h, best


# --- the Python side ---------------------------------------------------------------------------

ATM = np.ascontiguousarray(
    np.stack(
        (atm._H_BASE_ARR, atm._LAPSE_ARR, atm._T_BASE_ARR, atm._P_BASE_ARR, atm._EXPO_ARR)
    ).astype(np.float64)
)


def command_array(cmd: Command) -> np.ndarray:
    """A command as the compiled kernel takes it."""
    p = cmd.prop
    d, f = cmd.dir_ecef, cmd.fin_ecef
    if p is None:
        return np.array([0.0, 0.0, 0.0, 0.0, d[0], d[1], d[2], f[0], f[1], f[2]])
    return np.array(
        [cmd.throttle, p.thrust_vac_n, p.exit_area_m2, p.mass_flow_kgps, *d, *f],
        dtype=np.float64,
    )


def derivatives(x: State, cmd: Command, body: Body, world: World) -> State:
    """Time derivative of the ECEF state ``x`` under ``cmd`` (the compiled ``_derivatives``)."""
    return flight_kernel(body, world).derivatives(x, command_array(cmd))


def rk4_step(x: State, dt: float, cmd: Command, body: Body, world: World) -> State:
    """One RK4 step of ``dt`` under ``cmd`` (the compiled ``rk4``)."""
    return flight_kernel(body, world).rk4(x, dt, command_array(cmd))


@dataclass(frozen=True, eq=False)
class FlightKernel:
    """One body in one world, as arrays for the compiled kernel."""

    wp: np.ndarray
    bp: np.ndarray
    aero: np.ndarray

    def rk4(self, x: State, dt: float, c: np.ndarray) -> State:
        """One RK4 step under command array ``c`` (see ``command_array``)."""
        out = _rk4_new(np.array(x, dtype=np.float64), dt, c, self.wp, self.bp, self.aero, ATM)
        return tuple(out.tolist())  # type: ignore[return-value]

    def derivatives(self, x: State, c: np.ndarray) -> State:
        out = _derivatives_new(np.array(x, dtype=np.float64), c, self.wp, self.bp, self.aero, ATM)
        return tuple(out.tolist())  # type: ignore[return-value]

    @property
    def model(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(wp, bp, aero, at)``: what the compiled loops take."""
        return (self.wp, self.bp, self.aero, ATM)


def _world_array(world: World) -> np.ndarray | None:
    earth, air = world.earth, world.atmosphere
    if type(air) is atm.USSA1976:
        use_atm = 1.0
    elif type(air) is atm.Vacuum:
        use_atm = 0.0
    else:
        return None
    if type(earth) is WGS84Earth:
        shape = (1.0, earth.a_m, earth.b_m, earth.e2, earth.ep2)
        j2 = earth.j2
    elif type(earth) is SphericalEarth:
        shape, j2 = (0.0, earth.radius_m, 0.0, 0.0, 0.0), 0.0
    else:
        return None
    return np.array([*shape, earth.mu_m3ps2, earth.omega_radps, j2, use_atm], dtype=np.float64)


_KERNELS: dict[tuple[int, int], tuple[Body, World, FlightKernel]] = {}


def flight_kernel(body: Body, world: World) -> FlightKernel:
    """The kernel's arrays for this body and world (cached per pair of objects).

    Raises
    ------
    TypeError
        For an Earth or atmosphere model the kernel does not know (the built-in ones: WGS-84 or
        a sphere; USSA 1976 or vacuum).
    """
    key = (id(body), id(world))
    hit = _KERNELS.get(key)
    if hit is not None and hit[0] is body and hit[1] is world:
        return hit[2]
    wp = _world_array(world)
    if wp is None:
        raise TypeError(
            f"no flight kernel for {type(world.earth).__name__} with "
            f"{type(world.atmosphere).__name__}: use WGS84Earth or SphericalEarth with USSA1976 "
            "or Vacuum"
        )
    aero = body.aero
    kernel = FlightKernel(
        wp=wp,
        bp=np.array(
            [
                aero.reference_area_m2,
                body.fin_authority_m2,
                len(aero.plume_ct),
                *aero.plume_ct,
                *aero.plume_factor,
            ],
            dtype=np.float64,
        ),
        aero=np.array([aero.mach, aero.cd], dtype=np.float64).reshape(2, len(aero.mach)),
    )
    if len(_KERNELS) > 256:
        _KERNELS.clear()
    _KERNELS[key] = (body, world, kernel)  # holding them keeps their ids from being reused
    return kernel
