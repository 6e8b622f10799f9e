"""Validated models of a whole first-stage mission: sites, ascent, recovery plan and burns.

Kept apart from ``models`` (vehicles and landing-burn scenarios), which it builds on.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, model_validator

from boostback.config.errors import KeyedValueError
from boostback.config.models import (
    MIN_DT_S,
    GuidanceConfig,
    RecoveryHardware,
    SimConfig,
    WindConfig,
    _Model,
    bounded,
)
from boostback.config.vocab import RecoveryMode

__all__ = [
    "DEFAULT_MECO_FLIGHT_PATH_DEG",
    "FlightScenario",
    "OrbitSpec",
    "SiteRef",
    "SiteSpec",
    "descent_limits",
]


class SiteSpec(_Model):
    """A place given inline: geodetic latitude/longitude (deg) and height above the ellipsoid."""

    name: str = ""
    lat_deg: Annotated[float, Strict(), Field(ge=-90, le=90)]
    lon_deg: Annotated[float, Strict(), Field(ge=-180, le=360)]
    alt_m: bounded(-500.0, 9_000.0) = 0.0  # the Dead Sea shore to above Everest


SiteRef = str | SiteSpec  # a key of ``environment.frames.SITES`` or an inline table

# Ascent throttle floor. Launchers lift off at a thrust-to-weight of about 1.2-1.5 at full
# thrust (Falcon 9 ~1.4, Saturn V ~1.2), so below half thrust none leaves the pad. A 1 % ascent
# throttle used to be accepted and "flown". Above this, whether a given vehicle lifts off and
# whether its engines throttle that deep depend on the vehicle, which this model does not see:
# those checks belong with the vehicle (flight_setup checks the boostback and entry throttles).
MIN_ASCENT_THROTTLE = 0.5
# Boostback and entry burns are checked against the engine's own floor in flight_setup; here
# only what no engine gives: the deepest throttling flown is ~10 % (the Apollo LM descent
# engine, 10-60 % and full thrust).
MIN_BURN_THROTTLE = 0.1
# The MECO flight path flown when the scenario neither sets one nor gives a target orbit to
# design the ascent for (a generic RTLS-lofted value; webcasts show 32-55 deg).
DEFAULT_MECO_FLIGHT_PATH_DEG = 40.0
BurnThrottle = Annotated[float, Strict(), Field(ge=MIN_BURN_THROTTLE, le=1)]


class OrbitSpec(_Model):
    """The orbit the mission's upper stage inserts the payload into (its inclination is the
    mission's ``inclination_deg``): perigee and apogee altitudes over the equatorial radius, and
    for a transfer orbit (GTO) the argument of perigee, which has it flown as the payload solve
    flies it: a parking orbit, a coast and a perigee burn."""

    perigee_km: bounded(80.0, 1e6)
    apogee_km: bounded(80.0, 1e6)
    argp_deg: Annotated[float, Strict(), Field(ge=0, lt=360)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> OrbitSpec:
        if self.apogee_km < self.perigee_km:
            raise KeyedValueError("apogee_km", "the apogee must be at or above the perigee")
        return self


class MissionConfig(_Model):
    """Where the rocket flies from, which way, and what it carries."""

    launch_site: SiteRef
    inclination_deg: Annotated[float, Strict(), Field(ge=0, le=180)] | None = None
    launch_azimuth_deg: Annotated[float, Strict(), Field(ge=0, lt=360)] | None = None
    ascending: Annotated[bool, Strict()] = (
        True  # launch into the ascending node (north-going) of the orbit
    )
    payload_mass_kg: bounded(0, 1e7)
    fairing: Annotated[bool, Strict()] = (
        True  # carry the vehicle's fairing (a capsule flies without one)
    )
    # The payload's orbit (public mission data): with it, and neither ``ascent.pitch_kick_deg``
    # nor ``ascent.meco_flight_path_deg`` given, the ascent is designed for it
    # (``payload.design.design_ascent``).
    target_orbit: OrbitSpec | None = None
    # How many burns the upper stage flies to that orbit (public mission data: a launch
    # timeline's SECO and separation times): 1 straight to the orbit, 2 a transfer orbit, a coast
    # and a burn at its apogee. None: one burn up to a 350 km perigee, two above
    # (``payload.upper_stage.DIRECT_MAX_ALT_M``). Strict: ``true`` is not 1 burn.
    upper_stage_burns: Annotated[int, Strict(), Field(ge=1, le=2)] | None = None

    @model_validator(mode="after")
    def _one_direction(self) -> MissionConfig:
        if (self.inclination_deg is None) == (self.launch_azimuth_deg is None):
            raise KeyedValueError(
                "inclination_deg", "give exactly one of inclination_deg and launch_azimuth_deg"
            )
        return self


class RecoveryPlan(_Model):
    """Where the booster lands and how much propellant it keeps for the way back."""

    mode: RecoveryMode
    site: SiteRef | None = None  # landing pad for rtls and downrange
    # Drone ship position along the launch azimuth; without it the ship is stationed under the
    # ballistic path of the nominal flight (planned before launch).
    ship_downrange_km: bounded(above=0, high=5_000.0) | None = None
    ship_crossrange_km: bounded(-1_000.0, 1_000.0) = 0.0
    reserve_margin: Annotated[float, Strict(), Field(ge=0, le=1)] = 0.1

    @model_validator(mode="after")
    def _site(self) -> RecoveryPlan:
        if self.mode in (RecoveryMode.RTLS, RecoveryMode.DOWNRANGE) and self.site is None:
            raise KeyedValueError("site", f"a '{self.mode}' recovery needs a landing site")
        return self


class AscentProgram(_Model):
    """Vertical rise, pitch kick, then a zero-angle-of-attack gravity turn.

    The kick is given (``pitch_kick_deg``), or solved before launch so that the flight path at
    MECO is ``meco_flight_path_deg`` above the horizon, or designed for the mission's target
    orbit (``payload.design.design_ascent``, which sets ``pitch_kick_deg``). Both keys are
    optional overrides; with neither and no target orbit, the MECO flight path is
    ``DEFAULT_MECO_FLIGHT_PATH_DEG``.
    """

    vertical_rise_s: bounded(above=0, high=600.0) = 10.0
    kick_duration_s: bounded(above=0, high=600.0) = 10.0
    pitch_kick_deg: Annotated[float, Strict(), Field(gt=0, lt=45)] | None = None
    meco_flight_path_deg: Annotated[float, Strict(), Field(gt=5, lt=85)] | None = None
    q_lookahead_s: bounded(0, 60.0) = 3.0  # max-Q throttle law looks this far ahead
    # Throttle the ascent flies at outside max-Q and the acceleration limit, as a fraction of
    # rated thrust (engines are often flown below their rating). At least MIN_ASCENT_THROTTLE:
    # below it no launcher lifts off (see there).
    throttle: Annotated[float, Strict(), Field(ge=MIN_ASCENT_THROTTLE, le=1)] = 1.0


class BoosterVariant(_Model):
    """The flown booster where it differs from the vehicle file's: an earlier block of the same
    stage. ``engine_thrust_factor`` scales every engine's sea-level and vacuum thrust (the Isp
    kept, so the propellant flow scales with it) in every burn of the flight."""

    engine_thrust_factor: Annotated[float, Strict(), Field(ge=0.5, le=1.5)] = 1.0


class BoostbackPlan(_Model):
    # No burn when the unpowered impact point is already this close to the site: the grid
    # fins (and the landing burn) take out the rest.
    skip_miss_m: bounded(0, 1e6) = 500.0
    # closed-loop re-targeting period during the burn
    retarget_period_s: bounded(MIN_DT_S, 60.0) = 2.0
    # Range searched for the burn's pitch above the local horizon (least boostback + entry
    # propellant).
    pitch_min_deg: Annotated[float, Strict(), Field(ge=-60, le=60)] = -25.0
    pitch_max_deg: Annotated[float, Strict(), Field(ge=-60, le=80)] = 25.0
    # Throttle of the boostback engines (a fraction of full thrust, at or above the engine's
    # floor, which flight_setup checks): a lower-thrust burn lasts longer for the same
    # velocity change.
    throttle: BurnThrottle = 1.0


class EntryPlan(_Model):
    # entry burn lights descending through this altitude
    start_altitude_m: bounded(above=0, high=200_000.0) = 55_000.0
    limit_margin: Annotated[float, Strict(), Field(ge=0, lt=1)] = 0.1  # below the limits
    # Optional cap on the speed the burn ends at (a deeper burn than the descent limits ask for):
    # a stage whose landing burn needs it to reach the handover slower and steeper.
    max_end_speed_mps: bounded(above=0, high=1e4) | None = None
    # Which descent limits the entry burn (and the reserve kept for it) brakes to: the vehicle's
    # preferred limits, or its survival envelope (``descent_limits``), the
    # least entry burn the stage survives. The ascent design (``payload.design.design_ascent``)
    # sets "envelope" when the payload leaves the booster too little for the preferred limits.
    limits: Literal["preferred", "envelope"] = "preferred"
    # Throttle of the entry engines (a fraction of full thrust, at or above the engine's floor,
    # which flight_setup checks): a gentler burn lights at the same altitude but lasts longer
    # and ends lower.
    throttle: BurnThrottle = 1.0


class DescentPlan(_Model):
    guidance_period_s: bounded(MIN_DT_S, 60.0) = 1.0
    # zero-effort-miss gain of the grid-fin steering
    navigation_gain: bounded(above=0, high=100.0) = 3.0
    # landing executive takes over below this (above pad)
    handover_altitude_m: bounded(above=0, high=100_000.0) = 7_000.0


class FlightSimConfig(_Model):
    """A whole flight's integration steps (floored at ``models.MIN_DT_S`` for the same reason
    as a landing burn's), time limit (a first-stage mission is over in about ten minutes; two
    hours bound the powered steps at 7.2 million) and fidelity: ``dof`` 3 (point mass) or 6 (the
    booster a rigid body from separation to touchdown, with attitude control: the vehicle needs
    a ``[booster.rigid_body]`` section; docs/six_dof.md)."""

    dt_powered_s: Annotated[float, Strict(), Field(ge=MIN_DT_S, le=1)] = 0.1
    dt_coast_s: Annotated[float, Strict(), Field(ge=MIN_DT_S, le=10)] = 1.0
    max_time_s: Annotated[float, Strict(), Field(gt=0, le=7_200.0)] = 1200.0
    earth: Literal["wgs84", "sphere"] = "wgs84"
    dof: Literal[3, 6] = 3


class FlightScenario(_Model):
    """A whole first-stage mission: ascent, recovery burns, descent and landing."""

    vehicle: str
    mission: MissionConfig
    recovery: RecoveryPlan
    booster: BoosterVariant = BoosterVariant()
    ascent: AscentProgram = AscentProgram()
    boostback: BoostbackPlan = BoostbackPlan()
    entry: EntryPlan = EntryPlan()
    descent: DescentPlan = DescentPlan()
    landing: GuidanceConfig = GuidanceConfig()  # the landing-burn guidance
    landing_sim: SimConfig = SimConfig()
    sim: FlightSimConfig = FlightSimConfig()
    # the wind over the whole flight (ENU at the vehicle's position; layered by altitude above
    # the Earth model): the drag, the fins, the predictions and the landing burn all see it
    environment: WindConfig = WindConfig()
    name: str = ""
    description: str = ""


def descent_limits(hw: RecoveryHardware, entry: EntryPlan) -> tuple[float, float]:
    """Peak dynamic pressure (Pa) and Sutton-Graves heating index (W/m^2) the descent is held
    below: the vehicle's preferred limits (``max_entry_dynamic_pressure_pa``,
    ``max_heat_flux_w_m2``, what the planner brakes to when the propellant the payload leaves
    the booster allows it), or, with ``entry.limits == "envelope"``, its survival envelope
    (``envelope_entry_dynamic_pressure_pa``, ``envelope_heat_flux_w_m2``: above the hottest
    descent a stage of the type is known to have survived). The envelope is never below the
    preferred limits: a missing or lower envelope value leaves its preferred limit.
    """
    q, heat = hw.max_entry_dynamic_pressure_pa, hw.max_heat_flux_w_m2
    if entry.limits == "envelope":
        q = max(q, hw.envelope_entry_dynamic_pressure_pa or q)
        heat = max(heat, hw.envelope_heat_flux_w_m2 or heat)
    return q, heat
