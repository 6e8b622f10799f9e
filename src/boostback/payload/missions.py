"""The flights a payload solve compares: one per recovery mode, to one orbit from one pad.

Each mode's flight takes its booster settings (ascent throttle, recovery margin, entry
altitude...) from the vehicle's built-in flight scenario of that mode when there is one
(``<vehicle>_<mode>``), else from the vehicle's reference scenario; the mission is replaced:
the launch site (the reference scenario's, or the one asked for), the target's inclination
(due east when the pad lies above it: the upper stage's yaw steering then turns the plane), a
fairing, the pass (north- or south-going) that heads for a downrange landing site, and the
landing site of the mode (rtls: the mode scenario's pad, else the launch pad;
downrange: the mode scenario's site, or the one asked for; droneship: under the ballistic path).
"""

from __future__ import annotations

import math
from typing import Any

from boostback.config.errors import ConfigError
from boostback.config.flight_models import FlightScenario, SiteRef
from boostback.config.loader import (
    flight_from_dict,
    flight_vehicles,
    list_flights,
    load_flight,
)
from boostback.config.models import Vehicle
from boostback.environment.frames import (
    Site,
    initial_bearing,
    launch_azimuth_rad,
    out_of_reach_launch,
)
from boostback.flight.setup import flight_setup, resolve_site
from boostback.payload.solver import ModeProblem, mode_problem
from boostback.payload.upper_stage import TargetOrbit

__all__ = ["MODES", "mode_problems", "reference_scenario"]

MODES = ("rtls", "droneship", "downrange", "expendable")
_REFERENCE_ORDER = ("droneship", "downrange", "rtls", "expendable")


def reference_scenario(vehicle_key: str) -> tuple[FlightScenario, Vehicle]:
    """The vehicle's reference flight: its built-in drone-ship, downrange, RTLS or expendable
    scenario, in that order of preference."""
    names = list_flights()
    for mode in _REFERENCE_ORDER:
        if f"{vehicle_key}_{mode}" in names:
            return load_flight(f"{vehicle_key}_{mode}")
    for name in names:
        scenario, vehicle = load_flight(name)
        if vehicle.key == vehicle_key:
            return scenario, vehicle
    raise no_flight_for(vehicle_key)


def no_flight_for(vehicle_key: str) -> ConfigError:
    """The error for a vehicle key that no built-in flight scenario flies: it names the
    vehicles that have one."""
    return ConfigError(
        f"no built-in flight scenario for vehicle '{vehicle_key}'; "
        f"vehicles with one: {', '.join(flight_vehicles())}",
        key="vehicle",
    )


def _mode_base(vehicle_key: str, mode: str, reference: FlightScenario) -> FlightScenario:
    name = f"{vehicle_key}_{mode}"
    return load_flight(name)[0] if name in list_flights() else reference


def _landing_site(
    mode: str, base: FlightScenario, launch: SiteRef, landing: SiteRef | None
) -> tuple[SiteRef | None, str]:
    if mode in ("droneship", "expendable"):
        return None, ""
    if landing is not None:
        return landing, ""
    if base.recovery.mode == mode and base.recovery.site is not None:
        return base.recovery.site, ""
    if mode == "rtls":
        return launch, "RTLS to the launch pad (no built-in landing zone)"
    return None, "no downrange landing site"


def _towards(launch: Site, landing: Site, target: TargetOrbit) -> bool:
    """Whether the ascending (north-going) pass of the orbit heads closer to the landing site
    than the descending one: a downrange landing site lies under the track."""
    bearing = initial_bearing(launch.lat_rad, launch.lon_rad, landing.lat_rad, landing.lon_rad)
    miss = []
    for ascending in (True, False):
        az = launch_azimuth_rad(
            launch.lat_rad, math.radians(target.inclination_deg), ascending=ascending
        )
        miss.append(abs(math.remainder(az - bearing, 2.0 * math.pi)))
    return miss[0] <= miss[1]


def _scenario(
    base: FlightScenario, mode: str, target: TargetOrbit, launch: SiteRef,
    landing: SiteRef | None, vehicle: Vehicle,
) -> tuple[FlightScenario, str]:  # fmt: skip
    data: dict[str, Any] = base.model_dump()
    mission = data["mission"]
    mission["launch_site"] = launch
    mission["fairing"] = True
    mission["payload_mass_kg"] = 0.0
    site = resolve_site(launch, "--site")
    note = ""
    plane_turn = out_of_reach_launch(site.lat_deg, target.inclination_deg)
    if plane_turn is not None:
        mission["inclination_deg"] = None
        mission["launch_azimuth_deg"], note = plane_turn
    else:
        mission["inclination_deg"], mission["launch_azimuth_deg"] = target.inclination_deg, None
        if mode == "downrange" and landing is not None:
            mission["ascending"] = _towards(site, resolve_site(landing, "--landing"), target)
    data["recovery"]["mode"] = mode
    data["recovery"]["site"] = landing
    data["recovery"]["ship_downrange_km"] = None
    data["recovery"]["ship_crossrange_km"] = 0.0
    data["vehicle"] = vehicle.key
    return flight_from_dict(data, f"payload {vehicle.key} --recovery {mode}"), note


def mode_problems(
    vehicle_key: str,
    target: TargetOrbit,
    modes: tuple[str, ...] = MODES,
    launch_site: SiteRef | None = None,
    landing_site: SiteRef | None = None,
) -> tuple[Vehicle, list[ModeProblem | tuple[str, str]]]:
    """The payload problem of each mode, or ``(mode, why not)`` for a mode that cannot be
    posed (a downrange mode without a landing site).

    Raises
    ------
    ConfigError
        For an unknown vehicle, site or mode.
    """
    reference, vehicle = reference_scenario(vehicle_key)
    launch = launch_site if launch_site is not None else reference.mission.launch_site
    out: list[ModeProblem | tuple[str, str]] = []
    for mode in modes:
        if mode not in MODES:
            raise ConfigError(f"unknown recovery mode '{mode}'", key="--recovery")
        base = _mode_base(vehicle_key, mode, reference)
        landing, note = _landing_site(mode, base, launch, landing_site)
        if mode in ("rtls", "downrange") and landing is None:
            out.append((mode, note))
            continue
        scenario, plane_note = _scenario(base, mode, target, launch, landing, vehicle)
        setup = flight_setup(vehicle, scenario, f"payload --recovery {mode}")
        notes = "; ".join(n for n in (note, plane_note) if n)
        out.append(mode_problem(setup, vehicle, target, notes))
    return vehicle, out
