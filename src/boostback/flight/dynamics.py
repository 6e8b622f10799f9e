"""3-DoF equations of motion on a rotating Earth, in the Earth-fixed (ECEF) frame.

State ``x = (x, y, z, vx, vy, vz, m)``: ECEF position (m), velocity relative to the Earth (m/s)
and mass (kg). Forces: gravity of the Earth model (inverse-square, plus J2 for WGS-84), the
centrifugal and Coriolis terms of the rotating frame, thrust along a commanded unit vector with
back-pressure-dependent magnitude, drag on the air-relative velocity (the atmosphere turns with
the Earth, so without wind that is the ECEF velocity) from a Cd(Mach) table, and a grid-fin
lateral force perpendicular to that velocity, bounded by ``qbar * authority``.

Pure functions on plain floats (no I/O, no numpy in the hot loop): for a 7-element state numpy's
per-call overhead is larger than the arithmetic. Controls are held over each RK4 step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment.atmosphere import AtmosphereModel
from boostback.environment.earth import EarthModel

__all__ = [
    "COAST",
    "AirData",
    "Body",
    "Command",
    "State",
    "Vec3",
    "World",
    "air_data",
    "derivatives",
    "rk4_step",
]

State = tuple[float, float, float, float, float, float, float]
Vec3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class World:
    """The Earth (shape, gravity, rotation) and its co-rotating atmosphere."""

    earth: EarthModel
    atmosphere: AtmosphereModel


@dataclass(frozen=True, slots=True)
class Body:
    """What the air sees: reference area and Cd(Mach), and the fins' lateral authority (m^2)."""

    aero: AeroParams
    fin_authority_m2: float = 0.0


@dataclass(frozen=True, slots=True)
class Command:
    """Controls held over a step: lit engines and throttle, thrust direction, fin command.

    ``fin_ecef`` is the fin force as a fraction of full authority (|fin_ecef| <= 1); any
    component along the air-relative velocity is ignored (fins only push sideways).
    """

    throttle: float = 0.0
    prop: PropulsionParams | None = None
    dir_ecef: Vec3 = (0.0, 0.0, 1.0)
    fin_ecef: Vec3 = (0.0, 0.0, 0.0)


COAST = Command()


@dataclass(frozen=True, slots=True)
class AirData:
    lat_rad: float
    lon_rad: float
    altitude_m: float  # height above the Earth model's surface (geodetic for WGS-84)
    pressure_pa: float
    density_kgpm3: float
    sound_mps: float
    speed_mps: float  # air-relative (= Earth-relative) speed
    mach: float
    qbar_pa: float


def air_data(x: State | tuple[float, ...], world: World) -> AirData:
    """Position on the Earth and the air around the vehicle at state ``x``."""
    lat, lon, h = world.earth.geodetic_xyz(x[0], x[1], x[2])
    _t, p, rho, a = world.atmosphere.scalar(h)
    speed = math.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5])
    return AirData(lat, lon, h, p, rho, a, speed, speed / a, 0.5 * rho * speed * speed)


def derivatives(x: State, cmd: Command, body: Body, world: World) -> State:
    """Time derivative of the ECEF state under ``cmd``."""
    px, py, pz, vx, vy, vz, m = x
    earth = world.earth
    _lat, _lon, h = earth.geodetic_xyz(px, py, pz)
    _t, p_pa, rho, a = world.atmosphere.scalar(h)
    ax, ay, az = earth.gravity_xyz(px, py, pz)
    w = earth.omega_radps
    ax += w * w * px + 2.0 * w * vy  # centrifugal + Coriolis
    ay += w * w * py - 2.0 * w * vx
    mdot = 0.0
    prop = cmd.prop
    thrust = 0.0
    if prop is not None and cmd.throttle > 0.0:
        thrust = max(cmd.throttle * prop.thrust_vac_n - prop.exit_area_m2 * p_pa, 0.0)
        f = thrust / m
        d = cmd.dir_ecef
        ax += f * d[0]
        ay += f * d[1]
        az += f * d[2]
        mdot = -cmd.throttle * prop.mass_flow_kgps
    if rho > 0.0:
        speed = math.sqrt(vx * vx + vy * vy + vz * vz)
        if speed > 0.0:
            q = 0.5 * rho * speed * speed
            k = -q * body.aero.cd_at(speed / a) * body.aero.reference_area_m2 / (m * speed)
            if thrust > 0.0:
                k *= body.aero.plume_at(thrust, q)
            ax += k * vx
            ay += k * vy
            az += k * vz
            fx, fy, fz = cmd.fin_ecef
            if body.fin_authority_m2 > 0.0 and (fx or fy or fz):
                along = (fx * vx + fy * vy + fz * vz) / (speed * speed)
                g = q * body.fin_authority_m2 / m
                ax += g * (fx - along * vx)
                ay += g * (fy - along * vy)
                az += g * (fz - along * vz)
    return (vx, vy, vz, ax, ay, az, mdot)


def rk4_step(x: State, dt: float, cmd: Command, body: Body, world: World) -> State:
    """One classical Runge-Kutta step with the command held over the step."""
    h2 = 0.5 * dt
    k1 = derivatives(x, cmd, body, world)
    x2 = tuple(xi + h2 * ki for xi, ki in zip(x, k1, strict=True))
    k2 = derivatives(x2, cmd, body, world)  # type: ignore[arg-type]
    x3 = tuple(xi + h2 * ki for xi, ki in zip(x, k2, strict=True))
    k3 = derivatives(x3, cmd, body, world)  # type: ignore[arg-type]
    x4 = tuple(xi + dt * ki for xi, ki in zip(x, k3, strict=True))
    k4 = derivatives(x4, cmd, body, world)  # type: ignore[arg-type]
    s = dt / 6.0
    return tuple(
        xi + s * (a + 2.0 * b + 2.0 * c + d)
        for xi, a, b, c, d in zip(x, k1, k2, k3, k4, strict=True)
    )  # type: ignore[return-value]
