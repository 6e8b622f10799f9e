"""The drone ship's station, designed before launch when the flight file does not give it.

Without ``recovery.ship_downrange_km`` the flight executive stations the ship under the ballistic
path of the nominal flight: no boostback, the booster keeps the least reserve. Real low-orbit
drone-ship flights with performance to spare did not fly that way: Iridium NEXT 3 and 8 flew
23 s and 33 s boostbacks to a ship about 250 km downrange (their webcasts), and entered at
1,225 and 1,268 m/s, the speed at which the RTLS flights CRS-11 and SAOCOM 1A entered too (1,260
and 1,254 m/s), where the GTO flights without spare entered at ~2,300 m/s (docs/flights.md).
The drone ship can be placed "depending on the amount of payload the rocket is carrying"
(hothardware.com, April 2016), and a closer station shortens the ship's tow, which bounds the
recovery cadence (teslarati.com, January 2021: ~5 days and ~1,300 km per recovery).

The rule (``design_station``): bring the ship in from the ballistic path until the booster
enters the atmosphere at the entry speed its recovery is planned for
(``flight.executive.TYPICAL_ENTRY_SPEED_MPS``: the entry target and the reserve are planned on a
descent entering at that speed), and no closer, when the mission can afford that station (the
upper stage keeps its flight-performance reserve with this payload and the predicted recovery
can be flown, ``payload.design``'s trial margin). Otherwise, or when the nominal fall already
enters that slowly, the ship stays under the ballistic path: no partial spend of the spare on a
boostback that cannot bring the entry down (Koreasat 5A, 3.5 t to GTO where Falcon 9's
drone-ship GTO figure is 5,500 kg, docs/payload.md, flew none and entered at 2,307 m/s). The
station is found on the pitch kick designed for the ballistic station (bisection along the
launch azimuth); the caller then designs the kick for the station found.

Measured on Iridium NEXT 3 (its 249 km removed) and Iridium NEXT 8, 3-DoF (docs/flights.md):
ballistic 545 km, no boostback, 4 and 5 comparisons missed; this rule 259 km, a 24 s
boostback, 0 and 2. Other candidates: "as close as the performance allows" (the upper stage's
reserve and the predicted recovery's bound) ~150 km, 39 s, 7 and 8 missed; the station that
costs the upper stage least (kick and station designed together) ~410 km, 12 s, 4 and 4.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from boostback.config.flight_models import FlightScenario
from boostback.config.models import Vehicle
from boostback.environment.frames import great_circle_distance_m
from boostback.flight.ascent import AscentResult, predict_ascent
from boostback.flight.executive import TYPICAL_ENTRY_SPEED_MPS, ballistic_impact
from boostback.flight.setup import flight_setup
from boostback.payload.recovery import predict_recovery
from boostback.payload.solver import ModeProblem, mode_problem, with_payload
from boostback.payload.upper_stage import TargetOrbit

__all__ = ["ShipStation", "design_station", "needs_station", "with_station"]

TOL_KM = 1.0  # the bisection's tolerance along the launch azimuth
NEAREST_KM = 1.0  # the bracket's near end (the launch site itself)

# a trial station's upper-stage margin (kg; negative: the payload or the recovery fails)
MarginFn = Callable[[ModeProblem, float, float], float]


@dataclass(frozen=True)
class ShipStation:
    """A designed station and why it is there."""

    downrange_km: float  # along the launch azimuth
    ballistic_km: float  # the nominal fall's impact, great-circle distance from the launch site
    entry_speed_mps: float  # predicted at the entry-burn altitude, at the station's trial kick


def needs_station(scenario: FlightScenario) -> bool:
    """Whether the drone ship's station is to be designed: a drone-ship flight whose file gives
    no ``recovery.ship_downrange_km`` (the override, kept as given)."""
    rec = scenario.recovery
    return rec.mode == "droneship" and rec.ship_downrange_km is None


def with_station(scenario: FlightScenario, downrange_km: float | None) -> FlightScenario:
    """The scenario with its ship at ``downrange_km`` along the launch azimuth (None: the
    executive's default under the ballistic path)."""
    rec = scenario.recovery.model_copy(update={"ship_downrange_km": downrange_km})
    return scenario.model_copy(update={"recovery": rec})


def _problem(
    scenario: FlightScenario, vehicle: Vehicle, target: TargetOrbit, km: float | None
) -> ModeProblem:
    setup = flight_setup(vehicle, with_station(scenario, km))
    return mode_problem(setup, setup.vehicle, target)


def _ascent(p: ModeProblem, payload_kg: float, kick_rad: float) -> AscentResult:
    return predict_ascent(with_payload(p, payload_kg), p.reserve_model, kick_rad, p.reserve_target)


def _entry_speed(p: ModeProblem, payload_kg: float, kick_rad: float) -> float:
    """The predicted speed at the entry-burn altitude (m/s; NaN when the stage never gets
    there) after the boostback to ``p``'s station."""
    asc = _ascent(p, payload_kg, kick_rad)
    return predict_recovery(with_payload(p, payload_kg), p.reserve_model, asc).entry_speed_mps


def _ballistic_km(p: ModeProblem, payload_kg: float, kick_rad: float) -> float:
    """Where the nominal flight's booster falls with its entry burn and no boostback (the
    executive's default station), as a great-circle distance from the launch site."""
    setup = with_payload(p, payload_kg)
    lat, lon = ballistic_impact(setup, p.reserve_model, _ascent(p, payload_kg, kick_rad))
    site = setup.launch_site
    return float(great_circle_distance_m(site.lat_rad, site.lon_rad, lat, lon)) / 1e3


def _bisect(near_km: float, far_km: float, is_far: Callable[[float], bool]) -> float:
    """The boundary of ``is_far`` between ``near_km`` (False) and ``far_km`` (True), to
    ``TOL_KM``; the far end of the last bracket (where ``is_far`` holds)."""
    while far_km - near_km > TOL_KM:
        mid = 0.5 * (near_km + far_km)
        if is_far(mid):
            far_km = mid
        else:
            near_km = mid
    return far_km


def design_station(
    scenario: FlightScenario,
    vehicle: Vehicle,
    target: TargetOrbit,
    kick_rad: float,
    margin: MarginFn,
) -> ShipStation | None:
    """The drone ship's station for the scenario's payload on the pitch kick ``kick_rad``.

    Parameters
    ----------
    scenario, vehicle, target
        A drone-ship flight without a station (``needs_station``) and its target orbit.
    kick_rad : float
        The pitch kick designed with the ship under the ballistic path.
    margin : callable
        ``margin(problem, payload_kg, log_kick)``: the upper stage's propellant over its
        flight-performance reserve, negative when the payload misses the orbit or the predicted
        recovery cannot be flown (``payload.design``).

    Returns
    -------
    ShipStation or None
        None: the ship stays under the ballistic path (the nominal fall already enters at the
        planned speed, or the station where it would cannot be afforded).
    """
    payload = scenario.mission.payload_mass_kg
    speed = TYPICAL_ENTRY_SPEED_MPS
    ballistic = _ballistic_km(_problem(scenario, vehicle, target, None), payload, kick_rad)

    def problem(km: float) -> ModeProblem:
        return _problem(scenario, vehicle, target, km)

    def too_fast(km: float) -> bool:  # NaN (never reaches the entry altitude): not too fast
        return _entry_speed(problem(km), payload, kick_rad) > speed

    def affordable(km: float) -> bool:
        return margin(problem(km), payload, math.log(kick_rad)) >= 0.0

    if not too_fast(ballistic) or too_fast(NEAREST_KM):
        return None
    km = _bisect(NEAREST_KM, ballistic, too_fast)
    if not affordable(km):
        return None
    return ShipStation(km, ballistic, _entry_speed(problem(km), payload, kick_rad))
