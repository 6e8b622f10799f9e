"""Turn validated configuration into the numbers the kernels and the guidance need."""

from __future__ import annotations

from dataclasses import dataclass

from boostback.config.models import LandingScenario, Stage, Vehicle
from boostback.constants import EARTH_MU_M3PS2, EARTH_RADIUS_M, MARS_G_MPS2
from boostback.dynamics import AeroParams, Environment, PropulsionParams
from boostback.environment import (
    USSA1976,
    ConstantWind,
    InverseSquareGravity,
    LayeredWind,
    NoWind,
    UniformGravity,
    Vacuum,
)
from boostback.environment.wind import WindModel

MARS_RADIUS_M = 3_389_500.0  # IAU mean radius of Mars


def stage_propulsion(stage: Stage, engines: int) -> PropulsionParams:
    """``engines`` of the stage's engines lumped together, net axial thrust (canted engines
    projected onto the axis)."""
    e = stage.engine
    return PropulsionParams(
        thrust_vac_n=engines * e.thrust_vac_n * e.axial_fraction,
        exit_area_m2=engines * e.exit_area_m2 * e.axial_fraction,
        mass_flow_kgps=engines * e.mass_flow_kgps,
        throttle_min=e.throttle_min,
        throttle_max=e.throttle_max,
    )


def landing_propulsion(stage: Stage) -> PropulsionParams:
    """The landing engines lumped together."""
    return stage_propulsion(stage, stage.landing_engines)


def aero_params(stage: Stage) -> AeroParams:
    """Stage drag, with the deployed grid fins' drag as an increment of Cd on the stage's area
    and the retro-propulsion plume table."""
    mach, cd = stage.cd_table
    gf = stage.grid_fins
    dcd = gf.drag_area_m2 / stage.area_m2 if gf is not None else 0.0
    return AeroParams(
        stage.area_m2,
        tuple(float(m) for m in mach),
        tuple(float(c) + dcd for c in cd),
        tuple(float(r[0]) for r in stage.plume_drag),
        tuple(float(r[1]) for r in stage.plume_drag),
    )


def environment(scenario: LandingScenario, vehicle: Vehicle) -> Environment:
    cfg = scenario.environment
    mars = vehicle.body == "mars"
    if cfg.gravity == "uniform":
        gravity = UniformGravity(MARS_G_MPS2 if mars else vehicle.gravity_mps2)
    else:
        gm = MARS_G_MPS2 * MARS_RADIUS_M**2 if mars else EARTH_MU_M3PS2
        gravity = InverseSquareGravity(gm, MARS_RADIUS_M if mars else EARTH_RADIUS_M)
    atmosphere = USSA1976() if cfg.atmosphere == "ussa1976" else Vacuum()
    wind: WindModel
    if cfg.wind_layers:
        wind = LayeredWind(
            [w.altitude_m for w in cfg.wind_layers], [w.wind_enu_mps for w in cfg.wind_layers]
        )
    elif any(cfg.wind_enu_mps):
        wind = ConstantWind(cfg.wind_enu_mps)
    else:
        wind = NoWind()
    return Environment(atmosphere=atmosphere, gravity=gravity, wind=wind)


@dataclass(frozen=True)
class LandingSetup:
    """Everything a landing-burn flight needs, resolved from vehicle and scenario."""

    vehicle: Vehicle
    scenario: LandingScenario
    prop: PropulsionParams
    aero: AeroParams
    env: Environment

    @property
    def stage(self) -> Stage:
        return self.vehicle.booster

    @property
    def dry_mass_kg(self) -> float:
        return self.stage.dry_mass_kg

    def initial_state(self) -> tuple[float, float, float, float, float, float, float]:
        init = self.scenario.initial
        e, n = init.position_en_m
        ve, vn, vu = init.velocity_enu_mps
        return (e, n, init.altitude_m, ve, vn, vu, self.dry_mass_kg + init.propellant_kg)


def landing_setup(vehicle: Vehicle, scenario: LandingScenario) -> LandingSetup:
    stage = vehicle.booster
    return LandingSetup(
        vehicle=vehicle,
        scenario=scenario,
        prop=landing_propulsion(stage),
        aero=aero_params(stage),
        env=environment(scenario, vehicle),
    )
