"""The ascent designed for a flight's target orbit, in place of a fitted MECO flight path.

A scenario that gives its payload's orbit (``mission.target_orbit``, public mission data) and
neither ``ascent.pitch_kick_deg`` nor ``ascent.meco_flight_path_deg`` (the optional overrides)
has its pitch kick chosen here: the one that leaves the upper stage the most propellant when it
puts the scenario's payload into that orbit (``payload.solver.evaluate``: the booster's ascent
to MECO at exactly its recovery reserve, then the upper stage's guided burns), found on a grid
of log(kick) refined by golden section, as the payload solve does for the heaviest payload. The
flight path at MECO is then an outcome of the design, not an input.

The design is bounded by the recovery: a recovered flight's trial kick counts only when the
recovery predicted from its MECO can be flown (``payload.recovery.predict_recovery``: the
boostback the flight would plan, the entry burn the descent limits would then ask for ending
above the hand-over altitude, the three burns within what the booster keeps). Without the bound
a light payload on a one-burn ascent is lofted to the kick range's end, where the upper stage
gains a few hundred kilograms and the entry burn, lit at its altitude, can no longer reach its
target speed before the landing takes over (docs/flights.md, point 9).

A drone-ship flight whose file gives no ``recovery.ship_downrange_km`` has its ship's station
designed too (``payload.station``: brought in from the ballistic path until the booster enters
at its planned entry speed, as far as the mission's spare allows), and the kick then designed
for that station; both are written into the scenario returned.

The flight layer cannot call this (it lies below ``payload``): ``design_ascent`` returns the
scenario with the designed kick written in, which ``flight.executive.fly_mission`` then flies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.config.errors import ConfigError, KeyedValueError
from boostback.config.flight_models import FlightScenario
from boostback.config.models import Vehicle
from boostback.flight.ascent import AscentResult
from boostback.flight.setup import flight_setup
from boostback.payload.recovery import RecoveryPrediction, envelope_scenario, predict_recovery
from boostback.payload.solver import (
    INFEASIBLE_KG,
    KICK_RANGE_DEG,
    ModeProblem,
    evaluate,
    mode_problem,
    with_payload,
)
from boostback.payload.station import ShipStation, design_station, needs_station, with_station
from boostback.payload.upper_stage import Insertion, TargetOrbit

__all__ = ["AscentDesign", "design_ascent", "needs_design", "target_orbit"]

GRID_POINTS = 9
GOLDEN_STEPS = 14
# The design to the survival envelope: its flyable kicks lie in a narrow window (a GTO MECO
# shallow enough that the envelope's entry target is reached above the hand-over, steep enough
# that the booster keeps what the drone ship's recovery needs: BulgariaSat-1 1.8-2.1 deg, a 16 %
# span), which the 9-point grid's 74 % steps step over; 37 points step 16 %.
ENVELOPE_GRID_POINTS = 4 * (GRID_POINTS - 1) + 1
# a trial whose ascent reaches the orbit but whose recovery cannot be flown: below any margin,
# above the trials that fail outright (``INFEASIBLE_KG``)
UNFLYABLE_KG = INFEASIBLE_KG / 4


@dataclass(frozen=True)
class AscentDesign:
    """The designed kick and what it leaves the upper stage."""

    kick_deg: float
    margin_kg: float  # upper-stage propellant left over its flight-performance reserve
    meco_flight_path_deg: float
    target: TargetOrbit
    recovery: RecoveryPrediction | None = None  # predicted from the designed MECO
    station: ShipStation | None = None  # the drone ship's designed station (None: not designed)
    insertion: Insertion | None = None  # the upper stage's flight to the orbit from that MECO


def needs_design(scenario: FlightScenario) -> bool:
    """Whether the scenario's ascent is to be designed: a target orbit (at the mission's
    inclination) and no override."""
    asc = scenario.ascent
    return (
        scenario.mission.target_orbit is not None
        and scenario.mission.inclination_deg is not None
        and asc.pitch_kick_deg is None
        and asc.meco_flight_path_deg is None
    )


def target_orbit(scenario: FlightScenario) -> TargetOrbit:
    """The scenario's target orbit (``mission.target_orbit`` at ``mission.inclination_deg``,
    flown in ``mission.upper_stage_burns`` burns when the scenario gives them)."""
    orbit = scenario.mission.target_orbit
    assert orbit is not None and scenario.mission.inclination_deg is not None
    return TargetOrbit(
        orbit.perigee_km * 1e3,
        orbit.apogee_km * 1e3,
        scenario.mission.inclination_deg,
        argp_deg=orbit.argp_deg,
        burns=scenario.mission.upper_stage_burns,
    )


def _recovery(p: ModeProblem, payload_kg: float, asc: AscentResult) -> RecoveryPrediction:
    return predict_recovery(with_payload(p, payload_kg), p.reserve_model, asc)


def _margin(p: ModeProblem, payload_kg: float, log_kick: float) -> float:
    """The upper stage's margin for this kick; ``UNFLYABLE_KG`` below any margin when the
    recovery predicted from its MECO cannot be flown (a recovered mode only)."""
    margin, asc, _ins = evaluate(p, payload_kg, math.exp(log_kick))
    if p.mode == "expendable" or asc is None or margin <= INFEASIBLE_KG / 2:
        return margin
    if not _recovery(p, payload_kg, asc).flyable:
        return UNFLYABLE_KG
    return margin


def _best(p: ModeProblem, payload_kg: float, points: int = GRID_POINTS) -> tuple[float, float]:
    """log(kick) of the most upper-stage margin, and that margin (``points`` on the grid)."""
    lo, hi = (math.log(math.radians(d)) for d in KICK_RANGE_DEG)
    grid = np.linspace(lo, hi, points)
    values = [_margin(p, payload_kg, g) for g in grid]
    k = int(np.argmax(values))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, points - 1)]
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = _margin(p, payload_kg, c), _margin(p, payload_kg, d)
    for _ in range(GOLDEN_STEPS):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = _margin(p, payload_kg, c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = _margin(p, payload_kg, d)
    best_f, best_x = max((values[k], grid[k]), (fc, c), (fd, d))
    return float(best_x), float(best_f)


def _stationed(
    scenario: FlightScenario,
    vehicle: Vehicle,
    target: TargetOrbit,
    problem: ModeProblem,
    log_kick: float,
    margin: float,
) -> tuple[FlightScenario, ModeProblem, float, float, ShipStation | None]:
    """A drone-ship flight without a station: the station designed on the ballistic design's
    kick (``payload.station.design_station``), then the kick designed for that station. The
    ballistic design unchanged (station None) when no station is designed or the kick designed
    for it leaves the upper stage short."""
    station = design_station(scenario, vehicle, target, math.exp(log_kick), _margin)
    if station is None:
        return scenario, problem, log_kick, margin, None
    stationed = with_station(scenario, station.downrange_km)
    setup = flight_setup(vehicle, stationed)
    p = mode_problem(setup, setup.vehicle, target)
    lk, m = _best(p, scenario.mission.payload_mass_kg)
    if m < 0.0:
        return scenario, problem, log_kick, margin, None
    return stationed, p, lk, m, station


def design_ascent(
    scenario: FlightScenario, vehicle: Vehicle, file: str | None = None
) -> tuple[FlightScenario, AscentDesign | None]:
    """The scenario with its pitch kick designed for its target orbit (``needs_design``), and
    the design; the scenario itself and None when it carries an override or no target orbit.
    A drone-ship flight without a station also gets its designed station
    (``recovery.ship_downrange_km``; ``AscentDesign.station``), unless the ship stays under the
    ballistic path.

    Raises
    ------
    ConfigError
        When no kick puts the payload into the orbit (the best margin is negative): the
        scenario's ``mission.payload_mass_kg``, in ``file`` when given.
    """
    if not needs_design(scenario):
        return scenario, None
    try:
        target = target_orbit(scenario)
    except ValueError as exc:  # TargetOrbit's checks name their key within [mission]
        key = f"mission.{exc.key}" if isinstance(exc, KeyedValueError) else "mission.target_orbit"
        raise ConfigError(str(exc), file=file, key=key) from None
    setup = flight_setup(vehicle, scenario)
    problem = mode_problem(setup, setup.vehicle, target)
    payload = scenario.mission.payload_mass_kg
    log_kick, margin = _best(problem, payload)
    envelope = envelope_scenario(scenario, vehicle) if margin < 0.0 else None
    if envelope is not None:  # too little left for the preferred limits: the survival envelope
        setup_e = flight_setup(vehicle, envelope)
        problem_e = mode_problem(setup_e, setup_e.vehicle, target)
        log_kick_e, margin_e = _best(problem_e, payload, ENVELOPE_GRID_POINTS)
        if margin_e >= 0.0:
            scenario, problem, log_kick, margin = envelope, problem_e, log_kick_e, margin_e
    station = None
    if margin >= 0.0 and needs_station(scenario):
        scenario, problem, log_kick, margin, station = _stationed(
            scenario, vehicle, target, problem, log_kick, margin
        )
    if margin < 0.0:
        lo, hi = KICK_RANGE_DEG
        if margin > UNFLYABLE_KG / 2:
            why = f"best: {-margin:.0f} kg short"
        elif margin > INFEASIBLE_KG / 2:
            why = "at every kick that reaches the orbit the predicted recovery cannot be flown"
        else:
            why = (
                f"at every kick from {lo} to {hi} deg the stack does not lift off, the booster "
                "runs into its recovery reserve before MECO, or the upper stage misses the orbit"
            )
        raise ConfigError(
            f"{scenario.name or 'the scenario'}: no pitch kick puts {payload:.0f} kg into "
            f"{target.label} ({why})",
            file=file,
            key="mission.payload_mass_kg",
        )
    kick_deg = math.degrees(math.exp(log_kick))
    _f, asc, ins = evaluate(problem, payload, math.exp(log_kick))
    assert asc is not None
    recovery = None if problem.mode == "expendable" else _recovery(problem, payload, asc)
    ascent = scenario.ascent.model_copy(update={"pitch_kick_deg": kick_deg})
    design = AscentDesign(
        kick_deg, margin, math.degrees(asc.flight_path_rad), target, recovery, station, ins
    )
    return scenario.model_copy(update={"ascent": ascent}), design
