"""The largest payload each recovery mode can put into an orbit.

For one vehicle, target orbit and recovery mode: the booster flies the planner's ascent
(``flight.ascent.predict_ascent``: vertical rise, pitch kick, gravity turn, MECO when the
propellant aboard falls to the reserve its recovery needs, ``flight.reserve``), the upper stage
flies from that MECO state to the orbit (``payload.upper_stage.fly_to_orbit``), and the payload
is the largest mass for which the upper stage still has its flight-performance reserve left at
cut-off. Two searches:

- for a pitch kick, the payload by bracketed regula falsi (Illinois, ``numerics.illinois``) on
  the propellant left over that reserve, which falls with the payload;
- the pitch kick that gives the most payload, by a grid on log(kick) and a golden-section
  refinement: the ascent is designed, not fitted (the scenario's ``meco_flight_path_deg`` is not
  used; the MECO flight path that results is reported).

By construction the booster keeps exactly the reserve of its mode (MECO is where the propellant
aboard equals it): the booster's side of the constraint is met at every trial, and a recovered
mode whose booster burns out before that is infeasible for that payload.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from boostback.config.models import Vehicle
from boostback.constants import G0_MPS2
from boostback.environment.frames import Site, great_circle_distance_m
from boostback.flight.ascent import AscentResult, predict_ascent
from boostback.flight.dynamics import air_data
from boostback.flight.executive import plan_entry_speed, plan_reserve_model
from boostback.flight.reserve import ReserveBudget, ReserveModel
from boostback.flight.setup import FlightSetup
from boostback.numerics import illinois
from boostback.payload.upper_stage import (
    GuidanceSettings,
    Insertion,
    TargetOrbit,
    UpperStageModel,
    fly_to_orbit,
)

__all__ = [
    "FPR_FRACTION",
    "ModeProblem",
    "ModeResult",
    "StagingState",
    "evaluate",
    "inserted",
    "mode_problem",
    "solve_payload",
    "with_payload",
]

# Flight-performance reserve of the upper stage: propellant left at cut-off, as a fraction of its
# load. Estimate: launch-vehicle performance figures are quoted with a reserve of the order of
# 1 % of the stage's propellant (dispersions, residuals); SpaceX does not publish its own.
FPR_FRACTION = 0.01
KICK_RANGE_DEG = (0.3, 25.0)
# the insertion tolerance for LEO: perigee and apogee within 5 km, inclination 0.1 deg
INSERTION_TOL = (5.0, 0.1)
MIN_STAGING_ALT_M = 30_000.0  # a MECO below this is a failed ascent, not a staging
INFEASIBLE_KG = -1e9


@dataclass(frozen=True)
class StagingState:
    """The stack at MECO, as the booster leaves it."""

    t_s: float
    altitude_m: float
    speed_mps: float  # relative to the Earth
    inertial_speed_mps: float
    flight_path_deg: float
    downrange_km: float
    booster_propellant_kg: float  # aboard at MECO: the reserve kept
    kick_deg: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ModeProblem:
    """One recovery mode's flight, ready for payload trials."""

    mode: str
    setup: FlightSetup  # its upper_mass_kg is replaced per trial
    reserve_model: ReserveModel
    reserve_target: tuple[float, float, float] | None
    stage: UpperStageModel
    fairing_kg: float
    target: TargetOrbit
    residual_kg: float
    note: str = ""


@dataclass(frozen=True)
class ModeResult:
    mode: str
    payload_kg: float
    staging: StagingState | None
    reserve: ReserveBudget | None
    insertion: Insertion | None
    residual_kg: float
    note: str = ""

    @property
    def feasible(self) -> bool:
        return self.payload_kg > 0.0 and self.insertion is not None


def _expendable_model(setup: FlightSetup) -> ReserveModel:
    """The reserve model an expendable flight carries (``reserve_array`` zeroes it anyway)."""
    return ReserveModel(setup.dry_mass_kg, 3e3, 3e3, 4e14, 0.0, 5e4, 1e3, 50.0, 0.0, 0.0)


def mode_problem(
    setup: FlightSetup, vehicle: Vehicle, target: TargetOrbit, note: str = ""
) -> ModeProblem:
    """The mode's reserve model (as the flight executive plans it) and its upper stage."""
    if setup.mode == "expendable":
        model, tgt = _expendable_model(setup), None
    else:
        model = plan_reserve_model(setup, plan_entry_speed(setup))
        tgt = None
        if setup.target is not None:  # a drone ship under the ballistic path keeps no boostback
            r = setup.site_ecef(setup.target)
            tgt = (float(r[0]), float(r[1]), float(r[2]))
    stage = UpperStageModel.from_vehicle(vehicle)
    assert vehicle.ascent is not None
    fairing = vehicle.ascent.fairing_mass_kg if setup.scenario.mission.fairing else 0.0
    return ModeProblem(
        setup.mode, setup, model, tgt, stage, fairing, target,
        FPR_FRACTION * stage.propellant_kg, note,
    )  # fmt: skip


def with_payload(p: ModeProblem, payload_kg: float) -> FlightSetup:
    """The mode's flight with this payload (its upper-stage mass)."""
    upper = p.stage.dry_mass_kg + p.stage.propellant_kg + p.fairing_kg + payload_kg
    return replace(p.setup, upper_mass_kg=upper)


def _lifts_off(setup: FlightSetup) -> bool:
    prop = setup.ascent_prop
    p = setup.world.atmosphere.scalar(setup.launch_site.alt_m)[1]
    return prop.thrust_n(p, prop.throttle_max) > 1.05 * setup.liftoff_mass_kg * G0_MPS2


def evaluate(
    p: ModeProblem, payload_kg: float, kick_rad: float, settings: GuidanceSettings | None = None
) -> tuple[float, AscentResult | None, Insertion | None]:
    """Propellant the upper stage has left over its reserve with this payload and kick (kg;
    negative: short), the booster's ascent and the insertion."""
    setup = with_payload(p, payload_kg)
    if not _lifts_off(setup):
        return INFEASIBLE_KG, None, None
    asc = predict_ascent(setup, p.reserve_model, kick_rad, p.reserve_target)
    if asc.depleted and p.mode != "expendable":
        return INFEASIBLE_KG, asc, None
    if air_data(asc.state, setup.world).altitude_m < MIN_STAGING_ALT_M:
        return INFEASIBLE_KG, asc, None
    x = np.asarray(asc.state, dtype=np.float64)
    ins = fly_to_orbit(
        x[:3], x[3:6], asc.t_s, p.stage, payload_kg, p.fairing_kg, p.target,
        setup.world.earth, settings,
    )  # fmt: skip
    if not inserted(ins):
        return INFEASIBLE_KG, asc, ins
    return ins.propellant_left_kg - p.residual_kg, asc, ins


def inserted(ins: Insertion) -> bool:
    """Whether the burns ended on their cut-off and the orbit is within the insertion
    tolerances (``INSERTION_TOL``: perigee and apogee km, inclination deg)."""
    if not ins.reached:
        return False
    err = ins.errors
    km, deg = INSERTION_TOL
    return (
        abs(err["perigee_km"]) <= km
        and abs(err["apogee_km"]) <= km
        and abs(err["inclination_deg"]) <= deg
    )


def _payload_for_kick(p: ModeProblem, kick_rad: float, tol_kg: float) -> float:
    """Largest payload (kg) for this kick; 0 if even none reaches the orbit."""
    f0 = evaluate(p, 0.0, kick_rad)[0]
    if f0 <= 0.0:
        return 0.0
    hi = max(p.stage.propellant_kg * 0.25, 1_000.0)
    f_hi = evaluate(p, hi, kick_rad)[0]
    lo, f_lo = 0.0, f0
    while f_hi > 0.0:  # the bracket's heavy end must fall short
        lo, f_lo, hi = hi, f_hi, 2.0 * hi
        f_hi = evaluate(p, hi, kick_rad)[0]
    if f_hi <= INFEASIBLE_KG / 2:  # no lift-off or no MECO: bisect into the smooth range first
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            f_mid = evaluate(p, mid, kick_rad)[0]
            if f_mid > 0.0:
                lo, f_lo = mid, f_mid
            elif f_mid > INFEASIBLE_KG / 2:
                hi, f_hi = mid, f_mid
                break
            else:
                hi = mid
            if hi - lo < tol_kg:
                return lo
    x, _fx, a, _b = illinois(
        lambda m: evaluate(p, m, kick_rad)[0], lo, hi, f_lo, f_hi,
        ftol=0.5, xtol=tol_kg, max_iter=60,
    )  # fmt: skip
    return float(a if evaluate(p, x, kick_rad)[0] < 0.0 else x)


def _best_kick(p: ModeProblem, tol_kg: float) -> tuple[float, float]:
    """The pitch kick (rad) that carries the most payload, and that payload."""
    lo, hi = (math.log(math.radians(d)) for d in KICK_RANGE_DEG)
    grid = np.linspace(lo, hi, 9)
    pay = [_payload_for_kick(p, math.exp(g), tol_kg) for g in grid]
    k = int(np.argmax(pay))
    if pay[k] <= 0.0:
        return math.exp(grid[k]), 0.0
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = _payload_for_kick(p, math.exp(c), tol_kg), _payload_for_kick(p, math.exp(d), tol_kg)
    for _ in range(10):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = _payload_for_kick(p, math.exp(c), tol_kg)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = _payload_for_kick(p, math.exp(d), tol_kg)
    best = max((pay[k], grid[k]), (fc, c), (fd, d))
    return math.exp(best[1]), best[0]


def staging_state(setup: FlightSetup, asc: AscentResult, kick_rad: float) -> StagingState:
    """MECO as the booster leaves it (Earth-relative and inertial speed, downrange distance)."""
    x = asc.state
    air = air_data(x, setup.world)
    v = np.asarray(x[3:6])
    r = np.asarray(x[0:3])
    omega = setup.world.earth.omega_radps
    v_i = v + np.cross([0.0, 0.0, omega], r)
    site: Site = setup.launch_site
    down = great_circle_distance_m(site.lat_rad, site.lon_rad, air.lat_rad, air.lon_rad)
    return StagingState(
        t_s=asc.t_s,
        altitude_m=air.altitude_m,
        speed_mps=float(np.linalg.norm(v)),
        inertial_speed_mps=float(np.linalg.norm(v_i)),
        flight_path_deg=math.degrees(asc.flight_path_rad),
        downrange_km=float(down) / 1e3,
        booster_propellant_kg=float(x[6]) - setup.dry_mass_kg - setup.upper_mass_kg,
        kick_deg=math.degrees(kick_rad),
    )


def solve_payload(p: ModeProblem, tol_kg: float = 5.0) -> ModeResult:
    """The most payload this mode can put into ``p.target``, with its ascent and insertion.

    Parameters
    ----------
    p : ModeProblem
        From :func:`mode_problem`.
    tol_kg : float
        Payload tolerance of the root-find.

    Returns
    -------
    ModeResult
        ``payload_kg`` 0 (and no insertion) when the mode cannot reach the orbit at all.
    """
    kick, payload = _best_kick(p, tol_kg)
    if payload <= 0.0:
        return ModeResult(p.mode, 0.0, None, None, None, p.residual_kg,
                          (p.note + "; " if p.note else "") + "cannot reach the orbit")  # fmt: skip
    _f, asc, ins = evaluate(p, payload, kick)
    assert asc is not None and ins is not None
    setup = with_payload(p, payload)
    return ModeResult(
        p.mode, payload, staging_state(setup, asc, kick), asc.reserve, ins, p.residual_kg, p.note
    )
