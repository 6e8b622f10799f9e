"""3-DoF point-mass equations of motion with variable mass (pure functions, no I/O).

State ``x = (east, north, up, v_east, v_north, v_up, mass)`` in the pad-centred ENU frame (m, m/s,
kg). Forces: thrust along a commanded unit vector with pressure-dependent magnitude, drag from a
Cd(Mach) table on the air-relative velocity, and gravity from an environment model.

Retro-propulsion: while the engines fire into the oncoming flow their plume pushes the bow shock
off the vehicle and shields it, and the aerodynamic drag falls with the thrust coefficient
``C_T = T / (qbar S)`` (Korzun, Braun & Cruz 2009, survey of supersonic retropropulsion: for a
single central nozzle the aerodynamic drag nearly vanishes once C_T exceeds about one). An
optional (C_T, factor) table scales the drag accordingly; without one the drag is unchanged.

The hot loop works on plain floats and tuples: for a 7-element state numpy's per-call overhead is
larger than the arithmetic.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from boostback.environment import AtmosphereModel, GravityModel, WindModel

State = tuple[float, float, float, float, float, float, float]


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
        return max(throttle * self.thrust_vac_n - self.exit_area_m2 * pressure_pa, 0.0)

    def throttle_for(self, thrust_n: float, pressure_pa: float) -> float:
        """The throttle that gives ``thrust_n`` at ``pressure_pa`` (not clipped)."""
        return (thrust_n + self.exit_area_m2 * pressure_pa) / self.thrust_vac_n


def _interp(x: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect_right(xs, x) - 1
    w = (x - xs[i]) / (xs[i + 1] - xs[i])
    return ys[i] + w * (ys[i + 1] - ys[i])


@dataclass(frozen=True)
class AeroParams:
    reference_area_m2: float
    mach: tuple[float, ...]
    cd: tuple[float, ...]
    # Drag factor against thrust coefficient while thrusting into the flow; empty: always 1.
    plume_ct: tuple[float, ...] = ()
    plume_factor: tuple[float, ...] = ()

    def plume_at(self, thrust_n: float, qbar_pa: float) -> float:
        """Factor on the aerodynamic drag with ``thrust_n`` firing into the flow at ``qbar_pa``."""
        if not self.plume_ct or thrust_n <= 0.0:
            return 1.0
        if qbar_pa <= 0.0:
            return self.plume_factor[-1]
        return _interp(
            thrust_n / (qbar_pa * self.reference_area_m2), self.plume_ct, self.plume_factor
        )

    def cd_at(self, mach: float) -> float:
        tab_m, tab_cd = self.mach, self.cd
        if not tab_m:
            return 0.0
        return _interp(mach, tab_m, tab_cd)


@dataclass(frozen=True)
class Environment:
    atmosphere: AtmosphereModel
    gravity: GravityModel
    wind: WindModel


def drag_accel(
    x: State, aero: AeroParams, env: Environment, thrust_n: float = 0.0
) -> tuple[float, float, float, float, float]:
    """Drag acceleration (east, north, up) plus Mach number and dynamic pressure.

    ``thrust_n`` is the thrust firing into the flow (the landing burn), which shields the
    vehicle when the aero model has a plume table.
    """
    _t, p_pa, rho, a = env.atmosphere.scalar(x[2])
    del _t, p_pa
    we, wn, wu = env.wind.at(x[2])
    ve, vn, vu = x[3] - we, x[4] - wn, x[5] - wu
    speed = math.sqrt(ve * ve + vn * vn + vu * vu)
    qbar = 0.5 * rho * speed * speed
    mach = speed / a
    if speed == 0.0 or rho == 0.0:
        return 0.0, 0.0, 0.0, mach, qbar
    k = -qbar * aero.cd_at(mach) * aero.reference_area_m2 / (x[6] * speed)
    k *= aero.plume_at(thrust_n, qbar)
    return k * ve, k * vn, k * vu, mach, qbar


def derivatives(
    x: State,
    throttle: float,
    direction: tuple[float, float, float],
    prop: PropulsionParams,
    aero: AeroParams,
    env: Environment,
) -> State:
    """Time derivative of the state for a held throttle and unit thrust direction (ENU)."""
    m = x[6]
    _t, p_pa, rho, a = env.atmosphere.scalar(x[2])
    gx, gy, gz = env.gravity.accel_xyz(x[0], x[1], x[2])
    ax, ay, az = gx, gy, gz
    thrust = 0.0
    if throttle > 0.0:
        thrust = prop.thrust_n(p_pa, throttle)
        f = thrust / m
        ax += f * direction[0]
        ay += f * direction[1]
        az += f * direction[2]
    if rho > 0.0 and aero.mach:
        we, wn, wu = env.wind.at(x[2])
        ve, vn, vu = x[3] - we, x[4] - wn, x[5] - wu
        speed = math.sqrt(ve * ve + vn * vn + vu * vu)
        if speed > 0.0:
            k = -0.5 * rho * speed * aero.cd_at(speed / a) * aero.reference_area_m2 / m
            if thrust > 0.0:
                k *= aero.plume_at(thrust, 0.5 * rho * speed * speed)
            ax += k * ve
            ay += k * vn
            az += k * vu
    mdot = -throttle * prop.mass_flow_kgps
    return (x[3], x[4], x[5], ax, ay, az, mdot)


def rk4_step(
    x: State,
    dt: float,
    throttle: float,
    direction: tuple[float, float, float],
    prop: PropulsionParams,
    aero: AeroParams,
    env: Environment,
) -> State:
    """One classical Runge-Kutta step with the control held over the step."""

    def add(a: State, k: State, h: float) -> State:
        return tuple(ai + h * ki for ai, ki in zip(a, k, strict=True))  # type: ignore[return-value]

    k1 = derivatives(x, throttle, direction, prop, aero, env)
    k2 = derivatives(add(x, k1, dt / 2), throttle, direction, prop, aero, env)
    k3 = derivatives(add(x, k2, dt / 2), throttle, direction, prop, aero, env)
    k4 = derivatives(add(x, k3, dt), throttle, direction, prop, aero, env)
    return tuple(
        xi + dt / 6 * (a + 2 * b + 2 * c + d)
        for xi, a, b, c, d in zip(x, k1, k2, k3, k4, strict=True)
    )  # type: ignore[return-value]
