"""Whole loops on the compiled kernel: the impact prediction and the ascent, one call each.

``predict`` flies the rest of the descent without steering (coast, optionally the entry burn,
the fall to the ground; ``flight.predict``); ``ascent`` is the planner's nominal ascent
(``flight.ascent.predict_ascent``: the pitch-kick search flies it many times), stepping the same
kernels as the flown ascent on the GNC loop (``flight.ascent_loop``): the steering and max-Q
throttle of ``guidance.ascent``, the acceleration cap (``ascent_throttle``), MECO on the recovery
reserve. ``sample_rows`` lays out many recorder samples at once (``FlightRecorder.sample``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.dynamics.point_mass import PropulsionParams
from boostback.dynamics.state import MASS, PX, PY, PZ, SIZE, VX, VY, VZ
from boostback.environment.earth_kernels import geodetic, height
from boostback.flight.kernel import (
    EV_ALT,
    EV_MASS,
    EV_RESERVE,
    EV_SPEED,
    FlightKernel,
    air,
    air_velocity,
    event,
    relative_to_air,
    step,
)
from boostback.flight.reserve import NO_RESERVE
from boostback.guidance.ascent import local_up, max_q_throttle, steer
from boostback.jit import jit

__all__ = [
    "SUTTON_GRAVES_K",
    "AscentLoop",
    "ascent",
    "ascent_throttle",
    "predict",
    "sample_rows",
]

SUTTON_GRAVES_K = 1.7415e-4  # kg^0.5 / m, Earth air (Sutton & Graves 1971)
THROTTLE_RATE = 0.2  # per second (flight.ascent's)


# --- the impact prediction ---------------------------------------------------------------------


@jit
def heat_flux_wpm2(density_kgpm3, speed_mps, nose_radius_m):
    """Sutton-Graves stagnation-point convective heat-flux index, W/m^2."""
    return SUTTON_GRAVES_K * math.sqrt(density_kgpm3 / nose_radius_m) * speed_mps**3.0


@jit
def _coarse_dt(altitude_m, fine):
    if altitude_m > 90_000.0:
        return 5.0
    if altitude_m > 50_000.0:
        return 1.0
    return fine


@jit
def _predict(x0, t, mdl, rp, ground, dry, entry, nose, fine, max_time):
    """Fly to the ground; ``entry = [throttle (0: no entry burn), thrust_vac, exit_area,
    mass_flow, start altitude, target speed]``. Returns ``[t, state (7), peak q, peak heat,
    burn kg, landed]``; the peaks are taken on the speed relative to the air."""
    wp, at, wind = mdl[0], mdl[3], mdl[4]
    x = x0.copy()
    nxt, x1, xe = np.empty(SIZE), np.empty(SIZE), np.empty(SIZE)
    work = np.empty((5, SIZE))
    coast = np.zeros(10)
    burn = np.zeros(10)
    burn[0], burn[1], burn[2], burn[3] = entry[0], entry[1], entry[2], entry[3]
    kinds = np.zeros(3, np.int64)
    levels, g0s = np.zeros(3), np.zeros(3)
    has_entry = entry[0] > 0.0
    start_alt, target = entry[4], entry[5]
    burning = False
    burned = not has_entry
    m_start = x[MASS]
    m_after_burn = x[MASS]
    peak_q = peak_heat = 0.0
    t_end = t + max_time
    ev = -1
    alt = height(x[PX], x[PY], x[PZ], wp)
    while t < t_end:
        _p, rho, _a = air(alt, wp, at)
        speed = math.sqrt(x[VX] * x[VX] + x[VY] * x[VY] + x[VZ] * x[VZ])
        if not burning:
            va = speed
            if wind.shape[0] > 0:
                _h, ux, uy, uz = air_velocity(x[PX], x[PY], x[PZ], x[VX], x[VY], x[VZ], wp, wind)
                va = math.sqrt(ux * ux + uy * uy + uz * uz)
            peak_q = max(peak_q, 0.5 * rho * va * va)
            peak_heat = max(peak_heat, heat_flux_wpm2(rho, va, nose))
        kinds[0], levels[0], g0s[0], n = EV_ALT, ground, alt - ground, 1
        c = coast
        h = _coarse_dt(alt, fine)
        if not burned and has_entry:
            r = math.sqrt(x[PX] * x[PX] + x[PY] * x[PY] + x[PZ] * x[PZ])
            up_speed = (x[PX] * x[VX] + x[PY] * x[VY] + x[PZ] * x[VZ]) / r
            if not burning and up_speed < 0.0:
                if alt <= start_alt:
                    burning = True
                else:
                    kinds[1], levels[1], g0s[1], n = EV_ALT, start_alt, alt - start_alt, 2
                    h = min(h, 1.0) if alt < start_alt + 20_000 else h
            if burning:
                if speed <= target or x[MASS] <= dry:
                    burned, burning = True, False
                    m_after_burn = x[MASS]
                    continue
                burn[4], burn[5], burn[6] = -x[VX] / speed, -x[VY] / speed, -x[VZ] / speed
                c = burn
                kinds[1], levels[1], g0s[1] = EV_SPEED, target, event(EV_SPEED, target, x, wp, rp)
                kinds[2], levels[2], g0s[2], n = EV_MASS, dry, x[MASS] - dry, 3
                h = min(h, 0.5)
        dt, ev, h1 = step(x, h, c, mdl, rp, kinds, levels, g0s, n, work, x1, xe, nxt)
        x[:] = nxt
        t = t + dt
        if ev == 0:
            break
        alt = h1 if not math.isnan(h1) else height(x[PX], x[PY], x[PZ], wp)
    res = np.empty(12)
    res[0] = t
    res[1:8] = x
    res[8], res[9] = peak_q, peak_heat
    res[10] = m_start - (m_after_burn if burned else x[MASS])
    res[11] = 1.0 if ev == 0 else 0.0
    return res


def predict(
    kernel: FlightKernel,
    x: tuple[float, ...],
    t: float,
    ground_alt_m: float,
    dry_mass_kg: float,
    entry: tuple[PropulsionParams, float, float, float] | None,
    nose_radius_m: float,
    fine_dt_s: float,
    max_time_s: float,
) -> tuple[float, tuple[float, ...], float, float, float, bool]:
    """``predict_impact`` in one compiled call: ``(t, state, peak q, peak heat, entry-burn
    propellant, landed)``; ``entry`` is (engines, start altitude, target speed, throttle) or
    None."""
    if entry is None:
        e = np.zeros(6)
    else:
        p, start, target, throttle = entry
        e = np.array([throttle, p.thrust_vac_n, p.exit_area_m2, p.mass_flow_kgps, start, target])
    r = _predict(
        np.array(x, dtype=np.float64),
        float(t),
        kernel.model,
        NO_RESERVE,
        float(ground_alt_m),
        float(dry_mass_kg),
        e,
        float(nose_radius_m),
        float(fine_dt_s),
        float(max_time_s),
    ).tolist()
    return r[0], tuple(r[1:8]), r[8], r[9], r[10], r[11] > 0.5


# --- the ascent --------------------------------------------------------------------------------


@jit
def ascent_throttle(qbar, q_prev, throttle_prev, dt, p_pa, mass, pp, gp):
    """The max-Q throttle (``guidance.ascent.max_q_throttle``), moving at most THROTTLE_RATE
    per second (engines do not step; no chatter), held under the acceleration cap."""
    t_min, t_max, a_max = pp[3], pp[4], gp[8]
    throttle = max_q_throttle(qbar, (qbar - q_prev) / dt, gp[6], gp[7], t_min, t_max)
    step_max = THROTTLE_RATE * dt
    throttle = min(max(throttle, throttle_prev - step_max), throttle_prev + step_max)
    if not math.isnan(a_max):
        full = pp[0] * t_max - pp[1] * p_pa
        cap = (a_max * mass + pp[1] * p_pa) / pp[0]
        if full > 0.0 and cap < throttle:
            throttle = max(cap, t_min)
    return throttle


@jit
def _ascent(x0, dt, mdl, rp, pp, gp, empty, max_t):
    """The ascent from ``x0`` at t = 0 to MECO (or propellant out, or ``max_t``).

    ``pp = [thrust_vac, exit_area, mass_flow, throttle_min, throttle_max]``, ``gp =
    [rise, kick duration, kick, downrange (3), max q, q lookahead, max acceleration or NaN]``.
    Returns ``[t, state (7), max q, its time, first and last time throttled down (NaN: never),
    event (-1, 0 MECO, 1 propellant out)]``. Dynamic pressure is taken on the air-relative
    speed; the steering follows the velocity relative to the Earth.
    """
    wp, at, wind = mdl[0], mdl[3], mdl[4]
    x = x0.copy()
    nxt, x1, xe = np.empty(SIZE), np.empty(SIZE), np.empty(SIZE)
    work = np.empty((5, SIZE))
    c = np.zeros(10)
    c[1], c[2], c[3] = pp[0], pp[1], pp[2]
    kinds = np.array([EV_RESERVE, EV_MASS])
    levels = np.array([empty, empty])
    g0s = np.zeros(2)
    t = q_prev = max_q = max_q_t = 0.0
    throttle_prev = pp[4]
    first_down = last_down = math.nan
    turning = False
    ev = -1
    lat, lon, h = geodetic(x[PX], x[PY], x[PZ], wp)
    p_pa, rho, _a = air(h, wp, at)
    ux, uy, uz = relative_to_air(lat, lon, h, x[VX], x[VY], x[VZ], wind)
    speed = math.sqrt(ux * ux + uy * uy + uz * uz)
    qbar = 0.5 * rho * speed * speed
    while t < max_t:
        u0, u1, u2 = local_up(lat, lon)
        d0, d1, d2, turning = steer(t, turning, gp, u0, u1, u2, x[VX], x[VY], x[VZ])
        throttle = ascent_throttle(qbar, q_prev, throttle_prev, dt, p_pa, x[MASS], pp, gp)
        if throttle < pp[4]:
            if math.isnan(first_down):
                first_down = t
            last_down = t
        throttle_prev = throttle
        c[0], c[4], c[5], c[6] = throttle, d0, d1, d2
        q_prev = qbar
        g0s[0] = event(EV_RESERVE, empty, x, wp, rp)
        g0s[1] = x[MASS] - empty
        h_step, ev, _h1 = step(x, dt, c, mdl, rp, kinds, levels, g0s, 2, work, x1, xe, nxt)
        x[:] = nxt
        t = t + h_step
        lat, lon, h = geodetic(x[PX], x[PY], x[PZ], wp)
        p_pa, rho, _a = air(h, wp, at)
        ux, uy, uz = relative_to_air(lat, lon, h, x[VX], x[VY], x[VZ], wind)
        speed = math.sqrt(ux * ux + uy * uy + uz * uz)
        qbar = 0.5 * rho * speed * speed
        if qbar > max_q:
            max_q, max_q_t = qbar, t
        if ev >= 0:
            break
    res = np.empty(13)
    res[0] = t
    res[1:8] = x
    res[8], res[9], res[10], res[11] = max_q, max_q_t, first_down, last_down
    res[12] = ev
    return res


@dataclass(frozen=True)
class AscentLoop:
    """What the compiled ascent returns."""

    state: tuple[float, ...]
    t_s: float
    max_q_pa: float
    max_q_t_s: float
    throttle_down_s: tuple[float, float] | None
    event: str | None  # "meco", "propellant_out" or None (time limit)


def ascent(
    kernel: FlightKernel,
    x0: tuple[float, ...],
    dt: float,
    reserve: np.ndarray,
    prop: PropulsionParams,
    guidance: tuple[float, ...],
    empty_kg: float,
    max_time_s: float,
) -> AscentLoop:
    """The ascent loop in one compiled call (see ``_ascent`` for ``guidance``)."""
    pp = np.array(
        [
            prop.thrust_vac_n,
            prop.exit_area_m2,
            prop.mass_flow_kgps,
            prop.throttle_min,
            prop.throttle_max,
        ]
    )
    r = _ascent(
        np.array(x0, dtype=np.float64),
        float(dt),
        kernel.model,
        reserve,
        pp,
        np.array(guidance, dtype=np.float64),
        float(empty_kg),
        float(max_time_s),
    )
    out = r.tolist()
    first, last = out[10], out[11]
    down = None if math.isnan(first) else (first, last)
    name = {0: "meco", 1: "propellant_out"}.get(int(out[12]))
    return AscentLoop(tuple(out[1:8]), out[0], out[8], out[9], down, name)


# --- many recorder samples at once ----------------------------------------------------------


@jit
def _sample_rows(t0, t, r, v, m, throttle, dirs, lp, engines, mdl):
    wp, at, wind = mdl[0], mdl[3], mdl[4]
    n = t.shape[0]
    rows = np.zeros((n, 20))
    for i in range(n):
        row = rows[i]
        lat, lon, h = geodetic(r[i, 0], r[i, 1], r[i, 2], wp)
        p_pa, rho, a = air(h, wp, at)
        ux, uy, uz = relative_to_air(lat, lon, h, v[i, 0], v[i, 1], v[i, 2], wind)
        speed = math.sqrt(ux * ux + uy * uy + uz * uz)
        row[0] = t0 + t[i]
        row[1:4] = r[i]
        row[4:7] = v[i]
        row[7] = m[i]
        thr = throttle[i]
        row[8] = thr
        if thr > 0.0:
            row[9] = max(thr * lp[0] - lp[1] * p_pa, 0.0)
            row[10] = engines
        row[11:14] = dirs[i]
        row[17], row[18] = speed / a, 0.5 * rho * speed * speed
    return rows


def sample_rows(
    kernel: FlightKernel,
    t0: float,
    t: np.ndarray,
    r_ecef: np.ndarray,
    v_ecef: np.ndarray,
    mass: np.ndarray,
    throttle: np.ndarray,
    dirs: np.ndarray,
    prop: PropulsionParams,
    engines: float,
) -> np.ndarray:
    """Recorder rows (``FlightRecorder.sample``'s columns) for samples at times ``t0 + t``:
    thrust from ``prop`` where the throttle is above zero, no fins, no heating; Mach and dynamic
    pressure on the speed relative to the air."""

    def f64(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=np.float64)

    return _sample_rows(
        float(t0),
        f64(t),
        f64(r_ecef),
        f64(v_ecef),
        f64(mass),
        f64(throttle),
        f64(dirs),
        np.array([prop.thrust_vac_n, prop.exit_area_m2]),
        float(engines),
        kernel.model,
    )
