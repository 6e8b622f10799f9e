"""Validated models of a stage as a rigid body: the ``[booster.rigid_body]`` section.

A 3-DoF flight needs a stage's masses, drag and engine count; a 6-DoF one also needs where the
masses sit, where the engines are and which of them fire, how fast the gimbals and valves move,
where the air pushes, and the grid fins, cold-gas thrusters and legs as bodies with positions.

Stations (``*_station_m``) are measured along the stage's long axis (``x_body``, towards the
nose) from the engines' gimbal plane (docs/six_dof.md); the stage spans ``base_station_m`` (its
lowest point, the nozzle exits, below the gimbal plane) to ``base_station_m + length_m``. Angles
about the axis (``*_phase_deg``) run from ``y_body`` towards ``z_body``.

What the 3-DoF sections already give is not repeated: the engine count, thrust, throttle range
and gimbal limit come from ``[booster]`` and ``[booster.engine]``; the grid fins' count, area and
coefficients from ``[booster.grid_fins]``; the legs' count and span from ``[booster.legs]``. The
checks that need those (stations inside the stage, engine indices, burn sizes) run from the
stage's own validator through ``RigidBody.check_stage``.

This module imports nothing from ``config.models`` (which imports it), so it has its own strict
base model with the same settings.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from boostback.config.errors import KeyedValueError

if TYPE_CHECKING:  # the stage that carries a rigid body (config.models imports this module)
    from boostback.config.models import Stage

__all__ = [
    "MAX_PROPELLANT_DENSITY_KGPM3",
    "AeroTables",
    "ColdGasThrusters",
    "DryPart",
    "DryStructure",
    "EngineLayout",
    "RigidBody",
    "RigidGridFins",
    "RigidLegs",
    "Tank",
]

# A tank whose share of the propellant would be denser than this in its volume is a typo (a
# station or radius wrong): the densest liquid propellants are N2O4 (~1,440 kg/m^3) and
# subcooled LOX (~1,250 kg/m^3).
MAX_PROPELLANT_DENSITY_KGPM3 = 2_000.0
SHARE_TOLERANCE = 1e-6  # shares must add up to 1 within this


def _num(low: float | None = None, high: float | None = None, *, above: float | None = None) -> Any:
    return Annotated[float, Strict(), Field(ge=low, gt=above, le=high)]


Station = _num(-100.0, 1_000.0)  # m along x_body from the gimbal plane
Radius = _num(0.0, 100.0)
Share = _num(above=0.0, high=1.0)
Inertia = _num(above=0.0, high=1e12)  # kg m^2
Seconds = _num(0.0, 60.0)
Lag = _num(0.0, 10.0)  # first-order time constants (s); 0 means none
Phase = _num(-360.0, 360.0)
Rate = _num(above=0.0, high=360.0)  # deg/s
EngineIndex = Annotated[int, Strict(), Field(ge=0, le=99)]


class _RigidModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_span(model: Any, low_key: str = "bottom_station_m", high_key: str = "top_station_m"):
    low, high = getattr(model, low_key), getattr(model, high_key)
    if high < low:
        raise KeyedValueError(high_key, f"{high_key} {high:g} is below {low_key} {low:g}")


class DryPart(_RigidModel):
    """One piece of the dry structure: a thin cylindrical ``shell`` (tank walls, interstage, an
    engine ring: the mass on radius ``radius_m``) or a uniform ``solid`` cylinder (a point mass
    with radius 0 and equal stations), between two stations."""

    name: str = ""
    mass_share: Share  # of the stage's dry mass
    bottom_station_m: Station
    top_station_m: Station
    radius_m: Radius
    shape: Literal["shell", "solid"] = "shell"

    @model_validator(mode="after")
    def _span(self) -> DryPart:
        _check_span(self)
        return self


class DryStructure(_RigidModel):
    """The empty stage: either its centre-of-mass station and moments of inertia about it, as
    given (``cg_station_m``, ``roll_inertia_kgm2``, ``pitch_inertia_kgm2``), or ``parts`` whose
    mass shares add up to 1, from which they are derived (``dynamics.mass_properties``)."""

    cg_station_m: Station | None = None
    roll_inertia_kgm2: Inertia | None = None
    pitch_inertia_kgm2: Inertia | None = None
    parts: list[DryPart] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_way(self) -> DryStructure:
        given = [self.cg_station_m, self.roll_inertia_kgm2, self.pitch_inertia_kgm2]
        if self.parts and any(v is not None for v in given):
            raise KeyedValueError(
                "parts",
                "give either parts or cg_station_m, roll_inertia_kgm2 and pitch_inertia_kgm2, "
                "not both",
            )
        if not self.parts:
            for key, value in zip(
                ("cg_station_m", "roll_inertia_kgm2", "pitch_inertia_kgm2"), given, strict=True
            ):
                if value is None:
                    raise KeyedValueError(key, f"missing: give {key} (or a list of parts)")
            roll, pitch = self.roll_inertia_kgm2, self.pitch_inertia_kgm2
            assert roll is not None and pitch is not None
            if roll > 2.0 * pitch:  # I_x <= I_y + I_z for any body, I_y = I_z here
                raise KeyedValueError(
                    "roll_inertia_kgm2",
                    f"roll inertia {roll:g} kg m^2 is more than twice the pitch inertia "
                    f"{pitch:g}: no axisymmetric body has that",
                )
            return self
        total = sum(p.mass_share for p in self.parts)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise KeyedValueError("parts", f"the parts' mass_share add up to {total:g}, not 1")
        return self


class Tank(_RigidModel):
    """A propellant tank: a cylinder of radius ``radius_m`` between two stations that holds
    ``share`` of the stage's propellant when full. Under thrust (or drag, engines first) the
    liquid lies settled aft, from the bottom up."""

    propellant: Annotated[str, Field(min_length=1)]
    share: Share
    bottom_station_m: Station
    top_station_m: Station
    radius_m: _num(above=0.0, high=100.0)

    @model_validator(mode="after")
    def _span(self) -> Tank:
        if self.top_station_m <= self.bottom_station_m:
            raise KeyedValueError(
                "top_station_m",
                f"top_station_m {self.top_station_m:g} must be above bottom_station_m "
                f"{self.bottom_station_m:g}",
            )
        return self

    @property
    def length_m(self) -> float:
        return self.top_station_m - self.bottom_station_m

    @property
    def volume_m3(self) -> float:
        return math.pi * self.radius_m**2 * self.length_m


class EngineLayout(_RigidModel):
    """Where the stage's engines sit in its base and how they move.

    Engine 0 is the centre engine (``centre_engines = 1``); the others stand on a ring of
    radius ``ring_radius_m`` in the gimbal plane, evenly spaced, the first at ``ring_phase_deg``
    and counting from ``y_body`` towards ``z_body``. The ring holds the stage's ``engine_count``
    less the centre one. Each burn lists the engines it lights; left out, a burn lights the
    centre engine (when it has one and the count is odd) and pairs of opposite ring engines
    spread evenly round the ring, so that its thrust passes through the axis.
    """

    centre_engines: Annotated[int, Strict(), Field(ge=0, le=1)] = 1
    ring_radius_m: _num(0.0, 50.0)
    ring_phase_deg: Phase = 0.0
    gimbal_rate_deg_s: Rate
    gimbal_time_constant_s: Lag
    throttle_rate_per_s: _num(above=0.0, high=100.0)  # throttle fraction per second
    throttle_time_constant_s: Lag
    startup_s: Seconds
    shutdown_s: Seconds
    boostback: list[EngineIndex] | None = None
    entry: list[EngineIndex] | None = None
    landing: list[EngineIndex] | None = None

    @model_validator(mode="after")
    def _distinct(self) -> EngineLayout:
        for name in ("boostback", "entry", "landing"):
            lit = getattr(self, name)
            if lit is not None and len(set(lit)) != len(lit):
                raise KeyedValueError(name, f"an engine is listed twice: {lit}")
            if lit is not None and not lit:
                raise KeyedValueError(name, "a burn lights at least one engine")
        return self


def _check_table_axis(values: list[float], key: str, first: float, last: float | None) -> None:
    if len(values) < 2:
        raise KeyedValueError(key, "needs at least 2 values")
    if values[0] != first:
        raise KeyedValueError(f"{key}[0]", f"the table must start at {first:g}, not {values[0]:g}")
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            raise KeyedValueError(f"{key}[{i}]", "must be strictly ascending")
    if last is not None and values[-1] != last:
        raise KeyedValueError(
            f"{key}[{len(values) - 1}]", f"the table must end at {last:g}, not {values[-1]:g}"
        )


def _check_grid(rows: list[list[float]], key: str, n_rows: int, n_cols: int) -> None:
    if len(rows) != n_rows:
        raise KeyedValueError(key, f"expected {n_rows} rows (one per Mach), got {len(rows)}")
    for i, row in enumerate(rows):
        if len(row) != n_cols:
            raise KeyedValueError(f"{key}[{i}]", f"expected {n_cols} values, got {len(row)}")


Coefficient = _num(-100.0, 100.0)


class AeroTables(_RigidModel):
    """The body's aerodynamics (grid fins apart) against Mach (rows) and total angle of attack
    (columns, 0 = nose first to 180 = engines first); without this table they are estimated
    from the geometry (``dynamics.aero_estimate``)."""

    mach: list[_num(0.0, 100.0)]
    alpha_deg: list[_num(0.0, 180.0)]
    axial: list[list[Coefficient]]
    normal: list[list[Coefficient]]
    cp_station_m: list[list[Station]]
    pitch_damping: list[_num(-1_000.0, 0.0)]  # C_mq per Mach, on q L / 2V
    roll_damping: _num(-1_000.0, 0.0) = 0.0

    @model_validator(mode="after")
    def _shapes(self) -> AeroTables:
        _check_table_axis(self.mach, "mach", 0.0, None)
        _check_table_axis(self.alpha_deg, "alpha_deg", 0.0, 180.0)
        m, a = len(self.mach), len(self.alpha_deg)
        for key in ("axial", "normal", "cp_station_m"):
            _check_grid(getattr(self, key), key, m, a)
        if len(self.pitch_damping) != m:
            raise KeyedValueError(
                "pitch_damping",
                f"expected {m} values (one per Mach), got {len(self.pitch_damping)}",
            )
        return self


class RigidGridFins(_RigidModel):
    """Where the grid fins of ``[booster.grid_fins]`` sit and how they move. The fins' hinge
    lines are radial, the first at ``phase_deg``, the rest evenly spaced round the stage. The
    force table (one fin, normal to its plane, per fin area and dynamic pressure) is optional:
    without it the force grows linearly with deflection to the 3-DoF ``normal_force_coeff`` at
    ``max_deflection_deg``, at every Mach, and the axial coefficient is ``drag_coeff``."""

    station_m: Station
    span_radius_m: _num(above=0.0, high=100.0)  # axis to each fin's centre of pressure
    phase_deg: Phase = 0.0
    max_deflection_deg: _num(above=0.0, high=90.0)
    rate_deg_s: Rate
    time_constant_s: Lag = 0.0  # first-order lag of the fins behind their command
    mach: list[_num(0.0, 100.0)] = Field(default_factory=list)
    deflection_deg: list[_num(0.0, 90.0)] = Field(default_factory=list)
    force: list[list[Coefficient]] = Field(default_factory=list)
    axial: list[_num(0.0, 100.0)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _table(self) -> RigidGridFins:
        parts = (self.mach, self.deflection_deg, self.force, self.axial)
        if not any(parts):
            return self
        if not all(parts):
            raise KeyedValueError(
                "force", "give all of mach, deflection_deg, force and axial, or none of them"
            )
        _check_table_axis(self.mach, "mach", 0.0, None)
        _check_table_axis(self.deflection_deg, "deflection_deg", 0.0, self.max_deflection_deg)
        _check_grid(self.force, "force", len(self.mach), len(self.deflection_deg))
        if len(self.axial) != len(self.mach):
            raise KeyedValueError("axial", f"expected {len(self.mach)} values (one per Mach)")
        return self


class ColdGasThrusters(_RigidModel):
    """Nitrogen cold-gas thrusters in ``pods`` round the stage at one station, the first pod at
    ``phase_deg``. Each pod has three thrusters: two pushing either way round the stage
    (tangential: roll, and pitch or yaw with the lever arm to the centre of mass) and one
    pushing inwards (radial, its gas blown outwards: the other of pitch and yaw)."""

    pods: Annotated[int, Strict(), Field(ge=1, le=16)]
    phase_deg: Phase = 0.0
    station_m: Station
    radius_m: _num(0.0, 100.0)
    thrust_n: _num(above=0.0, high=1e6)  # one thruster
    isp_s: _num(above=0.0, high=200.0)  # cold nitrogen tops out near 80 s
    nitrogen_kg: _num(0.0, 1e5)  # aboard at separation


class RigidLegs(_RigidModel):
    """The deployed legs of ``[booster.legs]``: the station of their feet (below the base)."""

    feet_station_m: Station


class RigidBody(_RigidModel):
    """A stage as a rigid body (module docstring): mass distribution, engine layout and
    dynamics, optional aerodynamic tables, grid fins, cold-gas thrusters and legs."""

    base_station_m: _num(-50.0, 0.0)  # the stage's lowest point, below the gimbal plane
    dry: DryStructure
    tanks: Annotated[list[Tank], Field(min_length=1)]
    engines: EngineLayout
    aero: AeroTables | None = None
    # For the estimate when ``aero`` is absent: the top end's area over the cross-section (0
    # for a pointed nose, 1 for a flat or open top such as a booster's interstage) and the
    # length over which it narrows (0: a flat end).
    top_area_ratio: _num(0.0, 1.0) = 1.0
    nose_length_m: _num(0.0, 1_000.0) = 0.0
    grid_fins: RigidGridFins | None = None
    cold_gas: ColdGasThrusters | None = None
    legs: RigidLegs | None = None

    @model_validator(mode="after")
    def _tanks(self) -> RigidBody:
        total = sum(t.share for t in self.tanks)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise KeyedValueError("tanks", f"the tanks' shares add up to {total:g}, not 1")
        order = sorted(range(len(self.tanks)), key=lambda i: self.tanks[i].bottom_station_m)
        for below, above in itertools.pairwise(order):
            if self.tanks[above].bottom_station_m < self.tanks[below].top_station_m:
                raise KeyedValueError(
                    f"tanks[{above}].bottom_station_m",
                    f"tank {above} overlaps tank {below} (its bottom "
                    f"{self.tanks[above].bottom_station_m:g} m is below that tank's top "
                    f"{self.tanks[below].top_station_m:g} m)",
                )
        return self

    def check_stage(self, stage: Stage) -> None:
        """Checks against the stage that carries this body; a ``KeyedValueError`` keyed from
        the stage (``rigid_body.tanks[0].radius_m``)."""
        _check_inside(self, stage)
        _check_tanks(self, stage)
        _check_engines(self, stage)
        if self.grid_fins is not None and stage.grid_fins is None:
            raise KeyedValueError(
                "rigid_body.grid_fins", "the stage has no [grid_fins] (count, area) to place"
            )
        if self.grid_fins is not None and self.grid_fins.span_radius_m < stage.diameter_m / 2:
            raise KeyedValueError(
                "rigid_body.grid_fins.span_radius_m",
                f"{self.grid_fins.span_radius_m:g} m puts the fins inside the "
                f"{stage.diameter_m:g} m stage",
            )
        if self.legs is not None and stage.legs is None:
            raise KeyedValueError("rigid_body.legs", "the stage has no [legs] (count, span)")
        if self.legs is not None and self.legs.feet_station_m > self.base_station_m:
            raise KeyedValueError(
                "rigid_body.legs.feet_station_m",
                f"the feet ({self.legs.feet_station_m:g} m) must reach below the stage's base "
                f"({self.base_station_m:g} m)",
            )


def _stations(body: RigidBody) -> list[tuple[str, float]]:
    """Every station that must lie on the stage, keyed from the stage."""
    out: list[tuple[str, float]] = []
    if body.dry.cg_station_m is not None:
        out.append(("rigid_body.dry.cg_station_m", body.dry.cg_station_m))
    for i, p in enumerate(body.dry.parts):
        out.append((f"rigid_body.dry.parts[{i}].bottom_station_m", p.bottom_station_m))
        out.append((f"rigid_body.dry.parts[{i}].top_station_m", p.top_station_m))
    for i, t in enumerate(body.tanks):
        out.append((f"rigid_body.tanks[{i}].bottom_station_m", t.bottom_station_m))
        out.append((f"rigid_body.tanks[{i}].top_station_m", t.top_station_m))
    if body.grid_fins is not None:
        out.append(("rigid_body.grid_fins.station_m", body.grid_fins.station_m))
    if body.cold_gas is not None:
        out.append(("rigid_body.cold_gas.station_m", body.cold_gas.station_m))
    if body.aero is not None:
        for i, row in enumerate(body.aero.cp_station_m):
            out.extend((f"rigid_body.aero.cp_station_m[{i}][{j}]", x) for j, x in enumerate(row))
    return out


def _check_inside(body: RigidBody, stage: Stage) -> None:
    low = body.base_station_m
    high = low + stage.length_m
    for key, station in _stations(body):
        if not low <= station <= high:
            raise KeyedValueError(
                key,
                f"station {station:g} m is off the stage, which spans {low:g} to {high:g} m "
                f"(base_station_m + length_m)",
            )
    if body.nose_length_m > stage.length_m:
        raise KeyedValueError("rigid_body.nose_length_m", "is longer than the stage")
    radius = stage.diameter_m / 2
    for i, p in enumerate(body.dry.parts):
        if p.radius_m > radius:
            raise KeyedValueError(
                f"rigid_body.dry.parts[{i}].radius_m",
                f"{p.radius_m:g} m is outside the {stage.diameter_m:g} m stage",
            )


def _check_tanks(body: RigidBody, stage: Stage) -> None:
    for i, tank in enumerate(body.tanks):
        if tank.radius_m > stage.diameter_m / 2:
            raise KeyedValueError(
                f"rigid_body.tanks[{i}].radius_m",
                f"{tank.radius_m:g} m is outside the {stage.diameter_m:g} m stage",
            )
        density = tank.share * stage.propellant_mass_kg / tank.volume_m3
        if density > MAX_PROPELLANT_DENSITY_KGPM3:
            raise KeyedValueError(
                f"rigid_body.tanks[{i}]",
                f"{tank.share * stage.propellant_mass_kg:.0f} kg of {tank.propellant} in "
                f"{tank.volume_m3:.1f} m^3 is {density:.0f} kg/m^3, denser than any propellant "
                f"(limit {MAX_PROPELLANT_DENSITY_KGPM3:.0f}): a station or the radius is wrong",
            )


def _burn_sizes(stage: Stage) -> dict[str, int | None]:
    rec = stage.recovery
    return {
        "boostback": rec.boostback_engines if rec is not None else None,
        "entry": rec.entry_engines if rec is not None else None,
        "landing": stage.landing.engines if stage.landing is not None else None,
    }


def _check_engines(body: RigidBody, stage: Stage) -> None:
    eng = body.engines
    ring = stage.engine_count - eng.centre_engines
    if ring < 0:
        raise KeyedValueError(
            "rigid_body.engines.centre_engines", "a centre engine but engine_count is 0"
        )
    if ring > 0 and eng.ring_radius_m > stage.diameter_m / 2:
        raise KeyedValueError(
            "rigid_body.engines.ring_radius_m",
            f"{eng.ring_radius_m:g} m is outside the {stage.diameter_m:g} m stage",
        )
    if ring > 1 and eng.ring_radius_m == 0.0:
        raise KeyedValueError(
            "rigid_body.engines.ring_radius_m", f"{ring} ring engines cannot share the axis"
        )
    for name, size in _burn_sizes(stage).items():
        lit = getattr(eng, name)
        if lit is None:
            continue
        bad = [i for i in lit if i >= stage.engine_count]
        if bad:
            raise KeyedValueError(
                f"rigid_body.engines.{name}",
                f"engine {bad[0]} does not exist: the stage has engines 0 to "
                f"{stage.engine_count - 1}",
            )
        if size is not None and len(lit) != size:
            where = "landing.engines" if name == "landing" else f"recovery.{name}_engines"
            raise KeyedValueError(
                f"rigid_body.engines.{name}",
                f"lists {len(lit)} engines but {where} is {size}",
            )
