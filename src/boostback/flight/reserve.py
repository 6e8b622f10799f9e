"""Propellant the booster must keep at MECO for its recovery: boostback, entry and landing.

A quick analytic estimate, cheap enough to evaluate at every ascent step (MECO is the moment the
propellant aboard falls to it). Boostback: after separation and the flip, an impulsive change of
the horizontal velocity that carries the stage from where it is to the landing site in the time
it takes to fall to the entry-burn altitude (plus half the fall below it, where drag slows it).
Entry burn: from the speed at the entry altitude down to the entry target speed, plus gravity
loss. Landing burn: from the terminal speed a few km up, plus gravity loss at landing thrust.
The three are chained through the rocket equation from the dry mass upwards, and the margin
(a fraction of the total) is added on top. The real burns are flown by closed-loop guidance; the
estimate only decides when to cut the engines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from boostback.flight.dynamics import State

__all__ = ["ReserveBudget", "ReserveModel", "boostback_guess", "reserve_budget"]

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


def _dot(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _return_velocity(
    x: State,
    up: tuple[float, float, float],
    vh: tuple[float, float, float],
    target_ecef: tuple[float, float, float],
    coast_s: float,
    fall_s: float,
) -> tuple[float, float, float]:
    """Horizontal velocity that carries the stage from its post-flip position to the target."""
    d = (target_ecef[0] - x[0], target_ecef[1] - x[1], target_ecef[2] - x[2])
    dn = _dot(d, up)
    need = [d[i] - dn * up[i] - vh[i] * coast_s for i in range(3)]
    return (need[0] / fall_s, need[1] / fall_s, need[2] / fall_s)


def _fall(
    x: State, model: ReserveModel, altitude_m: float, coast_s: float
) -> tuple[tuple[float, float, float], tuple[float, float, float], float, float, float]:
    r = math.sqrt(_dot(x, x))
    up = (x[0] / r, x[1] / r, x[2] / r)
    v = x[3:6]
    w = _dot(v, up)
    vh = (v[0] - w * up[0], v[1] - w * up[1], v[2] - w * up[2])
    g = model.mu_m3ps2 / (r * r)
    h1 = altitude_m + w * coast_s - 0.5 * g * coast_s * coast_s
    w1 = w - g * coast_s
    drop = max(h1 - model.entry_altitude_m, 0.0)
    w_entry = math.sqrt(w1 * w1 + 2.0 * g * drop)
    fall_s = (w1 + w_entry) / g + 0.5 * model.entry_altitude_m / max(w_entry, 1.0)
    return up, vh, g, w_entry, fall_s


def boostback_guess(
    x: State, model: ReserveModel, target_ecef: tuple[float, float, float], altitude_m: float
) -> tuple[float, float, float]:
    """Impulsive boostback velocity change (ECEF) of the estimate, applied at ``x`` now."""
    up, vh, _g, _w, fall_s = _fall(x, model, altitude_m, 0.0)
    u = _return_velocity(x, up, vh, target_ecef, 0.0, fall_s)
    return (u[0] - vh[0], u[1] - vh[1], u[2] - vh[2])


def entry_dv_mps(
    v_entry_mps: float, v_target_mps: float, g_mps2: float, accel_mps2: float
) -> float:
    """Velocity change of an entry burn braking from ``v_entry_mps`` to ``v_target_mps`` on a
    steep descent: the braking plus the gravity loss over the burn (g times its duration)."""
    dv = max(v_entry_mps - v_target_mps, 0.0)
    return dv + g_mps2 * dv / accel_mps2


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
    if mode == "expendable":
        return ReserveBudget(mode, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    tc = model.coast_s
    up, vh, g, w_entry, fall_s = _fall(x, model, altitude_m, tc)
    if target_ecef is None:
        u = vh
        dv_bb = 0.0
    else:
        u = _return_velocity(x, up, vh, target_ecef, tc, fall_s)
        dv = [u[i] - vh[i] for i in range(3)]
        speed_h = math.sqrt(_dot(vh, vh))
        along = _dot(dv, vh) / speed_h if speed_h > 0.0 else 0.0
        if along > 0.0:
            # The site is beyond the impact point: burning on with the ascent engines is the
            # cheaper way to get there, so only the cross-range part is kept in reserve.
            dv = [dv[i] - along * vh[i] / speed_h for i in range(3)]
            u = tuple(vh[i] + dv[i] for i in range(3))  # type: ignore[assignment]
        dv_bb = math.sqrt(_dot(dv, dv)) * (1.0 + STEERING_LOSS)
    v_entry = math.sqrt(_dot(u, u) + w_entry * w_entry)
    dv_entry = entry_dv_mps(v_entry, model.entry_target_speed_mps, g, model.entry_accel_mps2)
    dv_land = model.landing_dv_mps
    m_land = model.dry_mass_kg * math.exp(dv_land / model.exhaust_sl_mps)
    m_entry = m_land * math.exp(dv_entry / model.exhaust_vac_mps)
    m_bb = m_entry * math.exp(dv_bb / model.exhaust_vac_mps)
    land_kg = m_land - model.dry_mass_kg
    entry_kg = m_entry - m_land
    bb_kg = m_bb - m_entry
    margin = model.margin * (land_kg + entry_kg + bb_kg)
    return ReserveBudget(mode, dv_bb, dv_entry, dv_land, bb_kg, entry_kg, land_kg, margin)
