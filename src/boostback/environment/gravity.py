"""Gravity models in a local ENU frame with origin on the surface at the landing pad.

``+z`` is up.  Each model is a frozen dataclass with a vectorised ``accel(r_enu_m)`` (accepts
shape ``(3,)`` or ``(..., 3)``), a fast scalar ``accel_xyz(x, y, z)`` for hot loops, and a
``surface_g`` property (magnitude at the origin, m/s^2).

The accelerations are written once, as the compiled kernels :func:`uniform_gravity` and
:func:`inverse_square_gravity` that the equations of motion call; the model classes wrap them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boostback.constants import EARTH_MU_M3PS2, EARTH_RADIUS_M, G0_MPS2
from boostback.jit import jit

__all__ = [
    "GravityModel",
    "InverseSquareGravity",
    "UniformGravity",
    "inverse_square_gravity",
    "uniform_gravity",
]


@jit(inline="always")
def uniform_gravity(g_mps2):
    """Flat-ground gravity ``(0, 0, -g)`` [m/s^2] for surface gravity ``g_mps2``.

    Parameters
    ----------
    g_mps2 : float
        Magnitude [m/s^2].

    Returns
    -------
    tuple of float
        The acceleration (east, north, up).
    """
    return 0.0, 0.0, -g_mps2


@jit(inline="always")
def inverse_square_gravity(x, y, z, mu_m3ps2, radius_m):
    """Point-mass gravity at ENU position ``(x, y, z)`` of a body centred at ``(0, 0, -radius_m)``.

    Parameters
    ----------
    x, y, z : float
        Position [m] in the pad-centred ENU frame.
    mu_m3ps2 : float
        Gravitational parameter [m^3/s^2].
    radius_m : float
        Body radius [m] (the pad is on its surface).

    Returns
    -------
    tuple of float
        ``-mu (r - c) / |r - c|^3`` (east, north, up) [m/s^2].
    """
    rx, ry, rz = x, y, z + radius_m
    r = math.sqrt(rx * rx + ry * ry + rz * rz)
    k = -mu_m3ps2 / (r * r * r)
    return k * rx, k * ry, k * rz


@jit
def _inverse_square_many(r, mu_m3ps2, radius_m, out):
    for i in range(r.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = inverse_square_gravity(
            r[i, 0], r[i, 1], r[i, 2], mu_m3ps2, radius_m
        )


@runtime_checkable
class GravityModel(Protocol):
    """Gravitational acceleration (ENU, m/s^2) as a function of ENU position (m)."""

    @property
    def surface_g(self) -> float: ...

    def accel(self, r_enu_m: ArrayLike) -> NDArray[np.float64]: ...

    def accel_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]: ...


def _positive_finite(value: float, name: str) -> float:
    v = float(value)
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return v


def _as_positions(r_enu_m: ArrayLike) -> NDArray[np.float64]:
    r = np.asarray(r_enu_m, dtype=np.float64)
    if r.ndim == 0 or r.shape[-1] != 3:
        raise ValueError(f"r_enu_m must have shape (3,) or (..., 3), got {r.shape}")
    return r


@dataclass(frozen=True, slots=True)
class UniformGravity:
    """Flat-ground gravity: (0, 0, -g) everywhere."""

    g_mps2: float = G0_MPS2

    def __post_init__(self) -> None:
        object.__setattr__(self, "g_mps2", _positive_finite(self.g_mps2, "g_mps2"))

    @property
    def surface_g(self) -> float:
        return self.g_mps2

    def accel(self, r_enu_m: ArrayLike) -> NDArray[np.float64]:
        r = _as_positions(r_enu_m)
        out = np.empty(r.shape)
        out[...] = uniform_gravity(self.g_mps2)
        return out

    def accel_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        return uniform_gravity(self.g_mps2)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class InverseSquareGravity:
    """Point-mass gravity of a spherical body whose centre is at (0, 0, -radius_m).

    ``a = -mu (r - c) / |r - c|^3``, so away from the pad the acceleration has small horizontal
    components pointing back towards the body centre.
    """

    mu_m3ps2: float = EARTH_MU_M3PS2
    radius_m: float = EARTH_RADIUS_M

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu_m3ps2", _positive_finite(self.mu_m3ps2, "mu_m3ps2"))
        object.__setattr__(self, "radius_m", _positive_finite(self.radius_m, "radius_m"))

    @property
    def surface_g(self) -> float:
        return self.mu_m3ps2 / (self.radius_m * self.radius_m)

    def accel(self, r_enu_m: ArrayLike) -> NDArray[np.float64]:
        r = _as_positions(r_enu_m)
        flat = np.ascontiguousarray(r).reshape(-1, 3)
        out = np.empty(flat.shape)
        _inverse_square_many(flat, self.mu_m3ps2, self.radius_m, out)
        return out.reshape(r.shape)

    def accel_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        return inverse_square_gravity(  # type: ignore[no-any-return]
            float(x), float(y), float(z), self.mu_m3ps2, self.radius_m
        )
