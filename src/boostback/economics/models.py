"""The economics files, validated like vehicles: a cost file (one vehicle's costs, reuse and
payload per recovery mode), a constellation file, and the two study files the commands take
(``boostback economics FILE``, ``boostback deploy FILE``). A bad key is one line naming the
file, the key and the problem (:class:`~boostback.config.errors.ConfigError`, exit 2).

Money is in US dollars of the file's ``price_year`` (``_usd``), time in days or years as the
suffix says (``_days``, ``_year``), masses in kilograms (``_kg``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from boostback.config.errors import ConfigError, KeyedValueError
from boostback.config.loader import _parse_toml, _validate, read_toml
from boostback.config.vocab import RecoveryMode

__all__ = [
    "Constellation",
    "CostFile",
    "DeployStudy",
    "EconomicsStudy",
    "LandingSpec",
    "builtin_names",
    "load_constellation",
    "load_cost",
    "load_deploy",
    "load_study",
    "read_economics",
]

Usd = Annotated[float, Strict(), Field(ge=0.0)]
PositiveKg = Annotated[float, Strict(), Field(gt=0.0)]
Probability = Annotated[float, Strict(), Field(ge=0.0, le=1.0)]
Count = Annotated[int, Strict(), Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Hardware(_Model):
    """Production cost of the flight hardware, with a learning curve (Wright's law, the form of
    TRANSCOST's f4 = i^(ln p / ln 2)): unit ``i`` costs ``cost(at_unit) (i / at_unit)^b`` with
    ``b = ln(learning_factor) / ln 2``."""

    booster_unit_usd: Usd
    upper_stage_unit_usd: Usd
    fairing_usd: Usd
    at_unit: Annotated[int, Strict(), Field(ge=1, le=100_000)] = 1
    learning_factor: Annotated[float, Strict(), Field(gt=0.5, le=1.0)] = 0.85
    units_built: Annotated[int, Strict(), Field(ge=0, le=100_000)] = 0


class Operations(_Model):
    """Costs every flight pays whatever happens to the booster."""

    ground_ops_usd: Usd = 0.0
    mission_ops_usd: Usd = 0.0
    propellant_usd: Usd = 0.0
    insurance_usd: Usd = 0.0


class Reuse(_Model):
    """How a recovered booster flies again, and what a failed landing costs."""

    life_limit_flights: Annotated[int, Strict(), Field(ge=1, le=1000)]
    refurb_first_usd: Usd
    refurb_growth: Annotated[float, Strict(), Field(ge=0.0, le=10.0)] = 0.0
    damaged_refurb_usd: Usd = 0.0
    damaged_share: Probability = 0.0
    lost_booster_extra_usd: Usd = 0.0
    fairing_recovery_probability: Probability = 0.0
    fairing_refurb_usd: Usd = 0.0
    booster_turnaround_days: Annotated[float, Strict(), Field(gt=0.0, le=3650.0)] = 21.0


class Development(_Model):
    """Non-recurring cost: the vehicle's development and the extra for making it reusable."""

    vehicle_usd: Usd | None = None
    reuse_usd: Usd = 0.0


class RecoveryOps(_Model):
    """One recovery mode: its operations cost per flight and the payload it leaves, per orbit."""

    ops_usd: Usd = 0.0
    payload_kg: dict[str, PositiveKg]


class CostFile(_Model):
    """One vehicle's cost model. ``recovery`` must hold ``expendable``."""

    key: str
    name: str
    price_year: Annotated[int, Strict(), Field(ge=1950, le=2100)]
    list_price_usd: Usd | None = None
    hardware: Hardware
    operations: Operations = Operations()
    reuse: Reuse
    recovery: dict[RecoveryMode, RecoveryOps]
    development: Development = Development()
    estimate: dict[str, Any] = {}
    sources: dict[str, str]

    @model_validator(mode="after")
    def _expendable_given(self) -> CostFile:
        if RecoveryMode.EXPENDABLE not in self.recovery:
            raise KeyedValueError("recovery", "must hold an 'expendable' table (the baseline)")
        return self


class LandingSpec(_Model):
    """A landing probability given in a file: a point with its interval, or counts."""

    probability: Probability | None = None
    interval: tuple[Probability, Probability] | None = None
    landed: Count | None = None
    attempts: Count | None = None
    damaged_share: Probability | None = None

    @model_validator(mode="after")
    def _one_form(self) -> LandingSpec:
        counts = self.landed is not None or self.attempts is not None
        if counts and (self.landed is None or self.attempts is None):
            raise KeyedValueError("attempts", "give both 'landed' and 'attempts'")
        if counts and self.landed > self.attempts:  # type: ignore[operator]
            raise KeyedValueError("landed", "more landings than attempts")
        if not counts and self.probability is None:
            raise KeyedValueError("probability", "give 'probability' or 'landed' and 'attempts'")
        if self.interval is not None:
            lo, hi = self.interval
            p = self.probability
            if not lo <= hi or (p is not None and not lo <= p <= hi):
                raise KeyedValueError("interval", "must be [low, high] around the probability")
        return self


class EconomicsStudy(_Model):
    """``boostback economics FILE``: a cost file and what to ask of it."""

    cost: str
    orbit: str = "leo"
    cadence_per_year: Annotated[float, Strict(), Field(gt=0.0, le=10_000.0)] = 50.0
    programme_years: Annotated[float, Strict(), Field(gt=0.0, le=100.0)] = 5.0
    samples: Annotated[int, Strict(), Field(ge=10, le=1_000_000)] = 2000
    seed: Annotated[int, Strict(), Field(ge=0)] = 20261206
    landing: LandingSpec | None = None


class Shell(_Model):
    name: str
    altitude_km: Annotated[float, Strict(), Field(gt=100.0, le=40_000.0)]
    inclination_deg: Annotated[float, Strict(), Field(ge=0.0, le=180.0)]
    satellites: Annotated[int, Strict(), Field(ge=1)]


class Constellation(_Model):
    """A constellation: its satellites, their mass, its shells and its ITU filing date."""

    key: str
    name: str
    satellites: Annotated[int, Strict(), Field(ge=1, le=1_000_000)]
    satellite_mass_kg: PositiveKg
    filing_year: Annotated[float, Strict(), Field(ge=1990.0, le=2100.0)]
    shells: list[Shell] = []
    sources: dict[str, str]

    @model_validator(mode="after")
    def _shells_add_up(self) -> Constellation:
        if self.shells and sum(s.satellites for s in self.shells) != self.satellites:
            total = sum(s.satellites for s in self.shells)
            raise KeyedValueError("shells", f"hold {total} satellites, not {self.satellites}")
        return self


class DeployStudy(_Model):
    """``boostback deploy FILE``: a constellation launched by one vehicle from a few pads."""

    constellation: str
    cost: str
    recovery: RecoveryMode = RecoveryMode.DRONESHIP
    orbit: str = "leo"
    first_launch_year: Annotated[float, Strict(), Field(ge=1990.0, le=2100.0)]
    pads: Annotated[int, Strict(), Field(ge=1, le=100)] = 1
    pad_turnaround_days: Annotated[float, Strict(), Field(gt=0.0, le=3650.0)] = 7.0
    fleet: Annotated[int, Strict(), Field(ge=1, le=10_000)] = 4
    boosters_per_year: Annotated[float, Strict(), Field(gt=0.0, le=10_000.0)] = 6.0
    max_launches_per_year: Annotated[float, Strict(), Field(gt=0.0, le=10_000.0)] = 100.0
    launch_success: Probability = 0.98
    satellites_per_launch: Annotated[int, Strict(), Field(ge=1)] | None = None
    samples: Annotated[int, Strict(), Field(ge=10, le=1_000_000)] = 500
    seed: Annotated[int, Strict(), Field(ge=0)] = 20261206
    landing: LandingSpec | None = None


def builtin_names() -> list[str]:
    """The cost and constellation files shipped in ``economics/data``."""
    folder = resources.files("boostback.economics").joinpath("data")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def read_economics(
    name_or_path: str | Path, base_dir: str | Path | None = None
) -> tuple[dict, str]:
    """A file's table and its name: a path (relative to ``base_dir``) or a built-in name."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_absolute() and base_dir is not None and not path.exists():
            path = Path(base_dir) / path
        return read_toml(path), str(path)
    resource = resources.files("boostback.economics").joinpath("data", f"{text}.toml")
    if not resource.is_file():
        known = ", ".join(builtin_names())
        raise ConfigError(f"no built-in economics file '{text}' (built in: {known})", file=text)
    return _parse_toml(resource.read_text(encoding="utf-8"), f"economics/data/{text}.toml"), (
        f"economics/data/{text}.toml"
    )


def load_cost(name_or_path: str | Path, base_dir: str | Path | None = None) -> CostFile:
    """A cost file by built-in name (``falcon9``, ``zhuque3``) or path."""
    data, file = read_economics(name_or_path, base_dir)
    return _validate(CostFile, data, file)


def load_constellation(
    name_or_path: str | Path, base_dir: str | Path | None = None
) -> Constellation:
    """A constellation file by built-in name (``guowang``, ``qianfan``) or path."""
    data, file = read_economics(name_or_path, base_dir)
    return _validate(Constellation, data, file)


def load_study(name_or_path: str | Path) -> tuple[EconomicsStudy, CostFile]:
    """An economics study file and its cost file; a cost file alone is a study with defaults."""
    data, file = read_economics(name_or_path)
    if "hardware" in data:  # a cost file given directly
        cost = _validate(CostFile, data, file)
        return EconomicsStudy(cost=str(name_or_path)), cost
    study = _validate(EconomicsStudy, data, file)
    base = Path(file).parent if Path(file).exists() else None
    cost = _cost_for(study.cost, base, file)
    _check_orbit(cost, RecoveryMode.EXPENDABLE, study.orbit, file)  # the baseline every mode's
    return study, cost


def _check_orbit(cost: CostFile, mode: RecoveryMode, orbit: str, file: str) -> None:
    """Bad input (``orbit``, in ``file``) when ``cost`` gives no ``mode`` payload to ``orbit``."""
    orbits = cost.recovery[mode].payload_kg
    if orbit not in orbits:
        raise ConfigError(
            f"'{cost.key}' carries no {mode} payload to '{orbit}' (its {mode} orbits: "
            f"{', '.join(sorted(orbits)) or 'none'})",
            file=file,
            key="orbit",
        )


def _cost_for(ref: str, base: Path | None, file: str) -> CostFile:
    try:
        return load_cost(ref, base)
    except ConfigError as exc:
        if exc.file in (ref, None):  # the reference itself is wrong: say where it is written
            raise ConfigError(exc.problem, file=file, key="cost") from None
        raise


def load_deploy(path: str | Path) -> tuple[DeployStudy, Constellation, CostFile]:
    """A deployment study file with its constellation and cost files."""
    data, file = read_economics(path)
    study = _validate(DeployStudy, data, file)
    base = Path(file).parent if Path(file).exists() else None
    try:
        constellation = load_constellation(study.constellation, base)
    except ConfigError as exc:
        if exc.file in (study.constellation, None):
            raise ConfigError(exc.problem, file=file, key="constellation") from None
        raise
    cost = _cost_for(study.cost, base, file)
    if study.recovery not in cost.recovery:
        raise ConfigError(
            f"'{cost.key}' has no '{study.recovery}' recovery (it has "
            f"{', '.join(sorted(cost.recovery))})",
            file=file,
            key="recovery",
        )
    _check_orbit(cost, study.recovery, study.orbit, file)
    return study, constellation, cost
