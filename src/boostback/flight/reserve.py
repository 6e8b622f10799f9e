"""Propellant the booster must keep at MECO for its recovery: boostback, entry and landing.

A quick analytic estimate, cheap enough to evaluate at every ascent step (MECO is the moment the
propellant aboard falls to it). Boostback: after separation and the flip, an impulsive change of
the horizontal velocity that carries the stage from where it is to the landing site in the time
it takes to fall to the entry-burn altitude (plus half the fall below it, where drag slows it),
made larger for the burn's duration (``finite_burn_dv``: a burn of 40-50 s on a fall of ~250 s
covers half of its velocity change's displacement less than the impulse would).
Entry burn: from the speed at the entry altitude down to the entry target speed, plus gravity
loss. Landing burn: from the terminal speed a few km up, plus gravity loss at landing thrust.
The three are chained through the rocket equation from the dry mass upwards, and the margin
(a fraction of the total) is added on top. The real burns are flown by closed-loop guidance; the
estimate only decides when to cut the engines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.dynamics.state import PX, PY, PZ, VX, VY, VZ, State
from boostback.jit import jit

__all__ = [
    "NO_RESERVE",
    "ReserveBudget",
    "ReserveModel",
    "boostback_fall_s",
    "boostback_guess",
    "entry_dv_mps",
    "finite_burn_dv",
    "reserve_array",
    "reserve_budget",
    "reserve_kg",
]

STEERING_LOSS = 0.05  # boostback: thrust not exactly along the velocity change


@dataclass(frozen=True)
class ReserveModel:
    """Constants of the estimate for one vehicle and mission."""

    dry_mass_kg: float
    exhaust_vac_mps: float
    exhaust_sl_mps: float
    mu_m3ps2: float
    coast_s: float  # MECO to boostback ignition: separation delay plus flip
    entry_altitude_m: float
    entry_target_speed_mps: float
    entry_accel_mps2: float  # entry-burn thrust over a typical entry mass
    landing_dv_mps: float
    margin: float  # fraction added to the total
    # thrust of the boostback burn (N): the burn is finite, not impulsive (0: impulsive)
    boostback_thrust_n: float = 0.0


@dataclass(frozen=True)
class ReserveBudget:
    mode: str
    boostback_dv_mps: float
    entry_dv_mps: float
    landing_dv_mps: float
    boostback_kg: float
    entry_kg: float
    landing_kg: float
    margin_kg: float

    @property
    def total_kg(self) -> float:
        return self.boostback_kg + self.entry_kg + self.landing_kg + self.margin_kg

    def as_dict(self) -> dict[str, float | str]:
        return {**self.__dict__, "total_kg": self.total_kg}


MODE_EXPENDABLE, MODE_NO_TARGET, MODE_TARGET = 0.0, 1.0, 2.0


# the kernels' reserve array when no reserve is kept (shared; the kernels only read it, and a
# read-only array would be a second type for numba to compile every kernel for)
NO_RESERVE = np.zeros(15)


def reserve_array(
    model: ReserveModel, target_ecef: tuple[float, float, float] | None, mode: str
) -> np.ndarray:
    """The model's constants as the kernels take them: ``[mode, dry mass, exhaust vac, exhaust
    sl, mu, coast, entry altitude, entry target speed, entry acceleration, landing dv, margin,
    target (3), boostback thrust]``, mode 0 expendable, 1 no boostback target, 2 with one."""
    if mode == "expendable":
        kind = MODE_EXPENDABLE
    else:
        kind = MODE_NO_TARGET if target_ecef is None else MODE_TARGET
    m = model
    return np.array(
        [
            kind,
            m.dry_mass_kg,
            m.exhaust_vac_mps,
            m.exhaust_sl_mps,
            m.mu_m3ps2,
            m.coast_s,
            m.entry_altitude_m,
            m.entry_target_speed_mps,
            m.entry_accel_mps2,
            m.landing_dv_mps,
            m.margin,
            *(target_ecef or (0.0, 0.0, 0.0)),
            m.boostback_thrust_n,
        ],
        dtype=np.float64,
    )


@jit
def _fall(x, rp, altitude_m, coast_s):
    """Local up, horizontal velocity, gravity, vertical speed at the entry altitude and the time
    to fall there, after coasting ``coast_s`` from ``x``."""
    r = math.sqrt(x[PX] * x[PX] + x[PY] * x[PY] + x[PZ] * x[PZ])
    u0, u1, u2 = x[PX] / r, x[PY] / r, x[PZ] / r
    w = x[VX] * u0 + x[VY] * u1 + x[VZ] * u2
    h0, h1, h2 = x[VX] - w * u0, x[VY] - w * u1, x[VZ] - w * u2
    g = rp[4] / (r * r)
    hc = altitude_m + w * coast_s - 0.5 * g * coast_s * coast_s
    w1 = w - g * coast_s
    drop = max(hc - rp[6], 0.0)
    w_entry = math.sqrt(w1 * w1 + 2.0 * g * drop)
    fall_s = (w1 + w_entry) / g + 0.5 * rp[6] / max(w_entry, 1.0)
    return u0, u1, u2, h0, h1, h2, g, w_entry, fall_s


@jit
def _return_velocity(x, rp, u0, u1, u2, h0, h1, h2, coast_s, fall_s):
    """Horizontal velocity that carries the stage from its post-flip position to the target."""
    d0, d1, d2 = rp[11] - x[PX], rp[12] - x[PY], rp[13] - x[PZ]
    dn = d0 * u0 + d1 * u1 + d2 * u2
    v0 = (d0 - dn * u0 - h0 * coast_s) / fall_s
    v1 = (d1 - dn * u1 - h1 * coast_s) / fall_s
    v2 = (d2 - dn * u2 - h2 * coast_s) / fall_s
    return v0, v1, v2


@jit
def entry_dv_mps(v_entry_mps, v_target_mps, g_mps2, accel_mps2):
    """Velocity change of an entry burn braking from ``v_entry_mps`` to ``v_target_mps`` on a
    steep descent: the braking plus the gravity loss over the burn (g times its duration)."""
    dv = max(v_entry_mps - v_target_mps, 0.0)
    return dv + g_mps2 * dv / accel_mps2


@jit
def _boostback_dv(x, rp, altitude_m):
    """Impulsive boostback velocity change, the horizontal velocity it leaves (the target's)
    and the time of the fall it is planned over."""
    u0, u1, u2, h0, h1, h2, g, w_entry, fall_s = _fall(x, rp, altitude_m, rp[5])
    if rp[0] < 1.5:
        return 0.0, h0, h1, h2, g, w_entry, fall_s
    v0, v1, v2 = _return_velocity(x, rp, u0, u1, u2, h0, h1, h2, rp[5], fall_s)
    e0, e1, e2 = v0 - h0, v1 - h1, v2 - h2
    speed_h = math.sqrt(h0 * h0 + h1 * h1 + h2 * h2)
    along = (e0 * h0 + e1 * h1 + e2 * h2) / speed_h if speed_h > 0.0 else 0.0
    if along > 0.0:
        # The site is beyond the impact point: burning on with the ascent engines is the
        # cheaper way to get there, so only the cross-range part is kept in reserve.
        e0 = e0 - along * h0 / speed_h
        e1 = e1 - along * h1 / speed_h
        e2 = e2 - along * h2 / speed_h
        v0, v1, v2 = h0 + e0, h1 + e1, h2 + e2
    dv = math.sqrt(e0 * e0 + e1 * e1 + e2 * e2) * (1.0 + STEERING_LOSS)
    return dv, v0, v1, v2, g, w_entry, fall_s


@jit
def finite_burn_dv(dv_imp_mps, fall_s, end_mass_kg, exhaust_mps, thrust_n):
    """The boostback's velocity change as a finite burn of ``thrust_n`` that ends at
    ``end_mass_kg``. An impulse ``dv`` applied now reaches the target after ``fall_s``; a burn
    of duration ``tau`` changes the velocity linearly (nearly: constant thrust, falling mass),
    so it covers ``dv (fall_s - tau / 2)`` of that displacement and needs ``dv_imp fall_s /
    (fall_s - tau / 2)``; ``tau`` by the rocket equation, ``m_end (e^(dv/c) - 1) c / F``.
    Fixed point from the impulse (it grows monotonically; capped at twice the impulse)."""
    if thrust_n <= 0.0 or dv_imp_mps <= 0.0:
        return dv_imp_mps
    dv = dv_imp_mps
    for _ in range(8):
        tau = end_mass_kg * (math.exp(dv / exhaust_mps) - 1.0) * exhaust_mps / thrust_n
        dv = dv_imp_mps * fall_s / max(fall_s - 0.5 * tau, 0.5 * fall_s)
    return dv


@jit
def reserve_parts(x, rp, altitude_m):
    """``[boostback dv, entry dv, landing dv, boostback kg, entry kg, landing kg, margin kg]``
    needed from ``x`` at height ``altitude_m`` (zeros when expendable)."""
    out = np.zeros(7)
    if rp[0] < 0.5:
        return out
    dv_imp, v0, v1, v2, g, w_entry, fall_s = _boostback_dv(x, rp, altitude_m)
    v_entry = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2 + w_entry * w_entry)
    dv_entry = entry_dv_mps(v_entry, rp[7], g, rp[8])
    m_land = rp[1] * math.exp(rp[9] / rp[3])
    m_entry = m_land * math.exp(dv_entry / rp[2])
    dv_bb = finite_burn_dv(dv_imp, fall_s, m_entry, rp[2], rp[14])
    m_bb = m_entry * math.exp(dv_bb / rp[2])
    land_kg = m_land - rp[1]
    entry_kg = m_entry - m_land
    bb_kg = m_bb - m_entry
    out[0], out[1], out[2] = dv_bb, dv_entry, rp[9]
    out[3], out[4], out[5] = bb_kg, entry_kg, land_kg
    out[6] = rp[10] * (land_kg + entry_kg + bb_kg)
    return out


@jit
def reserve_kg(x, rp, altitude_m):
    """Propellant the recovery needs from ``x`` at height ``altitude_m``."""
    p = reserve_parts(x, rp, altitude_m)
    return p[3] + p[4] + p[5] + p[6]


def reserve_budget(
    x: State,
    model: ReserveModel,
    target_ecef: tuple[float, float, float] | None,
    altitude_m: float,
    mode: str,
) -> ReserveBudget:
    """The reserve needed from state ``x`` (ECEF) to land at ``target_ecef``.

    ``target_ecef`` None means no boostback is needed (a drone ship stationed under the ballistic
    path); ``mode == "expendable"`` needs nothing.
    """
    rp = reserve_array(model, target_ecef, mode)
    p = reserve_parts(np.asarray(x, dtype=np.float64), rp, float(altitude_m)).tolist()
    return ReserveBudget(mode, *p)


def boostback_guess(
    x: State, model: ReserveModel, target_ecef: tuple[float, float, float], altitude_m: float
) -> tuple[float, float, float]:
    """Impulsive boostback velocity change (ECEF) of the estimate, applied at ``x`` now."""
    rp = reserve_array(model, target_ecef, "rtls")
    rp[5] = 0.0  # no coast: the burn starts now
    xa = np.asarray(x, dtype=np.float64)
    u0, u1, u2, h0, h1, h2, _g, _w, fall_s = _fall(xa, rp, float(altitude_m), 0.0)
    v = _return_velocity(xa, rp, u0, u1, u2, h0, h1, h2, 0.0, fall_s)
    return (v[0] - h0, v[1] - h1, v[2] - h2)


def boostback_fall_s(x: State, model: ReserveModel, altitude_m: float) -> float:
    """The fall a boostback burn started at ``x`` (ECEF, at ``altitude_m``) is priced over: to
    the entry altitude in a uniform field, plus half the fall below it (``_fall``, no coast)."""
    rp = reserve_array(model, None, "rtls")
    return float(_fall(np.asarray(x, dtype=np.float64), rp, float(altitude_m), 0.0)[8])
