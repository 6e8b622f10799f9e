"""Impact-point prediction: propagate the stage to the ground on the rotating Earth.

The predictor flies the rest of the descent without steering: a coast, optionally the entry burn
(retrograde, lit descending through its altitude, cut at its target speed), and the fall through
the atmosphere with drag to the height of the landing site. Steps are long in near-vacuum and
short in the air. It also reports the peak dynamic pressure and heating index on the way down.

The guidance calls it hundreds of times a flight, so ``predict_impact`` runs the whole
prediction as one call of the compiled kernel (``flight.kernel``) when the Earth and atmosphere
models are the built-in ones; ``predict_impact_reference`` is the readable pure-Python version it
is held equal to (and the one other models fly).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from boostback.dynamics.point_mass import PropulsionParams
from boostback.flight import kernel_loops
from boostback.flight.dynamics import COAST, Body, Command, State, World, air_data
from boostback.flight.integrate import EventFn, altitude_event, mass_event, step
from boostback.flight.kernel import flight_kernel
from boostback.flight.kernel_loops import SUTTON_GRAVES_K

__all__ = [
    "SUTTON_GRAVES_K",
    "EntryBurnSpec",
    "Impact",
    "heat_flux_wpm2",
    "predict_impact",
    "predict_impact_reference",
]


def heat_flux_wpm2(density_kgpm3: float, speed_mps: float, nose_radius_m: float) -> float:
    """Sutton-Graves stagnation-point convective heat-flux index, W/m^2."""
    return SUTTON_GRAVES_K * math.sqrt(density_kgpm3 / nose_radius_m) * speed_mps**3


@dataclass(frozen=True)
class EntryBurnSpec:
    prop: PropulsionParams
    start_altitude_m: float
    target_speed_mps: float
    throttle: float = 1.0  # fraction of ``prop``'s full thrust the burn is flown at

    def __post_init__(self) -> None:
        # the compiled predictor reads throttle 0 as "no entry burn"
        if not 0.0 < self.throttle <= 1.0:
            raise ValueError(f"entry-burn throttle must be in (0, 1], got {self.throttle}")


@dataclass(frozen=True)
class Impact:
    t_s: float
    state: State  # at the ground (or where the prediction stopped)
    peak_qbar_pa: float
    peak_heat_wpm2: float
    entry_burn_kg: float
    landed: bool  # reached the ground within the time limit


def _dt(altitude_m: float, fine: float) -> float:
    if altitude_m > 90_000.0:
        return 5.0
    if altitude_m > 50_000.0:
        return 1.0
    return fine


def predict_impact(
    x: State,
    t: float,
    body: Body,
    world: World,
    ground_alt_m: float,
    dry_mass_kg: float,
    entry: EntryBurnSpec | None = None,
    nose_radius_m: float = 1.0,
    fine_dt_s: float = 0.5,
    max_time_s: float = 1500.0,
) -> Impact:
    """Fly from ``x`` at time ``t`` to the ground; peaks are taken on the unpowered parts."""
    kernel = flight_kernel(body, world)
    if kernel is None:
        args = (ground_alt_m, dry_mass_kg, entry, nose_radius_m, fine_dt_s, max_time_s)
        return predict_impact_reference(x, t, body, world, *args)
    burn = None
    if entry is not None:
        burn = (entry.prop, entry.start_altitude_m, entry.target_speed_mps, entry.throttle)
    t1, x1, peak_q, peak_heat, used, landed = kernel_loops.predict(
        kernel, x, t, ground_alt_m, dry_mass_kg, burn, nose_radius_m, fine_dt_s, max_time_s
    )
    return Impact(t1, x1, peak_q, peak_heat, used, landed)  # type: ignore[arg-type]


def predict_impact_reference(
    x: State,
    t: float,
    body: Body,
    world: World,
    ground_alt_m: float,
    dry_mass_kg: float,
    entry: EntryBurnSpec | None = None,
    nose_radius_m: float = 1.0,
    fine_dt_s: float = 0.5,
    max_time_s: float = 1500.0,
) -> Impact:
    """``predict_impact`` in pure Python, step by step (the reference for the compiled one)."""
    ground = altitude_event(world, ground_alt_m)
    burn_cmd: Command | None = None
    burned = entry is None
    m_start = x[6]
    m_after_burn = x[6]
    peak_q = peak_heat = 0.0
    t_end = t + max_time_s
    up_speed_sign = 0.0
    while t < t_end:
        air = air_data(x, world)
        if burn_cmd is None:
            peak_q = max(peak_q, air.qbar_pa)
            peak_heat = max(
                peak_heat, heat_flux_wpm2(air.density_kgpm3, air.speed_mps, nose_radius_m)
            )
        events: list[tuple[str, EventFn]] = [("ground", ground)]
        cmd = COAST
        h = _dt(air.altitude_m, fine_dt_s)
        if not burned and entry is not None:
            r = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
            up_speed_sign = (x[0] * x[3] + x[1] * x[4] + x[2] * x[5]) / r
            if burn_cmd is None and up_speed_sign < 0.0:
                if air.altitude_m <= entry.start_altitude_m:
                    burn_cmd = Command(entry.throttle, entry.prop, (0.0, 0.0, 1.0))
                else:
                    events.append(("entry", altitude_event(world, entry.start_altitude_m)))
                    h = min(h, 1.0) if air.altitude_m < entry.start_altitude_m + 20_000 else h
            if burn_cmd is not None:
                s = air.speed_mps
                if s <= entry.target_speed_mps or x[6] <= dry_mass_kg:
                    burned, burn_cmd = True, None
                    m_after_burn = x[6]
                    continue
                cmd = Command(entry.throttle, entry.prop, (-x[3] / s, -x[4] / s, -x[5] / s))
                target = entry.target_speed_mps

                def slower(s_: State, v: float = target) -> float:
                    return math.sqrt(s_[3] * s_[3] + s_[4] * s_[4] + s_[5] * s_[5]) - v

                events += [("slow", slower), ("dry", mass_event(dry_mass_kg))]
                h = min(h, 0.5)
        res = step(x, h, cmd, body, world, events)
        x, t = res.state, t + res.dt
        if res.event == "ground":
            used = m_start - (m_after_burn if burned else x[6])
            return Impact(t, x, peak_q, peak_heat, used, True)
    used = m_start - (m_after_burn if burned else x[6])
    return Impact(t, x, peak_q, peak_heat, used, False)
