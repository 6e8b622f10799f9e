"""3-DoF point-mass equations of motion with variable mass, written once and compiled.

State ``x = (east, north, up, v_east, v_north, v_up, mass)`` in the pad-centred ENU frame (m, m/s,
kg; layout in ``dynamics.state``). Forces: thrust along a commanded unit vector with
pressure-dependent magnitude, drag from a Cd(Mach) table on the air-relative velocity, shielded
by the retro-propulsion plume while thrusting (``dynamics.forces``), and gravity from the
environment's model.

The derivatives and the RK4 step are compiled kernels over plain arrays (``fast.compile_kernel``
turns the parameters and the environment models into them): every force term, the atmosphere,
the wind and the gravity are the same kernels the Python-facing models call. With
``BOOSTBACK_JIT=0`` the same source runs interpreted.

This module also holds the parameter dataclasses; their methods call the force kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from boostback.dynamics.forces import (
    drag_coefficient,
    drag_terms,
    engine_thrust,
    plume_factor,
    throttle_for_thrust,
)
from boostback.dynamics.state import MASS, POS, SIZE, UP, VEL
from boostback.environment import AtmosphereModel, GravityModel, WindModel
from boostback.environment.atmosphere import air_state
from boostback.environment.gravity import inverse_square_gravity, uniform_gravity
from boostback.environment.wind import layered_wind
from boostback.jit import interpreted, jit

__all__ = ["AeroParams", "Environment", "PropulsionParams", "State"]

State = tuple[float, float, float, float, float, float, float]

# The state's components, for the compiled kernels (numba folds integer globals).
_E, _N = POS.start, POS.start + 1
_VE, _VN, _VU = VEL.start, VEL.start + 1, VEL.start + 2

# The environment as one array ``env`` (see ``fast.compile_kernel``):
# [use_atm, gravity mode (0 uniform, 1 inverse-square), g, mu, radius, gust (3)].
ENV_USE_ATM, ENV_GRAVITY, ENV_G, ENV_MU, ENV_RADIUS, ENV_GUST, ENV_BASE = 0, 1, 2, 3, 4, 5, 8
ENV_SIZE = 9


# the scalar kernels' own Python, for callers in Python (no dispatch; the same source)
_engine_thrust = interpreted(engine_thrust)
_throttle_for = interpreted(throttle_for_thrust)


@dataclass(frozen=True)
class PropulsionParams:
    """The lit engines as one: thrust and flow at full throttle (throttle 1.0)."""

    thrust_vac_n: float  # net axial vacuum thrust of all lit engines at throttle 1
    exit_area_m2: float  # total exit area times cos(cant): the back-pressure loss is A p
    mass_flow_kgps: float  # total propellant flow at throttle 1
    throttle_min: float
    throttle_max: float

    def thrust_n(self, pressure_pa: float, throttle: float) -> float:
        """Net axial thrust: ``throttle * thrust_vac_n - exit_area_m2 * p`` (never negative)."""
        return _engine_thrust(throttle, self.thrust_vac_n, self.exit_area_m2, pressure_pa)

    def throttle_for(self, thrust_n: float, pressure_pa: float) -> float:
        """The throttle that gives ``thrust_n`` at ``pressure_pa`` (not clipped)."""
        return _throttle_for(thrust_n, self.thrust_vac_n, self.exit_area_m2, pressure_pa)


@dataclass(frozen=True)
class AeroParams:
    """Drag: reference area, Cd(Mach) table and the retro-propulsion plume table."""

    reference_area_m2: float
    mach: tuple[float, ...]
    cd: tuple[float, ...]
    # Drag factor against thrust coefficient while thrusting into the flow; empty: always 1.
    plume_ct: tuple[float, ...] = ()
    plume_factor: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        tables = tuple(
            np.asarray(t, dtype=np.float64).reshape(-1)
            for t in (self.mach, self.cd, self.plume_ct, self.plume_factor)
        )
        object.__setattr__(self, "_tables", tables)

    @property
    def tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mach, Cd, C_T and plume-factor tables as the compiled kernels take them."""
        return self._tables  # type: ignore[attr-defined,no-any-return]

    def plume_at(self, thrust_n: float, qbar_pa: float) -> float:
        """Factor on the aerodynamic drag with ``thrust_n`` firing into the flow at ``qbar_pa``."""
        _m, _cd, ct, factor = self.tables
        q_area = float(qbar_pa) * self.reference_area_m2
        return plume_factor(float(thrust_n), q_area, ct, factor)  # type: ignore[no-any-return]

    def cd_at(self, mach: float) -> float:
        """Drag coefficient at ``mach`` (0 without a table)."""
        tab_m, tab_cd, _ct, _f = self.tables
        return drag_coefficient(float(mach), tab_m, tab_cd)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Environment:
    """The landing burn's world: atmosphere, gravity and wind over a flat pad-centred ground.

    ``base_altitude_m`` is the pad's height above the reference the atmosphere and the wind are
    tabulated against (sea level; a whole flight's Earth model): they are looked up at
    ``base_altitude_m`` plus the height above the pad.
    """

    atmosphere: AtmosphereModel
    gravity: GravityModel
    wind: WindModel
    base_altitude_m: float = 0.0

    def pressure_pa(self, up_m: float) -> float:
        """Static pressure at ``up_m`` above the pad."""
        return self.atmosphere.scalar(up_m + self.base_altitude_m)[1]


@jit
def wind_at(h, env, wz, wv):
    """The gust of ``env`` plus the tabulated wind (``wz``, ``wv``) at height ``h``."""
    we, wn, wu = env[ENV_GUST], env[ENV_GUST + 1], env[ENV_GUST + 2]
    if wz.shape[0] > 0:
        be, bn, bu = layered_wind(h, wz, wv)
        we += be
        wn += bn
        wu += bu
    return we, wn, wu


@jit
def gravity_at(x, env):
    """Gravity of the model in ``env`` at the position of state ``x``."""
    if env[ENV_GRAVITY] < 0.5:
        return uniform_gravity(env[ENV_G])
    return inverse_square_gravity(x[_E], x[_N], x[UP], env[ENV_MU], env[ENV_RADIUS])


@jit
def derivatives_kernel(x, throttle, d, prop, aero_m, aero_cd, area, env, at, wz, wv, pl_ct, pl_f):
    """Time derivative of state ``x`` for a held throttle and unit thrust direction ``d``.

    ``prop`` is ``[thrust_vac, exit_area, mass_flow]``, ``at`` the atmosphere's layer table
    (``environment.atmosphere.LAYERS``), ``env``, ``wz``/``wv`` as ``fast.compile_kernel``
    makes them.
    """
    m = x[MASS]
    h = x[UP] + env[ENV_BASE]
    p, rho, a = air_state(h, env[ENV_USE_ATM] > 0.5, at[0], at[1], at[2], at[3], at[4])
    ax, ay, az = gravity_at(x, env)
    thrust = 0.0
    if throttle > 0.0:
        thrust = engine_thrust(throttle, prop[0], prop[1], p)
        f = thrust / m
        ax += f * d[0]
        ay += f * d[1]
        az += f * d[2]
    if rho > 0.0 and aero_m.shape[0] > 0:
        we, wn, wu = wind_at(h, env, wz, wv)
        ve, vn, vu = x[_VE] - we, x[_VN] - wn, x[_VU] - wu
        de, dn, du, _mach, _q = drag_terms(
            ve, vn, vu, m, rho, a, thrust, aero_m, aero_cd, area, pl_ct, pl_f
        )
        ax += de
        ay += dn
        az += du
    out = np.empty(SIZE)
    out[_E], out[_N], out[UP] = x[_VE], x[_VN], x[_VU]
    out[_VE], out[_VN], out[_VU] = ax, ay, az
    out[MASS] = -throttle * prop[2]
    return out


@jit
def rk4_kernel(x, dt, throttle, d, prop, aero_m, aero_cd, area, env, at, wz, wv, pl_ct, pl_f):
    """One classical Runge-Kutta step of :func:`derivatives_kernel`, the control held."""
    args = (prop, aero_m, aero_cd, area, env, at, wz, wv, pl_ct, pl_f)
    k1 = derivatives_kernel(x, throttle, d, *args)
    k2 = derivatives_kernel(x + 0.5 * dt * k1, throttle, d, *args)
    k3 = derivatives_kernel(x + 0.5 * dt * k2, throttle, d, *args)
    k4 = derivatives_kernel(x + dt * k3, throttle, d, *args)
    return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@jit
def drag_kernel(h, ve, vn, vu, m, thrust, aero_m, aero_cd, area, env, at, wz, wv, pl_ct, pl_f):
    """Drag acceleration, Mach number and ``qbar`` at ``h`` above the pad, ground velocity ``v``."""
    h = h + env[ENV_BASE]
    _p, rho, a = air_state(h, env[ENV_USE_ATM] > 0.5, at[0], at[1], at[2], at[3], at[4])
    we, wn, wu = wind_at(h, env, wz, wv)
    return drag_terms(
        ve - we, vn - wn, vu - wu, m, rho, a, thrust, aero_m, aero_cd, area, pl_ct, pl_f
    )


@jit
def drag_kernel_many(states, thrust, aero_m, aero_cd, area, env, at, wz, wv, pl_ct, pl_f, out):
    """``drag_kernel`` at every row of ``states`` (n, 7) with ``thrust`` (n,), into ``out``."""
    for i in range(states.shape[0]):
        x = states[i]
        r = drag_kernel(
            x[UP], x[_VE], x[_VN], x[_VU], x[MASS], thrust[i],
            aero_m, aero_cd, area, env, at, wz, wv, pl_ct, pl_f,
        )  # fmt: skip
        out[i, 0], out[i, 1], out[i, 2], out[i, 3], out[i, 4] = r
