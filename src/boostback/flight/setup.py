"""Turn a validated flight scenario and vehicle into the numbers the flight kernels need."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from boostback.config.errors import ConfigError
from boostback.config.flight_models import FlightScenario, SiteRef, SiteSpec, descent_limits
from boostback.config.models import Stage, Vehicle
from boostback.constants import G0_MPS2
from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment.atmosphere import USSA1976
from boostback.environment.earth import EarthModel, SphericalEarth, WGS84Earth
from boostback.environment.frames import (
    SITES,
    Site,
    destination,
    enu_basis,
    launch_azimuth_rad,
    out_of_reach_launch,
)
from boostback.flight.dynamics import Body, World
from boostback.flight.predict import EntryBurnSpec
from boostback.guidance.entry import EntryTarget, entry_target_speed
from boostback.plant.setup import aero_params, stage_propulsion, wind_model

__all__ = ["FlightSetup", "flight_setup", "flown_vehicle", "resolve_site", "stage_propulsion"]


def resolve_site(ref: SiteRef, key: str, file: str | None = None) -> Site:
    """A ``Site`` from a key of ``SITES`` or an inline table; unknown keys raise ConfigError."""
    if isinstance(ref, SiteSpec):
        return Site(ref.name or "site", ref.lat_deg, ref.lon_deg, ref.alt_m)
    if ref not in SITES:
        raise ConfigError(
            f"unknown site '{ref}'; known sites: {', '.join(sorted(SITES))} "
            "(or give a table with lat_deg, lon_deg, alt_m)",
            file=file,
            key=key,
        )
    return SITES[ref]


def _capped(prop: PropulsionParams, throttle: float) -> PropulsionParams:
    """``prop`` flown at most at ``throttle`` of its rated thrust."""
    cap = min(prop.throttle_max, throttle)
    return replace(prop, throttle_max=cap, throttle_min=min(prop.throttle_min, cap))


def _aero(area_m2: float, table: list[tuple[float, float]]) -> AeroParams:
    return AeroParams(area_m2, tuple(float(r[0]) for r in table), tuple(float(r[1]) for r in table))


@dataclass(frozen=True)
class FlightSetup:
    """Everything the full flight needs, resolved from the vehicle and the scenario."""

    vehicle: Vehicle
    scenario: FlightScenario
    world: World
    launch_site: Site
    launch_azimuth_rad: float
    target: Site | None  # landing pad or drone ship; None: expendable, or ship still to plan
    upper_mass_kg: float  # second stage, payload and fairing: dropped at separation
    ascent_prop: PropulsionParams
    boostback_prop: PropulsionParams
    entry_prop: PropulsionParams
    ascent_body: Body
    descent_body: Body

    @property
    def booster(self) -> Stage:
        return self.vehicle.booster

    def entry_target(
        self, peaks: Callable[[float], tuple[float, float]], speed_mps: float
    ) -> EntryTarget:
        """The entry-burn end speed that keeps predicted peak q and heating within this stage's
        limits (those ``scenario.entry.limits`` names, with the scenario's margin and speed cap);
        ``peaks`` predicts them for a speed."""
        hw = self.booster.recovery
        assert hw is not None
        q_pa, heat_wpm2 = descent_limits(hw, self.scenario.entry)
        return entry_target_speed(
            peaks,
            speed_mps,
            q_pa,
            heat_wpm2,
            self.scenario.entry.limit_margin,
            v_max_mps=self.scenario.entry.max_end_speed_mps,
        )

    def entry_spec(self, start_altitude_m: float, target_speed_mps: float) -> EntryBurnSpec:
        """The entry burn on this stage's entry engines at the scenario's entry throttle."""
        return EntryBurnSpec(
            self.entry_prop, start_altitude_m, target_speed_mps, self.scenario.entry.throttle
        )

    @property
    def dry_mass_kg(self) -> float:
        """The booster's burnout mass: dry plus its unusable propellant (``Stage.burnout_mass_kg``).
        Every burn of the flight stops there, and the recorded propellant counts from it."""
        return self.booster.burnout_mass_kg

    @property
    def liftoff_mass_kg(self) -> float:
        return self.booster.wet_mass_kg + self.upper_mass_kg

    @property
    def mode(self) -> str:
        return self.scenario.recovery.mode

    @property
    def ground_alt_m(self) -> float:
        """Height of the landing surface (the launch site's for an expendable flight)."""
        return (self.target or self.launch_site).alt_m

    def site_ecef(self, site: Site) -> np.ndarray:
        return self.world.earth.geodetic_to_ecef(site.lat_rad, site.lon_rad, site.alt_m)

    def launch_frame(self) -> tuple[np.ndarray, np.ndarray]:
        """Launch-site ECEF position and ENU basis (rows east, north, up in ECEF)."""
        s = self.launch_site
        return self.site_ecef(s), enu_basis(s.lat_rad, s.lon_rad)

    def with_target(self, target: Site | None) -> FlightSetup:
        return FlightSetup(**{**self.__dict__, "target": target})

    @property
    def exhaust_vac_mps(self) -> float:
        return self.booster.engine.isp_vac_s * G0_MPS2

    @property
    def exhaust_sl_mps(self) -> float:
        e = self.booster.engine
        return (e.isp_sl_s or e.isp_vac_s) * G0_MPS2


def _ship_site(scenario: FlightScenario, launch: Site, azimuth: float, earth_r: float) -> Site:
    rec = scenario.recovery
    assert rec.ship_downrange_km is not None
    lat, lon = destination(
        launch.lat_rad, launch.lon_rad, azimuth, rec.ship_downrange_km * 1e3, earth_r
    )
    if rec.ship_crossrange_km:
        side = azimuth + (math.pi / 2 if rec.ship_crossrange_km > 0 else -math.pi / 2)
        lat, lon = destination(lat, lon, side, abs(rec.ship_crossrange_km) * 1e3, earth_r)
    return Site("drone ship", math.degrees(lat), math.degrees(lon), 0.0)


def _check_vehicle(vehicle: Vehicle, scenario: FlightScenario, file: str | None) -> None:
    """A whole mission needs the vehicle's recovery (unless expended), landing, ascent and upper
    stage tables, and burn throttles the engines can give."""
    booster = vehicle.booster
    missing = [
        name
        for name, value in (
            ("booster.recovery", booster.recovery),
            ("booster.landing", booster.landing),
            ("ascent", vehicle.ascent),
            ("upper_stage", vehicle.upper_stage),
        )
        if value is None
    ]
    if missing and not (
        scenario.recovery.mode == "expendable"
        and "booster.recovery" in missing
        and len(missing) == 1
    ):
        raise ConfigError(
            f"vehicle '{vehicle.key}' cannot fly a full mission: it has no {missing[0]} table",
            file=file,
            key="vehicle",
        )
    for burn, throttle in (
        ("ascent", scenario.ascent.throttle),
        ("boostback", scenario.boostback.throttle),
        ("entry", scenario.entry.throttle),
    ):
        if throttle < booster.engine.throttle_min:
            raise ConfigError(
                f"{burn} throttle {throttle:g} is below the engine's floor "
                f"{booster.engine.throttle_min:g}",
                file=file,
                key=f"{burn}.throttle",
            )


def plane_turn(scenario: FlightScenario, launch: Site) -> tuple[float, str] | None:
    """The due east (west) launch and its note when the scenario's target orbit is inclined below
    (above) what a direct launch from ``launch`` reaches (``out_of_reach_launch``): the upper
    stage turns the plane, as in the payload solve. None otherwise, when the scenario gives its
    azimuth, or without a target orbit (nothing would turn the plane: refused)."""
    mission = scenario.mission
    if (
        mission.launch_azimuth_deg is not None
        or mission.inclination_deg is None
        or mission.target_orbit is None
    ):
        return None
    return out_of_reach_launch(launch.lat_deg, mission.inclination_deg)


def _azimuth(scenario: FlightScenario, launch: Site, earth: EarthModel, file: str | None) -> float:
    """The launch azimuth: as given, or for the target inclination from the launch latitude
    (due east or west when no direct launch reaches it: ``plane_turn``)."""
    mission = scenario.mission
    if mission.launch_azimuth_deg is not None:
        return math.radians(mission.launch_azimuth_deg)
    turn = plane_turn(scenario, launch)
    if turn is not None:
        return math.radians(turn[0])
    try:
        return launch_azimuth_rad(
            launch.lat_rad,
            math.radians(mission.inclination_deg or 0.0),
            ascending=mission.ascending,
            omega_radps=earth.omega_radps,
        )
    except ValueError as exc:
        raise ConfigError(str(exc), file=file, key="mission.inclination_deg") from None


def flown_vehicle(vehicle: Vehicle, scenario: FlightScenario) -> Vehicle:
    """The vehicle as a whole flight flies it.

    - The booster's unusable propellant (``residual_propellant_kg``) is folded into its dry
      mass: every burn, plant and guidance of the flight (the landing burn's and the rigid
      body's included) then stops at the burnout mass and counts the propellant above it.
    - The booster's engines are scaled by the scenario's ``booster.engine_thrust_factor`` (an
      earlier block): sea-level and vacuum thrust alike, the Isp kept, so the flow scales too.

    The vehicle itself when neither applies.
    """
    factor = scenario.booster.engine_thrust_factor
    b = vehicle.booster
    if factor == 1.0 and b.residual_propellant_kg == 0.0:
        return vehicle
    e = b.engine
    engine = e.model_copy(
        update={
            "thrust_vac_n": e.thrust_vac_n * factor,
            "thrust_sl_n": None if e.thrust_sl_n is None else e.thrust_sl_n * factor,
        }
    )
    booster = b.model_copy(
        update={
            "engine": engine,
            "dry_mass_kg": b.burnout_mass_kg,
            "propellant_mass_kg": b.propellant_mass_kg - b.residual_propellant_kg,
            "residual_propellant_kg": 0.0,
        }
    )
    return vehicle.model_copy(update={"booster": booster})


def flight_setup(
    vehicle: Vehicle, scenario: FlightScenario, file: str | None = None
) -> FlightSetup:
    """Resolve sites, azimuth, masses, engines and aerodynamics; ``ConfigError`` if impossible.
    The setup's vehicle is the one flown (``flown_vehicle``)."""
    vehicle = flown_vehicle(vehicle, scenario)
    _check_vehicle(vehicle, scenario, file)
    booster = vehicle.booster
    assert vehicle.ascent is not None and vehicle.upper_stage is not None
    earth = WGS84Earth() if scenario.sim.earth == "wgs84" else SphericalEarth()
    world = World(earth, USSA1976(), wind=wind_model(scenario.environment))
    mission = scenario.mission
    launch = resolve_site(mission.launch_site, "mission.launch_site", file)
    azimuth = _azimuth(scenario, launch, earth, file)
    rec = scenario.recovery
    target: Site | None = None
    if rec.mode in ("rtls", "downrange"):
        assert rec.site is not None
        target = resolve_site(rec.site, "recovery.site", file)
    elif rec.mode == "droneship" and rec.ship_downrange_km is not None:
        target = _ship_site(scenario, launch, azimuth, earth.equatorial_radius_m)
    upper = vehicle.upper_stage.wet_mass_kg + mission.payload_mass_kg
    if mission.fairing:
        upper += vehicle.ascent.fairing_mass_kg
    hw = booster.recovery
    gf = booster.grid_fins
    fins = gf.authority_m2 if gf is not None else 0.0
    setup = FlightSetup(
        vehicle=vehicle,
        scenario=scenario,
        world=world,
        launch_site=launch,
        launch_azimuth_rad=azimuth,
        target=target,
        upper_mass_kg=upper,
        ascent_prop=_capped(
            stage_propulsion(booster, booster.engine_count), scenario.ascent.throttle
        ),
        boostback_prop=stage_propulsion(booster, hw.boostback_engines if hw else 1),
        entry_prop=stage_propulsion(booster, hw.entry_engines if hw else 1),
        ascent_body=Body(_aero(booster.area_m2, vehicle.ascent.cd_mach)),
        # engines first, fins deployed: the landing burn's drag model (fin drag, plume shielding)
        descent_body=Body(aero_params(booster), fins),
    )
    _check_liftoff(setup, file)
    return setup


def _check_liftoff(setup: FlightSetup, file: str | None) -> None:
    """The stack must rise off the pad at its ascent throttle: thrust above the lift-off weight.
    When even the engines' full thrust cannot lift it, the payload is named (with the most the
    stack lifts off with), not the throttle: no throttle would fly it."""
    prop = setup.ascent_prop
    p_pa = setup.world.atmosphere.scalar(setup.launch_site.alt_m)[1]
    thrust = prop.thrust_n(p_pa, prop.throttle_max)
    weight = setup.liftoff_mass_kg * G0_MPS2
    if thrust > 1.05 * weight:
        return
    payload_kg = setup.scenario.mission.payload_mass_kg
    rated = stage_propulsion(setup.booster, setup.booster.engine_count)
    full_n = rated.thrust_n(p_pa, rated.throttle_max)
    most_kg = full_n / (1.05 * G0_MPS2) - (setup.liftoff_mass_kg - payload_kg)
    if full_n <= 1.05 * weight and payload_kg > 0.0 and most_kg > 0.0:
        raise ConfigError(
            f"with a {payload_kg:,.0f} kg payload the stack cannot lift off even at full "
            f"throttle: {full_n / 1e3:.0f} kN of thrust against {weight / 1e3:.0f} kN of weight "
            f"(a thrust-to-weight ratio above 1.05 lifts at most {most_kg:,.0f} kg of payload "
            "off the pad)",
            file=file,
            key="mission.payload_mass_kg",
        )
    raise ConfigError(
        f"at ascent throttle {setup.scenario.ascent.throttle:g} the stack cannot lift off: "
        f"{thrust / 1e3:.0f} kN of thrust against {weight / 1e3:.0f} kN of weight "
        "(needs a thrust-to-weight ratio above 1.05)",
        file=file,
        key="ascent.throttle",
    )
