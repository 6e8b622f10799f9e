"""Environment models: atmosphere, wind and gravity (pure functions, SI units)."""

from boostback.environment.atmosphere import (
    USSA1976,
    Atmosphere,
    AtmosphereModel,
    Vacuum,
    ussa1976,
    ussa1976_scalar,
    vacuum,
)
from boostback.environment.gravity import GravityModel, InverseSquareGravity, UniformGravity
from boostback.environment.wind import ConstantWind, LayeredWind, NoWind, WindModel

__all__ = [
    "USSA1976",
    "Atmosphere",
    "AtmosphereModel",
    "ConstantWind",
    "GravityModel",
    "InverseSquareGravity",
    "LayeredWind",
    "NoWind",
    "UniformGravity",
    "Vacuum",
    "WindModel",
    "ussa1976",
    "ussa1976_scalar",
    "vacuum",
]

# Earth models and reference frames (rotating Earth, ECI/ECEF/ENU, sites).
from boostback.environment.earth import EarthModel, SphericalEarth, WGS84Earth
from boostback.environment.frames import (
    SITES,
    Site,
    ecef_to_eci,
    ecef_to_enu,
    eci_to_ecef,
    enu_to_ecef,
    launch_azimuth_rad,
)

__all__ += [
    "SITES",
    "EarthModel",
    "Site",
    "SphericalEarth",
    "WGS84Earth",
    "ecef_to_eci",
    "ecef_to_enu",
    "eci_to_ecef",
    "enu_to_ecef",
    "launch_azimuth_rad",
]
