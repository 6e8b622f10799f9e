"""The parameters and environment models as arrays, for the compiled equations of motion.

``compile_kernel`` turns a vehicle's ``PropulsionParams`` and ``AeroParams`` and an
``Environment`` into the plain arrays the kernels of ``point_mass`` take, once per combination
(cached); ``FastKernel`` steps them. Every model the package builds is supported (the USSA1976
atmosphere or vacuum, uniform or inverse-square gravity, still, constant or layered wind, and a
gust on top of any of those, as ``gnc.faults.GustWind`` makes); another model is a TypeError,
since there is no second, Python copy of the equations to fall back on.

``derivatives``, ``rk4_step`` and ``drag_accel`` are the Python-facing calls of the same kernels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from boostback.dynamics.point_mass import (
    ENV_SIZE,
    AeroParams,
    Environment,
    PropulsionParams,
    State,
    derivatives_kernel,
    drag_kernel,
    drag_kernel_many,
    rk4_kernel,
)
from boostback.dynamics.state import MASS, UP, VEL
from boostback.environment import atmosphere as atm
from boostback.environment.gravity import InverseSquareGravity, UniformGravity
from boostback.environment.wind import ConstantWind, LayeredWind, NoWind

__all__ = [
    "FastKernel",
    "compile_kernel",
    "derivatives",
    "drag_accel",
    "drag_accel_many",
    "env_arrays",
    "rk4_step",
]

Vec3 = tuple[float, float, float]

_VE, _VN, _VU = VEL.start, VEL.start + 1, VEL.start + 2


@dataclass(frozen=True, eq=False)
class FastKernel:
    """One vehicle in one environment, as arrays for the compiled kernels."""

    prop: np.ndarray
    aero_m: np.ndarray
    aero_cd: np.ndarray
    area: float
    env: np.ndarray
    wz: np.ndarray
    wv: np.ndarray
    plume_ct: np.ndarray
    plume_factor: np.ndarray

    @property
    def _models(self) -> tuple:
        return (
            self.prop,
            self.aero_m,
            self.aero_cd,
            self.area,
            self.env,
            atm.LAYERS,
            self.wz,
            self.wv,
            self.plume_ct,
            self.plume_factor,
        )

    def step(self, x: State, dt: float, throttle: float, direction: Vec3) -> State:
        """One RK4 step of length ``dt`` with ``throttle`` and unit ``direction`` held."""
        out = rk4_kernel(
            np.asarray(x, dtype=np.float64),
            float(dt),
            float(throttle),
            np.asarray(direction, dtype=np.float64),
            *self._models,
        )
        return tuple(out.tolist())  # type: ignore[return-value]

    def derivatives(self, x: State, throttle: float, direction: Vec3) -> State:
        """Time derivative of ``x`` with ``throttle`` and unit ``direction``."""
        out = derivatives_kernel(
            np.asarray(x, dtype=np.float64),
            float(throttle),
            np.asarray(direction, dtype=np.float64),
            *self._models,
        )
        return tuple(out.tolist())  # type: ignore[return-value]


def wind_arrays(wind: object) -> tuple[np.ndarray, np.ndarray, Vec3]:
    """A wind model as the kernels take it: table heights, table winds (ENU) and the uniform gust
    on top (gusts of nested gusts summed). TypeError for a model the kernels do not know."""
    base = getattr(wind, "base", None)
    if base is not None and hasattr(wind, "extra_enu_mps"):  # a gust on top of a base wind
        wz, wv, inner = wind_arrays(base)
        e = tuple(float(v) for v in wind.extra_enu_mps)  # type: ignore[attr-defined]
        return wz, wv, (inner[0] + e[0], inner[1] + e[1], inner[2] + e[2])
    none = (0.0, 0.0, 0.0)
    if isinstance(wind, NoWind):
        return np.zeros(0), np.zeros((0, 3)), none
    if isinstance(wind, ConstantWind):
        return np.zeros(1), np.asarray([wind.v_enu_mps], dtype=np.float64), none
    if isinstance(wind, LayeredWind):
        return (*wind.table, none)
    raise TypeError(
        f"no compiled kernel for the wind model {type(wind).__name__}: use NoWind, "
        "ConstantWind or LayeredWind (a GustWind on top of one)"
    )


def env_arrays(env: Environment) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``env`` as ``(env array, wind heights, wind table)``; TypeError for unknown models."""
    if isinstance(env.atmosphere, atm.USSA1976):
        use_atm = 1.0
    elif isinstance(env.atmosphere, atm.Vacuum):
        use_atm = 0.0
    else:
        raise TypeError(f"no compiled kernel for the atmosphere {type(env.atmosphere).__name__}")
    grav = env.gravity
    if isinstance(grav, UniformGravity):
        gvals = (0.0, grav.g_mps2, 0.0, 0.0)
    elif isinstance(grav, InverseSquareGravity):
        gvals = (1.0, 0.0, grav.mu_m3ps2, grav.radius_m)
    else:
        raise TypeError(f"no compiled kernel for the gravity model {type(grav).__name__}")
    wz, wv, gust = wind_arrays(env.wind)
    arr = np.array([use_atm, *gvals, *gust, env.base_altitude_m], dtype=np.float64)
    return arr.reshape(ENV_SIZE), wz, wv


@functools.lru_cache(maxsize=128)
def compile_kernel(prop: PropulsionParams, aero: AeroParams, env: Environment) -> FastKernel:
    """The compiled kernel for these parameters and models.

    Parameters
    ----------
    prop : PropulsionParams
        The lit engines.
    aero : AeroParams
        Drag and plume tables.
    env : Environment
        Atmosphere, gravity and wind models.

    Returns
    -------
    FastKernel
        The arrays, ready to step.

    Raises
    ------
    TypeError
        If a model is not one the kernels implement.
    """
    env_arr, wz, wv = env_arrays(env)
    tab_m, tab_cd, pl_ct, pl_f = aero.tables
    return FastKernel(
        prop=np.array([prop.thrust_vac_n, prop.exit_area_m2, prop.mass_flow_kgps]),
        aero_m=tab_m,
        aero_cd=tab_cd,
        area=float(aero.reference_area_m2),
        env=env_arr,
        wz=wz,
        wv=wv,
        plume_ct=pl_ct,
        plume_factor=pl_f,
    )


_AIR: dict[tuple[int, int], tuple[AeroParams, Environment, tuple]] = {}


def _air_models(aero: AeroParams, env: Environment) -> tuple:
    """The drag kernel's arrays for ``aero`` in ``env``, cached by identity: hashing the models'
    nested tuples on every call cost more than the drag itself."""
    key = (id(aero), id(env))
    hit = _AIR.get(key)
    if hit is not None and hit[0] is aero and hit[1] is env:
        return hit[2]
    env_arr, wz, wv = env_arrays(env)
    tab_m, tab_cd, pl_ct, pl_f = aero.tables
    area = float(aero.reference_area_m2)
    arrays = (tab_m, tab_cd, area, env_arr, atm.LAYERS, wz, wv, pl_ct, pl_f)
    if len(_AIR) > 256:
        _AIR.clear()
    _AIR[key] = (aero, env, arrays)  # holding them keeps their ids from being reused
    return arrays


def drag_accel(
    x: State, aero: AeroParams, env: Environment, thrust_n: float = 0.0
) -> tuple[float, float, float, float, float]:
    """Drag acceleration (east, north, up) plus Mach number and dynamic pressure at state ``x``.

    Parameters
    ----------
    x : State
        The state (ENU, pad-centred).
    aero : AeroParams
        Drag and plume tables.
    env : Environment
        Atmosphere and wind (gravity plays no part).
    thrust_n : float, optional
        The thrust firing into the flow (the landing burn), which shields the vehicle when the
        aero model has a plume table.

    Returns
    -------
    tuple of float
        ``(a_e, a_n, a_u, mach, qbar)``: the drag term of the equations of motion, same kernel.
    """
    return drag_kernel(  # type: ignore[no-any-return]
        float(x[UP]),
        float(x[_VE]),
        float(x[_VN]),
        float(x[_VU]),
        float(x[MASS]),
        float(thrust_n),
        *_air_models(aero, env),
    )


def drag_accel_many(
    states: np.ndarray, thrust_n: np.ndarray, aero: AeroParams, env: Environment
) -> np.ndarray:
    """``drag_accel`` at every row of ``states`` (n, 7) with ``thrust_n`` (n,), in one call.

    Returns
    -------
    numpy.ndarray
        (n, 5): drag acceleration (east, north, up), Mach number and dynamic pressure per row.
    """
    states = np.ascontiguousarray(states, dtype=np.float64)
    out = np.empty((states.shape[0], 5))
    thrust = np.ascontiguousarray(thrust_n, dtype=np.float64)
    drag_kernel_many(states, thrust, *_air_models(aero, env), out)
    return out


def derivatives(
    x: State,
    throttle: float,
    direction: Vec3,
    prop: PropulsionParams,
    aero: AeroParams,
    env: Environment,
) -> State:
    """Time derivative of the state for a held throttle and unit thrust direction (ENU).

    Parameters
    ----------
    x : State
        The state.
    throttle : float
        Throttle (0: engines off).
    direction : tuple of float
        Unit thrust direction (ENU).
    prop, aero, env
        The vehicle and its environment (see :func:`compile_kernel`).

    Returns
    -------
    State
        ``dx/dt``.
    """
    return compile_kernel(prop, aero, env).derivatives(x, throttle, direction)


def rk4_step(
    x: State,
    dt: float,
    throttle: float,
    direction: Vec3,
    prop: PropulsionParams,
    aero: AeroParams,
    env: Environment,
) -> State:
    """One classical Runge-Kutta step with the control held over the step.

    Parameters
    ----------
    x : State
        The state at the step's start.
    dt : float
        Step length [s].
    throttle : float
        Throttle (0: engines off).
    direction : tuple of float
        Unit thrust direction (ENU).
    prop, aero, env
        The vehicle and its environment (see :func:`compile_kernel`).

    Returns
    -------
    State
        The state after ``dt``.
    """
    return compile_kernel(prop, aero, env).step(x, dt, throttle, direction)
