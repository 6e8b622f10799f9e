"""Mass properties of a rigid stage against the propellant aboard: centre of mass and principal
moments of inertia about it, as the tables ``SixDofParams`` takes.

Assumptions (docs/vehicles.md, "Rigid body"):

- Axisymmetric: every part and tank is a body of revolution about ``x_body``, so the inertia
  tensor about the centre of mass is diagonal, roll (``I_x``) and pitch = yaw (``I_y = I_z``).
  A ring of engines is axisymmetric in this sense only on average (eight engines on a ring have
  ``I_y = I_z`` exactly; their roll inertia is that of a ring of the same radius).
- The liquid is rigid and settled aft: each tank's liquid is a solid cylinder of the tank's
  radius, from the tank's bottom up to the fill height. The tanks drain together, each keeping
  its share of what is aboard (the engines burn at a fixed mixture ratio), so every tank's fill
  fraction is the propellant aboard over the full load. No slosh, no ullage gas mass, no domes.
  "Aft" holds whenever the non-gravitational acceleration points along ``+x_body``: under
  thrust, and under drag falling engines first; in a ballistic coast the liquid floats.
- Parallel-axis theorem: each piece's moments about its own centre, moved to the stage's centre
  of mass by ``m d^2`` for the pitch axes (the roll axis is common to all pieces).

Moments of a piece of mass ``m``, radius ``r``, length ``L`` about its own centre:

- solid cylinder: ``I_x = m r^2 / 2``, ``I_y = m (3 r^2 + L^2) / 12``;
- thin cylindrical shell (open ends): ``I_x = m r^2``, ``I_y = m (6 r^2 + L^2) / 12``.
"""

from __future__ import annotations

import numpy as np

from boostback.config.rigid_models import DryStructure, RigidBody

__all__ = [
    "cylinder_inertia",
    "dry_mass_properties",
    "mass_property_tables",
    "stage_mass_properties",
]

TABLE_POINTS = 41  # rows of the mass-property tables, propellant 0 .. full


def cylinder_inertia(
    mass_kg: np.ndarray | float,
    radius_m: np.ndarray | float,
    length_m: np.ndarray | float,
    shell: np.ndarray | bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch moments of inertia of uniform cylinders about their own centres.

    Parameters
    ----------
    mass_kg, radius_m, length_m : array_like
        Mass, radius and length of each cylinder (broadcast together).
    shell : array_like of bool
        True for a thin cylindrical shell (mass on the radius, open ends), False for a solid
        cylinder.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``I_x`` (about the axis) and ``I_y`` (about a diameter through the centre), kg m^2.
    """
    m = np.asarray(mass_kg, dtype=float)
    r2 = np.asarray(radius_m, dtype=float) ** 2
    l2 = np.asarray(length_m, dtype=float) ** 2
    s = np.asarray(shell, dtype=bool)
    ix = np.where(s, m * r2, 0.5 * m * r2)
    iy = np.where(s, m * (6.0 * r2 + l2) / 12.0, m * (3.0 * r2 + l2) / 12.0)
    return ix, iy


def dry_mass_properties(dry: DryStructure, dry_mass_kg: float) -> tuple[float, float, float]:
    """Centre-of-mass station and moments of inertia (roll, pitch) about it of the empty stage.

    Parameters
    ----------
    dry : DryStructure
        As given (``cg_station_m`` and the two inertias) or as parts with mass shares.
    dry_mass_kg : float
        The stage's dry mass, shared out among the parts.

    Returns
    -------
    (float, float, float)
        ``(cg_station_m, roll_inertia_kgm2, pitch_inertia_kgm2)``.
    """
    if not dry.parts:
        assert dry.cg_station_m is not None and dry.roll_inertia_kgm2 is not None
        assert dry.pitch_inertia_kgm2 is not None
        return dry.cg_station_m, dry.roll_inertia_kgm2, dry.pitch_inertia_kgm2
    mass = np.array([p.mass_share for p in dry.parts]) * dry_mass_kg
    bottom = np.array([p.bottom_station_m for p in dry.parts])
    top = np.array([p.top_station_m for p in dry.parts])
    radius = np.array([p.radius_m for p in dry.parts])
    shell = np.array([p.shape == "shell" for p in dry.parts])
    centre = 0.5 * (bottom + top)
    ix, iy = cylinder_inertia(mass, radius, top - bottom, shell)
    cg = float(np.sum(mass * centre) / np.sum(mass))
    pitch = float(np.sum(iy + mass * (centre - cg) ** 2))
    return cg, float(np.sum(ix)), pitch


def stage_mass_properties(
    propellant_kg: np.ndarray,
    dry_mass_kg: float,
    dry_cg_station_m: float,
    dry_inertia_kgm2: tuple[float, float],
    full_load_kg: float,
    tank_share: np.ndarray,
    tank_bottom_station_m: np.ndarray,
    tank_length_m: np.ndarray,
    tank_radius_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Centre of mass and principal inertias of the stage with ``propellant_kg`` aboard.

    Parameters
    ----------
    propellant_kg : numpy.ndarray
        (n,) propellant aboard, each in [0, ``full_load_kg``].
    dry_mass_kg, dry_cg_station_m : float
        The empty stage's mass and centre-of-mass station.
    dry_inertia_kgm2 : (float, float)
        Its roll and pitch moments about its own centre of mass.
    full_load_kg : float
        Propellant that fills every tank.
    tank_share, tank_bottom_station_m, tank_length_m, tank_radius_m : numpy.ndarray
        (k,) each tank's share of the propellant, bottom station, length and radius.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``cg_station_m`` (n,) and ``inertia_kgm2`` (n, 3): roll, pitch, yaw about the centre of
        mass.
    """
    p = np.asarray(propellant_kg, dtype=float)[:, None]  # (n, 1)
    fill = p / full_load_kg
    liquid = tank_share[None, :] * p  # (n, k) mass in each tank
    height = fill * tank_length_m[None, :]  # liquid column, settled aft
    centre = tank_bottom_station_m[None, :] + 0.5 * height
    total = dry_mass_kg + p[:, 0]
    cg = (dry_mass_kg * dry_cg_station_m + np.sum(liquid * centre, axis=1)) / total
    ix_l, iy_l = cylinder_inertia(liquid, tank_radius_m[None, :], height)
    roll = dry_inertia_kgm2[0] + np.sum(ix_l, axis=1)
    pitch = (
        dry_inertia_kgm2[1]
        + dry_mass_kg * (dry_cg_station_m - cg) ** 2
        + np.sum(iy_l + liquid * (centre - cg[:, None]) ** 2, axis=1)
    )
    inertia = np.column_stack([roll, pitch, pitch])
    return cg, np.ascontiguousarray(inertia)


def mass_property_tables(
    body: RigidBody, dry_mass_kg: float, propellant_mass_kg: float, points: int = TABLE_POINTS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mass-property tables of ``SixDofParams`` for a stage's rigid body.

    Parameters
    ----------
    body : RigidBody
        The stage's ``[rigid_body]`` section.
    dry_mass_kg, propellant_mass_kg : float
        The stage's dry mass and full propellant load.
    points : int
        Rows, evenly spaced from 0 kg to the full load.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``mp_propellant_kg`` (n,), ``mp_cg_station_m`` (n,), ``mp_inertia_kgm2`` (n, 3).
    """
    cg0, ix0, iy0 = dry_mass_properties(body.dry, dry_mass_kg)
    tanks = body.tanks
    propellant = np.linspace(0.0, propellant_mass_kg, points)
    cg, inertia = stage_mass_properties(
        propellant,
        dry_mass_kg,
        cg0,
        (ix0, iy0),
        propellant_mass_kg,
        np.array([t.share for t in tanks]),
        np.array([t.bottom_station_m for t in tanks]),
        np.array([t.length_m for t in tanks]),
        np.array([t.radius_m for t in tanks]),
    )
    return propellant, cg, inertia
