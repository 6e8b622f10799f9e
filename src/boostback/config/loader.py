"""Load vehicles and scenarios from TOML; every failure is a one-line ``ConfigError``."""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from boostback.config.errors import ConfigError, from_validation_error
from boostback.config.flight_models import FlightScenario
from boostback.config.models import LandingScenario, Vehicle
from boostback.config.vocab import FileKind

__all__ = [
    "check_kind",
    "check_scenario",
    "file_kind",
    "flight_from_dict",
    "flight_vehicles",
    "is_flight_scenario",
    "list_flights",
    "list_scenarios",
    "list_vehicles",
    "load_flight",
    "load_landing",
    "load_scenario",
    "load_vehicle",
    "names_flight",
    "read_toml",
    "reference_kind",
    "scenario_from_dict",
    "scenario_vehicle",
    "vehicle_from_dict",
]

_M = TypeVar("_M", bound=BaseModel)
_LINE_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_DRAG_FREE_ATMOSPHERES = {"none"}
# Configuration files are a few kB; a bigger one is a wrong path (a log, a data file).
MAX_TOML_BYTES = 10_000_000


def _builtin_names(package: str) -> list[str]:
    folder = resources.files(f"boostback.{package}")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def list_vehicles() -> list[str]:
    """Keys of the built-in vehicles (``src/boostback/vehicles/*.toml``)."""
    return _builtin_names("vehicles")


def list_scenarios() -> list[str]:
    """Names of the built-in scenarios (``src/boostback/scenarios/*.toml``)."""
    return _builtin_names("scenarios")


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _LINE_RE.search(message)
        if where:
            message = _LINE_RE.sub("", message)
            problem = f"invalid TOML at line {where[1]}, column {where[2]}: {message}"
        else:
            problem = f"invalid TOML: {message}"
        raise ConfigError(problem, file=file) from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or malformed file raises ``ConfigError``."""
    file = str(path)
    p = Path(path)
    try:
        if p.exists() and not p.is_file():  # a FIFO or a device would block or never end
            kind = "a directory" if p.is_dir() else "a FIFO" if p.is_fifo() else "a device"
            raise ConfigError(f"is {kind}, not a TOML file", file=file)
        if p.is_file() and p.stat().st_size > MAX_TOML_BYTES:
            raise ConfigError(
                f"is {p.stat().st_size:,} bytes, more than a scenario file can be "
                f"({MAX_TOML_BYTES:,} bytes)",
                file=file,
            )
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", file=file) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a TOML file", file=file) from None
    except (OSError, ValueError) as exc:  # ValueError: undecodable text, a NUL in the path
        raise ConfigError(f"cannot read file: {exc}", file=file) from None
    return _parse_toml(text, file)


def _read_builtin(package: str, name: str) -> tuple[dict[str, Any], str]:
    resource = resources.files(f"boostback.{package}").joinpath(f"{name}.toml")
    file = f"{package}/{name}.toml"
    return _parse_toml(resource.read_text(encoding="utf-8"), file), file


def _validate(model: type[_M], data: Any, file: str | None) -> _M:
    if not isinstance(data, dict):
        raise ConfigError(f"expected a table, got {type(data).__name__}", file=file)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, file=file, model=model) from None


def vehicle_from_dict(data: dict[str, Any], file: str | None = None) -> Vehicle:
    """Validate a parsed vehicle table."""
    return _validate(Vehicle, data, file)


def scenario_from_dict(data: dict[str, Any], file: str | None = None) -> LandingScenario:
    """Validate a parsed landing-scenario table."""
    return _validate(LandingScenario, data, file)


def require_file(ref: str) -> None:
    """Bad input ("file not found") when the command-line reference ``ref`` names a file (a
    ``.toml`` name, or a path through a folder) that does not exist, before it is taken for a
    built-in name.

    Raises
    ------
    ConfigError
        The file is missing.
    """
    path = Path(ref)
    if (path.suffix == ".toml" or len(path.parts) > 1) and not path.exists():
        raise ConfigError("file not found", file=ref)


def _looks_like_path(name: str) -> bool:
    return name.endswith(".toml") or "/" in name or "\\" in name


def load_vehicle(name_or_path: str | Path, *, base_dir: str | Path | None = None) -> Vehicle:
    """Load a built-in vehicle by key (``"falcon9"``) or a vehicle TOML file by path.

    A relative path is taken relative to ``base_dir`` when given (e.g. the scenario's folder).
    """
    text = str(name_or_path)
    builtins = list_vehicles()
    if isinstance(name_or_path, str) and text in builtins:
        data, file = _read_builtin("vehicles", text)
        return vehicle_from_dict(data, file)
    path = Path(name_or_path)
    if base_dir is not None and not path.is_absolute():
        path = Path(base_dir) / path
    if not path.exists() and isinstance(name_or_path, str) and not _looks_like_path(text):
        raise ConfigError(f"unknown vehicle '{text}'; built-in vehicles: {', '.join(builtins)}")
    return vehicle_from_dict(read_toml(path), str(path))


def load_scenario(name_or_path: str | Path) -> LandingScenario:
    """Load a landing scenario from a TOML file, or a built-in one by name."""
    text = str(name_or_path)
    if isinstance(name_or_path, str) and text in list_scenarios() and not Path(text).exists():
        data, file = _read_builtin("scenarios", text)
        return scenario_from_dict(data, file)
    if isinstance(name_or_path, str) and not _looks_like_path(text) and not Path(text).exists():
        raise ConfigError(
            f"unknown scenario '{text}'; built-in scenarios: {', '.join(list_scenarios())}"
        )
    return scenario_from_dict(read_toml(name_or_path), text)


def _scenario_file(name_or_path: str | Path) -> tuple[str, Path | None]:
    text = str(name_or_path)
    if isinstance(name_or_path, str) and text in list_scenarios() and not Path(text).exists():
        return f"scenarios/{text}.toml", None
    return text, Path(name_or_path).parent


def load_landing(name_or_path: str | Path) -> tuple[LandingScenario, Vehicle]:
    """Load a scenario, its vehicle (relative paths: from the scenario's folder), and check them."""
    scenario = load_scenario(name_or_path)
    file, base_dir = _scenario_file(name_or_path)
    vehicle = scenario_vehicle(scenario.vehicle, file, base_dir)
    check_scenario(scenario, vehicle, file=file)
    return scenario, vehicle


def scenario_vehicle(ref: str, file: str | None, base_dir: str | Path | None) -> Vehicle:
    """The vehicle a scenario file names (``vehicle = ...``; a relative path from the file's
    folder). A vehicle that is unknown, or a file that is missing (or a directory, a FIFO), is
    a ``ConfigError`` naming the scenario file and its ``vehicle`` key; a bad vehicle file is
    one naming that file."""
    try:
        return load_vehicle(ref, base_dir=base_dir)
    except ConfigError as exc:
        if exc.file is None:
            raise ConfigError(exc.problem, file=file, key="vehicle") from None
        if exc.key is None and exc.problem.startswith(("file not found", "is a")):  # no file
            raise ConfigError(f"{exc.problem}: {exc.file}", file=file, key="vehicle") from None
        raise


def _min_stop_time_s(vz: float, accel_max: float, g: float) -> float:
    """Lower bound on the time needed to null a descent speed ``-vz`` at most ``accel_max``."""
    if vz >= 0.0:
        return 0.0
    return -vz / (accel_max - g)


def check_scenario(scenario: LandingScenario, vehicle: Vehicle, file: str | None = None) -> None:
    """Physical feasibility checks that the models alone cannot make; raises ``ConfigError``.

    Checks a necessary condition only: the propellant aboard, burnt in the landing engines at
    vacuum Isp (along the axis, so canted engines count cos(cant)), must give more delta-v than
    stopping needs. Without drag the need is the initial speed plus a lower bound on gravity
    loss; with drag (which can brake for free down to the terminal speed) only the part of the
    speed below the dry stage's sea-level terminal speed counts.
    """
    stage = vehicle.booster
    initial = scenario.initial
    if initial.propellant_kg > stage.propellant_mass_kg:
        raise ConfigError(
            f"{initial.propellant_kg:g} kg is more than the {stage.propellant_mass_kg:g} kg "
            f"the {stage.name} holds",
            file=file,
            key="initial.propellant_kg",
        )
    g = vehicle.gravity_mps2
    m_dry = stage.dry_mass_kg
    m0 = m_dry + initial.propellant_kg
    exhaust_mps = 1.0 / stage.landing_alpha_s_per_m
    dv = exhaust_mps * math.log(m0 / m_dry)
    vx, vy, vz = initial.velocity_enu_mps
    speed = initial.speed_mps
    drag_free = scenario.environment.atmosphere in _DRAG_FREE_ATMOSPHERES or not stage.cd_mach
    accel_max = stage.landing_thrust_max_n(0.0) / m_dry
    if drag_free:
        if accel_max <= g and vz < 0.0:
            raise ConfigError(
                "the landing engines cannot stop the vehicle: their thrust cannot exceed "
                "its weight",
                file=file,
                key="initial.velocity_enu_mps",
            )
        t_min = _min_stop_time_s(vz, accel_max, g)
        gravity_loss = g * t_min
        need = math.hypot(math.hypot(vx, vy), -vz + gravity_loss if vz < 0 else vz)
        detail = f"the {speed:.0f} m/s descent speed"
        if gravity_loss >= 0.5:
            detail += f" plus at least {gravity_loss:.0f} m/s of gravity loss"
    else:
        cd_max = max(cd for _, cd in stage.cd_mach)
        v_terminal = math.sqrt(2.0 * m_dry * g / (1.225 * cd_max * stage.area_m2))
        need = min(speed, v_terminal)
        detail = f"the {need:.0f} m/s descent speed"
        if need < speed:
            detail += " left after drag braking to the dry stage's sea-level terminal speed"
    if dv <= need:
        raise ConfigError(
            f"the landing engines cannot stop the vehicle: {initial.propellant_kg:g} kg gives at "
            f"most {dv:.0f} m/s of delta-v, less than {detail}",
            file=file,
            key="initial.propellant_kg",
        )


# --- full recovery flights ---------------------------------------------------------------------


def flight_from_dict(data: dict[str, Any], file: str | None = None) -> FlightScenario:
    """Validate a parsed flight-scenario table."""
    return _validate(FlightScenario, data, file)


def is_flight_scenario(data: dict[str, Any]) -> bool:
    """Whether a parsed scenario describes a whole flight (it has a [mission] table)."""
    return isinstance(data.get("mission"), dict)


# The top-level key (a table, or a reference to another file) each kind's model requires, in
# the order they are tried: a deployment study names a cost file as an economics study does, so
# it comes first; a file with a ``vehicle`` to fly is a scenario, whatever else it holds.
_KIND_KEYS = (
    (FileKind.CAMPAIGN, "scenario"),  # campaign.spec.CampaignSpec
    (FileKind.DEPLOY, "constellation"),  # economics.models.DeployStudy
    (FileKind.ECONOMICS, "cost"),  # economics.models.EconomicsStudy
    (FileKind.COST, "hardware"),  # economics.models.CostFile
    (FileKind.CONSTELLATION, "satellite_mass_kg"),  # economics.models.Constellation
    (FileKind.VEHICLE, "booster"),  # config.models.Vehicle
    (FileKind.VEHICLE, "key"),  # a vehicle file without its [booster] table
)


def file_kind(data: dict[str, Any]) -> FileKind | None:
    """What a parsed TOML table describes, by the top-level key its kind requires: a whole
    flight (a [mission] table), a landing burn (an [initial] table), and, in a file with no
    ``vehicle`` to fly, a campaign (``scenario``), a deployment study (``constellation``), an
    economics study (``cost``), a cost file ([hardware]), a constellation
    (``satellite_mass_kg``) or a vehicle ([booster], or a ``key``); None when it does not say
    (an empty file, a scenario without its table): the command it was given to reports it
    against its own kind's keys."""
    if is_flight_scenario(data):
        return FileKind.FLIGHT
    if "initial" in data:
        return FileKind.LANDING
    if "vehicle" in data:
        return None
    return next((kind for kind, key in _KIND_KEYS if key in data), None)


def reference_kind(ref: str, *, names: bool = True) -> FileKind | None:
    """What a command-line reference names: a TOML file by its contents (``file_kind``), a
    built-in scenario or vehicle by its name (unless ``names`` is false: a command whose names
    are others', as ``economics``); None for anything else (an unknown name, a file that does
    not say).

    Raises
    ------
    ConfigError
        A TOML file that cannot be read or parsed.
    """
    path = Path(ref)
    if path.suffix == ".toml" and path.is_file():
        return file_kind(read_toml(path))
    if path.exists() or not names:
        return None
    if ref in list_scenarios():
        return FileKind.FLIGHT if ref in list_flights() else FileKind.LANDING
    return FileKind.VEHICLE if ref in list_vehicles() else None


def check_kind(
    ref: str, *takes: FileKind, names: bool = True, data: dict[str, Any] | None = None
) -> FileKind | None:
    """The kind of ``ref`` (``reference_kind``) when the command takes it (or it does not say);
    else a one-line ``ConfigError`` saying what it is and which command takes it ("'c.toml' is
    a campaign file: run it with 'boostback mc run c.toml --out DIR'").

    Parameters
    ----------
    ref : str
        The file or built-in name given on the command line.
    *takes : FileKind
        The kinds the command takes.
    names : bool
        Whether ``ref`` may be a built-in scenario's or vehicle's name (see ``reference_kind``).
    data : dict, optional
        What ``ref`` holds, parsed, when the command resolves it itself (``economics`` its
        built-in names): classified instead of ``ref``.

    Raises
    ------
    ConfigError
        A file of another kind, or a TOML file that cannot be read or parsed.
    """
    kind = reference_kind(ref, names=names) if data is None else file_kind(data)
    if kind is None or kind in takes:
        return kind
    also = ""
    if FileKind.CAMPAIGN in takes and kind in (FileKind.LANDING, FileKind.FLIGHT):
        also = ", or name it as a campaign file's scenario"
    raise ConfigError(f"'{ref}' is {kind.noun}: {kind.usage(ref)}{also}")


def names_flight(ref: str) -> bool:
    """Whether a scenario reference names a whole flight: a built-in flight scenario's name (not
    shadowed by a file of that name, as ``load_flight`` resolves it) or a TOML file with a
    [mission] table. ``load_flight`` loads it if so, ``load_landing`` otherwise."""
    return reference_kind(ref) is FileKind.FLIGHT


def list_flights() -> list[str]:
    """Names of the built-in full-flight scenarios (scenario files with a [mission] table)."""
    return [name for name, kind, _, _ in scenario_catalogue() if kind != "landing"]


def scenario_catalogue() -> list[tuple[str, str, str, str]]:
    """The built-in scenarios as (name, kind, vehicle, description); kind is ``"landing"`` or
    ``"flight (<recovery mode>)"``."""
    rows = []
    for name in list_scenarios():
        data, _ = _read_builtin("scenarios", name)
        if is_flight_scenario(data):
            kind = f"flight ({data.get('recovery', {}).get('mode', '?')})"
        else:
            kind = "landing"
        text = str(data.get("description") or data.get("name") or "")
        rows.append((name, kind, str(data.get("vehicle", "")), text))
    return rows


def flight_vehicles() -> list[str]:
    """The vehicles the built-in whole-flight scenarios fly, sorted."""
    return sorted({row[2] for row in scenario_catalogue() if row[1] != "landing"})


def load_flight(name_or_path: str | Path) -> tuple[FlightScenario, Vehicle]:
    """Load a full-flight scenario (built-in name or TOML path) and its vehicle."""
    text = str(name_or_path)
    if isinstance(name_or_path, str) and text in list_scenarios() and not Path(text).exists():
        data, file = _read_builtin("scenarios", text)
        base_dir: Path | None = None
    else:
        data, file = read_toml(name_or_path), text
        base_dir = Path(name_or_path).parent
    scenario = flight_from_dict(data, file)
    try:
        vehicle = load_vehicle(scenario.vehicle, base_dir=base_dir)
    except ConfigError as exc:
        if exc.file is None:
            raise ConfigError(exc.problem, file=file, key="vehicle") from None
        raise
    return scenario, vehicle
