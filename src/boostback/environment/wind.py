"""Wind models in the local east-north-up (ENU) frame, as functions of altitude.

Each model is a frozen dataclass with ``__call__(h_m) -> np.ndarray`` (shape ``(3,)``) and a
fast ``at(h_m) -> (v_e, v_n, v_u)`` tuple method for hot loops.  Velocities are in m/s and are
the velocity of the air relative to the ground.

The layered profile is interpolated by one compiled kernel, :func:`layered_wind`, which the
equations of motion call with the same table: ``LayeredWind.at`` is a thin wrapper over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boostback.jit import jit
from boostback.numerics import interp

__all__ = ["ConstantWind", "LayeredWind", "NoWind", "WindModel", "layered_wind"]

Vec3 = tuple[float, float, float]


@runtime_checkable
class WindModel(Protocol):
    """Air velocity (ENU, m/s) as a function of altitude (m)."""

    def __call__(self, h_m: float) -> NDArray[np.float64]: ...

    def at(self, h_m: float) -> Vec3: ...


def _as_vec3(v: ArrayLike, name: str) -> Vec3:
    arr = np.asarray(v, dtype=np.float64)
    if arr.shape != (3,):
        raise ValueError(f"{name} must have shape (3,) (east, north, up), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    return (float(arr[0]), float(arr[1]), float(arr[2]))


@jit(inline="always")
def layered_wind(h_m, altitudes_m, v_enu_mps):
    """Wind at height ``h_m`` from a table, linear between its heights, held beyond its ends.

    Parameters
    ----------
    h_m : float
        Height [m].
    altitudes_m : ndarray, shape (n,)
        Strictly ascending table heights [m]; empty: still air.
    v_enu_mps : ndarray, shape (n, 3)
        Wind (east, north, up) [m/s] at those heights.

    Returns
    -------
    tuple of float
        ``(v_e, v_n, v_u)`` [m/s]; NaN for a NaN height.
    """
    if altitudes_m.shape[0] == 0:
        return 0.0, 0.0, 0.0
    return (
        interp(h_m, altitudes_m, v_enu_mps[:, 0]),
        interp(h_m, altitudes_m, v_enu_mps[:, 1]),
        interp(h_m, altitudes_m, v_enu_mps[:, 2]),
    )


@dataclass(frozen=True, slots=True)
class NoWind:
    """Still air."""

    def __call__(self, h_m: float) -> NDArray[np.float64]:
        return np.zeros(3)

    def at(self, h_m: float) -> Vec3:
        return (0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class ConstantWind:
    """The same wind velocity ``v_enu_mps`` (east, north, up) at every altitude."""

    v_enu_mps: Vec3

    def __post_init__(self) -> None:
        object.__setattr__(self, "v_enu_mps", _as_vec3(self.v_enu_mps, "v_enu_mps"))

    def __call__(self, h_m: float) -> NDArray[np.float64]:
        return np.array(self.v_enu_mps)

    def at(self, h_m: float) -> Vec3:
        return self.v_enu_mps


@dataclass(frozen=True, slots=True)
class LayeredWind:
    """Wind profile tabulated at ``altitudes_m`` (strictly ascending, shape (n,)).

    ``v_enu_mps`` has shape (n, 3).  Between table altitudes the wind is linearly interpolated;
    below the first and above the last altitude it is held at the end value.  The inputs are
    stored as tuples of floats so the object is immutable and hashable.
    """

    altitudes_m: tuple[float, ...]
    v_enu_mps: tuple[Vec3, ...]
    _table: tuple[NDArray[np.float64], NDArray[np.float64]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        alt = np.asarray(self.altitudes_m, dtype=np.float64)
        vel = np.asarray(self.v_enu_mps, dtype=np.float64)
        if alt.ndim != 1 or alt.size == 0:
            raise ValueError(f"altitudes_m must be a non-empty 1-D sequence, got shape {alt.shape}")
        if vel.shape != (alt.size, 3):
            raise ValueError(
                f"v_enu_mps must have shape (len(altitudes_m), 3) = ({alt.size}, 3), "
                f"got {vel.shape}"
            )
        if not (np.all(np.isfinite(alt)) and np.all(np.isfinite(vel))):
            raise ValueError("altitudes_m and v_enu_mps must be finite")
        if alt.size > 1 and not np.all(np.diff(alt) > 0.0):
            raise ValueError(f"altitudes_m must be strictly ascending, got {alt.tolist()}")
        alts = tuple(float(a) for a in alt)
        vels: tuple[Vec3, ...] = tuple((float(v[0]), float(v[1]), float(v[2])) for v in vel)
        object.__setattr__(self, "altitudes_m", alts)
        object.__setattr__(self, "v_enu_mps", vels)
        object.__setattr__(self, "_table", (np.array(alts), np.array(vels).reshape(-1, 3)))

    @property
    def table(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The profile as the compiled kernel takes it: heights (n,) and winds (n, 3)."""
        return self._table

    def at(self, h_m: float) -> Vec3:
        return layered_wind(float(h_m), *self._table)  # type: ignore[no-any-return]

    def __call__(self, h_m: float) -> NDArray[np.float64]:
        return np.array(self.at(h_m))
