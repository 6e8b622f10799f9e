"""U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), 0-86 km, plus a vacuum model.

The lower atmosphere is the seven-layer geopotential model of the Standard: the molecular-scale
temperature ``T_M`` is piecewise linear in geopotential altitude ``H = r0 Z / (r0 + Z)`` and the
pressure follows the hydrostatic equation in each layer.  Base pressures are derived at import
time by continuity from 101325 Pa (they reproduce the Standard's 22632.06, 5474.889, 868.0187,
110.9063, 66.93887, 3.956420 and 0.3733836 Pa to the printed digits).

Between 80 and 86 km the Standard's molecular-weight ratio ``M/M0`` (Table 8, linear
interpolation in geometric altitude) converts ``T_M`` into kinetic temperature
``T = T_M M/M0``.  Pressure, density ``rho = p M0/(R* T_M)`` and speed of sound
``a = sqrt(gamma R* T_M / M0)`` are unaffected by this correction, exactly as in the Standard.

Extensions (not part of the Standard), so that trajectories never produce NaN:

* below 0 m the first layer is continued, down to -5 km; lower inputs are clipped to -5 km;
* above 86 km the temperature is held at its 86 km value (186.8673 K) and pressure and density
  decay exponentially in geopotential altitude with the isothermal scale height at 86 km,
  ``R* T_M / (M0 g0)`` ~ 5.47 km.  Values stay finite and positive (tiny) up to any altitude.

The model is written once, as the compiled point kernel :func:`ussa1976_point`: the scalar API
calls it, the vectorised API loops over it in compiled code, and the equations of motion call it
through :func:`air_state` (which adds the vacuum switch).  ``BOOSTBACK_JIT=0`` runs the same
source interpreted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boostback.constants import G0_MPS2, SEA_LEVEL_PRESSURE_PA
from boostback.jit import jit
from boostback.numerics import interp

__all__ = [
    "LAYERS",
    "USSA1976",
    "Atmosphere",
    "AtmosphereModel",
    "Vacuum",
    "air_state",
    "ussa1976",
    "ussa1976_point",
    "ussa1976_scalar",
    "vacuum",
]

R_STAR = 8.31432  # J/(mol K), gas constant as adopted by the 1976 Standard
M0 = 0.0289644  # kg/mol, sea-level mean molar mass
R0_M = 6_356_766.0  # m, effective Earth radius for geopotential altitude
GAMMA = 1.4
H_MIN_M = -5000.0  # geometric clip altitude

_GMR = G0_MPS2 * M0 / R_STAR  # K/m, hydrostatic constant
_R_AIR = R_STAR / M0  # J/(kg K)

# Geopotential base altitude [m'], molecular-scale lapse rate [K/m'] of the seven layers.
# The eighth entry (from 84.852 km' = 86 km geometric) is the isothermal extension.
_H_BASE = (0.0, 11_000.0, 20_000.0, 32_000.0, 47_000.0, 51_000.0, 71_000.0, 84_852.0)
_LAPSE = (-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3, 0.0)


def _build_bases() -> tuple[tuple[float, ...], tuple[float, ...]]:
    t_base = [288.15]
    p_base = [SEA_LEVEL_PRESSURE_PA]
    for i in range(len(_H_BASE) - 1):
        dh = _H_BASE[i + 1] - _H_BASE[i]
        tb, pb, lapse = t_base[i], p_base[i], _LAPSE[i]
        if lapse == 0.0:
            t_top, p_top = tb, pb * math.exp(-_GMR * dh / tb)
        else:
            t_top = tb + lapse * dh
            p_top = pb * (tb / t_top) ** (_GMR / lapse)
        t_base.append(t_top)
        p_base.append(p_top)
    return tuple(t_base), tuple(p_base)


_T_BASE, _P_BASE = _build_bases()
# Exponent g0 M0 / (R* L) of the power-law layers; 0 marks an isothermal layer.
_EXPO = tuple(_GMR / lapse if lapse != 0.0 else 0.0 for lapse in _LAPSE)

# Table 8: molecular-weight ratio M/M0 from 80 to 86 km geometric, every 0.5 km.
_MW_Z0_M = 80_000.0
_MW_DZ_M = 500.0
_MW_RATIO = (
    1.000000,
    0.999996,
    0.999989,
    0.999971,
    0.999941,
    0.999909,
    0.999870,
    0.999829,
    0.999786,
    0.999741,
    0.999694,
    0.999641,
    0.999579,
)
_MW_Z = tuple(_MW_Z0_M + _MW_DZ_M * i for i in range(len(_MW_RATIO)))

_H_BASE_ARR = np.array(_H_BASE)
_LAPSE_ARR = np.array(_LAPSE)
_T_BASE_ARR = np.array(_T_BASE)
_P_BASE_ARR = np.array(_P_BASE)
_EXPO_ARR = np.array(_EXPO)
_MW_Z_ARR = np.array(_MW_Z)
_MW_RATIO_ARR = np.array(_MW_RATIO)


class Atmosphere(NamedTuple):
    """Atmospheric state; arrays for array input, floats for scalar input."""

    temperature_k: NDArray[np.float64] | float
    pressure_pa: NDArray[np.float64] | float
    density_kgpm3: NDArray[np.float64] | float
    speed_of_sound_mps: NDArray[np.float64] | float


# The layer tables as one (5, 8) array (bases, lapse rates, base temperatures and pressures,
# exponents): what compiled callers hold and hand to ``ussa1976_point`` row by row.
LAYERS = np.ascontiguousarray(
    np.stack((_H_BASE_ARR, _LAPSE_ARR, _T_BASE_ARR, _P_BASE_ARR, _EXPO_ARR)), dtype=np.float64
)


@jit(inline="always")
def _molecular(h_m, hb, lapse, tb, pb, expo):
    """Clipped altitude, molecular-scale temperature, pressure, density and speed of sound."""
    z = h_m if h_m > H_MIN_M else H_MIN_M
    hgp = R0_M * z / (R0_M + z)
    i = np.searchsorted(hb, hgp, side="right") - 1
    if i < 0:
        i = 0
    dh = hgp - hb[i]
    if lapse[i] == 0.0:
        tm = tb[i]
        p = pb[i] * math.exp(-_GMR * dh / tb[i])
    else:
        tm = tb[i] + lapse[i] * dh
        p = pb[i] * (tb[i] / tm) ** expo[i]
    rho = p / (_R_AIR * tm)
    a = math.sqrt(GAMMA * _R_AIR * tm)
    return z, tm, p, rho, a


@jit
def ussa1976_point(h_m, hb, lapse, tb, pb, expo):
    """USSA1976 at one geometric altitude: the one implementation of the model.

    Parameters
    ----------
    h_m : float
        Geometric altitude [m]; clipped to -5 km below (NaN too), extended above 86 km.
    hb, lapse, tb, pb, expo : ndarray
        The rows of :data:`LAYERS`: geopotential layer bases [m'], lapse rates [K/m'], base
        temperatures [K] and pressures [Pa], and the exponents ``g0 M0 / (R* L)``.

    Returns
    -------
    tuple of float
        Kinetic temperature [K] (with the 80-86 km molecular-weight correction), pressure
        [Pa], density [kg/m^3] and speed of sound [m/s].
    """
    z, tm, p, rho, a = _molecular(h_m, hb, lapse, tb, pb, expo)
    return tm * interp(z, _MW_Z_ARR, _MW_RATIO_ARR), p, rho, a


@jit(inline="always")
def air_state(h_m, use_atm, hb, lapse, tb, pb, expo):
    """Pressure, density and speed of sound for the equations of motion.

    Parameters
    ----------
    h_m : float
        Geometric altitude [m].
    use_atm : bool
        False: vacuum (0 Pa, 0 kg/m^3 and 1 m/s, so that Mach numbers stay finite).
    hb, lapse, tb, pb, expo : ndarray
        The rows of :data:`LAYERS` (see :func:`ussa1976_point`).

    Returns
    -------
    tuple of float
        ``(p [Pa], rho [kg/m^3], a [m/s])``.
    """
    if not use_atm:
        return 0.0, 0.0, 1.0
    # pressure, density and speed of sound need no kinetic temperature (no 80-86 km correction)
    _z, _tm, p, rho, a = _molecular(h_m, hb, lapse, tb, pb, expo)
    return p, rho, a


@jit
def _ussa1976_std(h_m):
    return ussa1976_point(h_m, _H_BASE_ARR, _LAPSE_ARR, _T_BASE_ARR, _P_BASE_ARR, _EXPO_ARR)


@jit
def _ussa1976_many(h, out):
    for k in range(h.shape[0]):
        t, p, rho, a = _ussa1976_std(h[k])
        out[0, k], out[1, k], out[2, k], out[3, k] = t, p, rho, a


def ussa1976_scalar(h_m: float) -> tuple[float, float, float, float]:
    """Scalar USSA1976 at geometric altitude ``h_m`` [m] (the compiled point kernel).

    Returns ``(T [K], p [Pa], rho [kg/m^3], a [m/s])``.  See the module docstring for the
    behaviour below 0 m and above 86 km.
    """
    return _ussa1976_std(float(h_m))  # type: ignore[no-any-return]


def ussa1976(h_m: ArrayLike) -> Atmosphere:
    """Vectorised USSA1976 at geometric altitude(s) ``h_m`` [m].

    Accepts any array shape; returns an :class:`Atmosphere` of arrays with that shape, or of
    floats if a scalar was given.  The same point kernel as :func:`ussa1976_scalar`, looped.
    """
    h = np.asarray(h_m, dtype=np.float64)
    if h.ndim == 0:
        t, p, rho, a = ussa1976_scalar(float(h))
        return Atmosphere(float(t), float(p), float(rho), float(a))
    out = np.empty((4, h.size))
    _ussa1976_many(np.ascontiguousarray(h).reshape(-1), out)
    t, p, rho, a = (row.reshape(h.shape) for row in out)
    return Atmosphere(t, p, rho, a)


def vacuum(h_m: ArrayLike) -> Atmosphere:
    """No atmosphere: T = p = rho = 0 and speed of sound 1 m/s (avoids division by zero)."""
    h = np.asarray(h_m, dtype=np.float64)
    if h.ndim == 0:
        return Atmosphere(0.0, 0.0, 0.0, 1.0)
    zeros = np.zeros(h.shape)
    return Atmosphere(zeros, zeros.copy(), zeros.copy(), np.ones(h.shape))


@runtime_checkable
class AtmosphereModel(Protocol):
    """An atmosphere: vectorised ``__call__`` and a fast scalar ``scalar``."""

    def __call__(self, h_m: ArrayLike) -> Atmosphere: ...

    def scalar(self, h_m: float) -> tuple[float, float, float, float]: ...


@dataclass(frozen=True, slots=True)
class USSA1976:
    """U.S. Standard Atmosphere 1976 model object (see :func:`ussa1976`)."""

    def __call__(self, h_m: ArrayLike) -> Atmosphere:
        return ussa1976(h_m)

    def scalar(self, h_m: float) -> tuple[float, float, float, float]:
        return ussa1976_scalar(h_m)


_VACUUM_STATE = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class Vacuum:
    """No atmosphere (see :func:`vacuum`)."""

    def __call__(self, h_m: ArrayLike) -> Atmosphere:
        return vacuum(h_m)

    def scalar(self, h_m: float) -> tuple[float, float, float, float]:
        return _VACUUM_STATE
