"""The body's static aerodynamics estimated from its geometry, for a vehicle file without
aerodynamic tables: axial and normal force coefficients and centre of pressure against Mach and
total angle of attack (0 nose first .. pi engines first), and a pitch-damping estimate.

Method: Jorgensen, L. H., "Prediction of Static Aerodynamic Characteristics for Slender Bodies
Alone and with Lifting Surfaces to Very High Angles of Attack", NASA TR R-474, 1977. The normal
force is a slender-body (potential) term plus a viscous crossflow term,

    C_N = (S_base - S_top) / S sin(2 alpha) cos(alpha / 2)  +  eta C_dn (A_p / S) sin^2(alpha),

with ``S`` the reference (cross-section) area, ``S_base`` and ``S_top`` the areas of the two
ends, ``A_p`` the planform area, ``eta`` the crossflow proportionality factor of a finite body
(against fineness ratio) and ``C_dn`` the drag coefficient of a circular cylinder in crossflow at
the crossflow Mach number ``M sin(alpha)``. The potential force acts where the cross-section
changes (the nose); the crossflow force at the planform's centroid. For a body with a pointed
nose the potential term gives the slender-body slope ``dC_N/dalpha = 2`` per rad at alpha = 0.
A booster has no nose: its top is the open interstage, as wide as its base, so the potential
term vanishes and its normal force is all crossflow (a limitation: a blunt top's own normal
force at small alpha is not modelled).

Axial force, consistent with the 3-DoF drag tables (Jorgensen's ``C_A = C_A0 cos^2 alpha``):
``C_A = C_D,nose-first(M) cos^2(alpha)`` for alpha <= pi/2 and ``-C_D,engines-first(M)
cos^2(alpha)`` beyond, so that at alpha = pi the drag is exactly the stage's ``cd_mach`` (the
sign is the body-axis sign of ``SixDofParams.aero_axial``) and at alpha = 0 the nose-first
table (the vehicle's ``[ascent] cd_mach`` when given).

Tables of the method (estimates of the readings, not measurements):

- ``eta`` against fineness ratio L/d: Jorgensen's figure (after Mello and Allen & Perkins), as
  digitised and fitted by P. Sharpe in AeroSandbox (``jorgensen_eta``); sampled here.
- ``C_dn`` against crossflow Mach: Jorgensen's figure for circular cylinders at subcritical
  crossflow Reynolds number, read approximately: 1.2 below Mach 0.4, a peak near 2 at Mach 1,
  falling to about 1.3 in hypersonic crossflow (the Newtonian 4/3).

Pitch damping (estimate): the quasi-steady local-angle method: a pitch rate ``w`` adds
``w (x - x_ref) / V`` to the local angle of attack, so a normal-force slope distributed along
the body gives ``C_mq = -2 sum C_N,alpha,i ((x_i - x_ref) / L)^2`` about the mid-length
``x_ref``. The potential slope is concentrated at the nose; the crossflow term, quadratic at
alpha = 0, is linearised by its secant slope to ``DAMPING_REFERENCE_ALPHA_RAD`` and spread over
the planform. The roll damping of a smooth body of revolution is zero (skin friction ignored).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "ALPHA_GRID_RAD",
    "BodyAero",
    "crossflow_cd",
    "crossflow_eta",
    "estimate_body_aero",
]

# Jorgensen's eta against fineness ratio (sampled from the AeroSandbox fit of his figure).
_ETA_FINENESS = np.array([0.0, 2.0, 4.0, 8.0, 12.0, 16.0, 20.0, 30.0, 40.0])
_ETA = np.array([0.53, 0.57, 0.61, 0.66, 0.70, 0.73, 0.75, 0.79, 0.82])
# Circular-cylinder crossflow drag against crossflow Mach (Jorgensen's figure, approximate).
_CDN_MACH = np.array([0.0, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 6.0])
_CDN = np.array([1.2, 1.2, 1.35, 1.65, 2.0, 1.95, 1.75, 1.55, 1.4, 1.35, 1.3])

ALPHA_GRID_RAD = np.radians(np.arange(0.0, 180.0 + 1e-9, 5.0))
DAMPING_REFERENCE_ALPHA_RAD = math.radians(10.0)
_MACH_GRID = (0.0, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0, 3.0, 5.0, 8.0)


def crossflow_eta(fineness: float) -> float:
    """Jorgensen's crossflow proportionality factor of a body of fineness ratio L/d."""
    return float(np.interp(fineness, _ETA_FINENESS, _ETA))


def crossflow_cd(mach_crossflow: np.ndarray | float) -> np.ndarray:
    """Drag coefficient of a circular cylinder in crossflow at crossflow Mach ``M sin alpha``."""
    return np.interp(mach_crossflow, _CDN_MACH, _CDN)


class BodyAero:
    """The estimate's tables, shaped as ``SixDofParams`` wants them (``aero_*``)."""

    __slots__ = ("alpha_rad", "axial", "cp_station_m", "mach", "normal", "pitch_damping")

    def __init__(self, mach, alpha_rad, axial, normal, cp_station_m, pitch_damping) -> None:
        self.mach = mach
        self.alpha_rad = alpha_rad
        self.axial = axial
        self.normal = normal
        self.cp_station_m = cp_station_m
        self.pitch_damping = pitch_damping

    roll_damping = 0.0


def _nose_geometry(
    length_m: float, diameter_m: float, top_area_ratio: float, nose_length_m: float
) -> tuple[float, float, float]:
    """(planform area, planform centroid's distance from the top, potential force's distance
    from the top) of a cylinder whose top ``nose_length_m`` narrows linearly in radius to
    ``sqrt(top_area_ratio)`` of the full radius."""
    d_top = diameter_m * math.sqrt(top_area_ratio)
    ln = min(nose_length_m, length_m)
    nose_area = ln * (d_top + diameter_m) / 2.0
    # Trapezoid centroid from its narrow end; the potential force is distributed as dS/dx,
    # i.e. as the local radius, so it sits at the same distance (2/3 of a cone's length).
    nose_centroid = ln * (d_top + 2.0 * diameter_m) / (3.0 * (d_top + diameter_m)) if ln else 0.0
    body_area = (length_m - ln) * diameter_m
    planform = nose_area + body_area
    centroid = (nose_area * nose_centroid + body_area * (ln + (length_m - ln) / 2.0)) / planform
    return planform, centroid, nose_centroid


def _normal_terms(
    mach: np.ndarray, alpha: np.ndarray, potential: float, crossflow_k: float
) -> tuple[np.ndarray, np.ndarray]:
    """(potential, crossflow) normal-force terms on the (mach, alpha) grid."""
    a = alpha[None, :]
    pot = potential * np.sin(2.0 * a) * np.cos(a / 2.0) * np.ones_like(mach)[:, None]
    cdn = crossflow_cd(mach[:, None] * np.sin(a))
    cross = crossflow_k * cdn * np.sin(a) ** 2
    return pot, cross


def _centre_of_pressure(
    mach: np.ndarray,
    alpha: np.ndarray,
    terms: tuple[np.ndarray, np.ndarray],
    potential: float,
    crossflow_k: float,
    stations: tuple[float, float],
) -> np.ndarray:
    """Station of the normal force: the two terms' stations weighted by the terms. Where C_N
    vanishes (alpha = 0, pi) it is the limit: the potential term's station when there is one
    (it is linear in alpha, the crossflow quadratic), else the planform centroid."""
    pot, cross = terms
    x_pot, x_cross = stations
    normal = pot + cross
    eps = 1e-6
    lim_pot, lim_cross = _normal_terms(mach, np.array([eps, math.pi - eps]), potential, crossflow_k)
    with np.errstate(invalid="ignore", divide="ignore"):
        cp = (pot * x_pot + cross * x_cross) / normal
        cp_lim = (lim_pot * x_pot + lim_cross * x_cross) / (lim_pot + lim_cross)
    small = np.abs(normal) < 1e-12
    cp = np.where(small & (alpha[None, :] < math.pi / 2), cp_lim[:, :1], cp)
    return np.where(small & (alpha[None, :] >= math.pi / 2), cp_lim[:, 1:], cp)


def estimate_body_aero(
    length_m: float,
    diameter_m: float,
    base_station_m: float,
    cd_engines_first: tuple[np.ndarray, np.ndarray],
    cd_nose_first: tuple[np.ndarray, np.ndarray] | None = None,
    top_area_ratio: float = 1.0,
    nose_length_m: float = 0.0,
    alpha_rad: np.ndarray = ALPHA_GRID_RAD,
    ref_area_m2: float | None = None,
) -> BodyAero:
    """C_A, C_N and centre of pressure against Mach and alpha, and C_mq against Mach.

    Parameters
    ----------
    length_m, diameter_m : float
        The body; the reference area is its cross-section ``pi d^2 / 4``, the reference length
        its length.
    base_station_m : float
        Station of the body's lowest point (the top is ``base_station_m + length_m``).
    cd_engines_first : (numpy.ndarray, numpy.ndarray)
        (Mach, C_D) falling engines first: the stage's ``cd_mach``; C_A at alpha = pi is minus
        this.
    cd_nose_first : (numpy.ndarray, numpy.ndarray), optional
        (Mach, C_D) nose first (the ``[ascent] cd_mach``); without it the engines-first table
        stands in (an estimate).
    top_area_ratio : float
        Area of the top end over the cross-section: 0 for a pointed nose, 1 for a flat or open
        top.
    nose_length_m : float
        Length over which the top narrows (0: a flat end).
    alpha_rad : numpy.ndarray
        Total angles of attack, ascending from 0 to pi.
    ref_area_m2 : float, optional
        Reference area of all the coefficients (the drag tables' own); the cross-section
        ``pi d^2 / 4`` when not given.

    Returns
    -------
    BodyAero
        The tables, on a Mach grid that holds both drag tables' Mach numbers.
    """
    mach_down, cd_down = (np.asarray(v, dtype=float) for v in cd_engines_first)
    mach_up, cd_up = (
        (np.asarray(v, dtype=float) for v in cd_nose_first)
        if cd_nose_first is not None and len(cd_nose_first[0])
        else (mach_down, cd_down)
    )
    mach = np.unique(np.concatenate([mach_down, mach_up, _MACH_GRID]))
    alpha = np.asarray(alpha_rad, dtype=float)
    ref_area = math.pi * diameter_m**2 / 4.0 if ref_area_m2 is None else ref_area_m2
    top = base_station_m + length_m
    planform, centroid_from_top, nose_from_top = _nose_geometry(
        length_m, diameter_m, top_area_ratio, nose_length_m
    )
    potential = (1.0 - top_area_ratio) * math.pi * diameter_m**2 / 4.0 / ref_area
    crossflow_k = crossflow_eta(length_m / diameter_m) * planform / ref_area
    x_pot, x_cross = top - nose_from_top, top - centroid_from_top

    pot, cross = _normal_terms(mach, alpha, potential, crossflow_k)
    normal = pot + cross
    cp = _centre_of_pressure(mach, alpha, (pot, cross), potential, crossflow_k, (x_pot, x_cross))
    cos2 = np.cos(alpha)[None, :] ** 2
    nose_first = (alpha <= math.pi / 2)[None, :]
    axial = np.where(
        nose_first,
        np.interp(mach, mach_up, cd_up)[:, None] * cos2,
        -np.interp(mach, mach_down, cd_down)[:, None] * cos2,
    )
    a_ref = DAMPING_REFERENCE_ALPHA_RAD
    _, cross_ref = _normal_terms(mach, np.array([a_ref]), potential, crossflow_k)
    cross_slope = cross_ref[:, 0] / a_ref
    x_ref = base_station_m + length_m / 2.0
    # Second moment of the planform about the mid-length, over L^2, for the spread crossflow:
    # a cylinder's 1/12 (the nose's small correction ignored).
    damping = -2.0 * (2.0 * potential * ((x_pot - x_ref) / length_m) ** 2 + cross_slope / 12.0)
    tables = (mach, alpha, axial, normal, cp, damping)
    return BodyAero(*(np.ascontiguousarray(t, dtype=np.float64) for t in tables))
