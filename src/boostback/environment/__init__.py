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
