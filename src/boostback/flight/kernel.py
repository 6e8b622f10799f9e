"""The rotating-Earth kernel compiled with numba: the same equations as ``flight.dynamics``.

``flight.dynamics`` (derivatives and RK4 step) and ``flight.predict`` (the impact prediction) stay
the readable reference; this module is their compiled twin, written operation for operation in
the same order so that it agrees with them to round-off (tests hold the two together; with the
libm of the build machine they agree to the last bit). The Earth model, the atmosphere and the
body are turned into plain arrays once (``flight_kernel``); a command becomes a 10-element array.

Two entry points: ``FlightKernel.rk4`` (one step, for the flight's own phases, which keep their
guidance and events in Python) and ``FlightKernel.predict`` (a whole impact prediction, coast,
entry burn and fall with its event location, in one compiled call).

Array layouts:

- world ``wp``: ``[wgs84 (1) or sphere (0), a (or radius), b, e2, ep2, mu, omega, j2, use_atm]``;
- body ``bp``: ``[reference area, fin authority]``; aero ``(2, n)``: Mach row, Cd row;
- atmosphere ``(5, 8)``: USSA1976 layer bases, lapse rates, base temperatures and pressures, and
  exponents;
- command ``c``: ``[throttle (0 without engines), thrust_vac, exit_area, mass_flow, dir (3),
  fin (3)]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numba as nb
import numpy as np

from boostback.dynamics.fast import _atmosphere, _interp
from boostback.dynamics.point_mass import PropulsionParams
from boostback.environment import atmosphere as atm
from boostback.environment.earth import SphericalEarth, WGS84Earth
from boostback.flight.dynamics import Body, Command, State, World

__all__ = ["FlightKernel", "command_array", "flight_kernel", "hypot", "reference_only"]

SUTTON_GRAVES_K = 1.7415e-4  # kg^0.5 / m, Earth air (Sutton & Graves 1971)

_ALT, _SPEED, _MASS = 0, 1, 2  # kinds of prediction event
_DBL_MIN = 2.2250738585072014e-308


# --- CPython's math.hypot (3.11), so that positions convert to the same last bit -------------


@nb.njit(cache=True, inline="always")
def _split(x):
    t = x * 134217729.0  # Veltkamp: 2**27 + 1
    hi = t - (t - x)
    return hi, x - hi


@nb.njit(cache=True, inline="always")
def _sq(x):
    xh, xl = _split(x)
    p = xh * xh
    q = xh * xl + xl * xh
    z = p + q
    return z, p - z + q + xl * xl


@nb.njit(cache=True)
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


@nb.njit(cache=True)
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


@nb.njit(cache=True)
def _height(px, py, pz, wp):
    """Height above the Earth model (Bowring's two iterations on WGS-84, as ``earth._bowring``)."""
    if wp[0] < 0.5:
        return hypot(hypot(px, py), pz) - wp[1]
    a, b, e2, ep2 = wp[1], wp[2], wp[3], wp[4]
    p, z = hypot(px, py), pz
    beta = math.atan2(a * z, b * p)
    sl = cl = 0.0
    for k in range(2):
        sb, cb = math.sin(beta), math.cos(beta)
        lat = math.atan2(z + ep2 * b * sb * sb * sb, p - e2 * a * cb * cb * cb)
        sl, cl = math.sin(lat), math.cos(lat)
        if k == 0:  # the reference's last update of beta is not used
            beta = math.atan2(b * sl, a * cl)
    return p * cl + z * sl - a * math.sqrt(1.0 - e2 * sl * sl)


@nb.njit(cache=True)
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


@nb.njit(cache=True)
def _air(h, wp, at):
    """Pressure, density and speed of sound at height ``h``."""
    return _atmosphere(h, wp[8] > 0.5, at[0], at[1], at[2], at[3], at[4])


@nb.njit(cache=True)
def _cd(mach, aero):
    if aero.shape[1] == 0:
        return 0.0
    return _interp(mach, aero[0], aero[1])


@nb.njit(cache=True)
def _derivatives(x, c, wp, bp, aero, at, out):
    """``flight.dynamics.derivatives`` into ``out``."""
    px, py, pz, vx, vy, vz, m = x[0], x[1], x[2], x[3], x[4], x[5], x[6]
    h = _height(px, py, pz, wp)
    p_pa, rho, a = _air(h, wp, at)
    ax, ay, az = _gravity(px, py, pz, wp)
    w = wp[6]
    ax += w * w * px + 2.0 * w * vy
    ay += w * w * py - 2.0 * w * vx
    mdot = 0.0
    throttle = c[0]
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


@nb.njit(cache=True)
def _rk4(x, dt, c, wp, bp, aero, at, work, out):
    """``flight.dynamics.rk4_step`` into ``out``; ``work`` is a (5, 7) scratch array."""
    k1, k2, k3, k4, xt = work[0], work[1], work[2], work[3], work[4]
    h2 = 0.5 * dt
    _derivatives(x, c, wp, bp, aero, at, k1)
    for i in range(7):
        xt[i] = x[i] + h2 * k1[i]
    _derivatives(xt, c, wp, bp, aero, at, k2)
    for i in range(7):
        xt[i] = x[i] + h2 * k2[i]
    _derivatives(xt, c, wp, bp, aero, at, k3)
    for i in range(7):
        xt[i] = x[i] + dt * k3[i]
    _derivatives(xt, c, wp, bp, aero, at, k4)
    s = dt / 6.0
    for i in range(7):
        out[i] = x[i] + s * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


@nb.njit(cache=True)
def _rk4_new(x, dt, c, wp, bp, aero, at):
    out = np.empty(7)
    _rk4(x, dt, c, wp, bp, aero, at, np.empty((5, 7)), out)
    return out


@nb.njit(cache=True)
def _derivatives_new(x, c, wp, bp, aero, at):
    out = np.empty(7)
    _derivatives(x, c, wp, bp, aero, at, out)
    return out


# --- event location (as flight.integrate.step and numerics.illinois) --------------------------


@nb.njit(cache=True)
def _event(kind, level, x, wp):
    if kind == _ALT:
        return _height(x[0], x[1], x[2], wp) - level
    if kind == _SPEED:
        return math.sqrt(x[3] ** 2 + x[4] ** 2 + x[5] ** 2) - level
    return x[6] - level


@nb.njit(cache=True)
def _refine(kind, level, x, dt, g0, g1, c, wp, bp, aero, at, work, xh):
    """The end of the step from ``x`` on which the event falls (``integrate._refine``)."""
    a, b, fa, fb = 0.0, dt, g0, g1
    h = b
    fx = g1
    side = 0
    for _ in range(50):
        h = a + (b - a) * fa / (fa - fb) if fa != fb else 0.5 * (a + b)
        _rk4(x, h, c, wp, bp, aero, at, work, xh)
        fx = _event(kind, level, xh, wp)
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
        _rk4(x, h, c, wp, bp, aero, at, work, xh)
        fx = _event(kind, level, xh, wp)
        nudge *= 4.0
    return h


@nb.njit(cache=True)
def _step(x, dt, c, kinds, levels, g0s, n, wp, bp, aero, at, work, x1, xe, out):
    """Advance ``x`` by at most ``dt`` into ``out`` (``integrate.step``), given the events'
    values ``g0s`` at ``x``. Returns the step's length, the event's index (-1: none) and the
    height at the end when no event cut the step short (NaN otherwise)."""
    _rk4(x, dt, c, wp, bp, aero, at, work, x1)
    h1 = math.nan
    best, best_h = -1, dt
    for j in range(n):
        g0 = g0s[j]
        if g0 <= 0.0:
            continue
        if kinds[j] == _ALT:
            if math.isnan(h1):
                h1 = _height(x1[0], x1[1], x1[2], wp)
            g1 = h1 - levels[j]
        else:
            g1 = _event(kinds[j], levels[j], x1, wp)
        if g1 > 0.0:
            continue
        h = _refine(kinds[j], levels[j], x, dt, g0, g1, c, wp, bp, aero, at, work, xe)
        if best < 0 or h < best_h:
            best, best_h = j, h
            out[:] = xe
    if best < 0:
        out[:] = x1
        return best_h, best, h1
    return best_h, best, math.nan


# --- the impact prediction (flight.predict.predict_impact_reference) --------------------------


@nb.njit(cache=True)
def _coarse_dt(altitude_m, fine):
    if altitude_m > 90_000.0:
        return 5.0
    if altitude_m > 50_000.0:
        return 1.0
    return fine


@nb.njit(cache=True)
def _predict(x0, t, wp, bp, aero, at, ground, dry, entry, nose, fine, max_time):
    """Fly to the ground; ``entry = [lit (0/1), thrust_vac, exit_area, mass_flow, start
    altitude, target speed]``. Returns ``[t, state (7), peak q, peak heat, burn kg, landed]``."""
    x = x0.copy()
    nxt = np.empty(7)
    work = np.empty((5, 7))
    x1, xe = np.empty(7), np.empty(7)
    coast = np.zeros(10)
    burn = np.zeros(10)
    burn[0], burn[1], burn[2], burn[3] = 1.0, entry[1], entry[2], entry[3]
    kinds = np.zeros(3, np.int64)
    levels = np.zeros(3)
    has_entry = entry[0] > 0.5
    start_alt, target = entry[4], entry[5]
    burning = False
    burned = not has_entry
    m_start = x[6]
    m_after_burn = x[6]
    peak_q = peak_heat = 0.0
    t_end = t + max_time
    g0s = np.zeros(3)
    res = np.empty(12)
    ev = -1
    alt = _height(x[0], x[1], x[2], wp)
    while t < t_end:
        _p, rho, _a = _air(alt, wp, at)
        speed = math.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5])
        if not burning:
            peak_q = max(peak_q, 0.5 * rho * speed * speed)
            heat = SUTTON_GRAVES_K * math.sqrt(rho / nose) * speed**3.0
            peak_heat = max(peak_heat, heat)
        kinds[0], levels[0], g0s[0], n = _ALT, ground, alt - ground, 1
        c = coast
        h = _coarse_dt(alt, fine)
        if not burned and has_entry:
            r = math.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
            up_speed = (x[0] * x[3] + x[1] * x[4] + x[2] * x[5]) / r
            if not burning and up_speed < 0.0:
                if alt <= start_alt:
                    burning = True
                else:
                    kinds[1], levels[1], g0s[1], n = _ALT, start_alt, alt - start_alt, 2
                    h = min(h, 1.0) if alt < start_alt + 20_000 else h
            if burning:
                if speed <= target or x[6] <= dry:
                    burned, burning = True, False
                    m_after_burn = x[6]
                    continue
                burn[4], burn[5], burn[6] = -x[3] / speed, -x[4] / speed, -x[5] / speed
                c = burn
                kinds[1], levels[1], g0s[1] = _SPEED, target, _event(_SPEED, target, x, wp)
                kinds[2], levels[2], g0s[2], n = _MASS, dry, x[6] - dry, 3
                h = min(h, 0.5)
        dt, ev, h1 = _step(x, h, c, kinds, levels, g0s, n, wp, bp, aero, at, work, x1, xe, nxt)
        x[:] = nxt
        t = t + dt
        if ev == 0:
            break
        alt = h1 if not math.isnan(h1) else _height(x[0], x[1], x[2], wp)
    res[0] = t
    res[1:8] = x
    res[8], res[9] = peak_q, peak_heat
    res[10] = m_start - (m_after_burn if burned else x[6])
    res[11] = 1.0 if ev == 0 else 0.0
    return res


# --- the Python side ---------------------------------------------------------------------------

_ATM = np.ascontiguousarray(
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


@dataclass(frozen=True, eq=False)
class FlightKernel:
    """One body in one world, as arrays for the compiled kernel."""

    wp: np.ndarray
    bp: np.ndarray
    aero: np.ndarray

    def rk4(self, x: State, dt: float, c: np.ndarray) -> State:
        """One RK4 step under command array ``c`` (see ``command_array``)."""
        out = _rk4_new(np.array(x, dtype=np.float64), dt, c, self.wp, self.bp, self.aero, _ATM)
        return tuple(out.tolist())  # type: ignore[return-value]

    def derivatives(self, x: State, c: np.ndarray) -> State:
        out = _derivatives_new(np.array(x, dtype=np.float64), c, self.wp, self.bp, self.aero, _ATM)
        return tuple(out.tolist())  # type: ignore[return-value]

    def height(self, x: State) -> float:
        return float(_height(float(x[0]), float(x[1]), float(x[2]), self.wp))

    def predict(
        self,
        x: State,
        t: float,
        ground_alt_m: float,
        dry_mass_kg: float,
        entry: tuple[PropulsionParams, float, float] | None,
        nose_radius_m: float,
        fine_dt_s: float,
        max_time_s: float,
    ) -> tuple[float, State, float, float, float, bool]:
        """``predict_impact`` in one compiled call: ``(t, state, peak q, peak heat, entry-burn
        propellant, landed)``; ``entry`` is (engines, start altitude, target speed) or None."""
        if entry is None:
            e = np.zeros(6)
        else:
            p, start, target = entry
            e = np.array([1.0, p.thrust_vac_n, p.exit_area_m2, p.mass_flow_kgps, start, target])
        r = _predict(
            np.array(x, dtype=np.float64),
            float(t),
            self.wp,
            self.bp,
            self.aero,
            _ATM,
            float(ground_alt_m),
            float(dry_mass_kg),
            e,
            float(nose_radius_m),
            float(fine_dt_s),
            float(max_time_s),
        ).tolist()
        return r[0], tuple(r[1:8]), r[8], r[9], r[10], r[11] > 0.5  # type: ignore[return-value]


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


_KERNELS: dict[tuple[int, int], tuple[Body, World, FlightKernel | None]] = {}
_REFERENCE_ONLY = [False]


@contextmanager
def reference_only() -> Iterator[None]:
    """Inside the block every flight runs on the pure-Python reference (tests, debugging)."""
    before = _REFERENCE_ONLY[0]
    _REFERENCE_ONLY[0] = True
    try:
        yield
    finally:
        _REFERENCE_ONLY[0] = before


def flight_kernel(body: Body, world: World) -> FlightKernel | None:
    """The compiled kernel for this body and world, or None if a model is not supported
    (any Earth or atmosphere other than the built-in ones: the reference code flies those)."""
    if _REFERENCE_ONLY[0]:
        return None
    key = (id(body), id(world))
    hit = _KERNELS.get(key)
    if hit is not None and hit[0] is body and hit[1] is world:
        return hit[2]
    wp = _world_array(world)
    kernel = None
    if wp is not None:
        aero = body.aero
        kernel = FlightKernel(
            wp=wp,
            bp=np.array([aero.reference_area_m2, body.fin_authority_m2], dtype=np.float64),
            aero=np.array([aero.mach, aero.cd], dtype=np.float64).reshape(2, len(aero.mach)),
        )
    if len(_KERNELS) > 256:
        _KERNELS.clear()
    _KERNELS[key] = (body, world, kernel)  # holding them keeps their ids from being reused
    return kernel
