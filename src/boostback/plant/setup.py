"""Turn validated configuration into the numbers the kernels and the guidance need."""

from __future__ import annotations

from dataclasses import dataclass

from boostback.config.models import (
    GuidanceConfig,
    LandingScenario,
    SimConfig,
    Stage,
    Vehicle,
    WindConfig,
)
from boostback.constants import EARTH_MU_M3PS2, EARTH_RADIUS_M, MARS_G_MPS2
from boostback.dynamics import AeroParams, Environment, PropulsionParams
from boostback.dynamics.state import State
from boostback.environment import (
    USSA1976,
    ConstantWind,
    InverseSquareGravity,
    LayeredWind,
    NoWind,
    UniformGravity,
    Vacuum,
)
from boostback.environment.gravity import GravityModel
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


def wind_model(cfg: WindConfig) -> WindModel:
    """The wind of a scenario's ``environment`` table: layered, constant or none."""
    if cfg.wind_layers:
        return LayeredWind(
            tuple(w.altitude_m for w in cfg.wind_layers),
            tuple(w.wind_enu_mps for w in cfg.wind_layers),
        )
    if any(cfg.wind_enu_mps):
        return ConstantWind(cfg.wind_enu_mps)
    return NoWind()


def environment(scenario: LandingScenario, vehicle: Vehicle) -> Environment:
    """Atmosphere, gravity (of the vehicle's body) and wind of a landing scenario."""
    cfg = scenario.environment
    mars = vehicle.body == "mars"
    gravity: GravityModel
    if cfg.gravity == "uniform":
        gravity = UniformGravity(MARS_G_MPS2 if mars else vehicle.gravity_mps2)
    else:
        gm = MARS_G_MPS2 * MARS_RADIUS_M**2 if mars else EARTH_MU_M3PS2
        gravity = InverseSquareGravity(gm, MARS_RADIUS_M if mars else EARTH_RADIUS_M)
    atmosphere = USSA1976() if cfg.atmosphere == "ussa1976" else Vacuum()
    wind = wind_model(cfg)
    return Environment(atmosphere, gravity, wind, base_altitude_m=cfg.pad_altitude_m)


@dataclass(frozen=True)
class LandingSetup:
    """Everything a landing burn needs: the vehicle, how it is guided and simulated, where it
    starts (pad-centred ENU) and the models resolved from them.

    ``boostback land`` builds it from a landing scenario (``landing_setup``); a whole flight
    builds it at the hand-over from its own state and environment (``LandingSetup.build``).
    """

    vehicle: Vehicle
    guidance: GuidanceConfig
    sim: SimConfig
    x0: State
    prop: PropulsionParams
    aero: AeroParams
    env: Environment
    name: str = ""

    @classmethod
    def build(
        cls,
        vehicle: Vehicle,
        guidance: GuidanceConfig,
        sim: SimConfig,
        x0: State,
        env: Environment,
        name: str = "",
    ) -> LandingSetup:
        """The landing burn of ``vehicle`` from ``x0`` in ``env``, with its landing engines."""
        stage = vehicle.booster
        return cls(
            vehicle, guidance, sim, x0, landing_propulsion(stage), aero_params(stage), env, name
        )

    @property
    def stage(self) -> Stage:
        """The stage that lands."""
        return self.vehicle.booster

    @property
    def dry_mass_kg(self) -> float:
        """Dry mass of the stage that lands."""
        return self.stage.dry_mass_kg

    def initial_state(self) -> State:
        """Where the burn's flight starts (ENU, pad-centred)."""
        return self.x0


def landing_setup(vehicle: Vehicle, scenario: LandingScenario) -> LandingSetup:
    """The landing burn of a landing scenario."""
    init = scenario.initial
    e, n = init.position_en_m
    ve, vn, vu = init.velocity_enu_mps
    x0 = (e, n, init.altitude_m, ve, vn, vu, vehicle.booster.dry_mass_kg + init.propellant_kg)
    env = environment(scenario, vehicle)
    return LandingSetup.build(vehicle, scenario.guidance, scenario.sim, x0, env, scenario.name)
