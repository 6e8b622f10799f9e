"""Validated configuration models: engines, stages, vehicles and landing scenarios.

SI units inside; keys carry their unit suffix (``_deg``, ``_s``, ``_n``...). Numbers are strict:
a TOML string where a number belongs is an error, never silently converted, and finite: TOML's
``nan`` and ``inf`` are refused everywhere (``_Model`` sets ``allow_inf_nan=False``).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from boostback.config.errors import KeyedValueError
from boostback.config.rigid_models import RigidBody
from boostback.config.scenario_models import (
    MAX_START_ALTITUDE_M,
    MAX_START_OFFSET_M,
    MAX_START_SPEED_MPS,
    InitialState,
)
from boostback.constants import G0_MPS2, MARS_G_MPS2, SEA_LEVEL_PRESSURE_PA

__all__ = [
    "BODY_GRAVITY_MPS2",
    "BODY_SURFACE_PRESSURE_PA",
    "MAX_START_ALTITUDE_M",
    "MAX_START_OFFSET_M",
    "MAX_START_SPEED_MPS",
    "MAX_WIND_MPS",
    "MIN_DT_S",
    "AscentAero",
    "Engine",
    "EnvironmentConfig",
    "GridFins",
    "GuidanceConfig",
    "InitialState",
    "LandingBurn",
    "LandingLegs",
    "LandingLimits",
    "LandingScenario",
    "RecoveryHardware",
    "SimConfig",
    "Stage",
    "Vehicle",
    "WindLayer",
    "bounded",
    "one_of",
]

BODY_GRAVITY_MPS2: dict[str, float] = {"earth": G0_MPS2, "mars": MARS_G_MPS2}
BODY_SURFACE_PRESSURE_PA: dict[str, float] = {"earth": SEA_LEVEL_PRESSURE_PA, "mars": 610.0}

Num = Annotated[float, Strict()]
Int = Annotated[int, Strict()]
Pos = Annotated[float, Strict(), Field(gt=0)]
NonNeg = Annotated[float, Strict(), Field(ge=0)]
Fraction = Annotated[float, Strict(), Field(gt=0, le=1)]
Vec3 = tuple[Num, Num, Num]


def bounded(
    low: float | None = None, high: float | None = None, *, above: float | None = None
) -> Any:
    """A strict, finite number in ``[low, high]`` (``(above, high]`` with ``above``)."""
    return Annotated[float, Strict(), Field(ge=low, gt=above, le=high)]


# Physical ranges: far beyond any real vehicle, short of the numbers that overflow the models
# (a 1e300 m diameter used to raise OverflowError deep in the drag model). Largest engine flown:
# the F-1, 7.8 MN; chemical Isp tops out near 470 s (nuclear thermal ~900 s); the largest stage,
# Super Heavy, ~200 t dry and 3,400 t of propellant.
Thrust = bounded(above=0, high=1e8)
Isp = bounded(above=0, high=1_000.0)
StageMass = bounded(above=0, high=1e7)
PropellantMass = bounded(above=0, high=1e8)
Size = bounded(above=0, high=1_000.0)  # lengths, diameters, spans (m)
Area = bounded(above=0, high=1e4)  # m^2
Mach = bounded(0, 100.0)
Coefficient = bounded(above=0, high=10.0)  # drag and force coefficients
Pressure = bounded(above=0, high=1e8)  # Pa
Speed = bounded(above=0, high=1e4)  # m/s
Angle = bounded(above=0, high=90.0)  # deg
Rate = bounded(0.1, 360.0)  # turn rates, deg/s
# A wind component. The strongest jet-stream winds measured are about 110 m/s (~250 mph; NOAA
# National Weather Service, "JetStream: The Jet Stream"); 150 m/s leaves room for design cases
# and refuses what no atmosphere blows (a 1e9 m/s wind used to be flown as given).
MAX_WIND_MPS = 150.0
WindSpeed = Annotated[float, Strict(), Field(ge=-MAX_WIND_MPS, le=MAX_WIND_MPS)]
WindVec3 = tuple[WindSpeed, WindSpeed, WindSpeed]
# Time steps have a floor: a run takes max_time_s / dt steps, and below a millisecond the RK4
# steps (with exact event location) gain nothing the 2 Hz re-planning and the engine lag could
# use, while the step count, and the run time, grow without bound (dt = 1e-6 s used to hang).
MIN_DT_S = 1e-3


def one_of(*members: StrEnum) -> Any:
    """A field type that takes only these members of one vocabulary enum (``config.vocab``),
    given by value; any other value is the usual "expected one of ..." error."""
    kind = type(members[0])
    expected = ", ".join(repr(str(m)) for m in members[:-1])
    expected = f"{expected} or {str(members[-1])!r}" if expected else repr(str(members[-1]))

    def check(value: Any) -> Any:
        if isinstance(value, str) and value in members:
            return kind(value)
        raise PydanticCustomError(
            "literal_error", "Input should be {expected}", {"expected": expected}
        )

    return Annotated[kind, BeforeValidator(check)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Engine(_Model):
    """One rocket engine. Throttle is a fraction of full vacuum thrust."""

    name: str
    thrust_vac_n: Thrust
    thrust_sl_n: Thrust | None = None
    isp_vac_s: Isp
    isp_sl_s: Isp | None = None
    throttle_min: Fraction
    throttle_max: Fraction = 1.0
    restarts: Annotated[int, Strict(), Field(ge=0, le=1000)]
    gimbal_deg: Annotated[float, Strict(), Field(ge=0, le=30)]
    cant_deg: Annotated[float, Strict(), Field(ge=0, lt=60)] = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> Engine:
        if self.thrust_sl_n is not None and self.thrust_sl_n > self.thrust_vac_n:
            raise KeyedValueError(
                "thrust_sl_n",
                f"sea-level thrust {self.thrust_sl_n:g} N is above vacuum thrust "
                f"{self.thrust_vac_n:g} N",
            )
        if self.isp_sl_s is not None and self.isp_sl_s > self.isp_vac_s:
            raise KeyedValueError(
                "isp_sl_s",
                f"sea-level Isp {self.isp_sl_s:g} s is above vacuum Isp {self.isp_vac_s:g} s",
            )
        if self.throttle_min > self.throttle_max:
            raise KeyedValueError(
                "throttle_min",
                f"throttle_min {self.throttle_min:g} is above throttle_max {self.throttle_max:g}",
            )
        return self

    @property
    def exit_area_m2(self) -> float:
        """Nozzle exit area implied by the sea-level thrust loss (0 without ``thrust_sl_n``)."""
        if self.thrust_sl_n is None:
            return 0.0
        return (self.thrust_vac_n - self.thrust_sl_n) / SEA_LEVEL_PRESSURE_PA

    @property
    def mass_flow_kgps(self) -> float:
        """Propellant mass flow at full (100 %) thrust; it scales linearly with throttle."""
        return self.thrust_vac_n / (self.isp_vac_s * G0_MPS2)

    @property
    def axial_fraction(self) -> float:
        """cos(cant): the share of each engine's thrust along the vehicle axis."""
        return math.cos(math.radians(self.cant_deg))

    @property
    def cant_rad(self) -> float:
        return math.radians(self.cant_deg)

    @property
    def gimbal_rad(self) -> float:
        return math.radians(self.gimbal_deg)

    def thrust_n(self, pressure_pa: float = 0.0, throttle: float = 1.0) -> float:
        """Thrust of one engine: ``throttle * thrust_vac_n - exit_area_m2 * pressure_pa`` (>= 0)."""
        return max(throttle * self.thrust_vac_n - self.exit_area_m2 * pressure_pa, 0.0)

    def isp_s(self, pressure_pa: float = 0.0) -> float:
        """Specific impulse at full throttle and ambient pressure."""
        return self.thrust_n(pressure_pa) / (self.mass_flow_kgps * G0_MPS2)


class LandingLimits(_Model):
    """Touchdown success criteria."""

    max_vertical_speed_mps: Speed = 2.0
    max_lateral_speed_mps: Speed = 1.0
    max_tilt_deg: Angle = 5.0
    max_miss_m: bounded(above=0, high=1e6) = 10.0
    crash_speed_mps: Speed = 10.0

    @model_validator(mode="after")
    def _crash_above_hard(self) -> LandingLimits:
        if self.crash_speed_mps <= self.max_vertical_speed_mps:
            raise KeyedValueError(
                "crash_speed_mps",
                f"crash_speed_mps {self.crash_speed_mps:g} must be above "
                f"max_vertical_speed_mps {self.max_vertical_speed_mps:g}",
            )
        return self


class LandingBurn(_Model):
    """How the stage flies its landing burn."""

    engines: Annotated[int, Strict(), Field(ge=1)]
    max_tilt_deg: Annotated[float, Strict(), Field(gt=0, lt=90)]
    glide_slope_deg: Annotated[float, Strict(), Field(ge=0, lt=90)]
    # How fast the thrust axis can swing (attitude control and gimbal together). The default is
    # an estimate for a large booster; a vehicle file that knows better sets it with a source.
    max_turn_rate_deg_s: Rate = 30.0


def _check_cd_table(table: list[tuple[float, float]], key: str = "cd_mach") -> None:
    if len(table) == 1:
        raise KeyedValueError(key, "needs at least 2 (Mach, Cd) rows, or none for no drag")
    if table and table[0][0] != 0.0:
        raise KeyedValueError(f"{key}[0]", f"the table must start at Mach 0, not {table[0][0]:g}")
    for i in range(1, len(table)):
        if table[i][0] <= table[i - 1][0]:
            raise KeyedValueError(
                f"{key}[{i}]",
                f"Mach must be strictly ascending: Mach {table[i][0]:g} follows "
                f"Mach {table[i - 1][0]:g}",
            )


def _check_plume_table(table: list[tuple[float, float]]) -> None:
    if len(table) == 1:
        raise KeyedValueError("plume_drag", "needs at least 2 (C_T, factor) rows, or none")
    if table and (table[0][0] != 0.0 or table[0][1] != 1.0):
        raise KeyedValueError(
            "plume_drag[0]", "the table must start at (0, 1): no thrust, no change"
        )
    for i in range(1, len(table)):
        if table[i][0] <= table[i - 1][0]:
            raise KeyedValueError(f"plume_drag[{i}]", "C_T must be strictly ascending")


class GridFins(_Model):
    """Grid fins. In 3-DoF their authority is a lateral force of at most
    ``qbar * count * area_m2 * normal_force_coeff``, perpendicular to the air-relative velocity.
    """

    count: Annotated[int, Strict(), Field(ge=1, le=100)]
    area_m2: Area  # planform area of one fin
    normal_force_coeff: Coefficient  # effective normal-force coefficient of one fin, deflected
    drag_coeff: bounded(0, 10.0) = (
        0.0  # axial-force coefficient of one deployed fin (per planform area)
    )

    @property
    def drag_area_m2(self) -> float:
        """Drag area (Cd * S) that the deployed fins add to the stage."""
        return self.count * self.area_m2 * self.drag_coeff

    @property
    def authority_m2(self) -> float:
        """Lateral force per unit dynamic pressure at full deflection (m^2)."""
        return self.count * self.area_m2 * self.normal_force_coeff


class LandingLegs(_Model):
    count: Annotated[int, Strict(), Field(ge=3, le=100)]
    span_m: Size  # footprint diameter, legs deployed


class RecoveryHardware(_Model):
    """How the recoverable stage flies its recovery burns, and the limits of its descent."""

    separation_delay_s: bounded(0, 600.0)  # MECO to stage separation
    flip_rate_deg_s: Rate  # turn rate of the flip manoeuvre after separation
    boostback_engines: Annotated[int, Strict(), Field(ge=1)]
    entry_engines: Annotated[int, Strict(), Field(ge=1)]
    max_entry_dynamic_pressure_pa: Pressure  # peak dynamic pressure allowed in the descent
    max_heat_flux_w_m2: bounded(above=0, high=1e10)  # peak Sutton-Graves heat-flux index allowed
    nose_radius_m: Size  # effective radius for that heating index
    envelope_entry_dynamic_pressure_pa: Pressure | None = None  # survival envelope: descent_limits
    envelope_heat_flux_w_m2: bounded(above=0, high=1e10) | None = None  # (flight_models)


class AscentAero(_Model):
    """The whole stack on the way up: drag table (nose first), max-Q limit, fairing."""

    cd_mach: list[tuple[Mach, Coefficient]]
    max_dynamic_pressure_pa: Pressure
    max_acceleration_g: bounded(above=0, high=100.0) | None = None  # held below (throttle)
    fairing_mass_kg: bounded(0, 1e6) = 0.0

    @model_validator(mode="after")
    def _table(self) -> AscentAero:
        _check_cd_table(self.cd_mach)
        if not self.cd_mach:
            raise KeyedValueError("cd_mach", "the ascent needs a (Mach, Cd) table")
        return self


class _CdCache:
    """Arrays of a Cd(Mach) table; never affects model equality."""

    __slots__ = ("cd", "mach", "source")

    def __init__(self, table: list[tuple[float, float]]) -> None:
        data = np.asarray(table, dtype=float).reshape(-1, 2)
        self.source = table
        self.mach = data[:, 0].copy()
        self.cd = data[:, 1].copy()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _CdCache)

    __hash__ = None  # type: ignore[assignment]


class Stage(_Model):
    """A rocket stage: masses, shape, drag table, engines and (optional) landing burn."""

    name: str
    dry_mass_kg: StageMass
    propellant_mass_kg: PropellantMass
    # Part of ``propellant_mass_kg`` the engines cannot burn (left in the tanks, lines and
    # engines at cut-off): a whole flight carries it as inert mass, so MECO keeps it on top of
    # the recovery reserve and the recovery burns stop at ``burnout_mass_kg``.
    residual_propellant_kg: bounded(0, 1e8) = 0.0
    length_m: Size
    diameter_m: bounded(above=0, high=100.0)
    reference_area_m2: Area | None = None
    cd_mach: list[tuple[Mach, Coefficient]] = Field(default_factory=list)
    # Retro-propulsion drag: (thrust coefficient C_T = T / (qbar S), factor on the aerodynamic
    # drag) while the engines fire into the flow; empty means the plume changes nothing.
    plume_drag: list[tuple[bounded(0, 1e6), Annotated[float, Field(ge=0, le=1)]]] = Field(
        default_factory=list
    )
    engine: Engine
    engine_count: Annotated[int, Strict(), Field(ge=1, le=100)]
    landing: LandingBurn | None = None
    limits: LandingLimits = LandingLimits()
    recovery: RecoveryHardware | None = None
    grid_fins: GridFins | None = None
    legs: LandingLegs | None = None
    rigid_body: RigidBody | None = None  # 6-DoF: config.rigid_models

    @model_validator(mode="after")
    def _consistent(self) -> Stage:
        _check_cd_table(self.cd_mach)
        _check_plume_table(self.plume_drag)
        if self.landing is not None and self.landing.engines > self.engine_count:
            raise KeyedValueError(
                "landing.engines",
                f"{self.landing.engines} landing engines but the stage has {self.engine_count}",
            )
        rec = self.recovery
        for name in ("boostback_engines", "entry_engines"):
            count = getattr(rec, name) if rec is not None else 0
            if count > self.engine_count:
                raise KeyedValueError(
                    f"recovery.{name}", f"{count} engines but the stage has {self.engine_count}"
                )
        if self.residual_propellant_kg >= self.propellant_mass_kg:
            raise KeyedValueError(
                "residual_propellant_kg",
                f"{self.residual_propellant_kg:g} kg of unusable propellant but the stage loads "
                f"{self.propellant_mass_kg:g} kg",
            )
        if self.rigid_body is not None:
            self.rigid_body.check_stage(self)
        return self

    @property
    def wet_mass_kg(self) -> float:
        return self.dry_mass_kg + self.propellant_mass_kg

    @property
    def burnout_mass_kg(self) -> float:
        """The stage with only its unusable propellant left: dry plus ``residual_propellant_kg``."""
        return self.dry_mass_kg + self.residual_propellant_kg

    @property
    def area_m2(self) -> float:
        """Aerodynamic reference area: ``reference_area_m2`` or the cross-section pi d^2 / 4."""
        if self.reference_area_m2 is not None:
            return self.reference_area_m2
        return math.pi * self.diameter_m**2 / 4.0

    @property
    def cd_table(self) -> tuple[np.ndarray, np.ndarray]:
        """(Mach, Cd) as arrays, for vectorised kernels; empty arrays mean no drag."""
        # Cached in __dict__ (not a field, so equality ignores it), keyed by the list's
        # identity so that model_copy(update={"cd_mach": ...}) never sees a stale table.
        cache = self.__dict__.get("_cd_cache")
        if cache is None or cache.source is not self.cd_mach:
            cache = _CdCache(self.cd_mach)
            self.__dict__["_cd_cache"] = cache
        return cache.mach, cache.cd

    def cd(self, mach: float) -> float:
        """Drag coefficient at ``mach`` (linear interpolation, clamped; 0 with an empty table)."""
        machs, cds = self.cd_table
        if machs.size == 0:
            return 0.0
        return float(np.interp(mach, machs, cds))

    @property
    def landing_engines(self) -> int:
        """Engines lit for the landing burn (all of them when no landing burn is given)."""
        return self.landing.engines if self.landing is not None else self.engine_count

    def thrust_max_n(self, pressure_pa: float = 0.0) -> float:
        """Axial thrust of all engines at full throttle."""
        e = self.engine
        return self.engine_count * e.thrust_n(pressure_pa, e.throttle_max) * e.axial_fraction

    def landing_thrust_max_n(self, pressure_pa: float = SEA_LEVEL_PRESSURE_PA) -> float:
        """Net axial thrust of the landing engines at ``throttle_max``."""
        e = self.engine
        return self.landing_engines * e.thrust_n(pressure_pa, e.throttle_max) * e.axial_fraction

    def landing_thrust_min_n(self, pressure_pa: float = SEA_LEVEL_PRESSURE_PA) -> float:
        """Net axial thrust of the landing engines at ``throttle_min``."""
        e = self.engine
        return self.landing_engines * e.thrust_n(pressure_pa, e.throttle_min) * e.axial_fraction

    @property
    def landing_alpha_s_per_m(self) -> float:
        """Mass-flow constant: mdot = alpha * |net axial thrust|, alpha = 1/(Isp g0 cos(cant))."""
        e = self.engine
        return 1.0 / (e.isp_vac_s * G0_MPS2 * e.axial_fraction)

    @property
    def landing_mass_flow_max_kgps(self) -> float:
        """Propellant flow of the landing engines at ``throttle_max``."""
        return self.landing_engines * self.engine.mass_flow_kgps * self.engine.throttle_max


def _source_key_exists(key: str) -> bool:
    """Whether a dotted key (indices allowed) names a field path of a ``Vehicle``."""
    model: type[BaseModel] | None = Vehicle
    for raw in key.split("."):
        part = raw.split("[", 1)[0]
        if model is None or part not in model.model_fields:
            return False
        annotation = model.model_fields[part].annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        model = next((a for a in inner if issubclass(a, BaseModel)), None)
    return True


class Vehicle(_Model):
    """A vehicle: the recoverable booster, an optional upper stage, and cited sources."""

    key: str
    name: str
    description: str = ""
    booster: Stage
    upper_stage: Stage | None = None
    ascent: AscentAero | None = None
    body: Literal["earth", "mars"] = "earth"
    sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Vehicle:
        for key in self.sources:
            if key != "sources" and not _source_key_exists(key):
                raise KeyedValueError("sources", f"'{key}' names no key of a vehicle")
        stage = self.booster
        if stage.landing is not None:
            thrust = stage.landing_thrust_max_n(self.surface_pressure_pa)
            weight = stage.dry_mass_kg * self.gravity_mps2
            if thrust <= weight:
                per_engine = stage.engine.thrust_n(self.surface_pressure_pa) / 1e3
                raise KeyedValueError(
                    "booster.landing.engines",
                    f"the landing engines ({stage.landing_engines} x {per_engine:.0f} kN) cannot "
                    f"hover the {stage.dry_mass_kg / 1e3:.1f} t dry stage: {thrust / 1e3:.1f} kN "
                    f"at full throttle is not above its {weight / 1e3:.1f} kN weight "
                    f"on {self.body}",
                )
        return self

    @property
    def gravity_mps2(self) -> float:
        """Surface gravity of ``body``."""
        return BODY_GRAVITY_MPS2[self.body]

    @property
    def surface_pressure_pa(self) -> float:
        """Surface pressure of ``body`` (Mars: 610 Pa mean)."""
        return BODY_SURFACE_PRESSURE_PA[self.body]


class WindLayer(_Model):
    """Wind at one altitude; winds are interpolated linearly between layers."""

    altitude_m: NonNeg
    wind_enu_mps: WindVec3


class WindConfig(_Model):
    """The wind: constant (``wind_enu_mps``) or layered by altitude (``wind_layers``, linear in
    between, held beyond the ends). Landing burns and whole flights take the same keys."""

    wind_enu_mps: WindVec3 = (0.0, 0.0, 0.0)
    wind_layers: list[WindLayer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ascending(self) -> WindConfig:
        layers = self.wind_layers
        for i in range(1, len(layers)):
            if layers[i].altitude_m <= layers[i - 1].altitude_m:
                raise KeyedValueError(
                    f"wind_layers[{i}].altitude_m",
                    f"wind layer altitudes must be strictly ascending: {layers[i].altitude_m:g} m "
                    f"follows {layers[i - 1].altitude_m:g} m",
                )
        return self


class EnvironmentConfig(WindConfig):
    """A landing burn's world: gravity model, atmosphere and wind, and the pad's height above
    sea level (the atmosphere and the wind layers are looked up from there)."""

    gravity: Literal["uniform", "inverse_square"] = "uniform"
    atmosphere: Literal["ussa1976", "none"] = "ussa1976"
    pad_altitude_m: Annotated[float, Strict(), Field(ge=-500.0, le=8_000.0)] = 0.0


class GuidanceConfig(_Model):
    nodes: Annotated[int, Strict(), Field(ge=10, le=200)] = 30
    replan_hz: Annotated[float, Strict(), Field(gt=0, le=50)] = 2.0
    terminal_vertical_s: bounded(0, 60.0) = 3.0
    touchdown_speed_mps: Annotated[float, Strict(), Field(ge=0, le=5)] = 1.0
    # Plans flown use at most this fraction of full throttle; the ignition decision keeps a
    # little more in hand (ignition_throttle_max), so the first plans have room to correct.
    planning_throttle_max: Fraction = 0.9
    # Navigation fixes are blended into the inertially propagated estimate with this time
    # constant (sim/navigation.py); 0 steers on the raw fixes.
    nav_filter_time_constant_s: bounded(0, 60.0) = 0.5
    # Cap on the braking over the final vertical descent (thrust acceleration less gravity);
    # None plans full braking to the ground, which is fuel-optimal but lands fast for small
    # altitude errors.
    terminal_max_decel_mps2: bounded(above=0, high=100.0) | None = None
    ignition_throttle_max: Fraction = 0.85
    # Throttle above the engine's floor that plans keep in reserve: a booster that cannot hover
    # needs room to throttle down when it is slower than planned, or it stops too high.
    planning_throttle_floor_margin: Annotated[float, Strict(), Field(ge=0, lt=0.5)] = 0.08
    # "conic": the problem written straight into Clarabel (fast); "cvxpy": the reference
    # formulation through CVXPY (slower, easier to read and to modify).
    backend: Literal["conic", "cvxpy"] = "conic"
    tf_min_s: bounded(above=0, high=3_600.0) = 1.0
    tf_max_s: bounded(above=0, high=3_600.0) = 200.0
    # "lcvx": the point mass's plan (lossless convexification); "scvx": the rigid body's, by
    # successive convexification (guidance.scvx_guidance; needs sim.dof = 6)
    method: Literal["lcvx", "scvx"] = "lcvx"

    @model_validator(mode="after")
    def _ignition_below_planning(self) -> GuidanceConfig:
        if self.ignition_throttle_max > self.planning_throttle_max:
            raise KeyedValueError(
                "ignition_throttle_max",
                f"ignition_throttle_max {self.ignition_throttle_max:g} is above "
                f"planning_throttle_max {self.planning_throttle_max:g}",
            )
        return self

    @model_validator(mode="after")
    def _tf_order(self) -> GuidanceConfig:
        if self.tf_max_s <= self.tf_min_s:
            raise KeyedValueError(
                "tf_max_s", f"tf_max_s {self.tf_max_s:g} must be above tf_min_s {self.tf_min_s:g}"
            )
        return self


class SimConfig(_Model):
    """The integration: step (see ``MIN_DT_S``), time limit (a landing burn lasts about a minute;
    an hour bounds the steps at 3.6 million) and fidelity: ``dof`` 3 (point mass) or 6 (rigid
    body with attitude control: the vehicle needs a ``[booster.rigid_body]`` section)."""

    dt_s: Annotated[float, Strict(), Field(ge=MIN_DT_S, le=1)] = 0.02
    max_time_s: Annotated[float, Strict(), Field(gt=0, le=3_600.0)] = 300.0
    dof: Literal[3, 6] = 3


class LandingScenario(_Model):
    """A landing-burn scenario: which vehicle, where it starts, and how it is flown."""

    vehicle: str
    initial: InitialState
    environment: EnvironmentConfig = EnvironmentConfig()
    guidance: GuidanceConfig = GuidanceConfig()
    sim: SimConfig = SimConfig()
    name: str = ""
    faults: list[dict[str, Any]] = Field(default_factory=list)  # campaign.scenario_faults
