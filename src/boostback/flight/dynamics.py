"""The rotating-Earth flight's parameters and messages: the world, the body, a command, air data.

The equations of motion themselves are written once, in ``flight.kernel`` (compiled through
``boostback.jit``). ``State = (x, y, z, vx, vy, vz, m)``: ECEF position (m), velocity relative to
the Earth (m/s) and mass (kg); the layout is ``dynamics.state``'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.dynamics.state import PX, PY, PZ, VX, VY, VZ
from boostback.environment.atmosphere import AtmosphereModel
from boostback.environment.earth import EarthModel
from boostback.environment.earth_kernels import enu_to_ecef_xyz
from boostback.environment.wind import NoWind, WindModel

__all__ = [
    "COAST",
    "AirData",
    "Body",
    "Command",
    "State",
    "Vec3",
    "World",
    "air_data",
]

State = tuple[float, float, float, float, float, float, float]
Vec3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class World:
    """The Earth (shape, gravity, rotation), its co-rotating atmosphere and the wind in it.

    The wind is the air's velocity over the ground, east-north-up at the vehicle's position, by
    height above the Earth model (still air by default).
    """

    earth: EarthModel
    atmosphere: AtmosphereModel
    wind: WindModel = field(default_factory=NoWind)


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
    speed_mps: float  # speed relative to the air (= to the Earth in still air)
    mach: float
    qbar_pa: float


def air_data(x: State | tuple[float, ...], world: World) -> AirData:
    """Position on the Earth and the air around the vehicle at state ``x``.

    Speed, Mach and dynamic pressure are those of the velocity relative to the air (the ECEF
    velocity less the world's wind, turned from ENU at the vehicle's latitude and longitude).
    """
    lat, lon, h = world.earth.geodetic_xyz(x[PX], x[PY], x[PZ])
    _t, p, rho, a = world.atmosphere.scalar(h)
    vx, vy, vz = x[VX], x[VY], x[VZ]
    if type(world.wind) is not NoWind:
        we, wn, wu = world.wind.at(h)
        wx, wy, wz = enu_to_ecef_xyz(lat, lon, float(we), float(wn), float(wu))
        vx, vy, vz = vx - wx, vy - wy, vz - wz
    speed = math.sqrt(vx * vx + vy * vy + vz * vz)
    return AirData(lat, lon, h, p, rho, a, speed, speed / a, 0.5 * rho * speed * speed)
