"""The campaign file: base scenario, dispersions by dotted path, faults, runs and the root seed.

Everything is checked up front: a misspelled path, a non-numeric target, an impossible
distribution (NaN and infinities included), an unknown fault or a fault parameter that a constant
or a distribution's range takes outside the parameter's bounds is a ``ConfigError`` naming the
file, the key and the problem.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from boostback.campaign.designs import Sampling
from boostback.config.errors import ConfigError, KeyedValueError, from_validation_error
from boostback.config.loader import list_scenarios, read_toml
from boostback.config.models import one_of
from boostback.config.vocab import Phase
from boostback.gnc.faults import FAULTS, Param


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Numbers and switches as the file writes them: a string ("0.5"), or true where a number
# belongs, is an error, never silently converted (as in config.models).
Float = Annotated[float, Strict()]
Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]


class Distribution(_Model):
    """A random draw: ``normal`` (mean, sigma), ``truncnormal`` (mean, sigma, low, high),
    ``uniform`` (low, high) or ``choice`` (values). ``mean`` defaults to the base value."""

    dist: Literal["normal", "truncnormal", "uniform", "choice"]
    mean: Float | None = None
    sigma: Float | None = None
    low: Float | None = None
    high: Float | None = None
    values: list[Float] | None = None

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


Number = Float | Distribution

# The phases a fault can be tied to: the burns the one loop flies, and the landing burn's coast.
ONSET_PHASES = (Phase.COAST, Phase.ASCENT, Phase.BOOSTBACK, Phase.ENTRY_BURN, Phase.LANDING_BURN)
OnsetPhase = one_of(*ONSET_PHASES)


# A fault's onset lies inside a run: runs last minutes (a landing burn at most an hour, a whole
# flight two: config.models.SimConfig, config.flight_models.FlightSimConfig), above the pad and
# below where a booster flies.
MAX_ONSET_T_S = 7_200.0
MAX_ONSET_ALTITUDE_M = 1_000_000.0


class OnsetSpec(_Model):
    t_s: Annotated[float, Strict(), Field(ge=0.0, le=MAX_ONSET_T_S)] | None = None
    phase: OnsetPhase | None = None
    altitude_m: Annotated[float, Strict(), Field(ge=0.0, le=MAX_ONSET_ALTITUDE_M)] | None = None


class FaultSpec(_Model):
    """One fault: its kind, its parameters (numbers or distributions; ENU vectors as three of
    them), onset and probability. The parameters a kind takes, which it needs and their bounds
    come from the fault registry (``gnc.faults``), so a new fault needs no change here."""

    kind: str
    probability: Annotated[float, Strict(), Field(ge=0.0, le=1.0)] = 1.0
    onset: OnsetSpec = OnsetSpec()
    params: dict[str, Number | list[Number]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect(cls, data: Any) -> Any:
        """A campaign file writes the parameters beside ``kind``: gather them into ``params``."""
        if not isinstance(data, dict) or "params" in data:
            return data
        fixed = {"kind", "probability", "onset"}
        params = {k: v for k, v in data.items() if k not in fixed}
        return {**{k: v for k, v in data.items() if k in fixed}, "params": params}

    @model_validator(mode="after")
    def _check(self) -> FaultSpec:
        fault = FAULTS.get(self.kind)
        if fault is None:
            raise KeyedValueError(
                "kind", f"unknown fault '{self.kind}'; known: {', '.join(sorted(FAULTS))}"
            )
        known = {p.name: p for p in fault.params}
        for name, value in self.params.items():
            if name not in known:
                raise KeyedValueError(name, f"'{name}' does not apply to a {self.kind} fault")
            _check_param(known[name], value)
        for p in fault.params:
            if p.default is None and p.name not in self.params:
                raise KeyedValueError(p.name, f"a {self.kind} fault needs '{p.name}'")
        return self


def _check_param(p: Param, value: Any) -> None:
    """A parameter's shape (three values for an ENU vector) and its bounds, for a constant and
    for the range a distribution draws from."""
    if p.vector != isinstance(value, list):
        need = "3 values (east, north, up)" if p.vector else "one number or a distribution"
        raise KeyedValueError(p.name, f"'{p.name}' needs {need}")
    values = value if isinstance(value, list) else [value]
    if p.vector and len(values) != 3:
        raise KeyedValueError(p.name, f"'{p.name}' needs 3 values (east, north, up)")
    for j, v in enumerate(values):
        key = f"{p.name}[{j}]" if p.vector else p.name
        if isinstance(v, Distribution):
            _check_support(p, v, key)
        elif not p.low <= v <= p.high:
            raise KeyedValueError(key, f"'{p.name}' must lie in {bounds_text(p)}, got {v:g}")


def bounds_text(p: Param) -> str:
    """A parameter's bounds as an interval: ``[0, 1]``, ``[0, inf)``."""
    low = "(-inf" if p.low == -math.inf else f"[{p.low:g}"
    high = "inf)" if p.high == math.inf else f"{p.high:g}]"
    return f"{low}, {high}"


def _check_support(p: Param, d: Distribution, key: str) -> None:
    """A distribution for a bounded parameter must draw inside the bounds: the ends of a uniform
    or truncated normal, every value of a choice and the mean of a normal (a normal's tails are
    its nature: they are left to the draw)."""
    if d.dist == "choice":
        assert d.values is not None
        ends = [(f"values[{i}]", v, "can draw") for i, v in enumerate(d.values)]
    elif d.dist == "normal":
        ends = [("mean", d.mean, "is centred on")] if d.mean is not None else []
    else:
        assert d.low is not None and d.high is not None
        ends = [("low", d.low, "draws down to"), ("high", d.high, "draws up to")]
    for name, v, verb in ends:
        if not p.low <= v <= p.high:
            raise KeyedValueError(
                f"{key}.{name}",
                f"'{p.name}' must lie in {bounds_text(p)}, but this {d.dist} distribution "
                f"{verb} {v:g}",
            )


# A run's wall-clock limit: at least a second (a landing takes ~0.1-2 s, so a smaller limit
# would only turn every run into an error) and at most a day.
WALL_LIMIT_RANGE_S = (1.0, 86_400.0)
WallLimit = Annotated[float, Strict(), Field(ge=WALL_LIMIT_RANGE_S[0], le=WALL_LIMIT_RANGE_S[1])]


class Execution(_Model):
    batch_size: Annotated[int, Strict(), Field(ge=1, le=1000)] = 4
    wall_limit_s: WallLimit = 300.0
    # Keep each run's trajectory too (DIR/trajectories/run-NNNNNNNN.parquet), every Nth sample.
    save_trajectories: Bool = False
    trajectory_every: Annotated[int, Strict(), Field(ge=1)] = 5


class Debug(_Model):
    """Hooks for testing the harness itself: make chosen runs raise, or kill their worker."""

    raise_runs: list[Int] = Field(default_factory=list)
    kill_worker_runs: list[Int] = Field(default_factory=list)


class CampaignSpec(_Model):
    name: str = ""
    scenario: str  # built-in scenario name or a path relative to the campaign file
    runs: Annotated[int, Strict(), Field(ge=1, le=10_000_000)]
    seed: Annotated[int, Strict(), Field(ge=0)]
    # how the dispersions are drawn: "random", "latin_hypercube" or "sobol" (campaign.designs)
    sampling: Sampling = Sampling.RANDOM
    # fidelity of every run: 3 (point mass) or 6 (rigid body); default: the scenario's sim.dof
    dof: Literal[3, 6] | None = None
    # landing guidance of every run (scvx needs dof 6); default: the scenario's guidance.method
    guidance: Literal["lcvx", "scvx"] | None = None
    dispersions: list[Dispersion] = Field(default_factory=list)
    faults: list[FaultSpec] = Field(default_factory=list)
    execution: Execution = Execution()
    debug: Debug = Debug()


_PARAMS_KEY = re.compile(r"^(faults\[(\d+)\])\.params\b")


def campaign_from_dict(data: dict[str, Any], file: str | None = None) -> CampaignSpec:
    try:
        return CampaignSpec.model_validate(data)
    except ValidationError as exc:
        err = from_validation_error(exc, file=file, model=CampaignSpec)
    # A fault's parameters sit beside its kind in the file: name them there, not in 'params'.
    match = _PARAMS_KEY.match(err.key or "")
    faults = data.get("faults")
    if match and isinstance(faults, list) and int(match[2]) < len(faults):
        fault = faults[int(match[2])]
        if isinstance(fault, dict) and "params" not in fault:
            assert err.key is not None
            err = ConfigError(err.problem, file=err.file, key=match[1] + err.key[match.end() :])
    raise err from None


def load_campaign(path: str | Path) -> tuple[CampaignSpec, Path]:
    """Read and validate a campaign file; returns the spec and the folder it lives in."""
    p = Path(path)
    data = read_toml(p)
    spec = campaign_from_dict(data, str(p))
    base = p.resolve().parent
    check_scenario_ref(spec.scenario, base, str(p))
    return spec, base


def check_scenario_ref(name: str, base_dir: Path, file: str | None = None) -> None:
    """The campaign's ``scenario`` must name a built-in scenario or a scenario file (relative to
    the campaign file's folder, as the campaign resolves it); else ``ConfigError`` naming the
    campaign file and the key, before any run."""
    if name in list_scenarios():
        return
    if name.endswith(".toml") or "/" in name or "\\" in name:
        path = base_dir / name if (base_dir / name).exists() else Path(name)
        if not path.exists():
            raise ConfigError(
                f"scenario file not found: {base_dir / name}", file=file, key="scenario"
            )
        if not path.is_file():
            raise ConfigError(f"{path} is not a scenario file", file=file, key="scenario")
        return
    raise ConfigError(
        f"unknown scenario '{name}'; built-in scenarios: {', '.join(list_scenarios())}, or a "
        "TOML file relative to the campaign file",
        file=file,
        key="scenario",
    )


__all__ = [
    "CampaignSpec",
    "ConfigError",
    "Dispersion",
    "Distribution",
    "FaultSpec",
    "bounds_text",
    "campaign_from_dict",
    "check_scenario_ref",
    "load_campaign",
]
