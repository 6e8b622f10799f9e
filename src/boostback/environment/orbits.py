"""Orbit mechanics: state vectors and classical (Keplerian) elements, both ways.

Two-body osculating elements about a point mass ``mu`` (WGS-84's GM by default). The conversions
are the standard ones: state to elements is Vallado's RV2COE (Vallado, *Fundamentals of
Astrodynamics and Applications*, 4th ed., 2013, algorithm 9) and Curtis' algorithm 4.2 (Curtis,
*Orbital Mechanics for Engineering Students*, 3rd ed., 2014); elements to state is Vallado's
COE2RV (algorithm 10) / Curtis' algorithm 4.5, through the perifocal frame.

Angles are radians. The right ascension of the ascending node (RAAN) and the argument of perigee
are undefined for an equatorial or a circular orbit; there the conventions are (Vallado): for a
circular inclined orbit the argument of perigee is 0 and the true anomaly is the argument of
latitude; for an equatorial orbit the RAAN is 0 and the argument of perigee is the longitude of
perigee (true longitude for a circular equatorial orbit). Perigee and apogee *altitudes* are
radii less a stated reference radius, the WGS-84 equatorial radius unless given (the convention
of launch-vehicle user guides, which quote altitudes above a spherical Earth of that radius).

A state in the rotating Earth-fixed frame (the flight's ECEF) converts through
``environment.frames.ecef_to_eci`` (ECI and ECEF coincide at the epoch t = 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boostback.environment.earth import WGS84_A_M, WGS84_MU_M3PS2
from boostback.environment.frames import ecef_to_eci

__all__ = [
    "Elements",
    "ecef_state_to_elements",
    "elements_to_state",
    "orbit_normal_eci",
    "perigee_apogee_to_a_e",
    "state_to_elements",
]

_SMALL = 1e-11  # below this, an eccentricity or a sine of inclination counts as zero
Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Elements:
    """Classical orbit elements (osculating, two-body).

    Attributes
    ----------
    p_m : float
        Semi-latus rectum [m] (defined for every conic, parabola included).
    e : float
        Eccentricity.
    i_rad, raan_rad, argp_rad, nu_rad : float
        Inclination, right ascension of the ascending node, argument of perigee, true anomaly.
    mu_m3ps2 : float
        The gravitational parameter the elements refer to.
    ref_radius_m : float
        The radius the perigee and apogee altitudes are measured over.
    """

    p_m: float
    e: float
    i_rad: float
    raan_rad: float
    argp_rad: float
    nu_rad: float
    mu_m3ps2: float = WGS84_MU_M3PS2
    ref_radius_m: float = WGS84_A_M

    @property
    def a_m(self) -> float:
        """Semi-major axis [m] (inf for a parabola, negative for a hyperbola)."""
        d = 1.0 - self.e * self.e
        return math.inf if abs(d) < _SMALL else self.p_m / d

    @property
    def perigee_radius_m(self) -> float:
        return self.p_m / (1.0 + self.e)

    @property
    def apogee_radius_m(self) -> float:
        """Apogee radius [m]; inf for an open orbit (e >= 1)."""
        return math.inf if self.e >= 1.0 else self.p_m / (1.0 - self.e)

    @property
    def perigee_alt_m(self) -> float:
        return self.perigee_radius_m - self.ref_radius_m

    @property
    def apogee_alt_m(self) -> float:
        return self.apogee_radius_m - self.ref_radius_m

    @property
    def argument_of_latitude_rad(self) -> float:
        """Argument of perigee plus true anomaly, in [0, 2 pi)."""
        return (self.argp_rad + self.nu_rad) % (2.0 * math.pi)

    @property
    def period_s(self) -> float:
        a = self.a_m
        return 2.0 * math.pi * math.sqrt(a**3 / self.mu_m3ps2) if 0.0 < a < math.inf else math.inf

    def as_dict(self) -> dict[str, float]:
        """The elements with angles in degrees and altitudes in km, for reports and JSON."""
        return {
            "perigee_alt_km": self.perigee_alt_m / 1e3,
            "apogee_alt_km": self.apogee_alt_m / 1e3,
            "a_km": self.a_m / 1e3,
            "e": self.e,
            "inclination_deg": math.degrees(self.i_rad),
            "raan_deg": math.degrees(self.raan_rad),
            "argp_deg": math.degrees(self.argp_rad),
            "true_anomaly_deg": math.degrees(self.nu_rad),
        }


def _angle(cos_value: float) -> float:
    return math.acos(max(-1.0, min(1.0, cos_value)))


def state_to_elements(
    r_eci_m: ArrayLike,
    v_eci_mps: ArrayLike,
    mu_m3ps2: float = WGS84_MU_M3PS2,
    ref_radius_m: float = WGS84_A_M,
) -> Elements:
    """Classical elements of an inertial state (Vallado RV2COE, Curtis algorithm 4.2).

    Parameters
    ----------
    r_eci_m, v_eci_mps : array_like, shape (3,)
        Inertial position [m] and velocity [m/s].
    mu_m3ps2 : float
        Gravitational parameter.
    ref_radius_m : float
        Radius the reported perigee/apogee altitudes are measured over.

    Returns
    -------
    Elements
    """
    r = np.asarray(r_eci_m, dtype=np.float64)
    v = np.asarray(v_eci_mps, dtype=np.float64)
    rn, vn = float(np.linalg.norm(r)), float(np.linalg.norm(v))
    if not (rn > 0.0 and math.isfinite(rn) and math.isfinite(vn)):
        raise ValueError(f"need a finite, non-zero position, got r={r}, v={v}")
    h = np.cross(r, v)
    hn = float(np.linalg.norm(h))
    if hn <= 0.0:
        raise ValueError("rectilinear state (r parallel to v): the elements are undefined")
    node = np.array([-h[1], h[0], 0.0])  # z x h
    nn = float(np.linalg.norm(node))
    rv = float(r @ v)
    e_vec = ((vn * vn - mu_m3ps2 / rn) * r - rv * v) / mu_m3ps2
    e = float(np.linalg.norm(e_vec))
    p = hn * hn / mu_m3ps2
    inc = _angle(h[2] / hn)
    equatorial = nn < _SMALL * hn
    circular = e < _SMALL
    raan = 0.0 if equatorial else math.atan2(node[1], node[0]) % (2.0 * math.pi)
    if circular:
        argp = 0.0
        ref = np.array([1.0, 0.0, 0.0]) if equatorial else node / nn
        nu = _angle(float(ref @ r) / rn)
        # past the reference direction when the motion is along it (r.(h x ref) < 0 otherwise)
        if float(np.cross(ref, r) @ h) < 0.0:
            nu = 2.0 * math.pi - nu
    else:
        if equatorial:
            argp = math.atan2(e_vec[1], e_vec[0]) % (2.0 * math.pi)
            if h[2] < 0.0:  # retrograde equatorial: longitude of perigee measured the other way
                argp = (2.0 * math.pi - argp) % (2.0 * math.pi)
        else:
            argp = _angle(float(node @ e_vec) / (nn * e))
            if e_vec[2] < 0.0:
                argp = 2.0 * math.pi - argp
        nu = _angle(float(e_vec @ r) / (e * rn))
        if rv < 0.0:
            nu = 2.0 * math.pi - nu
    return Elements(p, e, inc, raan, argp, nu, mu_m3ps2, ref_radius_m)


def elements_to_state(el: Elements) -> tuple[Array, Array]:
    """Inertial position [m] and velocity [m/s] of the elements (Vallado COE2RV, Curtis 4.5).

    Parameters
    ----------
    el : Elements
        The orbit and the point on it (true anomaly).

    Returns
    -------
    tuple of ndarray
        ``(r_eci_m, v_eci_mps)``.
    """
    p, e, mu = el.p_m, el.e, el.mu_m3ps2
    cn, sn = math.cos(el.nu_rad), math.sin(el.nu_rad)
    r_pf = p / (1.0 + e * cn) * np.array([cn, sn, 0.0])
    v_pf = math.sqrt(mu / p) * np.array([-sn, e + cn, 0.0])
    q = _perifocal_to_eci(el.raan_rad, el.i_rad, el.argp_rad)
    return q @ r_pf, q @ v_pf


def _perifocal_to_eci(raan: float, inc: float, argp: float) -> Array:
    """The rotation R3(-raan) R1(-i) R3(-argp) from the perifocal to the inertial frame."""
    co, so = math.cos(raan), math.sin(raan)
    ci, si = math.cos(inc), math.sin(inc)
    cw, sw = math.cos(argp), math.sin(argp)
    return np.array(
        [
            [co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si],
            [so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si],
            [sw * si, cw * si, ci],
        ]
    )


def orbit_normal_eci(i_rad: float, raan_rad: float) -> Array:
    """Unit angular-momentum vector of an orbit plane (the third column of the perifocal map)."""
    return np.array(
        [
            math.sin(raan_rad) * math.sin(i_rad),
            -math.cos(raan_rad) * math.sin(i_rad),
            math.cos(i_rad),
        ]
    )


def ecef_state_to_elements(
    r_ecef_m: ArrayLike,
    v_ecef_mps: ArrayLike,
    t_s: float,
    mu_m3ps2: float = WGS84_MU_M3PS2,
    ref_radius_m: float = WGS84_A_M,
    omega_radps: float | None = None,
) -> Elements:
    """Elements of an Earth-fixed state at ``t_s`` after the epoch (``frames.ecef_to_eci``).

    ``v_ecef_mps`` is relative to the rotating Earth; ``omega_radps`` defaults to WGS-84's.
    """
    kw = {} if omega_radps is None else {"omega_radps": omega_radps}
    r, v = ecef_to_eci(r_ecef_m, v_ecef_mps, t_s, **kw)
    return state_to_elements(r, v, mu_m3ps2, ref_radius_m)


def perigee_apogee_to_a_e(
    perigee_alt_m: float, apogee_alt_m: float, ref_radius_m: float = WGS84_A_M
) -> tuple[float, float]:
    """Semi-major axis [m] and eccentricity of the orbit with these altitudes over the radius."""
    rp, ra = ref_radius_m + perigee_alt_m, ref_radius_m + apogee_alt_m
    if not 0.0 < rp <= ra:
        raise ValueError(f"need 0 < perigee radius <= apogee radius, got {rp}, {ra}")
    return 0.5 * (rp + ra), (ra - rp) / (ra + rp)
