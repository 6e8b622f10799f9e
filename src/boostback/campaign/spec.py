"""The campaign file: base scenario, dispersions by dotted path, faults, runs and the root seed.

Everything is checked up front: a misspelled path, a non-numeric target, an impossible
distribution or an unknown fault is a ``ConfigError`` naming the file, the key and the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from boostback.config.errors import ConfigError, KeyedValueError, from_validation_error
from boostback.config.loader import read_toml
from boostback.config.models import one_of
from boostback.config.vocab import Phase


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Distribution(_Model):
    """A random draw: ``normal`` (mean, sigma), ``truncnormal`` (mean, sigma, low, high),
    ``uniform`` (low, high) or ``choice`` (values). ``mean`` defaults to the base value."""

    dist: Literal["normal", "truncnormal", "uniform", "choice"]
    mean: float | None = None
    sigma: float | None = None
    low: float | None = None
    high: float | None = None
    values: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        need = {
            "normal": ("sigma",),
            "truncnormal": ("sigma", "low", "high"),
            "uniform": ("low", "high"),
            "choice": ("values",),
        }[self.dist]
        for name in need:
            if getattr(self, name) is None:
                raise KeyedValueError(name, f"a {self.dist} distribution needs '{name}'")
        if self.sigma is not None and self.sigma <= 0:
            raise KeyedValueError("sigma", f"sigma must be positive, got {self.sigma:g}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise KeyedValueError(
                "high", f"need low < high, got low={self.low:g}, high={self.high:g}"
            )
        if self.dist == "choice" and not self.values:
            raise KeyedValueError("values", "a choice needs at least one value")
        if self.dist == "truncnormal" and self.mean is not None:
            assert self.low is not None and self.high is not None
            if not self.low <= self.mean <= self.high:
                raise KeyedValueError(
                    "mean", "the mean of a truncated normal must lie in [low, high]"
                )
        return self


class Dispersion(Distribution):
    """A distribution applied to one numeric setting, e.g. ``initial.velocity_enu_mps[2]`` or
    ``vehicle.booster.engine.isp_vac_s`` (``vehicle.`` paths act on the vehicle file)."""

    path: str


Number = float | Distribution

FAULT_KINDS = {
    "engine_no_relight": (),
    "thrust_shortfall": ("fraction",),
    "ignition_delay": ("delay_s",),
    "throttle_lag": ("time_constant_s",),
    "tilt_authority": ("fraction",),
    "nav_bias": ("position_enu_m", "velocity_enu_mps"),
    "nav_noise": ("position_sigma_m", "velocity_sigma_mps"),
    "wind_gust": ("wind_enu_mps", "duration_s"),
    "propellant_shortfall": ("fraction",),
    "grid_fin_stuck": ("fraction",),
}


# The phases of a landing burn a fault can be tied to.
ONSET_PHASES = (Phase.COAST, Phase.LANDING_BURN)
OnsetPhase = one_of(*ONSET_PHASES)


class OnsetSpec(_Model):
    t_s: float | None = None
    phase: OnsetPhase | None = None
    altitude_m: float | None = None


class FaultSpec(_Model):
    """One fault: its kind, parameters (numbers or distributions), onset and probability."""

    kind: str
    probability: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    onset: OnsetSpec = OnsetSpec()
    fraction: Number | None = None
    delay_s: Number | None = None
    time_constant_s: Number | None = None
    duration_s: Number | None = None
    position_sigma_m: Number | None = None
    velocity_sigma_mps: Number | None = None
    position_enu_m: list[Number] | None = None
    velocity_enu_mps: list[Number] | None = None
    wind_enu_mps: list[Number] | None = None

    @model_validator(mode="after")
    def _check(self) -> FaultSpec:
        if self.kind not in FAULT_KINDS:
            raise KeyedValueError(
                "kind", f"unknown fault '{self.kind}'; known: {', '.join(sorted(FAULT_KINDS))}"
            )
        allowed = set(FAULT_KINDS[self.kind])
        for name in (
            "fraction",
            "delay_s",
            "time_constant_s",
            "duration_s",
            "position_sigma_m",
            "velocity_sigma_mps",
            "position_enu_m",
            "velocity_enu_mps",
            "wind_enu_mps",
        ):
            if getattr(self, name) is not None and name not in allowed:
                raise KeyedValueError(name, f"'{name}' does not apply to a {self.kind} fault")
        required = {
            "thrust_shortfall": ("fraction",),
            "ignition_delay": ("delay_s",),
            "throttle_lag": ("time_constant_s",),
            "tilt_authority": ("fraction",),
            "wind_gust": ("wind_enu_mps", "duration_s"),
            "propellant_shortfall": ("fraction",),
        }.get(self.kind, ())
        for name in required:
            if getattr(self, name) is None:
                raise KeyedValueError(name, f"a {self.kind} fault needs '{name}'")
        for name in ("position_enu_m", "velocity_enu_mps", "wind_enu_mps"):
            vec = getattr(self, name)
            if vec is not None and len(vec) != 3:
                raise KeyedValueError(name, f"'{name}' needs 3 values (east, north, up)")
        return self


class Execution(_Model):
    batch_size: Annotated[int, Field(ge=1, le=1000)] = 4
    wall_limit_s: Annotated[float, Field(gt=0)] = 300.0
    # Keep each run's trajectory too (DIR/trajectories/run-NNNNNNNN.parquet), every Nth sample.
    save_trajectories: bool = False
    trajectory_every: Annotated[int, Field(ge=1)] = 5


class Debug(_Model):
    """Hooks for testing the harness itself: make chosen runs raise, or kill their worker."""

    raise_runs: list[int] = Field(default_factory=list)
    kill_worker_runs: list[int] = Field(default_factory=list)


class CampaignSpec(_Model):
    name: str = ""
    scenario: str  # built-in scenario name or a path relative to the campaign file
    runs: Annotated[int, Field(ge=1, le=10_000_000)]
    seed: Annotated[int, Field(ge=0)]
    dispersions: list[Dispersion] = Field(default_factory=list)
    faults: list[FaultSpec] = Field(default_factory=list)
    execution: Execution = Execution()
    debug: Debug = Debug()


def campaign_from_dict(data: dict[str, Any], file: str | None = None) -> CampaignSpec:
    try:
        return CampaignSpec.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, file=file, model=CampaignSpec) from None


def load_campaign(path: str | Path) -> tuple[CampaignSpec, Path]:
    """Read and validate a campaign file; returns the spec and the folder it lives in."""
    p = Path(path)
    data = read_toml(p)
    spec = campaign_from_dict(data, str(p))
    return spec, p.resolve().parent


__all__ = [
    "CampaignSpec",
    "ConfigError",
    "Dispersion",
    "Distribution",
    "FaultSpec",
    "campaign_from_dict",
    "load_campaign",
]
