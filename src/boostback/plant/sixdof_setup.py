"""Build a ``SixDofParams`` (the vehicle as arrays, for the 6-DoF kernels) from a vehicle file's
``[booster.rigid_body]`` section and the 3-DoF sections it builds on.

A vehicle without that section is refused with one line (a ``ConfigError`` keyed
``booster.rigid_body``) rather than flown on invented geometry: a 6-DoF result turns on where the
centre of mass sits against the engines, the centre of pressure and the fins, and defaults for
those would make a confident-looking answer out of nothing. ``docs/vehicles.md`` shows the keys.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from boostback.config.errors import ConfigError
from boostback.config.models import Stage, Vehicle
from boostback.config.rigid_models import RigidBody
from boostback.dynamics.aero_estimate import estimate_body_aero
from boostback.dynamics.mass_properties import mass_property_tables
from boostback.dynamics.sixdof_params import SixDofParams

__all__ = ["BURNS", "burn_engines", "engine_geometry", "sixdof_params"]

BURNS = ("boostback", "entry", "landing")
_FIN_MACH_DEFAULT = (0.0, 10.0)  # the default fin table is the same at every Mach


def _rigid(stage: Stage, name: str) -> RigidBody:
    if stage.rigid_body is None:
        raise ConfigError(
            f"{name} has no [booster.rigid_body] section: 6-DoF flight needs its mass "
            "distribution, engine layout, fins, thrusters and legs (see docs/vehicles.md, "
            "'Rigid body'); fly it with --dof 3",
            key="booster.rigid_body",
        )
    return stage.rigid_body


def _ring_pick(ring: int, count: int) -> list[int]:
    """``count`` of ``ring`` engines spread evenly round the ring (0-based ring positions);
    with an even ring and an even count they are opposite pairs."""
    return sorted({math.floor(k * ring / count + 0.5) % ring for k in range(count)})


def _burn_size(stage: Stage, burn: str) -> int:
    rec = stage.recovery
    if burn == "landing":
        return stage.landing_engines
    if rec is None:
        return min(3, stage.engine_count)
    return rec.boostback_engines if burn == "boostback" else rec.entry_engines


def burn_engines(stage: Stage, burn: str) -> np.ndarray:
    """Indices (into ``SixDofParams.engine_position_m``) of the engines a burn lights.

    Parameters
    ----------
    stage : Stage
        A stage with a ``rigid_body`` section.
    burn : str
        ``"boostback"``, ``"entry"`` or ``"landing"``.

    Returns
    -------
    numpy.ndarray
        int64 indices, ascending. The vehicle file's list when it gives one; otherwise the
        centre engine (if there is one and the count is odd) and ring engines spread evenly
        round the ring (opposite pairs for an even count on an even ring), so that the lit
        engines' thrust passes through the axis: one engine is the centre one, three are the
        centre one and two opposite ring engines.
    """
    if burn not in BURNS:
        raise ValueError(f"unknown burn {burn!r}: expected one of {', '.join(BURNS)}")
    rigid = _rigid(stage, stage.name)
    listed = getattr(rigid.engines, burn)
    if listed is not None:
        return np.array(sorted(listed), dtype=np.int64)
    n = _burn_size(stage, burn)
    centre = rigid.engines.centre_engines
    ring = stage.engine_count - centre
    if n >= stage.engine_count:
        return np.arange(stage.engine_count, dtype=np.int64)
    use_centre = centre == 1 and (n % 2 == 1 or ring == 0)
    picks = _ring_pick(ring, n - use_centre) if n - use_centre > 0 else []
    lit = ([0] if use_centre else []) + [centre + i for i in picks]
    return np.array(sorted(lit), dtype=np.int64)


def engine_geometry(stage: Stage) -> tuple[np.ndarray, np.ndarray]:
    """Gimbal points (k, 3) and unit nominal thrust directions (k, 3) of the engines, in body.

    Engine 0 is the centre engine when there is one; the ring engines follow, evenly spaced
    from ``ring_phase_deg`` (from ``y_body`` towards ``z_body``). All gimbal points lie in the
    gimbal plane (station 0). A canted engine (``engine.cant_deg``) has its nozzle turned
    outwards, so its thrust leans towards the axis: ``(cos c, -sin c cos az, -sin c sin az)``.
    """
    rigid = _rigid(stage, stage.name)
    centre = rigid.engines.centre_engines
    ring = stage.engine_count - centre
    az = math.radians(rigid.engines.ring_phase_deg) + 2.0 * math.pi * np.arange(ring) / max(ring, 1)
    radius = rigid.engines.ring_radius_m
    pos = np.zeros((stage.engine_count, 3))
    pos[centre:, 1] = radius * np.cos(az)
    pos[centre:, 2] = radius * np.sin(az)
    cant = stage.engine.cant_rad
    axis = np.zeros((stage.engine_count, 3))
    axis[:, 0] = math.cos(cant)
    axis[centre:, 1] = -math.sin(cant) * np.cos(az)
    axis[centre:, 2] = -math.sin(cant) * np.sin(az)
    return np.ascontiguousarray(pos), np.ascontiguousarray(axis)


def _aero(stage: Stage, rigid: RigidBody, ascent_cd: tuple[np.ndarray, np.ndarray] | None):
    """(mach, alpha, axial, normal, cp, pitch damping, roll damping) of the body."""
    t = rigid.aero
    if t is not None:
        arr = [np.ascontiguousarray(v, dtype=np.float64) for v in (t.axial, t.normal)]
        return (
            np.array(t.mach, dtype=np.float64),
            np.radians(np.array(t.alpha_deg, dtype=np.float64)),
            arr[0],
            arr[1],
            np.ascontiguousarray(t.cp_station_m, dtype=np.float64),
            np.array(t.pitch_damping, dtype=np.float64),
            float(t.roll_damping),
        )
    est = estimate_body_aero(
        stage.length_m,
        stage.diameter_m,
        rigid.base_station_m,
        stage.cd_table,
        ascent_cd,
        rigid.top_area_ratio,
        rigid.nose_length_m,
        ref_area_m2=stage.area_m2,
    )
    return (
        est.mach,
        est.alpha_rad,
        est.axial,
        est.normal,
        est.cp_station_m,
        est.pitch_damping,
        est.roll_damping,
    )


def _fins(stage: Stage, rigid: RigidBody) -> dict[str, Any]:
    """The grid-fin fields; none (empty, zero) without fins."""
    gf, rf = stage.grid_fins, rigid.grid_fins
    if gf is None or rf is None:
        return dict(
            fin_azimuth_rad=np.zeros(0),
            fin_station_m=0.0,
            fin_span_radius_m=0.0,
            fin_area_m2=0.0,
            fin_mach=np.array([0.0, 1.0]),
            fin_deflection_rad=np.array([-1.0, 1.0]),
            fin_force=np.zeros((2, 2)),
            fin_axial=np.zeros(2),
            fin_max_rad=0.0,
            fin_rate_rad_s=0.0,
        )
    max_rad = math.radians(rf.max_deflection_deg)
    if rf.force:
        mach = np.array(rf.mach, dtype=float)
        half = np.radians(np.array(rf.deflection_deg, dtype=float))
        force_half = np.array(rf.force, dtype=float)
        axial = np.array(rf.axial, dtype=float)
    else:  # linear to the 3-DoF coefficient at full deflection, any Mach
        mach = np.array(_FIN_MACH_DEFAULT)
        half = np.array([0.0, max_rad])
        force_half = np.array([[0.0, gf.normal_force_coeff]] * len(mach))
        axial = np.full(len(mach), gf.drag_coeff)
    # The table is odd in the deflection: mirror the positive half.
    deflection = np.concatenate([-half[:0:-1], half])
    force = np.concatenate([-force_half[:, :0:-1], force_half], axis=1)
    azimuth = math.radians(rf.phase_deg) + 2.0 * math.pi * np.arange(gf.count) / gf.count
    return dict(
        fin_azimuth_rad=azimuth,
        fin_station_m=rf.station_m,
        fin_span_radius_m=rf.span_radius_m,
        fin_area_m2=gf.area_m2,
        fin_mach=mach,
        fin_deflection_rad=deflection,
        fin_force=np.ascontiguousarray(force),
        fin_axial=axial,
        fin_max_rad=max_rad,
        fin_rate_rad_s=math.radians(rf.rate_deg_s),
        fin_time_constant_s=rf.time_constant_s,
    )


def _cold_gas(rigid: RigidBody) -> dict[str, Any]:
    """The thrusters: three per pod (either way round the stage, and inwards)."""
    cg = rigid.cold_gas
    if cg is None:  # Isp 1 s keeps a division harmless: no thrust, no gas
        return dict(
            rcs_position_m=np.zeros((0, 3)),
            rcs_direction=np.zeros((0, 3)),
            rcs_thrust_n=0.0,
            rcs_isp_s=1.0,
            rcs_gas_kg=0.0,
        )
    positions, directions = [], []
    for k in range(cg.pods):
        az = math.radians(cg.phase_deg) + 2.0 * math.pi * k / cg.pods
        c, s = math.cos(az), math.sin(az)
        pos = (cg.station_m, cg.radius_m * c, cg.radius_m * s)
        for d in ((0.0, -s, c), (0.0, s, -c), (0.0, -c, -s)):  # +tangent, -tangent, inwards
            positions.append(pos)
            directions.append(d)
    return dict(
        rcs_position_m=np.array(positions),
        rcs_direction=np.array(directions),
        rcs_thrust_n=cg.thrust_n,
        rcs_isp_s=cg.isp_s,
        rcs_gas_kg=cg.nitrogen_kg,
    )


def _stage_and_ascent(
    vehicle_or_stage: Vehicle | Stage,
) -> tuple[Stage, tuple[np.ndarray, np.ndarray] | None, str]:
    if isinstance(vehicle_or_stage, Vehicle):
        v = vehicle_or_stage
        ascent = None
        if v.ascent is not None:
            table = np.asarray(v.ascent.cd_mach, dtype=float)
            ascent = (table[:, 0].copy(), table[:, 1].copy())
        return v.booster, ascent, f"vehicle '{v.key}'"
    return vehicle_or_stage, None, f"stage '{vehicle_or_stage.name}'"


def sixdof_params(
    vehicle_or_stage: Vehicle | Stage,
    *,
    ascent_cd: tuple[np.ndarray, np.ndarray] | None = None,
    table_points: int = 41,
) -> SixDofParams:
    """The booster (or the stage given) as a ``SixDofParams``.

    Parameters
    ----------
    vehicle_or_stage : Vehicle or Stage
        A vehicle (its booster is built, and its ``[ascent] cd_mach`` is the nose-first drag of
        the aerodynamic estimate) or one stage.
    ascent_cd : (numpy.ndarray, numpy.ndarray), optional
        (Mach, C_D) nose first, overriding the vehicle's ascent table.
    table_points : int
        Rows of the mass-property tables.

    Returns
    -------
    SixDofParams

    Raises
    ------
    ConfigError
        The stage has no ``rigid_body`` section.
    """
    stage, vehicle_ascent, name = _stage_and_ascent(vehicle_or_stage)
    rigid = _rigid(stage, name)
    ascent = ascent_cd if ascent_cd is not None else vehicle_ascent
    prop, cg, inertia = mass_property_tables(
        rigid, stage.dry_mass_kg, stage.propellant_mass_kg, table_points
    )
    position, axis = engine_geometry(stage)
    mach, alpha, axial, normal, cp, damping, roll = _aero(stage, rigid, ascent)
    e = stage.engine
    legs = stage.legs
    return SixDofParams(
        mp_propellant_kg=prop,
        mp_cg_station_m=cg,
        mp_inertia_kgm2=inertia,
        engine_position_m=position,
        engine_axis=axis,
        engine_thrust_vac_n=e.thrust_vac_n,
        engine_exit_area_m2=e.exit_area_m2,
        engine_mass_flow_kgps=e.mass_flow_kgps,
        throttle_min=e.throttle_min,
        throttle_max=e.throttle_max,
        throttle_rate_per_s=rigid.engines.throttle_rate_per_s,
        throttle_time_constant_s=rigid.engines.throttle_time_constant_s,
        gimbal_max_rad=e.gimbal_rad,
        gimbal_rate_rad_s=math.radians(rigid.engines.gimbal_rate_deg_s),
        gimbal_time_constant_s=rigid.engines.gimbal_time_constant_s,
        startup_s=rigid.engines.startup_s,
        shutdown_s=rigid.engines.shutdown_s,
        aero_mach=mach,
        aero_alpha_rad=alpha,
        aero_axial=axial,
        aero_normal=normal,
        aero_cp_station_m=cp,
        aero_pitch_damping=damping,
        aero_roll_damping=roll,
        ref_area_m2=stage.area_m2,
        ref_length_m=stage.length_m,
        **_fins(stage, rigid),
        **_cold_gas(rigid),
        leg_count=legs.count if legs is not None and rigid.legs is not None else 0,
        leg_footprint_radius_m=legs.span_m / 2.0 if legs is not None else 0.0,
        leg_station_m=rigid.legs.feet_station_m if rigid.legs is not None else rigid.base_station_m,
        length_m=stage.length_m,
        diameter_m=stage.diameter_m,
        dry_mass_kg=stage.dry_mass_kg,
        plume_ct=np.array([r[0] for r in stage.plume_drag], dtype=np.float64),
        plume_factor=np.array([r[1] for r in stage.plume_drag], dtype=np.float64),
    )
