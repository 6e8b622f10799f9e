"""The Earth written once: geodetic conversion, height and gravity as compiled kernels.

The Earth models of ``environment.earth`` (their scalar and vectorised methods) and the flight
kernel's equations of motion call these; there is no second copy. Every kernel takes the Earth's
parameters as one float array ``wp`` (``EarthModel.kernel_params``, to which the flight kernel
appends its atmosphere switch):

``wp = [wgs84 (1) or sphere (0), a (or the sphere's radius), b, e2, ep2, mu, omega, j2]``

For the sphere, b, e2, ep2 and j2 are zero and "geodetic" latitude is geocentric.

``hypot`` is CPython 3.11's ``math.hypot`` written out (scaled, compensated and corrected), so
that a position converts to the same last bit compiled and interpreted. Compiled through
``boostback.jit``; ``BOOSTBACK_JIT=0`` runs the same functions as plain Python.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.jit import jit

__all__ = [
    "WP_A",
    "WP_B",
    "WP_E2",
    "WP_EP2",
    "WP_J2",
    "WP_MU",
    "WP_OMEGA",
    "WP_SIZE",
    "WP_WGS84",
    "enu_to_ecef_xyz",
    "geodetic",
    "geodetic_points",
    "gravity",
    "gravity_points",
    "height",
    "height_points",
    "hypot",
]

# where each Earth parameter sits in ``wp``
WP_WGS84, WP_A, WP_B, WP_E2, WP_EP2, WP_MU, WP_OMEGA, WP_J2 = 0, 1, 2, 3, 4, 5, 6, 7
WP_SIZE = 8  # the Earth's part; the flight kernel's world array appends the atmosphere switch
_DBL_MIN = 2.2250738585072014e-308


# --- CPython's math.hypot (3.11), so that positions convert to the same last bit -------------


@jit(inline="always")
def _split(x):
    t = x * 134217729.0  # Veltkamp: 2**27 + 1
    hi = t - (t - x)
    return hi, x - hi


@jit(inline="always")
def _sq(x):
    xh, xl = _split(x)
    p = xh * xh
    q = xh * xl + xl * xh
    z = p + q
    return z, p - z + q + xl * xl


@jit
def _norm2(ax, ay, mx):
    e = math.frexp(mx)[1]
    scale = math.ldexp(1.0, -e)
    csum, frac1, frac2 = 1.0, 0.0, 0.0
    for v in (ax * scale, ay * scale):
        ph, pl = _sq(v)
        s = csum + ph
        frac2 += (csum - s) + ph
        csum = s
        frac1 += pl
    h = math.sqrt(csum - 1.0 + (frac1 + frac2))
    ph, pl = _sq(h)
    ph, pl = -ph, -pl
    s = csum + ph
    frac2 += (csum - s) + ph
    csum = s
    frac1 += pl
    h += (csum - 1.0 + (frac1 + frac2)) / (2.0 * h)
    return h / scale


@jit
def hypot(x, y):
    """``sqrt(x^2 + y^2)`` as CPython 3.11's ``math.hypot`` computes it.

    Parameters
    ----------
    x, y : float
        The legs.

    Returns
    -------
    float
        The hypotenuse: scaled, compensated and corrected, to the bit of ``math.hypot``.
    """
    ax, ay = abs(x), abs(y)
    mx = ax if ax > ay else ay
    if math.isinf(mx):
        return mx
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if mx == 0.0:
        return mx
    if math.frexp(mx)[1] < -1023:  # subnormal: made normal first
        return _DBL_MIN * _norm2(ax / _DBL_MIN, ay / _DBL_MIN, mx / _DBL_MIN)
    return _norm2(ax, ay, mx)


# --- position: latitude, longitude, height ------------------------------------------------------


@jit(inline="always")
def _bowring(p, z, wp):
    """Geodetic latitude and height on the ellipsoid from (p, z) by Bowring's iteration.

    Two iterations reach round-off (< 0.1 micrometre) from -100 km to 40,000 km altitude
    (Bowring 1976, 1985); the height formula ``p cos(lat) + z sin(lat) - a^2/N`` has no
    singularity at the poles.
    """
    a, b, e2, ep2 = wp[WP_A], wp[WP_B], wp[WP_E2], wp[WP_EP2]
    beta = math.atan2(a * z, b * p)  # reduced (parametric) latitude, first guess
    lat = beta
    sl = cl = 0.0
    for k in range(2):
        sb, cb = math.sin(beta), math.cos(beta)
        lat = math.atan2(z + ep2 * b * sb * sb * sb, p - e2 * a * cb * cb * cb)
        sl, cl = math.sin(lat), math.cos(lat)
        if k == 0:  # the second update of beta would not be used
            beta = math.atan2(b * sl, a * cl)
    return lat, p * cl + z * sl - a * math.sqrt(1.0 - e2 * sl * sl)


@jit(inline="always")
def height(px, py, pz, wp):
    """Height above the Earth model at an ECEF position.

    Parameters
    ----------
    px, py, pz : float
        ECEF position [m].
    wp : ndarray
        The Earth's parameters (see the module's docstring).

    Returns
    -------
    float
        Geodetic height above the ellipsoid (WGS-84), or above the sphere [m].
    """
    if wp[WP_WGS84] < 0.5:
        return hypot(hypot(px, py), pz) - wp[WP_A]
    return _bowring(hypot(px, py), pz, wp)[1]


@jit
def geodetic(px, py, pz, wp):
    """Latitude, longitude and height of an ECEF position.

    Parameters
    ----------
    px, py, pz : float
        ECEF position [m].
    wp : ndarray
        The Earth's parameters (see the module's docstring).

    Returns
    -------
    tuple of float
        Latitude [rad] (geodetic; geocentric on the sphere), longitude [rad], height [m] (the
        bits of :func:`height`).
    """
    p = hypot(px, py)
    if wp[WP_WGS84] < 0.5:
        return math.atan2(pz, p), math.atan2(py, px), hypot(p, pz) - wp[WP_A]
    lat, h = _bowring(p, pz, wp)
    return lat, math.atan2(py, px), h


@jit(inline="always")
def gravity(x, y, z, wp):
    """Gravitational acceleration in ECEF: inverse-square, plus J2 on the ellipsoid.

    The centrifugal term of the rotating frame is not included.

    Parameters
    ----------
    x, y, z : float
        ECEF position [m].
    wp : ndarray
        The Earth's parameters (see the module's docstring).

    Returns
    -------
    tuple of float
        Acceleration (x, y, z) [m/s^2].
    """
    r2 = x * x + y * y + z * z
    k = -wp[WP_MU] / (r2 * math.sqrt(r2))
    if wp[WP_WGS84] < 0.5:
        return k * x, k * y, k * z
    a = wp[WP_A]
    q = 1.5 * wp[WP_J2] * a * a / r2
    s = 5.0 * z * z / r2
    kxy = k * (1.0 + q * (1.0 - s))
    return kxy * x, kxy * y, k * (1.0 + q * (3.0 - s)) * z


@jit
def enu_to_ecef_xyz(lat, lon, e, n, u):
    """A free vector given in the local east-north-up frame, in ECEF axes.

    Parameters
    ----------
    lat, lon : float
        Latitude and longitude of the local frame [rad].
    e, n, u : float
        East, north and up components.

    Returns
    -------
    tuple of float
        The (x, y, z) components (``frames.enu_to_ecef_velocity`` for one vector).
    """
    sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    return (
        -so * e - sl * co * n + cl * co * u,
        co * e - sl * so * n + cl * so * u,
        cl * n + sl * u,
    )


# --- many points at once (the vectorised methods of the Earth models) ---------------------------


@jit
def geodetic_points(r, wp):
    """:func:`geodetic` for every row of ``r`` (shape (n, 3)); returns (n, 3): lat, lon, h."""
    n = r.shape[0]
    out = np.empty((n, 3))
    for i in range(n):
        out[i, 0], out[i, 1], out[i, 2] = geodetic(r[i, 0], r[i, 1], r[i, 2], wp)
    return out


@jit
def height_points(r, wp):
    """:func:`height` for every row of ``r`` (shape (n, 3)); returns (n,)."""
    n = r.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = height(r[i, 0], r[i, 1], r[i, 2], wp)
    return out


@jit
def gravity_points(r, wp):
    """:func:`gravity` for every row of ``r`` (shape (n, 3)); returns (n, 3)."""
    n = r.shape[0]
    out = np.empty((n, 3))
    for i in range(n):
        out[i, 0], out[i, 1], out[i, 2] = gravity(r[i, 0], r[i, 1], r[i, 2], wp)
    return out
