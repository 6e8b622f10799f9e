"""Validated configuration: vehicles, engines and landing scenarios (TOML in, clear errors out)."""

from boostback.config.errors import ConfigError, KeyedValueError, from_validation_error
from boostback.config.loader import (
    check_scenario,
    list_scenarios,
    list_vehicles,
    load_landing,
    load_scenario,
    load_vehicle,
    read_toml,
    scenario_from_dict,
    vehicle_from_dict,
)
from boostback.config.models import (
    Engine,
    EnvironmentConfig,
    GuidanceConfig,
    InitialState,
    LandingBurn,
    LandingLimits,
    LandingScenario,
    SimConfig,
    Stage,
    Vehicle,
    WindLayer,
)

__all__ = [
    "ConfigError",
    "Engine",
    "EnvironmentConfig",
    "GuidanceConfig",
    "InitialState",
    "KeyedValueError",
    "LandingBurn",
    "LandingLimits",
    "LandingScenario",
    "SimConfig",
    "Stage",
    "Vehicle",
    "WindLayer",
    "check_scenario",
    "from_validation_error",
    "list_scenarios",
    "list_vehicles",
    "load_landing",
    "load_scenario",
    "load_vehicle",
    "read_toml",
    "scenario_from_dict",
    "vehicle_from_dict",
]
